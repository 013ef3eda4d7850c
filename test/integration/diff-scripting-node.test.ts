// Scripts that call PUBLISH and DBSIZE, against redis-server 7.0 and marekvs: such a script runs
// with every shard paused (its text names the command), where it reaches the node's subscribers
// and key counts, whatever keys it declares.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { diffSuite, scenarioRunner } from '../support/diff'
import { RawClient } from '../support/resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

const COUNT_AFTER_SET = "redis.call('set', KEYS[1], ARGV[1]) return redis.call('DBSIZE')"
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')
const PUBLISH = "return redis.call('publish', KEYS[1], ARGV[1])"

diffSuite('scripts calling DBSIZE and PUBLISH', (diff) => {
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

  diff('PUBLISH without subscribers answers 0; its arity is checked', [
    ['EVAL', PUBLISH, '1', 'ch', 'hello'],
    ['EVAL', "return redis.call('publish', 'ch')", '0'],
    ['EVAL', "return redis.pcall('PUBLISH', 'ch', 'm', 'x')", '0'],
  ])
})

describe('differential: scripts publishing to subscribers', function () {
  this.timeout(60000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  const scenario = scenarioRunner(() => servers)

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

  it('run on their shard, where PUBLISH answers an error naming the fix, and numkeys 0 works', async () => {
    const client = await RawClient.connect(node.port)
    try {
      const dynamic = "return redis.call(ARGV[1], KEYS[1], 'm')"
      const onShard = await client.call('EVAL', dynamic, '1', 'ch', 'publish')
      assert.equal(onShard.type, 'error')
      assert.match(String(onShard.value), /^ERR 'publish' was called by a script running on one shard/)
      assert.deepEqual(await client.call('EVAL', "return redis.call(ARGV[1], 'ch', 'm')", '0', 'publish'), { type: 'int', value: 0n })
    } finally {
      client.close()
    }
  })
})
