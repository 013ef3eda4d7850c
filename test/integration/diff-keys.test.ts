// Key and keyspace commands against redis-server 7.0 and marekvs: same script, same replies
// (exact RESP types). Where marekvs differs on purpose (COPY to another DB, SCAN cursor values),
// the steps here avoid the difference and docs/compatibility.md states it.
import assert from 'node:assert/strict'
import { diffSuite, runSteps, serverPair } from '../support/diff'
import { Decoded, RawClient } from '../support/resp'

const nowS = (): number => Math.floor(Date.now() / 1000)
const nowMs = (): number => Date.now()

diffSuite('keys', (diff) => {
  diff('DEL UNLINK EXISTS TOUCH', [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['EXISTS', 'a', 'a', 'nope', 'b'], ['TOUCH', 'a', 'nope', 'c'], ['DEL', 'a', 'nope', 'a'],
    ['EXISTS', 'a'], ['UNLINK', 'b', 'c', 'd'], ['EXISTS', 'b', 'c'], ['DEL'], ['EXISTS'], ['UNLINK'], ['TOUCH'], ['DEL', 'nope'],
  ])

  diff('TYPE', [['SET', 's', 'v'], ['INCR', 'c'], ['TYPE', 's'], ['TYPE', 'c'], ['TYPE', 'nope'], ['TYPE'], ['TYPE', 'a', 'b']])

  diff('RENAME RENAMENX', [
    ['RENAME', 'nope', 'x'], ['RENAMENX', 'nope', 'x'], ['RENAME', 'nope', 'nope'], ['SET', 'a', '1'], ['RENAME', 'a', 'a'],
    ['RENAMENX', 'a', 'a'], ['RENAME', 'a', 'b'], ['EXISTS', 'a'], ['GET', 'b'], ['SET', 'c', '3'], ['RENAMENX', 'b', 'c'],
    ['RENAME', 'b', 'c'], ['GET', 'c'], ['EXISTS', 'b'], ['RENAMENX', 'c', 'd'], ['GET', 'd'],
    ['SET', 't', 'v', 'EX', '100'], ['RENAME', 't', 'u'], ['TTL', 'u'], ['INCR', 'n'], ['RENAME', 'n', 'm'], ['INCR', 'm'], ['TYPE', 'm'],
    ['SET', 'x', '1', 'EX', '100'], ['SET', 'y', '2'], ['RENAME', 'y', 'x'], ['TTL', 'x'], ['RENAME', 'x'],
  ], { approx: [18] })

  diff('COPY', [
    ['COPY', 'nope', 'x'], ['SET', 'a', '1', 'EX', '100'], ['COPY', 'a', 'b'], ['GET', 'b'], ['TTL', 'b'], ['COPY', 'a', 'b'],
    ['SET', 'a', '2'], ['COPY', 'a', 'b', 'REPLACE'], ['GET', 'b'], ['TTL', 'b'], ['COPY', 'a', 'a'], ['COPY', 'a', 'a', 'REPLACE'],
    ['COPY', 'a', 'c', 'DB', '0'], ['GET', 'c'], ['COPY', 'a', 'd', 'DB', '16'], ['COPY', 'a', 'd', 'DB', '-1'], ['COPY', 'a', 'd', 'DB', 'x'],
    ['COPY', 'a', 'd', 'DB', '2147483648'], ['COPY', 'a', 'd', 'DB'], ['COPY', 'a', 'd', 'FOO'], ['COPY', 'a', 'd', 'replace', 'db', '0'],
    ['INCR', 'n'], ['COPY', 'n', 'n2'], ['INCR', 'n2'], ['GET', 'n'], ['COPY', 'nope', 'nope'], ['COPY', 'a'],
  ], { approx: [4] })

  diff('EXPIRE family', [
    ['EXPIRE', 'nope', '100'], ['SET', 'k', 'v'], ['EXPIRE', 'k', '100'], ['TTL', 'k'], ['PEXPIRE', 'k', '200000'], ['PTTL', 'k'],
    ['EXPIREAT', 'k', String(nowS() + 300)], ['TTL', 'k'], ['PEXPIREAT', 'k', String(nowMs() + 400_000)], ['PTTL', 'k'],
    ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['EXPIRE', 'k', 'x'], ['EXPIRE', 'k', '1.5'], ['EXPIRE', 'k', '+100'], ['EXPIRE', 'k', '-0'],
    ['EXPIRE', 'k'], ['PERSIST', 'k'], ['TTL', 'k'], ['PERSIST', 'k'], ['PERSIST', 'nope'], ['EXPIRETIME', 'k'], ['EXPIRETIME', 'nope'],
    ['PEXPIRETIME', 'nope'], ['TTL', 'nope'], ['PTTL', 'nope'], ['PTTL', 'k'],
  ], { approx: [3, 5, 7, 9, 10, 11] })

  diff('EXPIREAT with exact times', [
    ['SET', 'k', 'v'], ['EXPIREAT', 'k', '4000000000'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['PEXPIREAT', 'k', '4000000000123'],
    ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', '4000000000500'], ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', '4000000000499'], ['EXPIRETIME', 'k'],
  ])

  diff('EXPIRE NX XX GT LT', [
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '100', 'XX'], ['EXPIRE', 'k', '100', 'GT'], ['EXPIRE', 'k', '100', 'LT'], ['TTL', 'k'],
    ['EXPIRE', 'k', '200', 'NX'], ['TTL', 'k'], ['EXPIRE', 'k', '300', 'XX'], ['TTL', 'k'], ['EXPIRE', 'k', '50', 'GT'], ['EXPIRE', 'k', '400', 'GT'],
    ['TTL', 'k'], ['EXPIRE', 'k', '500', 'LT'], ['EXPIRE', 'k', '40', 'LT'], ['TTL', 'k'], ['EXPIRE', 'k', '30', 'xx', 'gt'], ['EXPIRE', 'k', '50', 'XX', 'GT'],
    ['TTL', 'k'], ['EXPIRE', 'k', '10', 'NX', 'XX'], ['EXPIRE', 'k', '10', 'NX', 'GT'], ['EXPIRE', 'k', '10', 'NX', 'LT'], ['EXPIRE', 'k', '10', 'GT', 'LT'],
    ['EXPIRE', 'k', '10', 'FOO'], ['EXPIRE', 'k', 'x', 'FOO'], ['EXPIRE', 'k', 'x', 'NX', 'XX'], ['EXPIRE', 'nope', '10', 'NX'],
    ['EXPIRE', 'k', '10', 'nx', 'nx'], ['PEXPIRE', 'k', '100', 'GT', 'GT'], ['EXPIRE', 'k', '-1', 'LT'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '-1', 'GT'], ['EXISTS', 'k'], ['EXPIRE', 'k', '-1', 'LT'], ['EXISTS', 'k'],
  ], { approx: [4, 6, 8, 11, 14, 17] })

  diff('EXPIRE in the past and overflow', [
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '0'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['EXPIRE', 'k', '-100'], ['GET', 'k'],
    ['SET', 'k', 'v'], ['EXPIREAT', 'k', '1'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['PEXPIREAT', 'k', '0'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '9223372036854775'], ['EXPIRE', 'k', '9223372036854776'], ['EXPIRE', 'k', '-9223372036854776'],
    ['PEXPIRE', 'k', '9223372036854775807'], ['PEXPIREAT', 'k', '9223372036854775807'], ['EXPIREAT', 'k', '9223372036854775807'],
    ['EXPIREAT', 'k', '9223372036854775'], ['SET', 'k', 'v', 'PXAT', '9223372036854775807'], ['EXISTS', 'k'],
    ['GETEX', 'k', 'EXAT', '9223372036854775'], ['EXPIRE', 'k', '9223372036854775808'], ['EXPIRE', 'nope', '9223372036854776'],
    ['EXPIRE', 'k', '-9223372036854775'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['PEXPIRE', 'k', '-9223372036854775808'], ['EXISTS', 'k'],
  ])

  diff('expiry takes effect', [
    ['SET', 'k', 'v'], ['PEXPIRE', 'k', '50'], ['__sleep', '120'], ['GET', 'k'], ['EXISTS', 'k'], ['TTL', 'k'], ['PERSIST', 'k'],
    ['SET', 'j', 'v', 'PX', '60'], ['PERSIST', 'j'], ['__sleep', '120'], ['GET', 'j'], ['TTL', 'j'],
    ['INCR', 'c'], ['PEXPIRE', 'c', '50'], ['__sleep', '120'], ['INCR', 'c'], ['TTL', 'c'],
  ])

  diff('TTL keeps the value and its type', [
    ['INCRBY', 'c', '41'], ['EXPIRE', 'c', '100'], ['INCR', 'c'], ['TTL', 'c'], ['PERSIST', 'c'], ['INCR', 'c'], ['TYPE', 'c'],
    ['SET', 's', 'text'], ['EXPIRE', 's', '100'], ['GET', 's'], ['APPEND', 's', '!'], ['TTL', 's'],
  ], { approx: [3, 11] })

  diff('KEYS', [
    ['MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6', 'h]llo', '7', 'a', '8', 'b-c', '9'],
    ['KEYS', '*'], ['KEYS', 'h?llo'], ['KEYS', 'h*llo'], ['KEYS', 'h[ae]llo'], ['KEYS', 'h[^e]llo'], ['KEYS', 'h[a-b]llo'],
    ['KEYS', 'h[b-a]llo'], ['KEYS', 'h\\*llo'], ['KEYS', 'h[\\]]llo'], ['KEYS', 'h[a'], ['KEYS', 'nomatch'], ['KEYS', ''],
    ['KEYS', '**'], ['KEYS', '?'], ['KEYS', '*-*'], ['KEYS', '[a-b]*'], ['KEYS', 'H*'], ['KEYS'], ['KEYS', 'a', 'b'],
    ['SET', '', 'empty'], ['KEYS', '*'], ['KEYS', '**'], ['KEYS', '*?'],
  ], { sorted: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 21, 22, 23] })

  diff('KEYS skips expired keys', [
    ['SET', 'a', '1', 'PX', '50'], ['SET', 'b', '2'], ['__sleep', '120'], ['KEYS', '*'],
  ])

  diff('SCAN in one call', [
    ['MSET', 'a1', '1', 'a2', '2', 'b1', '3', 'c', '4'], ['INCR', 'n'],
    ['SCAN', '0', 'COUNT', '10000'], ['SCAN', '0', 'COUNT', '10000', 'MATCH', 'a*'], ['SCAN', '0', 'MATCH', 'zz*', 'COUNT', '10000'],
    ['SCAN', '0', 'COUNT', '10000', 'TYPE', 'string'], ['SCAN', '0', 'COUNT', '10000', 'TYPE', 'STRING'], ['SCAN', '0', 'COUNT', '10000', 'TYPE', 'hash'],
    ['SCAN', '0', 'COUNT', '10000', 'TYPE', 'foo'],
  ], { typeOnly: [2, 3, 5, 6] })

  diff('SCAN errors', [
    ['SCAN', 'x'], ['SCAN', '-1'], ['SCAN', '+0'], ['SCAN', '007'], ['SCAN', ' 0'], ['SCAN', '0 '], ['SCAN', '+'], ['SCAN', '-'],
    ['SCAN', '99999'], ['SCAN', '18446744073709551615'], ['SCAN', '-18446744073709551615'], ['SCAN', '18446744073709551616'], ['SCAN', '1.5'], ['SCAN', ''],
    ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'MATCH'],
    ['SCAN', '0', 'TYPE'], ['SCAN', '0', 'FOO', 'bar'], ['SCAN'], ['SCAN', '0'], ['SCAN', '0', 'MATCH', '*', 'COUNT', '5', 'TYPE', 'string'],
  ])

  diff('RANDOMKEY', [['RANDOMKEY'], ['SET', 'only', '1'], ['RANDOMKEY'], ['MSET', 'a', '1', 'b', '2'], ['RANDOMKEY'], ['RANDOMKEY', 'x']], { typeOnly: [4] })

  diff('RANDOMKEY skips expired keys', [['SET', 'gone', '1', 'PX', '50'], ['SET', 'kept', '1'], ['__sleep', '120'], ['RANDOMKEY'], ['RANDOMKEY'], ['RANDOMKEY']])

  diff('DBSIZE FLUSHALL FLUSHDB', [
    ['DBSIZE'], ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['DBSIZE'], ['DEL', 'a'], ['DBSIZE'], ['FLUSHDB'], ['DBSIZE'], ['SET', 'x', '1'],
    ['FLUSHALL', 'SYNC'], ['DBSIZE'], ['FLUSHALL', 'ASYNC'], ['FLUSHDB', 'async'], ['FLUSHALL', 'FOO'], ['FLUSHALL', 'SYNC', 'ASYNC'],
    ['DBSIZE', 'x'], ['SET', 'after', '1'], ['GET', 'after'], ['DBSIZE'],
  ])
})

/** Every key a full SCAN iteration returns, with how many calls it took. */
async function scanAll(client: RawClient, ...options: string[]): Promise<{ keys: string[]; calls: number }> {
  const keys: string[] = []
  let cursor = '0'
  let calls = 0
  do {
    const reply = await client.call('SCAN', cursor, ...options)
    assert.equal(reply.type, 'array')
    const [next, batch] = (reply as { value: Decoded[] }).value as unknown as [{ value: string }, { value: Array<{ value: string }> }]
    cursor = next.value
    for (const key of batch.value) keys.push(key.value)
    calls++
    assert.ok(calls <= 4097, 'SCAN must end within one call per partition')
  } while (cursor !== '0')
  return { keys: keys.sort(), calls }
}

describe('SCAN iterations against redis-server', function () {
  this.timeout(60000)
  const servers = serverPair()

  it('returns every key exactly once, with MATCH, COUNT and TYPE, and ends at cursor 0', async () => {
    const pairs: string[] = []
    for (let i = 0; i < 3000; i++) pairs.push(`key:${i}`, String(i))
    for (const port of [servers.redis.port, servers.marekvs.port]) await runSteps(port, [['FLUSHALL'], ['MSET', ...pairs], ['INCR', 'counter']])
    const [r, m] = await Promise.all([RawClient.connect(servers.redis.port), RawClient.connect(servers.marekvs.port)])
    try {
      for (const options of [[], ['COUNT', '1'], ['COUNT', '100'], ['MATCH', 'key:1*', 'COUNT', '50'], ['TYPE', 'string', 'COUNT', '1000'], ['TYPE', 'list']]) {
        const want = await scanAll(r, ...options)
        const got = await scanAll(m, ...options)
        assert.deepEqual(got.keys, [...new Set(want.keys)].sort(), options.join(' '))
      }
      // COUNT bounds the work of a call: a small COUNT takes many calls, a large one few.
      assert.ok((await scanAll(m, 'COUNT', '10')).calls > 100)
      assert.equal((await scanAll(m, 'COUNT', '100000')).calls, 1)
    } finally {
      r.close()
      m.close()
    }
  })
})
