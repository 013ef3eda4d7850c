// String commands (Redis 7 semantics). Thin variants over one generic SET and one generic INCRBY.
import { ErrorReply, Errors, OK, Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { TYPE_COUNTER } from '../storage/layout'
import { lower, parseInt64 } from './args'
import { bytesOf, counterValue, decodeCounter, encodeCounter, isStringType, stringRec } from './string-value'
import type { DataCommand } from './types'

interface SetOptions {
  condition: 'nx' | 'xx' | null
  get: boolean
  keepTtl: boolean
  /** Absolute expiry in ms, 0 for none. */
  expireAtMs: number
}

const EXPIRE_UNITS: Record<string, { ms: number; absolute: boolean }> = {
  ex: { ms: 1000, absolute: false },
  px: { ms: 1, absolute: false },
  exat: { ms: 1000, absolute: true },
  pxat: { ms: 1, absolute: true },
}

/** An expiry argument to an absolute time, with Redis's errors. */
export function expireAt(arg: Buffer, unitMs: number, absolute: boolean, nowMs: number, command: string): number | ErrorReply {
  const value = parseInt64(arg)
  if (value === null) return Errors.notInteger
  if (value <= 0n || value > BigInt(Number.MAX_SAFE_INTEGER) / BigInt(unitMs)) return Errors.invalidExpire(command)
  const ms = Number(value) * unitMs
  const at = absolute ? ms : ms + nowMs
  return at > Number.MAX_SAFE_INTEGER ? Errors.invalidExpire(command) : at
}

// [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]; one unit may repeat (the last wins), two units conflict.
function parseSetOptions(argv: Buffer[], from: number, nowMs: number): SetOptions | ErrorReply {
  const options: SetOptions = { condition: null, get: false, keepTtl: false, expireAtMs: 0 }
  let unitSeen: string | null = null
  for (let i = from; i < argv.length; i++) {
    const option = lower(argv[i])
    const unit = EXPIRE_UNITS[option]
    if ((option === 'nx' || option === 'xx') && options.condition !== (option === 'nx' ? 'xx' : 'nx')) {
      options.condition = option
    } else if (option === 'get') {
      options.get = true
    } else if (option === 'keepttl' && unitSeen === null) {
      options.keepTtl = true
    } else if (unit !== undefined && !options.keepTtl && (unitSeen === null || unitSeen === option) && i + 1 < argv.length) {
      const at = expireAt(argv[++i], unit.ms, unit.absolute, nowMs, 'set')
      if (typeof at !== 'number') return at
      options.expireAtMs = at
      unitSeen = option
    } else {
      return Errors.syntax
    }
  }
  return options
}

/** The generic SET behind SET, SETNX, SETEX, PSETEX and GETSET. */
function setGeneric(ctx: ExecContext, key: Buffer, value: Buffer, options: SetOptions): Reply {
  const current = ctx.get(key)
  let previous: Reply = null
  if (options.get && current !== null) {
    if (!isStringType(current)) return Errors.wrongType
    previous = bytesOf(current)
  }
  if ((options.condition === 'nx' && current !== null) || (options.condition === 'xx' && current === null)) {
    return options.get ? previous : null
  }
  const expireAtMs = options.keepTtl && current !== null ? current.expireAtMs : options.expireAtMs
  if (expireAtMs !== 0 && expireAtMs <= ctx.nowMs) ctx.delete(key)
  else ctx.put(key, stringRec(value, expireAtMs))
  return options.get ? previous : OK
}

// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]
function set(ctx: ExecContext, argv: Buffer[]): Reply {
  const options = parseSetOptions(argv, 3, ctx.nowMs)
  if ('t' in options) return options
  return setGeneric(ctx, argv[1], argv[2], options)
}

// GET key
function get(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = ctx.get(argv[1])
  if (rec === null) return null
  return isStringType(rec) ? bytesOf(rec) : Errors.wrongType
}

/** The generic INCRBY behind INCR, DECR, INCRBY and DECRBY: a counter increment at this origin. */
export function incrBy(ctx: ExecContext, key: Buffer, delta: bigint, origin: number): Reply {
  const rec = ctx.get(key)
  let counter
  if (rec === null) {
    counter = { base: 0n, totals: new Map<number, bigint>() }
  } else if (rec.type === TYPE_COUNTER) {
    counter = decodeCounter(rec.payload)
  } else if (isStringType(rec)) {
    const base = parseInt64(rec.payload)
    if (base === null) return Errors.notInteger
    counter = { base, totals: new Map<number, bigint>() }
  } else {
    return Errors.wrongType
  }
  const value = counterValue(counter) + delta
  const total = (counter.totals.get(origin) ?? 0n) + delta
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n) || total > 2n ** 63n - 1n || total < -(2n ** 63n)) return Errors.overflow
  counter.totals.set(origin, total)
  ctx.put(key, { type: TYPE_COUNTER, expireAtMs: rec === null ? 0 : rec.expireAtMs, payload: encodeCounter(counter) })
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

function incrByArg(ctx: ExecContext, argv: Buffer[], sign: 1n | -1n): Reply {
  const delta = parseInt64(argv[2])
  if (delta === null) return Errors.notInteger
  if (sign === -1n && delta === -(2n ** 63n)) return Errors.overflow
  return incrBy(ctx, argv[1], delta * sign, ctx.origin)
}

const string = (name: string, arity: number, flags: string[], firstKey: number, lastKey: number, step: number, summary: string, since: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey, lastKey, step, group: 'string', summary, since, run })

export const stringCommands: DataCommand[] = [
  string('get', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the value of a key', '1.0.0', get),
  string('set', -3, ['write', 'denyoom'], 1, 1, 1, 'Set the string value of a key', '1.0.0', set),
  string('incr', 2, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Increment the integer value of a key by one', '1.0.0', (ctx, argv) => incrBy(ctx, argv[1], 1n, ctx.origin)),
  string('decr', 2, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Decrement the integer value of a key by one', '1.0.0', (ctx, argv) => incrBy(ctx, argv[1], -1n, ctx.origin)),
  string('incrby', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Increment the integer value of a key by the given amount', '1.0.0', (ctx, argv) => incrByArg(ctx, argv, 1n)),
  string('decrby', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Decrement the integer value of a key by the given number', '1.0.0', (ctx, argv) => incrByArg(ctx, argv, -1n)),
]
