// Sorted-set commands (Redis 7.0 semantics). Two records per member (collection.ts):
//   TAG_MEMBER [member]              -> the score, an 8-byte big-endian double
//   TAG_SCORE  [sortable score][member] -> empty
// The score index is in (score, member bytes) order, as Redis orders equal scores, so every range
// is an iterator over it. Ranks have no counted tree behind them: ZRANK, ZRANGE by rank and LIMIT
// offsets walk the index, O(rank) rather than Redis's O(log n); ZCOUNT and ZLEXCOUNT are O(matches).
//
// Scores are LWW registers, ZINCRBY's result included. DESIGN.md §6 makes a ZINCRBY score a
// counter (per-origin totals, as hashes.ts does for HINCRBY); that needs the totals in the member
// record once replication merges scores, and is left for then: on a single node both agree.
import { double, error, ErrorReply, Errors, NIL_ARRAY, pairs, Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { formatDouble } from '../native'
import { TYPE_SET, TYPE_ZSET } from '../storage/layout'
import { clampRange, lower, parseInt64 } from './args'
import { Collection, FirstNamed, isErrorReply, sizeCommand, SubRow, TAG_MEMBER, TAG_SCORE } from './collection'
import { parseScanArgs, scanStep, ScanOptions, SMALL_COLLECTION } from './member-scan'
import { randomCount, randomOne } from './random-members'
import { DataCommand, keysAfterCount, MemberArgs, membersAt } from './types'
import {
  decodeScore, encodeScore, LexRange, lexGteMin, lexLteMax, lexRangeEmpty, nextEncoded, parseLexRange, parseScore,
  parseScoreRange, SCORE_BYTES, ScoreRange, scoreGteMin, scoreLteMax, scoreRangeEmpty,
} from './zset-score'

const EMPTY = Buffer.alloc(0)
const LONG_MAX = 2n ** 63n - 1n

const NAN_SCORE = error('ERR resulting score is not a number (NaN)')
const NOT_FLOAT_RANGE = error('ERR min or max is not a float')
const NOT_LEX_RANGE = error('ERR min or max not valid string range item')

/** A member and its score. */
export interface ZEntry {
  readonly member: Buffer
  readonly score: number
}

function open(ctx: ExecContext, key: Buffer): Collection | null | ErrorReply {
  return Collection.open(ctx, key, TYPE_ZSET)
}

// ------------------------------------------------------------ records

function scoreOf(row: { payload: Buffer }): number {
  return row.payload.readDoubleBE(0)
}

function indexSub(score: number, member: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SCORE_BYTES + member.length)
  encodeScore(score, out, 0)
  member.copy(out, SCORE_BYTES)
  return out
}

function indexEntry(row: SubRow): ZEntry {
  return { member: row.sub.subarray(SCORE_BYTES), score: decodeScore(row.sub) }
}

/**
 * Give `member` a score in both records; `old` is its current score, null when it is new. Does not
 * save. A score of -0 is stored as 0, as Redis 7.0 stores it (ZADD z -0 m; ZSCORE z m answers 0).
 */
function writeScore(zset: Collection, member: Buffer, score: number, old: number | null): void {
  if (old !== null) zset.delete(TAG_SCORE, indexSub(old, member))
  const value = Buffer.allocUnsafe(SCORE_BYTES)
  value.writeDoubleBE(score === 0 ? 0 : score, 0)
  zset.put(TAG_MEMBER, member, TYPE_ZSET, value)
  const sub = indexSub(score, member)
  zset.put(TAG_SCORE, sub, TYPE_ZSET, EMPTY)
  const bounds = indexBounds(zset)
  if (bounds === null) setIndexBounds(zset, sub, sub)
  else if (Buffer.compare(sub, bounds.low) < 0 || Buffer.compare(sub, bounds.high) > 0) {
    setIndexBounds(zset, Buffer.compare(sub, bounds.low) < 0 ? sub : bounds.low, Buffer.compare(sub, bounds.high) > 0 ? sub : bounds.high)
  }
}

// The meta tail holds bounds on the live score-index sub-keys ([u32 len][low][u32 len][high]):
// pops move them inward, so walks from either end seek past the RocksDB tombstones that popped
// members leave instead of stepping over each of them (ZPOPMIN on a schedule would otherwise slow
// down with every pop). Writes widen them; other removals leave them loose, which is safe.
function indexBounds(zset: Collection): { low: Buffer; high: Buffer } | null {
  const extra = zset.extra
  if (extra.length === 0) return null
  const lowLength = extra.readUInt32BE(0)
  const low = extra.subarray(4, 4 + lowLength)
  const high = extra.subarray(8 + lowLength, 8 + lowLength + extra.readUInt32BE(4 + lowLength))
  return { low, high }
}

function setIndexBounds(zset: Collection, low: Buffer, high: Buffer): void {
  const extra = Buffer.allocUnsafe(8 + low.length + high.length)
  extra.writeUInt32BE(low.length, 0)
  low.copy(extra, 4)
  extra.writeUInt32BE(high.length, 4 + low.length)
  high.copy(extra, 8 + low.length)
  zset.extra = extra
}

/** Score-index rows in [from, to) (null: unbounded), clamped to the live bounds; `firstPage` as Collection.range. */
function indexRows(zset: Collection, from: Buffer | null, to: Buffer | null, reverse = false, firstPage?: number): Generator<SubRow> {
  const bounds = indexBounds(zset)
  if (bounds !== null) {
    if (from === null || Buffer.compare(from, bounds.low) < 0) from = bounds.low
    const end = Buffer.concat([bounds.high, ZERO])
    if (to === null || Buffer.compare(to, end) > 0) to = end
  }
  return zset.range(TAG_SCORE, from, to, reverse, firstPage)
}

/** Remove members (each present, with its current score) and save. */
function removeEntries(zset: Collection, entries: ZEntry[]): void {
  if (entries.length === 0) return
  for (const entry of entries) {
    zset.delete(TAG_MEMBER, entry.member)
    zset.delete(TAG_SCORE, indexSub(entry.score, entry.member))
  }
  zset.size -= entries.length
  zset.save()
}

/** Write a new sorted set at `key` (deleted first by the caller); nothing when empty. */
function storeZset(ctx: ExecContext, key: Buffer, entries: ZEntry[]): void {
  if (entries.length === 0) return
  const target = Collection.openOrCreate(ctx, key, TYPE_ZSET) as Collection
  for (const entry of entries) writeScore(target, entry.member, entry.score, null)
  target.size = entries.length
  target.save()
  ctx.signalReady(key)
}

function entriesReply(entries: ZEntry[], withScores: boolean): Reply {
  if (!withScores) return entries.map((entry) => entry.member)
  const out: Reply[] = []
  for (const entry of entries) out.push(entry.member, double(entry.score))
  return pairs(out)
}

// ------------------------------------------------------------- ranges

/** Index rows of rank start..end (already clamped to the set), from the top when reversed. */
function* rankRows(zset: Collection, start: number, end: number, reverse: boolean): Generator<ZEntry> {
  let rank = 0
  for (const row of indexRows(zset, null, null, reverse)) {
    if (rank > end) return
    if (rank >= start) yield indexEntry(row)
    rank++
  }
}

/** Index rows with scores in `range`, ascending or descending: a seek to one end, a walk to the other. */
function* scoreRows(zset: Collection, range: ScoreRange, reverse: boolean): Generator<ZEntry> {
  if (scoreRangeEmpty(range)) return
  for (const row of indexRows(zset, encodeScore(range.min), nextEncoded(encodeScore(range.max)), reverse)) {
    const entry = indexEntry(row)
    // Only rows at an excluded bound's own score fail these, at the ends of the walk.
    if (scoreGteMin(entry.score, range) && scoreLteMax(entry.score, range)) yield entry
  }
}

/**
 * Index rows in a lex range. Redis defines lex ranges for sets whose scores are all equal, and
 * otherwise walks its listpack: skip to the first member past the near bound, then stop at the
 * first one past the far bound. We do the same; when the first and last scores are equal (the
 * documented case) the walk seeks straight to the near bound.
 */
function* lexRows(zset: Collection, range: LexRange, reverse: boolean): Generator<ZEntry> {
  if (lexRangeEmpty(range)) return
  let from: Buffer | null = null
  let to: Buffer | null = null
  let first: SubRow | null = null
  let last: SubRow | null = null
  for (const row of indexRows(zset, null, null, false, 1)) { first = row; break }
  for (const row of indexRows(zset, null, null, true, 1)) { last = row; break }
  if (first === null || last === null) return
  // Redis's zzlIsInLexRange: nothing when the last member is below min or the first above max.
  if (!lexGteMin(indexEntry(last).member, range) || !lexLteMax(indexEntry(first).member, range)) return
  const prefix = first.sub.subarray(0, SCORE_BYTES)
  if (prefix.equals(last.sub.subarray(0, SCORE_BYTES))) {
    if (Buffer.isBuffer(range.min)) from = Buffer.concat([prefix, range.min])
    if (Buffer.isBuffer(range.max)) to = Buffer.concat([prefix, range.max, ZERO])
  }
  let started = false
  for (const row of indexRows(zset, from, to, reverse)) {
    const entry = indexEntry(row)
    const near = reverse ? lexLteMax(entry.member, range) : lexGteMin(entry.member, range)
    if (!started && !near) continue
    started = true
    const far = reverse ? lexGteMin(entry.member, range) : lexLteMax(entry.member, range)
    if (!far) return
    yield entry
  }
}

const ZERO = Buffer.from([0])

/** `offset` rows skipped, then at most `limit` (negative: all); a negative offset yields nothing, as Redis. */
function* window(rows: Generator<ZEntry>, offset: bigint, limit: bigint): Generator<ZEntry> {
  if (offset < 0n || limit === 0n) return
  for (const row of rows) {
    if (offset > 0n) {
      offset--
      continue
    }
    yield row
    if (limit > 0n && --limit === 0n) return
  }
}

type RangeBy = 'rank' | 'score' | 'lex'

interface RangeQuery {
  readonly key: Buffer
  readonly by: RangeBy
  readonly reverse: boolean
  readonly withScores: boolean
  readonly offset: bigint
  /** -1: no LIMIT. */
  readonly limit: bigint
  readonly start: bigint
  readonly end: bigint
  readonly score: ScoreRange | null
  readonly lex: LexRange | null
}

/**
 * `key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]` from argv[at], as Redis's
 * zrangeGenericCommand reads it: ZRANGEBYSCORE and friends fix `by` and `reverse` and so refuse
 * those options; ZRANGESTORE refuses WITHSCORES.
 */
function parseRange(argv: Buffer[], at: number, store: boolean, fixedBy: RangeBy | null, fixedReverse: boolean | null): RangeQuery | ErrorReply {
  let by = fixedBy
  let reverse = fixedReverse
  let withScores = false
  let offset = 0n
  let limit = -1n
  for (let j = at + 3; j < argv.length; j++) {
    const option = lower(argv[j])
    if (!store && option === 'withscores') {
      withScores = true
    } else if (option === 'limit' && argv.length - j - 1 >= 2) {
      const o = parseInt64(argv[j + 1])
      const l = parseInt64(argv[j + 2])
      if (o === null || l === null) return Errors.notInteger
      offset = o
      limit = l
      j += 2
    } else if (fixedReverse === null && option === 'rev') {
      reverse = true
    } else if (fixedBy === null && option === 'bylex') {
      by = 'lex'
    } else if (fixedBy === null && option === 'byscore') {
      by = 'score'
    } else {
      return Errors.syntax
    }
  }
  by ??= 'rank'
  reverse ??= false
  if (limit !== -1n && by === 'rank') return error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX')
  if (withScores && by === 'lex') return error('ERR syntax error, WITHSCORES not supported in combination with BYLEX')
  // By score or lex, a reversed range names its bounds high first.
  const [min, max] = reverse && by !== 'rank' ? [argv[at + 2], argv[at + 1]] : [argv[at + 1], argv[at + 2]]
  const query = { key: argv[at], by, reverse, withScores, offset, limit, start: 0n, end: 0n, score: null, lex: null }
  if (by === 'rank') {
    const start = parseInt64(min)
    const end = parseInt64(max)
    if (start === null || end === null) return Errors.notInteger
    return { ...query, start, end }
  }
  if (by === 'score') {
    const score = parseScoreRange(min, max)
    return score === null ? NOT_FLOAT_RANGE : { ...query, score }
  }
  const lex = parseLexRange(min, max)
  return lex === null ? NOT_LEX_RANGE : { ...query, lex }
}

/** The entries a range query selects, in reply order. */
function selectRange(zset: Collection, query: RangeQuery): ZEntry[] {
  if (query.by === 'rank') {
    const ranks = clampRange(query.start, query.end, zset.size)
    return ranks === null ? [] : [...rankRows(zset, ranks[0], ranks[1], query.reverse)]
  }
  // As Redis: an offset past the end answers at once.
  if (query.offset > 0n && query.offset >= BigInt(zset.size)) return []
  const rows = query.by === 'score' ? scoreRows(zset, query.score!, query.reverse) : lexRows(zset, query.lex!, query.reverse)
  return [...window(rows, query.offset, query.limit)]
}

// ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES], and the fixed forms:
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count], ZREVRANGEBYSCORE key max min ...,
// ZRANGEBYLEX key min max [LIMIT offset count], ZREVRANGEBYLEX key max min ..., ZREVRANGE key start stop [WITHSCORES]
function zrangeGeneric(by: RangeBy | null, reverse: boolean | null) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const query = parseRange(argv, 1, false, by, reverse)
    if (isErrorReply(query)) return query
    const zset = open(ctx, query.key)
    if (zset === null || isErrorReply(zset)) return zset ?? []
    return entriesReply(selectRange(zset, query), query.withScores)
  }
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
function zrangestore(ctx: ExecContext, argv: Buffer[]): Reply {
  const query = parseRange(argv, 2, true, null, null)
  if (isErrorReply(query)) return query
  const zset = open(ctx, query.key)
  if (isErrorReply(zset)) return zset
  const entries = zset === null ? [] : selectRange(zset, query)
  ctx.delete(argv[1])
  storeZset(ctx, argv[1], entries)
  return entries.length
}

// ------------------------------------------------------------ writes

interface AddFlags {
  nx: boolean
  xx: boolean
  gt: boolean
  lt: boolean
  ch: boolean
  incr: boolean
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
// ZINCRBY key increment member: ZADD with INCR, so its argument checks are ZADD's (as Redis).
function zaddGeneric(incr: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const flags: AddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr }
    let at = 2
    for (; at < argv.length; at++) {
      const option = lower(argv[at])
      if (option === 'nx' || option === 'xx' || option === 'gt' || option === 'lt' || option === 'ch' || option === 'incr') flags[option] = true
      else break
    }
    const elements = argv.length - at
    if (elements === 0 || elements % 2 !== 0) return Errors.syntax
    if (flags.nx && flags.xx) return error('ERR XX and NX options at the same time are not compatible')
    if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
      return error('ERR GT, LT, and/or NX options at the same time are not compatible')
    }
    if (flags.incr && elements > 2) return error('ERR INCR option supports a single increment-element pair')
    // Every score is checked before anything is written: the command applies whole or not at all.
    const scores: number[] = []
    const members: Buffer[] = []
    for (let i = at; i < argv.length; i += 2) {
      const score = parseScore(argv[i])
      if (score === null) return Errors.notFloat
      scores.push(score)
      members.push(argv[i + 1])
    }
    const zset = Collection.openOrCreate(ctx, argv[1], TYPE_ZSET)
    if (isErrorReply(zset)) return zset
    if (zset.size === 0 && flags.xx) return flags.incr ? null : 0
    const stored = zset.getMany(TAG_MEMBER, members)
    // Scores as this command leaves them: a member named twice sees its first write. None for
    // a command of one member.
    const current = members.length > 1 ? new Map<string, number | null>() : null
    let added = 0
    let updated = 0
    let processed = 0
    let result = 0
    for (let j = 0; j < members.length; j++) {
      const id = current === null ? '' : members[j].toString('latin1')
      const known = current?.get(id)
      const old = known !== undefined ? known : stored[j] === null ? null : scoreOf(stored[j]!)
      let score = scores[j]
      if (old !== null) {
        if (flags.nx) continue
        if (flags.incr) {
          score += old
          if (Number.isNaN(score)) return NAN_SCORE
        }
        if ((flags.lt && score >= old) || (flags.gt && score <= old)) continue
        processed++
        result = score
        // -0 and 0 are the same score: no update, the stored one stays.
        if (score !== old) {
          writeScore(zset, members[j], score, old)
          current?.set(id, score)
          updated++
        }
      } else if (!flags.xx) {
        writeScore(zset, members[j], score, null)
        current?.set(id, score)
        processed++
        added++
        result = score
      }
    }
    if (added + updated > 0) {
      zset.size += added
      zset.save()
      ctx.signalReady(argv[1])
    }
    if (flags.incr) return processed > 0 ? double(result) : null
    return flags.ch ? added + updated : added
  }
}

// ZREM key member [member ...]
function zrem(ctx: ExecContext, argv: Buffer[]): Reply {
  const zset = open(ctx, argv[1])
  if (zset === null || isErrorReply(zset)) return zset ?? 0
  const members = argv.slice(2)
  const stored = zset.getMany(TAG_MEMBER, members)
  const named = new FirstNamed(members.length)
  const removed: ZEntry[] = []
  for (let i = 0; i < members.length; i++) {
    if (stored[i] === null || !named.first(members[i])) continue
    removed.push({ member: members[i], score: scoreOf(stored[i]!) })
  }
  removeEntries(zset, removed)
  return removed.length
}

// ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max
function zremrangeGeneric(by: RangeBy) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    // The range is checked before the key, as Redis.
    let start = 0n
    let end = 0n
    let score: ScoreRange | null = null
    let lex: LexRange | null = null
    if (by === 'rank') {
      const s = parseInt64(argv[2])
      const e = parseInt64(argv[3])
      if (s === null || e === null) return Errors.notInteger
      start = s
      end = e
    } else if (by === 'score') {
      score = parseScoreRange(argv[2], argv[3])
      if (score === null) return NOT_FLOAT_RANGE
    } else {
      lex = parseLexRange(argv[2], argv[3])
      if (lex === null) return NOT_LEX_RANGE
    }
    const zset = open(ctx, argv[1])
    if (zset === null || isErrorReply(zset)) return zset ?? 0
    let entries: ZEntry[]
    if (by === 'rank') {
      const ranks = clampRange(start, end, zset.size)
      entries = ranks === null ? [] : [...rankRows(zset, ranks[0], ranks[1], false)]
    } else {
      entries = [...(score !== null ? scoreRows(zset, score, false) : lexRows(zset, lex!, false))]
    }
    removeEntries(zset, entries)
    return entries.length
  }
}

/**
 * Pop up to `count` members with the lowest (min) or highest scores from the sorted set at `key`:
 * the core of ZPOPMIN/ZPOPMAX/ZMPOP, and of their blocking forms. Null when there is no such key
 * (nothing to pop), WRONGTYPE when it holds another type; count 0 pops nothing from a live key.
 */
export function popFrom(ctx: ExecContext, key: Buffer, min: boolean, count: number): ZEntry[] | ErrorReply | null {
  const zset = open(ctx, key)
  if (zset === null || isErrorReply(zset)) return zset
  const popped: ZEntry[] = []
  if (count > 0) {
    for (const row of indexRows(zset, null, null, !min, count)) {
      popped.push(indexEntry(row))
      if (popped.length >= count) break
    }
  }
  const bounds = indexBounds(zset)
  if (popped.length > 0 && bounds !== null) {
    // Every member left is beyond the last one popped.
    const edge = indexSub(popped[popped.length - 1].score, popped[popped.length - 1].member)
    setIndexBounds(zset, min ? edge : bounds.low, min ? bounds.high : edge)
  }
  removeEntries(zset, popped)
  return popped
}

/** Popped entries as ZPOPMIN with a count and BZMPOP answer: pairs (RESP2 flat, RESP3 [member, score] arrays). */
export function poppedPairs(popped: ZEntry[]): Reply {
  return entriesReply(popped, true)
}

/** ZMPOP's and BZMPOP's reply: [key, [[member, score], ...]] in both protocols. */
export function mpopReply(key: Buffer, popped: ZEntry[]): Reply {
  return [key, popped.map((entry) => [entry.member, double(entry.score)])]
}

// ZPOPMIN key [count] / ZPOPMAX key [count]
function zpop(min: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    if (argv.length > 3) return Errors.syntax
    let count = -1
    if (argv.length === 3) {
      // Redis answers a count that is not an integer with the same words.
      const value = parseInt64(argv[2])
      if (value === null || value < 0n) return error('ERR value is out of range, must be positive')
      count = Number(value)
    }
    const popped = popFrom(ctx, argv[1], min, count === -1 ? 1 : count)
    if (popped === null || isErrorReply(popped)) return popped ?? []
    // Without a count the reply is one flat [member, score] in both protocols.
    if (count === -1) return popped.length === 0 ? [] : [popped[0].member, double(popped[0].score)]
    return poppedPairs(popped)
  }
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
function zmpop(ctx: ExecContext, argv: Buffer[]): Reply {
  const numkeys = parseInt64(argv[1])
  if (numkeys === null || numkeys < 1n) return error('ERR numkeys should be greater than 0')
  if (numkeys >= BigInt(argv.length - 2)) return Errors.syntax
  const whereAt = 2 + Number(numkeys)
  const where = lower(argv[whereAt])
  if (where !== 'min' && where !== 'max') return Errors.syntax
  let count = -1n
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1n && lower(argv[j]) === 'count' && j + 1 < argv.length) {
      const value = parseInt64(argv[++j])
      if (value === null || value < 1n) return error('ERR count should be greater than 0')
      count = value
    } else {
      return Errors.syntax
    }
  }
  for (const key of argv.slice(2, whereAt)) {
    const popped = popFrom(ctx, key, where === 'min', count === -1n ? 1 : Number(count))
    if (popped === null) continue
    if (isErrorReply(popped)) return popped
    return mpopReply(key, popped)
  }
  return NIL_ARRAY
}

// ------------------------------------------------------------- reads

// ZSCORE key member
function zscore(ctx: ExecContext, argv: Buffer[]): Reply {
  const zset = open(ctx, argv[1])
  if (zset === null || isErrorReply(zset)) return zset
  const member = zset.get(TAG_MEMBER, argv[2])
  return member === null ? null : double(scoreOf(member))
}

// ZMSCORE key member [member ...]
function zmscore(ctx: ExecContext, argv: Buffer[]): Reply {
  const zset = open(ctx, argv[1])
  if (isErrorReply(zset)) return zset
  const members = argv.slice(2)
  if (zset === null) return members.map(() => null)
  return zset.getMany(TAG_MEMBER, members).map((member) => (member === null ? null : double(scoreOf(member))))
}

// ZRANK key member / ZREVRANK key member: O(rank), counting the index rows on the near side.
function zrankGeneric(reverse: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const zset = open(ctx, argv[1])
    if (zset === null || isErrorReply(zset)) return zset
    const member = zset.get(TAG_MEMBER, argv[2])
    if (member === null) return null
    const sub = indexSub(scoreOf(member), argv[2])
    const rows = reverse ? indexRows(zset, Buffer.concat([sub, ZERO]), null) : indexRows(zset, null, sub)
    let rank = 0
    for (const _ of rows) rank++
    return rank
  }
}

// ZCOUNT key min max
function zcount(ctx: ExecContext, argv: Buffer[]): Reply {
  const range = parseScoreRange(argv[2], argv[3])
  if (range === null) return NOT_FLOAT_RANGE
  const zset = open(ctx, argv[1])
  if (zset === null || isErrorReply(zset)) return zset ?? 0
  let count = 0
  for (const _ of scoreRows(zset, range, false)) count++
  return count
}

// ZLEXCOUNT key min max
function zlexcount(ctx: ExecContext, argv: Buffer[]): Reply {
  const range = parseLexRange(argv[2], argv[3])
  if (range === null) return NOT_LEX_RANGE
  const zset = open(ctx, argv[1])
  if (zset === null || isErrorReply(zset)) return zset ?? 0
  let count = 0
  for (const _ of lexRows(zset, range, false)) count++
  return count
}

// ZRANDMEMBER key [count [WITHSCORES]]
function zrandmember(ctx: ExecContext, argv: Buffer[]): Reply {
  if (argv.length === 2) {
    const zset = open(ctx, argv[1])
    if (zset === null || isErrorReply(zset)) return zset
    return randomOne(zset, TAG_MEMBER)!.sub
  }
  // The count is read before the options are checked, as Redis.
  const count = parseInt64(argv[2])
  if (count === null) return Errors.notInteger
  if (count < -LONG_MAX) return error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807')
  if (argv.length > 4 || (argv.length === 4 && lower(argv[3]) !== 'withscores')) return Errors.syntax
  const withScores = argv.length === 4
  // Redis doubles the count for the reply's length: it must fit a long.
  if (withScores && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) return error('ERR value is out of range')
  const zset = open(ctx, argv[1])
  if (isErrorReply(zset)) return zset
  // Asked for all of it, Redis 7.0 answers a small set whole from its highest score down.
  if (zset !== null && count >= BigInt(zset.size)) return entriesReply([...rankRows(zset, 0, zset.size - 1, true)], withScores)
  const rows = randomCount(zset, TAG_MEMBER, argv[2], withScores)
  if (isErrorReply(rows)) return rows
  return entriesReply(rows.map((row) => ({ member: row.sub, score: scoreOf(row) })), withScores)
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
// A small set answers whole in score order, as Redis's listpack; a large one is walked by member,
// an order that score changes during the iteration cannot disturb.
function zscan(ctx: ExecContext, argv: Buffer[]): Reply {
  const options = parseScanArgs(argv)
  if (!('cursor' in (options as object))) return options as Reply
  const zset = open(ctx, argv[1])
  if (isErrorReply(zset)) return zset
  if (zset !== null && zset.size <= SMALL_COLLECTION) {
    return scanStep(zset, TAG_SCORE, options as ScanOptions, (row, out) => {
      const entry = indexEntry(row)
      out.push(entry.member, formatDouble(entry.score))
    }, (row) => row.sub.subarray(SCORE_BYTES))
  }
  return scanStep(zset, TAG_MEMBER, options as ScanOptions, (row, out) => out.push(row.sub, formatDouble(scoreOf(row))))
}

// ------------------------------------------------------ set operations

type SetOp = 'union' | 'inter' | 'diff'
type Aggregate = 'sum' | 'min' | 'max'

/** An input of ZUNION/ZINTER/ZDIFF: a sorted set, or a set whose members score 1. */
interface Source {
  readonly zset: Collection | null
  readonly isSet: boolean
  weight: number
}

function openSource(ctx: ExecContext, key: Buffer): Source | ErrorReply {
  const rec = ctx.get(key)
  if (rec === null) return { zset: null, isSet: false, weight: 1 }
  if (rec.type !== TYPE_ZSET && rec.type !== TYPE_SET) return Errors.wrongType
  return { zset: Collection.of(ctx, key, rec), isSet: rec.type === TYPE_SET, weight: 1 }
}

function* sourceEntries(source: Source): Generator<ZEntry> {
  if (source.zset === null) return
  for (const row of source.zset.range(TAG_MEMBER)) yield { member: row.sub, score: source.isSet ? 1 : scoreOf(row) }
}

function sourceScores(source: Source, members: Buffer[]): Array<number | null> {
  if (source.zset === null) return members.map(() => null)
  return source.zset.getMany(TAG_MEMBER, members).map((row) => (row === null ? null : source.isSet ? 1 : scoreOf(row)))
}

/** A weighted score: weight 0 times an infinite score is NaN, which Redis counts as 0. */
function weighted(score: number, weight: number): number {
  const value = score * weight
  return Number.isNaN(value) ? 0 : value
}

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'min') return value < target ? value : target
  if (how === 'max') return value > target ? value : target
  const sum = target + value
  // inf + -inf: Redis's convention is 0.
  return Number.isNaN(sum) ? 0 : sum
}

const CHUNK = 256

function union(sources: Source[], how: Aggregate): ZEntry[] {
  const out = new Map<string, { member: Buffer; score: number }>()
  for (const source of sources) {
    for (const entry of sourceEntries(source)) {
      const id = entry.member.toString('latin1')
      const score = weighted(entry.score, source.weight)
      const found = out.get(id)
      if (found === undefined) out.set(id, { member: entry.member, score })
      else found.score = aggregate(found.score, score, how)
    }
  }
  return [...out.values()]
}

/** Members of every source; stops after `limit` members (0: no limit). Smallest source first, as Redis. */
function intersect(sources: Source[], how: Aggregate, limit = 0): ZEntry[] {
  if (sources.some((source) => source.zset === null)) return []
  const ordered = sources.slice().sort((a, b) => a.zset!.size - b.zset!.size)
  const out: ZEntry[] = []
  let chunk: ZEntry[] = []
  const check = (): boolean => {
    let scores = chunk.map((entry) => weighted(entry.score, ordered[0].weight))
    let candidates = chunk
    for (let i = 1; i < ordered.length && candidates.length > 0; i++) {
      const found = sourceScores(ordered[i], candidates.map((entry) => entry.member))
      const keep: number[] = []
      for (let j = 0; j < candidates.length; j++) if (found[j] !== null) keep.push(j)
      candidates = keep.map((j) => candidates[j])
      // Not weighted(): Redis zeroes a NaN product only for the first source; SUM zeroes NaN sums anyway.
      scores = keep.map((j) => aggregate(scores[j], found[j]! * ordered[i].weight, how))
    }
    for (let j = 0; j < candidates.length; j++) {
      out.push({ member: candidates[j].member, score: scores[j] })
      if (limit > 0 && out.length >= limit) return true
    }
    chunk = []
    return false
  }
  for (const entry of sourceEntries(ordered[0])) {
    chunk.push(entry)
    if (chunk.length === CHUNK && check()) return out
  }
  check()
  return out
}

function difference(sources: Source[]): ZEntry[] {
  const [first, ...rest] = sources
  let out = [...sourceEntries(first)]
  for (const source of rest) {
    if (source.zset === null || out.length === 0) continue
    const found = sourceScores(source, out.map((entry) => entry.member))
    out = out.filter((_, j) => found[j] === null)
  }
  return out
}

/** Score order, equal scores by member bytes: the order of a sorted set. */
function sortEntries(entries: ZEntry[]): ZEntry[] {
  return entries.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : Buffer.compare(a.member, b.member)))
}

// ZUNION|ZINTER|ZDIFF numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
// ZUNIONSTORE|ZINTERSTORE|ZDIFFSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]
// ZINTERCARD numkeys key [key ...] [LIMIT limit]
// (ZDIFF takes no WEIGHTS or AGGREGATE.) Types are checked before the options, as Redis.
function setOperation(name: string, op: SetOp, mode: 'reply' | 'store' | 'card') {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const at = mode === 'store' ? 2 : 1
    const numkeys = parseInt64(argv[at])
    if (numkeys === null) return Errors.notInteger
    if (numkeys < 1n) return error(`ERR at least 1 input key is needed for '${name}' command`)
    if (numkeys > BigInt(argv.length - at - 1)) return Errors.syntax
    const keyEnd = at + 1 + Number(numkeys)
    const sources: Source[] = []
    for (const key of argv.slice(at + 1, keyEnd)) {
      const source = openSource(ctx, key)
      if (isErrorReply(source)) return source
      sources.push(source)
    }
    let how: Aggregate = 'sum'
    let withScores = false
    let limit = 0
    for (let j = keyEnd; j < argv.length;) {
      const remaining = argv.length - j
      const option = lower(argv[j])
      if (op !== 'diff' && mode !== 'card' && remaining >= sources.length + 1 && option === 'weights') {
        j++
        for (const source of sources) {
          const weight = parseScore(argv[j++])
          if (weight === null) return error('ERR weight value is not a float')
          source.weight = weight
        }
      } else if (op !== 'diff' && mode !== 'card' && remaining >= 2 && option === 'aggregate') {
        const value = lower(argv[j + 1])
        if (value !== 'sum' && value !== 'min' && value !== 'max') return Errors.syntax
        how = value
        j += 2
      } else if (mode === 'reply' && option === 'withscores') {
        withScores = true
        j++
      } else if (mode === 'card' && remaining >= 2 && option === 'limit') {
        const value = parseInt64(argv[j + 1])
        if (value === null || value < 0n) return error("ERR LIMIT can't be negative")
        limit = value > 2n ** 31n ? 2 ** 31 : Number(value)
        j += 2
      } else {
        return Errors.syntax
      }
    }
    if (mode === 'card') return intersect(sources, how, limit).length
    const entries = sortEntries(op === 'union' ? union(sources, how) : op === 'inter' ? intersect(sources, how) : difference(sources))
    if (mode === 'reply') return entriesReply(entries, withScores)
    ctx.delete(argv[1])
    storeZset(ctx, argv[1], entries)
    return entries.length
  }
}

const zsetCommand = (name: string, arity: number, flags: string[], keys: [number, number, number], summary: string, since: string, run: DataCommand['run'], movableKeys?: DataCommand['movableKeys']): DataCommand =>
  ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], group: 'sorted-set', summary, since, run, movableKeys })

const ONE: [number, number, number] = [1, 1, 1]

const ZADD_OPTIONS = new Set(['nx', 'xx', 'gt', 'lt', 'ch', 'incr'])

/** ZADD's members for the batch's read-ahead: after the options, every second argument from the first member. */
function zaddMembers(argv: Buffer[]): MemberArgs | null {
  let at = 2
  while (at < argv.length && argv[at].length <= 4 && ZADD_OPTIONS.has(lower(argv[at]))) at++
  return at + 1 < argv.length ? { type: TYPE_ZSET, tag: TAG_MEMBER, first: at + 1, last: -1, step: 2 } : null
}
/** Movable keys only (Redis's legacy key range 0 0 0). */
const NONE: [number, number, number] = [0, 0, 0]
const NUMKEYS_AT_1 = keysAfterCount(1)
const STORE_KEYS = keysAfterCount(2, [1])

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const zsetCommands: DataCommand[] = [
  { ...zsetCommand('zadd', -4, ['write', 'denyoom', 'fast'], ONE, 'Add one or more members to a sorted set, or update its score if it already exists', '1.2.0', zaddGeneric(false)), memberArgs: zaddMembers },
  zsetCommand('zincrby', 4, ['write', 'denyoom', 'fast'], ONE, 'Increment the score of a member in a sorted set', '1.2.0', zaddGeneric(true)),
  { ...zsetCommand('zrem', -3, ['write', 'fast'], ONE, 'Remove one or more members from a sorted set', '1.2.0', zrem), memberArgs: membersAt(TYPE_ZSET, TAG_MEMBER, 2, -1) },
  zsetCommand('zcard', 2, ['readonly', 'fast'], ONE, 'Get the number of members in a sorted set', '1.2.0', sizeCommand(TYPE_ZSET)),
  { ...zsetCommand('zscore', 3, ['readonly', 'fast'], ONE, 'Get the score associated with the given member in a sorted set', '1.2.0', zscore), memberArgs: membersAt(TYPE_ZSET, TAG_MEMBER, 2, 2) },
  { ...zsetCommand('zmscore', -3, ['readonly', 'fast'], ONE, 'Get the score associated with the given members in a sorted set', '6.2.0', zmscore), memberArgs: membersAt(TYPE_ZSET, TAG_MEMBER, 2, -1) },
  zsetCommand('zrank', 3, ['readonly', 'fast'], ONE, 'Determine the index of a member in a sorted set', '2.0.0', zrankGeneric(false)),
  zsetCommand('zrevrank', 3, ['readonly', 'fast'], ONE, 'Determine the index of a member in a sorted set, with scores ordered from high to low', '2.0.0', zrankGeneric(true)),
  zsetCommand('zcount', 4, ['readonly', 'fast'], ONE, 'Count the members in a sorted set with scores within the given values', '2.0.0', zcount),
  zsetCommand('zlexcount', 4, ['readonly', 'fast'], ONE, 'Count the number of members in a sorted set between a given lexicographical range', '2.8.9', zlexcount),
  zsetCommand('zrange', -4, ['readonly'], ONE, 'Return a range of members in a sorted set', '1.2.0', zrangeGeneric(null, null)),
  zsetCommand('zrangestore', -5, ['write', 'denyoom'], [1, 2, 1], 'Store a range of members from sorted set into another key', '6.2.0', zrangestore),
  zsetCommand('zrangebyscore', -4, ['readonly'], ONE, 'Return a range of members in a sorted set, by score', '1.0.5', zrangeGeneric('score', false)),
  zsetCommand('zrevrangebyscore', -4, ['readonly'], ONE, 'Return a range of members in a sorted set, by score, with scores ordered from high to low', '2.2.0', zrangeGeneric('score', true)),
  zsetCommand('zrangebylex', -4, ['readonly'], ONE, 'Return a range of members in a sorted set, by lexicographical range', '2.8.9', zrangeGeneric('lex', false)),
  zsetCommand('zrevrangebylex', -4, ['readonly'], ONE, 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', '2.8.9', zrangeGeneric('lex', true)),
  zsetCommand('zrevrange', -4, ['readonly'], ONE, 'Return a range of members in a sorted set, by index, with scores ordered from high to low', '1.2.0', zrangeGeneric('rank', true)),
  zsetCommand('zpopmin', -2, ['write', 'fast'], ONE, 'Remove and return members with the lowest scores in a sorted set', '5.0.0', zpop(true)),
  zsetCommand('zpopmax', -2, ['write', 'fast'], ONE, 'Remove and return members with the highest scores in a sorted set', '5.0.0', zpop(false)),
  zsetCommand('zmpop', -4, ['write'], NONE, 'Remove and return members with scores in a sorted set', '7.0.0', zmpop, NUMKEYS_AT_1),
  zsetCommand('zremrangebyrank', 4, ['write'], ONE, 'Remove all members in a sorted set within the given indexes', '2.0.0', zremrangeGeneric('rank')),
  zsetCommand('zremrangebyscore', 4, ['write'], ONE, 'Remove all members in a sorted set within the given scores', '1.2.0', zremrangeGeneric('score')),
  zsetCommand('zremrangebylex', 4, ['write'], ONE, 'Remove all members in a sorted set between the given lexicographical range', '2.8.9', zremrangeGeneric('lex')),
  zsetCommand('zunion', -3, ['readonly'], NONE, 'Add multiple sorted sets', '6.2.0', setOperation('zunion', 'union', 'reply'), NUMKEYS_AT_1),
  zsetCommand('zinter', -3, ['readonly'], NONE, 'Intersect multiple sorted sets', '6.2.0', setOperation('zinter', 'inter', 'reply'), NUMKEYS_AT_1),
  zsetCommand('zdiff', -3, ['readonly'], NONE, 'Subtract multiple sorted sets', '6.2.0', setOperation('zdiff', 'diff', 'reply'), NUMKEYS_AT_1),
  zsetCommand('zunionstore', -4, ['write', 'denyoom'], ONE, 'Add multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', setOperation('zunionstore', 'union', 'store'), STORE_KEYS),
  zsetCommand('zinterstore', -4, ['write', 'denyoom'], ONE, 'Intersect multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', setOperation('zinterstore', 'inter', 'store'), STORE_KEYS),
  zsetCommand('zdiffstore', -4, ['write', 'denyoom'], ONE, 'Subtract multiple sorted sets and store the resulting sorted set in a new key', '6.2.0', setOperation('zdiffstore', 'diff', 'store'), STORE_KEYS),
  zsetCommand('zintercard', -3, ['readonly'], NONE, 'Intersect multiple sorted sets and return the cardinality of the result', '7.0.0', setOperation('zintercard', 'inter', 'card'), NUMKEYS_AT_1),
  zsetCommand('zrandmember', -2, ['readonly'], ONE, 'Get one or multiple random elements from a sorted set', '6.2.0', zrandmember),
  zsetCommand('zscan', -3, ['readonly'], ONE, 'Incrementally iterate sorted sets elements and associated scores', '2.8.0', zscan),
]
