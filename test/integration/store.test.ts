// The storage boundary on a real RocksDB: writes apply, values read share slabs without
// overwriting each other, readers leave no iterator open, and a closed store refuses calls.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { batchedReads, coldReadsForTesting } from '../../lib/native'
import { Store, WriteOp } from '../../lib/storage/store'
import { inTempDir, tempStore } from '../support/store'

describe('Store on a real RocksDB', () => {
  const temp = tempStore()

  it('applies each write atomically; a later write reuses nothing of an earlier one', () => {
    temp.store.write([{ column: 'meta', key: Buffer.from('a'), value: Buffer.from('1') }, { column: 'members', key: Buffer.from('m'), value: Buffer.from('x') }], false)
    temp.store.write([{ column: 'meta', key: Buffer.from('b'), value: Buffer.from('2') }, { column: 'meta', key: Buffer.from('a'), value: null }], true)
    assert.deepEqual(temp.store.getMany('meta', [Buffer.from('a'), Buffer.from('b')]), [undefined, Buffer.from('2')])
    assert.deepEqual(temp.store.get('members', Buffer.from('m')), Buffer.from('x'))
  })

  it('a batch that writes a key many times keeps its last write, in RocksDB and in the record cache', () => {
    // The native write adds a batch in key order; the writes to one key must keep theirs.
    const ops: WriteOp[] = []
    const last = new Map<string, Buffer | null>()
    for (let i = 0; i < 2000; i++) {
      const key = `dup${(i * 7919) % 23}`
      const value = i % 5 === 4 ? null : Buffer.from(`w${i}`)
      for (const column of ['meta', 'members'] as const) ops.push({ column, key: Buffer.from(key), value })
      last.set(key, value)
    }
    temp.store.write(ops, false)
    const keys = [...last.keys()].sort()
    const expected = keys.flatMap((key) => (last.get(key) === null ? [] : [{ key: Buffer.from(key), value: last.get(key) }]))
    for (const column of ['meta', 'members'] as const) {
      // A scan reads RocksDB itself; getMany may answer from meta's record cache.
      assert.deepEqual(temp.store.scan(column, Buffer.from('dup'), Buffer.from('duq'), 100), expected)
      assert.deepEqual(temp.store.getMany(column, keys.map((key) => Buffer.from(key))), keys.map((key) => last.get(key) ?? undefined))
    }
  })

  it('a write that fails leaves nothing of itself in the next one', () => {
    assert.throws(() => temp.store.write([{ column: 'meta', key: Buffer.from('c'), value: Buffer.from('3') }, { column: 'meta', key: null as unknown as Buffer, value: Buffer.from('4') }], false))
    temp.store.write([{ column: 'meta', key: Buffer.from('d'), value: Buffer.from('5') }], false)
    assert.deepEqual(temp.store.getMany('meta', [Buffer.from('c'), Buffer.from('d')]), [undefined, Buffer.from('5')])
  })

  it('keeps every value read intact while later reads fill new slabs, small values and large', () => {
    const sizes = [0, 1, 7, 100, 1000, 3000, 20_000]
    const ops = []
    for (let i = 0; i < 700; i++) ops.push({ column: 'meta' as const, key: Buffer.from(`v${i}`), value: Buffer.alloc(sizes[i % sizes.length], i % 251) })
    temp.store.write(ops, false)
    const kept: Array<Buffer | undefined> = []
    for (let i = 0; i < 700; i += 2) kept.push(...temp.store.getMany('meta', [Buffer.from(`v${i}`), Buffer.from('missing'), Buffer.from(`v${i + 1}`)]))
    for (let i = 0; i < 700; i += 2) {
      const [a, missing, b] = kept.slice((i / 2) * 3, (i / 2) * 3 + 3)
      assert.deepEqual(a, ops[i].value)
      assert.equal(missing, undefined)
      assert.deepEqual(b, ops[i + 1].value)
    }
  })

  it('reports integer properties of the whole store: per-column ones summed, DB-wide ones once', () => {
    const emptyMemtables = temp.store.intProperty('rocksdb.cur-size-all-mem-tables')!
    const ops = []
    for (let i = 0; i < 5000; i++) ops.push({ column: (i % 2 === 0 ? 'meta' : 'members') as 'meta' | 'members', key: Buffer.from(`p${i}`), value: Buffer.alloc(1000, 1) })
    temp.store.write(ops, false)
    // The rows are in meta's and members' memtables, none in the default column's. A memtable
    // grows by arena blocks (1 MiB): each column's may have had one partly free.
    const arenaBlockSlack = 2 * 1024 * 1024
    assert.ok(temp.store.intProperty('rocksdb.cur-size-all-mem-tables')! >= emptyMemtables + 5000 * 1000 - arenaBlockSlack)
    assert.ok(temp.store.intProperty('rocksdb.estimate-num-keys')! >= 5000)
    assert.equal(temp.store.intProperty('rocksdb.num-running-compactions'), 0)
    assert.equal(temp.store.intProperty('rocksdb.no-such-property'), undefined)
  })

  it('reads and writes values of several MiB, and small ones after them', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7)
    temp.store.write([{ column: 'members', key: Buffer.from('big'), value: big }, { column: 'members', key: Buffer.from('bih'), value: Buffer.from('small') }], false)
    assert.deepEqual(temp.store.get('members', Buffer.from('big')), big)
    assert.deepEqual(temp.store.scan('members', Buffer.from('big'), Buffer.from('bii'), 10).map((row) => row.value.length), [big.length, 5])
    assert.deepEqual(temp.store.get('members', Buffer.from('bih')), Buffer.from('small'))
  })

  it('closes the iterators of closed readers, and counts those still open', () => {
    const ops = []
    for (let i = 0; i < 50; i++) ops.push({ column: 'members' as const, key: Buffer.from(`r${i}`), value: Buffer.from(String(i)) })
    temp.store.write(ops, false)
    const before = temp.store.openIterators
    const open = temp.store.rangeReader('members', Buffer.from('r'), Buffer.from('s'), false)
    for (let i = 0; i < 2_000; i++) {
      const reader = temp.store.rangeReader('members', Buffer.from('r'), Buffer.from('s'), i % 2 === 1)
      // The first walk is a query; the second seeks the reader's iterator.
      for (let walk = 0; walk < 2; walk++) for (const row of reader.rows(Buffer.from('r1'), Buffer.from('r3'), 2)) if (row.key.length > 0) break
      reader.close()
    }
    for (let walk = 0; walk < 2; walk++) for (const row of open.rows(Buffer.from('r'), Buffer.from('s'))) if (row.key.length > 0) break
    assert.equal(temp.store.openIterators, before + 1)
    open.close()
    assert.equal(temp.store.openIterators, before)
  })
})

describe('Store reads off the calling thread, and cold reads', () => {
  const temp = tempStore()
  afterEach(() => coldReadsForTesting('auto'))

  /** Keys 0..n-1 written (every third one missing, every fifth empty), and what each reads as. */
  function fill(prefix: string, n: number): { keys: Buffer[]; expected: Array<Buffer | undefined> } {
    const keys: Buffer[] = []
    const expected: Array<Buffer | undefined> = []
    const ops: WriteOp[] = []
    for (let i = 0; i < n; i++) {
      const key = Buffer.from(`${prefix}${i}`)
      const value = i % 3 === 2 ? undefined : Buffer.from(i % 5 === 0 ? '' : `value-${i}-${'x'.repeat(i % 200)}`)
      keys.push(key)
      expected.push(value)
      if (value !== undefined) ops.push({ column: 'members', key, value })
    }
    temp.store.write(ops, false)
    return { keys, expected }
  }

  it('getManyAsync reads what getMany reads, in key order, with what the read cost', async () => {
    const { keys, expected } = fill('async', 300)
    // Named out of order and twice: each answer goes to its own place.
    const asked = [...keys].reverse().concat(keys.slice(0, 10))
    const want = [...expected].reverse().concat(expected.slice(0, 10))
    const { values, micros } = await temp.store.getManyAsync('members', asked)
    assert.deepEqual(values, want)
    assert.deepEqual(temp.store.getMany('members', asked), want)
    assert.ok(micros > 0 && micros < 10_000_000, `${micros} us`)
    assert.deepEqual(await temp.store.getManyAsync('members', []), { values: [], micros: 0 })
  })

  /** Batches of sizes around a split part's fewest keys (4) and the most parts (4), by both reads. */
  async function readInBatches(keys: Buffer[], expected: Array<Buffer | undefined>): Promise<void> {
    for (const size of [2, 7, 8, 9, 17, 64, 500]) {
      for (let from = 0; from + size <= keys.length; from += 97) {
        const want = expected.slice(from, from + size)
        assert.deepEqual(temp.store.getMany('members', keys.slice(from, from + size)), want)
        assert.deepEqual((await temp.store.getManyAsync('members', keys.slice(from, from + size))).values, want)
      }
    }
    // Several threads reading cold batches at once.
    const all = await Promise.all(Array.from({ length: 8 }, () => temp.store.getManyAsync('members', keys)))
    for (const { values } of all) assert.deepEqual(values, expected)
  }

  it('a read split across the read helpers puts every value in its place', async () => {
    const { keys, expected } = fill('split', 500)
    coldReadsForTesting('split')
    await readInBatches(keys, expected)
  })

  it('a cold read of SST files submits its reads together and puts every value in its place', async () => {
    // ~6 MB in 500-byte values: compacted, the last level holds several files, so a batch's
    // reads go to several files at once (RocksDB's MultiGet with async_io, batched_reads.h).
    const { keys, expected } = fill('sst', 500)
    const bulk: WriteOp[] = []
    for (let i = 0; i < 12_000; i++) bulk.push({ column: 'members', key: Buffer.from(`sst-bulk-${i}`), value: Buffer.alloc(500, i % 251) })
    temp.store.write(bulk, false)
    temp.store.compactForTesting('members')
    coldReadsForTesting('batched')
    const before = batchedReads()
    await readInBatches(keys, expected)
    const bulkKeys = bulk.filter((_, i) => i % 37 === 0).map((op) => op.key)
    assert.deepEqual(temp.store.getMany('members', bulkKeys), bulkKeys.map((key) => bulk.find((op) => op.key.equals(key))!.value))
    // Where io_uring is to be had (this project's machines), the reads went through it.
    if (before.available) assert.ok(batchedReads().submitted > before.submitted, `${batchedReads().submitted} reads submitted, ${before.submitted} before`)
    else assert.equal(batchedReads().submitted, before.submitted)
  })
})

/**
 * RocksDB's own record of an option, per column family in the order they were opened: its
 * newest OPTIONS file, where each column's CFOptions section is followed by its TableOptions one.
 */
function recordedOption(dir: string, option: string): string[] {
  const newest = fs.readdirSync(dir).filter((name) => name.startsWith('OPTIONS-')).sort().pop()!
  const text = fs.readFileSync(path.join(dir, newest), 'utf8')
  return [...text.matchAll(new RegExp(`^\\s*${option}=(.*)$`, 'gm'))].map((m) => m[1])
}

describe('Store compression (MAREKVS_COMPRESSION)', () => {
  it('has RocksDB compress its deeper levels with zstd, and nothing with none; both read what they wrote', async () => {
    for (const [compression, below] of [['zstd', 'kZSTD'], ['none', 'kNoCompression']] as const) {
      await inTempDir(async (dir) => {
        const store = await Store.open(dir, { compression })
        const ops: WriteOp[] = []
        for (let i = 0; i < 2000; i++) ops.push({ column: 'members', key: Buffer.from(`k${i}`), value: Buffer.from(`value ${i % 7} `.repeat(50)) })
        store.write(ops, false)
        store.compactForTesting('members')
        assert.deepEqual(store.getMany('members', [Buffer.from('k1'), Buffer.from('k1999')]), [ops[1].value, ops[1999].value])
        await store.close()
        const levels = recordedOption(dir, 'compression_per_level')
        assert.equal(levels.length, 4, 'the default column and three of ours')
        // L0 and the level it is compacted into never compressed, every level below as asked.
        for (const perLevel of levels) assert.equal(perLevel, ['kNoCompression', 'kNoCompression', ...Array(5).fill(below)].join(':'), compression)
      })
    }
  })
})

describe('Store block sizes', () => {
  it('gives meta, read by key on every command, 2 KiB blocks; the other columns keep 4 KiB; meta reads what it wrote', async () => {
    await inTempDir(async (dir) => {
      const store = await Store.open(dir)
      const ops: WriteOp[] = []
      for (let i = 0; i < 3000; i++) ops.push({ column: 'meta', key: Buffer.from(`key-${i}`), value: Buffer.from(`value ${i} `.repeat(20)) })
      store.write(ops, false)
      store.compactForTesting('meta')
      const sample = ops.filter((_, i) => i % 97 === 0)
      assert.deepEqual(store.getMany('meta', sample.map((op) => op.key)), sample.map((op) => op.value))
      await store.close()
      // Opened in the order default, meta, members, sys (COLUMN_FAMILIES).
      assert.deepEqual(recordedOption(dir, 'block_size'), ['4096', '2048', '4096', '4096'])
    })
  })
})

describe('Store across threads and after close', () => {
  it('an attached store sees the same database; after the owner closes, calls fail and reopening works', async () => {
    await inTempDir(async (dir) => {
      const owner = await Store.open(dir)
      const attached = await Store.open(owner.handle)
      attached.write([{ column: 'sys', key: Buffer.from('k'), value: Buffer.from('v') }], false)
      assert.deepEqual(owner.get('sys', Buffer.from('k')), Buffer.from('v'))
      await attached.close()
      assert.deepEqual(owner.get('sys', Buffer.from('k')), Buffer.from('v'))
      const reader = owner.rangeReader('sys', Buffer.from('a'), Buffer.from('z'), false)
      for (let walk = 0; walk < 2; walk++) assert.equal([...reader.rows(Buffer.from('a'), Buffer.from('z'))].length, 1)
      await owner.close()
      assert.throws(() => owner.get('sys', Buffer.from('k')), /database is closed/)
      assert.throws(() => [...reader.rows(Buffer.from('a'), Buffer.from('z'))], /database is closed/)
      reader.close()
      const again = await Store.open(dir)
      assert.deepEqual(again.get('sys', Buffer.from('k')), Buffer.from('v'))
      await again.close()
    })
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

  it('walks that stop early and start again within the last page read (as pops in a batch do) find the rows a scan finds', () => {
    // Keys some of which are prefixes of others: "just past a row" is the row with a 0 byte appended.
    const ops = []
    for (let n = 0; n < 60; n += 1 + (n % 2)) {
      ops.push({ column: 'members' as const, key: Buffer.from([0x50, n]), value: byte(n) })
      ops.push({ column: 'members' as const, key: Buffer.from([0x50, n, 0]), value: byte(n) })
    }
    temp.store.write(ops, false)
    const written = ops.map((op) => op.key).sort(Buffer.compare)
    const gte = Buffer.from([0x50, 0])
    const lt = Buffer.from([0x50, 62])
    const bound = fc.integer({ min: 0, max: 62 }).chain((n) => fc.constantFrom(Buffer.from([0x50, n]), Buffer.from([0x50, n, 0]), Buffer.from([0x50, n, 0, 0])))
    const walk = fc.record({ x: bound, y: bound, firstPage: fc.integer({ min: 1, max: 5 }), take: fc.integer({ min: 0, max: 12 }) })
    fc.assert(fc.property(fc.boolean(), fc.array(walk, { minLength: 1, maxLength: 12 }), (reverse, walks) => {
      const reader = temp.store.rangeReader('members', gte, lt, reverse)
      try {
        for (const { x, y, firstPage, take } of walks) {
          const [from, to] = Buffer.compare(x, y) <= 0 ? [x, y] : [y, x]
          const inRange = written.filter((k) => Buffer.compare(k, from) >= 0 && Buffer.compare(k, to) < 0)
          const expected = (reverse ? inRange.reverse() : inRange).slice(0, take).map((k) => k.toString('hex'))
          const got: string[] = []
          for (const row of reader.rows(from, to, firstPage)) {
            if (got.length === take) break
            got.push(row.key.toString('hex'))
          }
          assert.deepEqual(got, expected)
        }
      } finally {
        reader.close()
      }
    }), { numRuns: 500 })
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
