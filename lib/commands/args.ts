// Argument parsing shared by every command family: Redis's own number rules and option scanning.

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

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

/** parseInt64 as a JS number, for arguments that must be safe integers (counts, offsets, times). */
export function parseSafeInt(arg: Buffer): number | null {
  const value = parseInt64(arg)
  if (value === null || value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return null
  return Number(value)
}

export function lower(arg: Buffer): string {
  return arg.toString('latin1').toLowerCase()
}

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX
}
