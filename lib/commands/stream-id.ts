// Stream IDs without IO: `<ms>-<seq>`, two unsigned 64-bit halves, parsed as Redis 7.0's
// streamGenericParseIDOrReply (string2ull's quirks included), formatted, stepped, and encoded as
// 16 big-endian bytes so that byte order is ID order (the entries' sub-keys, streams.ts).
import { parseInt64 } from './args'

export interface StreamId {
  readonly ms: bigint
  readonly seq: bigint
}

export const U64_MAX = 2n ** 64n - 1n
export const ZERO_ID: StreamId = Object.freeze({ ms: 0n, seq: 0n })
export const MAX_ID: StreamId = Object.freeze({ ms: U64_MAX, seq: U64_MAX })
export const ID_BYTES = 16

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1
  return 0
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`
}

export function encodeId(id: StreamId, out: Buffer = Buffer.allocUnsafe(ID_BYTES), at = 0): Buffer {
  out.writeBigUInt64BE(id.ms, at)
  out.writeBigUInt64BE(id.seq, at + 8)
  return out
}

export function decodeId(bytes: Buffer, at = 0): StreamId {
  return { ms: bytes.readBigUInt64BE(at), seq: bytes.readBigUInt64BE(at + 8) }
}

/** The next ID; null past the last possible one (Redis's streamIncrID fails, and wraps to 0-0). */
export function incrId(id: StreamId): StreamId | null {
  if (id.seq !== U64_MAX) return { ms: id.ms, seq: id.seq + 1n }
  if (id.ms === U64_MAX) return null
  return { ms: id.ms + 1n, seq: 0n }
}

/** The previous ID; null before 0-0. */
export function decrId(id: StreamId): StreamId | null {
  if (id.seq !== 0n) return { ms: id.ms, seq: id.seq - 1n }
  if (id.ms === 0n) return null
  return { ms: id.ms - 1n, seq: U64_MAX }
}

/**
 * The ID an auto-generated XADD (`*`) gets: the wall clock's ms, or the last ID's ms with the next
 * sequence when the clock has not passed it (streamNextID). Null when no ID is left.
 *
 * Across nodes (DESIGN.md §6) auto IDs must not collide: docs/data-model.md describes how the
 * sequence will carry the origin once a node has peers. With no peers the form is Redis's own.
 */
export function nextAutoId(last: StreamId, nowMs: number): StreamId | null {
  const ms = BigInt(Math.max(0, Math.floor(nowMs)))
  if (ms > last.ms) return { ms, seq: 0n }
  return incrId(last)
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d])

/**
 * An unsigned 64-bit number as Redis's string2ull reads it: a strict int64 (string2ll) when it is
 * one (negative: invalid), else C's strtoull over the whole string (leading blanks, a sign, leading
 * zeros; a '-' wraps around). Null when invalid.
 */
export function parseU64(text: Buffer): bigint | null {
  const strict = parseInt64(text)
  if (strict !== null) return strict < 0n ? null : strict
  let i = 0
  while (i < text.length && SPACE.has(text[i])) i++
  let negative = false
  if (i < text.length && (text[i] === 0x2b || text[i] === 0x2d)) negative = text[i++] === 0x2d
  const start = i
  let value = 0n
  for (; i < text.length; i++) {
    const c = text[i]
    if (c < 0x30 || c > 0x39) return null
    value = value * 10n + BigInt(c - 0x30)
    if (value > U64_MAX) return null
  }
  if (i === start) return null
  return negative ? (U64_MAX + 1n - value) % (U64_MAX + 1n) : value
}

export interface ParsedId {
  readonly id: StreamId
  /** False for XADD's `<ms>-*` form: the sequence is to be generated. */
  readonly seqGiven: boolean
}

const MINUS = 0x2d
const PLUS = 0x2b
/** Redis copies the argument into a 128-byte buffer first: longer is invalid. */
const ID_TEXT_MAX = 127

/**
 * One ID argument: `-` (0-0) and `+` (the largest) unless `strict`; `<ms>` alone takes
 * `missingSeq`; `<ms>-*` only when `seqStar` (XADD). Null when invalid.
 */
export function parseId(arg: Buffer, missingSeq: bigint, strict: boolean, seqStar = false): ParsedId | null {
  if (arg.length > ID_TEXT_MAX) return null
  // C sees the argument up to its first NUL.
  const nul = arg.indexOf(0)
  const text = nul < 0 ? arg : arg.subarray(0, nul)
  if (text.length === 1 && (text[0] === MINUS || text[0] === PLUS)) {
    if (strict) return null
    return { id: text[0] === MINUS ? ZERO_ID : MAX_ID, seqGiven: true }
  }
  const dash = text.indexOf(MINUS)
  const ms = parseU64(dash < 0 ? text : text.subarray(0, dash))
  if (ms === null) return null
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true }
  const rest = text.subarray(dash + 1)
  if (seqStar && rest.length === 1 && rest[0] === 0x2a) return { id: { ms, seq: 0n }, seqGiven: false }
  const seq = parseU64(rest)
  return seq === null ? null : { id: { ms, seq }, seqGiven: true }
}

/** A strict ID (no `-`/`+`): XDEL, XACK, XCLAIM, MINID... */
export function parseStrictId(arg: Buffer, missingSeq = 0n): StreamId | null {
  return parseId(arg, missingSeq, true)?.id ?? null
}

/** A range end (XRANGE, XPENDING, XAUTOCLAIM): `(id` is exclusive and strict. */
export function parseRangeId(arg: Buffer, missingSeq: bigint): { id: StreamId; exclusive: boolean } | null {
  const exclusive = arg.length > 1 && arg[0] === 0x28
  const parsed = exclusive ? parseId(arg.subarray(1), missingSeq, true) : parseId(arg, missingSeq, false)
  return parsed === null ? null : { id: parsed.id, exclusive }
}
