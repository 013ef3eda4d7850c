// ExecContext's key lookups: a handler's key is found by the Buffer the batch was prefetched with
// (by identity, in order), and any other lookup of the same bytes must reach the same entry.
import assert from 'node:assert/strict'
import { SharedHlc } from '../../lib/core/clock'
import { stringRec } from '../../lib/commands/string-value'
import { ExecContext } from '../../lib/engine/exec-context'
import { KeyCounts } from '../../lib/engine/key-counts'
import { KeyspaceStats } from '../../lib/engine/keyspace-stats'
import { partitionOf } from '../../lib/native'
import { encodeRecord, ENVELOPE_BYTES } from '../../lib/storage/envelope'
import { FLAG_HEAD, metaKey, TYPE_STRING } from '../../lib/storage/layout'
import { tempStore } from '../support/store'

const b = (text: string): Buffer => Buffer.from(text)

describe('ExecContext key lookups', () => {
  const temp = tempStore()
  const newContext = (): ExecContext => new ExecContext(temp.store, SharedHlc.create(0n), 1, 'test', KeyCounts.load(temp.store), new KeyspaceStats(KeyspaceStats.buffer(0), 0))

  it('reach one entry per key, by the prefetched Buffer, an equal one, in or out of order', () => {
    const ctx = newContext()
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

  it('reads a large record as its head where heads will do, and its whole payload when a handler asks', () => {
    const key = b('large')
    const storageKey = metaKey(partitionOf(key), key)
    const value = Buffer.alloc(2000, 'payload ')
    const expireAtMs = Date.now() + 100_000
    // A write that waits for its landing: the record cache then holds the record's head only.
    temp.store.write([{ column: 'meta', key: storageKey, value: encodeRecord({ flags: TYPE_STRING, hlc: 7n << 16n, origin: 2, expireAtMs }, value) }], true)
    const head = temp.store.getMany('meta', [storageKey], true)[0]!
    assert.equal(head.length, ENVELOPE_BYTES)
    assert.equal(head[0], TYPE_STRING | FLAG_HEAD)

    const ctx = newContext()
    ctx.begin(Date.now())
    ctx.prefetch([key], null, true)
    const rec = ctx.get(key)!
    assert.equal(rec.type, TYPE_STRING)
    assert.equal(rec.expireAtMs, expireAtMs)
    assert.deepEqual(rec.payload, value)
    // A write over it commits the new value whole.
    ctx.put(key, stringRec(b('small'), 0))
    ctx.commit()
    ctx.begin(Date.now())
    ctx.prefetch([key])
    assert.deepEqual(ctx.get(key)?.payload, b('small'))
  })
})
