// Generic key commands over every type against redis-server 7.0 and marekvs: TYPE, SCAN TYPE,
// KEYS, EXISTS, DEL, RENAME, COPY, EXPIRE, DBSIZE.
import { diffSuite, Step } from '../support/diff'

const oneOfEach: Step[] = [
  ['SET', 'str', 'v'], ['INCR', 'counter'], ['HSET', 'hash', 'f', 'v', 'g', 'w'], ['SADD', 'set', 'a', 'b'],
  ['ZADD', 'zset', '1', 'a', '2', 'b'], ['RPUSH', 'list', 'x', 'y', 'z'], ['PFADD', 'hll', 'a', 'b'], ['XADD', 'stream', '1-1', 'f', 'v'],
]

diffSuite('every type: generic key commands', (diff) => {
  diff('TYPE, EXISTS, DBSIZE, KEYS', [
    ...oneOfEach,
    ['TYPE', 'str'], ['TYPE', 'counter'], ['TYPE', 'hash'], ['TYPE', 'set'], ['TYPE', 'zset'], ['TYPE', 'list'], ['TYPE', 'hll'], ['TYPE', 'stream'], ['TYPE', 'none'],
    ['EXISTS', 'str', 'hash', 'set', 'zset', 'list', 'stream', 'nope'], ['DBSIZE'], ['KEYS', '*'], ['OBJECT', 'ENCODING', 'stream'],
  ], { sorted: [19] })

  diff('SCAN with TYPE', [
    ...oneOfEach,
    ['SCAN', '0', 'TYPE', 'hash', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'set', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'zset', 'COUNT', '1000'],
    ['SCAN', '0', 'TYPE', 'list', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'string', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'stream', 'COUNT', '1000'],
  ], { sortedItems: [8, 9, 10, 11, 12, 13] })

  diff('RENAME and COPY of every type keep type, contents and TTL', [
    ...oneOfEach,
    ['EXPIRE', 'zset', '100'],
    ['RENAME', 'hash', 'hash2'], ['HGETALL', 'hash2'], ['RENAME', 'set', 'set2'], ['SMEMBERS', 'set2'], ['RENAME', 'zset', 'zset2'],
    ['ZRANGE', 'zset2', '0', '-1', 'WITHSCORES'], ['TTL', 'zset2'], ['RENAME', 'list', 'list2'], ['LRANGE', 'list2', '0', '-1'],
    ['COPY', 'list2', 'list3'], ['RPUSH', 'list3', 'w'], ['LRANGE', 'list2', '0', '-1'], ['LRANGE', 'list3', '0', '-1'],
    ['COPY', 'zset2', 'set2'], ['COPY', 'zset2', 'set2', 'REPLACE'], ['TYPE', 'set2'], ['ZCARD', 'set2'], ['TTL', 'set2'],
    ['RENAME', 'hash2', 'str'], ['TYPE', 'str'], ['HGET', 'str', 'f'], ['RENAMENX', 'set2', 'list2'], ['RENAME', 'nope', 'x'],
    ['RENAME', 'list2', 'list2'], ['LLEN', 'list2'], ['DBSIZE'],
    ['XGROUP', 'CREATE', 'stream', 'g', '0'], ['RENAME', 'stream', 'stream2'], ['XRANGE', 'stream2', '-', '+'], ['XINFO', 'GROUPS', 'stream2'],
    ['COPY', 'stream2', 'stream3'], ['XADD', 'stream3', '2-1', 'g', 'w'], ['XLEN', 'stream2'], ['XLEN', 'stream3'],
  ], { sorted: [10, 12], approx: [15, 26] })

  diff('DEL, UNLINK and expiry of every type', [
    ...oneOfEach,
    ['DEL', 'hash', 'set', 'nope'], ['UNLINK', 'zset', 'list'], ['EXISTS', 'hash', 'set', 'zset', 'list'], ['HLEN', 'hash'], ['LLEN', 'list'],
    ['HSET', 'hash', 'new', '1'], ['HGETALL', 'hash'], ['SADD', 'set', 'c'], ['SMEMBERS', 'set'],
    ['PEXPIRE', 'hash', '30'], ['PEXPIRE', 'set', '30'], ['RPUSH', 'l2', 'a'], ['PEXPIRE', 'l2', '30'], ['ZADD', 'z2', '1', 'a'], ['PEXPIRE', 'z2', '30'],
    ['__sleep', '100'], ['EXISTS', 'hash', 'set', 'l2', 'z2'], ['TYPE', 'hash'], ['SCARD', 'set'], ['LRANGE', 'l2', '0', '-1'], ['ZCARD', 'z2'],
    ['RPUSH', 'l2', 'fresh'], ['LRANGE', 'l2', '0', '-1'], ['DBSIZE'],
  ])

  diff('a big collection deleted and recreated at once shows only the new members', [
    ['SADD', 'big', ...Array.from({ length: 2000 }, (_, i) => `m${i}`)], ['DEL', 'big'], ['SADD', 'big', 'only'], ['SMEMBERS', 'big'], ['SCARD', 'big'],
    ['SSCAN', 'big', '0'],
  ])
})
