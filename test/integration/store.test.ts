// The storage boundary on a real RocksDB: writes apply, and a long run of writes and scans
// leaves nothing behind in the binding (a leak that once kept every write batch alive).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Store } from '../../lib/storage/store'
import { tempStore } from '../support/store'

/** What abstract-level keeps open on the database (write batches, iterators): its own bookkeeping, read here to catch a leak. */
function attachedResources(store: Store): number {
  const db = (store as unknown as { db: object }).db as Record<symbol, Set<unknown>>
  const key = Object.getOwnPropertySymbols(db).find((symbol) => symbol.description === 'resources')
  assert.ok(key !== undefined, 'abstract-level keeps its open resources under Symbol(resources)')
  return db[key].size
}

describe('Store on a real RocksDB', () => {
  const temp = tempStore()

  it('applies each write atomically; a later write reuses nothing of an earlier one', () => {
    temp.store.write([{ column: 'meta', key: Buffer.from('a'), value: Buffer.from('1') }, { column: 'members', key: Buffer.from('m'), value: Buffer.from('x') }], false)
    temp.store.write([{ column: 'meta', key: Buffer.from('b'), value: Buffer.from('2') }, { column: 'meta', key: Buffer.from('a'), value: null }], true)
    assert.deepEqual(temp.store.getMany('meta', [Buffer.from('a'), Buffer.from('b')]), [undefined, Buffer.from('2')])
    assert.deepEqual(temp.store.get('members', Buffer.from('m')), Buffer.from('x'))
  })

  it('a write that fails leaves nothing of itself in the next one', () => {
    assert.throws(() => temp.store.write([{ column: 'meta', key: Buffer.from('c'), value: Buffer.from('3') }, { column: 'meta', key: null as unknown as Buffer, value: Buffer.from('4') }], false))
    temp.store.write([{ column: 'meta', key: Buffer.from('d'), value: Buffer.from('5') }], false)
    assert.deepEqual(temp.store.getMany('meta', [Buffer.from('c'), Buffer.from('d')]), [undefined, Buffer.from('5')])
  })

  it('holds no more open resources after 20k writes and 2k scans than before them', async () => {
    const before = attachedResources(temp.store)
    for (let i = 0; i < 20_000; i++) temp.store.write([{ column: 'meta', key: Buffer.from(`k${i % 500}`), value: Buffer.from(String(i)) }], false)
    for (let i = 0; i < 2_000; i++) {
      for (const row of temp.store.iterate('meta', Buffer.from('k'), Buffer.from('l'))) if (row.key.length > 0) break
      temp.store.scan('meta', Buffer.from('k'), Buffer.from('l'), 3)
    }
    // An iterator's close completes on a later tick.
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(attachedResources(temp.store), before)
  })
})

describe('RangeReader: ranges read by a query, then by seeking one iterator', () => {
  const temp = tempStore()
  const byte = (n: number): Buffer => Buffer.from([n])
  const key = (a: number, b: number): Buffer => Buffer.from([0x52, a, b])

  it('reads every sub-range of its range as a scan does, in both directions', () => {
    // Keys on both sides of the reader's bounds, and at them.
    const ops = []
    for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b += 1 + (a % 3)) ops.push({ column: 'members' as const, key: key(a, b), value: byte(a * 8 + b) })
    temp.store.write(ops, false)
    const written = ops.map((op) => op.key).sort(Buffer.compare)
    const gte = key(2, 0)
    const lt = key(6, 0)
    const readers = [temp.store.rangeReader('members', gte, lt, false), temp.store.rangeReader('members', gte, lt, true)]
    try {
      const point = fc.tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 7 })).map(([a, b]) => key(a, b)).filter((k) => Buffer.compare(k, lt) <= 0)
      fc.assert(fc.property(point, point, fc.integer({ min: 1, max: 5 }), (x, y, firstPage) => {
        const [from, to] = Buffer.compare(x, y) <= 0 ? [x, y] : [y, x]
        const expected = written.filter((k) => Buffer.compare(k, from) >= 0 && Buffer.compare(k, to) < 0).map((k) => k.toString('hex'))
        assert.deepEqual(temp.store.scan('members', from, to, 1000).map((row) => row.key.toString('hex')), expected)
        for (const reader of readers) {
          assert.ok(reader.covers(from, to))
          const got = [...reader.rows(from, to, firstPage)].map((row) => row.key.toString('hex'))
          assert.deepEqual(got, reader.reverse ? [...expected].reverse() : expected)
        }
      }), { numRuns: 300 })
      assert.equal(readers[0].covers(key(1, 9), lt), false)
      assert.equal(readers[1].covers(gte, key(6, 1)), false)
    } finally {
      for (const reader of readers) reader.close()
    }
  })

  it('Store.iterate reads a range in growing pages, each from where the last stopped, in both directions', () => {
    // 200 keys in one prefix, some of them prefixes of others (a page may stop at either).
    const ops = []
    for (let n = 0; n < 100; n++) {
      ops.push({ column: 'members' as const, key: Buffer.from([0x49, n]), value: byte(n) })
      ops.push({ column: 'members' as const, key: Buffer.from([0x49, n, 0]), value: byte(n) })
    }
    temp.store.write(ops, false)
    const written = ops.map((op) => op.key).sort(Buffer.compare)
    const bound = fc.integer({ min: 0, max: 101 }).map((n) => Buffer.from([0x49, n]))
    fc.assert(fc.property(bound, bound, fc.integer({ min: 1, max: 7 }), fc.boolean(), fc.integer({ min: 0, max: 220 }), (x, y, firstPage, reverse, take) => {
      const [from, to] = Buffer.compare(x, y) <= 0 ? [x, y] : [y, x]
      const inRange = written.filter((k) => Buffer.compare(k, from) >= 0 && Buffer.compare(k, to) < 0)
      const expected = (reverse ? inRange.reverse() : inRange).slice(0, take).map((k) => k.toString('hex'))
      const got: string[] = []
      for (const row of temp.store.iterate('members', from, to, reverse, firstPage)) {
        if (got.length === take) break
        got.push(row.key.toString('hex'))
      }
      assert.deepEqual(got, expected)
    }), { numRuns: 300 })
  })
})
