// The count form of HRANDFIELD, SRANDMEMBER, ZRANDMEMBER and SPOP: Redis's argument rules, and
// sampling that reads the whole collection only when it is small or most of it is asked for.
import { error, ErrorReply, Errors } from '../core/reply'
import { parseInt64 } from './args'
import type { Collection, SubRow } from './collection'

const LONG_MAX = 2n ** 63n - 1n
/** Below this many members, sampling reads them all: cheaper than many seeks. */
const READ_ALL_BELOW = 512

/**
 * `count` members of `tag`: distinct ones when count >= 0 (all of them when count >= size), and
 * -count members with repeats when negative. Redis's errors for a bad count.
 */
export function randomCount(collection: Collection | null, tag: number, countArg: Buffer, withValues: boolean): SubRow[] | ErrorReply {
  const count = parseInt64(countArg)
  if (count === null) return Errors.notInteger
  if (count < -LONG_MAX) return error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807')
  if (withValues && count < -LONG_MAX / 2n) return error('ERR value is out of range')
  if (collection === null || count === 0n) return []
  return count > 0n ? distinctSample(collection, tag, count) : sampleWithRepeats(collection, tag, Number(-count))
}

/** One random member (HRANDFIELD, SRANDMEMBER, SPOP without a count); null when empty. */
export function randomOne(collection: Collection, tag: number): SubRow | null {
  if (collection.size >= READ_ALL_BELOW) return collection.randomRow(tag)
  const rows = allRows(collection, tag)
  return rows.length === 0 ? null : rows[Math.floor(Math.random() * rows.length)]
}

function allRows(collection: Collection, tag: number): SubRow[] {
  return [...collection.range(tag)]
}

function sampleWithRepeats(collection: Collection, tag: number, count: number): SubRow[] {
  const out: SubRow[] = []
  if (collection.size < READ_ALL_BELOW || count > collection.size) {
    const rows = allRows(collection, tag)
    for (let i = 0; i < count; i++) out.push(rows[Math.floor(Math.random() * rows.length)])
    return out
  }
  for (let i = 0; i < count; i++) out.push(collection.randomRow(tag)!)
  return out
}

function distinctSample(collection: Collection, tag: number, count: bigint): SubRow[] {
  const size = collection.size
  if (count >= BigInt(size)) return allRows(collection, tag)
  const wanted = Number(count)
  if (size < READ_ALL_BELOW || wanted * 3 > size) return shuffle(allRows(collection, tag)).slice(0, wanted)
  const picked = new Map<string, SubRow>()
  // Seeks land unevenly; past a few misses per member, reading everything is the faster way.
  for (let attempts = 0; picked.size < wanted && attempts < wanted * 4; attempts++) {
    const row = collection.randomRow(tag)!
    picked.set(row.sub.toString('latin1'), row)
  }
  if (picked.size < wanted) return shuffle(allRows(collection, tag)).slice(0, wanted)
  return [...picked.values()]
}

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const swap = items[i]
    items[i] = items[j]
    items[j] = swap
  }
  return items
}
