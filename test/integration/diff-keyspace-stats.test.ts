// INFO stats' keyspace_hits, keyspace_misses and expired_keys: one script against redis-server
// 7.0 and marekvs (two shards, so keys land on both and on the main thread's paths), same counts.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

interface KeyspaceCounts { hits: number; misses: number; expired: number }

async function counts(client: Redis): Promise<KeyspaceCounts> {
  const info = await client.info('stats')
  const field = (name: string): number => Number(/^(\w+):(.*)$/m.exec(info.split('\r\n').find((line) => line.startsWith(`${name}:`)) ?? '')?.[2])
  return { hits: field('keyspace_hits'), misses: field('keyspace_misses'), expired: field('expired_keys') }
}

/** Read commands (each key a hit or a miss), write commands (neither), a script's reads, MULTI, and expiries. */
async function script(client: Redis): Promise<KeyspaceCounts[]> {
  const seen: KeyspaceCounts[] = []
  await client.config('RESETSTAT')
  await client.set('a', '1')
  await client.hset('h', 'f', 'v')
  await client.rpush('l', 'x', 'y')
  await client.incr('a')
  seen.push(await counts(client))
  await client.get('a')
  await client.get('nosuch')
  await client.exists('a', 'nosuch', 'h')
  await client.mget('a', 'b', 'c', 'h', 'l')
  await client.hget('h', 'f')
  await client.hget('h', 'nofield')
  await client.hget('nohash', 'f')
  await client.lrange('l', 0, -1)
  await client.type('nosuch')
  await client.strlen('a')
  seen.push(await counts(client))
  await client.eval("return redis.call('GET', KEYS[1])", 1, 'a')
  await client.multi().get('a').get('zz').exec()
  seen.push(await counts(client))
  // One key expires under a read, one under a write, one by itself.
  await client.set('e1', 'v', 'PX', 30)
  await client.set('e2', 'v', 'PX', 30)
  await client.set('e3', 'v', 'PX', 30)
  await new Promise((resolve) => setTimeout(resolve, 60))
  await client.get('e1')
  await client.set('e2', 'again')
  const deadline = Date.now() + 5000
  while ((await counts(client)).expired < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  seen.push(await counts(client))
  await client.config('RESETSTAT')
  seen.push(await counts(client))
  return seen
}

describe('differential: INFO keyspace counters', function () {
  this.timeout(60000)
  let redis: ServerProcess
  let marekvs: Marekvs
  before(async () => {
    redis = await startRedis()
    marekvs = await startMarekvs({ env: { MAREKVS_SHARDS: '2' } })
  })
  after(async () => {
    await redis?.stop()
    await marekvs?.stop()
  })

  it('keyspace_hits, keyspace_misses and expired_keys count as Redis counts them, and RESETSTAT zeroes them', async () => {
    const clients = [new Redis(redis.port, '127.0.0.1'), new Redis(marekvs.port, '127.0.0.1')]
    try {
      const [expected, actual] = [await script(clients[0]), await script(clients[1])]
      // Fixed figures too, so a change to both servers' counting cannot pass unseen.
      assert.deepEqual(expected[1], { hits: 10, misses: 6, expired: 0 })
      assert.deepEqual(actual, expected)
    } finally {
      for (const client of clients) client.disconnect()
    }
  })
})
