// One marekvs node: the engine, the command table, live settings and sessions. The network
// listeners (RESP, metrics) are optional layers over it; the embedding API uses it bare.
import net from 'node:net'
import { GossipCluster, StandaloneCluster, type ClusterService } from './cluster/service'
import { DEFAULT_PARAMS } from './cluster/gossiper'
import { buildCommandTable, AnyCommand } from './commands/table'
import type { Config } from './config'
import type { Reply } from './core/reply'
import { Engine } from './engine/engine'
import { log } from './log'
import { ReplicaLink } from './migration/replica-link'
import type { ReplicaStatus } from './migration/status'
import { Connection } from './server/connection'
import { Dispatcher } from './server/dispatch'
import { createMetrics, MetricsServer, startMetricsServer } from './server/metrics'
import { PubSub } from './server/pubsub'
import { deliver } from './server/commands/pubsub'
import type { LiveSettings, NodeServices, Session } from './server/session'
import { ServerStats } from './server/stats'

/** Redis's defaults for the limits CONFIG exposes. */
const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024
const MAXCLIENTS = 10000

/** A session without a socket: the embedding API, and the node's own internal calls. */
export class InternalSession implements Session {
  readonly addr = ''
  readonly laddr = ''
  readonly createdMs = Date.now()
  name: string | null = null
  proto: 2 | 3 = 2
  lastCommand = 'NULL'
  lastActiveMs = this.createdMs
  monitoring = false
  multi: Session['multi'] = null
  watches: Session['watches'] = null
  readonly outputBytes = 0
  readonly inputBytes = 0
  readonly fd = -1
  constructor(readonly id: number, public authenticated: boolean) {}
  setAuthenticated(authenticated: boolean): void {
    this.authenticated = authenticated
  }
  closeAfterReply(): void {}
  kill(): void {}
  push(): void {}
}

export class MarekNode implements NodeServices {
  readonly startedMs = Date.now()
  readonly live: LiveSettings
  readonly commands: ReadonlyMap<string, AnyCommand>
  readonly dispatcher: Dispatcher
  private readonly connections = new Map<number, Connection>()
  readonly monitors = new Set<Session>()
  readonly pubsub = new PubSub<Session>()
  private readonly internal: InternalSession
  private nextClientId = 1
  private listener: net.Server | null = null
  private metrics: MetricsServer | null = null
  private stopping: Promise<void> | null = null
  /** The link to the upstream Redis of MAREKVS_REPLICAOF, once started. */
  private replicaLink: ReplicaLink | null = null
  /** A cluster of one until listen() starts gossip (only when MAREKVS_SEEDS is set). */
  cluster: ClusterService
  port = 0
  /** Called once SHUTDOWN or a signal has stopped the node (the CLI exits there). */
  onStopped: () => void = () => {}

  private constructor(readonly config: Config, readonly engine: Engine, readonly stats: ServerStats) {
    this.live = {
      requirepass: config.requirepass,
      scriptTimeLimitMs: config.scriptTimeLimitMs,
      logLevel: config.logLevel,
      protoMaxBulkLen: PROTO_MAX_BULK_LEN,
      maxclients: MAXCLIENTS,
    }
    engine.scriptTimeLimitMs = config.scriptTimeLimitMs
    engine.scriptNode = { publish: (channel, message) => deliver(this, channel, message, null).receivers }
    this.commands = buildCommandTable()
    this.dispatcher = new Dispatcher(this, this.commands)
    this.internal = new InternalSession(this.newClientId(), true)
    this.cluster = new StandaloneCluster(config.nodeId, config.replicasN)
  }

  static async open(config: Config): Promise<MarekNode> {
    log.setLevel(config.logLevel)
    const stats = new ServerStats()
    const engine = await Engine.open(config, () => stats.storageErrors++)
    return new MarekNode(config, engine, stats)
  }

  newClientId(): number {
    return this.nextClientId++
  }

  *sessions(): Iterable<Session> {
    yield* this.connections.values()
  }

  blockedClients(): number {
    return this.dispatcher.blocking.blockedCount
  }

  connection(id: number): Connection | undefined {
    return this.connections.get(id)
  }

  call(argv: Buffer[], session: Session = this.internal): Promise<Reply> {
    return new Promise((resolve) => this.dispatcher.run(session, argv, true, (reply) => resolve(reply as Reply)))
  }

  get replication(): ReplicaStatus | null {
    return this.replicaLink?.status ?? null
  }

  /** MAREKVS_REPLICAOF: replicate from the upstream Redis in the background (docs/migration.md). */
  startReplication(): void {
    const upstream = this.config.replicaof
    if (upstream === null || this.replicaLink !== null || this.stopping !== null) return
    const session = new InternalSession(this.newClientId(), true)
    session.name = 'replicaof'
    this.replicaLink = new ReplicaLink(upstream, { call: (argv) => this.call(argv, session), listeningPort: this.port, dataDir: this.config.dataDir })
    log.info('replicating from the upstream Redis', { upstream: `${upstream.host}:${upstream.port}` })
  }

  /** Start the RESP listener and, when configured, the metrics listener; then replication, when configured. */
  async listen(): Promise<void> {
    const { host, port } = this.config.respAddr
    // Paused: a connection makes its socket over before it reads (server/client-socket.ts).
    const listener = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket))
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject)
      listener.listen({ host, port, backlog: 511 }, () => resolve())
    })
    listener.on('error', (err) => log.error('RESP listener error', { error: err.message }))
    this.listener = listener
    this.port = (listener.address() as net.AddressInfo).port
    if (this.config.metricsAddr !== null) {
      const registry = createMetrics(this.stats, {
        keys: async () => Number(await this.call([Buffer.from('DBSIZE')])),
        rocksdb: () => this.rocksdbProperties(),
        ready: () => this.stopping === null,
        cluster: () => this.cluster,
      })
      this.metrics = await startMetricsServer(this.config.metricsAddr, registry, { ready: () => this.stopping === null, cluster: () => this.cluster.toJSON() })
    }
    // No seeds: a cluster of one, no gossip socket (standalone, as before gossip existed).
    if (this.config.seeds.length > 0) {
      try {
        this.cluster = await GossipCluster.start(this.config, { resp: this.port, mesh: this.config.meshAddr.port, metrics: this.metricsPort }, { ...DEFAULT_PARAMS, deadGraceMs: this.config.deadNodeGraceMs })
      } catch (err) {
        await this.stop()
        throw err
      }
    }
    if (!isLoopback(host) && this.live.requirepass === '') {
      log.warn(`listening on ${host}:${this.port} without requirepass: anyone who can reach this port can read and write every key; set MAREKVS_REQUIREPASS`)
    }
    log.info('ready to accept connections', { resp: `${host}:${this.port}`, metrics: this.metrics ? `${this.config.metricsAddr!.host}:${this.metrics.port}` : 'off', shards: this.engine.shards, fsync: this.config.fsync })
    this.startReplication()
  }

  get metricsPort(): number {
    return this.metrics?.port ?? 0
  }

  /** Stop accepting, let every connection finish what it sent, close the engine. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop()
    return this.stopping
  }

  shutdown(): void {
    void this.stop().then(() => this.onStopped())
  }

  private async doStop(): Promise<void> {
    log.info('shutting down')
    const closed = this.listener ? new Promise((resolve) => this.listener!.close(resolve)) : Promise.resolve()
    for (const connection of this.connections.values()) connection.closeAfterReply()
    await this.replicaLink?.close()
    await this.engine.close()
    const deadline = Date.now() + 2000
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    for (const connection of this.connections.values()) connection.kill()
    await closed
    await this.cluster.close()
    await this.metrics?.close()
    log.info('stopped')
  }

  private accept(socket: net.Socket): void {
    if (this.stopping !== null) {
      socket.destroy()
      return
    }
    if (this.connections.size >= this.live.maxclients) {
      this.stats.rejectedConnections++
      socket.end('-ERR max number of clients reached\r\n')
      return
    }
    const connection = new Connection(this.newClientId(), socket, this.dispatcher, {
      onClose: (closed) => {
        this.connections.delete(closed.id)
        this.monitors.delete(closed)
        this.dispatcher.forget(closed)
        this.pubsub.remove(closed)
        this.stats.connectedClients = this.connections.size
      },
      statsBytes: (input, output) => {
        this.stats.netInputBytes += input
        this.stats.netOutputBytes += output
      },
    }, this.live.requirepass, this.live.protoMaxBulkLen)
    this.connections.set(connection.id, connection)
    this.stats.totalConnections++
    this.stats.connectedClients = this.connections.size
  }

  private rocksdbProperties(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const name of ['estimate-num-keys', 'live-sst-files-size', 'cur-size-all-mem-tables', 'block-cache-usage', 'estimate-pending-compaction-bytes', 'num-running-compactions']) {
      const value = this.engine.store.intProperty(`rocksdb.${name}`)
      if (value !== undefined) out[name] = value
    }
    return out
  }
}


function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
