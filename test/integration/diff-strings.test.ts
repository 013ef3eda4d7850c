// String commands against redis-server 7.0 and marekvs: same script, same replies (exact RESP
// types). WRONGTYPE cannot be produced over the network yet (strings are the only type).
import { Diff, diffSuite, Step } from '../support/diff'

const now = (): number => Date.now()
const binary = Buffer.from([0x00, 0x0d, 0x0a, 0xff, 0x00, 0x41, 0x0d, 0x0a])
const large = Buffer.alloc(1024 * 1024, 'abc\r\n\0')

/** Exported: shard-path.test.ts runs it again with every command on the shard threads. */
export const stringsSuite = (diff: Diff): void => {
  diff('GET SET basics', [
    ['GET', 'k'], ['SET', 'k', 'v'], ['GET', 'k'], ['SET', 'k', ''], ['GET', 'k'], ['STRLEN', 'k'],
    ['GET'], ['GET', 'a', 'b'], ['SET', 'k'], ['set', 'K', 'upper'], ['GET', 'K'],
  ])

  diff('SET NX XX GET', [
    ['SET', 'k', 'v', 'NX'], ['SET', 'k', 'v2', 'NX'], ['GET', 'k'],
    ['SET', 'k', 'v3', 'XX'], ['SET', 'x', 'v', 'XX'], ['GET', 'x'],
    ['SET', 'k', 'v4', 'XX', 'GET'], ['SET', 'k', 'v5', 'NX', 'GET'], ['SET', 'n', 'v', 'NX', 'GET'], ['GET', 'n'],
    ['SET', 'k', 'v6', 'GET'], ['GET', 'k'], ['SET', 'k', 'v', 'nx', 'nx'], ['SET', 'k', 'v', 'xx', 'XX', 'get'],
  ])

  diff('SET option conflicts and syntax errors', [
    ['SET', 'k', 'v', 'NX', 'XX'], ['SET', 'k', 'v', 'XX', 'NX'], ['SET', 'k', 'v', 'EX', '10', 'PX', '100'],
    ['SET', 'k', 'v', 'EX', '10', 'KEEPTTL'], ['SET', 'k', 'v', 'KEEPTTL', 'EX', '10'], ['SET', 'k', 'v', 'EX'],
    ['SET', 'k', 'v', 'FOO'], ['SET', 'k', 'v', 'EX', '0', 'FOO'], ['SET', 'k', 'v', 'EX', 'abc', 'EX', '10'], ['TTL', 'k'],
    ['SET', 'k', 'v', 'EXAT', '10', 'PXAT', '10'], ['SET', 'k', 'v', 'PX', '10', 'EXAT', '10'], ['SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL'],
  ], { approx: [9] })

  diff('SET expiry arguments', [
    ['SET', 'k', 'v', 'EX', '0'], ['SET', 'k', 'v', 'EX', '-1'], ['SET', 'k', 'v', 'PX', '0'], ['SET', 'k', 'v', 'EX', 'x'],
    ['SET', 'k', 'v', 'EX', '1.5'], ['SET', 'k', 'v', 'EX', '9223372036854775'], ['SET', 'k', 'v', 'EX', '9223372036854776'],
    ['SET', 'k', 'v', 'PX', '9223372036854775807'], ['SET', 'k', 'v', 'EX', '+10'], ['SET', 'k', 'v', 'EX', ' 10'],
    ['SET', 'k', 'v', 'EX', '100'], ['TTL', 'k'], ['PTTL', 'k'], ['SET', 'k', 'v', 'PX', '100000'], ['PTTL', 'k'],
    ['SET', 'k', 'v', 'EXAT', String(Math.floor(now() / 1000) + 500)], ['TTL', 'k'],
    ['SET', 'k', 'v', 'PXAT', String(now() + 500_000)], ['TTL', 'k'],
    ['SET', 'k', 'v', 'EX', '100', 'EX', '200'], ['TTL', 'k'],
  ], { approx: [11, 12, 14, 16, 18, 20] })

  diff('SET drops or keeps the TTL', [
    ['SET', 'k', 'v', 'EX', '100'], ['SET', 'k', 'v2'], ['TTL', 'k'],
    ['SET', 'k', 'v', 'EX', '100'], ['SET', 'k', 'v3', 'KEEPTTL'], ['TTL', 'k'], ['GET', 'k'],
    ['SET', 'n', 'v', 'KEEPTTL'], ['TTL', 'n'],
  ], { approx: [5] })

  // Over 512 bytes, a landed SET leaves only its record's head in the record cache: a SET after
  // it reads the head, and SET ... GET the whole value past it (ExecContext's HeadRec).
  const big = (n: number): string => `${n}:`.padEnd(1000, String.fromCharCode(97 + n))
  diff('large values past their heads', [
    ['SET', 'k', big(1)], ['SET', 'k', big(2), 'GET'], ['SET', 'k', big(3), 'EX', '100'], ['SET', 'k', big(4), 'KEEPTTL', 'GET'], ['TTL', 'k'],
    ['STRLEN', 'k'], ['APPEND', 'k', 'tail'], ['GETRANGE', 'k', '995', '-1'], ['SET', 'k', big(5), 'NX', 'GET'], ['SET', 'k', big(6), 'XX'],
    ['EXPIRE', 'k', '200'], ['GET', 'k'], ['TYPE', 'k'], ['DEL', 'k'], ['SET', 'k', big(7), 'GET'], ['GETDEL', 'k'], ['EXISTS', 'k'],
  ], { approx: [4] })

  diff('SET with a time in the past', [
    ['SET', 'k', 'v', 'EXAT', '1'], ['GET', 'k'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['SET', 'k', 'v2', 'PXAT', '1', 'GET'], ['GET', 'k'],
  ])

  diff('expiry takes effect', [
    ['SET', 'k', 'v', 'PX', '50'], ['GET', 'k'], ['__sleep', '120'], ['GET', 'k'], ['EXISTS', 'k'], ['TTL', 'k'], ['PTTL', 'k'],
    ['SETEX', 's', '1', 'v'], ['PSETEX', 'p', '50', 'v'], ['__sleep', '120'], ['GET', 'p'], ['GET', 's'],
  ])

  diff('SETNX SETEX PSETEX GETSET', [
    ['SETNX', 'k', 'v'], ['SETNX', 'k', 'v2'], ['GET', 'k'], ['SETNX', 'k'],
    ['SETEX', 'k', '100', 'e'], ['GET', 'k'], ['TTL', 'k'], ['SETEX', 'k', '0', 'e'], ['SETEX', 'k', '-5', 'e'], ['SETEX', 'k', 'x', 'e'],
    ['SETEX', 'k', '9223372036854775807', 'e'], ['SETEX', 'k', '10'],
    ['PSETEX', 'p', '100000', 'e'], ['PTTL', 'p'], ['PSETEX', 'p', '0', 'e'], ['PSETEX', 'p', '1.5', 'e'],
    ['GETSET', 'g', 'one'], ['GETSET', 'g', 'two'], ['GET', 'g'], ['SETEX', 'g', '100', 'x'], ['GETSET', 'g', 'three'], ['TTL', 'g'],
  ], { approx: [6, 13] })

  diff('GETDEL', [['GETDEL', 'k'], ['SET', 'k', 'v'], ['GETDEL', 'k'], ['EXISTS', 'k'], ['GETDEL', 'k'], ['GETDEL'], ['INCR', 'c'], ['GETDEL', 'c']])

  diff('GETEX', [
    ['GETEX', 'k'], ['GETEX', 'k', 'EX', 'abc'], ['GETEX', 'k', 'FOO'], ['SET', 'k', 'v'], ['GETEX', 'k'], ['TTL', 'k'],
    ['GETEX', 'k', 'EX', '100'], ['TTL', 'k'], ['GETEX', 'k', 'PX', '200000'], ['PTTL', 'k'],
    ['GETEX', 'k', 'EXAT', String(Math.floor(now() / 1000) + 300)], ['TTL', 'k'], ['GETEX', 'k', 'PXAT', String(now() + 400_000)], ['TTL', 'k'],
    ['GETEX', 'k', 'PERSIST'], ['TTL', 'k'], ['GETEX', 'k', 'PERSIST'],
    ['GETEX', 'k', 'EX', '0'], ['GETEX', 'k', 'EX', '-1'], ['GETEX', 'k', 'EX', 'x'], ['GETEX', 'k', 'EX', '10', 'PX', '10'],
    ['GETEX', 'k', 'EX', '10', 'PERSIST'], ['GETEX', 'k', 'PERSIST', 'EX', '10'], ['GETEX', 'k', 'NX'], ['GETEX', 'k', 'KEEPTTL'],
    ['GETEX', 'k', 'GET'], ['GETEX', 'k', 'EX'], ['GETEX', 'k', 'EX', '10', 'EX', '20'], ['TTL', 'k'],
    ['GETEX', 'k', 'PXAT', '1'], ['EXISTS', 'k'], ['INCR', 'c'], ['GETEX', 'c', 'EX', '50'], ['INCR', 'c'], ['TTL', 'c'],
  ], { approx: [7, 9, 11, 13, 28, 34] })

  diff('MGET MSET MSETNX', [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['MGET', 'a', 'b', 'c', 'nope', 'a'], ['MSET', 'a'], ['MSET', 'a', '1', 'b'],
    ['MSET', 'a', 'x', 'a', 'y'], ['GET', 'a'], ['MSETNX', 'a', '1', 'z', '2'], ['EXISTS', 'z'], ['MSETNX', 'y', '1', 'z', '2'],
    ['MGET', 'y', 'z'], ['MSETNX', 'q'], ['MSETNX', 'q', '1', 'r'], ['MGET'], ['SET', 't', 'v', 'EX', '100'], ['MSET', 't', 'w'], ['TTL', 't'],
    ['MSETNX', 'd', '1', 'd', '2'], ['GET', 'd'],
  ])

  diff('APPEND STRLEN', [
    ['APPEND', 'k', 'ab'], ['APPEND', 'k', 'cd'], ['GET', 'k'], ['STRLEN', 'k'], ['STRLEN', 'nope'], ['APPEND', 'k', ''], ['APPEND', 'e', ''],
    ['EXISTS', 'e'], ['SET', 't', 'v', 'EX', '100'], ['APPEND', 't', 'w'], ['TTL', 't'], ['INCR', 'c'], ['APPEND', 'c', '5'], ['GET', 'c'],
    ['INCR', 'c'], ['STRLEN', 'c'], ['APPEND', 'k'], ['STRLEN'],
  ], { approx: [10] })

  diff('GETRANGE SUBSTR', [
    ['SET', 'k', 'Hello World'], ['GETRANGE', 'k', '0', '4'], ['GETRANGE', 'k', '-5', '-1'], ['GETRANGE', 'k', '-1', '-5'],
    ['GETRANGE', 'k', '0', '-1'], ['GETRANGE', 'k', '5', '2'], ['GETRANGE', 'k', '-100', '100'], ['GETRANGE', 'k', '100', '200'],
    ['GETRANGE', 'k', '0', '0'], ['GETRANGE', 'k', '-1', '-1'], ['GETRANGE', 'k', '-100', '-50'], ['GETRANGE', 'k', '3', '-100'],
    ['GETRANGE', 'nope', '0', '1'], ['GETRANGE', 'nope', 'x', '1'], ['GETRANGE', 'k', 'x', '1'], ['GETRANGE', 'k', '0', '1.0'],
    ['GETRANGE', 'k', '-9223372036854775808', '9223372036854775807'], ['GETRANGE', 'k', '0', '9223372036854775808'],
    ['SUBSTR', 'k', '2', '6'], ['SUBSTR', 'k', '-3', '-1'], ['SET', 'e', ''], ['GETRANGE', 'e', '0', '-1'], ['GETRANGE', 'e', '0', '0'],
    ['INCR', 'c'], ['INCRBY', 'c', '1233'], ['GETRANGE', 'c', '1', '2'], ['GETRANGE', 'k', '0'],
  ])

  diff('SETRANGE', [
    ['SETRANGE', 'k', '0', 'abc'], ['GET', 'k'], ['SETRANGE', 'k', '1', 'X'], ['GET', 'k'], ['SETRANGE', 'k', '6', 'Z'], ['GET', 'k'],
    ['SETRANGE', 'n', '3', 'p'], ['GET', 'n'], ['SETRANGE', 'e', '5', ''], ['EXISTS', 'e'], ['SETRANGE', 'k', '100', ''],
    ['SETRANGE', 'k', '-1', 'x'], ['SETRANGE', 'k', 'x', 'x'], ['SETRANGE', 'k', '536870912', 'x'], ['SETRANGE', 'k', '536870911', 'xy'],
    ['SETRANGE', 'k', '9223372036854775807', 'x'], ['SETRANGE', 'k', '536870912', ''],
    ['SET', 't', 'v', 'EX', '100'], ['SETRANGE', 't', '1', 'w'], ['TTL', 't'], ['INCR', 'c'], ['SETRANGE', 'c', '1', '9'], ['INCR', 'c'],
  ], { approx: [19] })

  diff('INCR DECR INCRBY DECRBY', [
    ['INCR', 'n'], ['INCR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', '10'], ['DECRBY', 'n', '3'], ['GET', 'n'], ['INCRBY', 'n', '-20'],
    ['DECR', 'm'], ['DECRBY', 'o', '5'], ['INCRBY', 'n', 'x'], ['INCRBY', 'n', '1.5'], ['INCRBY', 'n', '-0'], ['INCRBY', 'n', '+1'],
    ['INCRBY', 'n', ' 1'], ['INCRBY', 'n', '01'], ['INCRBY', 'n', '9223372036854775808'], ['INCRBY', 'n', ''],
    ['SET', 'big', '9223372036854775806'], ['INCR', 'big'], ['INCR', 'big'], ['GET', 'big'],
    ['SET', 'small', '-9223372036854775807'], ['DECR', 'small'], ['DECR', 'small'], ['DECRBY', 'small', '-9223372036854775808'],
    ['DECRBY', 'x', '-9223372036854775808'], ['INCRBY', 'x', '-9223372036854775808'], ['GET', 'x'],
    ['SET', 's', 'abc'], ['INCR', 's'], ['SET', 's', ' 1'], ['INCR', 's'], ['SET', 's', '-0'], ['INCR', 's'], ['SET', 's', '007'], ['INCR', 's'],
    ['SET', 's', '10'], ['INCR', 's'], ['SET', 's', '1e3'], ['INCR', 's'], ['SET', 't', '5', 'EX', '100'], ['INCR', 't'], ['TTL', 't'],
    ['INCR'], ['INCRBY', 'n'], ['SET', 'n', '5'], ['INCR', 'n'], ['INCRBY', 'big', '1'],
  ], { approx: [42] })

  diff('INCRBYFLOAT', [
    ['SET', 'a', '0.1'], ['INCRBYFLOAT', 'a', '0.2'], ['SET', 'b', '10.5'], ['INCRBYFLOAT', 'b', '0.1'],
    ['SET', 'c', '5.0e3'], ['INCRBYFLOAT', 'c', '2.0e2'], ['SET', 'd', '3'], ['INCRBYFLOAT', 'd', '1.1'],
    ['SET', 'e', '-1.5'], ['INCRBYFLOAT', 'e', '0.5'], ['INCRBYFLOAT', 'new', '2.5'], ['INCRBYFLOAT', 'new', '-2.5'], ['GET', 'new'],
    ['SET', 'f', '1e308'], ['INCRBYFLOAT', 'f', '1e308'], ['GET', 'f'], ['INCRBYFLOAT', 'a', 'abc'], ['INCRBYFLOAT', 'a', ' 1'],
    ['INCRBYFLOAT', 'a', 'inf'], ['INCRBYFLOAT', 'a', '-inf'], ['INCRBYFLOAT', 'a', 'nan'], ['INCRBYFLOAT', 'a', ''],
    ['SET', 's', 'abc'], ['INCRBYFLOAT', 's', '1'], ['SET', 's', ' 1'], ['INCRBYFLOAT', 's', '1'],
    ['INCR', 'cnt'], ['INCRBYFLOAT', 'cnt', '0.5'], ['INCR', 'cnt'], ['INCRBYFLOAT', 'i', '3'], ['INCR', 'i'],
    ['SET', 't', '1', 'EX', '100'], ['INCRBYFLOAT', 't', '1'], ['TTL', 't'], ['INCRBYFLOAT', 'x', '1.0'], ['INCRBYFLOAT', 'x', '1e-5'],
    ['INCRBYFLOAT', 'y', '0x10'], ['INCRBYFLOAT', 'y', '1.5e'], ['INCRBYFLOAT', 'z', '17179869184'], ['INCRBYFLOAT', 'z', '1.5'],
    ['INCRBYFLOAT', 'a'],
  ], { approx: [33] })

  diff('LCS', [
    ['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext'], ['LCS', 'key1', 'key2'], ['LCS', 'key1', 'key2', 'LEN'],
    ['LCS', 'key1', 'key2', 'IDX'], ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4'], ['LCS', 'key1', 'key2', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '3', 'WITHMATCHLEN'], ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '-5'],
    ['LCS', 'key1', 'key2', 'LEN', 'IDX'], ['LCS', 'key1', 'key2', 'FOO'], ['LCS', 'key1', 'key2', 'MINMATCHLEN'],
    ['LCS', 'key1', 'key2', 'MINMATCHLEN', 'x'], ['LCS', 'key1', 'nope'], ['LCS', 'nope', 'nope2', 'IDX'], ['LCS', 'nope', 'nope2', 'LEN'],
    ['LCS', 'key1', 'key1', 'IDX', 'WITHMATCHLEN'], ['LCS', 'key1'], ['LCS', 'key1', 'key2', 'len', 'withmatchlen'],
    ['MSET', 'a', 'rsacbdexfghabcdefgh', 'b', 'xyzabcdefghghk'], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'b', 'a', 'IDX', 'MINMATCHLEN', '2', 'WITHMATCHLEN'], ['INCRBY', 'n1', '12345'], ['INCRBY', 'n2', '92341'], ['LCS', 'n1', 'n2', 'IDX'],
  ])

  diff('LCS in RESP3', [
    ['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext'], ['LCS', 'key1', 'key2', 'IDX', 'WITHMATCHLEN'], ['LCS', 'key1', 'key2', 'LEN'],
  ], { proto: 3 })

  diff('binary-safe values', [
    ['SET', binary, binary], ['GET', binary], ['STRLEN', binary], ['APPEND', binary, binary], ['GETRANGE', binary, '1', '3'],
    ['SETRANGE', binary, '2', Buffer.from([0, 0])], ['GET', binary], ['MGET', binary, 'nope'], ['GETDEL', binary], ['EXISTS', binary],
    ['SET', 'big', large], ['STRLEN', 'big'], ['GET', 'big'], ['APPEND', 'big', binary], ['GETRANGE', 'big', '-10', '-1'],
    ['SETRANGE', 'big', '1048570', 'xxxxxxxxxx'], ['STRLEN', 'big'], ['GETRANGE', 'big', '1048560', '-1'],
    ['LCS', binary, 'nope'], ['SET', Buffer.from([0xc3, 0x28]), Buffer.from([0xff, 0xfe])], ['GET', Buffer.from([0xc3, 0x28])],
  ])

  const wrongArity: Step[] = [
    ['SETNX', 'k'], ['SETEX', 'k', '1'], ['PSETEX', 'k'], ['GETSET', 'k'], ['GETDEL'], ['GETEX'], ['MGET'], ['MSET'], ['MSETNX'],
    ['APPEND', 'k'], ['STRLEN'], ['GETRANGE', 'k', '1'], ['SUBSTR', 'k'], ['SETRANGE', 'k', '1'], ['LCS', 'k'], ['INCRBYFLOAT', 'k'],
    ['INCR', 'a', 'b'], ['DECR'], ['DECRBY', 'k'], ['SETNX', 'k', 'v', 'x'],
  ]
  diff('wrong arity', wrongArity)
}

diffSuite('strings', stringsSuite)
