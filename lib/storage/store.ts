// The storage boundary: flat synchronous calls over one RocksDB database, shared by handle
// between the main thread and the shard workers. The calls are our own (native/src/store/),
// made against the RocksDB that @nxtedition/rocksdb ships (docs/native.md, "RocksDB").
import { isMainThread } from 'node:worker_threads'
import { compareBytes } from '../core/bytes'
import { RocksStore, type RocksIterator } from '../native'
import { COLUMN_FAMILIES, SYS_SYNC_TICK } from './layout'
import type { Compression } from '../config'

export type Column = 'meta' | 'members' | 'sys'

export interface WriteOp {
  column: Column
  key: Buffer
  /** null deletes the key physically (purges); tombstones are puts of a tombstone record. */
  value: Buffer | null
}

export interface Row { key: Buffer; value: Buffer }

export interface OpenOptions {
  /** RocksDB block cache size in bytes (64 MiB); `meta`'s record cache takes a quarter of it again. */
  cacheSize?: number
  /** How the deeper levels' files are written (MAREKVS_COMPRESSION): 'zstd' (the default) or 'none'. */
  compression?: Compression
  /**
   * Whether writes return once queued for RocksDB's own thread (the default), or land before they
   * return, on the caller's thread: MAREKVS_FSYNC=always, whose replies wait for a WAL sync
   * anyway, gains nothing from the queue but a hop before each sync (docs/performance.md).
   */
  queueWrites?: boolean
}

/** Index of each column family in COLUMN_FAMILIES: the native calls name columns by it. */
const COLUMN_INDEX: Record<Column, number> = { meta: COLUMN_FAMILIES.indexOf('meta'), members: COLUMN_FAMILIES.indexOf('members'), sys: COLUMN_FAMILIES.indexOf('sys') }

/** How a column is read, which sets its memtables and tables (native/src/store/rocks.cc): by range only. */
const READS_RANGE = 0
/** By key too: sixteen small memtables with a bloom filter, so that a read by key searches one small skiplist. */
const READS_KEY = 1
/** By key on every command: also 2 KiB blocks with a hash index in them, for cold reads. */
const READS_KEY_EVERY_COMMAND = 2

/**
 * Per column family: its share of the block cache, its memtable budget (level compaction, each
 * flush half the budget: two memtables of a quarter each, or for a column read by key sixteen of
 * a thirty-second, which its inserts and reads find cheaper (native/src/store/rocks.cc); no
 * compression on L0 and L1, so flushes spend no CPU on ZSTD; ZSTD from L2 down. Smaller flushes,
 * 8 MiB memtables two at a time, gave SET -P 16 +12 %, but twice the SST files and 10 % fewer
 * cold reads with 20M keys: docs/performance.md), how it is read (`meta` by key on every command,
 * `members` by key and by range: HSET, SISMEMBER, ZSCORE read one member, HGETALL, LRANGE a
 * range), and its record cache: `meta`'s newest records, kept exact by the native read and write
 * paths (native/src/store/record_cache.h), so that a hot key's read skips the memtable's skiplist.
 */
function columnSpecs(cacheSize: number): { cacheBytes: number[]; memtableBudgets: number[]; reads: number[]; recordCacheBytes: number[] } {
  const MB = 1024 * 1024
  const spec: Record<(typeof COLUMN_FAMILIES)[number], [number, number, number, number]> = {
    default: [MB, 4 * MB, READS_RANGE, 0],
    meta: [Math.round(cacheSize * 0.6), 64 * MB, READS_KEY_EVERY_COMMAND, Math.round(cacheSize * 0.25)],
    members: [Math.round(cacheSize * 0.3), 64 * MB, READS_KEY, 0],
    sys: [Math.round(cacheSize * 0.1), 16 * MB, READS_RANGE, 0],
  }
  const rows = COLUMN_FAMILIES.map((name) => spec[name])
  return { cacheBytes: rows.map((r) => r[0]), memtableBudgets: rows.map((r) => r[1]), reads: rows.map((r) => r[2]), recordCacheBytes: rows.map((r) => r[3]) }
}

/**
 * Where reads put their values: one ArrayBuffer shared by many values, as Node's Buffer pool
 * does, instead of one per value (its allocation and its sweep cost more than the read of a
 * small value; docs/performance.md). A slab lives while any value in it does. Workers use none:
 * their values may be posted to the main thread, which would copy the whole slab.
 */
const SLAB_BYTES = 16 * 1024
/** Below this much room a new slab starts; a larger read gets a Buffer of its own. */
const SLAB_MIN_ROOM = 1024
/** [rows, ended, key length, value length, ...] for the largest page read (1000 rows). */
const MAX_ROWS = 1000

/** Properties of the database as a whole: summing them over the column families would count them once per column. */
const DB_WIDE_PROPERTIES = new Set([
  'rocksdb.num-running-compactions', 'rocksdb.num-running-flushes', 'rocksdb.is-write-stopped',
  'rocksdb.actual-delayed-write-rate', 'rocksdb.num-snapshots', 'rocksdb.oldest-snapshot-time',
])

export class Store {
  private slab = isMainThread ? Buffer.allocUnsafeSlow(SLAB_BYTES) : Buffer.alloc(0)
  private slabUsed = 0
  private readonly lens = new Int32Array(2 + 2 * MAX_ROWS)
  /** write's ops as the native call takes them, reused: columns, keys, values. */
  private readonly opColumns = new Uint8Array(256)
  private readonly opKeys: Buffer[] = []
  private readonly opValues: Array<Buffer | null> = []
  private isClosed = false

  private constructor(private readonly db: RocksStore, readonly location: string) {}

  /** Open (creating if missing) the database at `location`, or attach to an open one by `handle`. */
  static async open(locationOrHandle: string | unknown, options: OpenOptions = {}): Promise<Store> {
    if (typeof locationOrHandle !== 'string') {
      const { handle, location } = locationOrHandle as StoreHandle
      return new Store(RocksStore.attach(handle), location)
    }
    const { cacheBytes, memtableBudgets, reads, recordCacheBytes } = columnSpecs(options.cacheSize ?? 64 * 1024 * 1024)
    const compress = (options.compression ?? 'zstd') === 'zstd'
    return new Store(RocksStore.open(locationOrHandle, [...COLUMN_FAMILIES], cacheBytes, memtableBudgets, reads, recordCacheBytes, compress, options.queueWrites ?? true), locationOrHandle)
  }

  /** A handle another thread of this process passes to `Store.open` to share this database. */
  get handle(): StoreHandle {
    return { handle: this.db.handle, location: this.location }
  }

  /**
   * The values of `keys`, undefined when missing. `heads`: where `meta`'s record cache holds only
   * a large record's head (its envelope), that will do: it comes back flagged FLAG_HEAD.
   */
  getMany(column: Column, keys: Buffer[], heads = false): Array<Buffer | undefined> {
    const n = keys.length
    if (n === 0) return []
    if (this.slab.length - this.slabUsed < SLAB_MIN_ROOM && this.slab.length > 0) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
      this.slabUsed = 0
    }
    const lens = this.lensFor(n)
    const got = this.db.getMany(COLUMN_INDEX[column], keys, this.slab, this.slabUsed, lens, heads)
    let bytes: Buffer
    let at: number
    if (typeof got === 'number') {
      bytes = this.slab
      at = this.slabUsed
      this.slabUsed += got
    } else {
      bytes = got
      at = 0
    }
    const values = new Array<Buffer | undefined>(n)
    for (let i = 0; i < n; i++) {
      const len = lens[i]
      if (len < 0) {
        values[i] = undefined
        continue
      }
      values[i] = bytes.subarray(at, at + len)
      at += len
    }
    return values
  }

  /**
   * getMany on a thread of libuv's pool: the values, and what reading them cost in µs of
   * reading (summed over the parts of a split read, not its wall time).
   */
  async getManyAsync(column: Column, keys: Buffer[], heads = false): Promise<{ values: Array<Buffer | undefined>; micros: number }> {
    const out = await this.db.getManyAsync(COLUMN_INDEX[column], keys, heads)
    const values = new Array<Buffer | undefined>(keys.length)
    let at = 8 + 4 * keys.length
    for (let i = 0; i < keys.length; i++) {
      const len = out.readInt32LE(8 + 4 * i)
      if (len < 0) {
        values[i] = undefined
        continue
      }
      values[i] = out.subarray(at, at + len)
      at += len
    }
    return { values, micros: out.readDoubleLE(0) / 1000 }
  }

  get(column: Column, key: Buffer): Buffer | undefined {
    return this.getMany(column, [key])[0]
  }

  /**
   * Apply ops atomically. The write is queued for RocksDB's own thread (native/src/store/rocks.cc)
   * and every read from here on sees it; with `sync`, or a value too large for the record cache,
   * this returns once it has landed (the WAL synced first with `sync`). Throws on a RocksDB error:
   * a queued write's is thrown by the next write, and by the next WAL sync (wal-sync.ts).
   */
  write(ops: WriteOp[], sync: boolean): void {
    const n = ops.length
    if (n === 0) return
    const columns = n <= this.opColumns.length ? this.opColumns : new Uint8Array(n)
    const keys = this.opKeys
    const values = this.opValues
    for (let i = 0; i < n; i++) {
      const op = ops[i]
      columns[i] = COLUMN_INDEX[op.column]
      keys[i] = op.key
      values[i] = op.value
    }
    try {
      this.db.write(n, columns, keys, values, sync)
    } finally {
      // Hold no keys or values past the call.
      keys.length = 0
      values.length = 0
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
   * key, value...]: one native call that makes, reads and drops its own iterator.
   */
  query(column: Column, gte: Buffer, lt: Buffer, reverse: boolean, limit: number): Buffer[] {
    const lens = this.lensFor(limit)
    return rows(this.db.query(COLUMN_INDEX[column], gte, lt, reverse, limit, lens), lens)
  }

  /** Room for the lengths of `rows` rows (or values). */
  private lensFor(rows: number): Int32Array {
    return rows <= MAX_ROWS ? this.lens : new Int32Array(2 + 2 * rows)
  }

  /**
   * A reader of the ranges within [gte, lt) of `column`, in one direction. Its first walk reads
   * by `query`; a later one makes an iterator and seeks it. It sees the column as it is when it
   * reads, so a batch makes its own and closes them when it ends.
   */
  rangeReader(column: Column, gte: Buffer, lt: Buffer, reverse: boolean): RangeReader {
    return new RangeReader(this, column, gte, lt, reverse)
  }

  /** An iterator over [gte, lt) of `column`, for RangeReader's seeks. */
  iterator(column: Column, gte: Buffer, lt: Buffer, reverse: boolean): RocksIterator {
    return this.db.iterator(COLUMN_INDEX[column], gte, lt, reverse)
  }

  /**
   * Seek `it` to `target` (reversed: the last key below it), or read on from where it stopped
   * when null, then read up to `limit` rows: [key, value...] and whether the range ended.
   */
  read(it: RocksIterator, target: Buffer | null, limit: number): { rows: Buffer[]; ended: boolean } {
    const lens = this.lensFor(limit)
    const bytes = it.read(target, limit, lens)
    return { rows: rows(bytes, lens), ended: lens[1] === 1 }
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
      page = Math.min(MAX_ROWS, page * 4)
    }
  }

  /** Delete every key of `column` in [gte, lt) (FLUSHALL), as one range tombstone. */
  async clear(column: Column, gte: Buffer, lt: Buffer): Promise<void> {
    this.db.deleteRange(COLUMN_INDEX[column], gte, lt)
  }

  /** This Store closed the database (a store attached on another thread learns it from its next native call). */
  get closed(): boolean {
    return this.isClosed
  }

  /** RangeReader iterators not yet closed, on every thread (a leak check for tests). */
  get openIterators(): number {
    return this.db.openIterators
  }

  /**
   * An integer RocksDB property of the whole store (e.g. `rocksdb.estimate-num-keys`), or
   * undefined: per-column properties summed over the column families, DB-wide ones as they are.
   */
  intProperty(name: string): number | undefined {
    return this.db.intProperty(name, !DB_WIDE_PROPERTIES.has(name)) ?? undefined
  }

  /** Tests only: flush `column` and compact it to its last level, so that reads go to SST files. */
  compactForTesting(column: Column): void {
    this.db.compactForTesting(COLUMN_INDEX[column])
  }

  /** Close: the thread that opened the database closes it for all; an attached one lets go. */
  async close(): Promise<void> {
    this.isClosed = true
    this.db.close()
  }
}

/** What `Store.handle` gives another thread: the native database handle and its directory. */
export interface StoreHandle {
  handle: bigint
  location: string
}

/** The rows of a native read, from its bytes and `lens` ([rows, ended, key length, value length...]), as [key, value, key, value...]. */
function rows(bytes: Buffer, lens: Int32Array): Buffer[] {
  const n = 2 * lens[0]
  const flat = new Array<Buffer>(n)
  let at = 0
  for (let i = 0; i < n; i++) {
    const len = lens[2 + i]
    flat[i] = bytes.subarray(at, at + len)
    at += len
  }
  return flat
}

function firstPageSize(firstPage: number): number {
  return Math.max(1, Math.min(MAX_ROWS, firstPage))
}

const ZERO_BYTE = Buffer.from([0])

/** A RangeReader's last page: see `page` there. */
interface ReadPage {
  from: Buffer
  rows: Buffer[]
  ended: boolean
}

/**
 * Rows of ranges of one column, in key order or reversed (Store.rangeReader): the first walk by
 * Store.iterate, later ones from one iterator, sought to each unless it starts within the page
 * the iterator read last (`page`). Most batches walk a range once (one LPOP), and one query
 * costs half of making an iterator.
 */
export class RangeReader {
  private it: RocksIterator | null = null
  private walked = false
  /**
   * The page the iterator read last ([key, value, ...]) and where its read began (`from`: the
   * seek target, or just past the page before when it read on): every stored row from `from`
   * to the page's last row is in it, and the iterator stands just past that row. A walk that
   * starts within the page takes its rows from there and reads on without a seek: each pop of a
   * list in a batch starts at the row the pop before it took (a seek costs one per memtable;
   * docs/performance.md, twenty-second round).
   */
  private page: ReadPage | null = null

  constructor(private readonly store: Store, private readonly column: Column, readonly gte: Buffer, readonly lt: Buffer, readonly reverse: boolean) {}

  /** Whether [gte, lt) lies within this reader's range. */
  covers(gte: Buffer, lt: Buffer): boolean {
    return compareBytes(gte, this.gte) >= 0 && compareBytes(lt, this.lt) <= 0
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
    const past = (key: Buffer): boolean => (reverse ? compareBytes(key, gte) < 0 : compareBytes(key, lt) >= 0)
    let target: Buffer | null = reverse ? lt : gte
    const last = this.page
    // After close, the native read below answers: the database is closed.
    if (last !== null && !this.store.closed && this.startsWithin(target, last)) {
      // Reversed, `target` is an exclusive bound: the page's rows below it.
      const flat = last.rows
      for (let i = 0; i < flat.length; i += 2) {
        const key = flat[i]
        if (reverse ? compareBytes(key, target) >= 0 : compareBytes(key, target) < 0) continue
        if (past(key)) return
        yield { key, value: flat[i + 1] }
      }
      if (last.ended) return
      target = null
    }
    let size = firstPageSize(firstPage)
    for (;;) {
      const { rows: flat, ended } = this.store.read(this.it, target, size)
      this.page = { from: target ?? this.pastPage(this.page!), rows: flat, ended }
      target = null
      for (let i = 0; i < flat.length; i += 2) {
        const key = flat[i]
        if (past(key)) return
        yield { key, value: flat[i + 1] }
      }
      if (ended) return
      size = Math.min(MAX_ROWS, size * 4)
    }
  }

  /** Where a read on from `page` begins: just past its last row (reversed, that row, as the bound below which it reads). */
  private pastPage(page: ReadPage): Buffer {
    if (page.rows.length === 0) return page.from
    const lastRow = page.rows[page.rows.length - 2]
    return this.reverse ? lastRow : Buffer.concat([lastRow, ZERO_BYTE])
  }

  /** Whether a walk from `target` (reversed: below it) begins among `page`'s rows, or past the range's end when the page ended it. */
  private startsWithin(target: Buffer, page: ReadPage): boolean {
    const lastRow = page.rows.length > 0 ? page.rows[page.rows.length - 2] : null
    if (this.reverse) {
      // Rows below `from` down to the last row are known; rows below `target` begin among them
      // when the last row is below `target`.
      if (compareBytes(target, page.from) > 0) return false
      return page.ended || (lastRow !== null && compareBytes(lastRow, target) < 0)
    }
    if (compareBytes(target, page.from) < 0) return false
    return page.ended || (lastRow !== null && compareBytes(target, lastRow) <= 0)
  }

  close(): void {
    if (this.it !== null) this.it.close()
    this.it = null
  }
}
