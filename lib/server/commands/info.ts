// INFO [section ...]: Redis 7.0's sections, field names and layout (`# Section` headers, CRLF
// lines, a blank line between sections). Fields that describe Redis machinery marekvs does not
// have (RDB, AOF, replication backlog...) carry Redis's idle values; marekvs's own facts are
// added as `marekvs_*` lines (docs/compatibility.md).
//
// Decide, then execute: gathering reads the node (`gatherInfo`), `formatInfo` is pure.
import crypto from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { Reply, verbatim } from '../../core/reply'
import type { NodeCommand } from '../../engine/engine'
import { replicaInfoLines } from '../../migration/status'
import type { ConnCommand, ConnHandler, NodeServices, Session } from '../session'
import { conn, MAREKVS_VERSION, REDIS_VERSION } from './util'

export type InfoLine = readonly [string, string | number]
export type InfoSection = readonly InfoLine[]

/** Every section, in Redis's order; the names are what INFO's arguments match (lower case). */
export const SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'] as const
export type SectionName = typeof SECTIONS[number]

const TITLES: Record<SectionName, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', modules: 'Modules', commandstats: 'Commandstats',
  errorstats: 'Errorstats', latencystats: 'Latencystats', cluster: 'Cluster', keyspace: 'Keyspace',
}

const DEFAULT_SECTIONS: readonly SectionName[] = SECTIONS.filter((s) => s !== 'commandstats' && s !== 'latencystats')

/** Which sections INFO's arguments ask for, in Redis's order: none or `default` the default set,
 * `all` and `everything` every section; names are case-insensitive, unknown ones are skipped. */
export function selectSections(args: readonly string[]): SectionName[] {
  const wanted = new Set<SectionName>()
  const words = args.length === 0 ? ['default'] : args.map((a) => a.toLowerCase())
  for (const word of words) {
    if (word === 'default') DEFAULT_SECTIONS.forEach((s) => wanted.add(s))
    else if (word === 'all' || word === 'everything') SECTIONS.forEach((s) => wanted.add(s))
    else if ((SECTIONS as readonly string[]).includes(word)) wanted.add(word as SectionName)
  }
  return SECTIONS.filter((s) => wanted.has(s))
}

/** The INFO text: `# Title` then `key:value` lines, CRLF-terminated, sections separated by CRLF. */
export function formatInfo(sections: ReadonlyArray<readonly [SectionName, InfoSection]>): string {
  let out = ''
  for (const [name, lines] of sections) {
    if (out !== '') out += '\r\n'
    out += `# ${TITLES[name]}\r\n`
    for (const [key, value] of lines) out += `${key}:${value}\r\n`
  }
  return out
}

/** Redis's bytesToHuman: B, K, M, G... with two decimals. */
export function bytesToHuman(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P']
  if (n < 1024) return `${n}B`
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(2)}${units[i]}`
}

/** `cmdstat_get:calls=..,usec=..,usec_per_call=..,rejected_calls=0,failed_calls=..`, by name. */
export function commandstatLines(commands: ReadonlyMap<string, { calls: number; usec: number; failed: number }>): InfoLine[] {
  const lines: InfoLine[] = []
  for (const name of [...commands.keys()].sort()) {
    const s = commands.get(name)!
    if (name === 'unknown' || s.calls === 0) continue // Redis counts no stats for unknown commands
    const usec = Math.round(s.usec)
    lines.push([`cmdstat_${name}`, `calls=${s.calls},usec=${usec},usec_per_call=${(s.usec / s.calls).toFixed(2)},rejected_calls=0,failed_calls=${s.failed}`])
  }
  return lines
}

/** Per-node state INFO keeps between calls: ids and the instantaneous-rate sampler. */
interface InfoState {
  runId: string
  replId: string
  peakMemory: number
  /** Samples every SAMPLE_MS of [commands, input bytes, output bytes], as Redis's 16-slot ring. */
  samples: Array<[number, number, number, number]>
}

const SAMPLE_MS = 100
const SAMPLES_KEPT = 16
const states = new WeakMap<NodeServices, InfoState>()

function stateOf(services: NodeServices): InfoState {
  let state = states.get(services)
  if (state === undefined) {
    const s: InfoState = { runId: crypto.randomBytes(20).toString('hex'), replId: crypto.randomBytes(20).toString('hex'), peakMemory: 0, samples: [] }
    state = s
    states.set(services, s)
    const sample = () => {
      const st = services.stats
      s.samples.push([performance.now(), st.totalCommands, st.netInputBytes, st.netOutputBytes])
      if (s.samples.length > SAMPLES_KEPT) s.samples.shift()
    }
    sample()
    // Sampling starts with the first INFO; unref'd, it never keeps the process alive.
    setInterval(sample, SAMPLE_MS).unref()
  }
  return state
}

/** Per second over the sampled window, for column `col` of the samples. */
function rate(state: InfoState, col: 1 | 2 | 3): number {
  const first = state.samples[0]
  const last = state.samples[state.samples.length - 1]
  const seconds = (last[0] - first[0]) / 1000
  return seconds > 0 ? (last[col] - first[col]) / seconds : 0
}

function rocksdbNumber(services: NodeServices, name: string): number {
  return services.engine.store.intProperty(`rocksdb.${name}`) ?? 0
}

const DBSIZE = [Buffer.from('DBSIZE')]

/** DBSIZE straight to the engine: as in Redis, INFO's own key count is no command of its own
 * (no commandstats entry, no MONITOR line). */
function countKeys(services: NodeServices): Promise<Reply> {
  const dbsize = services.commands.get('dbsize') as NodeCommand | undefined
  if (dbsize === undefined || !('runNode' in dbsize)) return services.call(DBSIZE)
  return new Promise((resolve) => services.engine.submit({ command: dbsize, argv: DBSIZE, proto: 0, done: (reply) => resolve(reply as Reply) }))
}

/** Read everything the requested sections show. */
export async function gatherInfo(services: NodeServices, sections: SectionName[]): Promise<Array<[SectionName, InfoSection]>> {
  const state = stateOf(services)
  const stats = services.stats
  const now = Date.now()
  const uptimeSeconds = Math.floor((now - services.startedMs) / 1000)
  const sessions: Session[] = [...services.sessions()]
  const out: Array<[SectionName, InfoSection]> = []
  for (const name of sections) {
    switch (name) {
      case 'server':
        out.push([name, [
          ['redis_version', REDIS_VERSION],
          ['redis_git_sha1', '00000000'],
          ['redis_git_dirty', 0],
          ['redis_build_id', '0'],
          ['redis_mode', 'standalone'],
          ['os', `${os.type()} ${os.release()} ${os.machine()}`],
          ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
          ['monotonic_clock', 'POSIX clock_gettime'],
          ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'darwin' ? 'kqueue' : 'libuv'],
          ['process_id', process.pid],
          ['process_supervised', 'no'],
          ['run_id', state.runId],
          ['tcp_port', services.port],
          ['server_time_usec', now * 1000],
          ['uptime_in_seconds', uptimeSeconds],
          ['uptime_in_days', Math.floor(uptimeSeconds / 86400)],
          ['hz', 10],
          ['configured_hz', 10],
          ['executable', path.resolve(process.argv[1] ?? process.execPath)],
          ['config_file', ''],
          ['io_threads_active', 0],
          ['marekvs_version', MAREKVS_VERSION],
          ['marekvs_node_id', services.config.nodeId],
          ['marekvs_shards', services.config.shards],
          ['node_version', process.versions.node],
        ]])
        break
      case 'clients': {
        let maxIn = 0
        let maxOut = 0
        for (const s of sessions) {
          maxIn = Math.max(maxIn, s.inputBytes)
          maxOut = Math.max(maxOut, s.outputBytes)
        }
        out.push([name, [
          ['connected_clients', sessions.length],
          ['cluster_connections', 0],
          ['maxclients', services.live.maxclients],
          ['client_recent_max_input_buffer', maxIn],
          ['client_recent_max_output_buffer', maxOut],
          ['blocked_clients', services.blockedClients()],
          ['tracking_clients', 0],
          ['clients_in_timeout_table', 0],
        ]])
        break
      }
      case 'memory': {
        const mem = process.memoryUsage()
        const used = mem.heapUsed + mem.external
        state.peakMemory = Math.max(state.peakMemory, used)
        const total = os.totalmem()
        out.push([name, [
          ['used_memory', used],
          ['used_memory_human', bytesToHuman(used)],
          ['used_memory_rss', mem.rss],
          ['used_memory_rss_human', bytesToHuman(mem.rss)],
          ['used_memory_peak', state.peakMemory],
          ['used_memory_peak_human', bytesToHuman(state.peakMemory)],
          ['used_memory_peak_perc', `${((used / state.peakMemory) * 100).toFixed(2)}%`],
          ['total_system_memory', total],
          ['total_system_memory_human', bytesToHuman(total)],
          ['maxmemory', 0],
          ['maxmemory_human', '0B'],
          ['maxmemory_policy', 'noeviction'],
          ['mem_fragmentation_ratio', (mem.rss / Math.max(1, used)).toFixed(2)],
          ['mem_allocator', 'libc'],
          ['lazyfree_pending_objects', 0],
          ['marekvs_heap_used', mem.heapUsed],
          ['marekvs_heap_total', mem.heapTotal],
          ['marekvs_external', mem.external],
          ['marekvs_rocksdb_memtables', rocksdbNumber(services, 'cur-size-all-mem-tables')],
          ['marekvs_rocksdb_block_cache', rocksdbNumber(services, 'block-cache-usage')],
          ['marekvs_rocksdb_sst_bytes', rocksdbNumber(services, 'live-sst-files-size')],
        ]])
        break
      }
      case 'persistence':
        out.push([name, [
          ['loading', services.replication?.loading === true ? 1 : 0],
          ['async_loading', 0],
          ['rdb_changes_since_last_save', 0],
          ['rdb_bgsave_in_progress', 0],
          ['rdb_last_save_time', Math.floor(services.startedMs / 1000)],
          ['rdb_last_bgsave_status', 'ok'],
          ['rdb_last_bgsave_time_sec', -1],
          ['rdb_current_bgsave_time_sec', -1],
          ['rdb_saves', 0],
          ['aof_enabled', 0],
          ['aof_rewrite_in_progress', 0],
          ['aof_rewrite_scheduled', 0],
          ['aof_last_rewrite_time_sec', -1],
          ['aof_current_rewrite_time_sec', -1],
          ['aof_last_bgrewrite_status', 'ok'],
          ['aof_rewrites', 0],
          ['aof_last_write_status', stats.storageErrors > 0 ? 'err' : 'ok'],
          ['marekvs_storage', 'rocksdb'],
          ['marekvs_fsync', services.config.fsync],
          ['marekvs_storage_errors', stats.storageErrors],
          ['marekvs_write_batches', services.engine.writes.batches],
          ['marekvs_write_commands', services.engine.writes.commands],
          ['marekvs_wal_syncs', services.engine.writes.syncs],
        ]])
        break
      case 'stats': {
        const keyspace = services.engine.keyspace.totals()
        out.push([name, [
          ['total_connections_received', stats.totalConnections],
          ['total_commands_processed', stats.totalCommands],
          ['instantaneous_ops_per_sec', Math.round(rate(state, 1))],
          ['total_net_input_bytes', stats.netInputBytes],
          ['total_net_output_bytes', stats.netOutputBytes],
          ['total_net_repl_input_bytes', 0],
          ['total_net_repl_output_bytes', 0],
          ['instantaneous_input_kbps', (rate(state, 2) / 1024).toFixed(2)],
          ['instantaneous_output_kbps', (rate(state, 3) / 1024).toFixed(2)],
          ['rejected_connections', stats.rejectedConnections],
          ['sync_full', 0],
          ['sync_partial_ok', 0],
          ['sync_partial_err', 0],
          ['expired_keys', keyspace.expired],
          ['evicted_keys', 0],
          ['evicted_clients', 0],
          ['keyspace_hits', keyspace.hits],
          ['keyspace_misses', keyspace.misses],
          ['pubsub_channels', services.pubsub.channelCount],
          ['pubsub_patterns', services.pubsub.patternCount],
          ['pubsubshard_channels', 0],
          ['latest_fork_usec', 0],
          ['total_forks', 0],
          ['unexpected_error_replies', 0],
          ['total_error_replies', stats.failedCommands()],
          ['marekvs_slow_scripts', services.engine.slowScripts],
        ]])
        break
      }
      case 'replication':
        if (services.replication !== null) {
          out.push([name, replicaInfoLines(services.replication, now)])
          break
        }
        out.push([name, [
          ['role', 'master'],
          ['connected_slaves', 0],
          ['master_failover_state', 'no-failover'],
          ['master_replid', state.replId],
          ['master_replid2', '0'.repeat(40)],
          ['master_repl_offset', 0],
          ['second_repl_offset', -1],
          ['repl_backlog_active', 0],
          ['repl_backlog_size', 0],
          ['repl_backlog_first_byte_offset', 0],
          ['repl_backlog_histlen', 0],
        ]])
        break
      case 'cpu': {
        const cpu = process.cpuUsage()
        out.push([name, [
          ['used_cpu_sys', (cpu.system / 1e6).toFixed(6)],
          ['used_cpu_user', (cpu.user / 1e6).toFixed(6)],
          ['used_cpu_sys_children', '0.000000'],
          ['used_cpu_user_children', '0.000000'],
        ]])
        break
      }
      case 'commandstats':
        out.push([name, commandstatLines(stats.commands)])
        break
      case 'modules':
      case 'errorstats':
      case 'latencystats':
        out.push([name, []])
        break
      case 'cluster': {
        // cluster_enabled stays 0 and first: marekvs does not speak the Redis Cluster protocol,
        // and a cluster-aware client that saw 1 would switch to it. marekvs's membership follows.
        const cluster = services.cluster
        const view = cluster.view()
        const members = view.filter((v) => v.member)
        out.push([name, [
          ['cluster_enabled', 0],
          ['cluster_node_id', cluster.nodeId],
          ['cluster_status', cluster.status()],
          ['cluster_members_alive', members.filter((v) => v.live).length],
          ['cluster_members_dead', members.filter((v) => !v.live).length],
          ['cluster_known_nodes', view.length],
          ['cluster_partitions_home', cluster.partitionsHome()],
          ['cluster_replicas_n', cluster.replicasN],
          ['cluster_node_id_conflicts', cluster.conflicts()],
        ]])
        break
      }
      case 'keyspace': {
        const keys = Number(await countKeys(services))
        out.push([name, Number.isFinite(keys) && keys > 0 ? [['db0', `keys=${keys},expires=0,avg_ttl=0`]] : []])
        break
      }
    }
  }
  return out
}

// INFO [section [section ...]]
const info: ConnHandler = async (services, _session, argv): Promise<Reply> => {
  const sections = selectSections(argv.slice(1).map((a) => a.toString()))
  return verbatim(formatInfo(await gatherInfo(services, sections)))
}

export const infoCommand: ConnCommand = conn('info', -1, ['loading', 'stale'], 'server', 'Get information and statistics about the server', '1.0.0', info)
