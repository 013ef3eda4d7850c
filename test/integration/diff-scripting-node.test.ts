// Scripts that call PUBLISH, DBSIZE, KEYS and SCAN, against redis-server 7.0 and marekvs: such a
// script runs with every shard paused (its text names the command), where it reaches the node's
// subscribers and every key, whatever keys it declares.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { diffSuite, scenarioRunner, serverPair } from '../support/diff'
import { RawClient } from '../support/resp'
import { Marekvs, startMarekvs } from '../support/servers'

const COUNT_AFTER_SET = "redis.call('set', KEYS[1], ARGV[1]) return redis.call('DBSIZE')"
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')
const PUBLISH = "return redis.call('publish', KEYS[1], ARGV[1])"

diffSuite('scripts calling DBSIZE, KEYS, SCAN and PUBLISH', (diff) => {
  diff('DBSIZE sees the keys the script wrote, declared keys or not', [
    ['MSET', 'a', '1', 'b', '2', '{t}c', '3'],
    ['EVAL', "return redis.call('dbsize')", '0'],
    ['EVAL', COUNT_AFTER_SET, '1', 'new', 'v'],
    ['EVAL', COUNT_AFTER_SET, '1', 'a', 'v'],
    ['EVAL', "redis.call('del', KEYS[1], KEYS[2]) return redis.call('dbsize')", '2', 'a', 'new'],
    ['SCRIPT', 'LOAD', COUNT_AFTER_SET],
    ['EVALSHA', sha1(COUNT_AFTER_SET), '1', 'x', 'y'],
    ['DBSIZE'],
    ['EVAL', "return redis.call('dbsize', 'extra')", '0'],
  ])

  diff('KEYS and SCAN see the keys the script wrote and deleted', [
    ['MSET', 'user:1', 'a', 'user:2', 'b', 'other', 'c'],
    ['HSET', 'user:h', 'f', 'v'],
    ['EVAL', "return redis.call('keys', ARGV[1])", '0', 'user:*'],
    ['EVAL', "redis.call('set', KEYS[1], 'x') redis.call('del', KEYS[2]) return redis.call('KEYS', 'user:*')", '2', 'user:3', 'user:1'],
    ['EVAL', "local r = redis.call('scan', '0', 'MATCH', 'user:*', 'COUNT', '1000') return {r[1], r[2]}", '0'],
    ['EVAL', "return redis.call('scan', '0', 'TYPE', 'hash')", '0'],
    ['EVAL', "redis.call('del', 'user:h') return redis.call('scan', 0, 'type', 'hash')", '0'],
    // The pattern-delete idiom: a SCAN loop that deletes what it finds.
    ['EVAL', "local c = '0' local n = 0 repeat local r = redis.call('SCAN', c, 'MATCH', ARGV[1]) c = r[1] for _, k in ipairs(r[2]) do n = n + redis.call('DEL', k) end until c == '0' return n", '0', 'user:*'],
    ['KEYS', '*'],
    ['EVAL', "return redis.call('keys')", '0'],
    ['EVAL', "return redis.pcall('scan', 'nope')", '0'],
    ['EVAL', "return redis.pcall('scan', '0', 'COUNT', '0')", '0'],
  ], { sorted: [2, 3, 8], sortedItems: [4, 5, 6] })

  diff('PUBLISH without subscribers answers 0; its arity is checked', [
    ['EVAL', PUBLISH, '1', 'ch', 'hello'],
    ['EVAL', "return redis.call('publish', 'ch')", '0'],
    ['EVAL', "return redis.pcall('PUBLISH', 'ch', 'm', 'x')", '0'],
  ])
})

describe('differential: scripts publishing to subscribers', function () {
  this.timeout(60000)
  const pair = serverPair()
  const scenario = scenarioRunner(() => [pair.redis, pair.marekvs])

  scenario('a script publishes to channel and pattern subscribers, declared keys or none', 3, async ([a, b, writer]) => {
    const seen: unknown[] = [await a.call('SUBSCRIBE', 'news'), await b.call('PSUBSCRIBE', 'n*')]
    seen.push(await writer.call('EVAL', PUBLISH, '1', 'news', 'first'))
    seen.push(await a.read(), await b.read())
    seen.push(await writer.call('EVAL', "redis.call('set', KEYS[1], 'v') return redis.call('PUBLISH', 'news', ARGV[1])", '1', 'k', 'second'))
    seen.push(await a.read(), await b.read())
    seen.push(await writer.call('GET', 'k'))
    return seen
  })
})

describe('scripts calling PUBLISH by a name built at run time', function () {
  this.timeout(60000)
  let node: Marekvs
  before(async () => {
    node = await startMarekvs()
  })
  after(() => node.stop())

  it('run on their shard, where PUBLISH, KEYS and SCAN answer an error naming the fix, and numkeys 0 works', async () => {
    const client = await RawClient.connect(node.port)
    try {
      const dynamic = "return redis.call(ARGV[1], KEYS[1], 'm')"
      const onShard = await client.call('EVAL', dynamic, '1', 'ch', 'publish')
      assert.equal(onShard.type, 'error')
      assert.match(String(onShard.value), /^ERR 'publish' was called by a script running on one shard/)
      assert.deepEqual(await client.call('EVAL', "return redis.call(ARGV[1], 'ch', 'm')", '0', 'publish'), { type: 'int', value: 0n })
      for (const [name, args] of [['keys', ['*']], ['scan', ['0']]] as const) {
        const reply = await client.call('EVAL', 'return redis.call(ARGV[1], unpack(ARGV, 2))', '1', 'k', name, ...args)
        assert.equal(reply.type, 'error')
        assert.match(String(reply.value), new RegExp(`^ERR '${name}' was called by a script running on one shard`))
      }
    } finally {
      client.close()
    }
  })
})
