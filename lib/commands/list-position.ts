// Positions of list elements (DESIGN.md §6, "a position id, RGA-like"): every element's member
// sub-key is its position, so RocksDB keeps a list in order and an insert never moves another
// element. A position is an i64, then a fraction (fractional indexing) for inserts between two
// neighbouring integers, then the origin of the node that made it, so two nodes inserting at the
// same spot concurrently make distinct positions whose order every node agrees on.
//
// Encoded: [i64 BE, sign bit flipped][fraction digits 0x01..0xff][0x00][origin u16 BE]. Byte order
// is position order: the flipped sign makes the integers sort numerically, and the 0x00
// terminator sorts a fraction before every fraction it is a prefix of ("" < "80" < "8080" < "81").
// A fraction is a number 0.d1d2... in base 256 with no trailing zero digit: the empty fraction is
// the smallest. We never make a fraction ending in 0x01 (nor does any node): "x" and "x01" would
// have nothing between them.
//
// Pure functions: no IO, no clock.
import assert from 'node:assert/strict'

export interface Position {
  /** -2^63 .. 2^63-1. */
  readonly int: bigint
  /** Digits 0x01..0xff, the last one not 0x01; empty for a plain integer position. */
  readonly frac: Buffer
  /** The node that made the position (u16). */
  readonly origin: number
}

/** The lowest and highest integer positions ever assigned in one version of a list (the meta record's tail). */
export interface ListEnds {
  readonly head: bigint
  readonly tail: bigint
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const SIGN = 2n ** 63n
const EMPTY = Buffer.alloc(0)
/** Bytes of an encoded position besides its fraction: integer, terminator, origin. */
const FIXED_BYTES = 8 + 1 + 2
export const ENDS_BYTES = 16

export function encodePosition(p: Position): Buffer {
  const out = Buffer.allocUnsafe(FIXED_BYTES + p.frac.length)
  out.writeBigUInt64BE(BigInt.asUintN(64, p.int) ^ SIGN, 0)
  p.frac.copy(out, 8)
  out[8 + p.frac.length] = 0x00
  out.writeUInt16BE(p.origin, 9 + p.frac.length)
  return out
}

export function decodePosition(key: Buffer): Position {
  assert.ok(key.length >= FIXED_BYTES && key[key.length - 3] === 0x00, 'decodePosition: not a list position')
  return {
    int: BigInt.asIntN(64, key.readBigUInt64BE(0) ^ SIGN),
    frac: key.subarray(8, key.length - 3),
    origin: key.readUInt16BE(key.length - 2),
  }
}

export function encodeEnds(ends: ListEnds): Buffer {
  const out = Buffer.allocUnsafe(ENDS_BYTES)
  out.writeBigInt64BE(ends.head, 0)
  out.writeBigInt64BE(ends.tail, 8)
  return out
}

/** The ends stored at the start of a list's meta tail; null for a list that never held an element (an empty tail). */
export function decodeEnds(extra: Buffer): ListEnds | null {
  if (extra.length === 0) return null
  assert.ok(extra.length >= ENDS_BYTES, 'decodeEnds: bad list meta tail')
  return { head: extra.readBigInt64BE(0), tail: extra.readBigInt64BE(8) }
}

/**
 * The position of an element pushed at one end (LPUSH: left, RPUSH: right): one past the lowest
 * or highest integer ever assigned, with an empty fraction, so it sorts before (after) every
 * element of the list, even those LINSERT put between integers. The first element gets 0.
 */
export function pushPosition(ends: ListEnds | null, left: boolean, origin: number): { position: Position; ends: ListEnds } {
  if (ends === null) return { position: { int: 0n, frac: EMPTY, origin }, ends: { head: 0n, tail: 0n } }
  // 2^63 pushes at one end of one list: unreachable (2^63 ns is 292 years).
  assert.ok(left ? ends.head > INT64_MIN : ends.tail < INT64_MAX, 'pushPosition: list positions exhausted')
  const int = left ? ends.head - 1n : ends.tail + 1n
  return { position: { int, frac: EMPTY, origin }, ends: left ? { head: int, tail: ends.tail } : { head: ends.head, tail: int } }
}

/** Fractions compared as numbers: byte order, a prefix first. */
export function compareFractions(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b)
}

export function comparePositions(a: Position, b: Position): number {
  if (a.int !== b.int) return a.int < b.int ? -1 : 1
  const byFrac = compareFractions(a.frac, b.frac)
  if (byFrac !== 0) return byFrac
  return a.origin - b.origin
}

/**
 * A fraction strictly between `low` and `high` (null: no upper bound), as short as it can be
 * found digit by digit: the midpoint digit where they first differ by at least 2, else low's
 * digit there and a fraction above the rest of low. Each insert into the same gap halves it, so
 * the fraction grows by about one byte per 8 inserts at one spot.
 */
export function fractionBetween(low: Buffer, high: Buffer | null): Buffer {
  assert.ok(high === null || compareFractions(low, high) < 0, 'fractionBetween: low must be below high')
  const out: number[] = []
  let bounded = high !== null
  for (let i = 0; ; i++) {
    // 0 stands for "low has ended" (below every digit); 256 for "no upper bound at this digit".
    const lowDigit = i < low.length ? low[i] : 0
    const highDigit = bounded ? (i < high!.length ? high![i] : 0) : 256
    if (lowDigit === highDigit) {
      // Shared prefix. Both ended only when high ends in 0x01 right after low: no room.
      assert.ok(lowDigit !== 0, 'fractionBetween: high ends in 0x01')
      out.push(lowDigit)
      continue
    }
    assert.ok(lowDigit < highDigit, 'fractionBetween: a fraction with a zero digit')
    if (highDigit - lowDigit >= 2) {
      const mid = (lowDigit + highDigit) >> 1
      if (mid >= 2) {
        out.push(mid)
        return Buffer.from(out)
      }
      // Only 0x01 fits below high here (low ended, high's digit is 2 or 3): end in 0x02 if it fits,
      // else take 0x01 and go on with no upper bound.
      if (highDigit === 3) {
        out.push(2)
        return Buffer.from(out)
      }
      out.push(1)
      bounded = false
      continue
    }
    // Adjacent digits: stay on low's digit. Below it is only low itself when low has ended (then
    // high's digit is 0x01, and high goes on: it never ends in 0x01); otherwise anything above the
    // rest of low, without bound.
    out.push(lowDigit === 0 ? highDigit : lowDigit)
    if (lowDigit !== 0) bounded = false
  }
}

/**
 * A position strictly between two neighbours `low` < `high`, made by `origin`: an integer
 * between theirs if there is one (the midpoint), else low's integer with a fraction above low's
 * (and below high's when they share the integer). Null when there is no room: the neighbours
 * differ only by origin (concurrent inserts at the same spot on two nodes), and `origin` does not
 * fall between theirs. The caller treats that as a full list gap.
 */
export function positionBetween(low: Position, high: Position, origin: number): Position | null {
  assert.ok(comparePositions(low, high) < 0, 'positionBetween: low must be below high')
  if (low.int === high.int) {
    const byFrac = compareFractions(low.frac, high.frac)
    if (byFrac === 0) return origin > low.origin && origin < high.origin ? { int: low.int, frac: low.frac, origin } : null
    return { int: low.int, frac: fractionBetween(low.frac, high.frac), origin }
  }
  if (high.int - low.int >= 2n) return { int: low.int + (high.int - low.int) / 2n, frac: EMPTY, origin }
  return { int: low.int, frac: fractionBetween(low.frac, null), origin }
}

/** Whether a fraction is one this module (on any node) can make: digits 0x01..0xff, not ending in 0x01. */
export function isValidFraction(frac: Buffer): boolean {
  for (const digit of frac) if (digit === 0) return false
  return frac.length === 0 || frac[frac.length - 1] !== 0x01
}
