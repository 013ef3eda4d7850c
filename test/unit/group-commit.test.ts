// Replies under MAREKVS_FSYNC=always wait for a WAL sync that began after every write before them
// (lib/engine/group-commit.ts).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { error, Reply } from '../../lib/core/reply'
import { GroupCommit } from '../../lib/engine/group-commit'

/**
 * A GroupCommit over a model of the WAL syncer (native/src/wal.rs): requests are numbered; a
 * sync, started when the test says, covers every request made before it started; one runs at a
 * time; its report arrives when the test finishes it.
 */
class Harness {
  /** Writes finished so far, by the order batches were handed over. */
  writes = 0
  private requested = 0
  /** Per sync started: the request it covers up to, and the writes finished when it began. */
  readonly syncs: Array<{ upTo: number; writes: number }> = []
  private running: { upTo: number } | null = null
  readonly released: Array<{ batch: number; writesBefore: number; bySync: number; failure?: Reply }> = []
  /** Syncs reported so far. */
  finished = 0
  readonly commit = new GroupCommit(() => ++this.requested)

  batch(id: number, wrote: boolean): void {
    if (wrote) this.writes++
    const writesBefore = this.writes
    this.commit.after(wrote, (failure) => this.released.push({ batch: id, writesBefore, bySync: this.finished, failure }))
  }

  /** Whether the syncer has something to sync: a request after the last sync's. */
  get due(): boolean {
    return this.requested > (this.syncs.length === 0 ? 0 : this.syncs[this.syncs.length - 1].upTo)
  }

  get inFlight(): boolean {
    return this.running !== null
  }

  startSync(): void {
    assert.ok(this.running === null && this.due)
    this.running = { upTo: this.requested }
    this.syncs.push({ upTo: this.requested, writes: this.writes })
  }

  finishSync(failure?: string): void {
    const sync = this.running!
    this.running = null
    this.finished++
    this.commit.synced(sync.upTo, failure === undefined ? undefined : error(`ERR storage error: ${failure}`))
  }

  /** As the syncer does: start one when due, finish it. */
  syncOnce(failure?: string): void {
    if (!this.inFlight) this.startSync()
    this.finishSync(failure)
  }
}

describe('group commit (MAREKVS_FSYNC=always)', () => {
  it('releases a batch that wrote only after a sync asked for after its write', () => {
    const h = new Harness()
    h.batch(1, true)
    assert.ok(h.due)
    assert.equal(h.released.length, 0)
    assert.ok(!h.commit.idle)
    h.syncOnce()
    assert.deepEqual(h.released.map((r) => r.batch), [1])
    assert.ok(h.commit.idle)
  })

  it('releases reads at once while nothing written is unsynced', () => {
    const h = new Harness()
    h.batch(1, false)
    h.batch(2, false)
    assert.deepEqual(h.released.map((r) => r.batch), [1, 2])
    assert.ok(!h.due)
  })

  it('holds a read behind the sync of the writes before it, and what came during a sync behind the next', () => {
    const h = new Harness()
    h.batch(1, true)
    h.batch(2, false)
    h.startSync()
    h.batch(3, true)
    h.batch(4, false)
    h.finishSync()
    assert.deepEqual(h.released.map((r) => r.batch), [1, 2])
    // Batches 3 and 4 share the second sync.
    h.syncOnce()
    assert.deepEqual(h.released.map((r) => r.batch), [1, 2, 3, 4])
    assert.deepEqual(h.syncs.map((s) => s.writes), [1, 2])
  })

  it('answers the covered batches with the error when a sync fails, and goes on', () => {
    const h = new Harness()
    h.batch(1, true)
    h.batch(2, false)
    h.syncOnce('IO error: disk full')
    assert.deepEqual(h.released.map((r) => [r.batch, r.failure]), [[1, error('ERR storage error: IO error: disk full')], [2, error('ERR storage error: IO error: disk full')]])
    h.batch(3, true)
    h.syncOnce()
    assert.equal(h.released[2].failure, undefined)
  })

  it('property: every batch is released, in order, by a sync that began after every write before it', () => {
    const event = fc.constantFrom('read' as const, 'write' as const, 'start' as const, 'finish' as const)
    fc.assert(fc.property(fc.array(event, { maxLength: 60 }), (events) => {
      const h = new Harness()
      let id = 0
      for (const e of events) {
        if (e === 'start') {
          if (!h.inFlight && h.due) h.startSync()
        } else if (e === 'finish') {
          if (h.inFlight) h.finishSync()
        } else {
          h.batch(id++, e === 'write')
        }
      }
      while (h.inFlight || h.due) h.syncOnce()
      assert.ok(h.commit.idle)
      assert.deepEqual(h.released.map((r) => r.batch), Array.from({ length: id }, (_, i) => i))
      for (const r of h.released) {
        if (r.writesBefore === 0) continue
        // bySync syncs had finished at release: the last of them covered this batch's writes.
        assert.ok(r.bySync > 0 && h.syncs[r.bySync - 1].writes >= r.writesBefore, `batch ${r.batch} released before its writes were synced`)
      }
    }), { numRuns: 500 })
  })
})
