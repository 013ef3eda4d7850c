// Replies under MAREKVS_FSYNC=always wait for a WAL sync that began after every write before them
// (lib/engine/group-commit.ts).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { error, Reply } from '../../lib/core/reply'
import { GroupCommit } from '../../lib/engine/group-commit'

/** A GroupCommit whose syncs finish when the test says, recording what each one covered. */
class Harness {
  /** Writes finished so far, by the order batches were handed over. */
  writes = 0
  /** Per sync started: the writes finished when it began. */
  readonly syncStarts: number[] = []
  private readonly pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = []
  readonly released: Array<{ batch: number; writesBefore: number; bySync: number; failure?: Reply }> = []
  /** Syncs finished so far. */
  finished = 0
  readonly commit = new GroupCommit(
    () => new Promise<void>((resolve, reject) => {
      this.syncStarts.push(this.writes)
      this.pending.push({ resolve, reject })
    }),
    (err) => error(`ERR storage error: ${err.message}`),
  )

  batch(id: number, wrote: boolean): void {
    if (wrote) this.writes++
    const writesBefore = this.writes
    this.commit.after(wrote, (failure) => this.released.push({ batch: id, writesBefore, bySync: this.finished, failure }))
  }

  get inFlight(): number {
    return this.pending.length
  }

  async finishSync(failure?: string): Promise<void> {
    const sync = this.pending.shift()!
    this.finished++
    if (failure === undefined) sync.resolve()
    else sync.reject(new Error(failure))
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('group commit (MAREKVS_FSYNC=always)', () => {
  it('releases a batch that wrote only after a sync that began after its write', async () => {
    const h = new Harness()
    h.batch(1, true)
    assert.equal(h.inFlight, 1)
    assert.equal(h.released.length, 0)
    await h.finishSync()
    assert.deepEqual(h.released.map((r) => r.batch), [1])
    assert.ok(h.commit.idle)
  })

  it('releases reads at once while nothing written is unsynced', () => {
    const h = new Harness()
    h.batch(1, false)
    h.batch(2, false)
    assert.deepEqual(h.released.map((r) => r.batch), [1, 2])
    assert.equal(h.syncStarts.length, 0)
  })

  it('holds a read behind the sync in flight, and one after a waiting write behind the next sync', async () => {
    const h = new Harness()
    h.batch(1, true)
    h.batch(2, false)
    h.batch(3, true)
    h.batch(4, false)
    assert.equal(h.syncStarts.length, 1)
    await h.finishSync()
    assert.deepEqual(h.released.map((r) => r.batch), [1, 2])
    // Batches 3 and 4 share the second sync, started as the first finished.
    assert.deepEqual(h.syncStarts, [1, 2])
    await h.finishSync()
    assert.deepEqual(h.released.map((r) => r.batch), [1, 2, 3, 4])
  })

  it('answers the covered batches with the error when a sync fails, and goes on', async () => {
    const h = new Harness()
    h.batch(1, true)
    h.batch(2, false)
    await h.finishSync('IO error: disk full')
    assert.deepEqual(h.released.map((r) => [r.batch, r.failure]), [[1, error('ERR storage error: IO error: disk full')], [2, error('ERR storage error: IO error: disk full')]])
    h.batch(3, true)
    await h.finishSync()
    assert.equal(h.released[2].failure, undefined)
  })

  it('property: every batch is released, in order, by a sync that began after every write before it; one sync at a time', async () => {
    const event = fc.oneof(fc.constant('read' as const), fc.constant('write' as const), fc.constant('sync' as const))
    await fc.assert(fc.asyncProperty(fc.array(event, { maxLength: 60 }), async (events) => {
      const h = new Harness()
      let id = 0
      for (const e of events) {
        if (e === 'sync') {
          if (h.inFlight > 0) await h.finishSync()
        } else {
          h.batch(id++, e === 'write')
        }
        assert.ok(h.inFlight <= 1, 'more than one sync in flight')
      }
      while (h.inFlight > 0) await h.finishSync()
      assert.ok(h.commit.idle)
      assert.deepEqual(h.released.map((r) => r.batch), Array.from({ length: id }, (_, i) => i))
      for (const r of h.released) {
        if (r.writesBefore === 0) continue
        // bySync syncs had finished at release: the last of them covered this batch's writes.
        assert.ok(r.bySync > 0 && h.syncStarts[r.bySync - 1] >= r.writesBefore, `batch ${r.batch} released before its writes were synced`)
      }
      assert.ok(h.syncStarts.length <= h.writes, 'a sync with nothing new to cover')
    }), { numRuns: 300 })
  })
})
