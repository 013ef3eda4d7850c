// The storage boundary: flat synchronous calls over one RocksDB database
// (@nxtedition/rocksdb), shared by handle between the main thread and the shard workers.
import { COLUMN_FAMILIES } from './layout'

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

export class Store {
  private readonly columns: Record<string, unknown>

  private constructor(private readonly db: any) {
    this.columns = db.columns
  }

  /** Open (creating if missing) the database at `location`, or attach to an open one by `handle`. */
  static async open(locationOrHandle: string | unknown, options: OpenOptions = {}): Promise<Store> {
    const db = new RocksLevel(locationOrHandle, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    const columns: Record<string, object> = {}
    for (const name of COLUMN_FAMILIES) columns[name] = {}
    await db.open({
      createIfMissing: true,
      columns,
      cacheSize: options.cacheSize ?? 64 * 1024 * 1024,
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

  getMany(column: Column, keys: Buffer[]): Array<Buffer | undefined> {
    if (keys.length === 0) return []
    return this.db._getManySync(keys, { column: this.columns[column], valueEncoding: 'buffer' })
  }

  get(column: Column, key: Buffer): Buffer | undefined {
    return this.getMany(column, [key])[0]
  }

  /** Apply ops atomically; with `sync`, the WAL is synced before this returns. Throws on a RocksDB error. */
  write(ops: WriteOp[], sync: boolean): void {
    if (ops.length === 0) return
    const batch = this.db.batch()
    try {
      // The underscored calls skip abstract-level's encodings: keys and values are bytes.
      for (const op of ops) {
        const options = { column: this.columns[op.column] }
        if (op.value === null) batch._del(op.key, options)
        else batch._put(op.key, op.value, options)
      }
      batch._writeSync({ sync })
    } finally {
      batch._closeSync()
    }
  }

  /** Up to `limit` rows of `column` in [gte, lt), in key order. */
  scan(column: Column, gte: Buffer, lt: Buffer, limit: number): Row[] {
    const it = this.db.iterator({ column: this.columns[column], gte, lt, limit, keys: true, values: true, keyEncoding: 'buffer', valueEncoding: 'buffer' })
    try {
      const rows: Row[] = []
      for (;;) {
        const { rows: flat, finished } = it._nextvSync(Math.min(1000, limit - rows.length))
        for (let i = 0; i < flat.length; i += 2) rows.push({ key: flat[i], value: flat[i + 1] })
        if (finished || rows.length >= limit || flat.length === 0) return rows
      }
    } finally {
      void it.close()
    }
  }

  /**
   * Rows of `column` in [gte, lt), in key order (or reversed), read lazily in pages. Stop early
   * by leaving the loop: the iterator closes then.
   */
  *iterate(column: Column, gte: Buffer, lt: Buffer, reverse = false): Generator<Row> {
    const it = this.db.iterator({ column: this.columns[column], gte, lt, reverse, keys: true, values: true, keyEncoding: 'buffer', valueEncoding: 'buffer' })
    try {
      let page = 16
      for (;;) {
        const { rows: flat, finished } = it._nextvSync(page)
        for (let i = 0; i < flat.length; i += 2) yield { key: flat[i], value: flat[i + 1] }
        if (finished || flat.length === 0) return
        // Small first pages serve point-like reads (ZRANGE 0 0, LPOP); long walks grow to 1000.
        page = Math.min(1000, page * 4)
      }
    } finally {
      void it.close()
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
