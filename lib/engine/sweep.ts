// The background sweep: turn expired records into tombstones (so DBSIZE drops them, as Redis's
// active expiry does) and purge tombstones older than the grace period. Runs on the writer
// that owns the partitions, a bounded number of records per step, resuming from a cursor.
import { decodeEnvelope, hlcPhysical, PARTITIONS } from '../native'
import { FLAG_TOMBSTONE, partitionRange, prefixEnd, SYS_GC_PREFIX, TOMBSTONE_GC_GRACE_MS, userKeyOf } from '../storage/layout'
import type { Store } from '../storage/store'
import type { WriteOp } from '../storage/store'
import type { ExecContext } from './exec-context'

export interface SweepCursor {
  /** Index into the partitions this writer owns. */
  partition: number
  /** Last meta key examined in that partition; null to start at its beginning. */
  after: Buffer | null
}

/**
 * Records examined per step: bounds how long one step delays the shard's commands (a step holds
 * its lane). 2000 made a step take milliseconds every 100 ms on a shard of many keys, and showed
 * in the fixed-rate GET latency (p90 0.77 ms against 0.31 ms with 200, docs/performance.md);
 * the price is a slower pass: ~40 s per million keys per shard at 10 steps a second.
 */
export const SWEEP_RECORDS_PER_STEP = 256
/** Partitions visited per step (one iterator each): at 10 steps a second, a shard of 2048 partitions is swept in ~13 s. */
export const SWEEP_PARTITIONS_PER_STEP = 16

const ZERO = Buffer.from([0])

export function sweepStep(ctx: ExecContext, owned: readonly number[], cursor: SweepCursor, nowMs: number, sync: boolean): void {
  ctx.begin(nowMs)
  const purge: WriteOp[] = []
  let budget = SWEEP_RECORDS_PER_STEP
  for (let visited = 0; visited < Math.min(owned.length, SWEEP_PARTITIONS_PER_STEP) && budget > 0; visited++) {
    const range = partitionRange(owned[cursor.partition])
    const from = cursor.after === null ? range.gte : Buffer.concat([cursor.after, ZERO])
    const rows = ctx.store.scan('meta', from, range.lt, budget)
    if (rows.length === budget) {
      cursor.after = rows[rows.length - 1].key
    } else {
      cursor.partition = (cursor.partition + 1) % owned.length
      cursor.after = null
    }
    budget -= rows.length + 1
    for (const { key, value } of rows) {
      const envelope = decodeEnvelope(value)
      if (envelope.flags & FLAG_TOMBSTONE) {
        if (hlcPhysical(envelope.hlc) + TOMBSTONE_GC_GRACE_MS < nowMs) purge.push({ column: 'meta', key, value: null })
      } else if (envelope.expireAtMs !== 0 && envelope.expireAtMs <= nowMs) {
        ctx.delete(userKeyOf(key))
      }
    }
  }
  ctx.commit(sync)
  ctx.store.write(purge, sync)
}

/** Members purged per step. Dead versions belong to no live key, so any one writer may purge them. */
export const GC_MEMBERS_PER_STEP = 5000

const GC_END = prefixEnd(SYS_GC_PREFIX)

/**
 * Purge members of dead collection versions (DEL, overwrite or expiry of a collection is O(1):
 * it leaves a `gc/<prefix>` record, and this removes the members behind it, a bounded number per step).
 */
export function gcStep(store: Store, sync: boolean): void {
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
  store.write(ops, sync)
}

/** The partitions a shard owns: pid % shards === shard. */
export function ownedPartitions(shard: number, shards: number): number[] {
  const owned: number[] = []
  for (let pid = shard; pid < PARTITIONS; pid += shards) owned.push(pid)
  return owned
}
