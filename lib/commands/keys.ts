// Generic key commands (Redis 7.0 semantics) that touch named keys. Keyspace-wide commands
// (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSH*) live in keyspace.ts.
//
// A TTL change keeps the record's type and payload and puts it back with a new expireAtMs;
// replication then carries it as an LWW update of the whole record (DESIGN.md §6).
import { error, ErrorReply, Errors, OK, Reply, status } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { isCollectionType, TYPE_COUNTER, TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_STRING, TYPE_ZSET } from '../storage/layout'
import type { Rec } from '../storage/record'
import { clampExpireAtMs, INT_RANGE_ERROR, lower, parseInt32, parseInt64 } from './args'
import { Collection } from './collection'
import type { DataCommand } from './types'

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

// DEL key [key ...] / UNLINK key [key ...]
function del(ctx: ExecContext, argv: Buffer[]): Reply {
  let deleted = 0
  for (let i = 1; i < argv.length; i++) if (ctx.delete(argv[i])) deleted++
  return deleted
}

// EXISTS key [key ...] / TOUCH key [key ...]  (a key named twice counts twice)
function exists(ctx: ExecContext, argv: Buffer[]): Reply {
  let found = 0
  for (let i = 1; i < argv.length; i++) if (ctx.get(argv[i]) !== null) found++
  return found
}

const TYPE_NAMES: Record<number, string> = {
  [TYPE_STRING]: 'string',
  [TYPE_COUNTER]: 'string',
  [TYPE_HASH]: 'hash',
  [TYPE_SET]: 'set',
  [TYPE_ZSET]: 'zset',
  [TYPE_LIST]: 'list',
  [TYPE_STREAM]: 'stream',
}

/** TYPE's name for a record type: counters are strings to Redis users. */
export function typeName(rec: Rec | null): string {
  if (rec === null) return 'none'
  const name = TYPE_NAMES[rec.type]
  if (name === undefined) throw new Error(`typeName: unknown record type 0x${rec.type.toString(16)}`)
  return name
}

/** Put a copy of `rec` (the live record at `from`) at `to`; a collection's members are copied too, O(n). */
function copyRecord(ctx: ExecContext, from: Buffer, rec: Rec, to: Buffer): void {
  if (isCollectionType(rec.type)) Collection.of(ctx, from, rec).copyTo(to)
  else ctx.put(to, rec)
  // Clients blocked on the new name may now pop from it, as in Redis.
  if (rec.type === TYPE_LIST || rec.type === TYPE_ZSET || rec.type === TYPE_STREAM) ctx.signalReady(to)
}

// TYPE key
function type(ctx: ExecContext, argv: Buffer[]): Reply {
  return status(typeName(ctx.get(argv[1])))
}

// RENAME key newkey / RENAMENX key newkey  (the TTL moves with the value)
// A collection's members are keyed by its name, so they are copied: O(n), not Redis's O(1).
function renameGeneric(nx: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const rec = ctx.get(argv[1])
    if (rec === null) return Errors.noSuchKey
    if (argv[1].equals(argv[2])) return nx ? 0 : OK
    if (nx && ctx.get(argv[2]) !== null) return 0
    ctx.delete(argv[2])
    copyRecord(ctx, argv[1], rec, argv[2])
    ctx.delete(argv[1])
    return nx ? 1 : OK
  }
}

// COPY source destination [DB destination-db] [REPLACE]
// One database per node: DB accepts only 0 (any other index is out of range, docs/compatibility.md).
function copy(ctx: ExecContext, argv: Buffer[]): Reply {
  let replace = false
  for (let i = 3; i < argv.length; i++) {
    const option = lower(argv[i])
    if (option === 'replace') {
      replace = true
    } else if (option === 'db' && i + 1 < argv.length) {
      const db = parseInt32(argv[++i])
      if (db === null) return Errors.notInteger
      if (db === 'range') return error(INT_RANGE_ERROR)
      if (db !== 0) return error('ERR DB index is out of range')
    } else {
      return Errors.syntax
    }
  }
  if (argv[1].equals(argv[2])) return error('ERR source and destination objects are the same')
  const rec = ctx.get(argv[1])
  if (rec === null) return 0
  if (ctx.get(argv[2]) !== null) {
    if (!replace) return 0
    ctx.delete(argv[2])
  }
  copyRecord(ctx, argv[1], rec, argv[2])
  return 1
}

interface ExpireFlags { nx: boolean; xx: boolean; gt: boolean; lt: boolean }

/** EXPIRE's NX|XX|GT|LT, as Redis's parseExtendedExpireArgumentsOrReply. */
function parseExpireFlags(argv: Buffer[]): ExpireFlags | ErrorReply {
  const flags: ExpireFlags = { nx: false, xx: false, gt: false, lt: false }
  for (let i = 3; i < argv.length; i++) {
    const option = lower(argv[i])
    if (option === 'nx' || option === 'xx' || option === 'gt' || option === 'lt') flags[option] = true
    else return error(`ERR Unsupported option ${argv[i].toString()}`)
  }
  if (flags.nx && (flags.xx || flags.gt || flags.lt)) return error('ERR NX and XX, GT or LT options at the same time are not compatible')
  if (flags.gt && flags.lt) return error('ERR GT and LT options at the same time are not compatible')
  return flags
}

// EXPIRE key seconds [NX|XX|GT|LT] / PEXPIRE key milliseconds [...] / EXPIREAT key unix-time-seconds [...] / PEXPIREAT key unix-time-milliseconds [...]
// A time at or before now deletes the key (and answers 1), as Redis.
function expireGeneric(name: string, seconds: boolean, absolute: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const flags = parseExpireFlags(argv)
    if ('t' in flags) return flags
    let when = parseInt64(argv[2])
    if (when === null) return Errors.notInteger
    // Negative times are allowed; only an overflow of int64 ms is an error.
    if (seconds) {
      if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return Errors.invalidExpire(name)
      when *= 1000n
    }
    const base = absolute ? 0n : BigInt(ctx.nowMs)
    if (when > INT64_MAX - base) return Errors.invalidExpire(name)
    when += base
    const rec = ctx.get(argv[1])
    if (rec === null) return 0
    const current = rec.expireAtMs === 0 ? null : BigInt(rec.expireAtMs)
    if (flags.nx && current !== null) return 0
    if (flags.xx && current === null) return 0
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (flags.gt && (current === null || when <= current)) return 0
    if (flags.lt && current !== null && when >= current) return 0
    if (when <= BigInt(ctx.nowMs)) ctx.delete(argv[1])
    else ctx.put(argv[1], { ...rec, expireAtMs: clampExpireAtMs(when) })
    return 1
  }
}

// TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key: -2 for no key, -1 for no expiry.
function ttlGeneric(ms: boolean, absolute: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const rec = ctx.get(argv[1])
    if (rec === null) return -2
    if (rec.expireAtMs === 0) return -1
    const ttl = Math.max(0, absolute ? rec.expireAtMs : rec.expireAtMs - ctx.nowMs)
    // Redis rounds seconds half up: (ttl + 500) / 1000 in integer arithmetic.
    return ms ? ttl : Math.floor((ttl + 500) / 1000)
  }
}

// PERSIST key
function persist(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = ctx.get(argv[1])
  if (rec === null || rec.expireAtMs === 0) return 0
  ctx.put(argv[1], { ...rec, expireAtMs: 0 })
  return 1
}

// OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ|HELP key. Encodings are marekvs's own: strings are
// `raw` or `int` (a counter), collections `rocksdb` (one record per member). Access times are not tracked.
function object(ctx: ExecContext, argv: Buffer[]): Reply {
  const sub = lower(argv[1])
  if (sub === 'help' && argv.length === 2) {
    return [
      'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'ENCODING <key>', '    Return the kind of internal representation used in order to store the value', '    associated with a <key>.',
      'FREQ <key>', '    Return the access frequency index of the <key>. The returned integer is', '    proportional to the logarithm of the recent access frequency of the key.',
      'IDLETIME <key>', '    Return the idle time of the <key>, that is the approximated number of', '    seconds elapsed since the last access to the key.',
      'REFCOUNT <key>', '    Return the number of references of the value associated with the specified', '    <key>.',
      'HELP', '    Prints this help.',
    ].map((line) => ({ t: 'status', v: line }) as Reply)
  }
  if (!['encoding', 'refcount', 'idletime', 'freq'].includes(sub) || argv.length !== 3) {
    return error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString()}'. Try OBJECT HELP.`)
  }
  const rec = ctx.get(argv[2])
  if (rec === null) return null
  switch (sub) {
    case 'encoding':
      // Streams have one encoding in Redis too; other collections name our own.
      if (rec.type === TYPE_STREAM) return 'stream'
      return rec.type === TYPE_COUNTER ? 'int' : isCollectionType(rec.type) ? 'rocksdb' : 'raw'
    case 'refcount':
      return 1
    case 'idletime':
      return 0
    default:
      return error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.')
  }
}

const generic = (name: string, arity: number, flags: string[], firstKey: number, lastKey: number, step: number, summary: string, since: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey, lastKey, step, group: 'generic', summary, since, run })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const keyCommands: DataCommand[] = [
  generic('del', -2, ['write'], 1, -1, 1, 'Delete a key', '1.0.0', del),
  generic('unlink', -2, ['write', 'fast'], 1, -1, 1, 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', '4.0.0', del),
  generic('exists', -2, ['readonly', 'fast'], 1, -1, 1, 'Determine if a key exists', '1.0.0', exists),
  generic('touch', -2, ['readonly', 'fast'], 1, -1, 1, 'Alters the last access time of a key(s). Returns the number of existing keys specified.', '3.2.1', exists),
  generic('type', 2, ['readonly', 'fast'], 1, 1, 1, 'Determine the type stored at key', '1.0.0', type),
  generic('rename', 3, ['write'], 1, 2, 1, 'Rename a key', '1.0.0', renameGeneric(false)),
  generic('renamenx', 3, ['write', 'fast'], 1, 2, 1, 'Rename a key, only if the new key does not exist', '1.0.0', renameGeneric(true)),
  generic('copy', -3, ['write', 'denyoom'], 1, 2, 1, 'Copy a key', '6.2.0', copy),
  generic('expire', -3, ['write', 'fast'], 1, 1, 1, "Set a key's time to live in seconds", '1.0.0', expireGeneric('expire', true, false)),
  generic('pexpire', -3, ['write', 'fast'], 1, 1, 1, "Set a key's time to live in milliseconds", '2.6.0', expireGeneric('pexpire', false, false)),
  generic('expireat', -3, ['write', 'fast'], 1, 1, 1, 'Set the expiration for a key as a UNIX timestamp', '1.2.0', expireGeneric('expireat', true, true)),
  generic('pexpireat', -3, ['write', 'fast'], 1, 1, 1, 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', '2.6.0', expireGeneric('pexpireat', false, true)),
  generic('expiretime', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the expiration Unix timestamp for a key', '7.0.0', ttlGeneric(false, true)),
  generic('pexpiretime', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the expiration Unix timestamp for a key in milliseconds', '7.0.0', ttlGeneric(true, true)),
  generic('ttl', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the time to live for a key in seconds', '1.0.0', ttlGeneric(false, false)),
  generic('pttl', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the time to live for a key in milliseconds', '2.6.0', ttlGeneric(true, false)),
  generic('object', -2, ['readonly'], 2, 2, 1, 'A container for object introspection commands', '2.2.3', object),
  generic('persist', 2, ['write', 'fast'], 1, 1, 1, 'Remove the expiration from a key', '2.2.0', persist),
]
