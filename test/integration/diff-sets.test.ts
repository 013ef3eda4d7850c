// Set commands against redis-server 7.0 and marekvs: same scripts, same replies (unordered replies sorted).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { diffSuite, Step } from '../support/diff'
import { RawClient, scanToEnd } from '../support/resp'
import { Marekvs, startMarekvs } from '../support/servers'

const members = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

diffSuite('sets', (diff, model) => {
  diff('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS', [
    ['SADD', 's', 'a', 'b', 'a'], ['SADD', 's', 'b', 'c'], ['SCARD', 's'], ['SCARD', 'nokey'], ['SISMEMBER', 's', 'a'], ['SISMEMBER', 's', 'z'],
    ['SISMEMBER', 'nokey', 'a'], ['SMISMEMBER', 's', 'a', 'z', 'c'], ['SMISMEMBER', 'nokey', 'a'], ['SMEMBERS', 's'], ['SMEMBERS', 'nokey'],
    ['SREM', 's', 'a', 'a', 'z'], ['SREM', 'nokey', 'a'], ['SREM', 's', 'b', 'c'], ['EXISTS', 's'], ['SADD', 's'], ['SREM', 's'], ['SADD', 's', ''], ['SMEMBERS', 's'],
    ['SADD', 'n', '1', '2', '3', '-1'], ['SMEMBERS', 'n'], ['TYPE', 'n'],
  ], { sorted: [9, 20] })

  diff('SMEMBERS in RESP3 is a set', [['SADD', 's', 'a', 'b'], ['SMEMBERS', 's'], ['SINTER', 's'], ['SUNION', 's', 'x'], ['SDIFF', 'x']], { proto: 3, sorted: [1, 2, 3] })

  diff('SPOP and SRANDMEMBER', [
    ['SPOP', 'nokey'], ['SPOP', 'nokey', '2'], ['SRANDMEMBER', 'nokey'], ['SRANDMEMBER', 'nokey', '2'], ['SADD', 's', 'a', 'b', 'c'],
    ['SRANDMEMBER', 's', '0'], ['SRANDMEMBER', 's', '10'], ['SRANDMEMBER', 's', '-5'], ['SRANDMEMBER', 's', 'x'], ['SRANDMEMBER', 's', '1', '2'],
    ['SPOP', 's', '-1'], ['SPOP', 's', 'x'], ['SPOP', 's', '0'], ['SPOP', 's', '1', '2'], ['SPOP', 's', '10'], ['EXISTS', 's'],
    ['SADD', 's', 'a'], ['SPOP', 's'], ['EXISTS', 's'], ['SADD', 's', 'a', 'b', 'c', 'd'], ['SPOP', 's', '2'], ['SCARD', 's'], ['SRANDMEMBER', 's'],
    ['SRANDMEMBER', 's', '-9223372036854775808'],
  ], { sorted: [6, 14], typeOnly: [7, 20, 22] })

  diff('SMOVE', [
    ['SADD', 'a', '1', '2'], ['SADD', 'b', '3'], ['SMOVE', 'a', 'b', '1'], ['SMOVE', 'a', 'b', 'z'], ['SMOVE', 'nokey', 'b', '1'], ['SMEMBERS', 'a'],
    ['SMEMBERS', 'b'], ['SMOVE', 'a', 'a', '2'], ['SMOVE', 'a', 'a', 'z'], ['SMOVE', 'a', 'c', '2'], ['EXISTS', 'a'], ['SMEMBERS', 'c'],
    ['SET', 'str', 'x'], ['SMOVE', 'c', 'str', '2'], ['SMOVE', 'str', 'c', '2'], ['SMOVE', 'c', 'str', 'nomember'], ['SMEMBERS', 'c'],
  ], { sorted: [6] })

  diff('SINTER SUNION SDIFF and their STORE forms', [
    ['SADD', 'a', '1', '2', '3', '4'], ['SADD', 'b', '2', '3', '5'], ['SADD', 'c', '3', '4', '6'],
    ['SINTER', 'a', 'b'], ['SINTER', 'a', 'b', 'c'], ['SINTER', 'a', 'nokey'], ['SUNION', 'a', 'b', 'c'], ['SUNION', 'nokey'], ['SDIFF', 'a', 'b'],
    ['SDIFF', 'a', 'b', 'c'], ['SDIFF', 'nokey', 'a'], ['SDIFF', 'a', 'nokey'],
    ['SINTERSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['SUNIONSTORE', 'd', 'a', 'c'], ['SMEMBERS', 'd'], ['SDIFFSTORE', 'd', 'a', 'b', 'c'], ['SMEMBERS', 'd'],
    ['SINTERSTORE', 'd', 'a', 'nokey'], ['EXISTS', 'd'], ['SUNIONSTORE', 'a', 'a', 'b'], ['SCARD', 'a'], ['SET', 'str', 'x'], ['SINTER', 'a', 'str'],
    ['SINTER', 'nokey', 'str'], ['SUNION', 'a', 'str'], ['SDIFF', 'str', 'a'], ['SINTERSTORE', 'str', 'a', 'b'], ['TYPE', 'str'], ['SDIFFSTORE', 'x', 'str'],
    ['SINTERSTORE', 'a', 'str'], ['SCARD', 'a'], ['SINTER'], ['SUNIONSTORE', 'd'],
  ], { sorted: [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17] })

  diff('SINTERCARD', [
    ['SADD', 'a', '1', '2', '3'], ['SADD', 'b', '2', '3', '4'], ['SINTERCARD', '2', 'a', 'b'], ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '0'], ['SINTERCARD', '1', 'a'], ['SINTERCARD', '2', 'a', 'nokey'], ['SINTERCARD', '0', 'a'],
    ['SINTERCARD', '-1', 'a'], ['SINTERCARD', 'x', 'a'], ['SINTERCARD', '3', 'a', 'b'], ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT'], ['SINTERCARD', '2', 'a', 'b', 'FOO', '1'], ['SET', 's', 'x'], ['SINTERCARD', '2', 'a', 's'], ['SINTERCARD', '1'],
  ])

  // Redis 7.0 answers a set of integers (an intset) whole; other sets it walks in hash order.
  diff('SSCAN', [
    ['SADD', 's', ...Array.from({ length: 50 }, (_, i) => String(i))], ['SSCAN', 's', '0'], ['SSCAN', 's', '0', 'MATCH', '1*', 'COUNT', '5'], ['SSCAN', 'nokey', '0'], ['SSCAN', 's', 'abc'],
  ], { sortedItems: [1, 2] })

  diff('WRONGTYPE, RENAME, COPY, expiry of sets', [
    ['SET', 'str', 'v'], ['SADD', 'str', 'a'], ['SMEMBERS', 'str'], ['SCARD', 'str'], ['SADD', 's', 'a', 'b'], ['GET', 's'], ['HSET', 's', 'f', 'v'],
    ['RENAME', 's', 't'], ['SMEMBERS', 't'], ['COPY', 't', 'u'], ['SREM', 'u', 'a'], ['SCARD', 't'], ['SCARD', 'u'], ['PEXPIRE', 't', '40'],
    ['__sleep', '100'], ['SCARD', 't'], ['SADD', 't', 'z'], ['SMEMBERS', 't'], ['OBJECT', 'ENCODING', 'nokey'],
  ], { sorted: [8] })

  diff('a large set', [
    ['SADD', 'big', ...members(700)], ['SCARD', 'big'], ['SADD', 'other', ...members(300, 'm')], ['SINTERCARD', '2', 'big', 'other'],
    ['SDIFFSTORE', 'd', 'big', 'other'], ['SCARD', 'd'], ['SPOP', 'big', '100'], ['SCARD', 'big'], ['SRANDMEMBER', 'big', '50'], ['SRANDMEMBER', 'big', '-800'],
  ], { typeOnly: [6, 8, 9] })

  const member = fc.constantFrom('a', 'b', 'c', '1')
  const key = fc.constantFrom('s1', 's2', 'str')
  model('random set command sequences', fc.oneof(
    fc.tuple(fc.constant('SADD'), key, member, member),
    fc.tuple(fc.constant('SREM'), key, member),
    fc.tuple(fc.constant('SCARD'), key),
    fc.tuple(fc.constant('SISMEMBER'), key, member),
    fc.tuple(fc.constant('SMEMBERS'), key),
    fc.tuple(fc.constant('SMOVE'), key, key, member),
    fc.tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), key, key),
    fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, key, key),
    fc.tuple(fc.constant('SINTERCARD'), fc.constant('2'), key, key),
    fc.tuple(fc.constant('SPOP'), key, fc.constantFrom('0', '5')),
    fc.tuple(fc.constant('SET'), key, fc.constant('v')),
    fc.tuple(fc.constant('DEL'), key),
  ) as fc.Arbitrary<Step>, { unordered: (step) => ['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'SPOP'].includes(String(step[0])) })
})

describe('SSCAN, HSCAN: a full iteration of a large collection returns every member once', function () {
  this.timeout(60000)
  let server: Marekvs
  before(async () => {
    server = await startMarekvs()
  })
  after(() => server?.stop())

  for (const [add, scan] of [['SADD', 'SSCAN'], ['HSET', 'HSCAN']]) {
    it(scan, async () => {
      const client = await RawClient.connect(server.port)
      try {
        const names = members(1000, 'x')
        const args = add === 'SADD' ? names : names.flatMap((name) => [name, 'v'])
        await client.call(add, scan, ...args)
        const { items, calls, cursor } = await scanToEnd(client, scan, scan)
        const seen = items.filter((_, i) => add === 'SADD' || i % 2 === 0)
        assert.equal(cursor, '0')
        assert.ok(calls > 20, `walked in ${calls} calls`)
        assert.deepEqual(seen.sort(), names.sort())
      } finally {
        client.close()
      }
    })
  }
})
