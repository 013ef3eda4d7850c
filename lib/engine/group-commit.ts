// MAREKVS_FSYNC=always without a command thread waiting for the disk. Batches write to RocksDB
// unsynced, wherever they run (a shard, or inline on the main thread), and their replies wait
// here for a WAL sync asked for after the write. The syncs run on a thread of their own
// (storage/wal-sync.ts), back to back while writes come: every batch that wrote while one ran
// shares the next. So the writes of every shard and connection share syncs, and the shards run
// their next batches while the disk syncs.
//
// A batch that wrote nothing may still show what an earlier unsynced write did (a GET after a
// SET of the same key): its reply waits for the sync that covers every write finished before
// it, as Redis sends no reply before the fsync of its event-loop turn.
import type { Reply } from '../core/reply'

/** Hands over a batch's replies; with `failure`, the sync failed: answer that instead. */
export type Release = (failure?: Reply) => void

interface Waiting {
  /** The sync request whose completion makes this batch's writes, and what it saw, durable. */
  request: number
  release: Release
}

export class GroupCommit {
  /** In request order, which is the order batches finished. */
  private readonly waiting: Waiting[] = []
  /** The last sync asked for, and the last one done. */
  private requested = 0
  private syncedUpTo = 0

  /** `request` asks for a sync after every write finished so far and returns its number. */
  constructor(private readonly request: () => number) {}

  /** Call `release` once every write finished so far is durable; `wrote`: the batch just finished wrote. */
  after(wrote: boolean, release: Release): void {
    if (wrote) this.requested = this.request()
    if (this.requested <= this.syncedUpTo) release()
    else this.waiting.push({ request: this.requested, release })
  }

  /** Sync request `request` is done (`failure`: it failed, the reply for the batches it covers). */
  synced(request: number, failure?: Reply): void {
    this.syncedUpTo = Math.max(this.syncedUpTo, request)
    let covered = 0
    while (covered < this.waiting.length && this.waiting[covered].request <= request) covered++
    for (const batch of this.waiting.splice(0, covered)) batch.release(failure)
  }

  /** No replies wait: nothing written is unsynced. */
  get idle(): boolean {
    return this.requested <= this.syncedUpTo
  }
}
