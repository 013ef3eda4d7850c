// Applications written for Redis, through ioredis, run unchanged on marekvs: each scenario runs
// against redis-server 7.0 and marekvs and must produce the same results.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

type App = (connect: () => Redis) => Promise<unknown>

describe('applications written for Redis', function () {
  this.timeout(60000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  function app(title: string, body: App): void {
    it(title, async () => {
      const results: unknown[] = []
      for (const server of servers) {
        const clients: Redis[] = []
        const connect = (): Redis => {
          const client = new Redis({ port: server.port, lazyConnect: false, maxRetriesPerRequest: 1 })
          clients.push(client)
          return client
        }
        try {
          await connect().flushall()
          results.push(await body(connect))
        } finally {
          clients.forEach((client) => client.disconnect())
        }
      }
      assert.deepEqual(results[1], results[0])
    })
  }

  app('a reliable job queue: producers LPUSH, workers BLMOVE into a processing list and acknowledge', async (connect) => {
    const producer = connect()
    const workers = [connect(), connect(), connect()]
    const done: string[] = []
    const work = async (worker: Redis, name: string): Promise<void> => {
      for (;;) {
        const job = await worker.blmove('jobs', 'processing', 'RIGHT', 'LEFT', 1)
        if (job === null) return
        await worker.multi().lrem('processing', 1, job).hincrby('done', name, 1).exec()
        done.push(job)
      }
    }
    const running = workers.map((worker, i) => work(worker, `w${i}`))
    for (let i = 0; i < 60; i++) await producer.lpush('jobs', `job-${i}`)
    await Promise.all(running)
    const perWorker = await producer.hgetall('done')
    return {
      done: done.sort(),
      total: Object.values(perWorker).reduce((sum, n) => sum + Number(n), 0),
      processing: await producer.llen('processing'),
      jobs: await producer.exists('jobs'),
    }
  })

  app('a session store: hashes with TTLs, pipelined', async (connect) => {
    const redis = connect()
    const pipeline = redis.pipeline()
    for (let i = 0; i < 50; i++) pipeline.hset(`session:${i}`, { user: `u${i}`, cart: String(i * 3), theme: 'dark' }).expire(`session:${i}`, 1000 + i)
    await pipeline.exec()
    await redis.hincrby('session:7', 'cart', 5)
    await redis.hdel('session:7', 'theme')
    await redis.del('session:9')
    const ttl = await redis.ttl('session:3')
    return {
      seven: await redis.hgetall('session:7'),
      nine: await redis.hgetall('session:9'),
      ttlOk: ttl > 990 && ttl <= 1003,
      keys: (await redis.keys('session:*')).length,
      fields: await redis.hmget('session:3', 'user', 'cart', 'missing'),
    }
  })

  app('a leaderboard: ZINCRBY, ranks and pages', async (connect) => {
    const redis = connect()
    for (let i = 0; i < 200; i++) await redis.zincrby('board', (i * 7919) % 1000, `player${i % 40}`)
    return {
      top: await redis.zrevrange('board', 0, 9, 'WITHSCORES'),
      rank: await redis.zrevrank('board', 'player13'),
      score: await redis.zscore('board', 'player13'),
      between: await redis.zcount('board', 2000, 4000),
      page: await redis.zrangebyscore('board', '(1000', '+inf', 'WITHSCORES', 'LIMIT', 5, 5),
    }
  })

  app('a chat: rooms with pub/sub, membership in sets, history in capped lists', async (connect) => {
    const alice = connect()
    const bob = connect()
    const room = connect()
    const heard: string[] = []
    await room.subscribe('room:lobby')
    await room.psubscribe('room:*')
    room.on('message', (channel: string, message: string) => heard.push(`m ${channel} ${message}`))
    room.on('pmessage', (pattern: string, channel: string, message: string) => heard.push(`p ${pattern} ${channel} ${message}`))
    await alice.sadd('members:lobby', 'alice', 'bob')
    for (const [who, text] of [[alice, 'hi'], [bob, 'hello'], [alice, 'bye']] as Array<[Redis, string]>) {
      await who.multi().rpush('history:lobby', text).ltrim('history:lobby', -2, -1).publish('room:lobby', text).exec()
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    return { heard, history: await alice.lrange('history:lobby', 0, -1), members: (await bob.smembers('members:lobby')).sort() }
  })

  app('optimistic locking with WATCH (a balance transfer retried on conflict)', async (connect) => {
    const a = connect()
    const b = connect()
    await a.mset('acct:1', 100, 'acct:2', 0)
    const transfer = async (client: Redis, amount: number): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        await client.watch('acct:1', 'acct:2')
        const balance = Number(await client.get('acct:1'))
        if (attempt === 1 && client === a) await b.incrby('acct:1', 1)
        const result = await client.multi().set('acct:1', balance - amount).incrby('acct:2', amount).exec()
        if (result !== null) return attempt
      }
    }
    const attempts = await transfer(a, 30)
    return { attempts, balances: await a.mget('acct:1', 'acct:2') }
  })

  app('an event log on a stream: a consumer group with two consumers, acknowledgements and a crash recovery', async (connect) => {
    const producer = connect()
    const consumers = [connect(), connect()]
    for (let i = 1; i <= 20; i++) await producer.xadd('events', `${1000 + i}-0`, 'type', i % 3 === 0 ? 'order' : 'view', 'n', String(i))
    await producer.xgroup('CREATE', 'events', 'workers', '0')
    const handled: string[] = []
    // Consumer 0 acknowledges what it reads; consumer 1 "crashes" without acknowledging.
    for (let round = 0; round < 4; round++) {
      for (const [i, consumer] of consumers.entries()) {
        const reply = await consumer.xreadgroup('GROUP', 'workers', `c${i}`, 'COUNT', 3, 'STREAMS', 'events', '>') as Array<[string, Array<[string, string[]]>]> | null
        for (const [id, fields] of reply?.[0][1] ?? []) {
          handled.push(`c${i} ${id} ${fields.join(' ')}`)
          if (i === 0) await consumer.xack('events', 'workers', id)
        }
      }
    }
    const pending = await producer.xpending('events', 'workers')
    // Recovery: consumer 0 claims what c1 left pending.
    const claimed = await consumers[0].xautoclaim('events', 'workers', 'c0', 0, '0-0', 'COUNT', 100, 'JUSTID')
    const range = await producer.xrange('events', '1005', '1007')
    return { handled, pending, claimed, range, length: await producer.xlen('events'), groups: (await producer.xinfo('GROUPS', 'events') as unknown[][]).length }
  })
})
