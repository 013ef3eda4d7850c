// The embedding API: the engine in-process, no port, replies shaped as ioredis shapes them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { open, ReplyError } from '../../lib'
import { ROOT, tempDir } from '../support/servers'

describe('embedding API', function () {
  this.timeout(30000)

  it('opens, answers commands with ioredis shapes, and closes', async () => {
    const dataDir = tempDir()
    try {
      const db = await open({ dataDir, shards: 2 })
      assert.equal(await db.call('SET', 'k', 'v'), 'OK')
      assert.equal(await db.call('GET', 'k'), 'v')
      assert.deepEqual(await db.callBuffer('GET', 'k'), Buffer.from('v'))
      assert.equal(await db.call('GET', 'missing'), null)
      assert.equal(await db.call('INCRBY', 'n', 41), 41)
      assert.equal(await db.call('INCR', 'n'), 42)
      assert.equal(await db.call('INCRBY', 'big', '9007199254740993'), 9007199254740993n)
      assert.equal(await db.call('PING'), 'PONG')
      assert.equal(await db.call('DBSIZE'), 3)
      await assert.rejects(db.call('INCR', 'k'), (err: unknown) => err instanceof ReplyError && err instanceof Error && err.message === 'ERR value is not an integer or out of range')
      await assert.rejects(db.call('NOSUCH'), /ERR unknown command 'NOSUCH'/)
      await db.close()

      const again = await open({ dataDir, shards: 1 })
      assert.equal(await again.call('GET', 'k'), 'v')
      await again.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('rejects unknown options and bad values, naming them', async () => {
    await assert.rejects(open({ dataDir: tempDir(), nosuch: 1 }), /nosuch/)
    await assert.rejects(open({ dataDir: tempDir(), shards: 'many' }), /MAREKVS_SHARDS/)
  })

  it('loads by package name from CommonJS and ESM', () => {
    const dataDir = tempDir()
    try {
      const cjs = spawnSync(process.execPath, ['-e', `
        const { open } = require('marekvs')
        open({ dataDir: ${JSON.stringify(dataDir + '/cjs')} }).then(async (db) => { console.log(await db.call('ECHO', 'cjs')); await db.close() })`], { cwd: ROOT, encoding: 'utf8' })
      assert.equal(cjs.stdout.trim(), 'cjs', cjs.stderr)
      const esm = spawnSync(process.execPath, ['--input-type=module', '-e', `
        import { open } from 'marekvs'
        const db = await open({ dataDir: ${JSON.stringify(dataDir + '/esm')} })
        console.log(await db.call('ECHO', 'esm'))
        await db.close()`], { cwd: ROOT, encoding: 'utf8' })
      assert.equal(esm.stdout.trim(), 'esm', esm.stderr)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
