// The pub/sub registry of one node: which subscriber listens to which channels and patterns.
// Pure data: it decides who receives a message and what they receive; the commands
// (commands/pubsub.ts) write the deliveries out. Generic over the subscriber so that unit tests
// use plain objects.
//
// Channels and patterns are binary-safe: they are keyed by their latin1 decoding, which maps
// each byte to one char and back. Orders are insertion orders: a subscriber's channels and
// patterns in the order it subscribed (Redis 7.0 keeps patterns in that order too; its channels
// come in hash order, docs/compatibility.md), a channel's subscribers in the order they came.
import { globMatch } from '../commands/glob'
import { arityOk, CommandInfo } from '../commands/types'
import { error, ErrorReply, push, PushReply } from '../core/reply'

/**
 * Redis's `client-output-buffer-limit pubsub 32mb 8mb 60`: a subscriber whose unsent output
 * passes the hard limit, or stays past the soft limit for the soft period, is disconnected.
 * A subscriber that does not read must not make the node hold every message it is sent.
 */
export const PUBSUB_HARD_LIMIT_BYTES = 32 * 1024 * 1024
export const PUBSUB_SOFT_LIMIT_BYTES = 8 * 1024 * 1024
export const PUBSUB_SOFT_LIMIT_MS = 60_000

/** Commands a RESP2 client may send while it has subscriptions (Redis 7.0's list). */
const ALLOWED_WHEN_SUBSCRIBED = new Set(['ping', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'quit', 'reset'])

/**
 * Redis's refusal of a command in RESP2 subscribed mode, or null when it may run. As in Redis,
 * an unknown subcommand or a subcommand's wrong arity is answered as such, not refused: those
 * are left to the container. `command` has passed the lookup and its own arity check.
 */
export function subscribedModeRefusal(command: CommandInfo & { readonly subcommands?: unknown }, subcommand: CommandInfo | undefined, argc: number): ErrorReply | null {
  if (command.subcommands !== undefined && (subcommand === undefined || !arityOk(subcommand.arity, argc))) return null
  const name = (subcommand ?? command).name
  if (ALLOWED_WHEN_SUBSCRIBED.has(name)) return null
  return error(`ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`)
}

export interface Delivery<S> {
  readonly to: S
  /** `message channel payload` or `pmessage pattern channel payload`, shared between receivers. */
  readonly reply: PushReply
}

interface Subscriptions {
  readonly channels: Map<string, Buffer>
  readonly patterns: Map<string, Buffer>
  /** When the output first went over the soft limit without coming back under; -1 when under. */
  overSoftSinceMs: number
}

interface Pattern<S> {
  readonly pattern: Buffer
  readonly subscribers: Set<S>
}

const key = (name: Buffer): string => name.toString('latin1')

export class PubSub<S> {
  private readonly channels = new Map<string, Set<S>>()
  private readonly patterns = new Map<string, Pattern<S>>()
  private readonly subscribers = new Map<S, Subscriptions>()

  /** Subscribe (idempotent); the subscriber's channel and pattern count after it. */
  subscribe(s: S, channel: Buffer): number {
    const subs = this.subscriptionsOf(s)
    const k = key(channel)
    if (!subs.channels.has(k)) {
      subs.channels.set(k, channel)
      let set = this.channels.get(k)
      if (set === undefined) this.channels.set(k, (set = new Set()))
      set.add(s)
    }
    return this.count(s)
  }

  /** Unsubscribe (a no-op when not subscribed); the count after it. */
  unsubscribe(s: S, channel: Buffer): number {
    const subs = this.subscribers.get(s)
    const k = key(channel)
    if (subs !== undefined && subs.channels.delete(k)) {
      const set = this.channels.get(k)!
      set.delete(s)
      if (set.size === 0) this.channels.delete(k)
      this.forgetIfIdle(s, subs)
    }
    return this.count(s)
  }

  psubscribe(s: S, pattern: Buffer): number {
    const subs = this.subscriptionsOf(s)
    const k = key(pattern)
    if (!subs.patterns.has(k)) {
      subs.patterns.set(k, pattern)
      let entry = this.patterns.get(k)
      if (entry === undefined) this.patterns.set(k, (entry = { pattern, subscribers: new Set() }))
      entry.subscribers.add(s)
    }
    return this.count(s)
  }

  punsubscribe(s: S, pattern: Buffer): number {
    const subs = this.subscribers.get(s)
    const k = key(pattern)
    if (subs !== undefined && subs.patterns.delete(k)) {
      const entry = this.patterns.get(k)!
      entry.subscribers.delete(s)
      if (entry.subscribers.size === 0) this.patterns.delete(k)
      this.forgetIfIdle(s, subs)
    }
    return this.count(s)
  }

  /** The subscriber's channels, in the order it subscribed (UNSUBSCRIBE with no argument). */
  channelsOf(s: S): Buffer[] {
    return [...(this.subscribers.get(s)?.channels.values() ?? [])]
  }

  patternsOf(s: S): Buffer[] {
    return [...(this.subscribers.get(s)?.patterns.values() ?? [])]
  }

  /** Channels plus patterns: the count in subscribe confirmations. */
  count(s: S): number {
    const subs = this.subscribers.get(s)
    return subs === undefined ? 0 : subs.channels.size + subs.patterns.size
  }

  /** CLIENT LIST `sub=` and `psub=`. */
  counts(s: S): { channels: number; patterns: number } {
    const subs = this.subscribers.get(s)
    return { channels: subs?.channels.size ?? 0, patterns: subs?.patterns.size ?? 0 }
  }

  /** In subscribed mode: RESP2 clients may then send only the pub/sub commands, PING, QUIT, RESET. */
  isSubscribed(s: S): boolean {
    return this.subscribers.has(s)
  }

  /** Drop every subscription, with no confirmations (disconnect, RESET). */
  remove(s: S): void {
    const subs = this.subscribers.get(s)
    if (subs === undefined) return
    for (const k of subs.channels.keys()) {
      const set = this.channels.get(k)!
      set.delete(s)
      if (set.size === 0) this.channels.delete(k)
    }
    for (const k of subs.patterns.keys()) {
      const entry = this.patterns.get(k)!
      entry.subscribers.delete(s)
      if (entry.subscribers.size === 0) this.patterns.delete(k)
    }
    this.subscribers.delete(s)
  }

  /**
   * Who receives a message published to `channel`, and what: the channel's subscribers, then,
   * for each matching pattern, its subscribers (a subscriber of both gets both). PUBLISH
   * answers the number of deliveries.
   */
  publish(channel: Buffer, message: Buffer): Delivery<S>[] {
    const deliveries: Delivery<S>[] = []
    const set = this.channels.get(key(channel))
    if (set !== undefined) {
      const reply = push(['message', channel, message])
      for (const to of set) deliveries.push({ to, reply })
    }
    for (const { pattern, subscribers } of this.patterns.values()) {
      if (!globMatch(pattern, channel)) continue
      const reply = push(['pmessage', pattern, channel, message])
      for (const to of subscribers) deliveries.push({ to, reply })
    }
    return deliveries
  }

  /** Channels with at least one subscriber, all or those matching a glob (PUBSUB CHANNELS). */
  activeChannels(pattern: Buffer | null): Buffer[] {
    const out: Buffer[] = []
    for (const k of this.channels.keys()) {
      const channel = Buffer.from(k, 'latin1')
      if (pattern === null || globMatch(pattern, channel)) out.push(channel)
    }
    return out
  }

  /** Subscribers of a channel, patterns not counted (PUBSUB NUMSUB). */
  numsub(channel: Buffer): number {
    return this.channels.get(key(channel))?.size ?? 0
  }

  /** Patterns with at least one subscriber (PUBSUB NUMPAT, INFO pubsub_patterns). */
  get patternCount(): number {
    return this.patterns.size
  }

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.channels.size
  }

  /**
   * Is this subscriber's unsent output over its limits (see PUBSUB_HARD_LIMIT_BYTES)? Checked
   * at each delivery, as Redis checks at each reply; remembers when the soft limit was passed.
   */
  overOutputLimit(s: S, outputBytes: number, nowMs: number): boolean {
    if (outputBytes > PUBSUB_HARD_LIMIT_BYTES) return true
    const subs = this.subscribers.get(s)
    if (subs === undefined) return false
    if (outputBytes <= PUBSUB_SOFT_LIMIT_BYTES) {
      subs.overSoftSinceMs = -1
      return false
    }
    if (subs.overSoftSinceMs < 0) subs.overSoftSinceMs = nowMs
    return nowMs - subs.overSoftSinceMs >= PUBSUB_SOFT_LIMIT_MS
  }

  private subscriptionsOf(s: S): Subscriptions {
    let subs = this.subscribers.get(s)
    if (subs === undefined) this.subscribers.set(s, (subs = { channels: new Map(), patterns: new Map(), overSoftSinceMs: -1 }))
    return subs
  }

  private forgetIfIdle(s: S, subs: Subscriptions): void {
    if (subs.channels.size === 0 && subs.patterns.size === 0) this.subscribers.delete(s)
  }
}
