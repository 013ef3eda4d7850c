// INFO persistence counts RocksDB write batches, the write commands they carried and WAL syncs,
// so a benchmark can tell how many writes share one sync (group commit).
import assert from 'node:assert/strict'
import { runPipelined } from '../support/diff'
import { RawClient } from '../support/resp'
import { Marekvs, startMarekvs } from '../support/servers'

async function writeStats(port: number): Promise<{ batches: number; commands: number; syncs: number }> {
  const client = await RawClient.connect(port)
  try {
    const info = await client.call('INFO', 'persistence')
    assert.equal(info.type, 'bulk')
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)\\r$`, 'm').exec(String(info.value))?.[1])
    return { batches: field('marekvs_write_batches'), commands: field('marekvs_write_commands'), syncs: field('marekvs_wal_syncs') }
  } finally {
    client.close()
  }
}

describe('INFO write batches and WAL syncs', function () {
  this.timeout(60000)
  let node: Marekvs | null = null
  afterEach(async () => {
    await node?.stop()
    node = null
  })

  it('under MAREKVS_FSYNC=always, concurrent writes share syncs: at most one per batch', async () => {
    const shards = 2
    node = await startMarekvs({ env: { MAREKVS_FSYNC: 'always', MAREKVS_SHARDS: String(shards) } })
    const port = node.port
    const before = await writeStats(port)
    const clients = 20
    const perClient = 50
    await Promise.all(Array.from({ length: clients }, (_, c) =>
      runPipelined(port, Array.from({ length: perClient }, (_, i) => ['SET', `k:${c}:${i}`, 'v']))))
    // Reads write nothing and count nothing.
    await runPipelined(port, [['GET', 'k:0:0'], ['EXISTS', 'k:1:1']])
    const after = await writeStats(port)
    assert.equal(after.commands - before.commands, clients * perClient)
    const batches = after.batches - before.batches
    // Batches written while a sync ran share the next one (engine/group-commit.ts).
    const syncs = after.syncs - before.syncs
    assert.ok(syncs >= 1 && syncs <= batches, `${syncs} syncs for ${batches} batches`)
    // Each client's 50 pipelined SETs arrive together: at most one batch per client and shard
    // (its keys hash to both shards, and each shard's go in one batch when the main thread hands
    // them to the shard threads rather than running them inline, inline-policy.ts).
    assert.ok(batches >= 1 && batches <= clients * shards, `${batches} batches for ${clients} clients`)
  })

  it('under everysec, the WAL is synced about once a second', async () => {
    node = await startMarekvs({ env: { MAREKVS_FSYNC: 'everysec' } })
    await runPipelined(node.port, [['SET', 'a', '1'], ['INCR', 'n']])
    const before = await writeStats(node.port)
    assert.equal(before.commands, 2)
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const after = await writeStats(node.port)
    assert.ok(after.syncs - before.syncs >= 1, `syncs went from ${before.syncs} to ${after.syncs}`)
    assert.ok(after.syncs - before.syncs <= 4, `syncs went from ${before.syncs} to ${after.syncs}`)
  })
})
