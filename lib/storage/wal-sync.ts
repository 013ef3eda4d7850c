// Syncs RocksDB's WAL files beside RocksDB rather than through it. A synced RocksDB write would
// sync the same files, but it holds RocksDB's write queue while the disk works: every write from
// every thread queues behind it, and under MAREKVS_FSYNC=always the main thread spent its time
// waiting there (docs/performance.md). DB::SyncWAL, which syncs outside the queue, is not in the
// binding, so the addon's syncWalFiles does the same on libuv's thread pool.
//
// Why this is enough: our writes are queued for RocksDB (native/src/store/rocks.cc), so a sync
// first waits, on the same pool thread, for what was queued before it. RocksDB hands each write's
// WAL record to the OS before the write lands (no manual WAL flush), so an fdatasync of every
// live WAL file, begun after that, makes every write that returned before the sync durable. A
// WAL file new since the last sync also needs its directory entry synced, or a crash could lose
// the whole file: syncWalFiles does that for files not in `known`.
import { syncWalFiles } from '../native'

export class WalSync {
  /** The WAL files the last sync found. */
  private known: string[] = []

  /** `store`: the handle of the store whose WAL this is (Store.handle), for its queued writes. */
  constructor(private readonly dir: string, private readonly store?: bigint) {}

  /**
   * Make every write that returned before this call durable. Rejects on an I/O error, or when a
   * queued write failed. One at a time.
   */
  async sync(): Promise<void> {
    this.known = await syncWalFiles(this.dir, this.known, this.store)
  }
}
