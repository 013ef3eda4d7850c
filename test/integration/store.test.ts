// The storage boundary on a real RocksDB: writes apply, and a long run of writes and scans
// leaves nothing behind in the binding (a leak that once kept every write batch alive).
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { Store } from '../../lib/storage/store'
import { tempDir } from '../support/servers'

/** What abstract-level keeps open on the database (write batches, iterators): its own bookkeeping, read here to catch a leak. */
function attachedResources(store: Store): number {
  const db = (store as unknown as { db: object }).db as Record<symbol, Set<unknown>>
  const key = Object.getOwnPropertySymbols(db).find((symbol) => symbol.description === 'resources')
  assert.ok(key !== undefined, 'abstract-level keeps its open resources under Symbol(resources)')
  return db[key].size
}

describe('Store on a real RocksDB', () => {
  let dir: string
  let store: Store
  before(async () => {
    dir = tempDir()
    store = await Store.open(path.join(dir, 'rocksdb'))
  })
  after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('applies each write atomically; a later write reuses nothing of an earlier one', () => {
    store.write([{ column: 'meta', key: Buffer.from('a'), value: Buffer.from('1') }, { column: 'members', key: Buffer.from('m'), value: Buffer.from('x') }], false)
    store.write([{ column: 'meta', key: Buffer.from('b'), value: Buffer.from('2') }, { column: 'meta', key: Buffer.from('a'), value: null }], true)
    assert.deepEqual(store.getMany('meta', [Buffer.from('a'), Buffer.from('b')]), [undefined, Buffer.from('2')])
    assert.deepEqual(store.get('members', Buffer.from('m')), Buffer.from('x'))
  })

  it('a write that fails leaves nothing of itself in the next one', () => {
    assert.throws(() => store.write([{ column: 'meta', key: Buffer.from('c'), value: Buffer.from('3') }, { column: 'meta', key: null as unknown as Buffer, value: Buffer.from('4') }], false))
    store.write([{ column: 'meta', key: Buffer.from('d'), value: Buffer.from('5') }], false)
    assert.deepEqual(store.getMany('meta', [Buffer.from('c'), Buffer.from('d')]), [undefined, Buffer.from('5')])
  })

  it('holds no more open resources after 20k writes and 2k scans than before them', async () => {
    const before = attachedResources(store)
    for (let i = 0; i < 20_000; i++) store.write([{ column: 'meta', key: Buffer.from(`k${i % 500}`), value: Buffer.from(String(i)) }], false)
    for (let i = 0; i < 2_000; i++) {
      for (const row of store.iterate('meta', Buffer.from('k'), Buffer.from('l'))) if (row.key.length > 0) break
      store.scan('meta', Buffer.from('k'), Buffer.from('l'), 3)
    }
    // An iterator's close completes on a later tick.
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(attachedResources(store), before)
  })
})
