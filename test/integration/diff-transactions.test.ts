// MULTI/EXEC/DISCARD/WATCH against redis-server 7.0 and marekvs: same scripts, same replies.
import assert from 'node:assert/strict'
import { Diff, diffSuite, runPipelined } from '../support/diff'
import { RawClient } from '../support/resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

export const transactionsSuite = (diff: Diff): void => {
  diff('MULTI EXEC basics', [
    ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['HSET', 'h', 'f', 'v'], ['GET', 'a'], ['EXEC'], ['GET', 'a'],
    ['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['EXEC'], ['MULTI'], ['EXEC'],
  ])

  diff('runtime errors stay inside the EXEC reply', [
    ['SET', 's', 'x'], ['MULTI'], ['INCR', 's'], ['SET', 'b', '2'], ['HGET', 's', 'f'], ['EXEC'], ['GET', 'b'],
  ])

  diff('queue-time errors abort with EXECABORT', [
    ['MULTI'], ['SET', 'a', '1'], ['NOSUCHCOMMAND', 'x'], ['SET', 'b'], ['EXEC'], ['GET', 'a'], ['EXEC'],
    ['MULTI'], ['GET', 'a', 'b', 'c'], ['EXEC'],
  ])

  diff('DISCARD', [['MULTI'], ['SET', 'a', '1'], ['DISCARD'], ['GET', 'a'], ['DISCARD'], ['EXEC']])

  diff('keys on many shards, keyspace and connection commands inside MULTI', [
    ['MULTI'], ['MSET', 'k1', '1', 'k2', '2', 'k3', '3', 'k4', '4'], ['SADD', 's1', 'a'], ['SADD', 's2', 'a', 'b'], ['SUNIONSTORE', 'd', 's1', 's2'],
    ['DBSIZE'], ['PING'], ['ECHO', 'hi'], ['KEYS', 'k4'], ['RENAME', 'k1', 'k9'], ['EXEC'], ['MGET', 'k1', 'k9'],
  ])

  diff('WATCH: untouched keys let EXEC run', [
    ['SET', 'w', '1'], ['WATCH', 'w', 'missing'], ['MULTI'], ['INCR', 'w'], ['EXEC'], ['GET', 'w'], ['UNWATCH'],
  ])

  diff('WATCH: a write by the same client before MULTI breaks it', [
    ['SET', 'w', '1'], ['WATCH', 'w'], ['SET', 'w', '2'], ['MULTI'], ['INCR', 'w'], ['EXEC'], ['GET', 'w'],
    ['WATCH', 'w'], ['UNWATCH'], ['SET', 'w', '5'], ['MULTI'], ['GET', 'w'], ['EXEC'],
    ['WATCH', 'nokey'], ['DEL', 'nokey'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'nokey'], ['SET', 'nokey', '1'], ['DEL', 'nokey'], ['MULTI'], ['PING'], ['EXEC'],
  ])

  diff('WATCH inside MULTI, and after DISCARD', [
    ['MULTI'], ['WATCH', 'x'], ['EXEC'], ['WATCH', 'x'], ['SET', 'x', '1'], ['MULTI'], ['DISCARD'], ['MULTI'], ['GET', 'x'], ['EXEC'],
  ])

  diff('WATCH: an expiry after WATCH breaks it', [
    ['SET', 'e', '1', 'PX', '60'], ['WATCH', 'e'], ['__sleep', '150'], ['MULTI'], ['PING'], ['EXEC'],
  ])

  diff('EXEC aborted by WATCH in RESP3 is null', [['WATCH', 'w'], ['SET', 'w', '1'], ['MULTI'], ['PING'], ['EXEC']], { proto: 3 })

  diff('FLUSHALL breaks WATCH on an existing key', [
    ['SET', 'w', '1'], ['WATCH', 'w'], ['FLUSHALL'], ['MULTI'], ['PING'], ['EXEC'],
  ])
}

diffSuite('transactions', transactionsSuite)

describe('WATCH against another client', function () {
  this.timeout(60000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  it('a write from another client aborts EXEC on both servers', async () => {
    for (const server of servers) {
      const [a, b] = await Promise.all([RawClient.connect(server.port), RawClient.connect(server.port)])
      try {
        await a.call('SET', 'balance', '10')
        await a.call('WATCH', 'balance')
        await b.call('INCRBY', 'balance', '5')
        await a.call('MULTI')
        await a.call('DECRBY', 'balance', '3')
        assert.deepEqual(await a.call('EXEC'), { type: 'nilarray' })
        assert.deepEqual(await a.call('GET', 'balance'), { type: 'bulk', value: '15' })
        // Without interference the transaction commits.
        await a.call('WATCH', 'balance')
        await a.call('MULTI')
        await a.call('DECRBY', 'balance', '3')
        assert.deepEqual(await a.call('EXEC'), { type: 'array', value: [{ type: 'int', value: 12n }] })
      } finally {
        a.close()
        b.close()
      }
    }
  })

  it('pipelined WATCH, MULTI, EXEC and a read after it keep their order', async () => {
    for (const server of servers) {
      const replies = await runPipelined(server.port, [['SET', 'p', '1'], ['WATCH', 'p'], ['MULTI'], ['INCR', 'p'], ['EXEC'], ['GET', 'p']])
      assert.deepEqual(replies.slice(4), [{ type: 'array', value: [{ type: 'int', value: 2n }] }, { type: 'bulk', value: '2' }])
    }
  })
})
