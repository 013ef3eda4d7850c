// What the replication link reports: its state as INFO replication and ROLE show it for a
// Redis replica, plus marekvs's own migration counters. Pure: the link updates the fields,
// INFO and ROLE format them with the current time.
import type { HostPort } from '../config'
import type { InfoLine } from '../server/commands/info'

/** Redis's replica states as ROLE names them; 'none' once a migration stopped for good. */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected' | 'none'

export interface ReplicaStatus {
  readonly upstream: HostPort
  state: LinkState
  /** The upstream's replication ID, '?' before the first sync. */
  masterReplId: string
  /** Replication offset of everything applied (a transaction counts once it is complete). */
  offset: number
  /** Loading the RDB of a full resync (INFO persistence loading:1). */
  loading: boolean
  /** Last byte received from the upstream, or 0. */
  lastIoMs: number
  /** Since when the link is down, or null while it is up. */
  linkDownSinceMs: number | null
  /** Size of the RDB being received (-1 for a diskless transfer, whose size is not announced) and bytes received. */
  syncTotalBytes: number
  syncReadBytes: number
  keysLoaded: number
  /** Keys and commands of databases other than 0, which marekvs does not have: skipped and counted. */
  skippedKeys: number
  skippedCommands: number
  /** Commands of the stream that marekvs answered with an error. */
  applyErrors: number
  fullSyncs: number
  partialSyncs: number
  /** Why the link is down (last error), or ''. */
  lastError: string
}

export function newReplicaStatus(upstream: HostPort, nowMs: number): ReplicaStatus {
  return {
    upstream, state: 'connect', masterReplId: '?', offset: -1, loading: false, lastIoMs: 0, linkDownSinceMs: nowMs,
    syncTotalBytes: 0, syncReadBytes: 0, keysLoaded: 0, skippedKeys: 0, skippedCommands: 0, applyErrors: 0,
    fullSyncs: 0, partialSyncs: 0, lastError: '',
  }
}

/** INFO replication for a replica, in Redis 7.0's order, then the marekvs_repl_* counters. */
export function replicaInfoLines(s: ReplicaStatus, nowMs: number): InfoLine[] {
  const up = s.state === 'connected'
  const syncing = s.state === 'sync'
  const lines: InfoLine[] = [
    ['role', 'slave'],
    ['master_host', s.upstream.host],
    ['master_port', s.upstream.port],
    ['master_link_status', up ? 'up' : 'down'],
    ['master_last_io_seconds_ago', s.lastIoMs === 0 ? -1 : Math.floor((nowMs - s.lastIoMs) / 1000)],
    ['master_sync_in_progress', syncing ? 1 : 0],
    ['slave_read_repl_offset', s.offset],
    ['slave_repl_offset', s.offset],
  ]
  if (syncing) {
    lines.push(
      ['master_sync_total_bytes', s.syncTotalBytes],
      ['master_sync_read_bytes', s.syncReadBytes],
      ['master_sync_left_bytes', s.syncTotalBytes < 0 ? -1 : s.syncTotalBytes - s.syncReadBytes],
      ['master_sync_perc', s.syncTotalBytes > 0 ? ((s.syncReadBytes / s.syncTotalBytes) * 100).toFixed(2) : '0.00'],
      ['master_sync_last_io_seconds_ago', s.lastIoMs === 0 ? -1 : Math.floor((nowMs - s.lastIoMs) / 1000)],
    )
  }
  if (!up) lines.push(['master_link_down_since_seconds', s.linkDownSinceMs === null ? -1 : Math.floor((nowMs - s.linkDownSinceMs) / 1000)])
  lines.push(
    ['slave_priority', 100],
    // marekvs does not refuse client writes while it replicates (docs/migration.md).
    ['slave_read_only', 0],
    ['replica_announced', 1],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', s.masterReplId === '?' ? '0'.repeat(40) : s.masterReplId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', Math.max(0, s.offset)],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 0],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
    ['marekvs_repl_state', s.state],
    ['marekvs_repl_keys_loaded', s.keysLoaded],
    ['marekvs_repl_skipped_keys', s.skippedKeys],
    ['marekvs_repl_skipped_commands', s.skippedCommands],
    ['marekvs_repl_apply_errors', s.applyErrors],
    ['marekvs_repl_full_syncs', s.fullSyncs],
    ['marekvs_repl_partial_syncs', s.partialSyncs],
    ['marekvs_repl_last_error', s.lastError],
  )
  return lines
}

/** ROLE for a replica: ['slave', host, port, state, offset]. */
export function replicaRole(s: ReplicaStatus): Array<string | number> {
  return ['slave', s.upstream.host, s.upstream.port, s.state, s.offset]
}
