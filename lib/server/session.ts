// What connection-level commands (PING, HELLO, AUTH, CLIENT, CONFIG, INFO...) see: the session
// that sent them and the node's services. Network connections and the embedding API both
// implement Session, so these commands behave the same over a socket and in-process.
import type { Reply } from '../core/reply'
import type { Watch } from '../commands/transaction'
import type { CommandInfo } from '../commands/types'
import type { ClusterService } from '../cluster/service'
import type { Config } from '../config'
import type { Engine } from '../engine/engine'
import type { ReplicaStatus } from '../migration/status'
import type { PubSub } from './pubsub'
import type { ServerStats } from './stats'

export interface Session {
  readonly id: number
  /** 'ip:port' of the peer, '' when embedded. */
  readonly addr: string
  readonly laddr: string
  readonly createdMs: number
  name: string | null
  proto: 2 | 3
  /** Read it freely; change it with setAuthenticated (a connection's parser limits follow it). */
  authenticated: boolean
  /** AUTH, HELLO AUTH, RESET. */
  setAuthenticated(authenticated: boolean): void
  /** The socket's file descriptor for CLIENT LIST `fd=`; absent or -1 when embedded or unknown. */
  readonly fd?: number
  /** Name of the last command this session ran (CLIENT LIST `cmd=`). */
  lastCommand: string
  /** When the session last sent something (a connection: its last read), for CLIENT LIST's idle. */
  lastActiveMs: number
  /** Sessions in MONITOR mode receive every command the node runs. */
  monitoring: boolean
  /** Inside MULTI: the queued commands, and whether one was rejected (EXEC then aborts). */
  multi: { queued: Buffer[][]; failed: boolean } | null
  /** WATCHed keys by name (latin1). */
  watches: Map<string, Watch> | null
  /** Close after the pending replies are written (QUIT, CLIENT KILL of oneself). */
  closeAfterReply(): void
  /** Close now, dropping pending replies (CLIENT KILL). No-op for embedded sessions. */
  kill(): void
  /** Write a reply out of band (MONITOR lines, pub/sub messages), after the replies still pending. No-op for embedded sessions. */
  push(reply: Reply): void
  /** Bytes waiting in the output buffer / input buffer, for CLIENT LIST. */
  readonly outputBytes: number
  readonly inputBytes: number
}

/** Settings changeable at run time with CONFIG SET; the rest of Config is fixed at start. */
export interface LiveSettings {
  requirepass: string
  scriptTimeLimitMs: number
  logLevel: Config['logLevel']
  protoMaxBulkLen: number
  maxclients: number
}

export interface NodeServices {
  readonly config: Config
  readonly live: LiveSettings
  readonly stats: ServerStats
  readonly engine: Engine
  readonly startedMs: number
  /** Port the RESP listener is bound to (0 when embedded). */
  readonly port: number
  readonly commands: ReadonlyMap<string, CommandInfo>
  sessions(): Iterable<Session>
  /** Sessions in MONITOR mode: kept apart so that with none, a command pays nothing for MONITOR. */
  readonly monitors: Set<Session>
  /** Clients waiting in a blocking command (INFO blocked_clients). */
  blockedClients(): number
  /** Membership and placement: standalone (no seeds) or gossiping. */
  readonly cluster: ClusterService
  /** Pub/sub subscriptions of the node's sessions. */
  readonly pubsub: PubSub<Session>
  /** The MAREKVS_REPLICAOF link's state (INFO replication, ROLE), or null when not replicating. */
  readonly replication: ReplicaStatus | null
  /** Run a data or node command and get its reply as a value (INFO keyspace, DBSIZE...). */
  call(argv: Buffer[]): Promise<Reply>
  /** SHUTDOWN: stop accepting, finish in-flight commands, close, exit. */
  shutdown(): void
}

export type ConnHandler = (services: NodeServices, session: Session, argv: Buffer[]) => Reply | Promise<Reply>

export interface ConnCommand extends CommandInfo {
  readonly runConn: ConnHandler
  /** Container commands (CLIENT, CONFIG, COMMAND): entries named `client|setname`... */
  readonly subcommands?: readonly ConnCommand[]
}
