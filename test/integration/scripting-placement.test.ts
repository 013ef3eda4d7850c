// Where a script runs (docs/scripting.md): on the main thread while its runs are fast, on its
// shard once three runs in a row were slow (and always with MAREKVS_INLINE_BATCHES=off).
// Wherever it runs, a script reaches its own shard's keys only, its budget stops it, and
// nothing it wrote is applied then.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { partitionOf } from '../../lib/native'
import { failure, SLACK_MS } from '../support/scripts'
import { Marekvs, startMarekvs } from '../support/servers'

const SHARDS = 2
const BUDGET_MS = 300
const OTHER_SHARD = /^ERR Script attempted to access a key on another shard than the keys it declared/
const KILLED = /^ERR Script killed: it ran longer than the script time limit/

/** `count` keys on `shard`. */
function keysOn(shard: number, count: number): string[] {
  const keys: string[] = []
  for (let i = 0; keys.length < count; i++) if (partitionOf(Buffer.from(`k${i}`)) % SHARDS === shard) keys.push(`k${i}`)
  return keys
}

const [HOME, NEIGHBOUR] = keysOn(0, 2)
const [FAR] = keysOn(1, 1)

/**
 * A thread's first reads are slow (its code not yet compiled), which the engine takes for reads
 * from the disk: it then runs no batch inline until its reads are fast again (inline-policy.ts).
 */
async function warmReads(client: Redis): Promise<void> {
  for (let i = 0; i < 200; i++) await client.get(HOME)
}

async function slowScripts(client: Redis): Promise<number> {
  const line = /marekvs_slow_scripts:(\d+)/.exec(await client.info('stats'))
  assert.ok(line !== null, 'INFO stats has marekvs_slow_scripts')
  return Number(line[1])
}

describe('where scripts run', function () {
  this.timeout(120000)
  let server: Marekvs
  let shardsOnly: Marekvs
  let client: Redis
  let other: Redis
  before(async () => {
    const env = { MAREKVS_SCRIPT_TIME_LIMIT_MS: String(BUDGET_MS), MAREKVS_SHARDS: String(SHARDS) }
    server = await startMarekvs({ env })
    shardsOnly = await startMarekvs({ env: { ...env, MAREKVS_INLINE_BATCHES: 'off' } })
    client = new Redis({ port: server.port, maxRetriesPerRequest: 1 })
    other = new Redis({ port: server.port, maxRetriesPerRequest: 1 })
  })
  after(async () => {
    client?.disconnect()
    other?.disconnect()
    await server?.stop()
    await shardsOnly?.stop()
  })

  /** EVAL, EVALSHA and FCALL of a script that reads the key ARGV[1] names, declaring HOME. */
  async function reachesOwnShardOnly(client: Redis): Promise<void> {
    await client.mset(HOME, 'home', NEIGHBOUR, 'neighbour', FAR, 'far')
    const peek = "return redis.call('get', ARGV[1])"
    const sha = await client.script('LOAD', peek) as string
    await client.function('LOAD', 'REPLACE', "#!lua name=placement\nredis.register_function('peek', function(keys, args) return redis.call('get', args[1]) end)")
    await warmReads(client)
    for (const run of [
      (arg: string) => client.eval(peek, 1, HOME, arg),
      (arg: string) => client.evalsha(sha, 1, HOME, arg),
      (arg: string) => client.fcall('peek', 1, HOME, arg),
    ]) {
      assert.equal(await run(NEIGHBOUR), 'neighbour')
      assert.match(await failure(run(FAR)), OTHER_SHARD)
    }
    // numkeys 0: the keys are unknown, so the script runs with every shard paused and reaches them all.
    assert.equal(await client.evalsha(sha, 0, FAR), 'far')
    assert.equal(await client.fcall('peek', 0, FAR), 'far')
    assert.equal(await slowScripts(client), 0)
  }

  it('a script reaches its own shard\'s keys only, inline and on the shard; every key with numkeys 0', async () => {
    await reachesOwnShardOnly(client)
    const onShards = new Redis({ port: shardsOnly.port, maxRetriesPerRequest: 1 })
    try {
      await reachesOwnShardOnly(onShards)
    } finally {
      onShards.disconnect()
    }
  })

  it('a slow EVALSHA is stopped and undone inline, then runs on its shard, where other shards are served while it spins', async () => {
    await client.set(HOME, 'before')
    const sha = await client.script('LOAD', "redis.call('set', KEYS[1], 'during') while true do end") as string
    await warmReads(client)
    for (let run = 1; run <= 3; run++) {
      const started = performance.now()
      assert.match(await failure(client.evalsha(sha, 1, HOME)), KILLED)
      const ms = performance.now() - started
      assert.ok(ms >= BUDGET_MS - 5 && ms < BUDGET_MS + SLACK_MS, `run ${run} stopped after ${ms} ms`)
      assert.equal(await client.get(HOME), 'before')
      assert.equal(await slowScripts(client), run === 3 ? 1 : 0)
    }
    // On its shard now: a command for the other shard, sent while it spins, is answered before it is stopped.
    await other.set(FAR, 'served')
    const order: string[] = []
    const spinning = failure(client.evalsha(sha, 1, HOME)).then((message) => {
      order.push('script')
      return message
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const served = other.get(FAR).then((value) => {
      order.push('other shard')
      return value
    })
    assert.equal(await served, 'served')
    assert.match(await spinning, KILLED)
    assert.deepEqual(order, ['other shard', 'script'])
    assert.equal(await client.get(HOME), 'before')
    // Changed function libraries: every script and function is measured anew.
    await client.function('LOAD', 'REPLACE', "#!lua name=placement\nredis.register_function('peek', function(keys, args) return 1 end)")
    assert.equal(await slowScripts(client), 0)
  })

  it('a fast EVALSHA that writes keeps its writes and stays inline', async () => {
    const sha = await client.script('LOAD', "return redis.call('incr', KEYS[1])") as string
    await client.del(HOME)
    for (let i = 1; i <= 200; i++) assert.equal(await client.evalsha(sha, 1, HOME), i)
    assert.equal(await client.get(HOME), '200')
    assert.equal(await slowScripts(client), 0)
  })
})
