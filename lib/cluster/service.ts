// The cluster as the rest of the node sees it, and the thin IO layer under it.
//
// - StandaloneCluster: no seeds. No socket; the node is a cluster of one and home of every
//   partition whatever MAREKVS_REPLICAS_N (DESIGN.md §7), exactly as a node was before gossip.
// - GossipCluster: a UDP socket on MAREKVS_GOSSIP_ADDR driving the pure Gossiper: a round every
//   gossipIntervalMs (the wall clock and Math.random are read here, and only here), seeds
//   re-resolved through DNS every second so that one headless-Service name suffices, datagrams
//   decoded defensively (garbage is counted, never thrown), events logged.
//
// INFO cluster, GET /cluster and the gossip metrics read the ClusterService interface.

import dgram from 'node:dgram'
import dns from 'node:dns'
import { formatHostPort, type Config, type HostPort } from '../config'
import { log } from '../log'
import { PARTITIONS } from '../native'
import { DEFAULT_PARAMS, type ClusterEvent, Gossiper, type GossipParams, joinHostPort, type NodeView, type Outgoing } from './gossiper'
import { homeCounts, placementTable } from './placement'
import { decode, encode, type Message, WireError } from './wire'

export interface GossipStats {
  rounds: number
  sent: Record<Message['type'], number>
  received: Record<Message['type'], number>
  bytesSent: number
  bytesReceived: number
  badDatagrams: number
  sendErrors: number
  seedResolveFailures: number
}

export interface ClusterService {
  readonly nodeId: number
  readonly replicasN: number
  /** False for a standalone node (no seeds, no gossip socket). */
  readonly gossiping: boolean
  /** Our own status: 'standalone' when not gossiping. */
  status (): string
  view (): NodeView[]
  /** Node ids that count for placement. */
  members (): number[]
  /** Partitions this node is a home of. */
  partitionsHome (): number
  conflicts (): number
  readonly stats: GossipStats
  /** The full view for GET /cluster. */
  toJSON (): object
  close (): Promise<void>
}

function newStats (): GossipStats {
  return { rounds: 0, sent: { syn: 0, synack: 0, ack: 0 }, received: { syn: 0, synack: 0, ack: 0 }, bytesSent: 0, bytesReceived: 0, badDatagrams: 0, sendErrors: 0, seedResolveFailures: 0 }
}

/** Placement summaries, recomputed only when the members change (4096 × members hashes). */
class PlacementCache {
  private key = ''
  private counts = new Map<number, number>()
  countsFor (members: readonly number[], n: number): Map<number, number> {
    const key = `${n}/${members.join(',')}`
    if (key !== this.key) {
      this.counts = homeCounts(placementTable(members, n))
      this.key = key
    }
    return this.counts
  }
}

export class StandaloneCluster implements ClusterService {
  readonly gossiping = false
  readonly stats = newStats()
  private readonly startedMs = Date.now()
  constructor (readonly nodeId: number, readonly replicasN: number) {}
  status (): string { return 'standalone' }
  view (): NodeView[] {
    return [{
      nodeId: this.nodeId, generation: this.startedMs, heartbeat: 0, status: 'alive', gossipAddr: '', kv: {}, self: true,
      live: true, phi: 0, lastHeartbeatAgeMs: 0, deadForMs: null, member: true,
    }]
  }

  members (): number[] { return [this.nodeId] }
  partitionsHome (): number { return PARTITIONS }
  conflicts (): number { return 0 }
  toJSON (): object {
    return clusterJson(this, null, this.view(), new Map([[this.nodeId, PARTITIONS]]))
  }

  async close (): Promise<void> {}
}

function clusterJson (c: ClusterService, seeds: string[] | null, view: NodeView[], counts: Map<number, number>): object {
  return {
    node_id: c.nodeId,
    status: c.status(),
    gossip: c.gossiping,
    seeds,
    replicas_n: c.replicasN,
    members_alive: view.filter((v) => v.member && v.live).length,
    members_dead: view.filter((v) => v.member && !v.live).length,
    node_id_conflicts: c.conflicts(),
    nodes: view.map((v) => ({
      node_id: v.nodeId,
      self: v.self,
      status: v.status,
      live: v.live,
      member: v.member,
      addr: v.kv.addr ?? null,
      gossip_addr: v.gossipAddr || null,
      ports: { resp: num(v.kv.resp), mesh: num(v.kv.mesh), gossip: num(v.kv.gossip), metrics: num(v.kv.metrics) },
      generation: v.generation,
      heartbeat: v.heartbeat,
      last_heartbeat_age_ms: Math.round(v.lastHeartbeatAgeMs),
      phi: Math.round(v.phi * 100) / 100,
      dead_for_ms: v.deadForMs === null ? null : Math.round(v.deadForMs),
      partitions_home: counts.get(v.nodeId) ?? 0,
    })),
    partitions: { total: PARTITIONS, home: counts.get(c.nodeId) ?? 0 },
  }
}

function num (s: string | undefined): number | null {
  return s === undefined ? null : Number(s)
}

/** 'host:port' → {host, port}, IPv6 in brackets. */
function splitHostPort (addr: string): HostPort {
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']')
    return { host: addr.slice(1, close), port: Number(addr.slice(close + 2)) }
  }
  const colon = addr.lastIndexOf(':')
  return { host: addr.slice(0, colon), port: Number(addr.slice(colon + 1)) }
}

/** Seeds are resolved at most this often: every round would be 5 DNS queries a second per node. */
const SEED_RESOLVE_MS = 1000
/** Wall-clock ms; the detector wants a clock that does not jump, so rounds use performance.now(). */
const monotonicMs = (): number => performance.now()

export interface Ports { resp: number; mesh: number; metrics: number }

export class GossipCluster implements ClusterService {
  readonly gossiping = true
  readonly stats = newStats()
  readonly nodeId: number
  readonly replicasN: number
  readonly gossiper: Gossiper
  private readonly placement = new PlacementCache()
  private seeds: string[] = []
  /** The last addresses each seed name resolved to: a failed lookup keeps them. */
  private readonly lastGood = new Map<string, string[]>()
  private resolving = false
  private lastResolveMs = -Infinity
  private timer: NodeJS.Timeout | null = null
  port = 0

  private constructor (private readonly config: Config, private readonly socket: dgram.Socket, port: number, ports: Ports, params: GossipParams) {
    this.nodeId = config.nodeId
    this.replicasN = config.replicasN
    this.port = port
    this.gossiper = new Gossiper({ nodeId: config.nodeId, generation: Date.now(), addr: config.advertiseIp, gossipPort: port, ports }, params, monotonicMs())
    // Seed literals are usable before the first lookup returns.
    this.seeds = config.seeds.filter((s) => isIpLiteral(s.host)).map(formatHostPort)
  }

  /** Bind the socket and start gossiping. Rejects when the address cannot be bound. */
  static async start (config: Config, ports: Ports, params: GossipParams = DEFAULT_PARAMS): Promise<GossipCluster> {
    const { host, port } = config.gossipAddr
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(new Error(`gossip listener on ${formatHostPort(config.gossipAddr)}: ${err.message}`)))
      socket.bind(port, host, () => resolve())
    })
    socket.removeAllListeners('error')
    const cluster = new GossipCluster(config, socket, socket.address().port, ports, params)
    socket.on('error', (err) => log.warn('gossip socket error', { error: err.message }))
    socket.on('message', (data, rinfo) => cluster.onDatagram(data, joinHostPort(rinfo.address, rinfo.port)))
    // A random phase: nodes started together (a StatefulSet, a test) must not gossip in lockstep,
    // or news waits for the next common tick and heartbeats seem to arrive every 1.5 rounds.
    cluster.timer = setTimeout(() => {
      if (cluster.timer === null) return
      cluster.round()
      cluster.timer = setInterval(() => cluster.round(), params.gossipIntervalMs)
      cluster.timer.unref()
    }, Math.random() * params.gossipIntervalMs)
    cluster.timer.unref()
    cluster.resolveSeeds()
    log.info('gossip started', { gossip: `${formatHostPort({ host, port: cluster.port })}`, advertise: joinHostPort(config.advertiseIp, cluster.port), seeds: config.seeds.map(formatHostPort).join(','), node_id: config.nodeId, replicas_n: config.replicasN })
    return cluster
  }

  status (): string { return this.gossiper.status }
  view (): NodeView[] { return this.gossiper.view(monotonicMs()) }
  members (): number[] { return this.gossiper.members() }
  conflicts (): number { return this.gossiper.conflicts }
  partitionsHome (): number {
    return this.placement.countsFor(this.members(), this.replicasN).get(this.nodeId) ?? 0
  }

  toJSON (): object {
    return clusterJson(this, this.seeds, this.view(), this.placement.countsFor(this.members(), this.replicasN))
  }

  private round (): void {
    const now = monotonicMs()
    if (now - this.lastResolveMs >= SEED_RESOLVE_MS) this.resolveSeeds()
    this.stats.rounds++
    const step = this.gossiper.tick(now, Math.random, this.seeds)
    this.report(step.events)
    this.send(step.out)
  }

  private onDatagram (data: Buffer, from: string): void {
    this.stats.bytesReceived += data.length
    let message: Message
    try {
      message = decode(data)
    } catch (err) {
      this.stats.badDatagrams++
      if (!(err instanceof WireError)) throw err
      if (log.threshold >= 4) log.debug('bad gossip datagram', { from, error: err.message })
      return
    }
    this.stats.received[message.type]++
    const step = this.gossiper.receive(from, message, monotonicMs(), Math.random)
    this.report(step.events)
    this.send(step.out)
  }

  private send (out: readonly Outgoing[]): void {
    let data: Buffer | null = null
    let last: Message | null = null
    for (const { to, message } of out) {
      if (message !== last) {
        data = encode(message)
        last = message
      }
      const { host, port } = splitHostPort(to)
      this.stats.sent[message.type]++
      this.stats.bytesSent += data!.length
      this.socket.send(data!, port, host, (err) => {
        if (err !== null && err !== undefined) this.stats.sendErrors++
      })
    }
  }

  private report (events: readonly ClusterEvent[]): void {
    for (const e of events) {
      if (e.kind === 'conflict') {
        log.error(`DUPLICATE NODE ID ${e.nodeId}: another live process uses this node id; node ids must be unique (MAREKVS_NODE_ID or the hostname ordinal)`, { detail: e.detail })
      } else {
        const fields = { node_id: e.nodeId, generation: e.generation }
        if (e.kind === 'dead') log.warn('cluster node is dead', fields)
        else if (e.kind === 'removed') log.warn('cluster node removed after the dead-node grace period', fields)
        else log.info(`cluster node ${e.kind}`, fields)
      }
    }
  }

  /** Re-resolve every seed name; keep the last good addresses of a name that fails. */
  private resolveSeeds (): void {
    if (this.resolving) return
    this.resolving = true
    this.lastResolveMs = monotonicMs()
    const family = this.config.gossipAddr.host.includes(':') ? 6 : 4
    void Promise.all(this.config.seeds.map(async (seed) => {
      if (isIpLiteral(seed.host)) return [formatHostPort(seed)]
      try {
        const addrs = await dns.promises.lookup(seed.host, { all: true, family })
        const resolved = addrs.map((a) => joinHostPort(a.address, seed.port))
        this.lastGood.set(formatHostPort(seed), resolved)
        return resolved
      } catch (err) {
        this.stats.seedResolveFailures++
        if (log.threshold >= 4) log.debug('seed lookup failed', { seed: formatHostPort(seed), error: (err as Error).message })
        return this.lastGood.get(formatHostPort(seed)) ?? []
      }
    })).then((lists) => {
      this.seeds = [...new Set(lists.flat())]
      this.resolving = false
    })
  }

  async close (): Promise<void> {
    const timer = this.timer
    this.timer = null
    if (timer !== null) {
      clearTimeout(timer)
      clearInterval(timer)
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }
}

function isIpLiteral (host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':')
}
