// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against redis-server 7.0 and marekvs: the same
// scripts, the same replies, byte for byte (error texts included: they carry the script's sha).
import { Diff, diffSuite, Step } from '../support/diff'

const evalStep = (script: string, numkeys: number | string, ...rest: string[]): Step => ['EVAL', script, String(numkeys), ...rest]
const sha = (text: string): string => require('node:crypto').createHash('sha1').update(text).digest('hex')

// Every Lua value a script can return, and every reply a command can give a script.
const RETURNS = [
  'return 1', 'return -1', 'return 3.99', 'return -3.99', 'return 0', 'return 1e20', 'return -1e20', 'return 0/0', 'return 1/0',
  "return 'str'", "return ''", 'return true', 'return false', 'return nil', 'return {}',
  "return {1, 'two', 3.5, true, false, nil, 'after nil'}", 'return {1, {2, {3, {4}}}}',
  "return {ok='fine'}", "return {ok='with\\r\\nnewline'}", "return {err='MY error'}", "return {err='noSpace'}", "return {err=''}",
  "return {ok=5}", "return {err=5}", "return {1, {err='inner'}, {ok='inner ok'}}", "return {err='x', 1, 2}",
  "return {double=3.5}", "return {double='x'}", "return {map={a=1}}", "return {set={a=true}}", "return {big_number='123'}",
  "return {verbatim_string={format='txt', string='hello'}}",
  "return redis.error_reply('MY x')", "return redis.error_reply('x')", "return redis.error_reply('-ERR dash')", "return redis.error_reply('')",
  "return redis.status_reply('FINE')", "return redis.status_reply(5)", 'return redis.status_reply()', 'return redis.error_reply({})',
  "local t = {} t[1] = 'a' t[3] = 'c' return t", "return {a=1, b=2}", 'return function() end', 'return redis',
]

// Replies of every type, read back by a script with type() and shape.
const INSPECT = `local function show(v, depth)
  local t = type(v)
  if t ~= 'table' then return t .. ':' .. tostring(v) end
  if depth > 3 then return 'deep' end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local key = tonumber(k) or k
    parts[#parts + 1] = k .. '=' .. show(v[key], depth + 1)
  end
  return '{' .. table.concat(parts, ',') .. '}'
end`

const COMMAND_REPLIES: Array<[string, ...string[]]> = [
  ['set', 's', 'v'], ['get', 's'], ['get', 'missing'], ['incr', 'n'], ['del', 'missing'], ['hset', 'h', 'a', '1', 'b', '2'], ['hgetall', 'h'],
  ['lpush', 'l', 'x', 'y'], ['lrange', 'l', '0', '-1'], ['sadd', 'st', 'm'], ['smembers', 'st'], ['zadd', 'z', '1.5', 'm'],
  ['zrange', 'z', '0', '-1', 'WITHSCORES'], ['zscore', 'z', 'm'], ['zscore', 'z', 'nope'], ['incrbyfloat', 'f', '1.5'],
  ['blmpop', '0', '1', 'nolist', 'LEFT'], ['lpop', 'nolist'], ['lpop', 'nolist', '2'], ['type', 'h'], ['exists', 'h', 'missing'],
  ['hrandfield', 'missing', '2', 'WITHVALUES'], ['xadd', 'x', '1-1', 'f', 'v'], ['xrange', 'x', '-', '+'], ['ping'], ['echo', 'e'],
]

export const scriptingSuite = (diff: Diff): void => {
  // A call's arguments reach JS as views of one packed Buffer (lib/native.ts): the values SET
  // keeps must not change under the calls after it, whatever their size.
  const setThenGet = "for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i]) end local out = {} for i = 1, #KEYS do out[i] = redis.call('GET', KEYS[i]) end return out"
  diff('values set by a script survive its later calls', [
    evalStep(setThenGet, 3, 'a', 'b', 'c', 'first', 'second value', 'third'),
    evalStep(setThenGet, 3, 'a', 'b', 'c', 'x'.repeat(3000), 'y'.repeat(2500), 'z'.repeat(9000)),
    ['MGET', 'a', 'b', 'c'],
  ])
  diff('return values in RESP2', RETURNS.map((script) => evalStep(script, 0)))
  diff('return values in RESP3', RETURNS.map((script) => evalStep(script, 0)), { proto: 3 })
  diff('return values of a RESP3 script (redis.setresp(3)) in RESP2', RETURNS.map((script) => evalStep(`redis.setresp(3) ${script}`, 0)))
  diff('return values of a RESP3 script (redis.setresp(3)) in RESP3', RETURNS.map((script) => evalStep(`redis.setresp(3) ${script}`, 0)), { proto: 3 })

  diff('command replies as Lua values (RESP2)', COMMAND_REPLIES.map((command) =>
    evalStep(`${INSPECT} return show(redis.call(unpack(ARGV)), 0)`, 0, ...command)))
  diff('command replies as Lua values (RESP3 script)', COMMAND_REPLIES.map((command) =>
    evalStep(`${INSPECT} redis.setresp(3) return show(redis.call(unpack(ARGV)), 0)`, 0, ...command)))
  diff('command replies returned as they are', COMMAND_REPLIES.map((command) => evalStep('return redis.call(unpack(ARGV))', 0, ...command)))
  diff('command replies returned as they are, RESP3 script, RESP3 client', COMMAND_REPLIES.map((command) =>
    evalStep('redis.setresp(3) return redis.call(unpack(ARGV))', 0, ...command)), { proto: 3 })

  diff('KEYS and ARGV', [
    evalStep('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}', 2, 'k1', 'k2', 'a1', 'a2'),
    evalStep('return {#KEYS, #ARGV}', 0),
    evalStep("KEYS[1] = 'changed' return KEYS[1]", 1, 'k'),
    evalStep('return 1', -1), evalStep('return 1', 2, 'k'), evalStep('return 1', 'x'), evalStep('return 1', '1.5', 'k'),
    ['EVAL', 'return 1'], ['EVALSHA', 'x'],
  ])

  diff('writes and reads through redis.call, on one shard and across shards', [
    evalStep("redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", 1, 'k', 'v'),
    evalStep("redis.call('incrby', KEYS[1], 5) redis.call('incrby', KEYS[2], 7) return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2])}", 2, 'a', 'b'),
    evalStep("for i = 1, 20 do redis.call('set', 'key:' .. i, i) end return redis.call('mget', 'key:1', 'key:7', 'key:20')", 0),
    evalStep("return redis.call('rpush', '{t}list', unpack(ARGV))", 1, '{t}list', 'a', 'b', 'c'),
    ['GET', 'k'], ['MGET', 'a', 'b', 'key:13'], ['LRANGE', '{t}list', '0', '-1'],
    evalStep("redis.call('set', KEYS[1], 'before') return redis.call('incr', KEYS[1])", 1, 'werr'),
    ['GET', 'werr'],
  ])

  diff('numbers passed to redis.call', [
    evalStep("return redis.call('set', 'n', 1.5)", 0), ['GET', 'n'],
    evalStep("redis.call('set', 'n', 0.1) return redis.call('get', 'n')", 0),
    evalStep("redis.call('set', 'n', 1e20) return redis.call('get', 'n')", 0),
    evalStep("redis.call('set', 'n', -0) return redis.call('get', 'n')", 0),
    evalStep("redis.call('set', 'n', 1e-20) return redis.call('get', 'n')", 0),
    evalStep("redis.call('set', 'n', 0/0) local a = redis.call('get', 'n') redis.call('set', 'n', 1/0) return {a, redis.call('get', 'n')}", 0),
    evalStep("return {redis.pcall('ping')}", 0),
    evalStep("redis.call('set', 'n', 123456789012345678) return redis.call('get', 'n')", 0),
    evalStep("return redis.call('set', 'n', {})", 0), evalStep("return redis.call('set', 'n', nil)", 0), evalStep("return redis.call('set', 'n', true)", 0),
    evalStep("return redis.pcall('set', 'n', {})", 0),
  ])

  diff('call raises, pcall returns the error', [
    evalStep("return redis.call('nosuch')", 0), evalStep("return redis.pcall('nosuch')", 0),
    evalStep('return redis.call()', 0), evalStep('return redis.pcall()', 0),
    evalStep("return redis.call('get')", 0), evalStep("return redis.pcall('get')", 0),
    evalStep("redis.call('set', 's', 'x') return redis.call('incr', 's')", 0), evalStep("return redis.pcall('incr', 's')", 0),
    evalStep("return redis.call('hget', 's', 'f')", 0), evalStep("return redis.pcall('hget', 's', 'f')", 0),
    evalStep("local r = redis.pcall('incr', 's') return {type(r), r.err}", 0),
    evalStep("local ok, e = pcall(redis.call, 'incr', 's') return {tostring(ok), e}", 0),
    evalStep("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}", 0),
    evalStep("local ok, e = pcall(error, {err='MY table'}) return {tostring(ok), e}", 0),
    evalStep("local ok, e = pcall(error, 'plain') return {tostring(ok), e}", 0),
    evalStep("local ok, e = pcall(error) return {tostring(ok), tostring(e)}", 0),
    evalStep("local r = redis.call('incr', 's')\nreturn r", 0),
    evalStep("\n\nredis.call('incr', 's')", 0),
  ])

  diff('commands scripts may not call', [
    evalStep("return redis.call('multi')", 0), evalStep("return redis.call('exec')", 0), evalStep("return redis.call('watch', 'x')", 0),
    evalStep("return redis.call('subscribe', 'c')", 0), evalStep("return redis.call('blpop', 'x', 0)", 0),
    evalStep("return redis.call('brpoplpush', 'x', 'y', 0)", 0), evalStep("return redis.call('bzpopmin', 'z', 0)", 0),
    evalStep("return redis.call('eval', 'return 1', 0)", 0), evalStep("return redis.call('evalsha', 'x', 0)", 0),
    evalStep("return redis.call('script', 'load', 'return 1')", 0), evalStep("return redis.call('client', 'list')", 0),
    evalStep("return redis.call('xread', 'block', '0', 'streams', 's', '$')", 0),
    evalStep("return redis.pcall('multi')", 0),
  ])

  diff('EVAL_RO and EVALSHA_RO refuse writes', [
    ['EVAL_RO', "return redis.call('set', 'a', 'b')", '1', 'a'], ['EVAL_RO', "return redis.pcall('set', 'a', 'b')", '1', 'a'],
    ['SET', 'a', 'v'], ['EVAL_RO', "return redis.call('get', 'a')", '1', 'a'],
    ['SCRIPT', 'LOAD', "return redis.call('del', KEYS[1])"], ['EVALSHA_RO', sha("return redis.call('del', KEYS[1])"), '1', 'a'], ['GET', 'a'],
    ['EVAL', "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')", '0'],
    ['EVAL', '#!lua\nreturn 1', '0'], ['EVAL', '#!lua\nreturn x', '0'], ['EVAL', '#!python\nreturn 1', '0'],
    ['EVAL', '#!lua flags=bogus\nreturn 1', '0'], ['EVAL', '#!lua name=x\nreturn 1', '0'],
  ])

  diff('EVALSHA, SCRIPT LOAD, EXISTS, FLUSH, NOSCRIPT', [
    ['EVALSHA', sha('return 7'), '0'], ['SCRIPT', 'EXISTS', sha('return 7')], ['SCRIPT', 'LOAD', 'return 7'],
    ['SCRIPT', 'EXISTS', sha('return 7'), sha('return 8'), 'short'], ['EVALSHA', sha('return 7'), '0'], ['EVALSHA', sha('return 7').toUpperCase(), '0'],
    ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ['EVALSHA', 'fff', '0'],
    ['EVAL', 'return 8', '0'], ['SCRIPT', 'EXISTS', sha('return 8')], ['EVALSHA', sha('return 8'), '1', 'k'],
    ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', sha('return 7'), sha('return 8')], ['EVALSHA', sha('return 7'), '0'], ['EVALSHA', sha('return 8'), '0'],
    ['SCRIPT', 'FLUSH', 'ASYNC'], ['SCRIPT', 'FLUSH', 'SYNC'], ['SCRIPT', 'FLUSH', 'bogus'], ['SCRIPT', 'KILL'],
    ['SCRIPT', 'LOAD', "return 'x' .. "], ['EVAL', "return 'x' .. ", '0'], ['SCRIPT', 'EXISTS', sha("return 'x' .. ")],
    ['SCRIPT', 'LOAD'], ['SCRIPT', 'EXISTS'], ['SCRIPT', 'NOSUCH'], ['SCRIPT', 'HELP'],
  ])

  diff('EVALSHA on every shard after one EVAL', [
    ['EVAL', "return redis.call('incr', KEYS[1])", '1', 'x1'],
    ...['x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'].map((key): Step => ['EVALSHA', sha("return redis.call('incr', KEYS[1])"), '1', key]),
  ])

  diff('sandbox: globals, libraries and escapes fail as in Redis', [
    evalStep('x = 5', 0), evalStep('function f() end', 0), evalStep('return y', 0), evalStep("rawset(_G, 'z', 1)", 0),
    evalStep('setmetatable(_G, nil)', 0), evalStep('redis.x = 1', 0), evalStep('string.x = 1', 0), evalStep('math.floor = nil', 0),
    evalStep("getmetatable('').__index = 1", 0), evalStep('KEYS = 1', 0), evalStep('_G.ARGV = 1', 0),
    ...['os', 'io', 'print', 'dofile', 'loadfile', 'setfenv', 'getfenv', 'debug', 'require', 'module', 'package', 'newproxy'].map((name) => evalStep(`return ${name}`, 0)),
    evalStep("return os.execute('true')", 0), evalStep("return io.open('/etc/passwd')", 0),
    evalStep('return type(getmetatable(_G))', 0), evalStep("return type(getmetatable(''))", 0),
    evalStep('return {type(load), type(loadstring), type(pcall), type(xpcall), type(unpack), type(select), type(gcinfo), type(collectgarbage)}', 0),
    evalStep('return {type(string.dump), type(coroutine.wrap), type(table.concat), type(math.huge)}', 0),
    evalStep("return {loadstring('return 1')()}", 0), evalStep('return loadstring(string.dump(function() return 1 end))', 0),
    evalStep("local f = loadstring('x = 1') f()", 0), evalStep("local f = loadstring('return y') return f()", 0),
    evalStep('return _VERSION', 0), evalStep('return coroutine.wrap(function() coroutine.yield(5) end)()', 0),
    evalStep("return rawget(_G, 'KEYS') ~= nil", 1, 'k'), evalStep("return rawget(_G, 'nothing')", 0),
    evalStep("return rawequal(_G, _G)", 0), evalStep("return redis.REDIS_VERSION", 0),
    evalStep('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}', 0),
    evalStep('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REDIS_VERSION_NUM}', 0),
    evalStep('local n = 0 for k, v in pairs(redis) do n = n + 1 end return n', 0),
    evalStep('local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t', 0),
  ])

  diff('the redis library', [
    evalStep("return redis.sha1hex('')", 0), evalStep("return redis.sha1hex('abc')", 0), evalStep('return redis.sha1hex(5)', 0),
    evalStep('return redis.sha1hex(nil)', 0), evalStep('return redis.sha1hex()', 0), evalStep("return redis.sha1hex('a', 'b')", 0),
    evalStep("redis.log(redis.LOG_WARNING, 'from a script', 5) return 1", 0), evalStep('return redis.log()', 0),
    evalStep("return redis.log('a', 'b')", 0), evalStep("return redis.log(9, 'b')", 0), evalStep("redis.log('2', 'numeric string level') return 1", 0),
    evalStep('return redis.setresp(4)', 0), evalStep('return redis.setresp()', 0), evalStep("redis.setresp('3') return true", 0),
    evalStep('redis.set_repl(redis.REPL_ALL) return 1', 0), evalStep('return redis.set_repl(9)', 0), evalStep('return redis.set_repl()', 0),
    evalStep('return redis.replicate_commands()', 0), evalStep('return redis.breakpoint()', 0), evalStep('return redis.debug()', 0),
    evalStep("return redis.acl_check_cmd('get', 'k')", 0), evalStep("return redis.acl_check_cmd('nosuch')", 0),
    evalStep('return math.random(0)', 0), evalStep("return math.random('x')", 0), evalStep('return math.random(1, 2, 3)', 0),
    evalStep('math.randomseed(7) return {math.random(100), math.random(1, 6), math.random(10, 20)}', 0),
    evalStep('math.randomseed(7) local r = math.random() return tostring(r)', 0),
    evalStep('local r = math.random(5) return r >= 1 and r <= 5', 0),
  ])

  diff('runtime errors, and what a script wrote before one stays', [
    evalStep("return error('boom')", 0), evalStep("error('no position', 0)", 0), evalStep("return error({err='MY table error'})", 0),
    evalStep('return error(5)', 0), evalStep('error()', 0), evalStep('return nil + 1', 0), evalStep("return ('x'):bad()", 0),
    evalStep('local function f(n) return f(n + 1) + 1 end return f(1)', 0),
    evalStep("redis.call('set', 'kept', '1') error('after write')", 0), ['GET', 'kept'],
    evalStep("redis.call('set', 'kept2', '1') return redis.call('incr', 'kept')", 0), ['GET', 'kept2'],
    evalStep('return 1 +', 0), evalStep('end', 0), evalStep('return "unterminated', 0),
  ])

  diff('scripts inside MULTI, and MULTI-queued EVALSHA', [
    ['MULTI'], evalStep("return redis.call('incr', KEYS[1])", 1, 'm'), ['EVALSHA', sha("return redis.call('incr', KEYS[1])"), '1', 'm'],
    ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'], evalStep('return 1', 0), ['EXEC'], ['GET', 'm'],
  ])

  // One batch: every walk below reads the script's own uncommitted member writes, found by search.
  diff('collections written and read back within one script', [
    // Room for a busy machine: marekvs stops a script past its budget (20 ms of CPU by default).
    ['CONFIG', 'SET', 'lua-time-limit', '1000'],
    evalStep(`for i = 1, 30 do redis.call('rpush', KEYS[1], i) redis.call('hset', KEYS[2], 'f' .. i, i) redis.call('zadd', KEYS[3], i, 'm' .. i) end
      local popped = {}
      for i = 1, 8 do popped[#popped + 1] = redis.call('lpop', KEYS[1]) popped[#popped + 1] = redis.call('rpop', KEYS[1]) end
      for i = 1, 30, 3 do redis.call('hdel', KEYS[2], 'f' .. i) redis.call('zrem', KEYS[3], 'm' .. i) end
      local fields = redis.call('hgetall', KEYS[2])
      table.sort(fields)
      return {popped, redis.call('lrange', KEYS[1], 0, -1), #fields, fields[1], fields[#fields], redis.call('zrange', KEYS[3], 0, 4), redis.call('zpopmax', KEYS[3], 3), redis.call('lindex', KEYS[1], 5)}`, 3, 'sl', 'sh', 'sz'),
    ['LRANGE', 'sl', '0', '-1'], ['HLEN', 'sh'], ['ZCARD', 'sz'], ['ZRANGE', 'sz', '0', '2', 'WITHSCORES'],
    ['CONFIG', 'SET', 'lua-time-limit', '20'],
  ])
  diff('pipelined scripts see each other and plain commands', [
    ['SET', 'p', '1'], evalStep("return redis.call('incr', KEYS[1])", 1, 'p'), ['INCR', 'p'],
    evalStep("return redis.call('get', KEYS[1])", 1, 'p'), evalStep("return redis.call('get', 'p')", 0),
  ])
}

diffSuite('scripting', scriptingSuite)
