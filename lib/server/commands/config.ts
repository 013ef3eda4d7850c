// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over one table of parameters. Three kinds:
//   live       CONFIG SET changes the running node (requirepass, loglevel, script time limit...)
//   ignored    a Redis setting with no meaning here (RDB, AOF, eviction...): SET validates the
//              value as Redis would, answers OK and logs a warning; GET keeps the true value
//   immutable  fixed at start by the environment (port, dir...): SET fails as Redis's
//              immutable settings do
// docs/compatibility.md lists them.
import { error, Errors, map, OK, Reply } from '../../core/reply'
import { levelFromRedis, log, REDIS_LOGLEVEL_ERROR, redisLogLevelOf } from '../../log'
import { formatHostPort } from '../../config'
import type { ConnCommand, ConnHandler, NodeServices } from '../session'
import { ADMIN_FLAGS, container, globMatch, helpReply, parseInteger, sub } from './util'

/** Values a parameter's parser may produce. */
type Parsed = string | number

interface Param {
  readonly name: string
  readonly kind: 'live' | 'ignored' | 'immutable'
  readonly get: (services: NodeServices) => string
  /** The value, or the text after Redis's `... - ` when it is bad. */
  readonly parse?: (text: string) => { ok: true; value: Parsed } | { ok: false; why: string }
  readonly apply?: (services: NodeServices, value: Parsed) => void
}

const ok = (value: Parsed) => ({ ok: true as const, value })
const bad = (why: string) => ({ ok: false as const, why })

/** Redis's numeric config: an integer within [min, max]. */
function intIn(min: number, max: number) {
  return (text: string) => {
    const n = parseInteger(text)
    if (n === null) return bad("argument couldn't be parsed into an integer")
    if (n < BigInt(min) || n > BigInt(max)) return bad(`argument must be between ${min} and ${max} inclusive`)
    return ok(Number(n))
  }
}

/** Redis's memtoull: digits with an optional b, k, kb, m, mb, g, gb unit (any case). */
export function parseMemory(text: string): number | null {
  const m = /^([0-9]+)(b|k|kb|m|mb|g|gb)?$/i.exec(text)
  if (m === null) return null
  const unit = (m[2] ?? 'b').toLowerCase()
  const scale: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 }
  const n = Number(m[1]) * scale[unit]
  return Number.isSafeInteger(n) ? n : null
}

function memoryIn(min: number, max: number) {
  return (text: string) => {
    const n = parseMemory(text)
    if (n === null) return bad('argument must be a memory value')
    if (n < min || n > max) return bad(`argument must be between ${min} and ${max} inclusive`)
    return ok(n)
  }
}

function oneOf(words: string[]) {
  return (text: string) => {
    const word = text.toLowerCase()
    return words.includes(word) ? ok(word) : bad(`argument(s) must be one of the following: ${words.join(', ')}`)
  }
}

const yesNo = (text: string) => {
  const word = text.toLowerCase()
  return word === 'yes' || word === 'no' ? ok(word) : bad("argument must be 'yes' or 'no'")
}

const anyString = (text: string) => ok(text)

/** Redis's save: "" or pairs of `seconds changes`. */
const saveParams = (text: string) => {
  const words = text.split(' ').filter((w) => w !== '')
  if (words.length % 2 !== 0 || words.some((w) => parseInteger(w) === null || BigInt(w) < 0n)) return bad('Invalid save parameters')
  return ok(text)
}

const INT_MAX = 2147483647
/** setTimeout fires at once beyond 2^31-1 ms: the script budget stays below it (lib/config.ts). */
const SCRIPT_TIME_LIMIT_MS_MAX = INT_MAX
/** Redis's minimum; the maximum is our parser's limit (DESIGN.md §8: bulk length 512 MB). */
const PROTO_MAX_BULK_LEN_MIN = 1024 * 1024
const PROTO_MAX_BULK_LEN_MAX = 512 * 1024 * 1024

const scriptTimeLimit = (name: string): Param => ({
  name,
  kind: 'live',
  get: (s) => String(s.live.scriptTimeLimitMs),
  parse: intIn(1, SCRIPT_TIME_LIMIT_MS_MAX),
  apply: (s, v) => {
    s.live.scriptTimeLimitMs = v as number
    // Every later batch carries it to the shards.
    s.engine.scriptTimeLimitMs = v as number
  },
})

const fixed = (name: string, get: (s: NodeServices) => string): Param => ({ name, kind: 'immutable', get })

const ignored = (name: string, get: (s: NodeServices) => string, parse: NonNullable<Param['parse']>): Param => ({ name, kind: 'ignored', get, parse })

export const PARAMS: readonly Param[] = [
  // Live.
  { name: 'requirepass', kind: 'live', get: (s) => s.live.requirepass, parse: anyString, apply: (s, v) => { s.live.requirepass = v as string } },
  scriptTimeLimit('lua-time-limit'),
  scriptTimeLimit('busy-reply-threshold'),
  {
    name: 'loglevel',
    kind: 'live',
    get: (s) => redisLogLevelOf(s.live.logLevel),
    parse: (text) => {
      const level = levelFromRedis(text)
      return level === null ? bad('') : ok(level)
    },
    apply: (s, v) => {
      s.live.logLevel = v as NodeServices['live']['logLevel']
      log.setLevel(s.live.logLevel)
    },
  },
  { name: 'proto-max-bulk-len', kind: 'live', get: (s) => String(s.live.protoMaxBulkLen), parse: memoryIn(PROTO_MAX_BULK_LEN_MIN, PROTO_MAX_BULK_LEN_MAX), apply: (s, v) => { s.live.protoMaxBulkLen = v as number } },
  { name: 'maxclients', kind: 'live', get: (s) => String(s.live.maxclients), parse: intIn(1, 4294967295), apply: (s, v) => { s.live.maxclients = v as number } },
  // Redis settings with no meaning here: accepted and ignored.
  ignored('save', () => '', saveParams),
  ignored('appendonly', () => 'no', yesNo),
  ignored('appendfsync', (s) => s.config.fsync, oneOf(['everysec', 'always', 'no'])),
  ignored('maxmemory', () => '0', memoryIn(0, Number.MAX_SAFE_INTEGER)),
  ignored('maxmemory-policy', () => 'noeviction', oneOf(['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'])),
  ignored('maxmemory-samples', () => '5', intIn(1, 64)),
  ignored('timeout', () => '0', intIn(0, INT_MAX)),
  ignored('tcp-keepalive', () => '300', intIn(0, INT_MAX)),
  ignored('client-query-buffer-limit', () => '1073741824', memoryIn(1024 * 1024, Number.MAX_SAFE_INTEGER)),
  ignored('hz', () => '10', intIn(0, INT_MAX)),
  ignored('slowlog-log-slower-than', () => '10000', intIn(-1, Number.MAX_SAFE_INTEGER)),
  ignored('slowlog-max-len', () => '128', intIn(0, Number.MAX_SAFE_INTEGER)),
  ignored('latency-monitor-threshold', () => '0', intIn(0, Number.MAX_SAFE_INTEGER)),
  ignored('notify-keyspace-events', () => '', anyString),
  ignored('stop-writes-on-bgsave-error', () => 'no', yesNo),
  ignored('rdbcompression', () => 'no', yesNo),
  ignored('lazyfree-lazy-user-del', () => 'no', yesNo),
  ignored('lazyfree-lazy-user-flush', () => 'no', yesNo),
  // Fixed by the environment at start.
  fixed('port', (s) => String(s.port !== 0 ? s.port : s.config.respAddr.port)),
  fixed('bind', (s) => s.config.respAddr.host),
  fixed('dir', (s) => s.config.dataDir),
  fixed('dbfilename', () => ''),
  fixed('databases', () => '1'),
  fixed('daemonize', () => 'no'),
  fixed('pidfile', () => ''),
  fixed('logfile', () => ''),
  fixed('unixsocket', () => ''),
  fixed('cluster-enabled', () => 'no'),
  fixed('protected-mode', () => 'no'),
  fixed('io-threads', () => '1'),
  fixed('replicaof', (s) => (s.config.replicaof === null ? '' : formatHostPort(s.config.replicaof).replace(/:(\d+)$/, ' $1'))),
  fixed('slaveof', (s) => (s.config.replicaof === null ? '' : formatHostPort(s.config.replicaof).replace(/:(\d+)$/, ' $1'))),
]

const BY_NAME = new Map(PARAMS.map((p) => [p.name, p]))

/** The parameters CONFIG GET's patterns select, each once, as [name, param] in table order. */
export function selectParams(patterns: string[], params: readonly Param[] = PARAMS): Array<[string, Param]> {
  const out: Array<[string, Param]> = []
  const seen = new Set<string>()
  for (const pattern of patterns) {
    if (!/[*?[]/.test(pattern)) {
      // An exact name: Redis 7.0 looks it up case-insensitively and echoes it as given.
      const param = params.find((p) => p.name === pattern.toLowerCase())
      if (param !== undefined && !seen.has(param.name)) {
        seen.add(param.name)
        out.push([pattern, param])
      }
      continue
    }
    for (const param of params) {
      if (seen.has(param.name) || !globMatch(pattern, param.name, true)) continue
      seen.add(param.name)
      out.push([param.name, param])
    }
  }
  return out
}

export interface ConfigChange { param: Param; value: Parsed }

function setFailed(name: string, why: string): Reply {
  return error(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`)
}

/** CONFIG SET's pairs, all validated before any applies (Redis 7 sets them atomically). */
export function parseConfigSet(args: Buffer[]): { changes: ConfigChange[] } | Reply {
  if (args.length % 2 !== 0) return Errors.syntax
  const changes: ConfigChange[] = []
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].toString()
    const param = BY_NAME.get(name.toLowerCase())
    if (param === undefined) return error(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`)
    if (changes.some((c) => c.param === param)) return setFailed(name, 'duplicate parameter')
    if (param.kind === 'immutable' || param.parse === undefined) return setFailed(name, "can't set immutable config")
    const parsed = param.parse(args[i + 1].toString())
    if (!parsed.ok) return param.name === 'loglevel' ? error(REDIS_LOGLEVEL_ERROR) : setFailed(name, parsed.why)
    changes.push({ param, value: parsed.value })
  }
  return { changes }
}

// CONFIG GET parameter [parameter ...]
const get: ConnHandler = (services, _session, argv) => {
  const pairs: Reply[] = []
  for (const [name, param] of selectParams(argv.slice(2).map((a) => a.toString()))) pairs.push(name, param.get(services))
  return map(pairs)
}

// CONFIG SET parameter value [parameter value ...]
const set: ConnHandler = (services, _session, argv) => {
  const parsed = parseConfigSet(argv.slice(2))
  if (!('changes' in (parsed as object))) return parsed as Reply
  for (const { param, value } of (parsed as { changes: ConfigChange[] }).changes) {
    if (param.kind === 'live') {
      param.apply!(services, value)
      log.info('CONFIG SET', { parameter: param.name, value: param.name === 'requirepass' ? '(redacted)' : value })
    } else {
      log.warn(`CONFIG SET ${param.name} is accepted for compatibility and ignored: it has no meaning in marekvs (docs/compatibility.md)`, { value })
    }
  }
  return OK
}

// CONFIG RESETSTAT
const resetstat: ConnHandler = (services) => {
  services.stats.reset()
  services.engine.keyspace.reset()
  return OK
}

// CONFIG REWRITE
const rewrite: ConnHandler = () => error('ERR The server is running without a config file')

const HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
]

// CONFIG HELP
const help: ConnHandler = () => helpReply('CONFIG', HELP)


export const configCommand: ConnCommand = container('config', 'server', 'A container for server configuration commands', '2.0.0', [
  sub('config', 'get', -3, ADMIN_FLAGS, 'Get the values of configuration parameters', '2.0.0', get),
  sub('config', 'set', -4, ADMIN_FLAGS, 'Set configuration parameters to the given values', '2.0.0', set),
  sub('config', 'resetstat', 2, ADMIN_FLAGS, 'Reset the stats returned by INFO', '2.0.0', resetstat),
  sub('config', 'rewrite', 2, ADMIN_FLAGS, 'Overwrite the configuration file', '2.8.0', rewrite),
  sub('config', 'help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', '5.0.0', help),
])
