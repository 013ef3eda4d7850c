// ExecContext's key lookups: a handler's key is found by the Buffer the batch was prefetched with
// (by identity, in order), and any other lookup of the same bytes must reach the same entry.
import assert from 'node:assert/strict'
import { SharedHlc } from '../../lib/core/clock'
import { stringRec } from '../../lib/commands/string-value'
import { ExecContext } from '../../lib/engine/exec-context'
import { KeyCounts } from '../../lib/engine/key-counts'
import { KeyspaceStats } from '../../lib/engine/keyspace-stats'
import { tempStore } from '../support/store'

const b = (text: string): Buffer => Buffer.from(text)

describe('ExecContext key lookups', () => {
  const temp = tempStore()

  it('reach one entry per key, by the prefetched Buffer, an equal one, in or out of order', () => {
    const ctx = new ExecContext(temp.store, SharedHlc.create(0n), 1, 'test', KeyCounts.load(temp.store), new KeyspaceStats(KeyspaceStats.buffer(0), 0))
    const a = b('a')
    const c = b('c')
    ctx.begin(Date.now())
    // `a` twice, as MSET a 1 c 2 a 3 names it.
    ctx.prefetch([a, c, a])
    ctx.put(c, stringRec(b('2'), 0))
    ctx.put(b('a'), stringRec(b('1'), 0))
    assert.deepEqual(ctx.get(a)?.payload, b('1'))
    assert.deepEqual(ctx.get(c)?.payload, b('2'))
    ctx.put(a, stringRec(b('3'), 0))
    assert.deepEqual(ctx.get(b('a'))?.payload, b('3'))
    assert.equal(ctx.get(b('never prefetched')), null)
    ctx.commit()

    ctx.begin(Date.now())
    ctx.prefetch([b('c'), b('a')])
    assert.deepEqual(ctx.get(b('a'))?.payload, b('3'))
    assert.deepEqual(ctx.get(b('c'))?.payload, b('2'))
    assert.equal(KeyCounts.load(temp.store).total(), 2)
  })
})
