// String values: plain bytes, or a counter (DESIGN.md §6: a PN-counter, base plus per-origin
// totals) that reads as its decimal sum. Every string read goes through bytesOf.
import { TYPE_COUNTER, TYPE_STRING } from '../storage/layout'
import type { Rec } from '../storage/record'
import { INT64_MAX, INT64_MIN } from './args'

export interface Counter {
  base: bigint
  /** origin -> total of the increments that origin made since the base was set */
  totals: Map<number, bigint>
}

export function isStringType(rec: Rec): boolean {
  return rec.type === TYPE_STRING || rec.type === TYPE_COUNTER
}

export function decodeCounter(payload: Buffer): Counter {
  const totals = new Map<number, bigint>()
  for (let at = 8; at + 10 <= payload.length; at += 10) totals.set(payload.readUInt16BE(at), payload.readBigInt64BE(at + 2))
  return { base: payload.readBigInt64BE(0), totals }
}

export function encodeCounter(counter: Counter): Buffer {
  const out = Buffer.allocUnsafe(8 + 10 * counter.totals.size)
  out.writeBigInt64BE(counter.base, 0)
  let at = 8
  for (const [origin, total] of counter.totals) {
    out.writeUInt16BE(origin, at)
    out.writeBigInt64BE(total, at + 2)
    at += 10
  }
  return out
}

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER)

/** A counter after an increment: its payload, and its value (a Number where that is exact). */
export interface Incremented {
  payload: Buffer
  value: number | bigint
}

/**
 * The counter `payload` holds (null: none yet) incremented by `delta` at `origin` (INCRBY,
 * HINCRBY), or null when a value would leave i64.
 */
export function increment(payload: Buffer | null, origin: number, delta: bigint): Incremented | null {
  return incrementOwn(payload, origin, Number(delta)) ?? incrementCounter(payload === null ? { base: 0n, totals: new Map() } : decodeCounter(payload), origin, delta)
}

/** `counter` incremented by `delta` at `origin`, in BigInts; null when a value would leave i64. */
export function incrementCounter(counter: Counter, origin: number, delta: bigint): Incremented | null {
  const value = counterValue(counter) + delta
  const total = (counter.totals.get(origin) ?? 0n) + delta
  if (value > INT64_MAX || value < INT64_MIN || total > INT64_MAX || total < INT64_MIN) return null
  counter.totals.set(origin, total)
  return { payload: encodeCounter(counter), value: value >= -SAFE_MAX && value <= SAFE_MAX ? Number(value) : value }
}

/**
 * INCRBY's common case in Numbers, without decodeCounter's Map of BigInts: a missing key, or a
 * counter that no origin but `origin` has incremented since its base. The payload and value
 * are those the general path computes. Null when it does not apply, or when a value would leave
 * ±(2^53 - 1): the general path then decides, and catches an i64 overflow.
 */
export function incrementOwn(payload: Buffer | null, origin: number, delta: number): Incremented | null {
  let base = 0
  let own = 0
  if (payload !== null) {
    if (payload.length === 18) {
      if (payload.readUInt16BE(8) !== origin) return null
      own = readSafeInt64(payload, 10)
    } else if (payload.length !== 8) {
      return null
    }
    base = readSafeInt64(payload, 0)
  }
  const total = own + delta
  const value = base + total
  if (!Number.isSafeInteger(delta) || !Number.isSafeInteger(total) || !Number.isSafeInteger(value)) return null
  const out = Buffer.allocUnsafe(18)
  writeInt64(out, 0, base)
  out.writeUInt16BE(origin, 8)
  writeInt64(out, 10, total)
  return { payload: out, value }
}

const TWO_32 = 4294967296

/** The i64 at `at`, or NaN outside ±2^53 (where a Number is no longer exact). */
function readSafeInt64(buf: Buffer, at: number): number {
  const high = buf.readInt32BE(at)
  return high >= -0x200000 && high < 0x200000 ? high * TWO_32 + buf.readUInt32BE(at + 4) : NaN
}

/** A safe integer as an i64 at `at`. */
function writeInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / TWO_32)
  buf.writeInt32BE(high, at)
  buf.writeUInt32BE(value - high * TWO_32, at + 4)
}

export function counterValue(counter: Counter): bigint {
  let sum = counter.base
  for (const total of counter.totals.values()) sum += total
  return sum
}

/** The bytes a string-typed record reads as. */
export function bytesOf(rec: Rec): Buffer {
  return rec.type === TYPE_COUNTER ? Buffer.from(counterValue(decodeCounter(rec.payload)).toString()) : rec.payload
}

export function stringRec(payload: Buffer, expireAtMs: number): Rec {
  return { type: TYPE_STRING, expireAtMs, payload }
}
