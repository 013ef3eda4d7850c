// List commands (Redis 7.0 semantics). One member record per element, its sub-key the element's
// position (list-position.ts), its payload the element's bytes; the meta record's tail holds the
// lowest and highest integer positions ever assigned, so a push at either end is one write, then
// bounds on the integer positions of the live elements: pops move them inward, so a walk from
// either end seeks past the RocksDB tombstones that popped elements leave instead of stepping
// over each of them (a queue that pops at one end would otherwise slow down with every pop).
//
// Index operations (LINDEX, LSET, LRANGE, LTRIM, LPOS, LREM, LINSERT) walk the members from the
// nearer end: O(index) from that end, as Kvrocks does; an index tree would cost a write per level
// on every push. LLEN is O(1) (the meta record's size); a pop reads the first or last row.
//
// The pop and move cores (popFrom, mpopFrom, moveElement) are exported for the blocking commands.
import assert from 'node:assert/strict'
import { error, ErrorReply, Errors, NIL_ARRAY, OK, Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { TYPE_LIST } from '../storage/layout'
import { clampRange, lower, parseInt64 } from './args'
import { Collection, isErrorReply, sizeCommand, SubRow, TAG_MEMBER } from './collection'
import { decodeEnds, decodePosition, encodeEnds, encodePosition, ENDS_BYTES, positionBetween, pushPosition } from './list-position'
import { DataCommand, keysAfterCount } from './types'

const INT64_MIN = -(2n ** 63n)

const outOfRange = error('ERR index out of range')
const notPositive = error('ERR value is out of range, must be positive')

function open(ctx: ExecContext, key: Buffer): Collection | null | ErrorReply {
  return Collection.open(ctx, key, TYPE_LIST)
}

const BOUNDS_AT = ENDS_BYTES
const SIGN = 2n ** 63n
const INT64_MAX = 2n ** 63n - 1n

/** Lowest and highest integer position a live element may have; null for a list that has none yet. */
function liveBounds(list: Collection): { low: bigint; high: bigint } | null {
  if (list.extra.length < BOUNDS_AT + 16) return null
  return { low: list.extra.readBigInt64BE(BOUNDS_AT), high: list.extra.readBigInt64BE(BOUNDS_AT + 8) }
}

function setLiveBounds(list: Collection, low: bigint, high: bigint): void {
  const extra = Buffer.allocUnsafe(BOUNDS_AT + 16)
  list.extra.copy(extra, 0, 0, BOUNDS_AT)
  extra.writeBigInt64BE(low, BOUNDS_AT)
  extra.writeBigInt64BE(high, BOUNDS_AT + 8)
  list.extra = extra
}

/** The sub-key prefix of every position with integer part `int`. */
function intPrefix(int: bigint): Buffer {
  const out = Buffer.allocUnsafe(8)
  out.writeBigUInt64BE(BigInt.asUintN(64, int) ^ SIGN, 0)
  return out
}

/** Rows from the head (left) or from the tail, within the live bounds. */
function rowsFrom(list: Collection, left: boolean, firstPage?: number): Generator<SubRow> {
  const bounds = liveBounds(list)
  const from = bounds === null ? null : intPrefix(bounds.low)
  const to = bounds === null || bounds.high === INT64_MAX ? null : intPrefix(bounds.high + 1n)
  return list.range(TAG_MEMBER, from, to, !left, firstPage)
}

/** Push each element in turn at one end (LPUSH a b leaves b first, as Redis). Does not save. */
function pushElements(ctx: ExecContext, list: Collection, elements: Buffer[], left: boolean): void {
  let ends = decodeEnds(list.extra)
  for (const element of elements) {
    const next = pushPosition(ends, left, ctx.origin)
    list.put(TAG_MEMBER, encodePosition(next.position), TYPE_LIST, element)
    ends = next.ends
  }
  if (ends !== null) {
    const bounds = liveBounds(list)
    list.extra = encodeEnds(ends)
    // A push extends the live range to the end it pushed at.
    setLiveBounds(list, left || bounds === null ? ends.head : bounds.low, !left || bounds === null ? ends.tail : bounds.high)
  }
  list.size += elements.length
}

/** Remove rows (each present). Does not save. */
function removeRows(list: Collection, rows: SubRow[]): void {
  for (const row of rows) list.delete(TAG_MEMBER, row.sub)
  list.size -= rows.length
}

/**
 * Up to `count` rows from one end, in that order, for the caller to remove: the live bounds move
 * to the last of them (every element left is at or beyond its position).
 */
function takeRows(list: Collection, left: boolean, count: number): SubRow[] {
  const rows: SubRow[] = []
  if (count <= 0) return rows
  for (const row of rowsFrom(list, left, count)) {
    rows.push(row)
    if (rows.length >= count) break
  }
  const bounds = liveBounds(list)
  if (rows.length > 0 && bounds !== null) {
    const edge = decodePosition(rows[rows.length - 1].sub).int
    setLiveBounds(list, left ? edge : bounds.low, left ? bounds.high : edge)
  }
  return rows
}

/** The row at `index` (0-based from the head, within the list), walked to from the nearer end. */
function rowAt(list: Collection, index: number): SubRow {
  const fromHead = index < list.size - index
  let steps = fromHead ? index : list.size - 1 - index
  for (const row of rowsFrom(list, fromHead, steps + 1)) if (steps-- === 0) return row
  assert.fail(`rowAt: list of size ${list.size} has no element ${index}`)
}

/** An index as LINDEX and LSET read it (negative from the tail); null when outside the list. */
function elementIndex(index: bigint, size: number): number | null {
  const at = index < 0n ? index + BigInt(size) : index
  return at < 0n || at >= BigInt(size) ? null : Number(at)
}

/** The rows from index `start` to `stop` inclusive (both within the list), walked from the nearer end. */
function rowsBetween(list: Collection, start: number, stop: number): SubRow[] {
  const count = stop - start + 1
  const fromHead = start <= list.size - 1 - stop
  let skip = fromHead ? start : list.size - 1 - stop
  const rows: SubRow[] = []
  for (const row of rowsFrom(list, fromHead, skip + count)) {
    if (skip > 0) {
      skip--
      continue
    }
    rows.push(row)
    if (rows.length === count) break
  }
  return fromHead ? rows : rows.reverse()
}

/** A count argument as a JS number: values past 2^53 exceed any list, so they are clamped. */
function clampCount(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
}

/** LEFT or RIGHT (any case): true for LEFT; null for anything else. */
export function parseSide(arg: Buffer): boolean | null {
  const side = lower(arg)
  return side === 'left' ? true : side === 'right' ? false : null
}

// LPUSH / RPUSH key element [element ...]; LPUSHX / RPUSHX (only onto an existing list)
function pushGeneric(left: boolean, onlyExisting: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const list = onlyExisting ? open(ctx, argv[1]) : Collection.openOrCreate(ctx, argv[1], TYPE_LIST)
    if (list === null || isErrorReply(list)) return list ?? 0
    pushElements(ctx, list, argv.slice(2), left)
    list.save()
    ctx.signalReady(argv[1])
    return list.size
  }
}

/**
 * Pop from one end of the list at `key`: one element as a bulk reply when `count` is null, else
 * an array of up to `count` (in pop order). Null when there is no list; WRONGTYPE as the reply.
 * Each pop removes the specific elements it read (DESIGN.md §6).
 */
export function popFrom(ctx: ExecContext, key: Buffer, left: boolean, count: number | null): Reply | null {
  const list = open(ctx, key)
  if (list === null || isErrorReply(list)) return list
  const rows = takeRows(list, left, count ?? 1)
  if (rows.length === 0) return []
  removeRows(list, rows)
  list.save()
  return count === null ? rows[0].payload : rows.map((row) => row.payload)
}

/**
 * LMPOP's core: pop up to `count` from the first non-empty list of `keys`, replying
 * [key, [elements]]. Null when every key is missing; WRONGTYPE when the first existing key that
 * is reached holds another type.
 */
export function mpopFrom(ctx: ExecContext, keys: Buffer[], left: boolean, count: number): Reply | null {
  for (const key of keys) {
    const popped = popFrom(ctx, key, left, count)
    if (popped === null) continue
    if (isErrorReply(popped)) return popped
    return [key, popped]
  }
  return null
}

/**
 * LMOVE's core: pop from one end of `source`, push onto one end of `destination` (the same list
 * may be both: a rotation), reply the element. Null when there is no source list; WRONGTYPE when
 * either key holds another type (the destination is checked only when the source has elements).
 */
export function moveElement(ctx: ExecContext, source: Buffer, destination: Buffer, fromLeft: boolean, toLeft: boolean): Reply | null {
  const from = open(ctx, source)
  if (from === null || isErrorReply(from)) return from
  const same = source.equals(destination)
  const to = same ? from : Collection.openOrCreate(ctx, destination, TYPE_LIST)
  if (isErrorReply(to)) return to
  const [row] = takeRows(from, fromLeft, 1)
  removeRows(from, [row])
  pushElements(ctx, to, [row.payload], toLeft)
  if (!same) from.save()
  to.save()
  ctx.signalReady(destination)
  return row.payload
}

// LPOP / RPOP key [count]
function popGeneric(left: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    if (argv.length > 3) return Errors.wrongArity(left ? 'lpop' : 'rpop')
    let count: number | null = null
    if (argv.length === 3) {
      const value = parseInt64(argv[2])
      if (value === null || value < 0n) return notPositive
      count = clampCount(value)
    }
    const popped = popFrom(ctx, argv[1], left, count)
    if (popped !== null) return popped
    return count === null ? null : NIL_ARRAY
  }
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
function lmpop(ctx: ExecContext, argv: Buffer[]): Reply {
  const numkeys = parseInt64(argv[1])
  if (numkeys === null || numkeys < 1n) return error('ERR numkeys should be greater than 0')
  const sideAt = 2n + numkeys
  if (sideAt >= BigInt(argv.length)) return Errors.syntax
  const left = parseSide(argv[Number(sideAt)])
  if (left === null) return Errors.syntax
  let count: number | null = null
  for (let i = Number(sideAt) + 1; i < argv.length; i++) {
    if (count === null && lower(argv[i]) === 'count' && i + 1 < argv.length) {
      const value = parseInt64(argv[++i])
      if (value === null || value < 1n) return error('ERR count should be greater than 0')
      count = clampCount(value)
    } else {
      return Errors.syntax
    }
  }
  return mpopFrom(ctx, argv.slice(2, Number(sideAt)), left, count ?? 1) ?? NIL_ARRAY
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
function lmove(ctx: ExecContext, argv: Buffer[]): Reply {
  const fromLeft = parseSide(argv[3])
  if (fromLeft === null) return Errors.syntax
  const toLeft = parseSide(argv[4])
  if (toLeft === null) return Errors.syntax
  return moveElement(ctx, argv[1], argv[2], fromLeft, toLeft)
}

// RPOPLPUSH source destination
function rpoplpush(ctx: ExecContext, argv: Buffer[]): Reply {
  return moveElement(ctx, argv[1], argv[2], false, true)
}

// LINDEX key index
function lindex(ctx: ExecContext, argv: Buffer[]): Reply {
  const list = open(ctx, argv[1])
  if (list === null || isErrorReply(list)) return list
  const index = parseInt64(argv[2])
  if (index === null) return Errors.notInteger
  const at = elementIndex(index, list.size)
  return at === null ? null : rowAt(list, at).payload
}

// LSET key index element
function lset(ctx: ExecContext, argv: Buffer[]): Reply {
  const list = open(ctx, argv[1])
  if (list === null) return Errors.noSuchKey
  if (isErrorReply(list)) return list
  const index = parseInt64(argv[2])
  if (index === null) return Errors.notInteger
  const at = elementIndex(index, list.size)
  if (at === null) return outOfRange
  // The element keeps its position (its id); only its value changes.
  list.put(TAG_MEMBER, rowAt(list, at).sub, TYPE_LIST, argv[3])
  list.save()
  return OK
}

// LRANGE key start stop
function lrange(ctx: ExecContext, argv: Buffer[]): Reply {
  const start = parseInt64(argv[2])
  const stop = parseInt64(argv[3])
  if (start === null || stop === null) return Errors.notInteger
  const list = open(ctx, argv[1])
  if (list === null || isErrorReply(list)) return list ?? []
  const range = clampRange(start, stop, list.size)
  return range === null ? [] : rowsBetween(list, range[0], range[1]).map((row) => row.payload)
}

// LTRIM key start stop
function ltrim(ctx: ExecContext, argv: Buffer[]): Reply {
  const start = parseInt64(argv[2])
  const stop = parseInt64(argv[3])
  if (start === null || stop === null) return Errors.notInteger
  const list = open(ctx, argv[1])
  if (list === null || isErrorReply(list)) return list ?? OK
  const range = clampRange(start, stop, list.size)
  const [fromHead, fromTail] = range === null ? [list.size, 0] : [range[0], list.size - 1 - range[1]]
  if (fromHead + fromTail === 0) {
    // Redis counts a trim that removes nothing as a change too (WATCH sees it).
    list.save()
    return OK
  }
  const rows = takeRows(list, true, fromHead)
  if (fromTail > 0) rows.push(...takeRows(list, false, fromTail))
  removeRows(list, rows)
  list.save()
  return OK
}

// LREM key count element  (count > 0: the first count matches from the head; < 0: from the tail; 0: all)
function lrem(ctx: ExecContext, argv: Buffer[]): Reply {
  const count = parseInt64(argv[2])
  if (count === null) return Errors.notInteger
  const list = open(ctx, argv[1])
  if (list === null || isErrorReply(list)) return list ?? 0
  const limit = count === 0n ? Infinity : Number(count < 0n ? -count : count)
  const matches: SubRow[] = []
  for (const row of rowsFrom(list, count >= 0n)) {
    if (!row.payload.equals(argv[3])) continue
    matches.push(row)
    if (matches.length >= limit) break
  }
  if (matches.length === 0) return 0
  removeRows(list, matches)
  list.save()
  return matches.length
}

// LINSERT key BEFORE|AFTER pivot element  (the first pivot from the head)
function linsert(ctx: ExecContext, argv: Buffer[]): Reply {
  const where = lower(argv[2])
  if (where !== 'before' && where !== 'after') return Errors.syntax
  const list = open(ctx, argv[1])
  if (list === null || isErrorReply(list)) return list ?? 0
  // The neighbours the new element goes between; null on a side past an end of the list.
  let low: SubRow | null = null
  let high: SubRow | null = null
  let found = false
  for (const row of rowsFrom(list, true)) {
    if (!found && row.payload.equals(argv[3])) {
      found = true
      if (where === 'before') {
        high = row
        break
      }
      low = row
    } else if (found) {
      high = row
      break
    } else {
      low = row
    }
  }
  if (!found) return -1
  if (low === null || high === null) {
    pushElements(ctx, list, [argv[4]], low === null)
  } else {
    const position = positionBetween(decodePosition(low.sub), decodePosition(high.sub), ctx.origin)
    // Only after replicas merged concurrent inserts at this very spot (DESIGN.md §6); never on one node.
    if (position === null) return error('ERR no room between these list elements: insert next to another element')
    list.put(TAG_MEMBER, encodePosition(position), TYPE_LIST, argv[4])
    list.size++
  }
  list.save()
  ctx.signalReady(argv[1])
  return list.size
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
function lpos(ctx: ExecContext, argv: Buffer[]): Reply {
  let rank = 1n
  let count: bigint | null = null
  let maxlen = 0n
  for (let i = 3; i < argv.length; i++) {
    const option = lower(argv[i])
    const more = i + 1 < argv.length
    if (option === 'rank' && more) {
      const value = parseInt64(argv[++i])
      if (value === null) return Errors.notInteger
      if (value === 0n) return error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
      rank = value
    } else if (option === 'count' && more) {
      const value = parseInt64(argv[++i])
      if (value === null || value < 0n) return error("ERR COUNT can't be negative")
      count = value
    } else if (option === 'maxlen' && more) {
      const value = parseInt64(argv[++i])
      if (value === null || value < 0n) return error("ERR MAXLEN can't be negative")
      maxlen = value
    } else {
      return Errors.syntax
    }
  }
  const list = open(ctx, argv[1])
  if (isErrorReply(list)) return list
  if (list === null) return count === null ? null : []
  const fromHead = rank > 0n
  // Redis negates RANK in a C long: -(-2^63) stays negative, so every match counts from the first
  // one from the tail, and COUNT never stops the search (its test overflows too).
  const unbounded = rank === INT64_MIN
  const skip = unbounded ? 0n : (fromHead ? rank : -rank) - 1n
  const matches: number[] = []
  let seen = 0n
  let index = 0
  for (const row of rowsFrom(list, fromHead)) {
    if (maxlen !== 0n && BigInt(index) >= maxlen) break
    if (row.payload.equals(argv[2]) && seen++ >= skip) {
      matches.push(fromHead ? index : list.size - 1 - index)
      if (count === null || (!unbounded && count !== 0n && BigInt(matches.length) >= count)) break
    }
    index++
  }
  if (count !== null) return matches
  return matches.length === 0 ? null : matches[0]
}

const listCommand = (name: string, arity: number, flags: string[], keys: [number, number, number], summary: string, since: string, run: DataCommand['run'], movableKeys?: DataCommand['movableKeys']): DataCommand =>
  ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], group: 'list', summary, since, run, movableKeys })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const listCommands: DataCommand[] = [
  listCommand('lpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Prepend one or multiple elements to a list', '1.0.0', pushGeneric(true, false)),
  listCommand('rpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Append one or multiple elements to a list', '1.0.0', pushGeneric(false, false)),
  listCommand('lpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Prepend an element to a list, only if the list exists', '2.2.0', pushGeneric(true, true)),
  listCommand('rpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Append an element to a list, only if the list exists', '2.2.0', pushGeneric(false, true)),
  listCommand('lpop', -2, ['write', 'fast'], [1, 1, 1], 'Remove and get the first elements in a list', '1.0.0', popGeneric(true)),
  listCommand('rpop', -2, ['write', 'fast'], [1, 1, 1], 'Remove and get the last elements in a list', '1.0.0', popGeneric(false)),
  listCommand('llen', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the length of a list', '1.0.0', sizeCommand(TYPE_LIST)),
  listCommand('lrange', 4, ['readonly'], [1, 1, 1], 'Get a range of elements from a list', '1.0.0', lrange),
  listCommand('lindex', 3, ['readonly'], [1, 1, 1], 'Get an element from a list by its index', '1.0.0', lindex),
  listCommand('lset', 4, ['write', 'denyoom'], [1, 1, 1], 'Set the value of an element in a list by its index', '1.0.0', lset),
  listCommand('linsert', 5, ['write', 'denyoom'], [1, 1, 1], 'Insert an element before or after another element in a list', '2.2.0', linsert),
  listCommand('lrem', 4, ['write'], [1, 1, 1], 'Remove elements from a list', '1.0.0', lrem),
  listCommand('ltrim', 4, ['write'], [1, 1, 1], 'Trim a list to the specified range', '1.0.0', ltrim),
  listCommand('lpos', -3, ['readonly'], [1, 1, 1], 'Return the index of matching elements on a list', '6.0.6', lpos),
  listCommand('lmove', 5, ['write', 'denyoom'], [1, 2, 1], 'Pop an element from a list, push it to another list and return it', '6.2.0', lmove),
  listCommand('rpoplpush', 3, ['write', 'denyoom'], [1, 2, 1], 'Remove the last element in a list, prepend it to another list and return it', '1.2.0', rpoplpush),
  // As Redis 7.0: no first/last/step (the keys follow numkeys), flagged movablekeys.
  listCommand('lmpop', -4, ['write', 'movablekeys'], [0, 0, 0], 'Pop elements from a list', '7.0.0', lmpop, keysAfterCount(1)),
]
