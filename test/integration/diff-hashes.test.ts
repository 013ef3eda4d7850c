// Hash commands against redis-server 7.0 and marekvs: same scripts, same replies.
import fc from 'fast-check'
import { Diff, diffSuite, Model, Step } from '../support/diff'

const fields = (n: number, prefix = 'f'): string[] => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]).flat()

/** Exported: shard-path.test.ts runs it again with every command on the shard threads. */
export const hashesSuite = (diff: Diff, model: Model): void => {
  diff('HSET HGET HMGET HLEN HEXISTS HSTRLEN', [
    ['HSET', 'h', 'a', '1'], ['HSET', 'h', 'a', '2', 'b', '3'], ['HSET', 'h', 'c', '4', 'c', '5'], ['HGET', 'h', 'a'], ['HGET', 'h', 'c'],
    ['HGET', 'h', 'zz'], ['HGET', 'nokey', 'a'], ['HMGET', 'h', 'a', 'zz', 'b'], ['HMGET', 'nokey', 'a', 'b'], ['HLEN', 'h'], ['HLEN', 'nokey'],
    ['HEXISTS', 'h', 'a'], ['HEXISTS', 'h', 'zz'], ['HEXISTS', 'nokey', 'a'], ['HSTRLEN', 'h', 'a'], ['HSTRLEN', 'h', 'zz'], ['HSTRLEN', 'nokey', 'a'],
    ['HSET', 'h', 'odd'], ['HSET', 'h', 'a', '1', 'b'], ['HSET', 'h'], ['HMSET', 'h', 'x', '1', 'y', '2'], ['HMSET', 'h', 'x'], ['HGET', 'h', 'y'],
    ['HSET', 'h', '', ''], ['HGET', 'h', ''], ['HLEN', 'h'], ['TYPE', 'h'], ['OBJECT', 'ENCODING', 'nokey'],
  ])

  diff('HSETNX HDEL and empty-hash deletion', [
    ['HSETNX', 'h', 'a', '1'], ['HSETNX', 'h', 'a', '2'], ['HGET', 'h', 'a'], ['HDEL', 'h', 'a', 'a', 'zz'], ['EXISTS', 'h'],
    ['HSET', 'h', 'a', '1', 'b', '2'], ['HDEL', 'h', 'a'], ['HDEL', 'nokey', 'a'], ['HLEN', 'h'], ['HDEL', 'h', 'b'], ['EXISTS', 'h'], ['TYPE', 'h'],
  ])

  diff('HGETALL HKEYS HVALS', [
    ['HSET', 'h', 'b', '2', 'a', '1', 'c', '3'], ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'],
    ['HGETALL', 'nokey'], ['HKEYS', 'nokey'], ['HVALS', 'nokey'],
  ], { sorted: [1, 2, 3] })

  diff('HGETALL in RESP3 is a map', [['HSET', 'h', 'a', '1'], ['HGETALL', 'h'], ['HGETALL', 'nokey']], { proto: 3 })

  diff('HINCRBY', [
    ['HINCRBY', 'h', 'n', '5'], ['HINCRBY', 'h', 'n', '-7'], ['HGET', 'h', 'n'], ['HSET', 'h', 's', 'abc', 'big', '9223372036854775807', 'sp', ' 1'],
    ['HINCRBY', 'h', 's', '1'], ['HINCRBY', 'h', 'big', '1'], ['HINCRBY', 'h', 'sp', '1'], ['HINCRBY', 'h', 'n', 'x'], ['HINCRBY', 'h', 'n', '1.5'],
    ['HINCRBY', 'h', 'n', '9223372036854775808'], ['HSET', 'h', 'm', '10'], ['HINCRBY', 'h', 'm', '-3'], ['HGET', 'h', 'm'], ['HSTRLEN', 'h', 'm'],
    ['HINCRBY', 'h', 'neg', '-9223372036854775808'], ['HINCRBY', 'h', 'neg', '-1'], ['HGETALL', 'h'],
  ], { sorted: [16] })

  diff('HINCRBYFLOAT', [
    ['HINCRBYFLOAT', 'h', 'f', '1.5'], ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '-3e2'], ['HINCRBYFLOAT', 'h', 'f', 'abc'],
    ['HINCRBYFLOAT', 'h', 'f', 'inf'], ['HINCRBYFLOAT', 'h', 'f', 'nan'], ['HSET', 'h', 's', 'abc'], ['HINCRBYFLOAT', 'h', 's', '1'],
    ['HINCRBY', 'h', 'i', '3'], ['HINCRBYFLOAT', 'h', 'i', '0.5'], ['HINCRBY', 'h', 'f', '1'], ['HGET', 'h', 'f'], ['HINCRBYFLOAT', 'h', 'e', '1e400'],
  ])

  diff('HRANDFIELD shapes and errors', [
    ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '3'], ['HRANDFIELD', 'nokey', '3', 'WITHVALUES'], ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HRANDFIELD', 'h', '0'], ['HRANDFIELD', 'h', '5'], ['HRANDFIELD', 'h', '3', 'WITHVALUES'], ['HRANDFIELD', 'h', 'x'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUE'], ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'], ['HRANDFIELD', 'h', '-9223372036854775808'],
    ['HRANDFIELD', 'h', '-5000000000000000000', 'WITHVALUES'], ['HRANDFIELD', 'h', '-5'], ['HRANDFIELD', 'h', '2'], ['HRANDFIELD', 'h'],
  ], { sorted: [5, 6], typeOnly: [12, 13, 14] })

  diff('HRANDFIELD WITHVALUES in RESP3 gives pairs', [['HSET', 'h', 'a', '1'], ['HRANDFIELD', 'h', '1', 'WITHVALUES'], ['HRANDFIELD', 'h', '-2', 'WITHVALUES']], { proto: 3 })

  diff('HSCAN small hash', [
    ['HSET', 'h', ...fields(20)], ['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'MATCH', 'f1*'], ['HSCAN', 'h', '0', 'COUNT', '2'], ['HSCAN', 'nokey', '0'],
    ['HSCAN', 'h', 'x'], ['HSCAN', 'h', '0', 'COUNT', '0'], ['HSCAN', 'h', '0', 'COUNT', 'x'], ['HSCAN', 'h', '0', 'FOO'], ['HSCAN', 'h', '0', 'MATCH'],
  ], { sortedItems: [1, 2, 3] })

  diff('WRONGTYPE both ways', [
    ['SET', 's', 'v'], ['HSET', 's', 'a', '1'], ['HGET', 's', 'a'], ['HGETALL', 's'], ['HLEN', 's'], ['HINCRBY', 's', 'a', '1'], ['HSCAN', 's', '0'],
    ['HSET', 'h', 'a', '1'], ['GET', 'h'], ['INCR', 'h'], ['APPEND', 'h', 'x'], ['STRLEN', 'h'], ['SET', 'h', 'x'], ['TYPE', 'h'], ['HGET', 'h', 'a'],
  ])

  diff('DEL, EXPIRE, RENAME, COPY of hashes', [
    ['HSET', 'h', 'a', '1', 'b', '2'], ['EXPIRE', 'h', '100'], ['TTL', 'h'], ['RENAME', 'h', 'h2'], ['TTL', 'h2'], ['HGETALL', 'h2'], ['EXISTS', 'h'],
    ['COPY', 'h2', 'h3'], ['HSET', 'h3', 'c', '3'], ['HLEN', 'h2'], ['HLEN', 'h3'], ['DEL', 'h2'], ['HGETALL', 'h2'], ['HSET', 'h2', 'z', '1'], ['HGETALL', 'h2'],
    ['PEXPIRE', 'h3', '50'], ['__sleep', '120'], ['HLEN', 'h3'], ['EXISTS', 'h3'], ['HSET', 'h3', 'q', '1'], ['HGETALL', 'h3'], ['RENAME', 'h3', 'h2'], ['HGETALL', 'h2'],
  ], { approx: [2, 4], sorted: [5] })

  diff('a large hash: HSCAN walks it all, HDEL and HLEN stay exact', [
    ['HSET', 'big', ...fields(300)], ['HLEN', 'big'], ['HDEL', 'big', 'f1', 'f2', 'f3'], ['HLEN', 'big'], ['HGET', 'big', 'f299'],
    ['HSCAN', 'big', '0', 'COUNT', '1000'],
  ], { typeOnly: [5] })

  const field = fc.constantFrom('a', 'b', 'c', 'd')
  const value = fc.constantFrom('1', '-2', 'x', '2.5', '')
  const key = fc.constantFrom('h', 'h2', 's')
  model('random hash command sequences', fc.oneof(
    fc.tuple(fc.constant('HSET'), key, field, value),
    fc.tuple(fc.constant('HSETNX'), key, field, value),
    fc.tuple(fc.constant('HGET'), key, field),
    fc.tuple(fc.constant('HDEL'), key, field, field),
    fc.tuple(fc.constant('HLEN'), key),
    fc.tuple(fc.constant('HINCRBY'), key, field, fc.constantFrom('1', '-5', 'x')),
    fc.tuple(fc.constant('HINCRBYFLOAT'), key, field, fc.constantFrom('0.5', '-1')),
    fc.tuple(fc.constant('HMGET'), key, field, field),
    fc.tuple(fc.constant('HGETALL'), key),
    fc.tuple(fc.constant('HEXISTS'), key, field),
    fc.tuple(fc.constant('HSTRLEN'), key, field),
    fc.tuple(fc.constant('SET'), key, value),
    fc.tuple(fc.constant('DEL'), key),
    fc.tuple(fc.constant('RENAME'), key, key),
  ) as fc.Arbitrary<Step>, { unordered: (step) => step[0] === 'HGETALL' })
}

diffSuite('hashes', hashesSuite)
