// WRONGTYPE across types against redis-server 7.0 and marekvs: every family refuses a key of
// another type, and a refused write changes nothing.
import { diffSuite, Step } from '../support/diff'

const setup: Step[] = [['HSET', 'h', 'f', 'v'], ['SADD', 'st', 'm'], ['SET', 's', 'ab']]

diffSuite('WRONGTYPE', (diff) => {
  diff('bitmaps and HyperLogLog on a hash', [
    ...setup,
    ['SETBIT', 'h', '1', '1'], ['GETBIT', 'h', '1'], ['BITCOUNT', 'h'], ['BITCOUNT', 'h', '0', '1', 'BIT'], ['BITPOS', 'h', '1'],
    ['BITPOS', 'h', '0', '1', '2'], ['BITOP', 'AND', 'd', 's', 'h'], ['BITOP', 'NOT', 'd', 'h'], ['BITFIELD', 'h', 'GET', 'u8', '0'],
    ['BITFIELD', 'h', 'SET', 'u8', '0', '1'], ['BITFIELD', 'h'], ['BITFIELD_RO', 'h', 'GET', 'u8', '0'],
    ['PFADD', 'h', 'a'], ['PFADD', 'h'], ['PFCOUNT', 'h'], ['PFCOUNT', 'nope', 'h'], ['PFMERGE', 'd', 'h'], ['PFMERGE', 'h', 'nope'],
    ['EXISTS', 'd'], ['HGETALL', 'h'], ['TYPE', 'h'],
  ])

  diff('strings, hashes and sets refuse each other', [
    ...setup,
    ['GET', 'st'], ['APPEND', 'h', 'x'], ['INCR', 'st'], ['GETRANGE', 'h', '0', '1'], ['SETRANGE', 'st', '0', 'x'], ['MGET', 'h', 's', 'st'],
    ['HGET', 'st', 'f'], ['HSET', 'st', 'f', 'v'], ['SADD', 'h', 'x'], ['SISMEMBER', 'h', 'x'], ['SMEMBERS', 's'], ['SINTER', 'st', 'h'],
    ['SINTERSTORE', 'd', 'st', 'h'], ['SUNIONSTORE', 'h', 'st'], ['TYPE', 'h'], ['SMEMBERS', 'h'], ['LCS', 'h', 's'],
    ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'ENCODING', 'st'], ['GETDEL', 'h'], ['GETEX', 'st'], ['SET', 'h', 'x', 'GET'], ['HGETALL', 'h'],
  ], { typeOnly: [20, 21] })

  diff('lists, sorted sets and streams refuse other types, and others refuse them', [
    ...setup, ['RPUSH', 'l', 'x'], ['ZADD', 'z', '1', 'm'], ['XADD', 'x', '1-1', 'f', 'v'],
    ['XADD', 'h', '*', 'f', 'v'], ['XRANGE', 's', '-', '+'], ['XLEN', 'l'], ['XREAD', 'STREAMS', 'z', '0'], ['XGROUP', 'CREATE', 'st', 'g', '0'],
    ['LPUSH', 'x', 'a'], ['ZADD', 'x', '1', 'a'], ['HGET', 'x', 'f'], ['GET', 'x'], ['SADD', 'z', 'a'], ['LRANGE', 'z', '0', '-1'],
    ['ZRANGE', 'l', '0', '-1'], ['BLPOP', 'z', '0.01'], ['BZPOPMIN', 'l', '0.01'], ['XREAD', 'BLOCK', '10', 'STREAMS', 'l', '$'],
    ['TYPE', 'x'], ['XLEN', 'x'],
  ])
})
