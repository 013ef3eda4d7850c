// Pub/sub against redis-server 7.0 and marekvs: several clients per scenario (subscribers and
// publishers); every RESP frame each client receives after each step must be the same on both.
// One command in, one reply out does not hold here (SUBSCRIBE a b answers twice, messages come
// unasked), so the scenario runs on Redis first, each client read until it stays quiet; marekvs
// must then send each client exactly as many frames, the same ones, and nothing more.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { rmSync } from 'node:fs'
import { configFromOptions } from '../../lib/config'
import { Database, hostFacts, ReplyError } from '../../lib/embed'
import { MarekNode } from '../../lib/node'
import { Decoded, RawClient } from '../support/resp'
import { serverPair } from '../support/diff'
import { Marekvs, startMarekvs, tempDir } from '../support/servers'

type Arg = string | Buffer

interface Step {
  readonly client: string
  /** Commands sent in one write (a pipeline when more than one). */
  readonly commands: Arg[][]
  /** Compare frames as a multiset, the subscription counts as a sequence (Redis's hash orders). */
  readonly unordered?: boolean
  /** Compare array replies as sorted (PUBSUB CHANNELS). */
  readonly sorted?: boolean
  /** Read but do not compare (HELLO: marekvs adds a field). */
  readonly ignore?: boolean
}

const send = (client: string, ...command: Arg[]): Step => ({ client, commands: [command] })
const pipe = (client: string, ...commands: Arg[][]): Step => ({ client, commands })
const unordered = (step: Step): Step => ({ ...step, unordered: true })
const sorted = (step: Step): Step => ({ ...step, sorted: true })
const ignored = (step: Step): Step => ({ ...step, ignore: true })

/** Frames per step, per client (in the scenario's client order). */
type Frames = Decoded[][][]

/** Redis answers on loopback in well under a millisecond: this much silence means it is done. */
const QUIET_MS = 60
/** How long marekvs may take for a frame Redis sent. */
const FRAME_TIMEOUT_MS = 5000

async function play(port: number, clientNames: string[], steps: Step[], expected?: Frames): Promise<Frames> {
  const clients = await Promise.all(clientNames.map(() => RawClient.connect(port)))
  try {
    const frames: Frames = []
    for (const [i, step] of steps.entries()) {
      const client = clients[clientNames.indexOf(step.client)]
      assert.ok(client !== undefined, `unknown client ${step.client}`)
      client.sendRaw(Buffer.concat(step.commands.map(encode)))
      frames.push(await Promise.all(clients.map(async (c, k) => {
        const got: Decoded[] = []
        if (expected === undefined) {
          for (let r = await c.tryRead(QUIET_MS); r !== null; r = await c.tryRead(QUIET_MS)) got.push(r)
        } else {
          for (let n = 0; n < expected[i][k].length; n++) {
            const r = await c.tryRead(FRAME_TIMEOUT_MS)
            if (r === null) break
            got.push(r)
          }
        }
        return got
      })))
    }
    if (expected !== undefined) {
      // Nothing more may come: anything late is counted in the last step, and fails it.
      const last = frames[frames.length - 1]
      await Promise.all(clients.map(async (c, k) => {
        for (let r = await c.tryRead(QUIET_MS * 2); r !== null; r = await c.tryRead(QUIET_MS)) last[k].push(r)
      }))
    }
    return frames
  } finally {
    for (const c of clients) c.close()
  }
}

function encode(argv: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)]
  for (const arg of argv) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(arg)
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

const canonical = (d: Decoded): string => JSON.stringify(d, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
const SUBSCRIPTION_KINDS = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe'])

/** A frame's subscription count (the third field of a confirmation), or null for other frames. */
function confirmation(d: Decoded): { rest: string; count: string } | null {
  if ((d.type !== 'array' && d.type !== 'push') || d.value.length !== 3) return null
  const [kind, channel, count] = d.value
  if (kind.type !== 'bulk' || !SUBSCRIPTION_KINDS.has(kind.value)) return null
  return { rest: canonical({ type: d.type, value: [kind, channel] }), count: canonical(count) }
}

function unorderedView(frames: Decoded[]): { items: string[]; counts: string[] } {
  const items: string[] = []
  const counts: string[] = []
  for (const f of frames) {
    const c = confirmation(f)
    if (c === null) items.push(canonical(f))
    else {
      items.push(c.rest)
      counts.push(c.count)
    }
  }
  return { items: items.sort(), counts }
}

function sortedFrame(d: Decoded): Decoded {
  if ((d.type === 'array' || d.type === 'set') && d.value.every((x) => x.type === 'bulk')) {
    return { ...d, value: [...d.value].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1)) }
  }
  return d
}

function compare(clientNames: string[], steps: Step[], want: Frames, got: Frames): void {
  for (const [i, step] of steps.entries()) {
    if (step.ignore) continue
    for (const [k, name] of clientNames.entries()) {
      const where = `step ${i} (${step.client}: ${step.commands.map((c) => c.map(String).join(' ')).join(' | ')}), frames seen by ${name}`
      if (step.unordered) assert.deepEqual(unorderedView(got[i][k]), unorderedView(want[i][k]), where)
      else if (step.sorted) assert.deepEqual(got[i][k].map(sortedFrame), want[i][k].map(sortedFrame), where)
      else assert.deepEqual(got[i][k], want[i][k], where)
    }
  }
}

/** Wait until the server has let go of every subscription (earlier scenarios' clients are closing). */
async function settled(port: number): Promise<void> {
  const client = await RawClient.connect(port)
  try {
    const deadline = Date.now() + 5000
    for (;;) {
      const channels = await client.call('PUBSUB', 'CHANNELS')
      const patterns = await client.call('PUBSUB', 'NUMPAT')
      if (channels.type === 'array' && channels.value.length === 0 && patterns.type === 'int' && patterns.value === 0n) return
      assert.ok(Date.now() < deadline, 'subscriptions of closed clients were not dropped')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  } finally {
    client.close()
  }
}

describe('differential: pub/sub', function () {
  this.timeout(120000)
  const servers = serverPair()

  const scenario = (title: string, clientNames: string[], steps: Step[]) => {
    it(title, async () => {
      await Promise.all([settled(servers.redis.port), settled(servers.marekvs.port)])
      for (const port of [servers.redis.port, servers.marekvs.port]) await play(port, ['x'], [send('x', 'FLUSHALL')])
      const want = await play(servers.redis.port, clientNames, steps)
      // Guard against a vacuous pass: Redis answered every command sent.
      for (const [i, step] of steps.entries()) assert.ok(want[i][clientNames.indexOf(step.client)].length >= step.commands.length, `Redis did not answer step ${i}`)
      const got = await play(servers.marekvs.port, clientNames, steps, want)
      compare(clientNames, steps, want, got)
    })
  }

  scenario('SUBSCRIBE several channels, PUBLISH, UNSUBSCRIBE one, then all, then none', ['a', 'p'], [
    send('a', 'SUBSCRIBE', 'c1', 'c2', 'c3'),
    send('a', 'SUBSCRIBE', 'c2'),
    send('p', 'PUBLISH', 'c1', 'hello'),
    send('p', 'PUBLISH', 'c3', ''),
    send('p', 'PUBLISH', 'nobody', 'x'),
    send('p', 'PUBSUB', 'NUMSUB', 'c1', 'c2', 'c4'),
    send('a', 'UNSUBSCRIBE', 'c2', 'nosuch'),
    send('p', 'PUBLISH', 'c2', 'x'),
    send('a', 'SUBSCRIBE', 'c4', 'c5'),
    unordered(send('a', 'UNSUBSCRIBE')),
    send('a', 'UNSUBSCRIBE'),
    send('a', 'PUNSUBSCRIBE'),
    send('a', 'GET', 'k'),
    send('p', 'PUBLISH', 'c1', 'x'),
  ])

  scenario('PSUBSCRIBE: a message matching a channel and patterns is delivered once for each', ['a', 'b', 'p'], [
    send('a', 'SUBSCRIBE', 'news.1'),
    send('a', 'PSUBSCRIBE', 'news.*'),
    send('b', 'PSUBSCRIBE', 'n*', 'x?z', '[ab]*'),
    send('p', 'PUBLISH', 'news.1', 'hi'),
    send('p', 'PUBLISH', 'news.2', 'hi'),
    send('p', 'PUBLISH', 'xyz', 'm'),
    send('p', 'PUBLISH', 'apple', 'm'),
    send('p', 'PUBLISH', 'sport', 'm'),
    send('p', 'PUBSUB', 'NUMPAT'),
    send('a', 'PSUBSCRIBE', 'n*'),
    send('p', 'PUBSUB', 'NUMPAT'),
    unordered(send('p', 'PUBLISH', 'news.1', 'again')),
    send('b', 'PUNSUBSCRIBE', 'x?z', 'nosuch'),
    send('b', 'PUNSUBSCRIBE'),
    send('p', 'PUBLISH', 'apple', 'm'),
    send('a', 'PUNSUBSCRIBE', 'news.*'),
    send('a', 'UNSUBSCRIBE'),
    send('a', 'PUNSUBSCRIBE'),
    send('p', 'PUBSUB', 'NUMPAT'),
  ])

  scenario('RESP2 subscribed mode: only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET', ['a', 'p'], [
    send('a', 'SUBSCRIBE', 'x'),
    send('a', 'GET', 'k'),
    send('a', 'SET', 'k', 'v'),
    send('a', 'PUBLISH', 'x', 'y'),
    send('a', 'CLIENT', 'LIST'),
    send('a', 'CLIENT', 'ID'),
    send('a', 'CLIENT', 'FOO'),
    send('a', 'CLIENT', 'SETNAME'),
    send('a', 'CLIENT'),
    send('a', 'PUBSUB', 'NUMPAT'),
    send('a', 'NOSUCH', 'x'),
    send('a', 'GET'),
    send('a', 'HELLO', '3'),
    send('a', 'ECHO', 'x'),
    send('a', 'PING'),
    send('a', 'PING', 'hi'),
    send('a', 'PING', 'a', 'b'),
    pipe('a', ['PING'], ['GET', 'k'], ['PING', 'x']),
    send('a', 'PSUBSCRIBE', 'p*'),
    send('a', 'PUNSUBSCRIBE', 'p*'),
    send('a', 'UNSUBSCRIBE', 'x'),
    send('a', 'GET', 'k'),
    send('a', 'PING'),
    send('a', 'SUBSCRIBE', 'y'),
    send('a', 'RESET'),
    send('a', 'GET', 'k'),
    send('p', 'PUBLISH', 'y', 'm'),
    send('p', 'PUBSUB', 'NUMSUB', 'y'),
  ])

  scenario('RESP3: confirmations and messages are pushes, any command runs in between', ['a', 'p'], [
    ignored(send('a', 'HELLO', '3')),
    send('a', 'SUBSCRIBE', 'x', 'y'),
    send('a', 'GET', 'k'),
    send('a', 'SET', 'k', 'v'),
    send('p', 'PUBLISH', 'x', 'm1'),
    send('a', 'GET', 'k'),
    send('a', 'PING'),
    send('a', 'PUBLISH', 'x', 'self'),
    pipe('a', ['GET', 'k'], ['PUBLISH', 'y', 'm2'], ['INCR', 'n'], ['PUBLISH', 'nobody', 'm'], ['GET', 'k']),
    send('a', 'PSUBSCRIBE', 'x*'),
    send('p', 'PUBLISH', 'x', 'm3'),
    send('a', 'PUBSUB', 'NUMSUB', 'x'),
    unordered(send('a', 'UNSUBSCRIBE')),
    send('a', 'PUNSUBSCRIBE'),
    send('a', 'UNSUBSCRIBE'),
    send('a', 'SUBSCRIBE', 'z'),
    ignored(send('a', 'HELLO', '2')),
    send('a', 'GET', 'k'),
    send('p', 'PUBLISH', 'z', 'back in RESP2'),
    send('a', 'UNSUBSCRIBE'),
  ])

  scenario('PUBSUB CHANNELS, NUMSUB, NUMPAT, HELP and errors', ['a', 'b', 'p'], [
    send('a', 'SUBSCRIBE', 'news.1', 'news.2', 'sport'),
    send('b', 'SUBSCRIBE', 'news.1'),
    send('b', 'PSUBSCRIBE', '*', 'news.*'),
    sorted(send('p', 'PUBSUB', 'CHANNELS')),
    sorted(send('p', 'PUBSUB', 'CHANNELS', 'news.*')),
    sorted(send('p', 'pubsub', 'channels', 'news.[12]')),
    send('p', 'PUBSUB', 'CHANNELS', 'nomatch*'),
    send('p', 'PUBSUB', 'NUMSUB', 'news.1', 'news.2', 'nosuch', 'news.*'),
    send('p', 'PUBSUB', 'NUMSUB'),
    send('p', 'PUBSUB', 'NUMPAT'),
    send('p', 'PUBSUB', 'HELP'),
    send('p', 'PUBSUB', 'CHANNELS', 'a', 'b'),
    send('p', 'PUBSUB', 'channelS', 'a', 'b'),
    send('p', 'PUBSUB', 'NUMPAT', 'x'),
    send('p', 'PUBSUB', 'HELP', 'x'),
    send('p', 'PUBSUB', 'FOO'),
    send('p', 'PUBSUB'),
    send('p', 'PUBSUB', 'SHARDCHANNELS'),
    send('p', 'PUBSUB', 'SHARDNUMSUB', 'news.1'),
    send('p', 'PUBSUB', 'SHARDCHANNELS', 'a', 'b'),
    ignored(send('p', 'HELLO', '3')),
    send('p', 'PUBSUB', 'NUMSUB', 'news.1'),
    send('p', 'PUBSUB', 'CHANNELS', 'sport'),
    send('p', 'PUBSUB', 'NUMPAT'),
  ])

  scenario('wrong arities', ['a'], [
    send('a', 'SUBSCRIBE'),
    send('a', 'PSUBSCRIBE'),
    send('a', 'PUBLISH'),
    send('a', 'PUBLISH', 'x'),
    send('a', 'PUBLISH', 'x', 'y', 'z'),
    send('a', 'UNSUBSCRIBE'),
    send('a', 'PUNSUBSCRIBE'),
    send('a', 'SUBSCRIBE', 'x'),
    send('a', 'PUBLISH', 'x'),
    send('a', 'SUBSCRIBE'),
  ])

  scenario('binary-safe and empty channels, patterns and messages', ['a', 'b', 'p'], [
    send('a', 'SUBSCRIBE', '', 'a b', Buffer.from([0x00, 0xff, 0x0d, 0x0a])),
    send('b', 'PSUBSCRIBE', '*', Buffer.from([0x00, 0x2a]), 'a\\ b', 'a[ ]?'),
    send('p', 'PUBLISH', '', 'm'),
    // Several patterns of one subscriber match: Redis delivers in its hash order.
    unordered(send('p', 'PUBLISH', 'a b', Buffer.from([0xc3, 0x28, 0x00]))),
    unordered(send('p', 'PUBLISH', Buffer.from([0x00, 0xff, 0x0d, 0x0a]), '\r\n')),
    send('p', 'PUBSUB', 'NUMSUB', '', 'a b'),
    sorted(send('p', 'PUBSUB', 'CHANNELS')),
  ])

  it('CLIENT LIST and CLIENT INFO show sub=, psub= and flags=P; TYPE pubsub selects subscribers', async () => {
    const fieldsOf = (line: string) => Object.fromEntries(line.trim().split(' ').map((kv) => kv.split('=')).filter(([k]) => ['flags', 'sub', 'psub', 'ssub', 'cmd'].includes(k)))
    const text = (d: Decoded) => (d.type === 'bulk' || d.type === 'verbatim' ? d.value : assert.fail(`not a string: ${canonical(d)}`))
    const run = async (port: number) => {
      await settled(port)
      const sub = await RawClient.connect(port)
      const other = await RawClient.connect(port)
      try {
        await sub.call('HELLO', '3')
        await sub.call('SUBSCRIBE', 'a', 'b')
        await sub.read()
        await sub.call('PSUBSCRIBE', 'c*')
        const info = fieldsOf(text(await sub.call('CLIENT', 'INFO')))
        const listed = text(await other.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).trim().split('\n').map(fieldsOf)
        const normal = text(await other.call('CLIENT', 'LIST', 'TYPE', 'normal')).trim().split('\n').map(fieldsOf)
        const stats = text(await other.call('INFO', 'stats')).split('\r\n').filter((l) => l.startsWith('pubsub'))
        const killedNormal = await other.call('CLIENT', 'KILL', 'TYPE', 'normal')
        const killed = await other.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
        const closed = await sub.closedByServer()
        return { info, listed, normal, stats, killedNormal, killed, closed }
      } finally {
        sub.close()
        other.close()
      }
    }
    const want = await run(servers.redis.port)
    assert.deepEqual(want.info, { flags: 'P', sub: '2', psub: '1', ssub: '0', cmd: 'client|info' })
    assert.deepEqual(await run(servers.marekvs.port), want)
  })

  it('drops the subscriptions of a client that disconnects', async () => {
    for (const port of [servers.redis.port, servers.marekvs.port]) {
      await settled(port)
      const sub = await RawClient.connect(port)
      await sub.call('SUBSCRIBE', 'gone')
      await sub.call('PSUBSCRIBE', 'gone*')
      sub.close()
      await settled(port)
    }
  })

  it('disconnects a subscriber that does not read past the pubsub output buffer hard limit (32 MB)', async () => {
    for (const port of [servers.redis.port, servers.marekvs.port]) {
      await settled(port)
      const sub = await RawClient.connect(port)
      const publisher = await RawClient.connect(port)
      try {
        await sub.call('SUBSCRIBE', 'firehose')
        sub.socket.pause()
        const message = Buffer.alloc(1024 * 1024, 0x61)
        const receivers: bigint[] = []
        for (let i = 0; i < 96; i++) {
          const r = await publisher.call('PUBLISH', 'firehose', message)
          assert.equal(r.type, 'int')
          receivers.push(r.value as bigint)
        }
        // The first messages reach it; then it is dropped, and later messages reach nobody.
        assert.equal(receivers[0], 1n, `port ${port}`)
        assert.equal(receivers[receivers.length - 1], 0n, `port ${port}: ${receivers.join(',')}`)
        assert.deepEqual(await publisher.call('PUBSUB', 'NUMSUB', 'firehose'), { type: 'array', value: [{ type: 'bulk', value: 'firehose' }, { type: 'int', value: 0n }] })
        assert.deepEqual(await publisher.call('PING'), { type: 'status', value: 'PONG' })
      } finally {
        sub.close()
        publisher.close()
      }
    }
  })

  it('ioredis: subscribe, psubscribe and publish end to end', async () => {
    const run = async (port: number) => {
      const subscriber = new Redis({ port, host: '127.0.0.1', lazyConnect: true })
      const publisher = new Redis({ port, host: '127.0.0.1', lazyConnect: true })
      await Promise.all([subscriber.connect(), publisher.connect()])
      const events: string[] = []
      subscriber.on('message', (channel: string, message: string) => events.push(`message ${channel} ${message}`))
      subscriber.on('pmessage', (pattern: string, channel: string, message: string) => events.push(`pmessage ${pattern} ${channel} ${message}`))
      subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => events.push(`messageBuffer ${channel.length} ${message.length}`))
      try {
        const counts: unknown[] = []
        counts.push(await subscriber.subscribe('orders', 'news'))
        counts.push(await subscriber.psubscribe('news.*'))
        counts.push(await publisher.publish('orders', 'o-1'))
        counts.push(await publisher.publish('news.eu', 'n-1'))
        counts.push(await publisher.publish('news', 'n-2'))
        counts.push(await publisher.pubsub('NUMSUB', 'orders', 'news'))
        counts.push(await publisher.pubsub('NUMPAT'))
        // ioredis refuses other commands on a subscriber connection itself; PING is allowed.
        counts.push(await subscriber.ping())
        counts.push(await subscriber.unsubscribe('orders'))
        counts.push(await publisher.publish('orders', 'o-2'))
        // (ioredis's own UNSUBSCRIBE with no argument waits for a confirmation per channel it
        // ever knew, on Redis too: name them.)
        counts.push(await subscriber.unsubscribe('news'))
        counts.push(await subscriber.punsubscribe('news.*'))
        // Out of subscribed mode, the same connection runs commands again.
        counts.push(await subscriber.set('k', 'v'), await subscriber.get('k'))
        // The last message has arrived: PUBLISH answers after it is written out.
        const deadline = Date.now() + 5000
        while (events.filter((e) => e.startsWith('message ') || e.startsWith('pmessage')).length < 3 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        return { counts, events }
      } finally {
        subscriber.disconnect()
        publisher.disconnect()
      }
    }
    const want = await run(servers.redis.port)
    assert.deepEqual(want.counts.slice(0, 5), [2, 3, 1, 1, 1])
    assert.deepEqual(await run(servers.marekvs.port), want)
  })
})

describe('pub/sub delivery order and MONITOR', function () {
  this.timeout(120000)
  let marekvs: Marekvs
  before(async () => {
    marekvs = await startMarekvs()
  })
  after(async () => {
    assert.equal(await marekvs.stop(), 0, marekvs.output())
  })

  it('writes messages after the replies still pending, in order, while pipelined commands run', async () => {
    const sub = await RawClient.connect(marekvs.port)
    const publisher = await RawClient.connect(marekvs.port)
    const watcher = await RawClient.connect(marekvs.port)
    try {
      assert.equal((await watcher.call('MONITOR')).type, 'status')
      await sub.call('HELLO', '3')
      assert.deepEqual(await sub.call('SUBSCRIBE', 'ch'), { type: 'push', value: [{ type: 'bulk', value: 'subscribe' }, { type: 'bulk', value: 'ch' }, { type: 'int', value: 1n }] })
      const rounds = 300
      const pipeline: Buffer[] = []
      for (let i = 0; i < rounds; i++) pipeline.push(encode(['SET', `k${i}`, String(i)]), encode(['GET', `k${i}`]), encode(['PUBLISH', 'ch', `self-${i}`]))
      sub.sendRaw(Buffer.concat(pipeline))
      const published: Promise<Decoded>[] = []
      for (let i = 0; i < 50; i++) published.push(publisher.call('PUBLISH', 'ch', `other-${i}`))
      const counts = await Promise.all(published)
      assert.ok(counts.every((c) => c.type === 'int' && c.value === 1n))
      // Replies in request order; each own message right before its PUBLISH's count; the other
      // publisher's messages in order, anywhere between whole replies.
      let other = 0
      for (let i = 0; i < rounds; i++) {
        const next = async (): Promise<Decoded> => {
          for (;;) {
            const frame = await sub.read()
            if (frame.type === 'push' && frame.value[2].type === 'bulk' && frame.value[2].value.startsWith('other-')) {
              assert.equal(frame.value[2].value, `other-${other++}`)
              continue
            }
            return frame
          }
        }
        assert.deepEqual(await next(), { type: 'status', value: 'OK' })
        assert.deepEqual(await next(), { type: 'bulk', value: String(i) })
        assert.deepEqual(await next(), { type: 'push', value: [{ type: 'bulk', value: 'message' }, { type: 'bulk', value: 'ch' }, { type: 'bulk', value: `self-${i}` }] })
        assert.deepEqual(await next(), { type: 'int', value: 1n })
      }
      while (other < 50) {
        const frame = await sub.read()
        assert.equal(frame.type === 'push' && frame.value[2].type === 'bulk' && frame.value[2].value, `other-${other++}`)
      }
      // MONITOR still sees every command, its lines in order.
      const first = await watcher.read()
      assert.ok(first.type === 'status' && first.value.endsWith('"HELLO" "3"'), JSON.stringify(first))
      const second = await watcher.read()
      assert.ok(second.type === 'status' && second.value.endsWith('"SUBSCRIBE" "ch"'), JSON.stringify(second))
    } finally {
      sub.close()
      publisher.close()
      watcher.close()
    }
  })

  it('embedded API: SUBSCRIBE is an error; PUBLISH reaches the node’s network subscribers', async () => {
    const dataDir = tempDir()
    const config = configFromOptions({ dataDir, respAddr: '127.0.0.1:0', metricsAddr: null, logLevel: 'warn' }, hostFacts())
    assert.ok(config.ok, JSON.stringify(config))
    const node = await MarekNode.open(config.config)
    const sub = await (async () => {
      await node.listen()
      return RawClient.connect(node.port)
    })()
    try {
      const db = new Database(node)
      await assert.rejects(db.call('SUBSCRIBE', 'x'), (err: unknown) => err instanceof ReplyError && err.message === 'ERR pub/sub is not supported by the embedded API')
      await assert.rejects(db.call('PSUBSCRIBE', 'x*'), /not supported by the embedded API/)
      assert.deepEqual(await db.call('UNSUBSCRIBE'), ['unsubscribe', null, 0])
      assert.equal(await db.call('PUBLISH', 'x', 'nobody'), 0)
      await sub.call('SUBSCRIBE', 'x')
      await sub.call('PSUBSCRIBE', 'x*')
      assert.equal(await db.call('PUBLISH', 'x', 'from embed'), 2)
      assert.deepEqual(await sub.read(), { type: 'array', value: [{ type: 'bulk', value: 'message' }, { type: 'bulk', value: 'x' }, { type: 'bulk', value: 'from embed' }] })
      assert.equal((await sub.read()).type, 'array')
      assert.deepEqual(await db.call('PUBSUB', 'NUMSUB', 'x'), ['x', 1])
      await db.close()
    } finally {
      sub.close()
      await node.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
