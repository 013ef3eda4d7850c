// Sorted-set scores without IO: the sortable byte encoding of the score index, C's strtod as
// Redis reads scores and score ranges, and the lex ranges of ZRANGEBYLEX.

export const SCORE_BYTES = 8

const SIGN = 0x80

/**
 * A score as 8 bytes whose byte order is the numeric order: the IEEE 754 bits, big-endian, with
 * the sign bit flipped for positives and every bit flipped for negatives. -0 encodes as 0 (they
 * are equal scores, so their members must interleave by member bytes). NaN is never stored.
 */
export function encodeScore(score: number, out: Buffer = Buffer.allocUnsafe(SCORE_BYTES), at = 0): Buffer {
  out.writeDoubleBE(score === 0 ? 0 : score, at)
  if (out[at] & SIGN) {
    for (let i = at; i < at + SCORE_BYTES; i++) out[i] = ~out[i] & 0xff
  } else {
    out[at] |= SIGN
  }
  return out
}

/** Reused by decodeScore: it runs once per index row walked, synchronously. */
const scratch = Buffer.alloc(SCORE_BYTES)

/** The score encodeScore wrote at `at` (a zero reads as +0). */
export function decodeScore(encoded: Buffer, at = 0): number {
  const bits = scratch
  encoded.copy(bits, 0, at, at + SCORE_BYTES)
  if (bits[0] & SIGN) {
    bits[0] &= ~SIGN & 0xff
  } else {
    for (let i = 0; i < SCORE_BYTES; i++) bits[i] = ~bits[i] & 0xff
  }
  return bits.readDoubleBE(0)
}

/** The smallest 8-byte string above `encoded` (null past 0xff..ff): an exclusive upper bound covering a whole score. */
export function nextEncoded(encoded: Buffer): Buffer | null {
  const out = Buffer.from(encoded)
  for (let i = SCORE_BYTES - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]++
      return out
    }
    out[i] = 0
  }
  return null
}

// ------------------------------------------------------------------ strtod

export interface Strtod {
  value: number
  /** Characters consumed: 0 when nothing converts (C sets endptr to the start). */
  end: number
  /** errno = ERANGE: a finite number that overflowed to ±inf or underflowed to 0. */
  range: boolean
}

const isCSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r')
const isDigit = (c: string): boolean => c >= '0' && c <= '9'
const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c)

/** glibc strtod over `text` (latin1): leading blanks, sign, decimal, hex (0x..p..), inf, infinity, nan(...). */
export function strtod(text: string): Strtod {
  const fail: Strtod = { value: 0, end: 0, range: false }
  let i = 0
  while (i < text.length && isCSpace(text[i])) i++
  let sign = 1
  if (text[i] === '+' || text[i] === '-') {
    if (text[i] === '-') sign = -1
    i++
  }
  const rest = text.slice(i, i + 8).toLowerCase()
  if (rest.startsWith('inf')) return { value: sign * Infinity, end: i + (rest === 'infinity' ? 8 : 3), range: false }
  if (rest.startsWith('nan')) {
    let end = i + 3
    const paren = /^\([0-9A-Za-z_]*\)/.exec(text.slice(end))
    if (paren !== null) end += paren[0].length
    return { value: NaN, end, range: false }
  }
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && (isHex(text[i + 2] ?? '') || (text[i + 2] === '.' && isHex(text[i + 3] ?? '')))) {
    return hexFloat(text, i + 2, sign)
  }
  const start = i
  let digits = 0
  let nonZero = false
  while (i < text.length && isDigit(text[i])) {
    if (text[i] !== '0') nonZero = true
    i++
    digits++
  }
  if (text[i] === '.') {
    i++
    while (i < text.length && isDigit(text[i])) {
      if (text[i] !== '0') nonZero = true
      i++
      digits++
    }
  }
  if (digits === 0) return fail
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1
    if (text[j] === '+' || text[j] === '-') j++
    if (isDigit(text[j] ?? '')) {
      while (j < text.length && isDigit(text[j])) j++
      i = j
    }
  }
  const magnitude = Number(text.slice(start, i))
  return { value: sign * magnitude, end: i, range: magnitude === Infinity || (magnitude === 0 && nonZero) }
}

function hexFloat(text: string, from: number, sign: number): Strtod {
  let i = from
  let mantissa = ''
  let fractionDigits = 0
  while (i < text.length && isHex(text[i])) mantissa += text[i++]
  if (text[i] === '.') {
    i++
    while (i < text.length && isHex(text[i])) {
      mantissa += text[i++]
      fractionDigits++
    }
  }
  let exponent = 0
  if (text[i] === 'p' || text[i] === 'P') {
    const match = /^[pP]([+-]?\d+)/.exec(text.slice(i))
    if (match !== null) {
      exponent = Number(match[1])
      i += match[0].length
    }
  }
  let value = Number(BigInt(`0x${mantissa}`))
  const nonZero = value !== 0
  // Scale in steps so an intermediate power of two neither overflows nor underflows early.
  let scale = exponent - 4 * fractionDigits
  while (scale !== 0 && value !== 0 && Number.isFinite(value)) {
    const step = Math.max(-1000, Math.min(1000, scale))
    value *= 2 ** step
    scale -= step
  }
  return { value: sign * value, end: i, range: value === Infinity || (value === 0 && nonZero) }
}

/**
 * A score argument as Redis's getDoubleFromObject reads it (ZADD, ZINCRBY, WEIGHTS): the whole
 * argument, no leading blank, not empty, not NaN, no overflow or underflow to zero. Null if invalid.
 */
export function parseScore(arg: Buffer): number | null {
  const text = arg.toString('latin1')
  if (text.length === 0 || isCSpace(text[0])) return null
  const parsed = strtod(text)
  if (parsed.end !== text.length || Number.isNaN(parsed.value)) return null
  if (parsed.range && (parsed.value === 0 || !Number.isFinite(parsed.value))) return null
  return parsed.value
}

// ---------------------------------------------------------------- ranges

export interface ScoreRange {
  min: number
  max: number
  minEx: boolean
  maxEx: boolean
}

/** One bound of ZRANGEBYSCORE as zslParseRange reads it: `(` excludes; strtod up to the first NUL, as C sees it. */
function scoreBound(arg: Buffer): { value: number; ex: boolean } | null {
  const nul = arg.indexOf(0)
  let text = (nul < 0 ? arg : arg.subarray(0, nul)).toString('latin1')
  const ex = text[0] === '('
  if (ex) text = text.slice(1)
  const parsed = strtod(text)
  if (parsed.end !== text.length || Number.isNaN(parsed.value)) return null
  return { value: parsed.value, ex }
}

/** `min max` of a score range; null for "min or max is not a float". */
export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | null {
  const low = scoreBound(min)
  const high = scoreBound(max)
  if (low === null || high === null) return null
  return { min: low.value, max: high.value, minEx: low.ex, maxEx: high.ex }
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minEx ? score > range.min : score >= range.min
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxEx ? score < range.max : score <= range.max
}

/** Whether no score can be in the range (Redis answers at once then). */
export function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minEx || range.maxEx))
}

/** A lex bound: `-` and `+` are the smallest and largest strings; `[x` includes x, `(x` excludes it. */
export type LexValue = Buffer | '-' | '+'

export interface LexRange {
  min: LexValue
  max: LexValue
  minEx: boolean
  maxEx: boolean
}

function lexBound(arg: Buffer): { value: LexValue; ex: boolean } | null {
  // C tests the byte after `+`/`-` for NUL, so `+\0x` reads as `+`.
  const alone = arg.length === 1 || arg[1] === 0
  switch (arg[0]) {
    case 0x2b: return alone ? { value: '+', ex: true } : null
    case 0x2d: return alone ? { value: '-', ex: true } : null
    case 0x28: return { value: arg.subarray(1), ex: true }
    case 0x5b: return { value: arg.subarray(1), ex: false }
    default: return null
  }
}

/** `min max` of a lex range; null for "min or max not valid string range item". */
export function parseLexRange(min: Buffer, max: Buffer): LexRange | null {
  const low = lexBound(min)
  const high = lexBound(max)
  if (low === null || high === null) return null
  return { min: low.value, max: high.value, minEx: low.ex, maxEx: high.ex }
}

/** Redis's sdscmplex: `-` below every string, `+` above, a bound equal only to itself. */
export function compareLex(a: LexValue, b: LexValue): number {
  if (a === b) return 0
  if (a === '-' || b === '+') return -1
  if (a === '+' || b === '-') return 1
  return Buffer.compare(a, b)
}

export function lexGteMin(member: Buffer, range: LexRange): boolean {
  const cmp = compareLex(member, range.min)
  return range.minEx ? cmp > 0 : cmp >= 0
}

export function lexLteMax(member: Buffer, range: LexRange): boolean {
  const cmp = compareLex(member, range.max)
  return range.maxEx ? cmp < 0 : cmp <= 0
}

export function lexRangeEmpty(range: LexRange): boolean {
  const cmp = compareLex(range.min, range.max)
  return cmp > 0 || (cmp === 0 && (range.minEx || range.maxEx))
}
