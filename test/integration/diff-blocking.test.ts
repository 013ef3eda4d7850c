// Blocking commands against redis-server 7.0 and marekvs, with several clients: the same
// scenario runs on both servers and each client must see the same replies.
import { scenarioRunner } from '../support/diff'
import type { Decoded } from '../support/resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('differential: blocking commands', function () {
  this.timeout(60000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  const scenario = scenarioRunner(() => servers)

  scenario('BZPOPMIN serves a waiting client when a member arrives', 2, async ([a, b]) => {
    a.send(['BZPOPMIN', 'z', '5'])
    await sleep(100)
    const added = await b.call('ZADD', 'z', '1', 'm')
    return [added, await a.read(), await b.call('ZCARD', 'z')]
  })

  scenario('first come, first served: one member per arrival, in blocking order', 4, async ([a, b, c, writer]) => {
    a.send(['BZPOPMAX', 'z', '5'])
    await sleep(50)
    b.send(['BZPOPMAX', 'z', 'other', '5'])
    await sleep(50)
    c.send(['BZPOPMAX', 'z', '5'])
    await sleep(50)
    const first = await writer.call('ZADD', 'z', '1', 'x')
    const gotA = await a.read()
    const second = await writer.call('ZADD', 'z', '2', 'y', '3', 'w')
    return [first, gotA, second, await b.read(), await c.read(), await writer.call('EXISTS', 'z')]
  })

  scenario('timeouts answer nil, and sub-second timeouts are honoured', 1, async ([a]) => {
    const started = Date.now()
    const reply = await a.call('BZPOPMIN', 'z', '0.2')
    const elapsed = Date.now() - started
    return [reply, elapsed >= 150 && elapsed < 2000]
  })

  scenario('an existing member is taken at once; errors do not block', 1, async ([a]) => {
    await a.call('ZADD', 'z', '5', 'm', '6', 'n')
    await a.call('SET', 's', 'x')
    return [
      await a.call('BZPOPMIN', 'empty', 'z', '1'), await a.call('BZPOPMAX', 's', 'z', '1'), await a.call('BZPOPMIN', 'z', 's', '1'),
      await a.call('BZPOPMIN', 'z', 'x'), await a.call('BZPOPMIN', 'z', '-1'), await a.call('BZPOPMIN', 'z', 'inf'),
      await a.call('BZMPOP', '1', '1', 'z', 'MIN'), await a.call('BZMPOP', '1', '1', 'z', 'FOO'), await a.call('BZMPOP', 'x', '1', 'z', 'MIN'),
      await a.call('BZMPOP', '0.1', '2', 'e1', 'e2', 'MAX', 'COUNT', '2'),
    ]
  })

  scenario('BZMPOP waits on several keys', 2, async ([a, b]) => {
    a.send(['BZMPOP', '5', '2', 'z1', 'z2', 'MAX', 'COUNT', '5'])
    await sleep(100)
    await b.call('ZADD', 'z2', '1', 'a', '2', 'b')
    return [await a.read()]
  })

  scenario('inside MULTI a blocking command does not block', 1, async ([a]) => {
    return [await a.call('MULTI'), await a.call('BZPOPMIN', 'z', '0'), await a.call('BLPOP', 'l', '0'), await a.call('BLMOVE', 'l', 'm', 'LEFT', 'LEFT', '0'),
      await a.call('BRPOPLPUSH', 'l', 'm', '0'), await a.call('BLMPOP', '0', '1', 'l', 'LEFT'), await a.call('EXEC')]
  })

  scenario('a client that disconnects while blocked takes nothing', 2, async ([a, b]) => {
    a.send(['BZPOPMIN', 'z', '0'])
    await sleep(100)
    a.close()
    await sleep(100)
    await b.call('ZADD', 'z', '1', 'm')
    await sleep(100)
    return [await b.call('ZCARD', 'z'), await b.call('INFO', 'clients').then((info) => /blocked_clients:(\d+)/.exec((info as { value: string }).value)?.[1])]
  })

  scenario('a blocked client runs its next pipelined commands only after it is served', 2, async ([a, b]) => {
    a.send(['BZPOPMIN', 'z', '5'])
    a.send(['ZCARD', 'z'])
    await sleep(100)
    await b.call('ZADD', 'z', '1', 'm', '2', 'n')
    return [await a.read(), await a.read()]
  })

  scenario('RESP3 replies', 2, async ([a, b]) => {
    await a.call('HELLO', '3')
    a.send(['BZPOPMIN', 'z', '5'])
    await sleep(50)
    await b.call('ZADD', 'z', '1.5', 'm')
    const served = await a.read()
    return [served, await a.call('BZPOPMIN', 'z', '0.05')] as Decoded[]
  })

  scenario('BLPOP and BRPOP: a job queue with several workers', 4, async ([w1, w2, w3, producer]) => {
    w1.send(['BRPOP', 'jobs', '5'])
    await sleep(50)
    w2.send(['BRPOP', 'jobs', 'other', '5'])
    await sleep(50)
    w3.send(['BLPOP', 'jobs', '5'])
    await sleep(50)
    const pushed = await producer.call('LPUSH', 'jobs', 'j1', 'j2', 'j3', 'j4')
    return [pushed, await w1.read(), await w2.read(), await w3.read(), await producer.call('LRANGE', 'jobs', '0', '-1')]
  })

  scenario('BLMOVE and BRPOPLPUSH wait, then move; the move wakes waiters on the destination', 3, async ([a, b, writer]) => {
    a.send(['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '5'])
    await sleep(50)
    b.send(['BLPOP', 'dst', '5'])
    await sleep(50)
    await writer.call('RPUSH', 'src', 'x', 'y')
    return [await a.read(), await b.read(), await writer.call('LRANGE', 'src', '0', '-1'), await writer.call('BRPOPLPUSH', 'src', 'dst', '1'),
      await writer.call('LRANGE', 'dst', '0', '-1'), await writer.call('BRPOPLPUSH', 'nope', 'dst', '0.05'), await writer.call('BLMOVE', 'nope', 'dst', 'LEFT', 'LEFT', '0.05')]
  })

  scenario('BLMPOP and list errors', 2, async ([a, b]) => {
    a.send(['BLMPOP', '5', '2', 'l1', 'l2', 'RIGHT', 'COUNT', '3'])
    await sleep(50)
    await b.call('RPUSH', 'l2', '1', '2')
    await b.call('SET', 's', 'x')
    return [await a.read(), await b.call('BLPOP', 's', '1'), await b.call('BLMOVE', 'a', 'b', 'UP', 'LEFT', '1'), await b.call('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', 'x'),
      await b.call('BLMPOP', '0.01', '1', 'l1', 'LEFT'), await b.call('BLMPOP', '1', '0', 'l1', 'LEFT'), await b.call('BLPOP', 'l1', '-2'), await b.call('BRPOPLPUSH', 's', 'd', '1')]
  })

  scenario('LMOVE inside MULTI wakes a waiter when EXEC commits', 2, async ([a, b]) => {
    a.send(['BLPOP', 'q', '5'])
    await sleep(50)
    await b.call('MULTI')
    await b.call('RPUSH', 'tmp', 'v')
    await b.call('LMOVE', 'tmp', 'q', 'LEFT', 'LEFT')
    return [await b.call('EXEC'), await a.read()]
  })

  scenario('RENAME and COPY onto a key with blocked clients serve them', 3, async ([a, b, writer]) => {
    a.send(['BLPOP', 'dst', '5'])
    b.send(['BZPOPMIN', 'zdst', '5'])
    await sleep(100)
    await writer.call('RPUSH', 'src', 'x')
    await writer.call('RENAME', 'src', 'dst')
    await writer.call('ZADD', 'zsrc', '1', 'm')
    await writer.call('COPY', 'zsrc', 'zdst')
    return [await a.read(), await b.read(), await writer.call('ZCARD', 'zdst')]
  })

  scenario('a timeout longer than 2^31 ms still blocks', 2, async ([a, b]) => {
    a.send(['BLPOP', 'k', '3000000'])
    await sleep(200)
    await b.call('RPUSH', 'k', 'v')
    return [await a.read()]
  })

  scenario('a client that disconnects before its first attempt ran never waits', 3, async ([slow, a, writer]) => {
    // A slow command ahead on the same shard ({g}) keeps the attempt queued while the client goes.
    writer.send(['SADD', '{g}big', ...Array.from({ length: 200000 }, (_, i) => `m${i}`)])
    await writer.read()
    slow.send(['SMEMBERS', '{g}big'])
    a.send(['BLPOP', '{g}k', '0'])
    a.close()
    await sleep(300)
    await writer.call('RPUSH', '{g}k', 'x')
    await sleep(100)
    const blocked = /blocked_clients:(\d+)/.exec(((await writer.call('INFO', 'clients')) as { value: string }).value)?.[1]
    return [await writer.call('LLEN', '{g}k'), blocked, (await slow.read()).type]
  })
})
