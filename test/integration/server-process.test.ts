// The server process as an operator runs it: configuration errors, real clients (ioredis,
// redis-cli), RESP3, AUTH, graceful shutdown.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import Redis from 'ioredis'
import { RawClient } from '../support/resp'
import { SERVER_BIN, startMarekvs, tempDir } from '../support/servers'

describe('server process', function () {
  this.timeout(180000)

  it('stops at start with a message naming a bad setting', () => {
    const result = spawnSync(process.execPath, [SERVER_BIN], {
      env: { ...process.env, MAREKVS_DATA_DIR: tempDir(), MAREKVS_SHARDS: 'lots', MAREKVS_FSYNC: 'sometimes' },
      encoding: 'utf8',
    })
    assert.equal(result.status, 2)
    assert.match(result.stderr, /MAREKVS_SHARDS/)
    assert.match(result.stderr, /MAREKVS_FSYNC/)
  })

  it('serves ioredis and redis-cli, and shuts down cleanly on SIGTERM', async () => {
    const server = await startMarekvs({ metrics: true })
    try {
      const redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 })
      await redis.connect()
      assert.equal(await redis.set('name', 'marekvs'), 'OK')
      assert.equal(await redis.get('name'), 'marekvs')
      assert.equal(await redis.incrby('hits', 5), 5)
      const pipeline = await redis.pipeline().set('a', '1').incr('a').get('a').exec()
      assert.deepEqual(pipeline, [[null, 'OK'], [null, 2], [null, '2']])
      await assert.rejects(redis.incr('name'), /ERR value is not an integer or out of range/)
      redis.disconnect()

      const cli = spawnSync('redis-cli', ['-p', String(server.port), 'GET', 'name'], { encoding: 'utf8' })
      assert.equal(cli.stdout.trim(), 'marekvs', cli.stderr)

      const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text()
      assert.match(metrics, /marekvs_commands_total\{command="set"\} [1-9]/)
      assert.equal((await fetch(`http://127.0.0.1:${server.metricsPort}/readyz`)).status, 200)

      // In-flight work finishes: a pipeline sent just before SIGTERM is answered.
      const client = await RawClient.connect(server.port)
      for (let i = 0; i < 100; i++) client.send(['SET', `late:${i}`, 'v'])
      const first = await client.read()
      assert.deepEqual(first, { type: 'status', value: 'OK' })
      assert.equal(await server.stop('SIGTERM'), 0, server.output())
    } finally {
      await server.stop('SIGKILL')
    }
  })

  it('speaks RESP3 after HELLO 3', async () => {
    const server = await startMarekvs()
    try {
      const client = await RawClient.connect(server.port)
      const hello = await client.call('HELLO', '3')
      assert.equal(hello.type, 'map')
      assert.deepEqual(await client.call('GET', 'missing'), { type: 'null' })
      assert.deepEqual(await client.call('SET', 'k', 'v'), { type: 'status', value: 'OK' })
      client.close()
    } finally {
      await server.stop()
    }
  })

  it('requires AUTH when MAREKVS_REQUIREPASS is set', async () => {
    const server = await startMarekvs({ env: { MAREKVS_REQUIREPASS: 'pw' } })
    try {
      const client = await RawClient.connect(server.port)
      assert.deepEqual(await client.call('SET', 'k', 'v'), { type: 'error', value: 'NOAUTH Authentication required.' })
      assert.deepEqual(await client.call('AUTH', 'wrong'), { type: 'error', value: 'WRONGPASS invalid username-password pair or user is disabled.' })
      assert.deepEqual(await client.call('AUTH', 'pw'), { type: 'status', value: 'OK' })
      assert.deepEqual(await client.call('SET', 'k', 'v'), { type: 'status', value: 'OK' })
      client.close()
      const redis = new Redis({ port: server.port, host: '127.0.0.1', password: 'pw', lazyConnect: true })
      await redis.connect()
      assert.equal(await redis.get('k'), 'v')
      redis.disconnect()
    } finally {
      await server.stop()
    }
  })
})
