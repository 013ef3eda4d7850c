// FUNCTION, FCALL and FCALL_RO against redis-server 7.0 and marekvs: the same libraries, the
// same replies, error texts included, in RESP2 and RESP3. redis-server lists libraries and
// their functions in its hash tables' (random) order; FUNCTION LIST replies are compared with
// both sorted by name. DUMP payloads differ (redis-server compresses long codes), so each
// server's round trip is checked on its own, and then across the two.
import assert from 'node:assert/strict'
import { crc64, encodeFunctionPayload } from '../../lib/commands/function-payload'
import { Decoded, RawClient } from '../support/resp'
import { diffSuite, runSteps, serverPair, Step } from '../support/diff'

const lib = (name: string, ...lines: string[]): string => [`#!lua name=${name}`, ...lines].join('\n')
const load = (code: string, ...options: string[]): Step => ['FUNCTION', 'LOAD', ...options, code]
/** A case starts from no libraries: FLUSHALL keeps them, as in Redis. */
const fresh = (steps: Step[]): Step[] => [['FUNCTION', 'FLUSH'], ...steps]

function field(entry: Decoded, name: string): Decoded | undefined {
  if (!('value' in entry) || !Array.isArray(entry.value)) return undefined
  for (let i = 0; i + 1 < entry.value.length; i += 2) if ((entry.value[i] as { value?: unknown }).value === name) return entry.value[i + 1]
  return undefined
}

function sortedBy(items: Decoded[], key: (item: Decoded) => string): Decoded[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/** FUNCTION LIST with its libraries, and each library's functions, by name. */
function listByName(reply: Decoded, step: Step): Decoded {
  if (String(step[0]).toUpperCase() !== 'FUNCTION' || String(step[1]).toUpperCase() !== 'LIST' || reply.type !== 'array') return reply
  const name = (entry: Decoded, key: string): string => String((field(entry, key) as { value?: unknown } | undefined)?.value)
  const libraries = reply.value.map((library) => {
    if (!('value' in library) || !Array.isArray(library.value)) return library
    const entries = library.value
    const value = entries.map((item, i) => (i > 0 && (entries[i - 1] as { value?: unknown }).value === 'functions' && item.type === 'array'
      ? { ...item, value: sortedBy(item.value, (fn) => name(fn, 'name')) }
      : item))
    return { ...library, value } as Decoded
  })
  return { ...reply, value: sortedBy(libraries, (library) => name(library, 'library_name')) }
}

/** A payload as FUNCTION DUMP makes it, from raw records (for the malformed ones). */
function payloadOf(records: number[]): Buffer {
  const body = Buffer.from([...records, 10, 0])
  return Buffer.concat([body, crc64(body)])
}

const MYLIB = lib('mylib',
  "redis.register_function('setter', function(keys, args) return redis.call('set', keys[1], args[1]) end)",
  "redis.register_function{function_name='getter', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}",
  "redis.register_function{function_name='Shapes', callback=function(keys, args) return {1, 'two', {3}, {ok='fine'}, true, false} end, flags={'allow-oom', 'NO-CLUSTER', 'allow-stale', 'allow-cross-slot-keys'}}",
)

const REGISTER_ERRORS = [
  'redis.register_function()', "redis.register_function('a')", "redis.register_function('x', 1)", "redis.register_function('x', function() end, 3)",
  'redis.register_function{}', "redis.register_function{function_name='x'}", 'redis.register_function{callback=function() end}',
  "redis.register_function{function_name='x', callback=function() end, flags={'bad'}}",
  "redis.register_function{function_name='x', callback=function() end, flags='no-writes'}",
  "redis.register_function{function_name='x', callback=function() end, bogus=1}",
  "redis.register_function{function_name={}, callback=function() end}", "redis.register_function{function_name='x', callback=1}",
  "redis.register_function{function_name='x', callback=function() end, description={}}",
  "redis.register_function{function_name='x', callback=function() end, [1]=2}",
  "redis.register_function{function_name='x', callback=function() end, flags={1}}", "redis.register_function{function_name='x', callback=function() end, flags={{}}}",
  "redis.register_function('a-b', function() end)", "redis.register_function('', function() end)",
  "redis.register_function('a', function() end)\nredis.register_function('a', function() end)",
]

diffSuite('functions', (diff) => {
  for (const proto of [2, 3] as const) {
    diff(`load, call and list (RESP${proto})`, fresh([
      load(MYLIB), ['FCALL', 'setter', '1', 'k', 'v'], ['FCALL', 'getter', '1', 'k'], ['FCALL_RO', 'getter', '1', 'k'], ['FCALL', 'GETTER', '1', 'k'],
      ['FCALL', 'shapes', '0'], ['FCALL_RO', 'setter', '1', 'k', 'v'], ['FCALL_RO', 'Shapes', '0'],
      load(lib('other', "redis.register_function('other_fn', function(keys, args) return #keys + #args end)")), ['FCALL', 'other_fn', '2', 'a', 'b', 'c'],
      ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'MY*'], ['FUNCTION', 'LIST', 'withcode', 'libraryname', '*th?r'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nothing*'], ['FUNCTION', 'STATS'],
    ]), { proto, normalize: listByName })
  }

  diff('LOAD: the #! line and library names', fresh([
    load('return 1'), load(''), load('#!lua'), load('#!lua name=x'), load('#!lua foo=bar\nreturn 1'), load('#!lua name=a name=b\nreturn 1'),
    load('#!lua name=a NAME=b\nreturn 1'), load('#!python name=a\nreturn 1'), load('#!lua name=a-b\nreturn 1'), load('#!lua name=\nreturn 1'),
    load('#! name=a\nreturn 1'), load('#!\nreturn 1'), load('#!lua name="q3"x\nreturn 1'), load('#!lua "name=unclosed\nreturn 1'),
    load('#!lua name=ab\nreturn 1'), ['FUNCTION', 'LOAD', 'bogus', '#!lua name=ab\nreturn 1'], ['FUNCTION', 'LOAD', 'REPLACE', 'REPLACE', '#!lua name=ab\nreturn 1'],
    load(lib('LUA_upper', "redis.register_function('up', function() return 1 end)").replace('lua', 'LUA')),
    load("#!lua   name=spaced \r\nredis.register_function('spaced', function() return 2 end)"),
    load("#!lua \"name=quoted\"\nredis.register_function('quoted', function() return 3 end)"),
    ['FCALL', 'up', '0'], ['FCALL', 'spaced', '0'], ['FCALL', 'quoted', '0'], ['FUNCTION', 'LIST', 'WITHCODE'],
  ]), { normalize: listByName })

  diff('LOAD: errors in the body, and what it may use while it loads', fresh([
    load(lib('b', 'return 1 +')), load(lib('b', "redis.call('ping')")), load(lib('b', "local s = string.format('x')")), load(lib('b', 'x = 1')),
    load(lib('b', 'return redis.call')), load(lib('b', 'return redis.x')), load(lib('b', 'local r = redis; r.x = 1')), load(lib('b', 'return _G')),
    load(lib('b', 'return KEYS')), load(lib('b', "error('no error function')")), load(lib('b', 'local t = nil; t.x = 1')),
    load(lib('b', "redis.register_function('early', function() return 1 end)", "error('late')")), ['FCALL', 'early', '0'],
    load(lib('b', 'while true do end')),
    load(lib('b', 'local v = redis.REDIS_VERSION', "redis.log(redis.LOG_WARNING, 'loading')",
      "redis.register_function('consts', function() return {v, redis.REDIS_VERSION_NUM, redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING} end)")),
    ['FCALL', 'consts', '0'],
    ...REGISTER_ERRORS.map((body) => load(lib('r', body))),
    load(lib('n', "redis.register_function(12, function() return 'numeric name' end)")), ['FCALL', '12', '0'],
    load(lib('e', '-- nothing registered')),
  ]))

  diff('LOAD REPLACE, and collisions of libraries and functions', fresh([
    load(lib('one', "redis.register_function('f', function() return 1 end)")),
    load(lib('one', "redis.register_function('g', function() return 2 end)")),
    load(lib('two', "redis.register_function('F', function() return 2 end)")),
    load(lib('ONE', "redis.register_function('h', function() return 3 end)")), ['FCALL', 'h', '0'],
    load(lib('one', "redis.register_function('f', function() return 'new f' end)", "redis.register_function('g', function() return 'g' end)"), 'REPLACE'),
    ['FCALL', 'f', '0'], ['FCALL', 'g', '0'],
    load(lib('one', "redis.register_function('h', function() return 1 end)"), 'replace'), ['FCALL', 'f', '0'],
    load(lib('one', "redis.register_function('broken', function() return 1 end)", 'x ='), 'REPLACE'), ['FCALL', 'h', '0'],
    ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'],
  ]), { normalize: listByName })

  diff('FCALL and FCALL_RO: arguments, flags and errors', fresh([
    load(lib('t',
      "redis.register_function('unknown_cmd', function(k, a) return redis.call('nosuch') end)",
      "redis.register_function('no_keys_global', function(k, a) return KEYS end)",
      "redis.register_function('wrongtype', function(k, a) redis.call('set', k[1], 'x') return redis.call('incr', k[1]) end)",
      "redis.register_function('resp3', function(k, a) redis.setresp(3) return redis.call('hgetall', k[1]) end)",
      "redis.register_function('global_write', function(k, a) x = 5 end)",
      "redis.register_function('no_register', function(k, a) return redis.register_function('z', function() end) end)",
      "redis.register_function('libs', function(k, a) return {string.format('%d', 5), redis.sha1hex(''), type(math), #k, #a} end)",
      "redis.register_function{function_name='ro_writes', callback=function(k, a) return redis.call('set', k[1], 'v') end, flags={'no-writes'}}",
      "redis.register_function('pcall_set', function(k, a) return redis.pcall('set', k[1], 'v') end)",
      'local saved = redis.register_function',
      "redis.register_function('saved', function(k, a) return saved('zz', function() end) end)",
      "redis.register_function('nested', function(k, a) return redis.call('fcall', 'libs', 0) end)",
      "redis.register_function('errs', function(k, a) return redis.error_reply('MY own') end)",
    )),
    ['HSET', 'h', 'a', '1'], ['FCALL', 'unknown_cmd', '0'], ['FCALL', 'no_keys_global', '0'], ['FCALL', 'wrongtype', '1', 'w'], ['FCALL', 'resp3', '1', 'h'],
    ['FCALL', 'global_write', '0'], ['FCALL', 'no_register', '0'], ['FCALL', 'libs', '2', 'a', 'b', 'c'], ['FCALL', 'ro_writes', '1', 'k'],
    ['FCALL_RO', 'ro_writes', '1', 'k'], ['FCALL_RO', 'pcall_set', '1', 'k'], ['FCALL', 'pcall_set', '1', 'k'], ['FCALL', 'saved', '0'],
    ['FCALL', 'nested', '0'], ['FCALL', 'errs', '0'], ['GET', 'k'],
    ['FCALL', 'nosuch', '0'], ['FCALL', 'nosuch', 'x'], ['FCALL', 'libs', 'x'], ['FCALL', 'libs', '-1'], ['FCALL', 'libs', '1.5', 'k'], ['FCALL', 'libs', ' 1', 'k'],
    ['FCALL', 'libs', '3', 'a'], ['FCALL'], ['FCALL', 'libs'], ['FCALL_RO', 'libs'],
    ['EVAL', "return redis.call('fcall', 'libs', 0)", '0'], ['EVAL', "return redis.call('function', 'list')", '0'],
    ['EVAL', "return redis.pcall('fcall_ro', 'libs', 0)", '0'],
  ]))

  diff('FCALL writes on one shard, across shards and with numkeys 0', fresh([
    load(lib('w',
      "redis.register_function('incr_all', function(keys, args) local out = {} for i, k in ipairs(keys) do out[i] = redis.call('incrby', k, args[1]) end return out end)",
      "redis.register_function('fill', function(keys, args) for i = 1, 20 do redis.call('set', 'key:' .. i, i) end return redis.call('mget', 'key:1', 'key:7', 'key:20') end)",
      "redis.register_function('push', function(keys, args) return redis.call('rpush', keys[1], unpack(args)) end)",
      "redis.register_function('half', function(keys, args) redis.call('set', keys[1], 'kept') return redis.call('incr', keys[1]) end)",
    )),
    ['FCALL', 'incr_all', '1', 'a', '5'], ['FCALL', 'incr_all', '3', 'a', 'b', 'c', '2'], ['FCALL', 'incr_all', '2', '{t}x', '{t}y', '1'],
    ['FCALL', 'fill', '0'], ['FCALL', 'push', '1', 'list', 'x', 'y', 'z'], ['FCALL', 'half', '1', 'half'],
    ['MGET', 'a', 'b', 'c', '{t}x', 'key:13', 'half'], ['LRANGE', 'list', '0', '-1'],
    ['MULTI'], ['FCALL', 'incr_all', '1', 'm', '1'], ['FCALL', 'nosuch', '0'], ['FCALL_RO', 'push', '1', 'm'], ['EXEC'], ['GET', 'm'],
  ]))

  diff('DELETE, FLUSH, KILL, STATS, HELP and wrong arities', fresh([
    ['FUNCTION', 'STATS'], load(lib('d', "redis.register_function('d1', function() return 1 end)", "redis.register_function('d2', function() return 2 end)")),
    ['FUNCTION', 'STATS'], ['FUNCTION', 'DELETE', 'D'], ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE', 'd'], ['FCALL', 'd1', '0'], ['FUNCTION', 'DELETE', 'd'],
    load(lib('d', "redis.register_function('d1', function() return 1 end)")), ['FUNCTION', 'FLUSH', 'bogus'], ['FUNCTION', 'FLUSH', 'sync', 'x'],
    ['FUNCTION', 'FLUSH', 'ASYNC'], ['FCALL', 'd1', '0'], ['FUNCTION', 'FLUSH', 'sync'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'STATS'],
    ['FUNCTION', 'KILL'], ['FUNCTION', 'HELP'], ['FUNCTION', 'LIST', 'bogus'], ['FUNCTION', 'LIST', 'libraryname'], ['FUNCTION', 'LIST', 'withcode', 'withcode'],
    ['FUNCTION', 'LIST', 'libraryname', 'a', 'libraryname', 'b'], ['FUNCTION', 'DELETE'], ['FUNCTION', 'DELETE', 'a', 'b'], ['FUNCTION', 'LOAD'], ['FUNCTION', 'LOAD', 'REPLACE'],
    ['FUNCTION', 'DUMP', 'x'], ['FUNCTION', 'STATS', 'x'], ['FUNCTION', 'KILL', 'x'], ['FUNCTION', 'HELP', 'x'], ['FUNCTION', 'RESTORE'], ['FUNCTION', 'NOSUCH'], ['FUNCTION'],
  ]))

  const A = lib('pa', "redis.register_function('pa_fn', function() return 'a' end)")
  const B = lib('pb', "redis.register_function{function_name='pb_fn', callback=function() return 'b' end, flags={'no-writes'}}")
  // (Short strings only: one length byte.)
  const preGa = (name: string, code: string): number[] => [246, name.length, ...Buffer.from(name), 3, ...Buffer.from('LUA'), 0, code.length, ...Buffer.from(code)]
  diff('RESTORE of the same payloads: policies, collisions and malformed payloads', fresh([
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(A), Buffer.from(B)])], ['FCALL', 'pa_fn', '0'], ['FCALL_RO', 'pb_fn', '0'],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(A)])], ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(A)]), 'APPEND'],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(lib('pa', "redis.register_function('pa_new', function() return 'new' end)"))]), 'REPLACE'],
    ['FCALL', 'pa_fn', '0'], ['FCALL', 'pa_new', '0'],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(lib('pc', "redis.register_function('PB_FN', function() end)"))]), 'REPLACE'],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(lib('pc', "redis.register_function('pc_fn', function() return 'c' end)"))]), 'FLUSH'],
    ['FCALL', 'pa_new', '0'], ['FCALL', 'pc_fn', '0'], ['FUNCTION', 'LIST'],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([])], ['FUNCTION', 'RESTORE', encodeFunctionPayload([]), 'FLUSH'], ['FUNCTION', 'LIST'],
    ['FUNCTION', 'RESTORE', payloadOf(preGa('old', "redis.register_function('old_fn', function() return 1 end)"))], ['FCALL', 'old_fn', '0'],
    ['FUNCTION', 'LIST', 'WITHCODE'],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(A), Buffer.from(A)])],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(A), Buffer.from(lib('px', "redis.register_function('PA_FN', function() end)"))])],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from('return 1')])], ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(lib('bad', 'return +'))])],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(lib('none', ''))])],
    ['FUNCTION', 'RESTORE', 'short'], ['FUNCTION', 'RESTORE', Buffer.concat([encodeFunctionPayload([Buffer.from(A)]).subarray(0, -1), Buffer.from([0])])],
    ['FUNCTION', 'RESTORE', (() => { const b = Buffer.from([11, 0]); return Buffer.concat([b, crc64(b)]) })()],
    ['FUNCTION', 'RESTORE', payloadOf([0, 1, 97])], ['FUNCTION', 'RESTORE', payloadOf([245, 60, 97])], ['FUNCTION', 'RESTORE', payloadOf([245, 0x82, 97])],
    ['FUNCTION', 'RESTORE', payloadOf([245, 0xc0, 5])], ['FUNCTION', 'RESTORE', payloadOf([245, 0xc5, 5])], ['FUNCTION', 'RESTORE', payloadOf([245, 0xc3, 3, 10, 1, 2, 3])],
    ['FUNCTION', 'RESTORE', payloadOf([246, 3, 97, 98, 99])], ['FUNCTION', 'RESTORE', payloadOf([246, 1, 97, 3, 76, 85, 65, 1, 60])],
    ['FUNCTION', 'RESTORE', encodeFunctionPayload([Buffer.from(A)]), 'bogus'], ['FUNCTION', 'RESTORE', 'x', 'FLUSH', 'extra'], ['FUNCTION', 'LIST'],
  ]), { normalize: listByName })
})

describe('functions against redis-server: DUMP and RESTORE round trips, COMMAND INFO', function () {
  this.timeout(60000)
  const servers = serverPair()
  const LONG = lib('long', `redis.register_function('long_fn', function() return '${'compressible '.repeat(40)}' end)`)
  const SHORT = lib('short', "redis.register_function{function_name='short_fn', callback=function(k, a) return #k end, description='short', flags={'no-writes'}}")

  async function dumpOf(port: number): Promise<Buffer> {
    const client = await RawClient.connect(port)
    try {
      const reply = await client.call('FUNCTION', 'DUMP')
      assert.equal(reply.type, 'bulk')
      return Buffer.from((reply as { value: string }).value, 'latin1')
    } finally {
      client.close()
    }
  }

  it('each server restores its own dump: the same libraries, functions and replies', async () => {
    const seen: unknown[] = []
    for (const server of [servers.redis, servers.marekvs]) {
      await runSteps(server.port, fresh([load(LONG), load(SHORT)]))
      const before = await runSteps(server.port, [['FUNCTION', 'LIST', 'WITHCODE']])
      const payload = await dumpOf(server.port)
      const steps: Step[] = [
        ['FUNCTION', 'FLUSH'], ['FUNCTION', 'RESTORE', payload], ['FUNCTION', 'LIST', 'WITHCODE'], ['FCALL', 'long_fn', '0'], ['FCALL_RO', 'short_fn', '1', 'k'],
        // (One library left to collide with: redis-server dumps libraries in random order, and names the first.)
        ['FUNCTION', 'DELETE', 'long'], ['FUNCTION', 'RESTORE', payload], ['FUNCTION', 'RESTORE', payload, 'REPLACE'], ['FUNCTION', 'RESTORE', payload, 'FLUSH'],
        ['FUNCTION', 'STATS'],
        ['FUNCTION', 'RESTORE', Buffer.concat([payload.subarray(0, 5), Buffer.from([payload[5] ^ 1]), payload.subarray(6)])],
      ]
      const after = await runSteps(server.port, steps)
      assert.deepEqual(listByName(after[2]!, steps[2]), listByName(before[0]!, steps[2]))
      seen.push(after.map((reply, i) => listByName(reply!, steps[i])))
    }
    assert.deepEqual(seen[1], seen[0])
  })

  it('COMMAND INFO and DOCS describe FCALL, FCALL_RO and FUNCTION as Redis 7.0 does', async () => {
    type Entry = { value: Decoded[] }
    // Name, arity, flags, key positions and ACL categories, of subcommands too (key specs and tips are simplified in marekvs).
    const head = (entry: Entry): unknown[] => entry.value.slice(0, 7)
    const heads = (reply: Decoded): unknown[] => (reply as { value: Entry[] }).value.map((entry) =>
      [head(entry), ...sortedBy((entry.value[9] as { value: Decoded[] }).value, (sub) => String(((sub as Entry).value[0] as { value: string }).value)).map((sub) => head(sub as Entry))])
    const summaries = (reply: Decoded): unknown[] => (reply as { value: Decoded[] }).value.map((item) => ('value' in item && Array.isArray(item.value) ? item.value.slice(0, 6) : item))
    for (const name of ['fcall', 'fcall_ro', 'function']) {
      const [infoR, docsR] = await runSteps(servers.redis.port, [['COMMAND', 'INFO', name], ['COMMAND', 'DOCS', name]])
      const [infoM, docsM] = await runSteps(servers.marekvs.port, [['COMMAND', 'INFO', name], ['COMMAND', 'DOCS', name]])
      assert.deepEqual(heads(infoM!), heads(infoR!), name)
      assert.deepEqual(summaries(docsM!), summaries(docsR!), name)
    }
  })

  it('a payload moves between redis-server and marekvs both ways', async () => {
    const { redis, marekvs } = servers
    for (const [from, to] of [[redis, marekvs], [marekvs, redis]]) {
      await runSteps(from.port, fresh([load(LONG), load(SHORT)]))
      await runSteps(to.port, [['FUNCTION', 'FLUSH']])
      const replies = await runSteps(to.port, [['FUNCTION', 'RESTORE', await dumpOf(from.port)], ['FCALL', 'long_fn', '0'], ['FCALL', 'short_fn', '2', 'a', 'b']])
      assert.deepEqual(replies, [
        { type: 'status', value: 'OK' }, { type: 'bulk', value: 'compressible '.repeat(40) }, { type: 'int', value: 2n },
      ])
    }
  })
})
