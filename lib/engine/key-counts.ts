// Live keys per partition, shared by every writer of the node (the shard threads and the main
// thread) through a SharedArrayBuffer, and persisted as `cnt/<pid>` in each write batch that
// changes them. Keeping them in memory spares every such batch a RocksDB read, and DBSIZE a
// read of 4096 records. One writer at a time owns a partition (its shard, or the main thread
// with the shard idle or paused), and batches are handed over by message, so plain loads and
// stores see each other's values.
import { PARTITIONS } from '../native'
import { countKey, prefixEnd, SYS_COUNT_PREFIX } from '../storage/layout'
import type { Store, WriteOp } from '../storage/store'

export class KeyCounts {
  private readonly counts: BigInt64Array

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(PARTITIONS * 8)) {
    this.counts = new BigInt64Array(buffer)
  }

  /** The counts as the store has them. */
  static load(store: Store): KeyCounts {
    const counts = new KeyCounts()
    const end = prefixEnd(SYS_COUNT_PREFIX)
    for (const { key, value } of store.scan('sys', SYS_COUNT_PREFIX, end, PARTITIONS)) {
      counts.counts[key.readUInt16BE(SYS_COUNT_PREFIX.length)] = value.readBigInt64BE(0)
    }
    return counts
  }

  /**
   * Append the writes that move each partition by its delta; returns what `apply` takes once
   * the batch is written (a failed write must leave the counts as they were).
   */
  stage(deltas: ReadonlyMap<number, number>, ops: WriteOp[]): Array<[number, bigint]> {
    const staged: Array<[number, bigint]> = []
    for (const [pid, delta] of deltas) {
      if (delta === 0) continue
      const next = this.counts[pid] + BigInt(delta)
      const value = Buffer.allocUnsafe(8)
      value.writeBigInt64BE(next, 0)
      ops.push({ column: 'sys', key: countKey(pid), value })
      staged.push([pid, next])
    }
    return staged
  }

  apply(staged: Array<[number, bigint]>): void {
    for (const [pid, value] of staged) this.counts[pid] = value
  }

  total(): number {
    let sum = 0n
    for (let pid = 0; pid < PARTITIONS; pid++) sum += this.counts[pid]
    return Number(sum)
  }

  /** FLUSHALL: every count record was deleted. */
  clear(): void {
    this.counts.fill(0n)
  }
}
