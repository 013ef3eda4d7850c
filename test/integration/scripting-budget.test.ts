// The script budget (MAREKVS_SCRIPT_TIME_LIMIT_MS, CONFIG SET lua-time-limit) and the VM's
// memory and stack bounds: a runaway script (or function) is stopped within its budget, nothing
// it wrote is applied, its caller gets an error, and the node keeps serving everyone else meanwhile.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { failure, SLACK_MS } from '../support/scripts'
import { Marekvs, startMarekvs } from '../support/servers'

const BUDGET_MS = 100

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work()
  return { value, ms: performance.now() - started }
}

describe('script budget, memory and stack bounds', function () {
  this.timeout(120000)
  let server: Marekvs
  let client: Redis
  let other: Redis
  before(async () => {
    server = await startMarekvs({ env: { MAREKVS_SCRIPT_TIME_LIMIT_MS: String(BUDGET_MS), MAREKVS_SHARDS: '2' } })
    client = new Redis({ port: server.port, maxRetriesPerRequest: 1 })
    other = new Redis({ port: server.port, maxRetriesPerRequest: 1 })
  })
  after(async () => {
    client?.disconnect()
    other?.disconnect()
    await server?.stop()
  })
  beforeEach(() => client.flushall())

  const KILLED = /^ERR Script killed: it ran longer than the script time limit \(\d+ ms, lua-time-limit\) and nothing it wrote was applied$/

  it('an infinite loop is stopped within its budget, declaring a key (inline, then on its shard once slow) and with every shard paused', async () => {
    for (const numkeys of [['1', 'k'], ['1', 'k'], ['1', 'k'], ['1', 'k'], ['0']]) {
      const { value, ms } = await timed(() => failure(client.eval('while true do end', ...(numkeys as [string]))))
      assert.match(value, KILLED)
      assert.ok(ms >= BUDGET_MS - 5 && ms < BUDGET_MS + SLACK_MS, `stopped after ${ms} ms`)
    }
  })

  it('a loop that catches the error with pcall is stopped too', async () => {
    const script = 'while true do pcall(function() while true do end end) end'
    assert.match(await failure(client.eval(script, 1, 'k')), KILLED)
    assert.match(await failure(client.eval('local ok = pcall(function() while true do end end) return 1', 0)), KILLED)
  })

  it('a script that writes then spins is undone: nothing it wrote is applied', async () => {
    await client.set('{t}a', 'before')
    const script = `redis.call('set', KEYS[1], 'during') redis.call('rpush', KEYS[2], 'x') redis.call('hset', KEYS[3], 'f', 'v')
      redis.call('del', KEYS[4]) while true do end`
    await client.set('{t}d', 'kept')
    assert.match(await failure(client.eval(script, 4, '{t}a', '{t}b', '{t}c', '{t}d')), KILLED)
    assert.deepEqual(await client.mget('{t}a', '{t}d'), ['before', 'kept'])
    assert.equal(await client.exists('{t}b', '{t}c'), 0)
    // Undeclared keys on every shard (numkeys 0 runs with the shards paused): the same.
    const wide = "for i = 1, 50 do redis.call('set', 'w:' .. i, i) end redis.call('set', '{t}a', 'during') while true do end"
    assert.match(await failure(client.eval(wide, 0)), KILLED)
    assert.equal(await client.get('{t}a'), 'before')
    assert.equal((await client.keys('w:*')).length, 0)
  })

  it('other clients are served while a script spins, waiting at most the budget', async () => {
    await client.set('k', '1')
    const spinning = failure(client.eval("redis.call('incr', KEYS[1]) while true do end", 1, 'k'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    // A command on the same key (so the same shard) waits behind the script, at most its budget.
    const { value, ms } = await timed(() => other.get('k'))
    assert.equal(value, '1')
    assert.ok(ms < BUDGET_MS + SLACK_MS, `waited ${ms} ms`)
    assert.match(await spinning, KILLED)
    assert.equal(await other.ping(), 'PONG')
  })

  it('a huge allocation is stopped by the memory limit and undone', async () => {
    await client.config('SET', 'lua-time-limit', '10000')
    try {
      await client.set('m', 'before')
      const MEMORY = /^ERR Script aborted: it used more than the scripting memory limit \(64 MB\) and nothing it wrote was applied$/
      const grow = "redis.call('set', KEYS[1], 'during') local t = {} for i = 1, 1e9 do t[i] = {i, tostring(i)} end"
      const { value, ms } = await timed(() => failure(client.eval(grow, 1, 'm')))
      assert.match(value, MEMORY)
      assert.ok(ms < 5000, `took ${ms} ms`)
      assert.match(await failure(client.eval("redis.call('set', KEYS[1], 'during') return string.rep('x', 1e9)", 1, 'm')), MEMORY)
      assert.match(await failure(client.eval("redis.call('set', KEYS[1], 'during') local s = 'x' while true do s = s .. s end", 1, 'm')), MEMORY)
      assert.equal(await client.get('m'), 'before')
      // The VM freed it all: a normal script runs on the same shard.
      assert.equal(await client.eval("return redis.call('get', KEYS[1])", 1, 'm'), 'before')
    } finally {
      await client.config('SET', 'lua-time-limit', String(BUDGET_MS))
    }
  })

  it('a deep recursion is a stack overflow, caught and undone', async () => {
    await client.set('r', 'before')
    const script = "redis.call('set', KEYS[1], 'during') local function f(n) return f(n + 1) + 1 end return f(1)"
    assert.match(await failure(client.eval(script, 1, 'r')), /^ERR user_script:1: stack overflow script: [0-9a-f]{40}, on @user_script:1\.$/)
    assert.equal(await client.get('r'), 'before')
    // A recursion through pcall and coroutines ends the same way.
    const nested = 'local function f() return pcall(f) end return f()'
    await client.eval(nested, 0).catch(() => null)
    assert.equal(await client.eval('return 1', 0), 1)
  })

  it('CONFIG SET lua-time-limit (and busy-reply-threshold) changes the budget live', async () => {
    try {
      await client.config('SET', 'busy-reply-threshold', '400')
      assert.deepEqual(await client.config('GET', 'lua-time-limit'), ['lua-time-limit', '400'])
      const { value, ms } = await timed(() => failure(client.eval('while true do end', 1, 'k')))
      assert.match(value, /\(400 ms, lua-time-limit\)/)
      assert.ok(ms >= 395 && ms < 400 + SLACK_MS, `stopped after ${ms} ms`)
      const wide = await timed(() => failure(client.eval('while true do end', 0)))
      assert.ok(wide.ms >= 395, `main thread stopped after ${wide.ms} ms`)
    } finally {
      await client.config('SET', 'lua-time-limit', String(BUDGET_MS))
    }
  })

  it('functions (FCALL) have the same budget, memory limit and rollback', async () => {
    const library = [
      '#!lua name=runaway',
      "redis.register_function('spin', function(keys) redis.call('set', keys[1] or 'f:none', 'during') while true do end end)",
      "redis.register_function('grow', function(keys) redis.call('set', keys[1], 'during') local t = {} for i = 1, 1e9 do t[i] = {i, tostring(i)} end end)",
      "redis.register_function('recurse', function(keys) redis.call('set', keys[1], 'during') local function f(n) return f(n + 1) + 1 end return f(1) end)",
    ].join('\n')
    await client.function('LOAD', 'REPLACE', library)
    await client.mset('f:a', 'before', 'f:none', 'before')
    for (const numkeys of [['1', 'f:a'], ['0']]) {
      const { value, ms } = await timed(() => failure(client.fcall('spin', ...(numkeys as [string]))))
      assert.match(value, KILLED)
      assert.ok(ms >= BUDGET_MS - 5 && ms < BUDGET_MS + SLACK_MS, `stopped after ${ms} ms`)
    }
    assert.match(await failure(client.fcall('recurse', 1, 'f:a')), /^ERR user_function:4: stack overflow script: recurse, on @user_function:4\.$/)
    await client.config('SET', 'lua-time-limit', '10000')
    try {
      assert.match(await failure(client.fcall('grow', 1, 'f:a')), /^ERR Script aborted: it used more than the scripting memory limit \(64 MB\) and nothing it wrote was applied$/)
    } finally {
      await client.config('SET', 'lua-time-limit', String(BUDGET_MS))
    }
    assert.deepEqual(await client.mget('f:a', 'f:none'), ['before', 'before'])
    await client.function('DELETE', 'runaway')
  })

  it('a script that finishes within its budget keeps its writes', async () => {
    const script = "local n = 0 for i = 1, 100000 do n = n + i end redis.call('set', KEYS[1], n) return n"
    assert.equal(await client.eval(script, 1, 'sum'), 5000050000)
    assert.equal(await client.get('sum'), '5000050000')
  })
})
