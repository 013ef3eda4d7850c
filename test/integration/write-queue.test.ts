// Writes return before RocksDB has them (native/src/store/write_queue.h): every read after a
// write must still see it, whatever it reads through (the record cache's pins, a column without
// one, a range, a range delete in between), without waiting for writes of other keys, a settled
// write must be in the WAL, and a close must land everything queued.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { writeDelayForTesting } from '../../lib/native'
import { Column, Store, WriteOp } from '../../lib/storage/store'
import { inTempDir, syncWalOnce, tempStore } from '../support/store'

const COLUMNS: Column[] = ['meta', 'members', 'sys']
const KEYS = ['a', 'b', 'c', 'd', 'e'].map((k) => `wq:${k}`)
// A value too large for the record cache makes its write wait for its landing.
const LARGE = 5000

type Step =
  | { kind: 'write'; ops: Array<{ column: Column; key: string; value: string | null }> }
  | { kind: 'get'; column: Column; keys: string[] }
  | { kind: 'scan'; column: Column }
  | { kind: 'clear'; column: Column }

const value = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 4 }).map((s) => s.repeat(Math.ceil(LARGE / s.length))) },
)
const op = fc.record({ column: fc.constantFrom(...COLUMNS), key: fc.constantFrom(...KEYS), value })
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('write' as const), ops: fc.array(op, { minLength: 1, maxLength: 6 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('get' as const), column: fc.constantFrom(...COLUMNS), keys: fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const), column: fc.constantFrom(...COLUMNS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), column: fc.constantFrom(...COLUMNS) }) },
)

const PREFIX = Buffer.from('wq:')
const PREFIX_END = Buffer.from('wq;')

/** Random writes and reads of a few keys of every column against a model of what they hold. */
async function readsSeeWrites(store: Store, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
      const model = new Map<string, string>() // `${column} ${key}` -> value
      for (const column of COLUMNS) await store.clear(column, PREFIX, PREFIX_END)
      for (const s of steps) {
        if (s.kind === 'write') {
          const ops: WriteOp[] = s.ops.map((o) => ({ column: o.column, key: Buffer.from(o.key), value: o.value === null ? null : Buffer.from(o.value) }))
          store.write(ops, false)
          for (const o of s.ops) {
            if (o.value === null) model.delete(`${o.column} ${o.key}`)
            else model.set(`${o.column} ${o.key}`, o.value)
          }
        } else if (s.kind === 'get') {
          const got = store.getMany(s.column, s.keys.map((k) => Buffer.from(k))).map((v) => v?.toString())
          assert.deepEqual(got, s.keys.map((k) => model.get(`${s.column} ${k}`)))
        } else if (s.kind === 'scan') {
          const rows = store.scan(s.column, PREFIX, PREFIX_END, 100).map((r) => [r.key.toString(), r.value.toString()])
          const expected = KEYS.filter((k) => model.has(`${s.column} ${k}`)).map((k) => [k, model.get(`${s.column} ${k}`)])
          assert.deepEqual(rows, expected)
        } else {
          await store.clear(s.column, PREFIX, PREFIX_END)
          for (const k of KEYS) model.delete(`${s.column} ${k}`)
        }
      }
      for (const column of COLUMNS) {
        assert.deepEqual(store.getMany(column, KEYS.map((k) => Buffer.from(k))).map((v) => v?.toString()), KEYS.map((k) => model.get(`${column} ${k}`)))
      }
    }),
    { numRuns },
  )
}

describe('Store write queue: writes return before they land', () => {
  const temp = tempStore()

  it('every read after a write sees it: cached and uncached columns, ranges, range deletes', async () => {
    // Each write waits 200 µs on the queue's thread: the reads after it come before it lands.
    writeDelayForTesting(200)
    try {
      await readsSeeWrites(temp.store, 150)
    } finally {
      writeDelayForTesting(0)
    }
  })

  it('a read by key of a column without a record cache waits only for queued writes of its keys', async () => {
    const store = temp.store
    const queued = { column: 'members' as Column, key: Buffer.from('wq:pending'), value: Buffer.from('landed') }
    // The write lands after 1.5 s, on whichever thread applies it: a read that waited for it
    // would take that long.
    writeDelayForTesting(1_500_000)
    try {
      store.write([queued], false)
      const started = process.hrtime.bigint()
      assert.equal(store.getMany('members', [Buffer.from('wq:elsewhere')])[0], undefined)
      const waitedMs = Number(process.hrtime.bigint() - started) / 1e6
      assert.ok(waitedMs < 750, `a read of another key waited ${waitedMs.toFixed(0)} ms for the queue`)
      assert.equal(store.getMany('members', [queued.key])[0]?.toString(), 'landed')
    } finally {
      writeDelayForTesting(0)
    }
  })

  it('a store opened without the queue (MAREKVS_FSYNC=always) writes on the caller\'s thread, as consistently', async () => {
    await inTempDir(async (dir) => {
      const store = await Store.open(path.join(dir, 'rocksdb'), { queueWrites: false })
      try {
        await readsSeeWrites(store, 50)
      } finally {
        await store.close()
      }
    })
  })

  it('a WAL sync waits for the writes queued before it: they are in the WAL file it syncs', async () => {
    const marker = `queued-${process.pid}-${Date.now()}`
    // 20 ms a write: without the wait, the sync would be long done before the last one lands.
    writeDelayForTesting(20_000)
    try {
      for (let i = 0; i < 50; i++) temp.store.write([{ column: 'meta', key: Buffer.from(`wal:${i}`), value: Buffer.from(`${marker}-${i}`) }], false)
      await syncWalOnce(temp.store)
    } finally {
      writeDelayForTesting(0)
    }
    const dir = temp.store.location
    const wal = fs.readdirSync(dir).filter((name) => /^\d+\.log$/.test(name)).map((name) => fs.readFileSync(path.join(dir, name)))
    assert.ok(wal.some((bytes) => bytes.includes(`${marker}-49`)), 'the last write is in a WAL file')
  })

  it('close lands everything queued: a reopened store reads every write', async () => {
    await inTempDir(async (dir) => {
      const location = path.join(dir, 'rocksdb')
      const store = await Store.open(location)
      for (let i = 0; i < 2000; i++) {
        store.write([{ column: 'meta', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }, { column: 'members', key: Buffer.from(`m${i}`), value: Buffer.from(`w${i}`) }], false)
      }
      await store.close()
      const again = await Store.open(location)
      try {
        const keys = Array.from({ length: 2000 }, (_, i) => i)
        assert.deepEqual(again.getMany('meta', keys.map((i) => Buffer.from(`k${i}`))).map((v) => v?.toString()), keys.map((i) => `v${i}`))
        assert.deepEqual(again.getMany('members', keys.map((i) => Buffer.from(`m${i}`))).map((v) => v?.toString()), keys.map((i) => `w${i}`))
      } finally {
        await again.close()
      }
    })
  })
})
