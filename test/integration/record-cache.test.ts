// The record cache in front of `meta` (native/src/store/record_cache.h) on a real RocksDB,
// with writers and readers on real threads: no read may go back to an older value of a key, and
// once the writers stop every key reads as its last write. A stale entry left in the cache
// (a fill or a write racing another write) would fail one or the other.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { Store } from '../../lib/storage/store'

const STORE_JS = path.join(__dirname, '..', '..', 'lib', 'storage', 'store.js')
const WRITES = 10_000

const key = (i: number): Buffer => Buffer.from(`rc:${i}`)
const counter = (value: Buffer | undefined): number => (value === undefined ? -1 : Number(value.toString()))

/**
 * Worker `id` of `writers`: writes the keys i with i % writers == id, each a rising counter,
 * sometimes twice in one batch (the second wins); reads each write back (it is the key's only
 * writer, so it must read what it wrote), and reads keys of others between writes.
 */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads')
const { Store } = require(workerData.storeJs)
Store.open(workerData.handle).then(async (store) => {
  const { id, writers, keys, writes } = workerData
  const mine = []
  for (let i = id; i < keys; i += writers) mine.push(Buffer.from('rc:' + i))
  const last = new Map()
  for (let n = 1; n <= writes; n++) {
    const k = mine[n % mine.length]
    const ops = [{ column: 'meta', key: k, value: Buffer.from(String(2 * n)) }]
    if (n % 7 === 0) ops.push({ column: 'meta', key: k, value: Buffer.from(String(2 * n + 1)) })
    store.write(ops, false)
    const wrote = ops[ops.length - 1].value.toString()
    const read = store.get('meta', k)
    if (read === undefined || read.toString() !== wrote) throw new Error('wrote ' + wrote + ' to ' + k + ', read ' + read)
    last.set(k.toString(), wrote)
    if (n % 3 === 0) store.getMany('meta', [Buffer.from('rc:' + ((n * 5) % keys)), k])
  }
  await store.close()
  parentPort.postMessage([...last])
})
`

async function race(cacheSize: number | undefined, keys: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-record-cache-'))
  const store = await Store.open(dir, cacheSize === undefined ? {} : { cacheSize })
  try {
    const writers = 2
    const done = Array.from({ length: writers }, (_, id) => {
      const worker = new Worker(WRITER, { eval: true, workerData: { storeJs: STORE_JS, handle: store.handle, id, writers, keys, writes: WRITES } })
      return new Promise<Array<[string, string]>>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      })
    })
    let finished = false
    const last = Promise.all(done).finally(() => {
      finished = true
    })
    const seen = new Array<number>(keys).fill(-1)
    const all = Array.from({ length: keys }, (_, i) => key(i))
    let reads = 0
    while (!finished) {
      for (let r = 0; r < 50; r++) {
        const values = store.getMany('meta', all)
        for (let i = 0; i < keys; i++) {
          const now = counter(values[i])
          assert.ok(now >= seen[i], `key ${i} went back from ${seen[i]} to ${now}`)
          seen[i] = now
        }
        reads++
      }
      await yieldToLoop()
    }
    const expected = new Map((await last).flat())
    assert.equal(expected.size, keys)
    const values = store.getMany('meta', all)
    for (let i = 0; i < keys; i++) assert.equal(values[i]?.toString(), expected.get(`rc:${i}`), `key ${i} after the writers stopped`)
    assert.ok(reads > 0)
  } finally {
    await store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe('record cache: reads and writes on three threads', function () {
  this.timeout(60_000)

  it('never reads an older value, and ends on every key\'s last write (default size)', async () => {
    await race(undefined, 24)
  })

  it('the same with a cache so small that entries are evicted all the time', async () => {
    // 0.25 × 64 KiB = 16 KiB over 64 shards: two entries a shard, for 300 keys, so most reads
    // miss and fill.
    await race(64 * 1024, 300)
  })

  it('a range delete drops what the cache holds of the column', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-record-cache-'))
    const store = await Store.open(dir)
    try {
      store.write([{ column: 'meta', key: key(1), value: Buffer.from('1') }], false)
      assert.equal(store.get('meta', key(1))?.toString(), '1')
      assert.equal(store.get('meta', key(1))?.toString(), '1')
      await store.clear('meta', Buffer.from('rc:'), Buffer.from('rc;'))
      assert.equal(store.get('meta', key(1)), undefined)
      store.write([{ column: 'meta', key: key(1), value: Buffer.from('2') }, { column: 'meta', key: key(2), value: null }], false)
      assert.equal(store.get('meta', key(1))?.toString(), '2')
      store.write([{ column: 'meta', key: key(1), value: null }], false)
      assert.equal(store.get('meta', key(1)), undefined)
    } finally {
      await store.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
