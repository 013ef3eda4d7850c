// A deterministic simulation of gossip membership: n Gossipers (lib/cluster/gossiper.ts, the same
// code the server runs) on a simulated clock and network that loses, delays (so reorders),
// duplicates and partitions datagrams, all drawn from one seeded generator. Every message goes
// through the real wire codec, so byte counts are the real ones. One seed, one run: a failure
// prints its seed and replays exactly.
import { DEFAULT_PARAMS, type ClusterEvent, Gossiper, type GossipParams, type Outgoing } from '../../lib/cluster/gossiper'
import { decode, encode } from '../../lib/cluster/wire'

/** sfc32: small, fast, good enough, and the same on every platform. */
export function seededRng (seed: number): () => number {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0
    const t = (a + b + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
  return next
}

export interface NetworkFaults {
  lossRate: number
  duplicateRate: number
  delayMinMs: number
  delayMaxMs: number
}

type SimEvent =
  | { t: number; seq: number; kind: 'tick'; node: number; incarnation: number }
  | { t: number; seq: number; kind: 'deliver'; to: string; from: number; fromAddr: string; data: Buffer }

/** A binary min-heap on (t, seq). */
class EventQueue {
  private readonly items: SimEvent[] = []
  get size (): number { return this.items.length }
  private less (x: SimEvent, y: SimEvent): boolean { return x.t < y.t || (x.t === y.t && x.seq < y.seq) }
  push (e: SimEvent): void {
    const a = this.items
    a.push(e)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(a[i], a[p])) break
      ;[a[i], a[p]] = [a[p], a[i]]
      i = p
    }
  }

  peek (): SimEvent | undefined { return this.items[0] }
  pop (): SimEvent {
    const a = this.items
    const top = a[0]
    const last = a.pop()!
    if (a.length > 0) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.less(a[l], a[m])) m = l
        if (r < a.length && this.less(a[r], a[m])) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m], a[i]]
        i = m
      }
    }
    return top
  }
}

export interface SimNode {
  gossiper: Gossiper
  running: boolean
  incarnation: number
  addr: string
  bytesSent: number
}

export interface LoggedEvent { t: number; observer: number; event: ClusterEvent }

export class Simulation {
  now = 0
  readonly rng: () => number
  readonly nodes: SimNode[] = []
  readonly events: LoggedEvent[] = []
  /** Blocked pairs: a partition assigns each node a side; nodes on different sides cannot talk. */
  side: number[] | null = null
  private readonly queue = new EventQueue()
  private seq = 0
  readonly byAddr = new Map<string, number>()
  messages = 0

  constructor (readonly seed: number, readonly n: number, public faults: NetworkFaults, readonly seeds: string[], readonly params: GossipParams = DEFAULT_PARAMS) {
    this.rng = seededRng(seed)
    for (let i = 0; i < n; i++) {
      const addr = `10.0.${i >> 8}.${i & 255}:7946`
      this.byAddr.set(addr, i)
      this.nodes.push({ gossiper: null as unknown as Gossiper, running: false, incarnation: 0, addr, bytesSent: 0 })
    }
  }

  static addrOf (i: number): string {
    return `10.0.${i >> 8}.${i & 255}:7946`
  }

  /** Start (or restart, with a new generation) node i now. */
  start (i: number): void {
    const node = this.nodes[i]
    node.incarnation++
    node.running = true
    const [host, port] = node.addr.split(':')
    node.gossiper = new Gossiper({ nodeId: i, generation: 1_763_700_000_000 + Math.round(this.now), addr: host, gossipPort: Number(port), ports: { resp: 6379, mesh: 7373, metrics: 9121 } }, this.params, this.now)
    // A random phase, as timers of independent processes have.
    this.push({ t: this.now + this.rng() * this.params.gossipIntervalMs, seq: 0, kind: 'tick', node: i, incarnation: node.incarnation })
  }

  stop (i: number): void {
    this.nodes[i].running = false
  }

  running (): number[] {
    return this.nodes.flatMap((n, i) => (n.running ? [i] : []))
  }

  private push (e: SimEvent): void {
    e.seq = this.seq++
    this.queue.push(e)
  }

  private connected (a: number, b: number): boolean {
    return this.side === null || this.side[a] === this.side[b]
  }

  private send (from: number, out: readonly Outgoing[]): void {
    for (const { to, message } of out) {
      const data = encode(message, this.params.datagramBytesMax)
      this.nodes[from].bytesSent += data.length
      this.messages++
      const target = this.byAddr.get(to)
      if (target === undefined || !this.connected(from, target)) continue
      if (this.rng() < this.faults.lossRate) continue
      const copies = this.rng() < this.faults.duplicateRate ? 2 : 1
      for (let c = 0; c < copies; c++) {
        const delay = this.faults.delayMinMs + this.rng() * (this.faults.delayMaxMs - this.faults.delayMinMs)
        this.push({ t: this.now + delay, seq: 0, kind: 'deliver', to, from, fromAddr: this.nodes[from].addr, data })
      }
    }
  }

  private log (observer: number, events: readonly ClusterEvent[]): void {
    for (const event of events) this.events.push({ t: this.now, observer, event })
  }

  /** Run every event up to time t; `probe` is called every probeMs of simulated time and may stop the run by returning true. */
  runUntil (t: number, probe?: () => boolean, probeMs = 100): boolean {
    let nextProbe = this.now + probeMs
    for (;;) {
      const e = this.queue.peek()
      const nextT = Math.min(e?.t ?? Infinity, probe !== undefined ? nextProbe : Infinity)
      if (nextT > t) break
      if (probe !== undefined && nextProbe <= (e?.t ?? Infinity)) {
        this.now = nextProbe
        nextProbe += probeMs
        if (probe()) return true
        continue
      }
      this.queue.pop()
      this.now = e!.t
      if (e!.kind === 'tick') {
        const node = this.nodes[e!.node]
        if (!node.running || node.incarnation !== e!.incarnation) continue
        const step = node.gossiper.tick(this.now, this.rng, this.seeds)
        this.log(e!.node, step.events)
        this.send(e!.node, step.out)
        const jitter = (this.rng() - 0.5) * 0.05 * this.params.gossipIntervalMs
        this.push({ t: this.now + this.params.gossipIntervalMs + jitter, seq: 0, kind: 'tick', node: e!.node, incarnation: e!.incarnation })
      } else {
        const target = this.byAddr.get(e!.to)!
        const node = this.nodes[target]
        if (!node.running) continue
        const step = node.gossiper.receive(e!.fromAddr, decode(e!.data), this.now, this.rng)
        this.log(target, step.events)
        this.send(target, step.out)
      }
    }
    this.now = t
    return false
  }

  /** Every running node sees every other running node live and as a member. */
  fullMembership (): boolean {
    const up = this.running()
    for (const i of up) {
      const g = this.nodes[i].gossiper
      for (const j of up) {
        if (!g.isLive(j)) return false
        if (g.states.get(j)?.get('status') !== 'alive' || g.states.get(j)?.generation !== this.nodes[j].gossiper.self.generation) return false
      }
    }
    return true
  }

  /** Every running node has the same (generation, max version, verdict) for every node it knows. */
  converged (): boolean {
    const up = this.running()
    const summary = (i: number): string => {
      const g = this.nodes[i].gossiper
      return [...g.states.values()].sort((a, b) => a.nodeId - b.nodeId).map((s) => `${s.nodeId}/${s.generation}/${s.maxVersion}/${g.isLive(s.nodeId) ? 'up' : 'down'}`).join(' ')
    }
    const first = summary(up[0])
    return up.every((i) => summary(i) === first)
  }
}
