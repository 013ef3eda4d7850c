// The background sweep: turn expired records into tombstones (so DBSIZE drops them, as Redis's
// active expiry does) and purge tombstones older than the grace period. It reads the expiry and
// tombstone indexes (storage/layout.ts), not the records: a step costs what is due, and a node
// whose keys have no TTL sweeps nothing. Runs on the writer that owns the partitions.
import { hlcPhysical, PARTITIONS } from '../native'
import { decodeEnvelope } from '../storage/envelope'
import {
  FLAG_TOMBSTONE, metaKey, parseTimeIndexKey, partitionRange, prefixEnd, SYS_EXPIRY_PREFIX, SYS_GC_PREFIX, SYS_TIME_INDEXED,
  SYS_TOMBSTONE_PREFIX, timeIndexKey, timeIndexStart, TOMBSTONE_GC_GRACE_MS, userKeyOf,
} from '../storage/layout'
import type { Store } from '../storage/store'
import type { WriteOp } from '../storage/store'
import type { ExecContext } from './exec-context'

/** Which partitions a writer sweeps: those with pid % shards === shard. */
export interface Ownership {
  readonly shard: number
  readonly shards: number
}

/** Where each index's walk resumes: an owned partition. */
export interface SweepCursor {
  expiry: number
  tombstones: number
}

export function newSweepCursor(own: Ownership): SweepCursor {
  return { expiry: own.shard, tombstones: own.shard }
}

/**
 * Index entries handled per step: bounds how long one step holds its lane when many keys fall
 * due at once (a step of 2000 records showed in the fixed-rate GET latency, docs/performance.md).
 */
export const SWEEP_RECORDS_PER_STEP = 256
/**
 * Seeks per index per step. A seek lands on the next partition that holds entries, so empty
 * stretches cost nothing; a node whose partitions all hold entries not yet due comes round in
 * 2048 / 128 = 16 steps, ~1.6 s at 10 steps a second.
 */
export const SWEEP_SEEKS_PER_STEP = 128

const EMPTY = Buffer.alloc(0)

/** One step of the expiry and tombstone sweep. It writes unsynced under every fsync policy: what a crash loses, a later step does again. */
export function sweepStep(ctx: ExecContext, own: Ownership, cursor: SweepCursor, nowMs: number): void {
  ctx.begin(nowMs)
  const ops: WriteOp[] = []
  const expired = dueKeys(ctx.store, SYS_EXPIRY_PREFIX, own, cursor, 'expiry', nowMs, SWEEP_RECORDS_PER_STEP)
  for (const key of expired) {
    // The record goes through the batch like a read that finds it expired; the commit drops its
    // index entry. An entry whose record changed since (there should be none) goes too.
    ctx.get(parseTimeIndexKey(SYS_EXPIRY_PREFIX, key).userKey)
    ops.push({ column: 'sys', key, value: null })
  }
  const purgeable = dueKeys(ctx.store, SYS_TOMBSTONE_PREFIX, own, cursor, 'tombstones', nowMs - TOMBSTONE_GC_GRACE_MS, SWEEP_RECORDS_PER_STEP - expired.length)
  purgeTombstones(ctx.store, purgeable, nowMs, ops)
  ctx.commit()
  ctx.store.write(ops, false)
}

/**
 * Up to `limit` entries of an index whose time is at most `uptoMs`, in the partitions `own`
 * names, walking on from `cursor[which]` and leaving it where the next step should resume.
 */
function dueKeys(store: Store, prefix: Buffer, own: Ownership, cursor: SweepCursor, which: keyof SweepCursor, uptoMs: number, limit: number): Buffer[] {
  const due: Buffer[] = []
  if (limit <= 0) return due
  const end = prefixEnd(prefix)
  const reader = store.rangeReader('sys', prefix, end, false)
  let pid = cursor[which]
  try {
    let covered = 0
    for (let seeks = 0; seeks < SWEEP_SEEKS_PER_STEP && covered < PARTITIONS; seeks++) {
      // The first entry at or after this partition says which partition next holds any.
      let found: number = PARTITIONS
      for (const { key } of reader.rows(timeIndexStart(prefix, pid), end, 1)) {
        const entry = parseTimeIndexKey(prefix, key)
        if (found === PARTITIONS) found = entry.pid
        if (entry.pid !== pid || entry.ms > uptoMs) break
        due.push(key)
        // The partition may hold more that is due: the next step resumes in it.
        if (due.length >= limit) return due
      }
      // Nothing (more) due in [pid, found): on to the first owned partition from there.
      const next = nextOwned(own, found === pid ? pid + 1 : found)
      covered += (next - pid + PARTITIONS) % PARTITIONS || PARTITIONS
      pid = next
    }
    return due
  } finally {
    cursor[which] = pid
    reader.close()
  }
}

/** The first partition at or after `pid` (wrapping past the last) that `own` sweeps. */
function nextOwned(own: Ownership, pid: number): number {
  const next = pid + ((own.shard - (pid % own.shards) + own.shards) % own.shards)
  return next < PARTITIONS ? next : own.shard
}

/** Purge the tombstones these index entries name, if each is still that old tombstone; drop the entries either way. */
function purgeTombstones(store: Store, entries: Buffer[], nowMs: number, ops: WriteOp[]): void {
  if (entries.length === 0) return
  const metaKeys = entries.map((key) => {
    const { pid, userKey } = parseTimeIndexKey(SYS_TOMBSTONE_PREFIX, key)
    return metaKey(pid, userKey)
  })
  const records = store.getMany('meta', metaKeys)
  for (let i = 0; i < entries.length; i++) {
    const raw = records[i]
    if (raw !== undefined) {
      const envelope = decodeEnvelope(raw)
      if (envelope.flags & FLAG_TOMBSTONE && hlcPhysical(envelope.hlc) + TOMBSTONE_GC_GRACE_MS <= nowMs) ops.push({ column: 'meta', key: metaKeys[i], value: null })
    }
    ops.push({ column: 'sys', key: entries[i], value: null })
  }
}

/** Records indexed per RocksDB write while indexing a data dir from before the indexes. */
const INDEX_BUILD_ROWS = 10_000

/**
 * A data dir written before the expiry and tombstone indexes gets them once, when it opens: one
 * pass over every record. Returns the number of records read (0 when already indexed).
 */
export function indexRecordsOnce(store: Store): number {
  if (store.get('sys', SYS_TIME_INDEXED) !== undefined) return 0
  let ops: WriteOp[] = []
  let read = 0
  for (const { key, value } of store.iterate('meta', partitionRange(0).gte, partitionRange(PARTITIONS - 1).lt, false, 1000)) {
    const envelope = decodeEnvelope(value)
    const pid = key.readUInt16BE(0)
    if (envelope.flags & FLAG_TOMBSTONE) ops.push({ column: 'sys', key: timeIndexKey(SYS_TOMBSTONE_PREFIX, pid, hlcPhysical(envelope.hlc), userKeyOf(key)), value: EMPTY })
    else if (envelope.expireAtMs !== 0) ops.push({ column: 'sys', key: timeIndexKey(SYS_EXPIRY_PREFIX, pid, envelope.expireAtMs, userKeyOf(key)), value: EMPTY })
    if (++read % INDEX_BUILD_ROWS === 0) {
      store.write(ops, false)
      ops = []
    }
  }
  ops.push({ column: 'sys', key: SYS_TIME_INDEXED, value: EMPTY })
  store.write(ops, true)
  return read
}

/** Members purged per step. Dead versions belong to no live key, so any one writer may purge them. */
export const GC_MEMBERS_PER_STEP = 5000

const GC_END = prefixEnd(SYS_GC_PREFIX)

/**
 * Purge members of dead collection versions (DEL, overwrite or expiry of a collection is O(1):
 * it leaves a `gc/<prefix>` record, and this removes the members behind it, a bounded number per step).
 */
export function gcStep(store: Store): void {
  const ops: WriteOp[] = []
  let budget = GC_MEMBERS_PER_STEP
  for (const { key } of store.scan('sys', SYS_GC_PREFIX, GC_END, 16)) {
    const prefix = key.subarray(SYS_GC_PREFIX.length)
    const rows = store.scan('members', prefix, prefixEnd(prefix), budget)
    for (const row of rows) ops.push({ column: 'members', key: row.key, value: null })
    budget -= rows.length
    if (budget <= 0) break
    ops.push({ column: 'sys', key, value: null })
  }
  store.write(ops, false)
}
