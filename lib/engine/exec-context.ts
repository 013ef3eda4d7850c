// The state of one batch of commands on one writer (a shard worker, or the main thread while
// the shards are paused): prefetch the keys the batch names in one read, let handlers read and
// write through an overlay synchronously, then commit everything in one RocksDB write batch.
import { encodeRecord, partitionOf } from '../native'
import { SharedHlc } from '../core/clock'
import { countKey, FLAG_TOMBSTONE, hlcKey, metaKey } from '../storage/layout'
import { decodeStored, isExpired, Rec } from '../storage/record'
import { Store, WriteOp } from '../storage/store'

interface Entry {
  readonly storageKey: Buffer
  readonly pid: number
  /** Current physical state: null for missing or tombstoned. May be expired. */
  rec: Rec | null
  dirty: boolean
}

const EMPTY = Buffer.alloc(0)

export class ExecContext {
  nowMs = 0
  private readonly entries = new Map<string, Entry>()
  private readonly countDeltas = new Map<number, number>()

  constructor(
    readonly store: Store,
    private readonly clock: SharedHlc,
    /** This node's id: the origin stamped on every record it writes. */
    readonly origin: number,
    /** Names this writer's HLC high-water record (`hlc/<writer>`). */
    private readonly writer: string,
  ) {}

  begin(nowMs: number): void {
    this.nowMs = nowMs
    this.entries.clear()
    this.countDeltas.clear()
  }

  /** Read every key in one RocksDB call; later reads of them hit the overlay. */
  prefetch(keys: Buffer[]): void {
    const fresh: Entry[] = []
    for (const key of keys) {
      const id = key.toString('latin1')
      if (this.entries.has(id)) continue
      const pid = partitionOf(key)
      const entry: Entry = { storageKey: metaKey(pid, key), pid, rec: null, dirty: false }
      this.entries.set(id, entry)
      fresh.push(entry)
    }
    const stored = this.store.getMany('meta', fresh.map((e) => e.storageKey))
    for (let i = 0; i < fresh.length; i++) fresh[i].rec = decodeStored(stored[i])
  }

  /** The record at `key` if it exists and has not expired. */
  get(key: Buffer): Rec | null {
    const rec = this.entry(key).rec
    return rec !== null && !isExpired(rec, this.nowMs) ? rec : null
  }

  put(key: Buffer, rec: Rec): void {
    const entry = this.entry(key)
    if (entry.rec === null) this.addCount(entry.pid, 1)
    entry.rec = rec
    entry.dirty = true
  }

  /** Tombstone the key. Returns whether it existed (unexpired), as DEL counts. */
  delete(key: Buffer): boolean {
    const entry = this.entry(key)
    if (entry.rec === null) return false
    const existed = !isExpired(entry.rec, this.nowMs)
    this.addCount(entry.pid, -1)
    entry.rec = null
    entry.dirty = true
    return existed
  }

  /** Write the batch: every changed record stamped with a fresh HLC, key counts, the HLC mark. */
  commit(sync: boolean): void {
    const ops: WriteOp[] = []
    let dirty = 0
    for (const entry of this.entries.values()) if (entry.dirty) dirty++
    if (dirty === 0) return
    let hlc = this.clock.reserve(dirty, this.nowMs)
    for (const entry of this.entries.values()) {
      if (!entry.dirty) continue
      const rec = entry.rec
      const value = rec === null
        ? encodeRecord({ flags: FLAG_TOMBSTONE, hlc, origin: this.origin, expireAtMs: 0 }, EMPTY)
        : encodeRecord({ flags: rec.type, hlc, origin: this.origin, expireAtMs: rec.expireAtMs }, rec.payload)
      ops.push({ column: 'meta', key: entry.storageKey, value })
      hlc++
    }
    this.pushCounts(ops)
    const mark = Buffer.allocUnsafe(8)
    mark.writeBigUInt64BE(hlc - 1n, 0)
    ops.push({ column: 'sys', key: hlcKey(this.writer), value: mark })
    this.store.write(ops, sync)
  }

  private entry(key: Buffer): Entry {
    const found = this.entries.get(key.toString('latin1'))
    if (found !== undefined) return found
    this.prefetch([key])
    return this.entries.get(key.toString('latin1'))!
  }

  private addCount(pid: number, delta: number): void {
    this.countDeltas.set(pid, (this.countDeltas.get(pid) ?? 0) + delta)
  }

  private pushCounts(ops: WriteOp[]): void {
    const pids = [...this.countDeltas.keys()].filter((pid) => this.countDeltas.get(pid) !== 0)
    const keys = pids.map(countKey)
    const current = this.store.getMany('sys', keys)
    for (let i = 0; i < pids.length; i++) {
      const value = Buffer.allocUnsafe(8)
      const before = current[i] === undefined ? 0n : current[i]!.readBigInt64BE(0)
      value.writeBigInt64BE(before + BigInt(this.countDeltas.get(pids[i])!), 0)
      ops.push({ column: 'sys', key: keys[i], value })
    }
  }
}

/** Live keys of the whole node: the sum of the per-partition counts. */
export function countKeys(store: Store, partitions: number): number {
  const keys: Buffer[] = []
  for (let pid = 0; pid < partitions; pid++) keys.push(countKey(pid))
  let total = 0n
  for (const value of store.getMany('sys', keys)) if (value !== undefined) total += value.readBigInt64BE(0)
  return Number(total)
}
