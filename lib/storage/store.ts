// The storage boundary: flat synchronous calls over one RocksDB database
// (@nxtedition/rocksdb), shared by handle between the main thread and the shard workers.
import { COLUMN_FAMILIES, SYS_SYNC_TICK } from './layout'

// The package ships no types; this file is the only place that touches it.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { RocksLevel } = require('@nxtedition/rocksdb')

export type Column = 'meta' | 'members' | 'sys'

export interface WriteOp {
  column: Column
  key: Buffer
  /** null deletes the key physically (purges); tombstones are puts of a tombstone record. */
  value: Buffer | null
}

export interface Row { key: Buffer; value: Buffer }

export interface OpenOptions {
  /** RocksDB block cache size in bytes. */
  cacheSize?: number
}

/**
 * Options per column family. The binding applies options to each column family on its own:
 * the database-level ones reach no column, so each has its own block cache (8 MB unless
 * set) and memtables (64 MB each unless set). Here the node's cache is split by use, the
 * memtables are sized from a budget per column (level compaction: no compression on L0 and
 * L1, so flushes spend no CPU on ZSTD; ZSTD from L2 down), and `meta`, read by key on every
 * command, gets point-lookup indexes (a hash index in data blocks, a memtable bloom filter).
 */
function columnOptions(cacheSize: number): Record<(typeof COLUMN_FAMILIES)[number], object> {
  const MB = 1024 * 1024
  const level = (budget: number): object => ({ compaction: 'level', memtableMemoryBudget: budget })
  return {
    default: { ...level(4 * MB), cacheSize: MB },
    meta: { ...level(64 * MB), cacheSize: Math.round(cacheSize * 0.6), optimize: 'point-lookup' },
    members: { ...level(64 * MB), cacheSize: Math.round(cacheSize * 0.3) },
    sys: { ...level(16 * MB), cacheSize: Math.round(cacheSize * 0.1) },
  }
}

/** Write options, made once: the binding reads them on every write. */
const SYNC = { sync: true }
const NO_SYNC = { sync: false }

export class Store {
  private readonly columns: Record<string, unknown>
  /** `{ column }` per column family, made once: the binding reads one per put or delete. */
  private readonly columnOptions: Record<string, object>
  /** `{ column, valueEncoding }` per column family, made once: one getMany per batch read. */
  private readonly readOptions: Record<string, object>
  /**
   * One RocksDB WriteBatch for every write of this thread's Store, cleared after each: a new
   * batch per write cost a JS object, a native allocation and a finalizer the next scavenge
   * has to run.
   */
  private readonly batch: any

  private constructor(private readonly db: any) {
    this.columns = db.columns
    this.columnOptions = {}
    this.readOptions = {}
    for (const [name, handle] of Object.entries(this.columns)) {
      this.columnOptions[name] = { column: handle }
      this.readOptions[name] = { column: handle, valueEncoding: 'buffer' }
    }
    this.batch = db.batch()
  }

  /** Open (creating if missing) the database at `location`, or attach to an open one by `handle`. */
  static async open(locationOrHandle: string | unknown, options: OpenOptions = {}): Promise<Store> {
    const db = new RocksLevel(locationOrHandle, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open({
      createIfMissing: true,
      columns: columnOptions(options.cacheSize ?? 64 * 1024 * 1024),
      // Database-level column options reach no column family (above): no cache of their own.
      cacheSize: 0,
      infoLogLevel: 'warn',
      // The binding's default compresses every WAL record with ZSTD: ~4 % more instructions
      // per get-and-write batch (callgrind, docs/performance.md) for WAL files that live seconds.
      walCompression: false,
    })
    return new Store(db)
  }

  /** A handle another thread passes to `Store.open` to share this database. */
  get handle(): unknown {
    return this.db.handle
  }

  /** The database's directory (and its WAL files'). */
  get location(): string {
    return this.db.location
  }

  getMany(column: Column, keys: Buffer[]): Array<Buffer | undefined> {
    if (keys.length === 0) return []
    return this.db._getManySync(keys, this.readOptions[column])
  }

  get(column: Column, key: Buffer): Buffer | undefined {
    return this.getMany(column, [key])[0]
  }

  /** Apply ops atomically; with `sync`, the WAL is synced before this returns. Throws on a RocksDB error. */
  write(ops: WriteOp[], sync: boolean): void {
    if (ops.length === 0) return
    const batch = this.batch
    try {
      // The underscored calls skip abstract-level's encodings and state: keys and values are bytes.
      for (const op of ops) {
        const options = this.columnOptions[op.column]
        if (op.value === null) batch._del(op.key, options)
        else batch._put(op.key, op.value, options)
      }
      batch._writeSync(sync ? SYNC : NO_SYNC)
    } finally {
      batch._clear()
    }
  }

  /** Sync the WAL, and so every write before this one from any thread (one small synced write). */
  syncWal(nowMs: number): void {
    this.write([{ column: 'sys', key: SYS_SYNC_TICK, value: Buffer.from(String(nowMs)) }], true)
  }

  /** Up to `limit` rows of `column` in [gte, lt), in key order. */
  scan(column: Column, gte: Buffer, lt: Buffer, limit: number): Row[] {
    const flat = this.query(column, gte, lt, false, limit)
    const rows: Row[] = []
    for (let i = 0; i < flat.length; i += 2) rows.push({ key: flat[i], value: flat[i + 1] })
    return rows
  }

  /**
   * Up to `limit` rows of `column` in [gte, lt), from `lt` down when `reverse`, as [key, value,
   * key, value...]: one native call that makes, reads and drops its own iterator, ~10 µs here
   * against ~20 µs for an iterator object with one read and a close (docs/performance.md).
   */
  query(column: Column, gte: Buffer, lt: Buffer, reverse: boolean, limit: number): Buffer[] {
    return this.db.querySync({ column: this.columns[column], gte, lt, reverse, limit, keys: true, values: true, keyEncoding: 'buffer', valueEncoding: 'buffer' }).rows
  }

  /**
   * A reader of the ranges within [gte, lt) of `column`, in one direction. Its first walk reads
   * by `query`; a later one makes an iterator and seeks it (~4 µs a seek). It sees the column as
   * it is when it reads, so a batch makes its own and closes them when it ends.
   */
  rangeReader(column: Column, gte: Buffer, lt: Buffer, reverse: boolean): RangeReader {
    return new RangeReader(this, column, gte, lt, reverse)
  }

  /** An iterator over [gte, lt) of `column`, for RangeReader's seeks. */
  iterator(column: Column, gte: Buffer, lt: Buffer, reverse: boolean): any {
    // Reversed, a seek goes to the last key at or before its target, and the binding finds
    // nothing for a target at the upper bound: `lte` (an upper bound just past `lt`) admits it.
    const bounds = reverse ? { gte, lte: lt } : { gte, lt }
    return this.db.iterator({ column: this.columns[column], reverse, ...bounds, keys: true, values: true, keyEncoding: 'buffer', valueEncoding: 'buffer' })
  }

  /**
   * Rows of `column` in [gte, lt), in key order (or reversed), read lazily in pages that grow
   * from `firstPage` (the rows the caller expects to want: LPOP wants 1; every row of a page is
   * copied out of RocksDB, wanted or not) to 1000, each page one `query`. Leave the loop to stop.
   */
  *iterate(column: Column, gte: Buffer, lt: Buffer, reverse = false, firstPage = 16): Generator<Row> {
    let page = firstPageSize(firstPage)
    for (;;) {
      const flat = this.query(column, gte, lt, reverse, page)
      for (let i = 0; i < flat.length; i += 2) yield { key: flat[i], value: flat[i + 1] }
      if (flat.length < 2 * page) return
      // The next page starts past the last row: above it (the smallest key after it is the key
      // with a 0 byte appended), or, reversed, below it.
      const last: Buffer = flat[flat.length - 2]
      if (reverse) lt = last
      else gte = Buffer.concat([last, ZERO_BYTE])
      page = Math.min(1000, page * 4)
    }
  }

  /**
   * Delete every key of `column` in [gte, lt) (FLUSHALL), as one range tombstone. Pass real
   * bounds: without `lt` the binding ends the range at a 1 MB key of 0xff bytes, and every
   * iterator created afterwards pays for comparing and copying it.
   */
  async clear(column: Column, gte: Buffer, lt: Buffer): Promise<void> {
    await this.db.clear({ column: this.columns[column], gte, lt })
  }

  property(name: string): string | undefined {
    try {
      return this.db.getProperty(name)
    } catch {
      return undefined
    }
  }

  async close(): Promise<void> {
    await this.db.close()
  }
}

function firstPageSize(firstPage: number): number {
  return Math.max(1, Math.min(1000, firstPage))
}

const ZERO_BYTE = Buffer.from([0])

/**
 * Rows of ranges of one column, in key order or reversed (Store.rangeReader): the first walk by
 * Store.iterate, later ones from one iterator, sought to each. Most batches walk a range once
 * (one LPOP), and one query costs half of making an iterator.
 */
export class RangeReader {
  private it: any = null
  private walked = false

  constructor(private readonly store: Store, private readonly column: Column, readonly gte: Buffer, readonly lt: Buffer, readonly reverse: boolean) {}

  /** Whether [gte, lt) lies within this reader's range. */
  covers(gte: Buffer, lt: Buffer): boolean {
    return Buffer.compare(gte, this.gte) >= 0 && Buffer.compare(lt, this.lt) <= 0
  }

  /**
   * Rows in [gte, lt), read in pages that grow from `firstPage` (the rows the caller expects to
   * want) to 1000, within the reader's range. Rows past [gte, lt) are dropped here.
   */
  *rows(gte: Buffer, lt: Buffer, firstPage = 16): Generator<Row> {
    if (!this.walked) {
      this.walked = true
      yield* this.store.iterate(this.column, gte, lt, this.reverse, firstPage)
      return
    }
    this.it ??= this.store.iterator(this.column, this.gte, this.lt, this.reverse)
    const reverse = this.reverse
    // Reversed, the iterator seeks to the last key at or before `lt`, which is outside the range if equal.
    this.it._seekSync(reverse ? lt : gte)
    let page = firstPageSize(firstPage)
    for (;;) {
      const { rows: flat, finished } = this.it._nextvSync(page)
      for (let i = 0; i < flat.length; i += 2) {
        const key: Buffer = flat[i]
        if (reverse) {
          if (Buffer.compare(key, gte) < 0) return
          if (Buffer.compare(key, lt) >= 0) continue
        } else if (Buffer.compare(key, lt) >= 0) {
          return
        }
        yield { key, value: flat[i + 1] }
      }
      if (finished || flat.length === 0) return
      page = Math.min(1000, page * 4)
    }
  }

  close(): void {
    if (this.it !== null) void this.it.close()
    this.it = null
  }
}
