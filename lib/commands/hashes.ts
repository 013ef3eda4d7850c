// Hash commands (Redis 7.0 semantics). One member record per field (collection.ts); a field holds
// a plain value (an LWW register) or, after HINCRBY, a PN-counter as string counters do
// (DESIGN.md §6: "per field, a register or a counter").
import { error, ErrorReply, Errors, map, OK, pairs, Reply } from '../core/reply'
import type { ExecContext, Member } from '../engine/exec-context'
import { incrByFloat as nativeIncrByFloat } from '../native'
import { TYPE_COUNTER, TYPE_HASH, TYPE_STRING } from '../storage/layout'
import { lower, parseInt64 } from './args'
import { Collection, FirstNamed, isErrorReply, sizeCommand, SubRow, TAG_MEMBER } from './collection'
import { parseScanArgs, scanStep } from './member-scan'
import { randomCount, randomOne } from './random-members'
import { counterValue, decodeCounter, increment, incrementCounter, Incremented } from './string-value'
import { DataCommand, membersAt } from './types'

/** The bytes a field reads as. */
export function fieldValue(member: Member): Buffer {
  return member.flags === TYPE_COUNTER ? Buffer.from(counterValue(decodeCounter(member.payload)).toString()) : member.payload
}

function open(ctx: ExecContext, key: Buffer): Collection | null | ErrorReply {
  return Collection.open(ctx, key, TYPE_HASH)
}

/** Set fields from argv[from..] pairs; returns how many were new. */
function setFields(hash: Collection, argv: Buffer[], from: number): number {
  const fields: Buffer[] = []
  for (let i = from; i < argv.length; i += 2) fields.push(argv[i])
  const current = hash.getMany(TAG_MEMBER, fields)
  let added = 0
  // A field named twice: the later value wins and the field counts once.
  const named = new FirstNamed(fields.length)
  for (let j = 0; j < fields.length; j++) {
    if (named.first(fields[j]) && current[j] === null) added++
    hash.put(TAG_MEMBER, fields[j], TYPE_STRING, argv[from + 2 * j + 1])
  }
  hash.size += added
  hash.save()
  return added
}

// HSET key field value [field value ...] / HMSET (replies OK)
function hsetGeneric(command: string, reply: 'count' | 'ok') {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    if (argv.length % 2 !== 0) return Errors.wrongArity(command)
    const hash = Collection.openOrCreate(ctx, argv[1], TYPE_HASH)
    if (isErrorReply(hash)) return hash
    const added = setFields(hash, argv, 2)
    return reply === 'ok' ? OK : added
  }
}

// HSETNX key field value
function hsetnx(ctx: ExecContext, argv: Buffer[]): Reply {
  const hash = Collection.openOrCreate(ctx, argv[1], TYPE_HASH)
  if (isErrorReply(hash)) return hash
  if (hash.get(TAG_MEMBER, argv[2]) !== null) return 0
  return setFields(hash, argv, 2)
}

// HGET key field
function hget(ctx: ExecContext, argv: Buffer[]): Reply {
  const hash = open(ctx, argv[1])
  if (hash === null || isErrorReply(hash)) return hash
  const member = hash.get(TAG_MEMBER, argv[2])
  return member === null ? null : fieldValue(member)
}

// HMGET key field [field ...]
function hmget(ctx: ExecContext, argv: Buffer[]): Reply {
  const hash = open(ctx, argv[1])
  if (isErrorReply(hash)) return hash
  const fields = argv.slice(2)
  if (hash === null) return fields.map(() => null)
  return hash.getMany(TAG_MEMBER, fields).map((member) => (member === null ? null : fieldValue(member)))
}

// HDEL key field [field ...]
function hdel(ctx: ExecContext, argv: Buffer[]): Reply {
  const hash = open(ctx, argv[1])
  if (hash === null || isErrorReply(hash)) return hash ?? 0
  let removed = 0
  for (let i = 2; i < argv.length; i++) {
    if (hash.get(TAG_MEMBER, argv[i]) === null) continue
    hash.delete(TAG_MEMBER, argv[i])
    removed++
  }
  if (removed > 0) {
    hash.size -= removed
    hash.save()
  }
  return removed
}

// HSTRLEN key field
function hstrlen(ctx: ExecContext, argv: Buffer[]): Reply {
  const hash = open(ctx, argv[1])
  if (hash === null || isErrorReply(hash)) return hash ?? 0
  const member = hash.get(TAG_MEMBER, argv[2])
  return member === null ? 0 : fieldValue(member).length
}

// HEXISTS key field
function hexists(ctx: ExecContext, argv: Buffer[]): Reply {
  const hash = open(ctx, argv[1])
  if (hash === null || isErrorReply(hash)) return hash ?? 0
  return hash.get(TAG_MEMBER, argv[2]) === null ? 0 : 1
}

// HKEYS key / HVALS key / HGETALL key
function hgetallGeneric(what: 'keys' | 'vals' | 'all') {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const hash = open(ctx, argv[1])
    if (isErrorReply(hash)) return hash
    const out: Reply[] = []
    if (hash !== null) {
      for (const row of hash.range(TAG_MEMBER)) {
        if (what !== 'vals') out.push(row.sub)
        if (what !== 'keys') out.push(fieldValue(row))
      }
    }
    return what === 'all' ? map(out) : out
  }
}

// HINCRBY key field increment
function hincrby(ctx: ExecContext, argv: Buffer[]): Reply {
  const delta = parseInt64(argv[3])
  if (delta === null) return Errors.notInteger
  const hash = Collection.openOrCreate(ctx, argv[1], TYPE_HASH)
  if (isErrorReply(hash)) return hash
  const member = hash.get(TAG_MEMBER, argv[2])
  let next: Incremented | null
  if (member === null || member.flags === TYPE_COUNTER) {
    next = increment(member === null ? null : member.payload, ctx.origin, delta)
  } else {
    const base = parseInt64(member.payload)
    if (base === null) return error('ERR hash value is not an integer')
    next = incrementCounter({ base, totals: new Map() }, ctx.origin, delta)
  }
  if (next === null) return Errors.overflow
  hash.put(TAG_MEMBER, argv[2], TYPE_COUNTER, next.payload)
  if (member === null) hash.size++
  hash.save()
  return next.value
}

// HINCRBYFLOAT key field increment  (long double arithmetic; the result is a plain value, LWW)
function hincrbyfloat(ctx: ExecContext, argv: Buffer[]): Reply {
  // The increment is checked first, then the field: the addon's errors do not say which it was.
  try {
    nativeIncrByFloat(null, argv[3])
  } catch (err) {
    return error((err as Error).message === Errors.notFloat.v ? Errors.notFloat.v : 'ERR value is NaN or Infinity')
  }
  const hash = Collection.openOrCreate(ctx, argv[1], TYPE_HASH)
  if (isErrorReply(hash)) return hash
  const member = hash.get(TAG_MEMBER, argv[2])
  let text: string
  try {
    text = nativeIncrByFloat(member === null ? null : fieldValue(member), argv[3])
  } catch (err) {
    const message = (err as Error).message
    return error(message === Errors.notFloat.v ? 'ERR hash value is not a float' : message)
  }
  const value = Buffer.from(text, 'latin1')
  hash.put(TAG_MEMBER, argv[2], TYPE_STRING, value)
  if (member === null) hash.size++
  hash.save()
  return value
}

// HRANDFIELD key [count [WITHVALUES]]
function hrandfield(ctx: ExecContext, argv: Buffer[]): Reply {
  if (argv.length > 4 || (argv.length === 4 && lower(argv[3]) !== 'withvalues')) return Errors.syntax
  const hash = open(ctx, argv[1])
  if (isErrorReply(hash)) return hash
  if (argv.length === 2) {
    if (hash === null) return null
    return randomOne(hash, TAG_MEMBER)!.sub
  }
  const withValues = argv.length === 4
  const rows = randomCount(hash, TAG_MEMBER, argv[2], withValues)
  if (!Array.isArray(rows)) return rows
  if (!withValues) return rows.map((row) => row.sub)
  const out: Reply[] = []
  for (const row of rows) out.push(row.sub, fieldValue(row))
  return pairs(out)
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
function hscan(ctx: ExecContext, argv: Buffer[]): Reply {
  const options = parseScanArgs(argv)
  if (!('cursor' in (options as object))) return options as Reply
  const hash = open(ctx, argv[1])
  if (isErrorReply(hash)) return hash
  return scanStep(hash, TAG_MEMBER, options as Exclude<typeof options, Reply>, (row: SubRow, out: Reply[]) => out.push(row.sub, fieldValue(row)))
}

const hashCommand = (name: string, arity: number, flags: string[], summary: string, since: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey: 1, lastKey: 1, step: 1, group: 'hash', summary, since, run })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const hashCommands: DataCommand[] = [
  { ...hashCommand('hset', -4, ['write', 'denyoom', 'fast'], 'Set the string value of a hash field', '2.0.0', hsetGeneric('hset', 'count')), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, -1, 2) },
  { ...hashCommand('hmset', -4, ['write', 'denyoom', 'fast'], 'Set multiple hash fields to multiple values', '2.0.0', hsetGeneric('hmset', 'ok')), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, -1, 2) },
  { ...hashCommand('hsetnx', 4, ['write', 'denyoom', 'fast'], 'Set the value of a hash field, only if the field does not exist', '2.0.0', hsetnx), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, 2) },
  { ...hashCommand('hget', 3, ['readonly', 'fast'], 'Get the value of a hash field', '2.0.0', hget), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, 2) },
  { ...hashCommand('hmget', -3, ['readonly', 'fast'], 'Get the values of all the given hash fields', '2.0.0', hmget), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, -1) },
  { ...hashCommand('hdel', -3, ['write', 'fast'], 'Delete one or more hash fields', '2.0.0', hdel), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, -1) },
  hashCommand('hlen', 2, ['readonly', 'fast'], 'Get the number of fields in a hash', '2.0.0', sizeCommand(TYPE_HASH)),
  { ...hashCommand('hstrlen', 3, ['readonly', 'fast'], 'Get the length of the value of a hash field', '3.2.0', hstrlen), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, 2) },
  { ...hashCommand('hexists', 3, ['readonly', 'fast'], 'Determine if a hash field exists', '2.0.0', hexists), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, 2) },
  hashCommand('hkeys', 2, ['readonly'], 'Get all the fields in a hash', '2.0.0', hgetallGeneric('keys')),
  hashCommand('hvals', 2, ['readonly'], 'Get all the values in a hash', '2.0.0', hgetallGeneric('vals')),
  hashCommand('hgetall', 2, ['readonly'], 'Get all the fields and values in a hash', '2.0.0', hgetallGeneric('all')),
  { ...hashCommand('hincrby', 4, ['write', 'denyoom', 'fast'], 'Increment the integer value of a hash field by the given number', '2.0.0', hincrby), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, 2) },
  { ...hashCommand('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], 'Increment the float value of a hash field by the given amount', '2.6.0', hincrbyfloat), memberArgs: membersAt(TYPE_HASH, TAG_MEMBER, 2, 2) },
  hashCommand('hrandfield', -2, ['readonly'], 'Get one or multiple random fields from a hash', '6.2.0', hrandfield),
  hashCommand('hscan', -3, ['readonly'], 'Incrementally iterate hash fields and associated values', '2.8.0', hscan),
]
