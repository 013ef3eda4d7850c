// Applications built on scripts, run end to end through ioredis defineCommand against
// redis-server 7.0 and marekvs, several clients at once, with the same final state on both:
// a redlock-style lock under contention, a job queue written as BullMQ writes its scripts (keys
// under one hash tag, job keys built inside the scripts), and the real BullMQ.
import assert from 'node:assert/strict'
import { Job, Queue, Worker } from 'bullmq'
import Redis, { Result } from 'ioredis'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

declare module 'ioredis' {
  interface RedisCommander<Context> {
    lockRelease(key: string, token: string): Result<number, Context>
    lockExtend(key: string, token: string, ttlMs: number): Result<number, Context>
    addJob(idKey: string, waitKey: string, eventsKey: string, jobPrefix: string, name: string, data: string, nowMs: number): Result<number, Context>
    moveToActive(waitKey: string, activeKey: string, eventsKey: string, jobPrefix: string, nowMs: number): Result<[string, string] | null, Context>
    moveToFinished(
      activeKey: string, waitKey: string, completedKey: string, failedKey: string, eventsKey: string,
      jobPrefix: string, jobId: string, nowMs: number, failedReason: string, returnValue: string, maxAttempts: number,
    ): Result<string, Context>
  }
}

// Redlock's release and extend (one instance), as the redlock package sends them.
const RELEASE = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end"
const EXTEND = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('pexpire',KEYS[1],ARGV[2]) else return 0 end"

// A job queue in BullMQ's style: every key under one hash tag, the job hash's key built in the
// script from a prefix and the id, events in a stream.
const ADD_JOB = `
local id = redis.call('INCR', KEYS[1])
local jobKey = ARGV[1] .. id
redis.call('HSET', jobKey, 'name', ARGV[2], 'data', ARGV[3], 'timestamp', ARGV[4], 'attemptsMade', 0)
redis.call('LPUSH', KEYS[2], id)
redis.call('XADD', KEYS[3], '*', 'event', 'added', 'jobId', id, 'name', ARGV[2])
return id`
const MOVE_TO_ACTIVE = `
local id = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
if not id then return nil end
local jobKey = ARGV[1] .. id
redis.call('HSET', jobKey, 'processedOn', ARGV[2])
redis.call('HINCRBY', jobKey, 'attemptsMade', 1)
redis.call('XADD', KEYS[3], '*', 'event', 'active', 'jobId', id)
return {id, redis.call('HGET', jobKey, 'data')}`
// An empty failedReason completes the job; otherwise it goes back to wait until it has used
// maxAttempts, then to failed.
const MOVE_TO_FINISHED = `
local id = ARGV[2]
if redis.call('LREM', KEYS[1], 1, id) == 0 then return redis.error_reply('ERR job ' .. id .. ' is not active') end
local jobKey = ARGV[1] .. id
if ARGV[4] == '' then
  redis.call('ZADD', KEYS[3], ARGV[3], id)
  redis.call('HSET', jobKey, 'finishedOn', ARGV[3], 'returnvalue', ARGV[5])
  redis.call('XADD', KEYS[5], '*', 'event', 'completed', 'jobId', id, 'returnvalue', ARGV[5])
  return 'completed'
end
redis.call('HSET', jobKey, 'failedReason', ARGV[4])
if tonumber(redis.call('HGET', jobKey, 'attemptsMade')) < tonumber(ARGV[6]) then
  redis.call('LPUSH', KEYS[2], id)
  redis.call('XADD', KEYS[5], '*', 'event', 'retrying', 'jobId', id)
  return 'retrying'
end
redis.call('ZADD', KEYS[4], ARGV[3], id)
redis.call('HSET', jobKey, 'finishedOn', ARGV[3])
redis.call('XADD', KEYS[5], '*', 'event', 'failed', 'jobId', id, 'failedReason', ARGV[4])
return 'failed'`

const Q = '{bull:q}'
const QUEUE_KEYS = { id: `${Q}:id`, wait: `${Q}:wait`, active: `${Q}:active`, completed: `${Q}:completed`, failed: `${Q}:failed`, events: `${Q}:events` }
const JOB_PREFIX = `${Q}:job:`

function define(client: Redis): Redis {
  client.defineCommand('lockRelease', { numberOfKeys: 1, lua: RELEASE })
  client.defineCommand('lockExtend', { numberOfKeys: 1, lua: EXTEND })
  client.defineCommand('addJob', { numberOfKeys: 3, lua: ADD_JOB })
  client.defineCommand('moveToActive', { numberOfKeys: 3, lua: MOVE_TO_ACTIVE })
  client.defineCommand('moveToFinished', { numberOfKeys: 5, lua: MOVE_TO_FINISHED })
  return client
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('applications built on scripts, several clients at once', function () {
  this.timeout(120000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  /** `body` with `clients` connections on each server (scripts flushed first, so ioredis falls back to EVAL once); the results must match. */
  async function onBoth(clients: number, body: (clients: Redis[]) => Promise<unknown>): Promise<void> {
    const results: unknown[] = []
    for (const server of servers) {
      const connected = Array.from({ length: clients }, () => define(new Redis({ port: server.port, maxRetriesPerRequest: 1 })))
      try {
        await connected[0].flushall()
        await connected[0].script('FLUSH')
        results.push(await body(connected))
      } finally {
        for (const client of connected) client.disconnect()
      }
    }
    assert.deepEqual(results[1], results[0])
  }

  it('a redlock-style lock: only the holder releases or extends it, and it excludes under contention', () => onBoth(6, async (clients) => {
    const [a, b] = clients
    const out: unknown[] = []
    out.push(await a.set('lock:r', 'tok-a', 'PX', 10000, 'NX'))
    out.push(await b.set('lock:r', 'tok-b', 'PX', 10000, 'NX'))
    out.push(await b.lockRelease('lock:r', 'tok-b'), await b.lockExtend('lock:r', 'tok-b', 30000))
    out.push(await a.lockExtend('lock:r', 'tok-a', 30000), (await a.pttl('lock:r')) > 20000)
    out.push(await a.lockRelease('lock:r', 'tok-a'), await a.lockRelease('lock:r', 'tok-a'), await a.exists('lock:r'))
    // A lock that expired is free again; its old holder's release is a no-op.
    out.push(await a.set('lock:r', 'tok-a2', 'PX', 50, 'NX'))
    await sleep(120)
    out.push(await b.set('lock:r', 'tok-b2', 'PX', 10000, 'NX'), await a.lockRelease('lock:r', 'tok-a2'), await b.get('lock:r'))
    // Contention: every client increments a shared counter with GET then SET, which is safe
    // only under the lock. Each holder checks it is alone, extends once, and releases.
    const ROUNDS = 25
    let overlaps = 0
    let holding = 0
    const worker = async (client: Redis, index: number) => {
      let acquired = 0
      while (acquired < ROUNDS) {
        const token = `c${index}-${acquired}`
        if ((await client.set('lock:counter', token, 'PX', 5000, 'NX')) !== 'OK') {
          await sleep(1)
          continue
        }
        holding++
        if (holding > 1) overlaps++
        const value = Number(await client.get('counter') ?? 0)
        assert.equal(await client.lockExtend('lock:counter', token, 5000), 1)
        await client.set('counter', value + 1)
        holding--
        assert.equal(await client.lockRelease('lock:counter', token), 1)
        acquired++
      }
    }
    await Promise.all(clients.map(worker))
    out.push(overlaps, await a.get('counter'), await a.exists('lock:counter'))
    return out
  }))

  it('a BullMQ-style job queue: producers and workers at once, retries and failures, under one hash tag', () => onBoth(8, async (clients) => {
    const producers = clients.slice(0, 3)
    const workers = clients.slice(3)
    const JOBS_EACH = 40
    const MAX_ATTEMPTS = 2
    const total = producers.length * JOBS_EACH
    const k = QUEUE_KEYS
    // A job numbered n fails its first attempt when n % 3 == 0, and every attempt when n % 7 == 0.
    const outcome = (n: number, attempt: number) => (n % 7 === 0 ? `boom ${n}` : n % 3 === 0 && attempt === 1 ? `flaky ${n}` : '')
    const produce = async (client: Redis, p: number) => {
      for (let i = 0; i < JOBS_EACH; i++) {
        const n = p * JOBS_EACH + i
        await client.addJob(k.id, k.wait, k.events, JOB_PREFIX, `job-${n}`, JSON.stringify({ n }), 1_700_000_000_000 + n)
      }
    }
    let finished = 0
    const work = async (client: Redis) => {
      while (finished < total) {
        const next = await client.moveToActive(k.wait, k.active, k.events, JOB_PREFIX, Date.now())
        if (next === null) {
          await sleep(2)
          continue
        }
        const [id, data] = next
        const { n } = JSON.parse(data) as { n: number }
        const attempt = Number(await client.hget(`${JOB_PREFIX}${id}`, 'attemptsMade'))
        const reason = outcome(n, attempt)
        const state = await client.moveToFinished(k.active, k.wait, k.completed, k.failed, k.events, JOB_PREFIX, id, Date.now(), reason, String(n * 2), MAX_ATTEMPTS)
        if (state !== 'retrying') finished++
      }
    }
    await Promise.all([...producers.map(produce), ...workers.map(work)])
    // Ids depend on the interleaving: compare jobs by name.
    const client = clients[0]
    const jobs: Record<string, Record<string, string>> = {}
    for (let id = 1; id <= total; id++) {
      const { name, attemptsMade, returnvalue, failedReason } = await client.hgetall(`${JOB_PREFIX}${id}`)
      const state = (await client.zscore(k.completed, String(id))) !== null ? 'completed' : (await client.zscore(k.failed, String(id))) !== null ? 'failed' : 'lost'
      jobs[name] = { state, attemptsMade, ...(returnvalue !== undefined && { returnvalue }), ...(failedReason !== undefined && { failedReason }) }
    }
    const events: Record<string, number> = {}
    for (const [, fields] of await client.xrange(k.events, '-', '+')) events[fields[1]] = (events[fields[1]] ?? 0) + 1
    const lengths = [await client.get(k.id), await client.llen(k.wait), await client.llen(k.active), await client.zcard(k.completed), await client.zcard(k.failed)]
    // A job that is not active cannot be finished twice.
    const twice = await client.moveToFinished(k.active, k.wait, k.completed, k.failed, k.events, JOB_PREFIX, '1', 0, '', '', MAX_ATTEMPTS).catch((err: Error) => err.message)
    return { jobs, events, lengths, twice }
  }))

  it('the real BullMQ: producers and a worker, retries and failures', async () => {
    const results: unknown[] = []
    for (const server of servers) results.push(await runBullmq(server.port))
    assert.deepEqual(results[1], results[0])
  })
})

/** A queue under the `{bull}` hash tag: 2 producers add 30 jobs, one worker (concurrency 4) runs them; the jobs' final states by name. */
async function runBullmq(port: number): Promise<unknown> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null }
  const flush = new Redis({ port })
  await flush.flushall()
  flush.disconnect()
  const options = { connection, prefix: '{bull}' }
  const queue = new Queue('apps', options)
  const worker = new Worker('apps', async (job: Job) => {
    const n = job.data.n as number
    if (n % 7 === 0 || (n % 3 === 0 && job.attemptsMade === 0)) throw new Error(`boom ${n}`)
    return n * 2
  }, { ...options, concurrency: 4 })
  try {
    const JOBS_EACH = 15
    await Promise.all([0, 1].map(async (p) => {
      for (let i = 0; i < JOBS_EACH; i++) {
        const n = p * JOBS_EACH + i
        await queue.add(`job-${n}`, { n }, { attempts: 2 })
      }
    }))
    const total = 2 * JOBS_EACH
    for (let waited = 0; ; waited += 50) {
      const counts = await queue.getJobCounts('completed', 'failed')
      if (counts.completed + counts.failed === total) break
      if (waited > 60000) assert.fail(`BullMQ did not finish: ${JSON.stringify(await queue.getJobCounts())}`)
      await sleep(50)
    }
    const jobs: Record<string, unknown> = {}
    for (const job of await queue.getJobs(['completed', 'failed'])) {
      jobs[job.name] = { state: await job.getState(), attemptsMade: job.attemptsMade, returnvalue: job.returnvalue, failedReason: job.failedReason }
    }
    return { jobs, counts: await queue.getJobCounts() }
  } finally {
    await worker.close()
    await queue.close()
  }
}
