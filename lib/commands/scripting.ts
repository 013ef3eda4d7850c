// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO (Redis 7.0 semantics) on the native Lua host
// (native/src/lua/). Each thread that runs scripts (every shard worker, and the main thread for
// scripts that run with the shards paused) has its own VM and compiled-script cache.
//
// Where a script runs (docs/scripting.md): with its declared keys on one shard, there; with
// keys on several shards, or none declared (numkeys 0: its keys are unknown), on the main
// thread with every shard paused. On a shard, a redis.call on a key of another shard stops the
// script with an error instead of reading the wrong shard.
//
// The script cache is node-wide through RocksDB: EVAL and SCRIPT LOAD store the body under
// `script/<sha>` (sys column), and a thread whose VM lacks a sha compiles it from there.
// SCRIPT FLUSH deletes them and bumps an epoch that each batch carries, so every VM forgets
// its compiled scripts too. Nothing survives a restart, as in Redis.
//
// A script's writes go through the batch's ExecContext, so it reads them back; a script the
// host stops (past its time budget, its memory, or in a stack overflow) is rolled back to
// where it started: nothing it wrote is applied. FCALL (functions.ts) runs functions on the
// same VM, with the same rules.
import { error, ErrorReply, Errors, OK, Reply, status } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { runOne } from '../engine/run-one'
import { log } from '../log'
import { LUA_CHECK, LUA_LOG, LuaHost, ScriptCallback } from '../native'
import { scriptKey } from '../storage/layout'
import type { Store } from '../storage/store'
import { parseInt64 } from './args'
import { scriptKeys, scriptScan } from './script-keyspace'
import { arityOk, DataCommand, DataHandler, keysAfterCount, keysOf } from './types'

export const NOSCRIPT: ErrorReply = error('NOSCRIPT No matching script. Please use EVAL.')

/**
 * Memory of one VM, compiled scripts included. Redis has no limit; one is needed here because
 * every shard thread has a VM and a runaway script must not take the node down.
 */
export const SCRIPT_MEMORY_LIMIT_BYTES = 64 * 1024 * 1024

const UNKNOWN = error('ERR Unknown Redis command called from script')
const WRONG_ARGS = error('ERR Wrong number of args calling Redis command from script')
const NOT_ALLOWED = error('ERR This Redis command is not allowed from script')
const READ_ONLY = error('ERR Write commands are not allowed from read-only scripts.')
const OTHER_SHARD = error(
  'ERR Script attempted to access a key on another shard than the keys it declared: declare every key the script uses in KEYS, or pass numkeys 0',
)

/** Redis 7.0's commands flagged `noscript` (the blocking ones among them): refused as Redis refuses them. */
const NOSCRIPT_COMMANDS = new Set(
  ('auth bgrewriteaof bgsave blmove blpop brpop brpoplpush bzpopmax bzpopmin debug discard eval eval_ro evalsha evalsha_ro exec ' +
    'failover fcall fcall_ro hello monitor multi psubscribe psync punsubscribe quit replconf replicaof reset role save shutdown ' +
    'slaveof ssubscribe subscribe sunsubscribe sync unsubscribe unwatch wait watch client config script function').split(' '),
)

/** Redis commands scripts may call there that run outside the data table here: not yet callable from scripts. */
const NOT_YET_COMMANDS = new Set(
  ('acl asking cluster command flushall flushdb info lastsave latency lolwut memory migrate module object ' +
    'pubsub randomkey readonly readwrite slowlog spublish swapdb sort sort_ro geoadd geodist geohash geopos georadius ' +
    'georadius_ro georadiusbymember georadiusbymember_ro geosearch geosearchstore').split(' '),
)

// One VM per thread: this module is loaded once per shard worker and once on the main thread.
let host: LuaHost | null = null
let hostEpoch = 0

/** This thread's VM, its compiled scripts forgotten when SCRIPT FLUSH moved the epoch. */
export function hostFor(ctx: ExecContext): LuaHost {
  if (host === null) {
    host = new LuaHost(SCRIPT_MEMORY_LIMIT_BYTES)
    hostEpoch = ctx.scriptEpoch
  } else if (hostEpoch !== ctx.scriptEpoch) {
    host.flush()
    hostEpoch = ctx.scriptEpoch
  }
  return host
}

/** The main thread's host: SCRIPT LOAD compiles there and FUNCTION LOAD checks libraries there, to answer their errors. */
export function mainHost(): LuaHost {
  host ??= new LuaHost(SCRIPT_MEMORY_LIMIT_BYTES)
  return host
}

/** numkeys of EVAL-like commands (FCALL's too), or the error Redis answers; `invalid` for one that is not a number. */
export function numKeys(argv: Buffer[], invalid: ErrorReply = Errors.notInteger): number | ErrorReply {
  const n = parseInt64(argv[2])
  if (n === null) return invalid
  if (n > BigInt(argv.length - 3)) return error("ERR Number of keys can't be greater than number of args")
  if (n < 0n) return error("ERR Number of keys can't be negative")
  return Number(n)
}

/** Compile the script EVAL names (and store its body node-wide), or find the one EVALSHA names. */
function resolve(ctx: ExecContext, lua: LuaHost, argv: Buffer[], bySha: boolean): string | ErrorReply {
  if (bySha) {
    const sha = argv[1].toString('latin1').toLowerCase()
    if (lua.has(sha)) return sha
    const body = sha.length === 40 ? ctx.store.get('sys', scriptKey(sha)) : undefined
    if (body === undefined) return NOSCRIPT
    const failed = lua.load(sha, body)
    return failed === null ? sha : error(failed)
  }
  const body = argv[1]
  const sha = lua.sha1hex(body)
  if (lua.has(sha)) return sha
  const failed = lua.load(sha, body)
  if (failed !== null) return error(failed)
  storeScript(ctx, sha, body)
  return sha
}

/** Make a script known node-wide (EVAL, SCRIPT LOAD): any shard's EVALSHA finds it. */
export function storeScript(ctx: { readonly store: ExecContext['store'] }, sha: string, body: Buffer): void {
  ctx.store.write([{ column: 'sys', key: scriptKey(sha), value: Buffer.from(body) }], false)
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
// EVAL_RO / EVALSHA_RO: the same, refusing write commands.
function evalGeneric(bySha: boolean, readOnly: boolean): DataHandler {
  return (ctx, argv) => {
    const numkeys = numKeys(argv)
    if (typeof numkeys !== 'number') return numkeys
    const lua = hostFor(ctx)
    const sha = resolve(ctx, lua, argv, bySha)
    if (typeof sha !== 'string') return sha
    const keys = argv.slice(3, 3 + numkeys)
    const args = argv.slice(3 + numkeys)
    return runUndoable(ctx, lua, sha, readOnly || lua.noWrites(sha), argv, keys, (call) => lua.run(sha, keys, args, ctx.scriptTimeLimitMs, call))
  }
}

/**
 * Run a script or a function (`label` names it in the log: its sha or function name) for the
 * command `argv` with its declared `keys`, whose redis.call follows Redis's rules; one the host
 * stopped (time, memory, stack) is rolled back: nothing it wrote is applied.
 */
export function runUndoable(ctx: ExecContext, lua: LuaHost, label: string, readOnly: boolean, argv: Buffer[], keys: Buffer[], run: (call: ScriptCallback) => Reply): Reply {
  const mark = ctx.mark()
  const reply = run(scriptCall(ctx, readOnly, keys.length > 0 ? keys[0] : null))
  ctx.onScriptRun?.(argv[1], lua.lastRunCpuMicros)
  if (lua.aborted) {
    ctx.rollbackTo(mark)
    log.warn('script aborted, its writes undone', { script: label, reply: (reply as ErrorReply).v })
  }
  return reply
}

/** What redis.call, redis.pcall, redis.acl_check_cmd and redis.log do, with Redis's script rules. */
function scriptCall(ctx: ExecContext, readOnly: boolean, home: Buffer | null): ScriptCallback {
  return (argv, flags) => {
    const mode = flags & 7
    if (mode === LUA_LOG) {
      scriptLog(Number(argv[0].toString('latin1')), argv[1].toString())
      return null
    }
    const name = argv[0].toString('latin1').toLowerCase()
    const command = dataCommandsRef.get(name)
    if (command === undefined || command.flags.includes('internal')) return outsideDataTable(ctx, name, argv, mode)
    if (mode === LUA_CHECK) return 1
    if (!arityOk(command.arity, argv.length)) return WRONG_ARGS
    if (NOSCRIPT_COMMANDS.has(name) || command.flags.includes('noscript')) return NOT_ALLOWED
    if ((name === 'xread' || name === 'xreadgroup') && command.blocking?.timeoutMs(argv) !== null) {
      return error(`ERR ${name} command is not allowed with BLOCK option from scripts`)
    }
    if (readOnly && command.flags.includes('write')) return READ_ONLY
    for (const key of keysOf(command, argv)) if (!ctx.owns(key, home)) return OTHER_SHARD
    const proto = ctx.proto
    // Replies whose shape depends on the protocol follow the script's (redis.setresp).
    ctx.proto = flags & 8 ? 3 : 2
    try {
      return runOne(ctx, command, argv)
    } finally {
      ctx.proto = proto
    }
  }
}

/** Commands that are not data commands: the few a script can use, and Redis's wording for the rest. */
function outsideDataTable(ctx: ExecContext, name: string, argv: Buffer[], mode: number): Reply {
  const local = LOCAL_COMMANDS.get(name)
  const known = local !== undefined || NOSCRIPT_COMMANDS.has(name) || NOT_YET_COMMANDS.has(name)
  if (mode === LUA_CHECK) return known ? 1 : error('ERR Invalid command passed to redis.acl_check_cmd()')
  if (!known) return UNKNOWN
  if (NOSCRIPT_COMMANDS.has(name)) return NOT_ALLOWED
  if (local === undefined) return error(`ERR '${name}' cannot be called from scripts on marekvs yet`)
  if (!arityOk(local.arity, argv.length)) return WRONG_ARGS
  return local.run(ctx, argv)
}

/** A node-wide command called by a script that runs on one shard (it built the name at run time). */
const onShard = (name: string): ErrorReply => error(
  `ERR '${name}' was called by a script running on one shard, where it cannot reach the whole node: name the command in the script's text (redis.call('${name}', ...)) or pass numkeys 0`,
)
const PUBLISH_ON_SHARD = onShard('publish')
const KEYS_ON_SHARD = onShard('keys')
const SCAN_ON_SHARD = onShard('scan')

/** Connection and node commands a script may call, answered here. */
const LOCAL_COMMANDS = new Map<string, { arity: number; run: DataHandler }>([
  // Scripts whose text names these run with every shard paused (callsNode), so the count is the node's.
  ['dbsize', { arity: 1, run: (ctx) => ctx.liveKeys() }],
  ['publish', { arity: 3, run: (ctx, argv) => (ctx.scriptNode === null ? PUBLISH_ON_SHARD : ctx.scriptNode.publish(argv[1], argv[2])) }],
  ['keys', { arity: 2, run: (ctx, argv) => (ctx.scriptNode === null ? KEYS_ON_SHARD : scriptKeys(ctx, argv)) }],
  ['scan', { arity: -2, run: (ctx, argv) => (ctx.scriptNode === null ? SCAN_ON_SHARD : scriptScan(ctx, argv)) }],
  ['ping', { arity: -1, run: (_ctx, argv) => (argv.length === 1 ? status('PONG') : argv.length === 2 ? argv[1] : Errors.wrongArity('ping')) }],
  ['echo', { arity: 2, run: (_ctx, argv) => argv[1] }],
  // The batch's time: one script sees one instant, as Redis scripts see time frozen.
  ['time', { arity: 1, run: (ctx) => [String(Math.floor(ctx.nowMs / 1000)), String((ctx.nowMs % 1000) * 1000)] }],
  ['select', { arity: 2, run: (_ctx, argv) => (argv[1].toString('latin1') === '0' ? OK : error('ERR DB index is out of range')) }],
])

/** redis.log: LOG_DEBUG and LOG_VERBOSE are our debug, LOG_NOTICE info, LOG_WARNING warn. */
export function scriptLog(level: number, message: string): void {
  if (level >= 3) log.warn(message, { source: 'script' })
  else if (level === 2) log.info(message, { source: 'script' })
  else log.debug(message, { source: 'script' })
}

/**
 * Whether a script's text calls a node-wide command by name (`'publish'`, `"DBSIZE"`...): such
 * a script runs with every shard paused, where it reaches the node's subscribers and counts.
 * A name built at run time is not seen; the call then answers an error naming the fix.
 */
const NODE_CALL = /(['"])(publish|dbsize|keys|scan)\1/i

export function callsNode(body: Buffer): boolean {
  return NODE_CALL.test(body.toString('latin1'))
}

/** The main thread's store: EVALSHA's routing reads the script's text (set by the engine at open). */
let routingStore: Store | null = null
/** sha -> callsNode(body); a sha names one body forever, so entries never go stale. */
const routedShas = new Map<string, boolean>()
const ROUTED_SHAS_MAX = 10_000

export function setRoutingStore(store: Store): void {
  routingStore = store
}

function shaCallsNode(sha: string): boolean {
  let calls = routedShas.get(sha)
  if (calls === undefined) {
    const body = sha.length === 40 ? routingStore?.get('sys', scriptKey(sha)) : undefined
    // An unknown sha answers NOSCRIPT wherever it runs: not remembered, it may be loaded later.
    if (body === undefined) return false
    calls = callsNode(body)
    if (routedShas.size >= ROUTED_SHAS_MAX) routedShas.clear()
    routedShas.set(sha, calls)
  }
  return calls
}

/** Set by data-table.ts once every command is known (scripts call through the whole table). */
let dataCommandsRef: ReadonlyMap<string, DataCommand> = new Map()

/**
 * An EVAL-like command (EVAL, FCALL...): numkeys at argv[2], then the keys; with numkeys 0 its
 * keys are unknown, so it runs with every shard paused.
 */
export function scriptingCommand(name: string, extra: string[], summary: string, since: string, run: DataHandler, callsNodeOf: (argv: Buffer[]) => boolean = () => false): DataCommand {
  return {
    name, arity: -3, flags: [...extra, 'noscript', 'stale', 'skip-monitor', 'no-mandatory-keys', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
    group: 'scripting', summary, since, run,
    movableKeys: keysAfterCount(2),
    anyKeys: (argv) => argv.length > 2 && (argv[2].toString('latin1') === '0' || callsNodeOf(argv)),
  }
}

const byBody = (argv: Buffer[]): boolean => callsNode(argv[1])
const bySha = (argv: Buffer[]): boolean => shaCallsNode(argv[1].toString('latin1').toLowerCase())

export function scriptingCommands(table: ReadonlyMap<string, DataCommand>): DataCommand[] {
  dataCommandsRef = table
  return [
    scriptingCommand('eval', [], 'Execute a Lua script server side', '2.6.0', evalGeneric(false, false), byBody),
    scriptingCommand('evalsha', [], 'Execute a Lua script server side', '2.6.0', evalGeneric(true, false), bySha),
    scriptingCommand('eval_ro', ['readonly'], 'Execute a read-only Lua script server side', '7.0.0', evalGeneric(false, true), byBody),
    scriptingCommand('evalsha_ro', ['readonly'], 'Execute a read-only Lua script server side', '7.0.0', evalGeneric(true, true), bySha),
  ]
}
