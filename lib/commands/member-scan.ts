// HSCAN, SSCAN and ZSCAN: one cursor scheme over a collection's members.
//
// A collection of at most SMALL_COLLECTION members answers whole in one call with cursor 0, as
// Redis does for its compact encodings (listpack, intset). A larger one is walked in sub-key
// order: the reply cursor is the number of members walked so far, and this writer remembers
// where that walk stopped, so a continuing call seeks straight there. A cursor it does not
// remember (another writer, a restart, an evicted entry) restarts from that many members in:
// members present for the whole iteration are still returned, at a cost of O(cursor).
import { error, Errors, Reply } from '../core/reply'
import { lower, parseCursor, parseInt64 } from './args'
import type { Collection, SubRow } from './collection'
import { globMatch, matchesAll } from './glob'

export const SMALL_COLLECTION = 128

const CURSORS_MAX = 4096
/** `<member prefix>:<cursor>` -> the last sub-key that call returned. Insertion order = LRU order. */
const cursors = new Map<string, Buffer>()

export interface ScanOptions {
  cursor: bigint
  count: number
  pattern: Buffer | null
}

/** `HSCAN key cursor [MATCH pattern] [COUNT count]` from argv[2] on. */
export function parseScanArgs(argv: Buffer[]): ScanOptions | Reply {
  const cursor = parseCursor(argv[2])
  if (cursor === null) return error('ERR invalid cursor')
  const options: ScanOptions = { cursor, count: 10, pattern: null }
  for (let i = 3; i < argv.length; i++) {
    const option = lower(argv[i])
    if (option === 'count' && i + 1 < argv.length) {
      const value = parseInt64(argv[++i])
      if (value === null) return Errors.notInteger
      if (value < 1n) return Errors.syntax
      options.count = value > 1_000_000n ? 1_000_000 : Number(value)
    } else if (option === 'match' && i + 1 < argv.length) {
      options.pattern = matchesAll(argv[i + 1]) ? null : argv[i + 1]
      i++
    } else {
      return Errors.syntax
    }
  }
  return options
}

/**
 * One scan step over `tag` of `collection`; `emit` turns a matching row into reply entries.
 * `name` selects what MATCH tests (the sub-key by default).
 */
export function scanStep(collection: Collection | null, tag: number, options: ScanOptions, emit: (row: SubRow, out: Reply[]) => void, name: (row: SubRow) => Buffer = (row) => row.sub): Reply {
  const out: Reply[] = []
  if (collection === null) return ['0', out]
  const keep = (row: SubRow): void => {
    if (options.pattern === null || globMatch(options.pattern, name(row))) emit(row, out)
  }
  if (collection.size <= SMALL_COLLECTION) {
    for (const row of collection.range(tag)) keep(row)
    return ['0', out]
  }
  const id = `${collection.memberKey(tag, Buffer.alloc(0)).toString('latin1')}:`
  let walked = options.cursor
  const resumeAfter = cursors.get(id + walked)
  let skip = resumeAfter === undefined ? walked : 0n
  const from = resumeAfter === undefined ? null : Buffer.concat([resumeAfter, ZERO])
  let last: Buffer | null = null
  let taken = 0
  for (const row of collection.range(tag, from)) {
    if (skip > 0n) {
      skip--
      continue
    }
    if (taken === options.count) {
      remember(id + walked, last!)
      return [walked.toString(), out]
    }
    keep(row)
    last = row.sub
    taken++
    walked++
  }
  return ['0', out]
}

const ZERO = Buffer.from([0])

function remember(id: string, sub: Buffer): void {
  cursors.delete(id)
  cursors.set(id, Buffer.from(sub))
  if (cursors.size > CURSORS_MAX) cursors.delete(cursors.keys().next().value!)
}
