import assert from 'node:assert/strict'
import type { Reply } from '../../lib/core/reply'
import { PUBSUB_HARD_LIMIT_BYTES, PUBSUB_SOFT_LIMIT_BYTES, PUBSUB_SOFT_LIMIT_MS, PubSub, subscribedModeRefusal } from '../../lib/server/pubsub'

const b = (s: string) => Buffer.from(s)
const strings = (list: Buffer[]) => list.map((x) => x.toString('latin1'))
/** A delivery as [receiver, kind, ...fields] with buffers as text. */
const shown = (deliveries: Array<{ to: string; reply: { v: Reply[] } }>) =>
  deliveries.map(({ to, reply }) => [to, ...reply.v.map((x) => (Buffer.isBuffer(x) ? x.toString('latin1') : x))])

describe('pub/sub registry', () => {
  it('counts channels and patterns per subscriber; subscribing twice is one subscription', () => {
    const ps = new PubSub<string>()
    assert.equal(ps.subscribe('a', b('x')), 1)
    assert.equal(ps.subscribe('a', b('y')), 2)
    assert.equal(ps.subscribe('a', b('x')), 2)
    assert.equal(ps.psubscribe('a', b('x*')), 3)
    assert.equal(ps.psubscribe('a', b('x*')), 3)
    assert.deepEqual(ps.counts('a'), { channels: 2, patterns: 1 })
    assert.equal(ps.isSubscribed('a'), true)
    assert.equal(ps.isSubscribed('b'), false)
    assert.deepEqual(ps.counts('b'), { channels: 0, patterns: 0 })
  })

  it('unsubscribes, leaving subscribed mode only with no channel and no pattern left', () => {
    const ps = new PubSub<string>()
    ps.subscribe('a', b('x'))
    ps.psubscribe('a', b('p*'))
    assert.equal(ps.unsubscribe('a', b('nosuch')), 2)
    assert.equal(ps.unsubscribe('a', b('x')), 1)
    assert.equal(ps.isSubscribed('a'), true)
    assert.equal(ps.punsubscribe('a', b('p*')), 0)
    assert.equal(ps.isSubscribed('a'), false)
    assert.equal(ps.unsubscribe('a', b('x')), 0)
    assert.equal(ps.channelCount, 0)
    assert.equal(ps.patternCount, 0)
  })

  it('lists a subscriber’s channels and patterns in subscription order', () => {
    const ps = new PubSub<string>()
    for (const c of ['c', 'a', 'b']) ps.subscribe('s', b(c))
    for (const p of ['z*', 'a*']) ps.psubscribe('s', b(p))
    assert.deepEqual(strings(ps.channelsOf('s')), ['c', 'a', 'b'])
    assert.deepEqual(strings(ps.patternsOf('s')), ['z*', 'a*'])
    assert.deepEqual(ps.channelsOf('nobody'), [])
  })

  it('delivers to channel subscribers, then to each matching pattern’s subscribers', () => {
    const ps = new PubSub<string>()
    ps.subscribe('a', b('news.1'))
    ps.psubscribe('a', b('news.*'))
    ps.psubscribe('b', b('n*'))
    ps.psubscribe('b', b('sport.*'))
    ps.subscribe('c', b('news.1'))
    assert.deepEqual(shown(ps.publish(b('news.1'), b('hi'))), [
      ['a', 'message', 'news.1', 'hi'],
      ['c', 'message', 'news.1', 'hi'],
      ['a', 'pmessage', 'news.*', 'news.1', 'hi'],
      ['b', 'pmessage', 'n*', 'news.1', 'hi'],
    ])
    assert.deepEqual(ps.publish(b('weather'), b('rain')), [])
  })

  it('shares one reply between the receivers of the same message', () => {
    const ps = new PubSub<string>()
    ps.subscribe('a', b('x'))
    ps.subscribe('b', b('x'))
    const [first, second] = ps.publish(b('x'), b('m'))
    assert.equal(first.reply, second.reply)
    assert.equal(first.reply.t, 'push')
  })

  it('is binary-safe in channels, patterns and messages', () => {
    const ps = new PubSub<string>()
    const channel = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a])
    ps.subscribe('a', channel)
    ps.psubscribe('b', Buffer.from([0x00, 0x2a]))
    const deliveries = ps.publish(Buffer.from(channel), Buffer.from([0xc3, 0x28]))
    assert.equal(deliveries.length, 2)
    assert.deepEqual(deliveries[0].reply.v[1], channel)
    assert.deepEqual(ps.activeChannels(null), [channel])
    assert.equal(ps.numsub(Buffer.from(channel)), 1)
    assert.equal(ps.numsub(Buffer.from([0x00, 0xff])), 0)
  })

  it('matches patterns with Redis’s glob, where `*` does not match the empty channel', () => {
    const ps = new PubSub<string>()
    ps.psubscribe('a', b('h?llo.[a-c]*'))
    ps.psubscribe('b', b('*'))
    assert.deepEqual(shown(ps.publish(b('hello.beta'), b('m'))).map(([to]) => to), ['a', 'b'])
    assert.deepEqual(shown(ps.publish(b('hello.delta'), b('m'))).map(([to]) => to), ['b'])
    assert.deepEqual(ps.publish(b(''), b('m')), [])
  })

  it('answers PUBSUB CHANNELS, NUMSUB and NUMPAT', () => {
    const ps = new PubSub<string>()
    ps.subscribe('a', b('news.1'))
    ps.subscribe('b', b('news.1'))
    ps.subscribe('b', b('sport'))
    ps.psubscribe('a', b('n*'))
    ps.psubscribe('b', b('n*'))
    ps.psubscribe('b', b('s*'))
    assert.deepEqual(strings(ps.activeChannels(null)).sort(), ['news.1', 'sport'])
    assert.deepEqual(strings(ps.activeChannels(b('n*'))), ['news.1'])
    assert.deepEqual(ps.activeChannels(b('x*')), [])
    assert.equal(ps.numsub(b('news.1')), 2)
    assert.equal(ps.numsub(b('n*')), 0)
    assert.equal(ps.patternCount, 2) // unique patterns, as Redis 7.0
    assert.equal(ps.channelCount, 2)
  })

  it('removes every subscription of a subscriber at once (disconnect, RESET)', () => {
    const ps = new PubSub<string>()
    ps.subscribe('a', b('x'))
    ps.subscribe('a', b('y'))
    ps.psubscribe('a', b('x*'))
    ps.subscribe('b', b('x'))
    ps.remove('a')
    ps.remove('a')
    ps.remove('nobody')
    assert.equal(ps.isSubscribed('a'), false)
    assert.deepEqual(strings(ps.activeChannels(null)), ['x'])
    assert.equal(ps.patternCount, 0)
    assert.deepEqual(shown(ps.publish(b('x'), b('m'))), [['b', 'message', 'x', 'm']])
  })

  it('disconnects a slow subscriber past the hard limit, or past the soft limit for the soft period', () => {
    const ps = new PubSub<string>()
    ps.subscribe('a', b('x'))
    assert.equal(ps.overOutputLimit('a', PUBSUB_HARD_LIMIT_BYTES + 1, 0), true)
    assert.equal(ps.overOutputLimit('a', PUBSUB_SOFT_LIMIT_BYTES, 0), false)
    assert.equal(ps.overOutputLimit('a', PUBSUB_SOFT_LIMIT_BYTES + 1, 1000), false)
    assert.equal(ps.overOutputLimit('a', PUBSUB_SOFT_LIMIT_BYTES + 1, 1000 + PUBSUB_SOFT_LIMIT_MS - 1), false)
    assert.equal(ps.overOutputLimit('a', PUBSUB_SOFT_LIMIT_BYTES + 1, 1000 + PUBSUB_SOFT_LIMIT_MS), true)
    // Coming back under the soft limit restarts the period.
    assert.equal(ps.overOutputLimit('a', 10, 70_000), false)
    assert.equal(ps.overOutputLimit('a', PUBSUB_SOFT_LIMIT_BYTES + 1, 71_000), false)
    assert.equal(ps.overOutputLimit('a', PUBSUB_SOFT_LIMIT_BYTES + 1, 71_000 + PUBSUB_SOFT_LIMIT_MS - 1), false)
  })

  describe('RESP2 subscribed mode', () => {
    const command = (name: string, arity: number, subcommands?: Array<{ name: string; arity: number }>) =>
      ({ name, arity, flags: [], firstKey: 0, lastKey: 0, step: 0, group: '', summary: '', since: '', subcommands })
    const refusal = (r: unknown) => (r === null ? null : (r as { v: string }).v)

    it('refuses all but (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET with Redis’s wording', () => {
      for (const name of ['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']) {
        assert.equal(subscribedModeRefusal(command(name, -1), undefined, 1), null, name)
      }
      assert.equal(refusal(subscribedModeRefusal(command('get', 2), undefined, 2)),
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
      assert.match(refusal(subscribedModeRefusal(command('publish', 3), undefined, 3))!, /^ERR Can't execute 'publish'/)
    })

    it('names a subcommand by its full name, and leaves unknown subcommands and their arity errors to the container', () => {
      const setname = command('client|setname', 3)
      const client = command('client', -2, [setname])
      assert.match(refusal(subscribedModeRefusal(client, setname, 3))!, /^ERR Can't execute 'client\|setname'/)
      assert.equal(subscribedModeRefusal(client, setname, 2), null)
      assert.equal(subscribedModeRefusal(client, undefined, 2), null)
    })
  })
})
