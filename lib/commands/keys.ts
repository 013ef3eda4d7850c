// Generic key commands (Redis 7.0 semantics) that touch named keys. Keyspace-wide commands
// (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSH*) live in keyspace.ts.
//
// A TTL change keeps the record's type and payload and puts it back with a new expireAtMs;
// replication then carries it as an LWW update of the whole record (DESIGN.md §6).
import { error, ErrorReply, Errors, OK, Reply, status } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { TYPE_COUNTER, TYPE_STRING } from '../storage/layout'
import type { Rec } from '../storage/record'
import { clampExpireAtMs, INT_RANGE_ERROR, lower, parseInt32, parseInt64 } from './args'
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

/** TYPE's name for a record type: counters are strings to Redis users. Later types add theirs here. */
export function typeName(rec: Rec | null): string {
  if (rec === null) return 'none'
  switch (rec.type) {
    case TYPE_STRING:
    case TYPE_COUNTER:
      return 'string'
    default:
      throw new Error(`typeName: unknown record type 0x${rec.type.toString(16)}`)
  }
}

// TYPE key
function type(ctx: ExecContext, argv: Buffer[]): Reply {
  return status(typeName(ctx.get(argv[1])))
}

// RENAME key newkey / RENAMENX key newkey  (the TTL moves with the value)
// Collections will also need their members re-keyed here when they arrive (members are keyed by name).
function renameGeneric(nx: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const rec = ctx.get(argv[1])
    if (rec === null) return Errors.noSuchKey
    if (argv[1].equals(argv[2])) return nx ? 0 : OK
    if (nx && ctx.get(argv[2]) !== null) return 0
    ctx.delete(argv[2])
    ctx.put(argv[2], rec)
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
  ctx.put(argv[2], rec)
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
  generic('persist', 2, ['write', 'fast'], 1, 1, 1, 'Remove the expiration from a key', '2.2.0', persist),
]
