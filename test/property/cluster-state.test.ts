// Scuttlebutt (lib/cluster/state.ts, wire.ts): any delta cut to any budget is a datagram that
// round-trips; repeated digest/delta exchanges between replicas of arbitrary histories converge
// to the newest generation of every node with all its keys, whatever the budget.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { applyNodeDelta, buildDelta, buildDigest, NodeState } from '../../lib/cluster/state'
import { decode, encode, headerBytes, type Message } from '../../lib/cluster/wire'

/** An owner's history: writes to a few keys, in one or two generations. */
const historyArb = fc.record({
  nodeId: fc.integer({ min: 0, max: 65535 }),
  generations: fc.array(fc.record({
    writes: fc.array(fc.tuple(fc.constantFrom('addr', 'gossip', 'resp', 'status', 'x', 'ü'), fc.string({ maxLength: 40 })), { maxLength: 12 }),
    heartbeat: fc.nat(100000),
  }), { minLength: 1, maxLength: 2 }),
})

function ownerStates (history: { nodeId: number; generations: Array<{ writes: Array<[string, string]>; heartbeat: number }> }): NodeState[] {
  return history.generations.map((g, i) => {
    const s = new NodeState(history.nodeId, 1_763_700_000_000 + i)
    for (const [k, v] of g.writes) s.set(k, v)
    s.heartbeat = g.heartbeat
    return s
  })
}

const seq = (seed: number) => () => ((seed = (seed * 48271) % 2147483647) / 2147483647)

describe('scuttlebutt: properties', () => {
  it('replicas that hold any mix of owners\' states converge under any budget', () => {
    fc.assert(fc.property(
      fc.uniqueArray(historyArb, { selector: (h) => h.nodeId, minLength: 1, maxLength: 6 }),
      fc.array(fc.array(fc.nat(), { maxLength: 6 }), { minLength: 2, maxLength: 4 }),
      fc.integer({ min: 200, max: 1400 }),
      fc.integer({ min: 1, max: 1000 }),
      (histories, picks, budget, seed) => {
        const owners = histories.map(ownerStates)
        const rng = seq(seed)
        // Each replica starts with some generation of some owners (a copy of the owner's state then).
        const replicas = picks.map((p) => {
          const m = new Map<number, NodeState>()
          for (const x of p) {
            const gens = owners[x % owners.length]
            const s = gens[x % gens.length]
            for (const d of buildDelta([s], [], 100000, rng)) applyNodeDelta(m, d)
          }
          return m
        })
        // Owners gossip their newest state to replica 0; then the replicas gossip pairwise until quiet.
        for (const gens of owners) for (const d of buildDelta([gens[gens.length - 1]], [], 100000, rng)) applyNodeDelta(replicas[0], d)
        const from = { nodeId: 1, generation: 1 }
        for (let round = 0; round < 400; round++) {
          let quiet = true
          for (let i = 0; i < replicas.length; i++) {
            for (let j = 0; j < replicas.length; j++) {
              if (i === j) continue
              const room = budget - headerBytes(from)
              const delta = buildDelta(replicas[i].values(), buildDigest(replicas[j].values(), room, rng), room, rng)
              const m: Message = { type: 'ack', from, delta }
              const wire = decode(encode(m, budget))
              if (wire.type !== 'ack') throw new Error('type')
              for (const d of wire.delta) applyNodeDelta(replicas[j], d)
              if (delta.length > 0) quiet = false
            }
          }
          if (quiet) break
        }
        for (const gens of owners) {
          const newest = gens[gens.length - 1]
          for (const r of replicas) {
            const s = r.get(newest.nodeId)!
            assert.equal(s.generation, newest.generation)
            assert.equal(s.heartbeat, newest.heartbeat)
            assert.equal(s.maxVersion, newest.maxVersion)
            assert.deepEqual([...s.kv].sort(), [...newest.kv].sort())
          }
        }
      }), { numRuns: 150 })
  })
})
