// One node's membership state machine: scuttlebutt state (state.ts), failure detection
// (failure-detector.ts), peer selection and garbage collection. Pure: the IO layer (gossip.ts)
// and the simulation (test/support/gossip-sim.ts) feed it the time, randomness, resolved seed
// addresses and decoded messages, and send what it returns.
//
//   tick(now, rng, seeds)          once per round: heartbeat, verdicts, GC, a syn to each chosen peer
//   receive(from, msg, now, rng)   syn → synack (our digest + their delta), synack → ack, ack → merge
//
// Own state keys: 'addr' (advertise IP or hostname) and 'gossip' (port) first, so that a cut
// delta teaches a peer where to gossip before anything else; then 'resp', 'mesh', 'metrics'
// ports and 'status' (joining | alive | leaving).

import { ArrivalWindow, type DetectorParams } from './failure-detector'
import { applyNodeDelta, buildDelta, buildDigest, NodeState, type Rng, shuffle } from './state'
import { DATAGRAM_BYTES_MAX, type DigestEntry, digestBytes, headerBytes, type Message, type NodeDelta, type NodeRef } from './wire'

export type NodeStatus = 'joining' | 'alive' | 'leaving'

export interface GossipParams {
  readonly gossipIntervalMs: number
  /** Live peers contacted per round. */
  readonly fanout: number
  readonly datagramBytesMax: number
  readonly detector: DetectorParams
  /** A node dead this long is forgotten: dropped from the view and from the members (placement). */
  readonly deadGraceMs: number
  /** A node that has heard from no peer after this long declares itself alive anyway (the first node). */
  readonly joinTimeoutMs: number
}

const ROUND_MS = 200

export const DEFAULT_PARAMS: GossipParams = {
  gossipIntervalMs: ROUND_MS,
  fanout: 3,
  datagramBytesMax: DATAGRAM_BYTES_MAX,
  detector: {
    thresholdPhi: 8,
    windowSize: 100, // 20 s of history at one heartbeat a round
    initialIntervalMs: ROUND_MS,
    minMeanMs: ROUND_MS,
    maxMeanMs: 2 * ROUND_MS,
  },
  deadGraceMs: 24 * 3600 * 1000,
  joinTimeoutMs: 2000,
}

export type ClusterEvent =
  | { readonly kind: 'joined' | 'alive' | 'dead' | 'removed' | 'restarted'; readonly nodeId: number; readonly generation: number }
  | { readonly kind: 'conflict'; readonly nodeId: number; readonly generation: number; readonly detail: string }

export interface Outgoing { readonly to: string; readonly message: Message }

export interface Step { readonly out: Outgoing[]; readonly events: ClusterEvent[] }

export interface SelfInfo {
  readonly nodeId: number
  /** Start time in ms: a restart gets a greater one and replaces the old state everywhere. */
  readonly generation: number
  readonly addr: string
  readonly gossipPort: number
  readonly ports?: { readonly resp?: number; readonly mesh?: number; readonly metrics?: number }
}

export interface NodeView {
  readonly nodeId: number
  readonly generation: number
  readonly heartbeat: number
  readonly status: string
  /** 'host:port' to gossip with, '' while unknown. */
  readonly gossipAddr: string
  readonly kv: Readonly<Record<string, string>>
  readonly self: boolean
  /** Failure detector's verdict (true for ourselves). */
  readonly live: boolean
  readonly phi: number
  readonly lastHeartbeatAgeMs: number
  /** For how long it has been declared dead; null when live. */
  readonly deadForMs: number | null
  /** Joined and not left: counts for placement (dead or not). */
  readonly member: boolean
}

interface Peer {
  window: ArrivalWindow
  live: boolean
  deadSinceMs: number | null
}

/** 'host:port', IPv6 in brackets. */
export function joinHostPort (host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

export function gossipAddrOf (s: NodeState): string {
  const addr = s.get('addr')
  const port = s.get('gossip')
  return addr === undefined || port === undefined ? '' : joinHostPort(addr, port)
}

function pick<T> (items: readonly T[], rng: Rng): T {
  return items[Math.floor(rng() * items.length)]
}

export class Gossiper {
  readonly states = new Map<number, NodeState>()
  private readonly peers = new Map<number, Peer>()
  /** Forgotten nodes: their generation, and until when a delta of that generation is ignored. */
  private readonly forgotten = new Map<number, { generation: number; untilMs: number }>()
  private readonly own: NodeState
  readonly selfAddr: string
  private readonly startedMs: number
  /** Conflicts are reported at most once per this many ms (a duplicate keeps gossiping). */
  private lastConflictMs = -Infinity
  conflicts = 0

  constructor (readonly self: SelfInfo, readonly params: GossipParams, nowMs: number) {
    this.own = new NodeState(self.nodeId, self.generation)
    this.own.set('addr', self.addr)
    this.own.set('gossip', String(self.gossipPort))
    for (const [key, port] of Object.entries(self.ports ?? {})) if (port !== undefined) this.own.set(key, String(port))
    this.own.set('status', 'joining')
    this.states.set(self.nodeId, this.own)
    this.selfAddr = gossipAddrOf(this.own)
    this.startedMs = nowMs
  }

  get ref (): NodeRef {
    return { nodeId: this.self.nodeId, generation: this.self.generation }
  }

  get status (): NodeStatus {
    return this.own.get('status') as NodeStatus
  }

  /** Set one of our own keys (a new version, gossiped from the next round). */
  setKey (key: string, value: string): void {
    this.own.set(key, value)
  }

  /** Announce that this node leaves: it stops counting as a member everywhere. */
  leave (): void {
    this.own.set('status', 'leaving')
  }

  // ---------------------------------------------------------------- rounds

  tick (nowMs: number, rng: Rng, seeds: readonly string[]): Step {
    const events: ClusterEvent[] = []
    this.own.heartbeat++
    if (this.status === 'joining' && nowMs - this.startedMs >= this.params.joinTimeoutMs) this.own.set('status', 'alive')
    this.judge(nowMs, events)

    const live: string[] = []
    const dead: string[] = []
    for (const s of this.states.values()) {
      if (s === this.own) continue
      const addr = gossipAddrOf(s)
      if (addr === '' || addr === this.selfAddr) continue
      if (this.peers.get(s.nodeId)?.live === true) live.push(addr)
      else dead.push(addr)
    }
    const targets = new Set<string>(shuffle(live, rng).slice(0, this.params.fanout))
    // A dead node now and then, so that a node back from a crash or a partition is found.
    if (dead.length > 0 && rng() < dead.length / (live.length + 1)) targets.add(pick(dead, rng))
    // A seed when we know no one (joining, or cut off), else now and then: it heals a cluster
    // split into groups that each think the other dead.
    const otherSeeds = seeds.filter((s) => s !== this.selfAddr)
    if (otherSeeds.length > 0 && (live.length === 0 || rng() < 1 / (live.length + 1))) targets.add(pick(otherSeeds, rng))

    const out: Outgoing[] = []
    if (targets.size > 0) {
      const message: Message = { type: 'syn', from: this.ref, digest: this.digest(this.params.datagramBytesMax - headerBytes(this.ref), rng) }
      for (const to of targets) out.push({ to, message })
    }
    return { out, events }
  }

  receive (fromAddr: string, message: Message, nowMs: number, rng: Rng): Step {
    const events: ClusterEvent[] = []
    const out: Outgoing[] = []
    const from = message.from
    if (from.nodeId === this.self.nodeId) {
      if (from.generation === this.self.generation) return { out, events } // our own syn, through a seed that is us
      // Another live process says it is us. A message of our previous incarnation can still be
      // in flight right after a restart: only an older generation long after our start counts.
      if (from.generation > this.self.generation || nowMs - this.startedMs > 5000) {
        this.conflict(nowMs, events, `a message from ${fromAddr} carries our node id ${from.nodeId} with generation ${from.generation}, ours is ${this.self.generation}`)
      }
      return { out, events }
    }
    if (message.type !== 'ack') this.checkDigest(message.digest, nowMs, events)
    if (message.type !== 'syn') this.merge(message.delta, nowMs, events)
    const budget = this.params.datagramBytesMax - headerBytes(this.ref)
    if (message.type === 'syn') {
      const digest = this.digest(Math.floor(budget / 2), rng)
      const delta = buildDelta(this.states.values(), message.digest, budget - digestBytes(digest), rng)
      out.push({ to: fromAddr, message: { type: 'synack', from: this.ref, digest, delta } })
    } else if (message.type === 'synack') {
      const delta = buildDelta(this.states.values(), message.digest, budget, rng)
      if (delta.length > 0) out.push({ to: fromAddr, message: { type: 'ack', from: this.ref, delta } })
    }
    // Heard from a peer: we are part of a cluster now.
    if (this.status === 'joining') this.own.set('status', 'alive')
    return { out, events }
  }

  private digest (budgetBytes: number, rng: Rng): DigestEntry[] {
    return buildDigest(this.states.values(), budgetBytes, rng)
  }

  /** A digest that knows a newer incarnation of us, or more heartbeats of ours than we made. */
  private checkDigest (digest: readonly DigestEntry[], nowMs: number, events: ClusterEvent[]): void {
    for (const e of digest) {
      if (e.nodeId !== this.self.nodeId) continue
      if (e.generation > this.self.generation || (e.generation === this.self.generation && e.heartbeat > this.own.heartbeat)) {
        this.conflict(nowMs, events, `the cluster knows node id ${e.nodeId} with generation ${e.generation} heartbeat ${e.heartbeat}, ours is generation ${this.self.generation} heartbeat ${this.own.heartbeat}`)
      }
    }
  }

  private conflict (nowMs: number, events: ClusterEvent[], detail: string): void {
    this.conflicts++
    if (nowMs - this.lastConflictMs < 10_000) return
    this.lastConflictMs = nowMs
    events.push({ kind: 'conflict', nodeId: this.self.nodeId, generation: this.self.generation, detail })
  }

  private merge (delta: readonly NodeDelta[], nowMs: number, events: ClusterEvent[]): void {
    for (const d of delta) {
      if (d.nodeId === this.self.nodeId) {
        if (d.generation > this.self.generation || (d.generation === this.self.generation && d.heartbeat > this.own.heartbeat)) {
          this.conflict(nowMs, events, `a delta carries node id ${d.nodeId} with generation ${d.generation} heartbeat ${d.heartbeat}, ours is generation ${this.self.generation} heartbeat ${this.own.heartbeat}`)
        }
        continue
      }
      const gone = this.forgotten.get(d.nodeId)
      if (gone !== undefined) {
        if (d.generation <= gone.generation && nowMs < gone.untilMs) continue
        this.forgotten.delete(d.nodeId)
      }
      const { outcome, heartbeat } = applyNodeDelta(this.states, d)
      const peer = this.peers.get(d.nodeId)
      if (outcome === 'created' || outcome === 'replaced' || peer === undefined) {
        // A new node, or a new incarnation: a fresh window, presumed live.
        this.peers.set(d.nodeId, { window: new ArrivalWindow(this.params.detector, nowMs), live: true, deadSinceMs: null })
        if (outcome === 'created') events.push({ kind: 'joined', nodeId: d.nodeId, generation: d.generation })
        else if (outcome === 'replaced') events.push({ kind: 'restarted', nodeId: d.nodeId, generation: d.generation })
      } else if (heartbeat) {
        if (!peer.live) {
          // Back from the dead: its old intervals (the silence included) say nothing now.
          peer.window = new ArrivalWindow(this.params.detector, nowMs)
          peer.live = true
          peer.deadSinceMs = null
          events.push({ kind: 'alive', nodeId: d.nodeId, generation: d.generation })
        } else {
          peer.window.heartbeat(nowMs)
        }
      }
    }
  }

  /** Failure-detector verdicts and garbage collection. */
  private judge (nowMs: number, events: ClusterEvent[]): void {
    for (const [nodeId, peer] of this.peers) {
      const s = this.states.get(nodeId)!
      if (peer.live && peer.window.suspected(nowMs)) {
        peer.live = false
        peer.deadSinceMs = nowMs
        events.push({ kind: 'dead', nodeId, generation: s.generation })
      } else if (!peer.live && peer.deadSinceMs !== null && nowMs - peer.deadSinceMs >= this.params.deadGraceMs) {
        this.peers.delete(nodeId)
        this.states.delete(nodeId)
        this.forgotten.set(nodeId, { generation: s.generation, untilMs: nowMs + this.params.deadGraceMs })
        events.push({ kind: 'removed', nodeId, generation: s.generation })
      }
    }
    for (const [nodeId, f] of this.forgotten) if (nowMs >= f.untilMs) this.forgotten.delete(nodeId)
  }

  // ---------------------------------------------------------------- views

  /** The detector's clamped mean heartbeat interval for a node, undefined if unknown. */
  meanIntervalMs (nodeId: number): number | undefined {
    return this.peers.get(nodeId)?.window.meanMs()
  }

  isLive (nodeId: number): boolean {
    return nodeId === this.self.nodeId || this.peers.get(nodeId)?.live === true
  }

  /** Every known node, ourselves included, by node id. */
  view (nowMs: number): NodeView[] {
    const out: NodeView[] = []
    for (const s of this.states.values()) {
      const self = s === this.own
      const peer = this.peers.get(s.nodeId)
      const kv: Record<string, string> = {}
      for (const [k, v] of s.kv) kv[k] = v.value
      const status = s.get('status') ?? 'joining'
      out.push({
        nodeId: s.nodeId,
        generation: s.generation,
        heartbeat: s.heartbeat,
        status,
        gossipAddr: gossipAddrOf(s),
        kv,
        self,
        live: self || peer?.live === true,
        phi: self || peer === undefined ? 0 : peer.window.phi(nowMs),
        lastHeartbeatAgeMs: self || peer === undefined ? 0 : Math.max(0, nowMs - peer.window.lastArrivalMs),
        deadForMs: self || peer === undefined || peer.deadSinceMs === null ? null : nowMs - peer.deadSinceMs,
        member: status === 'alive',
      })
    }
    return out.sort((a, b) => a.nodeId - b.nodeId)
  }

  /** Node ids that count for placement: joined and not leaving, live or not, until forgotten. */
  members (): number[] {
    const out: number[] = []
    for (const s of this.states.values()) if (s.get('status') === 'alive') out.push(s.nodeId)
    return out.sort((a, b) => a - b)
  }
}
