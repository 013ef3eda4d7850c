// MAREKVS_FSYNC=always without a command thread waiting for the disk. Batches write to RocksDB
// unsynced, wherever they run (a shard, or inline on the main thread), and their replies wait
// here for a WAL sync that began after the write. One sync runs at a time, off the JS threads
// (storage/wal-sync.ts); every batch that wrote while it ran shares the next one. So the writes of every shard
// and connection share syncs, and the shards run their next batches while the disk syncs.
//
// A batch that wrote nothing may still show what an earlier unsynced write did (a GET after a
// SET of the same key): its replies wait for the sync that covers every write finished before
// it, as Redis sends no reply before the fsync of its event-loop turn.
import type { Reply } from '../core/reply'

/** Hands over a batch's replies; with `failure`, the sync failed: answer that instead. */
export type Release = (failure?: Reply) => void

export class GroupCommit {
  /** Released when the sync in flight finishes, which began after every write they follow. */
  private covered: Release[] = []
  /** For the next sync: batches that wrote, or followed one that did, after the sync in flight began. */
  private waiting: Release[] = []
  private syncing = false

  /**
   * `sync` makes every write finished before it durable; `failed` turns its error into the reply
   * the batches it covered get instead of theirs.
   */
  constructor(private readonly sync: () => Promise<unknown>, private readonly failed: (err: Error) => Reply) {}

  /** Call `release` once every write finished so far is durable; `wrote`: the batch just finished wrote. */
  after(wrote: boolean, release: Release): void {
    // (A non-empty waiting list implies a sync in flight: start() runs whenever one is added to.)
    if (wrote || this.waiting.length > 0) {
      this.waiting.push(release)
      if (!this.syncing) this.start()
    } else if (this.syncing) {
      this.covered.push(release)
    } else {
      release()
    }
  }

  /** No replies wait: nothing written is unsynced. */
  get idle(): boolean {
    return !this.syncing
  }

  private start(): void {
    this.covered = this.waiting
    this.waiting = []
    this.syncing = true
    this.sync().then(() => this.finish(undefined), (err: Error) => this.finish(this.failed(err)))
  }

  private finish(failure: Reply | undefined): void {
    const released = this.covered
    this.syncing = false
    // The next sync starts before these replies go out: the disk works while they are written.
    if (this.waiting.length > 0) this.start()
    else this.covered = []
    for (const release of released) release(failure)
  }
}
