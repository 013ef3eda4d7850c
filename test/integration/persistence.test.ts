// Durability of a real server process: restart after SIGTERM, restart after kill -9 with
// MAREKVS_FSYNC=always, and proof (strace) that `always` syncs the WAL before it replies.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { partitionOf } from '../../lib/native'
import { RawClient } from '../support/resp'
import { startMarekvs, tempDir } from '../support/servers'

describe('persistence', function () {
  this.timeout(180000)

  it('keeps every key across a graceful restart, with TTLs and counters', async () => {
    const dataDir = tempDir()
    try {
      let server = await startMarekvs({ dataDir })
      let client = await RawClient.connect(server.port)
      for (let i = 0; i < 200; i++) await client.call('SET', `key:${i}`, `value:${i}`)
      await client.call('INCRBY', 'counter', '41')
      await client.call('INCR', 'counter')
      await client.call('SET', 'ttl', 'v', 'EX', '1000')
      await client.call('DEL', 'key:7')
      client.close()
      assert.equal(await server.stop(), 0)

      server = await startMarekvs({ dataDir })
      client = await RawClient.connect(server.port)
      assert.deepEqual(await client.call('GET', 'key:199'), { type: 'bulk', value: 'value:199' })
      assert.deepEqual(await client.call('GET', 'key:7'), { type: 'nil' })
      assert.deepEqual(await client.call('GET', 'counter'), { type: 'bulk', value: '42' })
      const ttl = await client.call('TTL', 'ttl')
      assert.ok(ttl.type === 'int' && ttl.value > 990n && ttl.value <= 1000n, JSON.stringify(ttl, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
      assert.deepEqual(await client.call('DBSIZE'), { type: 'int', value: 201n })
      client.close()
      assert.equal(await server.stop(), 0)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('loses no acknowledged write to kill -9 with MAREKVS_FSYNC=always', async () => {
    const dataDir = tempDir()
    try {
      let server = await startMarekvs({ dataDir, env: { MAREKVS_FSYNC: 'always' } })
      // Several connections writing at once: their writes share syncs (group commit).
      const writers = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(server.port)))
      const acked: string[] = []
      await Promise.all(writers.map(async (client, w) => {
        for (let i = 0; i < 100; i++) {
          const reply = await client.call('SET', `w${w}:${i}`, `v${i}`)
          assert.deepEqual(reply, { type: 'status', value: 'OK' })
          acked.push(`w${w}:${i}`)
        }
      }))
      await server.stop('SIGKILL')
      for (const client of writers) client.close()

      server = await startMarekvs({ dataDir })
      const client = await RawClient.connect(server.port)
      for (const key of acked) assert.notDeepEqual(await client.call('GET', key), { type: 'nil' }, key)
      assert.deepEqual(await client.call('DBSIZE'), { type: 'int', value: BigInt(acked.length) })
      client.close()
      await server.stop()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('syncs the WAL before acknowledging each write under MAREKVS_FSYNC=always (strace)', async function () {
    await withTracedSyncs('1', async (client, syncs) => {
      const before = syncs()
      const writes = 50
      for (let i = 0; i < writes; i++) await client.call('SET', `k${i}`, 'v')
      const during = syncs() - before
      // One client writing sequentially: every acknowledged write waited for its own sync.
      assert.ok(during >= writes, `expected at least ${writes} WAL syncs for ${writes} acknowledged writes, saw ${during}`)
      // Reads need no sync.
      const beforeReads = syncs()
      for (let i = 0; i < writes; i++) await client.call('GET', `k${i}`)
      assert.equal(syncs() - beforeReads, 0)
    })
  })

  it('syncs the WAL before acknowledging a write that spans shards under MAREKVS_FSYNC=always (strace)', async function () {
    await withTracedSyncs('2', async (client, syncs) => {
      // Key pairs on different shards: each MSET runs as a barrier on the main thread.
      const onShard = (shard: number, n: number): string[] => {
        const keys: string[] = []
        for (let i = 0; keys.length < n; i++) if (partitionOf(Buffer.from(`k${i}`)) % 2 === shard) keys.push(`k${i}`)
        return keys
      }
      const [left, right] = [onShard(0, 30), onShard(1, 30)]
      const before = syncs()
      for (let i = 0; i < left.length; i++) {
        assert.deepEqual(await client.call('MSET', left[i], 'a', right[i], 'b'), { type: 'status', value: 'OK' })
      }
      const during = syncs() - before
      assert.ok(during >= left.length, `expected at least ${left.length} WAL syncs for ${left.length} acknowledged MSETs, saw ${during}`)
      assert.deepEqual(await client.call('MGET', left[7], right[7]), { type: 'array', value: [{ type: 'bulk', value: 'a' }, { type: 'bulk', value: 'b' }] })
    })
  })

  it('refuses a data directory that belongs to another node id', async () => {
    const dataDir = tempDir()
    try {
      const server = await startMarekvs({ dataDir, env: { MAREKVS_NODE_ID: '1' } })
      await server.stop()
      await assert.rejects(startMarekvs({ dataDir, env: { MAREKVS_NODE_ID: '2' } }), /belongs to node 1, not MAREKVS_NODE_ID=2/)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

/**
 * Run `body` against a node under MAREKVS_FSYNC=always with `shards` shards, started under
 * strace; `syncs()` counts the fsync and fdatasync calls so far. One warm-up write first.
 */
async function withTracedSyncs(shards: string, body: (client: RawClient, syncs: () => number) => Promise<void>): Promise<void> {
  if (spawnSync('strace', ['-V']).status !== 0) throw new Error('strace is required for this test (apt-get install strace)')
  const traceDir = tempDir('marekvs-strace-')
  const traceFile = path.join(traceDir, 'trace')
  const server = await startMarekvs({
    env: { MAREKVS_FSYNC: 'always', MAREKVS_SHARDS: shards },
    wrapper: ['strace', '-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', traceFile],
  })
  try {
    const syncs = (): number => readFileSync(traceFile, 'utf8').split('\n').filter((line) => /f(data)?sync\(/.test(line)).length
    const client = await RawClient.connect(server.port)
    try {
      await client.call('SET', 'warm', 'up')
      await body(client, syncs)
    } finally {
      client.close()
    }
  } finally {
    await server.stop()
    rmSync(traceDir, { recursive: true, force: true })
  }
}
