// Gossip membership in a seeded simulation (test/support/gossip-sim.ts): n = 3..30 nodes over a
// network that loses, delays, reorders, duplicates and partitions. Each seed checks:
//   1. every node learns every other (live, alive) within JOIN_BOUND_MS of the last start;
//   2. a stopped node is declared dead by every other within DEAD_BOUND_MS;
//   3. after a partition heals, the views converge (same generations, versions, verdicts);
//   4. a restarted node (new generation) is live everywhere again;
//   and throughout: no node is declared dead while its heartbeats reach the observer (it runs
//   and no partition separated them during the last DEAD_BOUND_MS).
// A failure names its seed; SIM_SEED=<seed> replays that one run.
import assert from 'node:assert/strict'
import { DEFAULT_PARAMS } from '../../lib/cluster/gossiper'
import { deadAfterMs } from '../../lib/cluster/failure-detector'
import { Simulation } from '../support/gossip-sim'

const ROUND = DEFAULT_PARAMS.gossipIntervalMs
/** Worst case of the detector (7.4 s after the last heartbeat) plus one round to notice it and one for that heartbeat's own trip. */
const DEAD_BOUND_MS = deadAfterMs(DEFAULT_PARAMS.detector, Infinity) + 2 * ROUND
/** Full membership of up to 30 nodes from a cold start with up to 15% loss: 40 rounds. */
const JOIN_BOUND_MS = 40 * ROUND
/** Partition heal: a dead node is contacted with probability dead/(live+1) a round, a seed now and then. */
const HEAL_BOUND_MS = 40 * ROUND

export interface ScenarioResult {
  seed: number
  n: number
  joinMs: number
  deadMs: number[]
  healMs: number
  restartMs: number
  bytesPerNodePerSec: number
}

function pct (xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]
}

export function runScenario (seed: number, fixedN?: number): ScenarioResult {
  const pre = new Simulation(seed, 1, { lossRate: 0, duplicateRate: 0, delayMinMs: 0, delayMaxMs: 0 }, [])
  const n = fixedN ?? 3 + Math.floor(pre.rng() * 28)
  const faults = {
    lossRate: pre.rng() * 0.15,
    duplicateRate: pre.rng() * 0.02,
    delayMinMs: 1,
    delayMaxMs: 2 + pre.rng() * 80,
  }
  const sim = new Simulation(seed, n, faults, [Simulation.addrOf(0), Simulation.addrOf(Math.min(1, n - 1))])
  const stoppedAt = new Map<number, number>()
  /** When each pair was last separated by a partition. */
  const lastCut = new Map<string, number>()
  const cutKey = (a: number, b: number) => `${Math.min(a, b)}:${Math.max(a, b)}`
  const where = () => `seed ${seed}, n=${n}, loss=${faults.lossRate.toFixed(3)}, delay<=${faults.delayMaxMs.toFixed(0)} ms, t=${sim.now.toFixed(0)} ms`

  // 1. Cold start, staggered over one second.
  const order = Array.from({ length: n }, (_, i) => i)
  let lastStart = 0
  for (const i of order) {
    sim.runUntil(sim.now + sim.rng() * (1000 / n))
    sim.start(i)
    lastStart = sim.now
  }
  const joined = sim.runUntil(lastStart + JOIN_BOUND_MS, () => sim.fullMembership())
  assert.ok(joined, `not every node learned every other within ${JOIN_BOUND_MS} ms (${where()})`)
  const joinMs = sim.now - lastStart

  // Steady state for a while: bytes per node per second without faults in the figure run.
  const bytesBefore = sim.nodes.reduce((s, x) => s + x.bytesSent, 0)
  const quietFrom = sim.now
  sim.runUntil(sim.now + 5000)
  const bytesPerNodePerSec = (sim.nodes.reduce((s, x) => s + x.bytesSent, 0) - bytesBefore) / n / ((sim.now - quietFrom) / 1000)

  // 2. Stop one node: every other declares it dead within the bound.
  const victim = Math.floor(sim.rng() * n)
  sim.stop(victim)
  const stopT = sim.now
  stoppedAt.set(victim, stopT)
  const deadMs = new Map<number, number>()
  const allDead = sim.runUntil(stopT + DEAD_BOUND_MS, () => {
    for (const i of sim.running()) if (!deadMs.has(i) && !sim.nodes[i].gossiper.isLive(victim)) deadMs.set(i, sim.now - stopT)
    return deadMs.size === n - 1
  }, 20)
  assert.ok(allDead, `node ${victim} stopped at ${stopT} ms was not declared dead by all within ${DEAD_BOUND_MS.toFixed(0)} ms: ${n - 1 - deadMs.size} still think it live (${where()})`)
  // It stays a member (placement does not flap).
  for (const i of sim.running()) assert.ok(sim.nodes[i].gossiper.members().includes(victim), `node ${i} dropped dead node ${victim} from the members (${where()})`)

  // 3. Partition the survivors in two for longer than the dead bound, then heal.
  let healMs = 0
  const up = sim.running()
  if (up.length >= 2) {
    const side = sim.nodes.map(() => (sim.rng() < 0.5 ? 0 : 1))
    side[up[0]] = 0
    side[up[1]] = 1
    sim.side = side
    const cutFrom = sim.now
    sim.runUntil(sim.now + DEAD_BOUND_MS + 2000)
    sim.side = null
    for (const a of up) for (const b of up) if (side[a] !== side[b]) lastCut.set(cutKey(a, b), sim.now)
    // Each side has declared the other dead by now.
    for (const a of up) for (const b of up) {
      if (side[a] !== side[b]) assert.ok(!sim.nodes[a].gossiper.isLive(b), `node ${a} still thinks ${b} live across a partition since ${cutFrom} ms (${where()})`)
    }
    const healT = sim.now
    const healed = sim.runUntil(healT + HEAL_BOUND_MS, () => sim.fullMembership() && sim.converged())
    assert.ok(healed, `views did not converge within ${HEAL_BOUND_MS} ms of healing the partition (${where()})`)
    healMs = sim.now - healT
  }

  // 4. The stopped node comes back with a new generation.
  sim.start(victim)
  stoppedAt.delete(victim)
  const restartT = sim.now
  const back = sim.runUntil(restartT + JOIN_BOUND_MS, () => sim.fullMembership() && sim.converged())
  assert.ok(back, `restarted node ${victim} not live everywhere within ${JOIN_BOUND_MS} ms (${where()})`)
  const restartMs = sim.now - restartT
  sim.runUntil(sim.now + 2000)

  // Throughout: a dead verdict only for a stopped node or across a recent partition.
  for (const { t, observer, event } of sim.events) {
    if (event.kind === 'conflict') assert.fail(`node ${observer} reported a node-id conflict at ${t} ms: ${event.detail} (${where()})`)
    if (event.kind !== 'dead') continue
    const subject = event.nodeId
    const stopped = event.generation < sim.nodes[subject].gossiper.self.generation || stoppedAt.has(subject)
    const cut = lastCut.get(cutKey(observer, subject))
    const recentlyCut = cut !== undefined && t <= cut + DEAD_BOUND_MS
    const duringCut = sim.side !== null || (cut !== undefined && t <= cut)
    assert.ok(stopped || recentlyCut || duringCut, `node ${observer} declared node ${subject} dead at ${t.toFixed(0)} ms while its heartbeats arrived (${where()})`)
  }
  return { seed, n, joinMs, deadMs: [...deadMs.values()], healMs, restartMs, bytesPerNodePerSec }
}

const SEEDS = process.env.SIM_SEED !== undefined ? [Number(process.env.SIM_SEED)] : Array.from({ length: 16 }, (_, i) => 1000 + i)

describe('gossip simulation (seeded)', function () {
  this.timeout(60000)
  const results: ScenarioResult[] = []

  for (const seed of SEEDS) {
    it(`seed ${seed}: join, death, partition and heal, restart`, () => {
      try {
        results.push(runScenario(seed))
      } catch (err) {
        throw new Error(`${(err as Error).message}\n    replay: SIM_SEED=${seed} npx mocha --no-config dist/test/property/cluster-sim.test.js`)
      }
    })
  }

  for (const n of [3, 30]) {
    it(`figures for n=${n}`, () => {
      const r = runScenario(4242 + n, n)
      results.push(r)
      if (process.env.CLUSTER_FIGURES) {
        console.log(`n=${n}: full membership ${r.joinMs.toFixed(0)} ms after the last start; dead p50 ${pct(r.deadMs, 0.5).toFixed(0)} ms max ${Math.max(...r.deadMs).toFixed(0)} ms; heal ${r.healMs.toFixed(0)} ms; restart ${r.restartMs.toFixed(0)} ms; ${r.bytesPerNodePerSec.toFixed(0)} B/node/s`)
      }
    })
  }

  after(() => {
    if (!process.env.CLUSTER_FIGURES || results.length === 0) return
    const dead = results.flatMap((r) => r.deadMs)
    console.log(`all runs: dead p50 ${pct(dead, 0.5).toFixed(0)} ms, max ${Math.max(...dead).toFixed(0)} ms over ${dead.length} verdicts; join max ${Math.max(...results.map((r) => r.joinMs))} ms`)
  })
})
