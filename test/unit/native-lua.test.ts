// The native Lua host (native/src/lua/): one VM per LuaHost, per thread; Redis's SHA1 ids; the
// redis.call callback; a VM in a worker thread is independent of the main thread's.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { LUA_CALL, LUA_LOG, LUA_PCALL, LuaHost } from '../../lib/native'
import type { Reply } from '../../lib/core/reply'

const NATIVE_JS = path.join(__dirname, '..', '..', 'lib', 'native.js')
const MB = 1024 * 1024

function load(host: LuaHost, body: string): string {
  const sha = host.sha1hex(Buffer.from(body))
  assert.equal(host.load(sha, Buffer.from(body)), null)
  return sha
}

describe('native Lua host', () => {
  it('names scripts by their SHA1 in lower-case hex', () => {
    const host = new LuaHost(16 * MB)
    for (const text of ['', 'return 1', 'x'.repeat(10000)]) {
      assert.equal(host.sha1hex(Buffer.from(text)), createHash('sha1').update(text).digest('hex'))
    }
  })

  it('compiles, caches and flushes scripts; compile errors are Redis replies', () => {
    const host = new LuaHost(16 * MB)
    const sha = load(host, 'return 1')
    assert.ok(host.has(sha))
    assert.equal(host.load('x', Buffer.from("return 'a' ..")), "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'")
    host.flush()
    assert.equal(host.has(sha), false)
  })

  it('runs redis.call through the callback with the mode and the script protocol', () => {
    const host = new LuaHost(16 * MB)
    const sha = load(host, "local a = redis.call('get', KEYS[1]) local b = redis.pcall('x', 1.5) redis.setresp(3) local c = redis.call('y') return {a, b.err, c}")
    const calls: Array<[string[], number]> = []
    const reply = host.run(sha, [Buffer.from('k')], [], 1000, (argv, flags): Reply => {
      calls.push([argv.map(String), flags])
      if (argv[0].toString() === 'get') return Buffer.from('v')
      if (argv[0].toString() === 'x') return { t: 'error', v: 'ERR no' }
      return 5
    })
    assert.deepEqual(calls, [[['get', 'k'], LUA_CALL], [['x', '1.5'], LUA_PCALL], [['y'], LUA_CALL | 8]])
    assert.deepEqual(reply, [Buffer.from('v'), Buffer.from('ERR no'), 5])
    assert.equal(host.aborted, false)
  })

  it('hands the callback each argument exactly: empty ones, binary bytes, and arguments the command keeps', () => {
    const host = new LuaHost(16 * MB)
    const sha = load(host, "redis.call('set', KEYS[1], '') redis.call('set', ARGV[1], ARGV[2]) return redis.call('x')")
    const kept: Buffer[][] = []
    const binary = Buffer.from([0, 255, 13, 10, 0])
    const long = Buffer.alloc(100_000, 'z')
    const reply = host.run(sha, [Buffer.from('k')], [binary, long], 1000, (argv): Reply => {
      kept.push(argv)
      return argv.length
    })
    assert.equal(reply, 1)
    // Held after the calls returned, as staged writes hold their values.
    assert.deepEqual(kept, [[Buffer.from('set'), Buffer.from('k'), Buffer.alloc(0)], [Buffer.from('set'), binary, long], [Buffer.from('x')]])
    assert.ok(kept.flat().every((arg) => Buffer.isBuffer(arg)))
  })

  it("reports a run's CPU time on its thread, not the time it waited, and none for a script that did not run", () => {
    const host = new LuaHost(16 * MB)
    const spin = load(host, 'local n = 0 for i = 1, 3000000 do n = n + i end return n')
    host.run(spin, [], [], 5000, (): Reply => null)
    assert.ok(host.lastRunCpuMicros > 1000, `a loop of 3M steps spent ${host.lastRunCpuMicros} µs of CPU`)
    // A command that waits 20 ms off the CPU (here a futex): wall time, not CPU time.
    const waits = load(host, "return redis.call('wait')")
    const started = performance.now()
    host.run(waits, [], [], 5000, (): Reply => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
      return 1
    })
    assert.ok(performance.now() - started >= 20)
    assert.ok(host.lastRunCpuMicros < 10_000, `a run that waited 20 ms spent ${host.lastRunCpuMicros} µs of CPU`)
    host.run('0'.repeat(40), [], [], 5000, (): Reply => null)
    assert.equal(host.lastRunCpuMicros, 0)
    // Nor does a library's load leave its CPU time for the next run that does not run.
    host.loadLibrary(Buffer.from("local n = 0 for i = 1, 3000000 do n = n + i end redis.register_function('f', function() return n end)"), 'lib', (): Reply => null)
    host.run('0'.repeat(40), [], [], 5000, (): Reply => null)
    assert.equal(host.lastRunCpuMicros, 0)
  })

  it('a callback that throws aborts the script', () => {
    const host = new LuaHost(16 * MB)
    const sha = load(host, "redis.call('x') return 1")
    const reply = host.run(sha, [], [], 1000, () => {
      throw new Error('bug')
    })
    assert.equal(host.aborted, true)
    assert.equal((reply as { t: string }).t, 'error')
  })

  it('loads function libraries, runs their functions and forgets them', () => {
    const host = new LuaHost(16 * MB)
    const body = Buffer.from("\nredis.log(redis.LOG_NOTICE, 'loading')\nredis.register_function{function_name='f', callback=function(k, a) return {k[1], a[1]} end, flags={'no-writes'}, description='d'}")
    const logged: string[][] = []
    const functions = host.loadLibrary(body, 'lib', (argv, flags) => {
      assert.equal(flags & 7, LUA_LOG)
      logged.push(argv.map(String))
      return null
    })
    assert.deepEqual(functions, [{ name: 'f', description: Buffer.from('d'), flags: ['no-writes'] }])
    assert.deepEqual(logged, [['2', 'loading']])
    assert.deepEqual(host.runFunction('lib', 'f', [Buffer.from('k')], [Buffer.from('a')], 1000, () => null), [Buffer.from('k'), Buffer.from('a')])
    assert.equal(host.aborted, false)
    // A check keeps nothing; errors are Redis's replies.
    assert.deepEqual(host.loadLibrary(Buffer.from("\nredis.register_function('g', function() end)"), null, () => null), [{ name: 'g', description: null, flags: [] }])
    assert.deepEqual(host.runFunction('lib', 'g', [], [], 1000, () => null), { t: 'error', v: 'ERR Function not found' })
    assert.equal(host.loadLibrary(Buffer.from('\nreturn +'), null, () => null), "ERR Error compiling function: user_function:2: unexpected symbol near '+'")
    host.removeLibrary('lib')
    assert.deepEqual(host.runFunction('lib', 'f', [], [], 1000, () => null), { t: 'error', v: 'ERR Function not found' })
  })

  it('works in worker threads, each with its own VM', async () => {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads')
      const { LuaHost } = require(workerData.nativeJs)
      const host = new LuaHost(16 * 1024 * 1024)
      const body = Buffer.from('return {KEYS[1], ARGV[1]}')
      const sha = host.sha1hex(body)
      host.load(sha, body)
      const reply = host.run(sha, [Buffer.from('k')], [Buffer.from('a')], 1000, () => null)
      parentPort.postMessage({ reply: reply.map(String), has: host.has(sha) })
    `
    const run = (): Promise<unknown> => new Promise((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: { nativeJs: NATIVE_JS } })
      worker.once('message', (message) => {
        resolve(message)
        void worker.terminate()
      })
      worker.once('error', reject)
    })
    const main = new LuaHost(16 * MB)
    const results = await Promise.all([run(), run()])
    for (const result of results) assert.deepEqual(result, { reply: ['k', 'a'], has: true })
    assert.equal(main.has(main.sha1hex(Buffer.from('return {KEYS[1], ARGV[1]}'))), false)
  })
})
