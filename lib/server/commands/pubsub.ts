// Pub/sub on one node, as Redis 7.0: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH and
// PUBSUB. The registry (../pubsub.ts) decides who receives what; here the deliveries are
// written out. Confirmations are push replies: `>` in RESP3, arrays in RESP2, one per channel.
// PUBLISH reaches the subscribers of this node only (docs/compatibility.md).
import { error, push, Reply, several } from '../../core/reply'
import { log } from '../../log'
import type { ConnCommand, ConnHandler, NodeServices, Session } from '../session'
import { conn, container, helpReply, sub } from './util'

const EMBEDDED = error('ERR pub/sub is not supported by the embedded API')

/** Embedded sessions have no connection to deliver messages on (Session.addr is '' there). */
const embedded = (session: Session): boolean => session.addr === ''

// SUBSCRIBE channel [channel ...]
const subscribe: ConnHandler = (services, session, argv) => {
  if (embedded(session)) return EMBEDDED
  const replies: Reply[] = []
  for (let i = 1; i < argv.length; i++) replies.push(push(['subscribe', argv[i], services.pubsub.subscribe(session, argv[i])]))
  return several(replies)
}

// PSUBSCRIBE pattern [pattern ...]
const psubscribe: ConnHandler = (services, session, argv) => {
  if (embedded(session)) return EMBEDDED
  const replies: Reply[] = []
  for (let i = 1; i < argv.length; i++) replies.push(push(['psubscribe', argv[i], services.pubsub.psubscribe(session, argv[i])]))
  return several(replies)
}

// UNSUBSCRIBE [channel [channel ...]]
const unsubscribe: ConnHandler = (services, session, argv) => {
  const pubsub = services.pubsub
  const channels = argv.length > 1 ? argv.slice(1) : pubsub.channelsOf(session)
  // With nothing to unsubscribe from, Redis still confirms once, with a nil channel.
  if (channels.length === 0) return push(['unsubscribe', null, pubsub.count(session)])
  return several(channels.map((channel) => push(['unsubscribe', channel, pubsub.unsubscribe(session, channel)])))
}

// PUNSUBSCRIBE [pattern [pattern ...]]
const punsubscribe: ConnHandler = (services, session, argv) => {
  const pubsub = services.pubsub
  const patterns = argv.length > 1 ? argv.slice(1) : pubsub.patternsOf(session)
  if (patterns.length === 0) return push(['punsubscribe', null, pubsub.count(session)])
  return several(patterns.map((pattern) => push(['punsubscribe', pattern, pubsub.punsubscribe(session, pattern)])))
}

// PUBLISH channel message
const publish: ConnHandler = (services, session, argv) => {
  const { receivers, own } = deliver(services, argv[1], argv[2], session)
  return own.length === 0 ? receivers : several([...own, receivers])
}

/**
 * Write `message` to every subscriber of `channel` but `session` (PUBLISH, and scripts through
 * the engine's ScriptNode): their number, and `session`'s own copies, which go in its reply. A
 * RESP3 client subscribed to its own channel gets the message before PUBLISH's count, as in
 * Redis: its message goes in this reply, not behind it.
 */
export function deliver(services: Pick<NodeServices, 'pubsub'>, channel: Buffer, message: Buffer, session: Session | null): { receivers: number; own: Reply[] } {
  const pubsub = services.pubsub
  const deliveries = pubsub.publish(channel, message)
  const own: Reply[] = []
  const nowMs = Date.now()
  for (const { to, reply } of deliveries) {
    if (!pubsub.isSubscribed(to)) continue // disconnected just now for its output limit
    if (to === session) {
      own.push(reply)
      continue
    }
    to.push(reply)
    if (pubsub.overOutputLimit(to, to.outputBytes, nowMs)) {
      log.warn('closing subscriber: pubsub output buffer limit reached', { id: to.id, addr: to.addr, bytes: to.outputBytes })
      pubsub.remove(to)
      to.kill()
    }
  }
  return { receivers: deliveries.length, own }
}

// PUBSUB CHANNELS [pattern]
const channels: ConnHandler = (services, _session, argv) => {
  if (argv.length > 3) return syntaxError(argv)
  return services.pubsub.activeChannels(argv.length === 3 ? argv[2] : null)
}

// PUBSUB NUMSUB [channel [channel ...]]
const numsub: ConnHandler = (services, _session, argv) => {
  const out: Reply[] = []
  for (let i = 2; i < argv.length; i++) out.push(argv[i], services.pubsub.numsub(argv[i]))
  return out
}

// PUBSUB NUMPAT
const numpat: ConnHandler = (services) => services.pubsub.patternCount

// PUBSUB SHARDCHANNELS [pattern]: there is no SSUBSCRIBE, so no shard channel is ever active.
const shardchannels: ConnHandler = (_services, _session, argv) => (argv.length > 3 ? syntaxError(argv) : [])

// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
const shardnumsub: ConnHandler = (_services, _session, argv) => {
  const out: Reply[] = []
  for (let i = 2; i < argv.length; i++) out.push(argv[i], 0)
  return out
}

/** Redis's addReplySubcommandSyntaxError. */
function syntaxError(argv: Buffer[]): Reply {
  return error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString().slice(0, 128)}'. Try PUBSUB HELP.`)
}

const HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
]

// PUBSUB HELP
const help: ConnHandler = () => helpReply('PUBSUB', HELP)

const SUBSCRIBE_FLAGS = ['pubsub', 'noscript', 'loading', 'stale']
const INTROSPECT_FLAGS = ['pubsub', 'loading', 'stale']

export const pubsubCommands: ConnCommand[] = [
  conn('subscribe', -2, SUBSCRIBE_FLAGS, 'pubsub', 'Listen for messages published to the given channels', '2.0.0', subscribe),
  conn('unsubscribe', -1, SUBSCRIBE_FLAGS, 'pubsub', 'Stop listening for messages posted to the given channels', '2.0.0', unsubscribe),
  conn('psubscribe', -2, SUBSCRIBE_FLAGS, 'pubsub', 'Listen for messages published to channels matching the given patterns', '2.0.0', psubscribe),
  conn('punsubscribe', -1, SUBSCRIBE_FLAGS, 'pubsub', 'Stop listening for messages posted to channels matching the given patterns', '2.0.0', punsubscribe),
  conn('publish', 3, ['pubsub', 'loading', 'stale', 'fast'], 'pubsub', 'Post a message to a channel', '2.0.0', publish),
  container('pubsub', 'pubsub', 'A container for Pub/Sub commands', '2.8.0', [
    sub('pubsub', 'channels', -2, INTROSPECT_FLAGS, 'List active channels', '2.8.0', channels),
    sub('pubsub', 'numsub', -2, INTROSPECT_FLAGS, 'Get the count of subscribers for channels', '2.8.0', numsub),
    sub('pubsub', 'numpat', 2, INTROSPECT_FLAGS, 'Get the count of unique patterns pattern subscriptions', '2.8.0', numpat),
    sub('pubsub', 'shardchannels', -2, INTROSPECT_FLAGS, 'List active shard channels', '7.0.0', shardchannels),
    sub('pubsub', 'shardnumsub', -2, INTROSPECT_FLAGS, 'Get the count of subscribers for shard channels', '7.0.0', shardnumsub),
    sub('pubsub', 'help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', '6.2.0', help),
  ]),
]
