// Client libraries' script usage, end to end against redis-server 7.0 and marekvs with the same
// results: ioredis defineCommand (EVALSHA first, EVAL on NOSCRIPT), a token-bucket rate limiter
// and a redlock-style lock, as applications write them, and the same limiter as a function
// library called with ioredis's fcall.
import assert from 'node:assert/strict'
import Redis, { Result } from 'ioredis'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

declare module 'ioredis' {
  interface RedisCommander<Context> {
    takeToken(key: string, capacity: number, refillPerSec: number, nowMs: number, cost: number): Result<[number, number], Context>
    acquireLock(key: string, token: string, ttlMs: number): Result<string | null, Context>
    releaseLock(key: string, token: string): Result<number, Context>
    extendLock(key: string, token: string, ttlMs: number): Result<number, Context>
    counters(...keysAndArgs: Array<string | number>): Result<number[], Context>
  }
}

// A token bucket as rate-limiter libraries write it: state in a hash, refill by elapsed time.
const TOKEN_BUCKET = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - ts) / 1000 * refill)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', key, 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', key, math.ceil(capacity / refill * 1000))
return {allowed, math.floor(tokens)}
`

// Redlock's scripts (one instance).
const ACQUIRE = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])"
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
const EXTEND = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"

describe('client libraries using scripts', function () {
  this.timeout(60000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  function define(client: Redis): Redis {
    client.defineCommand('takeToken', { numberOfKeys: 1, lua: TOKEN_BUCKET })
    client.defineCommand('acquireLock', { numberOfKeys: 1, lua: ACQUIRE })
    client.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE })
    client.defineCommand('extendLock', { numberOfKeys: 1, lua: EXTEND })
    // numberOfKeys given per call: the first argument.
    client.defineCommand('counters', { lua: "local out = {} for i, k in ipairs(KEYS) do out[i] = redis.call('INCRBY', k, ARGV[1]) end return out" })
    return client
  }

  async function both(body: (client: Redis) => Promise<unknown>): Promise<void> {
    const results: unknown[] = []
    for (const server of servers) {
      const client = define(new Redis({ port: server.port, maxRetriesPerRequest: 1 }))
      try {
        await client.flushall()
        await client.script('FLUSH')
        results.push(await body(client))
      } finally {
        client.disconnect()
      }
    }
    assert.deepEqual(results[1], results[0])
  }

  it('ioredis defineCommand: EVALSHA, EVAL after NOSCRIPT, in pipelines and MULTI', () => both(async (client) => {
    const out: unknown[] = []
    out.push(await client.counters(2, 'c:a', 'c:b', 5))
    out.push(await client.counters(2, 'c:a', 'c:b', 1))
    out.push(await client.pipeline().counters(1, 'c:a', 10).counters(3, 'c:a', 'c:b', 'c:c', 1).get('c:a').exec())
    out.push(await client.multi().counters(1, 'c:z', 3).counters(1, 'c:z', 4).exec())
    // After SCRIPT FLUSH, ioredis gets NOSCRIPT from EVALSHA and falls back to EVAL.
    await client.script('FLUSH')
    out.push(await client.counters(1, 'c:a', 1))
    out.push(await client.script('EXISTS', require('node:crypto').createHash('sha1').update(TOKEN_BUCKET).digest('hex')))
    return out
  }))

  it('a token-bucket rate limiter', () => both(async (client) => {
    const out: unknown[] = []
    const start = 1_700_000_000_000
    for (let i = 0; i < 12; i++) out.push(await client.takeToken('rl:user:1', 10, 5, start + i * 10, 1))
    out.push(await client.takeToken('rl:user:1', 10, 5, start + 1000, 1))
    out.push(await client.takeToken('rl:user:1', 10, 5, start + 5000, 4))
    out.push(await client.takeToken('rl:user:2', 3, 1, start, 5))
    out.push(await client.hgetall('rl:user:1'))
    out.push((await client.pttl('rl:user:1')) > 0)
    // Many clients at once: the bucket never goes below zero (each call is atomic).
    const results = await Promise.all(Array.from({ length: 30 }, () => client.takeToken('rl:burst', 10, 0.001, start, 1)))
    out.push(results.filter(([allowed]: [number, number]) => allowed === 1).length)
    return out
  }))

  it('ioredis FUNCTION LOAD, fcall and fcall_ro: a rate-limiter library, in pipelines and MULTI', () => both(async (client) => {
    const library = [
      '#!lua name=ratelimit',
      `local function take(keys, args)\n${TOKEN_BUCKET.replace(/KEYS/g, 'keys').replace(/ARGV/g, 'args')}\nend`,
      "redis.register_function('take_token', take)",
      "redis.register_function{function_name='tokens_left', callback=function(keys) return redis.call('HGET', keys[1], 'tokens') end, flags={'no-writes'}}",
    ].join('\n')
    const out: unknown[] = []
    await client.function('FLUSH')
    out.push(await client.function('LOAD', library))
    out.push(await client.function('LOAD', library).catch((err: Error) => err.message))
    out.push(await client.function('LOAD', 'REPLACE', library))
    const start = 1_700_000_000_000
    for (let i = 0; i < 4; i++) out.push(await client.fcall('take_token', 1, 'rl:fn', 3, 1, start + i, 1))
    out.push(await client.fcall_ro('tokens_left', 1, 'rl:fn'))
    out.push(await client.fcall_ro('take_token', 1, 'rl:fn', 3, 1, start, 1).catch((err: Error) => err.message))
    out.push(await client.pipeline().fcall('take_token', 1, 'rl:other', 2, 1, start, 1).fcall_ro('tokens_left', 1, 'rl:other').fcall('nosuch', 0).exec())
    out.push(await client.multi().fcall('take_token', 1, 'rl:multi', 5, 1, start, 2).fcall('take_token', 1, 'rl:multi', 5, 1, start, 2).exec())
    const dump = await client.functionBuffer('DUMP')
    out.push(await client.function('FLUSH'), await client.fcall('tokens_left', 1, 'rl:fn').catch((err: Error) => err.message))
    out.push(await client.function('RESTORE', dump), await client.fcall_ro('tokens_left', 1, 'rl:fn'))
    out.push(await client.function('DELETE', 'ratelimit'), await client.function('DELETE', 'ratelimit').catch((err: Error) => err.message))
    return out
  }))

  it('a redlock-style lock: acquire, contend, extend, release by token only', () => both(async (client) => {
    const out: unknown[] = []
    out.push(await client.acquireLock('lock:res', 'token-a', 10000))
    out.push(await client.acquireLock('lock:res', 'token-b', 10000))
    out.push(await client.extendLock('lock:res', 'token-b', 20000))
    out.push(await client.extendLock('lock:res', 'token-a', 20000))
    out.push((await client.pttl('lock:res')) > 10000)
    out.push(await client.releaseLock('lock:res', 'token-b'))
    out.push(await client.get('lock:res'))
    out.push(await client.releaseLock('lock:res', 'token-a'))
    out.push(await client.acquireLock('lock:res', 'token-b', 10000))
    // Contention: of 20 clients racing for one lock, exactly one wins.
    const winners = await Promise.all(Array.from({ length: 20 }, (_, i) => client.acquireLock('lock:race', `t${i}`, 5000)))
    out.push(winners.filter((w: string | null) => w === 'OK').length)
    return out
  }))
})
