// Node-wide key commands: they read or change the whole keyspace, so they run on the main
// thread while every shard is quiet (lib/engine/engine.ts). They read the meta column family
// partition by partition ([pid u16 BE][user key]), skipping tombstones and expired records.
import { error, ErrorReply, Errors, OK, Reply } from '../core/reply'
import type { NodeCommand, NodeContext } from '../engine/engine'
import { PARTITIONS } from '../native'
import { partitionRange, prefixEnd, SYS_EXPIRY_PREFIX, SYS_GC_PREFIX, SYS_TOMBSTONE_PREFIX, userKeyOf } from '../storage/layout'
import { decodeStored, isExpired, Rec } from '../storage/record'
import type { Row } from '../storage/store'
import { lower, parseCursor, parseInt64 } from './args'
import { globMatch, matchesAll } from './glob'
import { typeName } from './keys'

/** Rows per RocksDB read while walking the keyspace: bounds the memory of one read, not of the reply. */
const SCAN_CHUNK_ROWS = 4096

/** The end of the meta keyspace: the first key past partition PARTITIONS-1. */
const META_END = partitionRange(PARTITIONS - 1).lt

const ZERO = Buffer.from([0])

/** The live record of a meta row, or null for a tombstone or an expired record. */
function liveRec(row: Row, nowMs: number): Rec | null {
  const rec = decodeStored(row.value)
  return rec === null || isExpired(rec, nowMs) ? null : rec
}

/** Every row of [gte, lt), read in bounded chunks. */
function* rowsIn(node: Pick<NodeContext, 'store'>, gte: Buffer, lt: Buffer): Generator<Row> {
  let from = gte
  for (;;) {
    const rows = node.store.scan('meta', from, lt, SCAN_CHUNK_ROWS)
    yield* rows
    if (rows.length < SCAN_CHUNK_ROWS) return
    // The smallest key after the last one read.
    from = Buffer.concat([rows[rows.length - 1].key, ZERO])
  }
}

// KEYS pattern
function keys(node: NodeContext, argv: Buffer[]): Reply {
  const out: Buffer[] = []
  for (const { key } of liveKeysMatching(node, argv[1], null)) out.push(key)
  return out
}

/** Every live key of the store matching `pattern` (and of `type`, when given), with its record. */
export function* liveKeysMatching(node: Pick<NodeContext, 'store' | 'nowMs'>, pattern: Buffer | null, type: string | null): Generator<{ key: Buffer; rec: Rec }> {
  const all = pattern === null || matchesAll(pattern)
  for (const row of rowsIn(node, partitionRange(0).gte, META_END)) {
    const rec = liveRec(row, node.nowMs)
    if (rec === null) continue
    const key = userKeyOf(row.key)
    if ((all || globMatch(pattern!, key)) && (type === null || typeName(rec) === type)) yield { key, rec }
  }
}

export interface ScanOptions {
  count: number
  /** null: every key. */
  pattern: Buffer | null
  type: string | null
}

/** SCAN's options after the cursor, or the error Redis answers. */
export function parseScanOptions(argv: Buffer[], from: number): ScanOptions | ErrorReply {
  let count = 10n
  let pattern: Buffer | null = null
  let type: string | null = null
  for (let i = from; i < argv.length; i++) {
    const option = lower(argv[i])
    const more = i + 1 < argv.length
    if (option === 'count' && more) {
      const value = parseInt64(argv[++i])
      if (value === null) return Errors.notInteger
      if (value < 1n) return Errors.syntax
      count = value
    } else if (option === 'match' && more) {
      pattern = argv[++i]
      if (matchesAll(pattern)) pattern = null
    } else if (option === 'type' && more) {
      type = lower(argv[++i])
    } else {
      return Errors.syntax
    }
  }
  return { count: count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count), pattern, type }
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// The cursor is the partition to visit next: 0 starts at partition 0, and a reply cursor of 0
// means every partition was visited. A call returns whole partitions (so a key present for the
// whole iteration is returned exactly once, unlike Redis's "at least once") and stops after the
// partition in which COUNT records were examined; it always advances by at least one partition,
// so an iteration ends after at most 4096 calls. Cursors past the last partition are finished
// iterations (reply cursor 0, no keys), as any unsigned 64-bit cursor is valid in Redis.
function scan(node: NodeContext, argv: Buffer[]): Reply {
  const cursor = parseCursor(argv[1])
  if (cursor === null) return error('ERR invalid cursor')
  const options = parseScanOptions(argv, 2)
  if ('t' in options) return options
  const { count: budget, pattern, type } = options
  const out: Buffer[] = []
  let pid = cursor >= BigInt(PARTITIONS) ? PARTITIONS : Number(cursor)
  let examined = 0
  const take = (row: Row): void => {
    examined++
    const rec = liveRec(row, node.nowMs)
    if (rec === null) return
    const key = userKeyOf(row.key)
    if (pattern !== null && !globMatch(pattern, key)) return
    if (type !== null && typeName(rec) !== type) return
    out.push(key)
  }
  while (pid < PARTITIONS && examined < budget) {
    const limit = Math.min(budget - examined, SCAN_CHUNK_ROWS)
    const rows = node.store.scan('meta', partitionRange(pid).gte, META_END, limit)
    for (const row of rows) take(row)
    if (rows.length < limit) {
      pid = PARTITIONS
      break
    }
    // The read stopped inside partition `last`: finish it, so partitions are never split.
    const lastKey = rows[rows.length - 1].key
    const last = lastKey.readUInt16BE(0)
    for (const row of rowsIn(node, Buffer.concat([lastKey, ZERO]), partitionRange(last).lt)) take(row)
    pid = last + 1
  }
  return [String(pid >= PARTITIONS ? 0 : pid), out]
}

// RANDOMKEY: a random live key of the first partition holding one at or after a partition
// picked at random (wrapping around); nil when the node holds no live key. Reads run across
// partitions, so empty ones cost nothing (a RocksDB iterator per partition would).
function randomkey(node: NodeContext): Reply {
  const start = partitionRange(Math.floor(Math.random() * PARTITIONS)).gte
  const found = firstLive(node, start, META_END) ?? firstLive(node, partitionRange(0).gte, start)
  if (found === null) return null
  const range = partitionRange(found)
  const live: Buffer[] = []
  for (const row of rowsIn(node, range.gte, range.lt)) if (liveRec(row, node.nowMs) !== null) live.push(userKeyOf(row.key))
  return live[Math.floor(Math.random() * live.length)]
}

/** The partition of the first live record in [gte, lt), or null. */
function firstLive(node: NodeContext, gte: Buffer, lt: Buffer): number | null {
  for (const row of rowsIn(node, gte, lt)) if (liveRec(row, node.nowMs) !== null) return row.key.readUInt16BE(0)
  return null
}

// DBSIZE  (like Redis, counts keys that expired but were not yet removed by a read or the sweep)
function dbsize(node: NodeContext): Reply {
  return node.ctx.counts.total()
}

// FLUSHALL [ASYNC|SYNC] / FLUSHDB [ASYNC|SYNC]: this node's data only (docs/compatibility.md).
async function flush(node: NodeContext, argv: Buffer[]): Promise<Reply> {
  if (argv.length > 2) return Errors.syntax
  if (argv.length === 2 && !['async', 'sync'].includes(lower(argv[1]))) return Errors.syntax
  // Both column families key by [pid u16 BE] first, so [partition 0, past the last) covers them.
  await node.store.clear('meta', partitionRange(0).gte, META_END)
  await node.store.clear('members', partitionRange(0).gte, META_END)
  for (const prefix of [SYS_GC_PREFIX, SYS_EXPIRY_PREFIX, SYS_TOMBSTONE_PREFIX]) await node.store.clear('sys', prefix, prefixEnd(prefix))
  const counts = Buffer.from('cnt/')
  const end = Buffer.from('cnt0')
  node.store.write(node.store.scan('sys', counts, end, PARTITIONS).map(({ key }) => ({ column: 'sys' as const, key, value: null })), true)
  node.ctx.counts.clear()
  return OK
}

const keyspace = (name: string, arity: number, flags: string[], summary: string, since: string, group: string, runNode: NodeCommand['runNode']): NodeCommand =>
  ({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, summary, since, runNode })

// Arity, flags, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const nodeCommands: NodeCommand[] = [
  keyspace('keys', 2, ['readonly'], 'Find all keys matching the given pattern', '1.0.0', 'generic', keys),
  keyspace('scan', -2, ['readonly'], 'Incrementally iterate the keys space', '2.8.0', 'generic', scan),
  keyspace('randomkey', 1, ['readonly'], 'Return a random key from the keyspace', '1.0.0', 'generic', randomkey),
  keyspace('dbsize', 1, ['readonly', 'fast'], 'Return the number of keys in the selected database', '1.0.0', 'server', dbsize),
  keyspace('flushall', -1, ['write'], 'Remove all keys from all databases', '1.0.0', 'server', flush),
  keyspace('flushdb', -1, ['write'], 'Remove all keys from the current database', '1.0.0', 'server', flush),
]
