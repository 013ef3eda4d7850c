// Node configuration: the environment variables of the spec's table (same
// names, same defaults), parsed and validated in one pure function.
//
// Decide, then execute: `parseConfig` takes the environment and the host facts
// it needs (hostname, CPU count, network interfaces) and returns a Config or
// every error it found. It imports no fs/net/os; the CLI gathers the facts.
// The embedding API maps its options onto the same variables, so there is one
// validation path.

import { DEFAULT_LOG_LEVEL, type LogLevel, parseRustLog } from './log'

export type FsyncPolicy = 'always' | 'everysec' | 'no'

export interface HostPort { host: string; port: number }

export interface Config {
  dataDir: string
  nodeId: number
  respAddr: HostPort
  meshAddr: HostPort
  gossipAddr: HostPort
  /** null: no metrics/health listener (MAREKVS_METRICS_ADDR='' or 'off'). */
  metricsAddr: HostPort | null
  advertiseIp: string
  seeds: HostPort[]
  replicasN: number
  /** A node dead this long leaves the cluster view and the placement members. */
  deadNodeGraceMs: number
  requirepass: string
  shards: number
  scriptTimeLimitMs: number
  replicaof: HostPort | null
  fsync: FsyncPolicy
  /** Which batches the main thread runs itself (lib/engine/inline-policy.ts). */
  inlineBatches: InlineMode
  /** How RocksDB writes the files of its deeper levels. */
  compression: Compression
  logLevel: LogLevel
}

/**
 * on: cheap batches run on the main thread while reads are warm; record-only ones read ahead
 * on other threads and then run there while reads are cold. cold: always as while reads are
 * cold (a disk whose every read waits). off: every data command on its shard thread.
 */
export type InlineMode = 'on' | 'off' | 'cold'

/** zstd: the deeper levels' files compressed (L0 and the level it is compacted into never are); none: nothing. */
export type Compression = 'zstd' | 'none'

export interface HostFacts {
  hostname: string
  /** Available parallelism (os.availableParallelism()). */
  cpus: number
  /** As os.networkInterfaces() returns them; family is 'IPv4' or 4 depending on the Node version. */
  interfaces: Record<string, Array<{ family: string | number; address: string; internal: boolean }>>
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] }

// Limits, each with its reason.
const NODE_ID_MAX = 0xffff // node ids travel as u16 in the record envelope
const REPLICAS_N_MAX = 255 // a partition's replica set is small; this bounds per-write fan-out
const SHARDS_MAX = 64 // one thread each; beyond this, threads outnumber useful cores and RocksDB handles
// A dead node leaves placement after this grace: far above the time to declare it dead (at most
// 7.4 s), so that a restart or a false suspicion never moves partitions; at most a year.
const DEAD_NODE_GRACE_MS_MIN = 60_000
const DEAD_NODE_GRACE_MS_MAX = 365 * 24 * 3600 * 1000
// setTimeout silently fires at once for delays above 2^31-1 ms (~24.8 days).
const SCRIPT_TIME_LIMIT_MS_MAX = 2 ** 31 - 1

interface VarSpec {
  name: string
  option: string
  defaultText: string
  meaning: string
  /** What a valid value looks like; every error message ends with it. */
  expects: string
}

/** The configuration table: docs, --help and the embedding option names all read it. */
export const ENV_VARS: ReadonlyArray<VarSpec> = [
  {
    name: 'MAREKVS_DATA_DIR', option: 'dataDir', defaultText: '.data/n0',
    meaning: 'RocksDB data directory (mount a PVC/volume for durability).',
    expects: 'a directory path'
  },
  {
    name: 'MAREKVS_NODE_ID', option: 'nodeId', defaultText: 'hostname ordinal, else 0',
    meaning: 'Stable u16 node id. Unset in a StatefulSet: parsed from the pod hostname (marekvs-3 → 3).',
    expects: 'an integer from 0 to 65535'
  },
  {
    name: 'MAREKVS_RESP_ADDR', option: 'respAddr', defaultText: '0.0.0.0:6379',
    meaning: 'Redis client (RESP2/RESP3) listener.',
    expects: 'host:port with port 0 to 65535 (IPv6 as [::1]:6379)'
  },
  {
    name: 'MAREKVS_MESH_ADDR', option: 'meshAddr', defaultText: '0.0.0.0:7373',
    meaning: 'Peer replication-mesh listener (TCP).',
    expects: 'host:port with port 0 to 65535 (IPv6 as [::1]:7373)'
  },
  {
    name: 'MAREKVS_GOSSIP_ADDR', option: 'gossipAddr', defaultText: '0.0.0.0:7946',
    meaning: 'Gossip listener (UDP).',
    expects: 'host:port with port 0 to 65535 (IPv6 as [::1]:7946)'
  },
  {
    name: 'MAREKVS_METRICS_ADDR', option: 'metricsAddr', defaultText: '0.0.0.0:9121',
    meaning: "Health-probe + Prometheus-metrics listener. Set to '' or 'off' to run without it.",
    expects: "host:port with port 0 to 65535, or '' or 'off' to disable"
  },
  {
    name: 'MAREKVS_ADVERTISE_IP', option: 'advertiseIp', defaultText: '127.0.0.1',
    meaning: 'IP or hostname peers should dial; auto picks the first non-internal IPv4 address.',
    expects: "an IP address, a hostname or 'auto'"
  },
  {
    name: 'MAREKVS_SEEDS', option: 'seeds', defaultText: '(empty)',
    meaning: 'Comma-separated gossip seeds, host:7946. One DNS name suffices: it is re-resolved every second. Empty + REPLICAS_N=1 = standalone.',
    expects: 'comma-separated host:port with port 1 to 65535'
  },
  {
    name: 'MAREKVS_REPLICAS_N', option: 'replicasN', defaultText: '3',
    meaning: 'Home replicas per partition. 1 for a single node.',
    expects: 'an integer from 1 to 255'
  },
  {
    name: 'MAREKVS_DEAD_NODE_GRACE_MS', option: 'deadNodeGraceMs', defaultText: '86400000 (24 h)',
    meaning: 'A node dead this long is removed from the cluster view and stops being a home of its partitions. Until then a down node stays a home. New in the TypeScript build.',
    expects: `an integer from ${DEAD_NODE_GRACE_MS_MIN} to ${DEAD_NODE_GRACE_MS_MAX}`
  },
  {
    name: 'MAREKVS_REQUIREPASS', option: 'requirepass', defaultText: '(empty: auth off)',
    meaning: 'AUTH password. Live-settable via CONFIG SET requirepass.',
    expects: 'any string'
  },
  {
    name: 'MAREKVS_SHARDS', option: 'shards', defaultText: 'auto (available parallelism, at most 64)',
    meaning: 'Shard-thread count; defaults to the number of CPU cores.',
    expects: `an integer from 1 to ${SHARDS_MAX} or 'auto'`
  },
  {
    name: 'MAREKVS_SCRIPT_TIME_LIMIT_MS', option: 'scriptTimeLimitMs', defaultText: '20',
    meaning: 'EVAL/EVALSHA/FCALL time budget in ms of the CPU time of the thread that runs the script (time the thread waits for a CPU does not count, up to 200 ms past the budget). Live-settable via CONFIG SET lua-time-limit (alias busy-reply-threshold).',
    expects: `an integer from 1 to ${SCRIPT_TIME_LIMIT_MS_MAX}`
  },
  {
    name: 'MAREKVS_REPLICAOF', option: 'replicaof', defaultText: '(unset)',
    meaning: 'host:port of an upstream Redis to replicate from at boot (the REPLICAOF live-migration path).',
    expects: 'host:port with port 1 to 65535'
  },
  {
    name: 'MAREKVS_FSYNC', option: 'fsync', defaultText: 'everysec',
    meaning: 'RocksDB WAL sync policy: always (sync before acknowledging), everysec (sync every second), no (the OS decides).',
    expects: "one of 'always', 'everysec', 'no'"
  },
  {
    name: 'MAREKVS_INLINE_BATCHES', option: 'inlineBatches', defaultText: 'on',
    meaning: 'on: small batches of cheap commands (and of scripts and functions whose runs are fast) run on the main thread when a hand-off to a shard thread would cost more than the work, and while reads come from the disk, batches of string and key commands read their records on other threads first; cold: always the latter, for a disk whose every read waits; off: every data command goes to its shard thread.',
    expects: "'on', 'cold' or 'off'"
  },
  {
    name: 'MAREKVS_COMPRESSION', option: 'compression', defaultText: 'zstd',
    meaning: 'How RocksDB writes the files of its deeper levels (most of the data; L0 and the level L0 is compacted into are never compressed): zstd, or none, which costs more disk (1.6 times, for the benchmark\'s values of random letters; more for text) and less CPU per read that goes to the disk (a tenth of a cold GET\'s, docs/performance.md). Files already written keep their compression until compacted.',
    expects: "'zstd' or 'none'"
  },
  {
    name: 'RUST_LOG', option: 'logLevel', defaultText: 'info',
    meaning: 'Log level: a bare level or directives like marekvs=debug,warn. Live-settable via CONFIG SET loglevel.',
    expects: "a level (error, warn, info, debug, trace, off) or directives like 'marekvs=debug,warn'"
  }
]

const SPEC_BY_NAME = new Map(ENV_VARS.map((v) => [v.name, v]))
const SPEC_BY_OPTION = new Map(ENV_VARS.map((v) => [v.option, v]))

function spec (name: string): VarSpec {
  const s = SPEC_BY_NAME.get(name)
  if (s === undefined) throw new Error(`config: no table entry for ${name}`)
  return s
}

// ---------------------------------------------------------------------------
// Value parsers: each returns the value or null; the caller words the error.

function parseIntInRange (text: string, min: number, max: number): number | null {
  if (!/^[0-9]+$/.test(text)) return null
  const n = Number(text)
  return n >= min && n <= max ? n : null
}

const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

/** A hostname or an IPv4 address (dotted quad checked octet by octet). */
function isHostname (host: string): boolean {
  if (host.length === 0 || host.length > 253) return false
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.')
  if (labels.length === 4 && labels.every((l) => /^[0-9]+$/.test(l))) {
    return labels.every((l) => l.length <= 3 && Number(l) <= 255)
  }
  return labels.every((l) => HOST_LABEL.test(l))
}

/** An IPv6 literal, loosely: hex groups, at most one '::', an optional zone (%eth0). */
function isIPv6 (host: string): boolean {
  const pct = host.indexOf('%')
  const addr = pct >= 0 ? host.slice(0, pct) : host
  if (pct >= 0 && !/^[A-Za-z0-9_.-]+$/.test(host.slice(pct + 1))) return false
  if (!/^[0-9A-Fa-f:.]+$/.test(addr) || !addr.includes(':')) return false
  const doubles = addr.split('::').length - 1
  if (doubles > 1) return false
  const groups = addr.split(':').filter((g) => g !== '')
  if (groups.length > 8 || (doubles === 0 && groups.length < 3)) return false
  return groups.every((g, i) => /^[0-9A-Fa-f]{1,4}$/.test(g) || (i === groups.length - 1 && isHostname(g) && /^[0-9.]+$/.test(g)))
}

/** `host:port` or `[v6]:port`; the IPv6 host is returned without brackets, as node's net wants it. */
function parseHostPort (text: string, portMin: number): HostPort | null {
  let host: string
  let portText: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0 || text[close + 1] !== ':') return null
    host = text.slice(1, close)
    portText = text.slice(close + 2)
    if (!isIPv6(host)) return null
  } else {
    const colon = text.lastIndexOf(':')
    if (colon < 0) return null
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
    if (!isHostname(host)) return null // a bare IPv6 address lands here: it needs brackets
  }
  const port = parseIntInRange(portText, portMin, 65535)
  return port === null ? null : { host, port }
}

function firstExternalIPv4 (interfaces: HostFacts['interfaces']): string | null {
  for (const name of Object.keys(interfaces)) {
    for (const a of interfaces[name] ?? []) {
      if ((a.family === 'IPv4' || a.family === 4) && !a.internal) return a.address
    }
  }
  return null
}

/** The ordinal a StatefulSet puts at the end of a pod's hostname: `marekvs-3` → '3'. */
function hostnameOrdinal (hostname: string): string | null {
  const m = /-([0-9]+)$/.exec(hostname.split('.')[0])
  return m === null ? null : m[1]
}

// ---------------------------------------------------------------------------

/**
 * Parses the node's environment. An empty value counts as unset, except
 * MAREKVS_METRICS_ADDR where '' disables the listener. Numeric, address and
 * keyword values are trimmed; MAREKVS_DATA_DIR and MAREKVS_REQUIREPASS are
 * taken as they are. Variables not in the table are ignored: Kubernetes
 * itself injects MAREKVS_PORT, MAREKVS_SERVICE_HOST... for a Service named
 * marekvs.
 */
export function parseConfig (env: Record<string, string | undefined>, facts: HostFacts): ConfigResult {
  const errors: string[] = []
  const fail = (name: string, got: string, why?: string): void => {
    errors.push(`${name}: expected ${spec(name).expects}, got '${got}'${why !== undefined ? ` (${why})` : ''}`)
  }
  /** The trimmed value, or undefined when unset or empty. */
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  /** One of `words`, in any case. */
  const oneOf = <T extends string>(name: string, words: readonly T[], dflt: T): T => {
    const v = get(name)
    if (v === undefined) return dflt
    const word = v.toLowerCase() as T
    if (words.includes(word)) return word
    fail(name, v)
    return dflt
  }
  const int = (name: string, min: number, max: number, dflt: number): number => {
    const v = get(name)
    if (v === undefined) return dflt
    const n = parseIntInRange(v, min, max)
    if (n === null) fail(name, v)
    return n ?? dflt
  }
  const listenAddr = (name: string, dflt: HostPort): HostPort => {
    const v = get(name)
    if (v === undefined) return dflt
    const hp = parseHostPort(v, 0)
    if (hp === null) fail(name, v)
    return hp ?? dflt
  }

  const rawDataDir = env.MAREKVS_DATA_DIR
  let dataDir = rawDataDir === undefined || rawDataDir === '' ? '.data/n0' : rawDataDir
  if (dataDir.includes('\0')) {
    fail('MAREKVS_DATA_DIR', dataDir.replace(/\0/g, '\\0'), 'contains a NUL byte')
    dataDir = '.data/n0'
  }

  let nodeId = 0
  const nodeIdText = get('MAREKVS_NODE_ID')
  if (nodeIdText !== undefined) {
    nodeId = int('MAREKVS_NODE_ID', 0, NODE_ID_MAX, 0)
  } else {
    const ordinal = hostnameOrdinal(facts.hostname)
    if (ordinal !== null) {
      const n = parseIntInRange(ordinal, 0, NODE_ID_MAX)
      if (n === null) {
        errors.push(`MAREKVS_NODE_ID: unset, and the ordinal ${ordinal} of hostname '${facts.hostname}' is not ${spec('MAREKVS_NODE_ID').expects}; set MAREKVS_NODE_ID`)
      }
      nodeId = n ?? 0
    }
  }

  const respAddr = listenAddr('MAREKVS_RESP_ADDR', { host: '0.0.0.0', port: 6379 })
  const meshAddr = listenAddr('MAREKVS_MESH_ADDR', { host: '0.0.0.0', port: 7373 })
  const gossipAddr = listenAddr('MAREKVS_GOSSIP_ADDR', { host: '0.0.0.0', port: 7946 })

  let metricsAddr: HostPort | null = { host: '0.0.0.0', port: 9121 }
  const metricsText = env.MAREKVS_METRICS_ADDR?.trim()
  if (metricsText !== undefined) {
    if (metricsText === '' || metricsText.toLowerCase() === 'off') {
      metricsAddr = null
    } else {
      const hp = parseHostPort(metricsText, 0)
      if (hp === null) fail('MAREKVS_METRICS_ADDR', metricsText)
      else metricsAddr = hp
    }
  }

  let advertiseIp = '127.0.0.1'
  const advertiseText = get('MAREKVS_ADVERTISE_IP')
  if (advertiseText !== undefined) {
    if (advertiseText.toLowerCase() === 'auto') {
      const ip = firstExternalIPv4(facts.interfaces)
      if (ip === null) errors.push("MAREKVS_ADVERTISE_IP: 'auto' found no non-internal IPv4 address on this host; set the IP or hostname peers should dial")
      else advertiseIp = ip
    } else {
      const unbracketed = advertiseText.startsWith('[') && advertiseText.endsWith(']') ? advertiseText.slice(1, -1) : advertiseText
      if (isHostname(unbracketed) || isIPv6(unbracketed)) advertiseIp = unbracketed
      else fail('MAREKVS_ADVERTISE_IP', advertiseText)
    }
  }

  const seeds: HostPort[] = []
  const seedsText = get('MAREKVS_SEEDS')
  if (seedsText !== undefined) {
    // Empty items are skipped: templated values often end with a comma.
    for (const item of seedsText.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const hp = parseHostPort(item, 1)
      if (hp === null) fail('MAREKVS_SEEDS', item)
      else seeds.push(hp)
    }
  }

  const replicasN = int('MAREKVS_REPLICAS_N', 1, REPLICAS_N_MAX, 3)
  const deadNodeGraceMs = int('MAREKVS_DEAD_NODE_GRACE_MS', DEAD_NODE_GRACE_MS_MIN, DEAD_NODE_GRACE_MS_MAX, 24 * 3600 * 1000)
  const rawPass = env.MAREKVS_REQUIREPASS
  const requirepass = rawPass ?? ''

  // The default follows the machine but stays inside the limit; an explicit
  // value outside it is an error.
  const autoShards = Math.min(SHARDS_MAX, Math.max(1, Math.floor(facts.cpus) || 1))
  let shards = autoShards
  const shardsText = get('MAREKVS_SHARDS')
  if (shardsText !== undefined && shardsText.toLowerCase() !== 'auto') {
    shards = int('MAREKVS_SHARDS', 1, SHARDS_MAX, autoShards)
  }

  const scriptTimeLimitMs = int('MAREKVS_SCRIPT_TIME_LIMIT_MS', 1, SCRIPT_TIME_LIMIT_MS_MAX, 20)

  let replicaof: HostPort | null = null
  const replicaofText = get('MAREKVS_REPLICAOF')
  if (replicaofText !== undefined) {
    replicaof = parseHostPort(replicaofText, 1)
    if (replicaof === null) fail('MAREKVS_REPLICAOF', replicaofText)
  }

  const fsync = oneOf<FsyncPolicy>('MAREKVS_FSYNC', ['always', 'everysec', 'no'], 'everysec')
  const inlineBatches = oneOf<InlineMode>('MAREKVS_INLINE_BATCHES', ['on', 'off', 'cold'], 'on')
  const compression = oneOf<Compression>('MAREKVS_COMPRESSION', ['zstd', 'none'], 'zstd')

  let logLevel: LogLevel = DEFAULT_LOG_LEVEL
  const rustLog = get('RUST_LOG')
  if (rustLog !== undefined) {
    const r = parseRustLog(rustLog)
    if (r.ok) logLevel = r.level
    else errors.push(`RUST_LOG: ${r.error}`)
  }

  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    config: {
      dataDir, nodeId, respAddr, meshAddr, gossipAddr, metricsAddr, advertiseIp, seeds,
      replicasN, deadNodeGraceMs, requirepass, shards, scriptTimeLimitMs, replicaof, fsync, inlineBatches, compression, logLevel
    }
  }
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort (hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`
}

function isHostPortObject (v: unknown): v is HostPort {
  return typeof v === 'object' && v !== null && typeof (v as HostPort).host === 'string' && typeof (v as HostPort).port === 'number'
}

/**
 * Embedding: the same settings as camel-cased options. Values may be strings
 * or numbers; address options also take `{ host, port }`, `seeds` an array,
 * `metricsAddr`/`replicaof` null (off/unset), `inlineBatches` a boolean (on/off). An option set to undefined is
 * unset. Unknown option names are an error. The options become environment
 * values and go through parseConfig; errors name the option and its variable.
 */
export function configFromOptions (options: Record<string, unknown>, facts: HostFacts): ConfigResult {
  const errors: string[] = []
  const env: Record<string, string | undefined> = {}
  const known = [...SPEC_BY_OPTION.keys()].join(', ')
  for (const key of Object.keys(options)) {
    const s = SPEC_BY_OPTION.get(key)
    if (s === undefined) {
      errors.push(`unknown option '${key}': expected one of ${known}`)
      continue
    }
    const text = optionText(s, options[key])
    if (text === null) errors.push(`${key} (${s.name}): expected ${s.expects}, got ${describe(options[key])}`)
    else env[s.name] = text
  }
  const r = parseConfig(env, facts)
  if (!r.ok) {
    for (const e of r.errors) {
      const name = e.slice(0, e.indexOf(':'))
      const s = SPEC_BY_NAME.get(name)
      errors.push(s === undefined ? e : `${s.option} (${name})${e.slice(name.length)}`)
    }
  }
  return errors.length > 0 ? { ok: false, errors } : r
}

/** An option value as the environment would hold it, or null when its type is wrong. */
function optionText (s: VarSpec, v: unknown): string | undefined | null {
  if (v === undefined) return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null
  if (s.option === 'metricsAddr' && (v === null || v === false)) return 'off'
  if (s.option === 'replicaof' && v === null) return undefined
  if (s.option === 'inlineBatches' && typeof v === 'boolean') return v ? 'on' : 'off'
  const isAddr = s.option.endsWith('Addr') || s.option === 'replicaof'
  if (isAddr && isHostPortObject(v)) return formatHostPort(v)
  if (s.option === 'seeds' && Array.isArray(v)) {
    const parts: string[] = []
    for (const item of v) {
      if (typeof item === 'string') parts.push(item)
      else if (isHostPortObject(item)) parts.push(formatHostPort(item))
      else return null
    }
    return parts.join(',')
  }
  return null
}

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`
}
