// MAREKVS_REPLICAOF against a real redis-server 7.0: a full resync of every type (diskless and
// disk-based RDB), the command stream after it, a dropped link (partial resync), an upstream
// restarted empty (full resync again, old keys gone), and an upstream that is not there.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { freePort, hasRedisServer, Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

type Plain = string | number | null | Plain[]

/** Replies as latin1 strings, so binary values compare exactly. */
function plain(value: unknown): Plain {
  if (Buffer.isBuffer(value)) return value.toString('latin1')
  if (Array.isArray(value)) return value.map(plain)
  return value as Plain
}

async function call(client: Redis, ...args: Array<string | Buffer | number>): Promise<Plain> {
  return plain(await client.callBuffer(String(args[0]), ...args.slice(1)))
}

function pairs(flat: Plain): string[] {
  const items = flat as string[]
  const out: string[] = []
  for (let i = 0; i < items.length; i += 2) out.push(`${items[i]}=${items[i + 1]}`)
  return out.sort()
}

/** Every key of db 0 with its type, contents and whether it has a TTL (and roughly which). */
async function snapshot(client: Redis): Promise<Record<string, unknown>> {
  const keys = ((await call(client, 'KEYS', '*')) as string[]).sort()
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    const type = await call(client, 'TYPE', key)
    const pttl = (await call(client, 'PTTL', key)) as number
    let value: unknown
    switch (type) {
      case 'string': value = await call(client, 'GET', key); break
      case 'list': value = await call(client, 'LRANGE', key, 0, -1); break
      case 'set': value = ((await call(client, 'SMEMBERS', key)) as string[]).sort(); break
      case 'zset': value = await call(client, 'ZRANGE', key, 0, -1, 'WITHSCORES'); break
      case 'hash': value = pairs(await call(client, 'HGETALL', key)); break
      case 'stream': {
        const groups = (await call(client, 'XINFO', 'GROUPS', key)) as Plain[][]
        value = {
          entries: await call(client, 'XRANGE', key, '-', '+'),
          lastId: ((await call(client, 'XINFO', 'STREAM', key)) as Plain[])[((await call(client, 'XINFO', 'STREAM', key)) as Plain[]).indexOf('last-generated-id') + 1],
          groups: await Promise.all(groups.map(async (g) => {
            const name = g[g.indexOf('name') + 1] as string
            return {
              name, lastDelivered: g[g.indexOf('last-delivered-id') + 1],
              pending: ((await call(client, 'XPENDING', key, name, '-', '+', 100)) as Plain[][]).map((p) => [p[0], p[1], p[3]]),
              consumers: ((await call(client, 'XINFO', 'CONSUMERS', key, name)) as Plain[][]).map((c) => c[c.indexOf('name') + 1]).sort(),
            }
          })),
        }
        break
      }
      default: value = `unexpected type ${type}`
    }
    out[key] = { type, value, ttl: pttl < 0 ? pttl : Math.round(pttl / 10_000) }
  }
  return out
}

async function infoFields(client: Redis, section: string): Promise<Map<string, string>> {
  const text = (await client.info(section)) as string
  return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]))
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}

/** Wait until marekvs has applied everything the upstream has written so far. */
async function caughtUp(upstream: Redis, replica: Redis, minFullSyncs = 1): Promise<Map<string, string>> {
  return until('the replica to catch up', async () => {
    const target = (await infoFields(upstream, 'replication')).get('master_repl_offset')
    const info = await infoFields(replica, 'replication')
    const done = info.get('master_link_status') === 'up' && info.get('master_sync_in_progress') === '0' &&
      Number(info.get('marekvs_repl_full_syncs')) >= minFullSyncs && info.get('slave_repl_offset') === target
    return done ? info : undefined
  })
}

async function fill(redis: Redis): Promise<void> {
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  await redis.set('str:plain', 'hello')
  await redis.set('str:int', '-2000000000')
  await redis.set('str:small-int', '7')
  await redis.set(Buffer.from('str:binary\x00key'), binary)
  await redis.set('str:lzf', 'abcdefgh'.repeat(5000))
  await redis.set('str:ttl', 'v', 'EX', 3600)
  await redis.rpush('list:small', 'a', '1', '-70000', '9223372036854775807', 'z')
  await redis.rpush('list:big', ...Array.from({ length: 3000 }, (_, i) => `item-${i}-${'x'.repeat(i % 50)}`))
  await redis.sadd('set:int', 1, -2, 300, 70000, 5000000000)
  await redis.sadd('set:str', 'a', 'b', 'c')
  await redis.sadd('set:big', ...Array.from({ length: 1500 }, (_, i) => `m${i}`))
  await redis.zadd('zset:small', 1, 'a', 2.5, 'b', 'inf', 'c', '-inf', 'd', 0.1, 'e')
  await redis.zadd('zset:big', ...Array.from({ length: 700 }, (_, i) => [i / 7, `m${i}`]).flat())
  await redis.hset('hash:small', 'f', 'v', 'n', '42')
  await redis.hset('hash:big', ...Array.from({ length: 700 }, (_, i) => [`f${i}`, `v${i}`]).flat())
  await redis.hset('hash:ttl', 'f', 'v')
  await redis.pexpire('hash:ttl', 7_200_000)
  for (let i = 1; i <= 5; i++) await redis.xadd('stream', `${i}-0`, 'field', `v${i}`, 'other', i)
  await redis.xdel('stream', '2-0')
  await redis.xadd('stream', '6-0', 'solo', 'x')
  await redis.xdel('stream', '6-0')
  await redis.xgroup('CREATE', 'stream', 'g1', '0')
  await redis.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', 2, 'STREAMS', 'stream', '>')
  await redis.xgroup('CREATECONSUMER', 'stream', 'g1', 'bob')
  await redis.xgroup('CREATE', 'stream:empty', 'g', '$', 'MKSTREAM')
  await redis.call('FUNCTION', 'LOAD', "#!lua name=mig\nredis.register_function('migfn', function(keys, args) return 42 end)")
  await redis.select(2)
  await redis.set('db2:key', 'skipped')
  await redis.select(0)
}

describe('MAREKVS_REPLICAOF: migration from redis-server', function () {
  this.timeout(180_000)
  let redisPort: number
  let upstream: ServerProcess | undefined
  let marekvs: Marekvs | undefined
  let up: Redis
  let replica: Redis

  before(async function () {
    if (!hasRedisServer()) this.skip()
    redisPort = await freePort()
    // Diskless first ($EOF:<mark> payload), with no delay before the transfer.
    upstream = await startRedis(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'], redisPort)
    up = new Redis({ port: redisPort, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true })
    await up.connect()
    await fill(up)
    marekvs = await startMarekvs({ env: { MAREKVS_REPLICAOF: `127.0.0.1:${redisPort}`, RUST_LOG: 'info' } })
    replica = new Redis({ port: marekvs.port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true })
    await replica.connect()
  })

  after(async () => {
    up?.disconnect()
    replica?.disconnect()
    await Promise.all([upstream?.stop(), marekvs?.stop()])
  })

  it('loads every key of a diskless full resync, reports the link up, and skips database 2 with a count', async () => {
    const info = await caughtUp(up, replica)
    assert.equal(info.get('role'), 'slave')
    assert.equal(info.get('master_port'), String(redisPort))
    assert.equal(info.get('marekvs_repl_skipped_keys'), '1')
    assert.equal(info.get('marekvs_repl_keys_loaded'), '18')
    const expected = await snapshot(up)
    assert.equal(Object.keys(expected).length, 18)
    assert.deepEqual(await snapshot(replica), expected)
    assert.equal(await replica.call('FCALL', 'migfn', 0), 42)
    const role = await replica.call('ROLE') as unknown[]
    assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', redisPort, 'connected'])
    const hello = await replica.call('HELLO', '2') as unknown[]
    assert.equal(hello[hello.indexOf('role') + 1], 'replica')
    assert.match(marekvs!.output(), /db=2 keys=1/)
  })

  it('applies the command stream: DEL, EXPIRE, INCR, MULTI/EXEC, scripts, stream reads, SELECT', async () => {
    await up.del('str:plain')
    await up.expire('list:small', 500)
    await up.incr('str:small-int')
    await up.incrbyfloat('counter:float', 1.25)
    await up.multi().incr('tx:counter').lpush('list:small', 'pushed').hset('hash:small', 'g', 'h').exec()
    await up.eval("redis.call('set', 'lua:key', ARGV[1]) return 1", 0, 'from-lua')
    await up.spop('set:str')
    await up.xadd('stream', '*', 'live', 'entry')
    await up.xreadgroup('GROUP', 'g1', 'carol', 'COUNT', 1, 'STREAMS', 'stream', '>')
    await up.xack('stream', 'g1', '1-0')
    await up.set('str:px', 'v', 'PX', 900_000)
    await up.select(3)
    await up.set('db3:key', 'skipped')
    await up.select(0)
    await up.publish('chan', 'hello')
    // WAIT sends REPLCONF GETACK and returns once the replica's ACK covers every write above.
    assert.equal(await up.call('WAIT', 1, 10_000), 1)
    const info = await caughtUp(up, replica)
    assert.equal(info.get('marekvs_repl_apply_errors'), '0')
    assert.ok(Number(info.get('marekvs_repl_skipped_commands')) >= 1)
    assert.equal(await replica.exists('str:plain'), 0)
    assert.equal(await replica.get('tx:counter'), '1')
    assert.deepEqual(await snapshot(replica), await snapshot(up))
  })

  it('comes back after the upstream drops the link, with a partial resync', async () => {
    await up.call('CLIENT', 'KILL', 'TYPE', 'replica')
    await up.set('after:kill', '1')
    await up.rpush('list:big', 'tail')
    const info = await until('a partial resync', async () => {
      const fields = await infoFields(replica, 'replication')
      return Number(fields.get('marekvs_repl_partial_syncs')) >= 1 ? fields : undefined
    })
    assert.equal(info.get('marekvs_repl_full_syncs'), '1')
    const upstreamStats = await infoFields(up, 'stats')
    assert.equal(upstreamStats.get('sync_partial_ok'), '1')
    await up.incr('after:kill')
    await caughtUp(up, replica)
    assert.equal(await replica.get('after:kill'), '2')
    assert.deepEqual(await snapshot(replica), await snapshot(up))
  })

  it('takes a full resync (disk-based RDB) from an upstream restarted empty, dropping the keys it no longer has', async () => {
    up.disconnect()
    await upstream!.stop()
    const down = await until('the link to go down', async () => {
      const fields = await infoFields(replica, 'replication')
      return fields.get('master_link_status') === 'down' ? fields : undefined
    })
    assert.match(down.get('marekvs_repl_last_error') ?? '', /closed|ECONNREFUSED|ECONNRESET/)
    assert.equal(await replica.get('after:kill'), '2', 'still serving while the upstream is away')
    upstream = await startRedis(['--repl-diskless-sync', 'no'], redisPort)
    up = new Redis({ port: redisPort, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true })
    await up.connect()
    await up.set('fresh', 'start')
    await up.zadd('fresh:zset', 3, 'c')
    await caughtUp(up, replica, 2)
    await up.set('fresh:later', 'arrives')
    await caughtUp(up, replica, 2)
    assert.deepEqual(await snapshot(replica), await snapshot(up))
    assert.equal(await replica.exists('after:kill'), 0)
    assert.match(marekvs!.output(), /full resync, receiving the RDB upstream=\S+ bytes=\d+/)
  })
})

describe('MAREKVS_REPLICAOF: an upstream that is not there', function () {
  this.timeout(60_000)

  it('keeps serving, reports the link down and the error, and keeps retrying', async () => {
    const nobody = await freePort()
    const marekvs = await startMarekvs({ env: { MAREKVS_REPLICAOF: `127.0.0.1:${nobody}` } })
    const client = new Redis({ port: marekvs.port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true })
    try {
      await client.connect()
      assert.equal(await client.set('k', 'v'), 'OK')
      assert.equal(await client.get('k'), 'v')
      const info = await until('a failed attempt', async () => {
        const fields = await infoFields(client, 'replication')
        return /ECONNREFUSED/.test(fields.get('marekvs_repl_last_error') ?? '') ? fields : undefined
      })
      assert.equal(info.get('role'), 'slave')
      assert.equal(info.get('master_link_status'), 'down')
      assert.equal(((await client.call('ROLE')) as unknown[])[3], 'connect')
      // The backoff starts at a second: a second attempt within a few.
      await until('a retry', async () => ((marekvs.output().match(/ECONNREFUSED/g) ?? []).length >= 2 ? true : undefined), 10_000)
      assert.equal(marekvs.proc.exitCode, null)
    } finally {
      client.disconnect()
      await marekvs.stop()
    }
  })
})
