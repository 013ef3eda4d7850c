// O(1) DEL of collections: the members of a dead version are purged in the background, whether
// the collection was deleted, overwritten, expired, or created and deleted in one batch.
import assert from 'node:assert/strict'
import path from 'node:path'
import { rmSync } from 'node:fs'
import { open } from '../../lib'
import { Store } from '../../lib/storage/store'
import { tempDir } from '../support/servers'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function memberRows(dataDir: string): Promise<number> {
  const store = await Store.open(path.join(dataDir, 'rocksdb'))
  try {
    return store.scan('members', Buffer.alloc(0), Buffer.alloc(2, 0xff), 1_000_000).length
  } finally {
    await store.close()
  }
}

describe('collections: members of deleted versions are purged', function () {
  this.timeout(60000)

  it('DEL, overwrite, expiry and same-batch create+delete leave no members behind', async () => {
    const dataDir = tempDir()
    try {
      const db = await open({ dataDir, shards: 2 })
      const fields: string[] = []
      for (let i = 0; i < 12000; i++) fields.push(`f${i}`, 'v')
      await db.call('HSET', 'big', ...fields)
      await db.call('SADD', 'kept', 'a', 'b')
      assert.equal(await db.call('DEL', 'big'), 1)
      assert.equal(await db.call('HLEN', 'big'), 0)
      await db.call('RPUSH', 'list', 'x', 'y')
      await db.call('SET', 'list', 'now a string')
      await db.call('ZADD', 'z', '1', 'm')
      await db.call('PEXPIRE', 'z', '10')
      await sleep(30)
      // Expired, then replaced by a new version, which is then deleted.
      await db.call('ZADD', 'z', '2', 'n')
      await db.call('DEL', 'z')
      // Issued together, these land in one batch: the set is born and dies inside it.
      await Promise.all([db.call('SADD', 'flash', 'a', 'b', 'c'), db.call('DEL', 'flash')])
      // The purge runs 5000 members per sweep step (every 100 ms); give it time for 12000.
      await sleep(1500)
      assert.deepEqual((await db.call('SMEMBERS', 'kept') as string[]).sort(), ['a', 'b'])
      await db.close()
      assert.equal(await memberRows(dataDir), 2)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
