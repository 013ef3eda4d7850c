// Function libraries on a real server process: every shard's VM runs them (FCALL on keys of each
// shard after FUNCTION LOAD, REPLACE, DELETE and RESTORE), and they outlive restarts (graceful,
// and kill -9 right after the reply), unlike scripts.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { partitionOf } from '../../lib/native'
import { Decoded, RawClient } from '../support/resp'
import { startMarekvs, tempDir } from '../support/servers'

const SHARDS = 4
const ENV = { MAREKVS_SHARDS: String(SHARDS) }

/** One key on each shard, in shard order. */
function keyPerShard(): string[] {
  const keys: string[] = []
  for (let i = 0; keys.filter((key) => key !== undefined).length < SHARDS; i++) {
    const key = `key${i}`
    keys[partitionOf(Buffer.from(key)) % SHARDS] ??= key
  }
  return keys
}

const KEYS = keyPerShard()

/** A library whose function `tagged` writes its key (or `none`) and returns it with the library's version. */
function versioned(version: string): string {
  return `#!lua name=tags\nredis.register_function('tagged', function(keys, args) local key = keys[1] or 'none' redis.call('set', key, '${version}') return {key, redis.call('get', key)} end)`
}

const bulk = (value: string): Decoded => ({ type: 'bulk', value })
const tagged = (key: string, version: string): Decoded => ({ type: 'array', value: [bulk(key), bulk(version)] })
const NOT_FOUND: Decoded = { type: 'error', value: 'ERR Function not found' }

/** FCALL tagged on each shard's key. */
async function onEveryShard(client: RawClient): Promise<Decoded[]> {
  const replies: Decoded[] = []
  for (const key of KEYS) replies.push(await client.call('FCALL', 'tagged', '1', key))
  return replies
}

describe('functions on a real server', function () {
  this.timeout(180000)

  it('FCALL runs on every shard, and on all of them at once, after LOAD, REPLACE, DELETE and RESTORE', async () => {
    const server = await startMarekvs({ env: ENV })
    const client = await RawClient.connect(server.port)
    try {
      // Every shard has seen (and cached) the libraries before they change.
      assert.deepEqual(await onEveryShard(client), KEYS.map(() => NOT_FOUND))
      assert.deepEqual(await client.call('FUNCTION', 'LOAD', versioned('v1')), bulk('tags'))
      assert.deepEqual(await onEveryShard(client), KEYS.map((key) => tagged(key, 'v1')))
      assert.deepEqual(await client.call('FUNCTION', 'LOAD', 'REPLACE', versioned('v2')), bulk('tags'))
      assert.deepEqual(await onEveryShard(client), KEYS.map((key) => tagged(key, 'v2')))
      // Keys on several shards, and numkeys 0: with every shard paused, on the main thread.
      assert.deepEqual(await client.call('FCALL', 'tagged', '2', KEYS[0], KEYS[1]), tagged(KEYS[0], 'v2'))
      assert.deepEqual(await client.call('FCALL', 'tagged', '0'), tagged('none', 'v2'))
      const dump = await client.call('FUNCTION', 'DUMP')
      assert.deepEqual(await client.call('FUNCTION', 'DELETE', 'tags'), { type: 'status', value: 'OK' })
      assert.deepEqual(await onEveryShard(client), KEYS.map(() => NOT_FOUND))
      assert.deepEqual(await client.call('FUNCTION', 'RESTORE', Buffer.from((dump as { value: string }).value, 'latin1')), { type: 'status', value: 'OK' })
      assert.deepEqual(await onEveryShard(client), KEYS.map((key) => tagged(key, 'v2')))
    } finally {
      client.close()
      await server.stop()
    }
  })

  it('libraries outlive a graceful restart and kill -9 (scripts do not)', async () => {
    const dataDir = tempDir()
    try {
      let server = await startMarekvs({ dataDir, env: ENV })
      let client = await RawClient.connect(server.port)
      await client.call('FUNCTION', 'LOAD', versioned('v1'))
      await client.call('FUNCTION', 'LOAD', "#!lua name=other\nredis.register_function{function_name='answer', callback=function() return 42 end, flags={'no-writes'}, description='d'}")
      const sha = await client.call('SCRIPT', 'LOAD', 'return 1')
      const listed = await client.call('FUNCTION', 'LIST', 'WITHCODE')
      client.close()
      assert.equal(await server.stop(), 0)

      server = await startMarekvs({ dataDir, env: ENV })
      client = await RawClient.connect(server.port)
      assert.deepEqual(await client.call('FUNCTION', 'LIST', 'WITHCODE'), listed)
      assert.deepEqual(await onEveryShard(client), KEYS.map((key) => tagged(key, 'v1')))
      assert.deepEqual(await client.call('FCALL_RO', 'answer', '0'), { type: 'int', value: 42n })
      assert.deepEqual(await client.call('SCRIPT', 'EXISTS', (sha as { value: string }).value), { type: 'array', value: [{ type: 'int', value: 0n }] })
      // Acknowledged changes are on disk before the reply.
      await client.call('FUNCTION', 'LOAD', 'REPLACE', versioned('v3'))
      await client.call('FUNCTION', 'DELETE', 'other')
      await server.stop('SIGKILL')
      client.close()

      server = await startMarekvs({ dataDir, env: ENV })
      client = await RawClient.connect(server.port)
      assert.deepEqual(await onEveryShard(client), KEYS.map((key) => tagged(key, 'v3')))
      assert.deepEqual(await client.call('FCALL', 'answer', '0'), NOT_FOUND)
      assert.deepEqual(await client.call('FUNCTION', 'FLUSH'), { type: 'status', value: 'OK' })
      client.close()
      assert.equal(await server.stop(), 0)

      server = await startMarekvs({ dataDir, env: ENV })
      client = await RawClient.connect(server.port)
      assert.deepEqual(await client.call('FUNCTION', 'LIST'), { type: 'array', value: [] })
      client.close()
      assert.equal(await server.stop(), 0)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
