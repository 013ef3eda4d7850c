// Argument parsing shared by every command family: Redis's own number rules and option scanning.

/** The signed 64-bit range Redis's integers live in. */
export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n

/**
 * Parse a signed 64-bit integer exactly as Redis's string2ll: optional '-', no '+', no spaces,
 * no leading zeros. Returns null when invalid or out of range.
 */
export function parseInt64(arg: Buffer): bigint | null {
  const n = arg.length
  if (n === 0 || n > 20) return null
  let i = 0
  const negative = arg[0] === 0x2d
  if (negative) {
    i = 1
    if (n === 1) return null
  }
  if (arg[i] === 0x30) return n === 1 ? 0n : null
  let value = 0n
  for (; i < n; i++) {
    const c = arg[i]
    if (c < 0x30 || c > 0x39) return null
    value = value * 10n + BigInt(c - 0x30)
  }
  if (negative) value = -value
  return value < INT64_MIN || value > INT64_MAX ? null : value
}

export function lower(arg: Buffer): string {
  return arg.toString('latin1').toLowerCase()
}

/**
 * C's `int` as getIntFromObjectOrReply reads it (COPY's DB index): null when not an integer,
 * 'range' when an int64 outside the int range (Redis then has its own message, intRangeError).
 */
export function parseInt32(arg: Buffer): number | 'range' | null {
  const value = parseInt64(arg)
  if (value === null) return null
  return value < -(2n ** 31n) || value > 2n ** 31n - 1n ? 'range' : Number(value)
}

export const INT_RANGE_ERROR = 'ERR value is out of range, value must between -2147483648 and 2147483647'

const UINT64_MAX = 2n ** 64n - 1n

/**
 * A SCAN cursor as Redis 7.0's parseScanCursorOrReply reads it with C's strtoul: an optional
 * sign ('-' wraps around), decimal digits, nothing after them, no leading blank, at most
 * 2^64-1; the empty string reads as 0. C sees the argument up to its first NUL.
 * Null for "invalid cursor".
 */
export function parseCursor(arg: Buffer): bigint | null {
  const nul = arg.indexOf(0)
  const text = (nul < 0 ? arg : arg.subarray(0, nul)).toString('latin1')
  if (text === '') return 0n
  const match = /^([+-]?)(\d+)$/.exec(text)
  if (match === null) return null
  const magnitude = BigInt(match[2])
  if (magnitude > UINT64_MAX) return null
  return match[1] === '-' ? (UINT64_MAX + 1n - magnitude) % (UINT64_MAX + 1n) : magnitude
}

/**
 * The latest expiry a record can carry: expireAtMs travels as a JS number, so times past 2^53 ms
 * (year 287396) are stored as 2^53-1. Redis would keep up to 2^63-1; no key can tell the
 * difference before then, only (P)EXPIRETIME shows the clamped value (docs/compatibility.md).
 */
export const EXPIRE_AT_MS_MAX = Number.MAX_SAFE_INTEGER

export function clampExpireAtMs(ms: bigint): number {
  return ms > BigInt(EXPIRE_AT_MS_MAX) ? EXPIRE_AT_MS_MAX : Number(ms)
}

/**
 * An inclusive [start, stop] index range (negative counts from the end) clamped to `size` items,
 * as Redis sanitizes LRANGE, LTRIM and ZRANGE's ranks; null when it selects nothing.
 */
export function clampRange(start: bigint, stop: bigint, size: number): [number, number] | null {
  const n = BigInt(size)
  if (start < 0n) start += n
  if (stop < 0n) stop += n
  if (start < 0n) start = 0n
  if (start > stop || start >= n) return null
  if (stop >= n) stop = n - 1n
  return [Number(start), Number(stop)]
}
