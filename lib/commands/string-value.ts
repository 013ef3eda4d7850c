// String values: plain bytes, or a counter (DESIGN.md §6: a PN-counter, base plus per-origin
// totals) that reads as its decimal sum. Every string read goes through bytesOf.
import { TYPE_COUNTER, TYPE_STRING } from '../storage/layout'
import type { Rec } from '../storage/record'

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
