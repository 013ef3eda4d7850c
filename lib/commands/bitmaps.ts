// Bitmap and bit field commands on strings (Redis 7.0 bitops.c semantics): SETBIT, GETBIT,
// BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO. Bits are numbered from each byte's MSB.
// Bit offsets reach 2^32 + 62, past int32: offsets are never used with JS's 32-bit shifts.
import { ErrorReply, Errors, Reply, error } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import type { Rec } from '../storage/record'
import { lower, parseInt64 } from './args'
import { bytesOf, isStringType, stringRec } from './string-value'
import { STRING_MAX_BYTES } from './strings'
import type { DataCommand } from './types'

const EMPTY = Buffer.alloc(0)
const badOffset = error('ERR bit offset is not an integer or out of range')
const badBit = error('ERR bit is not an integer or out of range')
const badBitArg = error('ERR The bit argument must be 1 or 0.')
const badType = error('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.')
const badOverflow = error('ERR Invalid OVERFLOW type specified')
const readOnlyOnlyGet = error('ERR BITFIELD_RO only supports the GET subcommand')
const notSingleSource = error('ERR BITOP NOT must be called with a single source key.')

function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && (value as ErrorReply).t === 'error'
}

const toInteger = (n: bigint): number | bigint => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n)

/**
 * A bit offset as Redis's getBitOffsetFromArgument: an int64, or `#n` meaning n * bits when
 * `bits` is given (BITFIELD; the product wraps as C's does). Below 2^32: the byte it lands in
 * must be under proto-max-bulk-len (512 MB), so no string outgrows it.
 */
function bitOffsetOf(arg: Buffer, bits = 0): number | ErrorReply {
  const hash = bits > 0 && arg.length > 0 && arg[0] === 0x23
  let offset = parseInt64(hash ? arg.subarray(1) : arg)
  if (offset === null) return badOffset
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits))
  if (offset < 0n || offset >> 3n >= BigInt(STRING_MAX_BYTES)) return badOffset
  return Number(offset)
}

/** The string at key: null when missing, WRONGTYPE for another type. */
function stringAt(ctx: ExecContext, key: Buffer): Rec | null | ErrorReply {
  const rec = ctx.get(key)
  if (rec === null) return null
  return isStringType(rec) ? rec : Errors.wrongType
}

/** The bytes of `current` zero-padded to at least `length` (a copy when padded). */
function grown(current: Buffer, length: number): Buffer {
  if (current.length >= length) return current
  const out = Buffer.alloc(length)
  current.copy(out, 0)
  return out
}

// SETBIT key offset value  (keeps the TTL; pads with zero bytes)
function setbit(ctx: ExecContext, argv: Buffer[]): Reply {
  const offset = bitOffsetOf(argv[2])
  if (isErrorReply(offset)) return offset
  const on = parseInt64(argv[3])
  if (on === null || (on !== 0n && on !== 1n)) return badBit
  const rec = stringAt(ctx, argv[1])
  if (isErrorReply(rec)) return rec
  const byte = Math.floor(offset / 8)
  const mask = 0x80 >> (offset % 8)
  const current = rec === null ? EMPTY : bytesOf(rec)
  const old = byte < current.length && (current[byte] & mask) !== 0 ? 1 : 0
  if (byte >= current.length || old !== Number(on) || rec === null) {
    const value = Buffer.from(grown(current, byte + 1))
    value[byte] = on === 1n ? value[byte] | mask : value[byte] & ~mask
    ctx.put(argv[1], stringRec(value, rec === null ? 0 : rec.expireAtMs))
  }
  return old
}

// GETBIT key offset
function getbit(ctx: ExecContext, argv: Buffer[]): Reply {
  const offset = bitOffsetOf(argv[2])
  if (isErrorReply(offset)) return offset
  const rec = stringAt(ctx, argv[1])
  if (rec === null || isErrorReply(rec)) return rec ?? 0
  const value = bytesOf(rec)
  const byte = Math.floor(offset / 8)
  return byte < value.length && (value[byte] & (0x80 >> (offset % 8))) !== 0 ? 1 : 0
}

const POPCOUNT = new Uint8Array(256)
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]

/**
 * A BITCOUNT/BITPOS range in bits, as Redis resolves it: negative indexes count from the end,
 * then both ends are clamped to the string; BIT ranges are in bits, BYTE ranges in bytes.
 * Null for an empty range.
 */
function bitRange(start: bigint, end: bigint, isBit: boolean, length: number): { first: number; last: number } | null {
  const total = BigInt(isBit ? length * 8 : length)
  if (start < 0n) start += total
  if (end < 0n) end += total
  if (start < 0n) start = 0n
  if (end < 0n) end = 0n
  if (end >= total) end = total - 1n
  if (start > end) return null
  return isBit ? { first: Number(start), last: Number(end) } : { first: Number(start) * 8, last: Number(end) * 8 + 7 }
}

/** The unit of a range: BYTE (default) or BIT; null for anything else. */
function unitIsBit(arg: Buffer | undefined): boolean | null {
  if (arg === undefined) return false
  const unit = lower(arg)
  return unit === 'bit' ? true : unit === 'byte' ? false : null
}

// BITCOUNT key [start end [BYTE|BIT]]  (Redis 7.0 looks the key up first: a missing key is 0 whatever follows)
function bitcount(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = stringAt(ctx, argv[1])
  if (rec === null) return 0
  if (isErrorReply(rec)) return rec
  const value = bytesOf(rec)
  let first = 0
  let last = value.length * 8 - 1
  if (argv.length === 4 || argv.length === 5) {
    const start = parseInt64(argv[2])
    const end = parseInt64(argv[3])
    if (start === null || end === null) return Errors.notInteger
    const isBit = unitIsBit(argv[4])
    if (isBit === null) return Errors.syntax
    if (start < 0n && end < 0n && start > end) return 0
    const range = bitRange(start, end, isBit, value.length)
    if (range === null) return 0
    ;({ first, last } = range)
  } else if (argv.length !== 2) {
    return Errors.syntax
  }
  return countBits(value, first, last)
}

/** Set bits of value in bits [first, last]. */
function countBits(value: Buffer, first: number, last: number): number {
  if (first > last) return 0
  const firstByte = Math.floor(first / 8)
  const lastByte = Math.floor(last / 8)
  let count = 0
  for (let i = firstByte; i <= lastByte; i++) count += POPCOUNT[value[i]]
  // Take back the bits of the edge bytes outside the range.
  count -= POPCOUNT[value[firstByte] & ~(0xff >> (first % 8)) & 0xff]
  count -= POPCOUNT[value[lastByte] & (0xff >> ((last % 8) + 1))]
  return count
}

/** The first bit equal to `bit` in bits [first, last], or -1. */
function findBit(value: Buffer, bit: number, first: number, last: number): number {
  const skip = bit === 1 ? 0x00 : 0xff
  for (let pos = first; pos <= last;) {
    const byte = value[Math.floor(pos / 8)]
    // Whole bytes without the bit are skipped at once.
    if (pos % 8 === 0 && pos + 7 <= last && byte === skip) {
      pos += 8
      continue
    }
    if (((byte >> (7 - (pos % 8))) & 1) === bit) return pos
    pos++
  }
  return -1
}

// BITPOS key bit [start [end [BYTE|BIT]]]
function bitpos(ctx: ExecContext, argv: Buffer[]): Reply {
  const bitArg = parseInt64(argv[2])
  if (bitArg === null) return Errors.notInteger
  if (bitArg !== 0n && bitArg !== 1n) return badBitArg
  const bit = Number(bitArg)
  // A missing key is an endless run of zero bits, whatever the range (Redis 7.0 looks it up first).
  const rec = stringAt(ctx, argv[1])
  if (rec === null) return bit === 1 ? -1 : 0
  if (isErrorReply(rec)) return rec
  const value = bytesOf(rec)
  let endGiven = false
  let range: { first: number; last: number } | null
  if (argv.length >= 4 && argv.length <= 6) {
    const start = parseInt64(argv[3])
    if (start === null) return Errors.notInteger
    const isBit = unitIsBit(argv[5])
    if (isBit === null) return Errors.syntax
    let end: bigint | null = isBit ? BigInt(value.length) * 8n + 7n : BigInt(value.length) - 1n
    if (argv.length >= 5) {
      end = parseInt64(argv[4])
      if (end === null) return Errors.notInteger
      endGiven = true
    }
    range = bitRange(start, end, isBit, value.length)
  } else if (argv.length === 3) {
    range = value.length === 0 ? null : { first: 0, last: value.length * 8 - 1 }
  } else {
    return Errors.syntax
  }
  if (range === null) return -1
  const found = findBit(value, bit, range.first, range.last)
  if (found >= 0 || bit === 1) return found
  // No clear bit in range: past an explicit end there is none; with no end, the string
  // continues with zero bits, the first one right after it.
  return endGiven ? -1 : range.last + 1
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]  (missing keys are zero bytes; an empty result deletes destkey)
function bitop(ctx: ExecContext, argv: Buffer[]): Reply {
  const op = lower(argv[1])
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return Errors.syntax
  if (op === 'not' && argv.length !== 4) return notSingleSource
  const sources: Buffer[] = []
  let maxLength = 0
  for (let i = 3; i < argv.length; i++) {
    const rec = stringAt(ctx, argv[i])
    if (isErrorReply(rec)) return rec
    const value = rec === null ? EMPTY : bytesOf(rec)
    sources.push(value)
    if (value.length > maxLength) maxLength = value.length
  }
  if (maxLength === 0) {
    ctx.delete(argv[2])
    return 0
  }
  // Bytes past a source's end count as zero.
  const out = Buffer.alloc(maxLength)
  sources[0].copy(out, 0)
  if (op === 'not') {
    for (let j = 0; j < maxLength; j++) out[j] = ~out[j]
  } else {
    for (let i = 1; i < sources.length; i++) {
      const src = sources[i]
      const n = src.length
      if (op === 'and') {
        for (let j = 0; j < n; j++) out[j] &= src[j]
        out.fill(0, n)
      } else if (op === 'or') {
        for (let j = 0; j < n; j++) out[j] |= src[j]
      } else {
        for (let j = 0; j < n; j++) out[j] ^= src[j]
      }
    }
  }
  // As SET: the result replaces destkey, TTL included.
  ctx.put(argv[2], stringRec(out, 0))
  return maxLength
}

// ---------------------------------------------------------------------------------------------
// BITFIELD

type Overflow = 'wrap' | 'sat' | 'fail'

interface FieldOp {
  readonly kind: 'get' | 'set' | 'incrby'
  readonly signed: boolean
  readonly bits: number
  readonly offset: number
  /** SET's value or INCRBY's increment (an int64). */
  readonly arg: bigint
  readonly overflow: Overflow
}

/** `i1`..`i64` or `u1`..`u63` as getBitfieldTypeFromArgument (case-sensitive). */
function fieldTypeOf(arg: Buffer): { signed: boolean; bits: number } | null {
  if (arg.length === 0 || (arg[0] !== 0x69 && arg[0] !== 0x75)) return null
  const signed = arg[0] === 0x69
  // Redis reads the type as a C string: it stops at a NUL.
  const digits = arg.subarray(1)
  const nul = digits.indexOf(0)
  const bits = parseInt64(nul < 0 ? digits : digits.subarray(0, nul))
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) return null
  return { signed, bits: Number(bits) }
}

/** Parse BITFIELD's subcommands; Redis checks them all before it touches the key. */
function parseFieldOps(argv: Buffer[]): FieldOp[] | ErrorReply {
  const ops: FieldOp[] = []
  let overflow: Overflow = 'wrap'
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1
    const sub = lower(argv[j])
    let kind: FieldOp['kind']
    if (sub === 'get' && remaining >= 2) kind = 'get'
    else if (sub === 'set' && remaining >= 3) kind = 'set'
    else if (sub === 'incrby' && remaining >= 3) kind = 'incrby'
    else if (sub === 'overflow' && remaining >= 1) {
      const name = lower(argv[++j])
      if (name !== 'wrap' && name !== 'sat' && name !== 'fail') return badOverflow
      overflow = name
      continue
    } else {
      return Errors.syntax
    }
    const type = fieldTypeOf(argv[j + 1])
    if (type === null) return badType
    const offset = bitOffsetOf(argv[j + 2], type.bits)
    if (isErrorReply(offset)) return offset
    let arg = 0n
    if (kind !== 'get') {
      const value = parseInt64(argv[j + 3])
      if (value === null) return Errors.notInteger
      arg = value
    }
    ops.push({ kind, signed: type.signed, bits: type.bits, offset, arg, overflow })
    j += kind === 'get' ? 2 : 3
  }
  return ops
}

/** The unsigned `bits`-wide field at bit `offset` (MSB first; zero past the end). */
function readField(value: Buffer, offset: number, bits: number): bigint {
  let out = 0n
  for (let i = 0; i < bits; i++) {
    const pos = offset + i
    const byte = Math.floor(pos / 8)
    const bit = byte < value.length ? (value[byte] >> (7 - (pos % 8))) & 1 : 0
    out = (out << 1n) | BigInt(bit)
  }
  return out
}

function writeField(value: Buffer, offset: number, bits: number, field: bigint): void {
  for (let i = 0; i < bits; i++) {
    const pos = offset + i
    const byte = Math.floor(pos / 8)
    const mask = 0x80 >> (pos % 8)
    if ((field >> BigInt(bits - 1 - i)) & 1n) value[byte] |= mask
    else value[byte] &= ~mask
  }
}

const i64 = (x: bigint): bigint => BigInt.asIntN(64, x)
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x)

/**
 * The new field for `value + incr` (INCRBY: the old field and the increment; SET: the value and 0)
 * under the overflow policy: null when FAIL refuses it. A port of Redis's
 * check{Signed,Unsigned}BitfieldOverflow with C's 64-bit arithmetic, wrap-arounds included, so
 * extreme SET values saturate as Redis's do (SET i6 -9223372036854775777 under SAT gives +31).
 */
function fitField(value: bigint, incr: bigint, signed: boolean, bits: number, overflow: Overflow): bigint | null {
  const b = BigInt(bits)
  let limit: bigint
  if (signed) {
    const max = bits === 64 ? 2n ** 63n - 1n : (1n << (b - 1n)) - 1n
    const min = -max - 1n
    const maxincr = i64(max - value)
    const minincr = i64(min - value)
    if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
      limit = max
    } else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
      limit = min
    } else {
      return value + incr
    }
    if (overflow === 'wrap') {
      let c = u64(value + incr)
      if (bits < 64) {
        const mask = u64(-1n << b)
        c = c & (1n << (b - 1n)) ? c | mask : c & ~mask
      }
      return i64(c)
    }
  } else {
    const max = bits === 64 ? 2n ** 64n - 1n : (1n << b) - 1n
    const maxincr = i64(max - value)
    const minincr = i64(-value)
    if (value > max || (incr > 0n && incr > maxincr)) {
      limit = max
    } else if (incr < 0n && incr < minincr) {
      limit = 0n
    } else {
      return value + incr
    }
    if (overflow === 'wrap') return u64(value + incr) & ((1n << b) - 1n)
  }
  return overflow === 'fail' ? null : limit
}

// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
// BITFIELD_RO key [GET type offset ...]
function bitfieldGeneric(readOnly: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const ops = parseFieldOps(argv)
    if (isErrorReply(ops)) return ops
    const writes = ops.some((op) => op.kind !== 'get')
    if (writes && readOnly) return readOnlyOnlyGet
    const rec = stringAt(ctx, argv[1])
    if (isErrorReply(rec)) return rec
    const current = rec === null ? EMPTY : bytesOf(rec)
    if (!writes) return ops.map((op) => readReply(op.signed, readField(current, op.offset, op.bits), op.bits))
    // Like Redis, make room up to the farthest bit written before running any op, even those FAIL skips.
    let highest = 0
    for (const op of ops) if (op.kind !== 'get' && op.offset + op.bits - 1 > highest) highest = op.offset + op.bits - 1
    const length = Math.floor(highest / 8) + 1
    const value = Buffer.from(grown(current, length))
    let changed = rec === null || value.length !== current.length
    const replies: Reply[] = []
    for (const op of ops) {
      const raw = readField(value, op.offset, op.bits)
      if (op.kind === 'get') {
        replies.push(readReply(op.signed, raw, op.bits))
        continue
      }
      const old = op.signed ? BigInt.asIntN(op.bits, raw) : raw
      const next = op.kind === 'incrby'
        ? fitField(old, op.arg, op.signed, op.bits, op.overflow)
        : fitField(op.signed ? op.arg : BigInt.asUintN(64, op.arg), 0n, op.signed, op.bits, op.overflow)
      if (next === null) {
        replies.push(null)
        continue
      }
      replies.push(toInteger(op.kind === 'incrby' ? next : old))
      writeField(value, op.offset, op.bits, BigInt.asUintN(op.bits, next))
      if (next !== old) changed = true
    }
    if (changed) ctx.put(argv[1], stringRec(value, rec === null ? 0 : rec.expireAtMs))
    return replies
  }
}

function readReply(signed: boolean, raw: bigint, bits: number): number | bigint {
  return toInteger(signed ? BigInt.asIntN(bits, raw) : raw)
}

const bitmap = (name: string, arity: number, flags: string[], firstKey: number, lastKey: number, summary: string, since: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey, lastKey, step: 1, group: 'bitmap', summary, since, run })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const bitmapCommands: DataCommand[] = [
  bitmap('setbit', 4, ['write', 'denyoom'], 1, 1, 'Sets or clears the bit at offset in the string value stored at key', '2.2.0', setbit),
  bitmap('getbit', 3, ['readonly', 'fast'], 1, 1, 'Returns the bit value at offset in the string value stored at key', '2.2.0', getbit),
  bitmap('bitcount', -2, ['readonly'], 1, 1, 'Count set bits in a string', '2.6.0', bitcount),
  bitmap('bitpos', -3, ['readonly'], 1, 1, 'Find first bit set or clear in a string', '2.8.7', bitpos),
  bitmap('bitop', -4, ['write', 'denyoom'], 2, -1, 'Perform bitwise operations between strings', '2.6.0', bitop),
  bitmap('bitfield', -2, ['write', 'denyoom'], 1, 1, 'Perform arbitrary bitfield integer operations on strings', '3.2.0', bitfieldGeneric(false)),
  bitmap('bitfield_ro', -2, ['readonly', 'fast'], 1, 1, 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD', '6.0.0', bitfieldGeneric(true)),
]
