// String commands (Redis 7.0 semantics). Thin variants over a few generic functions: SET (SET,
// SETNX, SETEX, PSETEX, MSET*), GET (GET, GETDEL, GETEX...), INCRBY (INCR, DECR, INCRBY, DECRBY).
import { ErrorReply, Errors, OK, Reply, error, map } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { incrByFloat as nativeIncrByFloat } from '../native'
import { TYPE_COUNTER } from '../storage/layout'
import type { Rec } from '../storage/record'
import { clampExpireAtMs, INT64_MAX, INT64_MIN, lower, parseInt64 } from './args'
import { bytesOf, increment, incrementCounter, Incremented, isStringType, stringRec } from './string-value'
import type { DataCommand } from './types'

/** proto-max-bulk-len: the largest string a command may build (APPEND, SETRANGE), as Redis. */
export const STRING_MAX_BYTES = 512 * 1024 * 1024

const stringTooLong = error('ERR string exceeds maximum allowed size (proto-max-bulk-len)')

/** How an expiry argument reads: EX/SETEX seconds, PX/PSETEX ms, relative; EXAT/PXAT absolute. */
interface ExpireUnit {
  readonly seconds: boolean
  readonly absolute: boolean
}

const EXPIRE_UNITS: Record<string, ExpireUnit> = {
  ex: { seconds: true, absolute: false },
  px: { seconds: false, absolute: false },
  exat: { seconds: true, absolute: true },
  pxat: { seconds: false, absolute: true },
}

/**
 * An expiry argument of SET/SETEX/PSETEX/GETEX to an absolute time in ms, with Redis's checks
 * (getExpireMillisecondsOrReply): an integer, > 0, and no int64 overflow once in ms and absolute.
 */
export function expireArgMs(arg: Buffer, unit: ExpireUnit, nowMs: number, command: string): number | ErrorReply {
  let value = parseInt64(arg)
  if (value === null) return Errors.notInteger
  if (value <= 0n || (unit.seconds && value > INT64_MAX / 1000n)) return Errors.invalidExpire(command)
  if (unit.seconds) value *= 1000n
  if (!unit.absolute) value += BigInt(nowMs)
  // Redis adds in int64 and rejects what wrapped around.
  if (value > INT64_MAX) return Errors.invalidExpire(command)
  return clampExpireAtMs(value)
}

interface StringOptions {
  condition: 'nx' | 'xx' | null
  get: boolean
  keepTtl: boolean
  persist: boolean
  /** The expiry argument and its unit, read after the whole syntax is checked (as Redis). */
  expire: Buffer | null
  unit: ExpireUnit | null
}

/**
 * The options of SET (`forSet`) or GETEX, as Redis's parseExtendedStringArgumentsOrReply: one
 * expiry unit, which may repeat (the last value wins); NX and XX exclude each other; KEEPTTL and
 * PERSIST exclude every unit. Anything else is a syntax error.
 */
function parseStringOptions(argv: Buffer[], from: number, forSet: boolean): StringOptions | ErrorReply {
  const options: StringOptions = { condition: null, get: false, keepTtl: false, persist: false, expire: null, unit: null }
  let unitName: string | null = null
  for (let i = from; i < argv.length; i++) {
    const option = lower(argv[i])
    const unit = EXPIRE_UNITS[option]
    if (forSet && (option === 'nx' || option === 'xx') && options.condition !== (option === 'nx' ? 'xx' : 'nx')) {
      options.condition = option
    } else if (forSet && option === 'get') {
      options.get = true
    } else if (forSet && option === 'keepttl' && unitName === null) {
      options.keepTtl = true
    } else if (!forSet && option === 'persist' && unitName === null) {
      options.persist = true
    } else if (unit !== undefined && !options.keepTtl && !options.persist && (unitName === null || unitName === option) && i + 1 < argv.length) {
      options.expire = argv[++i]
      options.unit = unit
      unitName = option
    } else {
      return Errors.syntax
    }
  }
  return options
}

function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && (value as ErrorReply).t === 'error'
}

/** Write a string value, or delete the key when its expiry has already passed. */
function putString(ctx: ExecContext, key: Buffer, value: Buffer, expireAtMs: number): void {
  if (expireAtMs !== 0 && expireAtMs <= ctx.nowMs) ctx.delete(key)
  else ctx.put(key, stringRec(value, expireAtMs))
}

/**
 * The generic SET behind SET, SETNX, SETEX, PSETEX and GETSET. `ok`/`aborted` are the replies
 * when the value was / was not written (SETNX answers 1/0); with GET the old value is the reply.
 */
function setGeneric(ctx: ExecContext, key: Buffer, value: Buffer, options: StringOptions, command: string, ok: Reply = OK, aborted: Reply = null): Reply {
  let expireAtMs = 0
  if (options.expire !== null) {
    const at = expireArgMs(options.expire, options.unit!, ctx.nowMs, command)
    if (typeof at !== 'number') return at
    expireAtMs = at
  }
  const current = ctx.get(key)
  let previous: Reply = null
  if (options.get && current !== null) {
    if (!isStringType(current)) return Errors.wrongType
    previous = bytesOf(current)
  }
  if ((options.condition === 'nx' && current !== null) || (options.condition === 'xx' && current === null)) {
    return options.get ? previous : aborted
  }
  if (options.keepTtl && current !== null) expireAtMs = current.expireAtMs
  putString(ctx, key, value, expireAtMs)
  return options.get ? previous : ok
}

const NO_OPTIONS: Readonly<StringOptions> = Object.freeze({ condition: null, get: false, keepTtl: false, persist: false, expire: null, unit: null })

// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]
function set(ctx: ExecContext, argv: Buffer[]): Reply {
  const options = parseStringOptions(argv, 3, true)
  if (isErrorReply(options)) return options
  return setGeneric(ctx, argv[1], argv[2], options, 'set')
}

// SETNX key value
function setnx(ctx: ExecContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, argv[1], argv[2], { ...NO_OPTIONS, condition: 'nx' }, 'setnx', 1, 0)
}

// SETEX key seconds value / PSETEX key milliseconds value
function setex(seconds: boolean, command: string) {
  return (ctx: ExecContext, argv: Buffer[]): Reply =>
    setGeneric(ctx, argv[1], argv[3], { ...NO_OPTIONS, expire: argv[2], unit: { seconds, absolute: false } }, command)
}

// GETSET key value  (drops the TTL, as SET does)
function getset(ctx: ExecContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, argv[1], argv[2], { ...NO_OPTIONS, get: true }, 'getset')
}

/** The string record at key: null when missing, WRONGTYPE for another type. */
function stringAt(ctx: ExecContext, key: Buffer): Rec | null | ErrorReply {
  const rec = ctx.get(key)
  if (rec === null) return null
  return isStringType(rec) ? rec : Errors.wrongType
}

// GET key
function get(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = stringAt(ctx, argv[1])
  return rec === null || isErrorReply(rec) ? rec : bytesOf(rec)
}

// GETDEL key
function getdel(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = stringAt(ctx, argv[1])
  if (rec === null || isErrorReply(rec)) return rec
  ctx.delete(argv[1])
  return bytesOf(rec)
}

// GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
function getex(ctx: ExecContext, argv: Buffer[]): Reply {
  const options = parseStringOptions(argv, 2, false)
  if (isErrorReply(options)) return options
  // Redis looks the key up before it validates the expiry: a missing key answers nil whatever it is.
  const rec = stringAt(ctx, argv[1])
  if (rec === null || isErrorReply(rec)) return rec
  const value = bytesOf(rec)
  if (options.expire !== null) {
    const at = expireArgMs(options.expire, options.unit!, ctx.nowMs, 'getex')
    if (typeof at !== 'number') return at
    if (at <= ctx.nowMs) ctx.delete(argv[1])
    else ctx.put(argv[1], { ...rec, expireAtMs: at })
  } else if (options.persist && rec.expireAtMs !== 0) {
    ctx.put(argv[1], { ...rec, expireAtMs: 0 })
  }
  return value
}

// MGET key [key ...]  (nil for a key of another type, not an error)
function mget(ctx: ExecContext, argv: Buffer[]): Reply {
  const out: Reply[] = new Array(argv.length - 1)
  for (let i = 1; i < argv.length; i++) {
    const rec = ctx.get(argv[i])
    out[i - 1] = rec !== null && isStringType(rec) ? bytesOf(rec) : null
  }
  return out
}

// MSET key value [key value ...] / MSETNX key value [key value ...]
function msetGeneric(nx: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    if (argv.length % 2 === 0) return Errors.wrongArity(nx ? 'msetnx' : 'mset')
    if (nx) for (let i = 1; i < argv.length; i += 2) if (ctx.get(argv[i]) !== null) return 0
    for (let i = 1; i < argv.length; i += 2) ctx.put(argv[i], stringRec(argv[i + 1], 0))
    return nx ? 1 : OK
  }
}

// APPEND key value  (keeps the TTL)
function append(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = stringAt(ctx, argv[1])
  if (isErrorReply(rec)) return rec
  if (rec === null) {
    ctx.put(argv[1], stringRec(argv[2], 0))
    return argv[2].length
  }
  const current = bytesOf(rec)
  if (current.length + argv[2].length > STRING_MAX_BYTES) return stringTooLong
  const value = Buffer.concat([current, argv[2]])
  ctx.put(argv[1], stringRec(value, rec.expireAtMs))
  return value.length
}

// STRLEN key
function strlen(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = stringAt(ctx, argv[1])
  if (rec === null) return 0
  return isErrorReply(rec) ? rec : bytesOf(rec).length
}

const EMPTY = Buffer.alloc(0)

// GETRANGE key start end / SUBSTR key start end
function getrange(ctx: ExecContext, argv: Buffer[]): Reply {
  let start = parseInt64(argv[2])
  let end = parseInt64(argv[3])
  if (start === null || end === null) return Errors.notInteger
  const rec = stringAt(ctx, argv[1])
  if (rec === null) return EMPTY
  if (isErrorReply(rec)) return rec
  const value = bytesOf(rec)
  const length = BigInt(value.length)
  if (start < 0n && end < 0n && start > end) return EMPTY
  if (start < 0n) start += length
  if (end < 0n) end += length
  if (start < 0n) start = 0n
  if (end < 0n) end = 0n
  if (end >= length) end = length - 1n
  if (start > end || length === 0n) return EMPTY
  return value.subarray(Number(start), Number(end) + 1)
}

// SETRANGE key offset value  (keeps the TTL; pads with zero bytes)
function setrange(ctx: ExecContext, argv: Buffer[]): Reply {
  const offset = parseInt64(argv[2])
  if (offset === null) return Errors.notInteger
  if (offset < 0n) return error('ERR offset is out of range')
  const patch = argv[3]
  const rec = stringAt(ctx, argv[1])
  if (isErrorReply(rec)) return rec
  const current = rec === null ? EMPTY : bytesOf(rec)
  // Setting nothing changes nothing, and creates no key.
  if (patch.length === 0) return current.length
  if (offset + BigInt(patch.length) > BigInt(STRING_MAX_BYTES)) return stringTooLong
  const at = Number(offset)
  const length = Math.max(current.length, at + patch.length)
  const value = Buffer.alloc(length)
  current.copy(value, 0)
  patch.copy(value, at)
  ctx.put(argv[1], stringRec(value, rec === null ? 0 : rec.expireAtMs))
  return length
}

/** The generic INCRBY behind INCR, DECR, INCRBY and DECRBY: a counter increment at this origin. Keeps the TTL. */
export function incrBy(ctx: ExecContext, key: Buffer, delta: bigint, origin: number): Reply {
  const rec = ctx.get(key)
  let next: Incremented | null
  if (rec === null || rec.type === TYPE_COUNTER) {
    next = increment(rec === null ? null : rec.payload, origin, delta)
  } else if (isStringType(rec)) {
    const base = parseInt64(rec.payload)
    if (base === null) return Errors.notInteger
    next = incrementCounter({ base, totals: new Map() }, origin, delta)
  } else {
    return Errors.wrongType
  }
  if (next === null) return Errors.overflow
  ctx.put(key, { type: TYPE_COUNTER, expireAtMs: rec === null ? 0 : rec.expireAtMs, payload: next.payload })
  return next.value
}

// INCRBY key increment / DECRBY key decrement
function incrByArg(sign: 1n | -1n) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const delta = parseInt64(argv[2])
    if (delta === null) return Errors.notInteger
    // Redis's own wording: negating LLONG_MIN overflows before any key is read.
    if (sign === -1n && delta === INT64_MIN) return error('ERR decrement would overflow')
    return incrBy(ctx, argv[1], delta * sign, ctx.origin)
  }
}

// INCRBYFLOAT key increment  (long double arithmetic in the addon; the result is a plain string, LWW; keeps the TTL)
function incrbyfloat(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = stringAt(ctx, argv[1])
  if (isErrorReply(rec)) return rec
  let text: string
  try {
    text = nativeIncrByFloat(rec === null ? null : bytesOf(rec), argv[2])
  } catch (err) {
    return error((err as Error).message)
  }
  const value = Buffer.from(text, 'latin1')
  ctx.put(argv[1], stringRec(value, rec === null ? 0 : rec.expireAtMs))
  return value
}

/** Redis 7's LCS tables are bounded by proto-max-bulk-len bytes of uint32 cells. */
const LCS_TABLE_BYTES_MAX = 512 * 1024 * 1024

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
function lcs(ctx: ExecContext, argv: Buffer[]): Reply {
  const recA = ctx.get(argv[1])
  const recB = ctx.get(argv[2])
  if ((recA !== null && !isStringType(recA)) || (recB !== null && !isStringType(recB))) {
    return error('ERR The specified keys must contain string values')
  }
  const a = recA === null ? EMPTY : bytesOf(recA)
  const b = recB === null ? EMPTY : bytesOf(recB)
  let getLen = false
  let getIdx = false
  let withMatchLen = false
  let minMatchLen = 0n
  for (let i = 3; i < argv.length; i++) {
    const option = lower(argv[i])
    if (option === 'idx') getIdx = true
    else if (option === 'len') getLen = true
    else if (option === 'withmatchlen') withMatchLen = true
    else if (option === 'minmatchlen' && i + 1 < argv.length) {
      const value = parseInt64(argv[++i])
      if (value === null) return Errors.notInteger
      minMatchLen = value < 0n ? 0n : value
    } else return Errors.syntax
  }
  if (getIdx && getLen) return error('ERR If you want both the length and indexes, please just use IDX.')
  const alen = a.length
  const blen = b.length
  const cells = (alen + 1) * (blen + 1)
  if (cells * 4 > LCS_TABLE_BYTES_MAX) return error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len')
  // table[j + (blen+1)*i]: length of the LCS of a[0..i) and b[0..j).
  const table = new Uint32Array(cells)
  const w = blen + 1
  for (let i = 1; i <= alen; i++) {
    for (let j = 1; j <= blen; j++) {
      table[j + w * i] = a[i - 1] === b[j - 1] ? table[j - 1 + w * (i - 1)] + 1 : Math.max(table[j + w * (i - 1)], table[j - 1 + w * i])
    }
  }
  const total = table[blen + w * alen]
  if (getLen) return total
  // Walk back from the end as Redis does, building the string and the matched ranges.
  const result = Buffer.allocUnsafe(total)
  const matches: Reply[] = []
  let idx = total
  let aStart = alen // alen: no range open
  let aEnd = 0
  let bStart = 0
  let bEnd = 0
  let i = alen
  let j = blen
  while (i > 0 && j > 0) {
    let emit = false
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]
      if (aStart === alen) {
        aStart = aEnd = i - 1
        bStart = bEnd = j - 1
      } else if (aStart === i && bStart === j) {
        aStart--
        bStart--
      } else {
        emit = true
      }
      if (aStart === 0 || bStart === 0) emit = true
      idx--
      i--
      j--
    } else {
      if (table[j + w * (i - 1)] > table[j - 1 + w * i]) i--
      else j--
      if (aStart !== alen) emit = true
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1
      if (getIdx && (minMatchLen === 0n || BigInt(matchLen) >= minMatchLen)) {
        const entry: Reply[] = [[aStart, aEnd], [bStart, bEnd]]
        if (withMatchLen) entry.push(matchLen)
        matches.push(entry)
      }
      aStart = alen
    }
  }
  return getIdx ? map(['matches', matches, 'len', total]) : result
}

const string = (name: string, arity: number, flags: string[], firstKey: number, lastKey: number, step: number, summary: string, since: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey, lastKey, step, group: 'string', summary, since, run })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const stringCommands: DataCommand[] = [
  string('get', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the value of a key', '1.0.0', get),
  string('set', -3, ['write', 'denyoom'], 1, 1, 1, 'Set the string value of a key', '1.0.0', set),
  string('setnx', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Set the value of a key, only if the key does not exist', '1.0.0', setnx),
  string('setex', 4, ['write', 'denyoom'], 1, 1, 1, 'Set the value and expiration of a key', '2.0.0', setex(true, 'setex')),
  string('psetex', 4, ['write', 'denyoom'], 1, 1, 1, 'Set the value and expiration in milliseconds of a key', '2.6.0', setex(false, 'psetex')),
  string('getset', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Set the string value of a key and return its old value', '1.0.0', getset),
  string('getdel', 2, ['write', 'fast'], 1, 1, 1, 'Get the value of a key and delete the key', '6.2.0', getdel),
  string('getex', -2, ['write', 'fast'], 1, 1, 1, 'Get the value of a key and optionally set its expiration', '6.2.0', getex),
  string('mget', -2, ['readonly', 'fast'], 1, -1, 1, 'Get the values of all the given keys', '1.0.0', mget),
  string('mset', -3, ['write', 'denyoom'], 1, -1, 2, 'Set multiple keys to multiple values', '1.0.1', msetGeneric(false)),
  string('msetnx', -3, ['write', 'denyoom'], 1, -1, 2, 'Set multiple keys to multiple values, only if none of the keys exist', '1.0.1', msetGeneric(true)),
  string('append', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Append a value to a key', '2.0.0', append),
  string('strlen', 2, ['readonly', 'fast'], 1, 1, 1, 'Get the length of the value stored in a key', '2.2.0', strlen),
  string('getrange', 4, ['readonly'], 1, 1, 1, 'Get a substring of the string stored at a key', '2.4.0', getrange),
  string('substr', 4, ['readonly'], 1, 1, 1, 'Get a substring of the string stored at a key', '1.0.0', getrange),
  string('setrange', 4, ['write', 'denyoom'], 1, 1, 1, 'Overwrite part of a string at key starting at the specified offset', '2.2.0', setrange),
  string('lcs', -3, ['readonly'], 1, 2, 1, 'Find longest common substring', '7.0.0', lcs),
  string('incr', 2, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Increment the integer value of a key by one', '1.0.0', (ctx, argv) => incrBy(ctx, argv[1], 1n, ctx.origin)),
  string('decr', 2, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Decrement the integer value of a key by one', '1.0.0', (ctx, argv) => incrBy(ctx, argv[1], -1n, ctx.origin)),
  string('incrby', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Increment the integer value of a key by the given amount', '1.0.0', incrByArg(1n)),
  string('decrby', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Decrement the integer value of a key by the given number', '1.0.0', incrByArg(-1n)),
  string('incrbyfloat', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, 'Increment the float value of a key by the given amount', '2.6.0', incrbyfloat),
]
