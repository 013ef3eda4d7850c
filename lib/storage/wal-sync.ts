// Syncs RocksDB's WAL beside RocksDB's writes rather than through them. A synced RocksDB write
// would sync the same files, but it holds RocksDB's write queue while the disk works: every write
// from every thread queues behind it (docs/performance.md). DB::SyncWAL syncs outside that queue;
// the addon calls it on a thread of its own (native/src/wal.rs), which starts the next sync as
// soon as the last one returns whenever one was asked for meanwhile, and reports each to the
// event loop.
//
// Why this is enough: RocksDB hands each write's WAL record to the OS before the write returns
// (no manual WAL flush), and writes queued for RocksDB (native/src/store/rocks.cc) land before
// a sync starts. So a sync begun after a request makes every write that returned before the
// request durable. SyncWAL also syncs the directory when a WAL file is new, or a crash could
// lose the whole file.
import { WalSyncer } from '../native'

/** Heard on the event loop: every write that returned before request `request` is durable, or `err` kept it from being. */
export type OnSynced = (request: number, err: Error | null) => void

export class WalSync {
  private readonly syncer: WalSyncer
  /** The last request's number, and the last one reported: the process stays alive while they differ. */
  private requested = 0
  private reported = 0

  /** `store`: the handle of the store whose WAL this is (Store.handle). */
  constructor(store: bigint, onSynced: OnSynced) {
    this.syncer = new WalSyncer(store, (request, message) => {
      this.reported = request
      if (this.reported === this.requested) this.syncer.hold(false)
      onSynced(request, message === null ? null : new Error(message))
    })
  }

  /** Ask for a sync of every write that has returned: the request's number, which onSynced will hear. */
  request(): number {
    // Held only once the request is taken (after close it throws): no report can come before,
    // as reports come on this thread.
    const request = this.syncer.request()
    if (this.reported === this.requested) this.syncer.hold(true)
    this.requested = request
    return request
  }

  /** Finish the syncs asked for, then stop; what they report still reaches onSynced. */
  close(): void {
    this.syncer.close()
  }
}
