// Stream commands (Redis 7.0 semantics): XADD XLEN XRANGE XREVRANGE XREAD XDEL XTRIM, consumer
// groups (XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM) and XINFO.
//
// Storage (collection.ts; the meta record's size is the stream's length, the entry count):
//   meta tail   last-generated ID (16) | max-deleted-entry ID (16) | entries-added u64 |
//               recorded-first-entry ID (16) | groups u32 | last node u64 | last node's added u32 |
//               last node's live u32
//   0x00 entry     [ID 16]                          -> node u64 | field count u32 | (len u32, bytes)*
//   0x02 group     [group]                          -> last-delivered ID (16) | entries-read i64 (-1: unknown) | consumers u64 | pending u64
//   0x03 PEL       [group][ID 16]                   -> delivery time u64 | delivery count u64 | consumer name
//   0x04 consumer  [group][consumer]                -> seen time u64 | pending u64
//   0x05 its PEL   [group][consumer][ID 16]         -> empty (the consumer's own pending list, in ID order)
// IDs are 16 big-endian bytes (ms, seq), so sub-key order is ID order and every range is an
// iterator. Group and consumer names are escaped (0x00 -> 0x00 0xff, then the terminator
// 0x00 0x01): prefix-free, and in the byte order Redis's radix trees list them in.
//
// Every point operation is a point read or write; nothing loads a whole stream unless its reply
// is the whole stream. XINFO GROUPS and XPENDING's summary read the counts kept in the group record.
//
// Approximate trimming (`~`) removes whole nodes only, as Redis does with its listpacks: every entry
// records the node it was appended to, and a node takes stream-node-max-entries (100) appends, or
// ends when its entries are all gone, as Redis's. So `~` trims what Redis would, except that nodes are
// not cut at stream-node-max-bytes (4096 bytes of entries).
import assert from 'node:assert/strict'
import { error, ErrorReply, Errors, map, NIL_ARRAY, OK, Reply, status } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { prefixEnd, TYPE_STREAM } from '../storage/layout'
import { lower, parseInt64 } from './args'
import { parseTimeoutMs } from './blocking-timeout'
import { Collection, isErrorReply, TAG_MEMBER } from './collection'
import {
  compareIds, decodeId, encodeId, formatId, ID_BYTES, incrId, decrId, isZeroId, MAX_ID, nextAutoId, parseId, parseRangeId,
  parseStrictId, StreamId, U64_MAX, ZERO_ID,
} from './stream-id'
import { DataCommand } from './types'

const TAG_ENTRY = TAG_MEMBER
const TAG_GROUP = 0x02
const TAG_PEL = 0x03
const TAG_CONSUMER = 0x04
const TAG_CONSUMER_PEL = 0x05

/** Redis's stream-node-max-entries default: appends per node, the unit of `~` trimming. */
const NODE_ENTRIES_MAX = 100
/** Redis's LIMIT for `~` trimming when none is given: 100 nodes' worth. */
const APPROX_LIMIT_DEFAULT = 100n * BigInt(NODE_ENTRIES_MAX)
/** XAUTOCLAIM looks at no more than COUNT times this many PEL entries (Redis's attempts_factor). */
const AUTOCLAIM_ATTEMPTS_FACTOR = 10n
const AUTOCLAIM_COUNT_MAX = (2n ** 63n - 1n) / 16n

const EMPTY = Buffer.alloc(0)

const invalidId = error('ERR Invalid stream ID specified as stream command argument')
const idTooSmall = error('ERR The ID specified in XADD is equal or smaller than the target stream top item')
const invalidStart = error('ERR invalid start ID for the interval')
const invalidEnd = error('ERR invalid end ID for the interval')
const noKeyForGroup = error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.')
const blockedGroupGone = error('NOGROUP the consumer group this client was blocked on no longer exists')
const blockedStreamGone = error('UNBLOCKED the stream key no longer exists')

// ------------------------------------------------------------ the stream and its meta record

interface StreamMeta {
  lastId: StreamId
  maxDeletedId: StreamId
  entriesAdded: bigint
  firstId: StreamId
  groups: number
  /** The node appends go to, how many it took, how many of those are still there. */
  lastNode: bigint
  lastNodeAdded: number
  lastNodeLive: number
}

const META_BYTES = 16 + 16 + 8 + 16 + 4 + 8 + 4 + 4

function decodeMeta(extra: Buffer): StreamMeta {
  if (extra.length < META_BYTES) {
    return { lastId: ZERO_ID, maxDeletedId: ZERO_ID, entriesAdded: 0n, firstId: ZERO_ID, groups: 0, lastNode: 0n, lastNodeAdded: 0, lastNodeLive: 0 }
  }
  return {
    lastId: decodeId(extra, 0), maxDeletedId: decodeId(extra, 16), entriesAdded: extra.readBigUInt64BE(32), firstId: decodeId(extra, 40),
    groups: extra.readUInt32BE(56), lastNode: extra.readBigUInt64BE(60), lastNodeAdded: extra.readUInt32BE(68), lastNodeLive: extra.readUInt32BE(72),
  }
}

function encodeMeta(meta: StreamMeta): Buffer {
  const out = Buffer.allocUnsafe(META_BYTES)
  encodeId(meta.lastId, out, 0)
  encodeId(meta.maxDeletedId, out, 16)
  out.writeBigUInt64BE(meta.entriesAdded, 32)
  encodeId(meta.firstId, out, 40)
  out.writeUInt32BE(meta.groups, 56)
  out.writeBigUInt64BE(meta.lastNode, 60)
  out.writeUInt32BE(meta.lastNodeAdded, 68)
  out.writeUInt32BE(meta.lastNodeLive, 72)
  return out
}

class Stream {
  readonly meta: StreamMeta

  constructor(readonly coll: Collection) {
    this.meta = decodeMeta(coll.extra)
  }

  get length(): number {
    return this.coll.size
  }

  save(): void {
    this.coll.extra = encodeMeta(this.meta)
    this.coll.save()
  }
}

function openStream(ctx: ExecContext, key: Buffer): Stream | null | ErrorReply {
  const coll = Collection.open(ctx, key, TYPE_STREAM)
  return coll === null || isErrorReply(coll) ? coll : new Stream(coll)
}

function createStream(ctx: ExecContext, key: Buffer): Stream {
  const coll = Collection.openOrCreate(ctx, key, TYPE_STREAM)
  assert(!isErrorReply(coll), 'createStream: the key must be free')
  return new Stream(coll)
}

// ------------------------------------------------------------ entries

interface Entry {
  readonly id: StreamId
  readonly node: bigint
  readonly fields: Buffer[]
}

function encodeEntry(node: bigint, fields: Buffer[]): Buffer {
  let bytes = 12
  for (const field of fields) bytes += 4 + field.length
  const out = Buffer.allocUnsafe(bytes)
  out.writeBigUInt64BE(node, 0)
  out.writeUInt32BE(fields.length, 8)
  let at = 12
  for (const field of fields) {
    out.writeUInt32BE(field.length, at)
    field.copy(out, at + 4)
    at += 4 + field.length
  }
  return out
}

function decodeEntry(sub: Buffer, payload: Buffer): Entry {
  const count = payload.readUInt32BE(8)
  const fields = new Array<Buffer>(count)
  let at = 12
  for (let i = 0; i < count; i++) {
    const length = payload.readUInt32BE(at)
    fields[i] = payload.subarray(at + 4, at + 4 + length)
    at += 4 + length
  }
  return { id: decodeId(sub), node: payload.readBigUInt64BE(0), fields }
}

function entryReply(entry: Entry): Reply {
  return [formatId(entry.id), entry.fields]
}

/** Entries with IDs in [from, to], in order or reversed. */
function* entriesBetween(stream: Stream, from: StreamId, to: StreamId, reverse = false): Generator<Entry> {
  if (compareIds(from, to) > 0) return
  const after = incrId(to)
  for (const row of stream.coll.range(TAG_ENTRY, encodeId(from), after === null ? null : encodeId(after), reverse)) yield decodeEntry(row.sub, row.payload)
}

/** Up to `count` entries (0: all) in [from, to] as the reply's [id, fields] pairs. */
function rangeReply(stream: Stream, from: StreamId, to: StreamId, count: bigint, reverse: boolean): Reply[] {
  const out: Reply[] = []
  for (const entry of entriesBetween(stream, from, to, reverse)) {
    out.push(entryReply(entry))
    if (count !== 0n && BigInt(out.length) >= count) break
  }
  return out
}

function getEntry(stream: Stream, id: StreamId): Entry | null {
  const sub = encodeId(id)
  const member = stream.coll.get(TAG_ENTRY, sub)
  return member === null ? null : decodeEntry(sub, member.payload)
}

function edgeEntry(stream: Stream, last: boolean): Entry | null {
  for (const entry of entriesBetween(stream, ZERO_ID, MAX_ID, last)) return entry
  return null
}

/** Append one entry (its ID above the last one); the node bookkeeping mirrors Redis's listpacks. */
function appendEntry(stream: Stream, id: StreamId, fields: Buffer[]): void {
  const meta = stream.meta
  if (meta.lastNodeLive === 0 || meta.lastNodeAdded >= NODE_ENTRIES_MAX) {
    meta.lastNode++
    meta.lastNodeAdded = 0
    meta.lastNodeLive = 0
  }
  stream.coll.put(TAG_ENTRY, encodeId(id), TYPE_STREAM, encodeEntry(meta.lastNode, fields))
  meta.lastNodeAdded++
  meta.lastNodeLive++
  stream.coll.size++
  meta.entriesAdded++
  meta.lastId = id
  if (stream.length === 1) meta.firstId = id
}

function removeEntry(stream: Stream, entry: Entry): void {
  stream.coll.delete(TAG_ENTRY, encodeId(entry.id))
  stream.coll.size--
  if (entry.node === stream.meta.lastNode) stream.meta.lastNodeLive--
}

function refreshFirstId(stream: Stream): void {
  stream.meta.firstId = stream.length === 0 ? ZERO_ID : edgeEntry(stream, false)!.id
}

// ------------------------------------------------------------ trimming (XADD's options, XTRIM)

interface TrimArgs {
  readonly maxlen: bigint | null
  readonly minid: StreamId
  readonly approx: boolean
  /** Most entries to remove (0: no limit); only with `~`. */
  readonly limit: bigint
}

interface AddTrimArgs {
  readonly trim: TrimArgs | null
  readonly noMkStream: boolean
  /** Index of the ID argument (XADD); argv.length when there was none. */
  readonly idAt: number
  readonly id: { readonly id: StreamId; readonly seqGiven: boolean } | null
}

function isToken(arg: Buffer, char: string): boolean {
  return arg.length === 1 && arg[0] === char.charCodeAt(0)
}

/** XADD's and XTRIM's options, as Redis's streamParseAddOrTrimArgsOrReply. */
function parseAddTrimArgs(argv: Buffer[], xadd: boolean): AddTrimArgs | ErrorReply {
  let strategy: 'maxlen' | 'minid' | null = null
  let maxlen = 0n
  let minid = ZERO_ID
  let approx = false
  let limit = 0n
  let limitGiven = false
  let noMkStream = false
  let id: AddTrimArgs['id'] = null
  let i = 2
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i
    const arg = argv[i]
    if (xadd && isToken(arg, '*')) break
    const option = lower(arg)
    if ((option === 'maxlen' || option === 'minid') && more > 0) {
      if (strategy !== null) return error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible')
      approx = false
      if (more >= 2 && isToken(argv[i + 1], '~')) {
        approx = true
        i++
      } else if (more >= 2 && isToken(argv[i + 1], '=')) {
        i++
      }
      if (option === 'maxlen') {
        const value = parseInt64(argv[i + 1])
        if (value === null) return Errors.notInteger
        if (value < 0n) return error('ERR The MAXLEN argument must be >= 0.')
        maxlen = value
      } else {
        const value = parseStrictId(argv[i + 1])
        if (value === null) return invalidId
        minid = value
      }
      i++
      strategy = option
    } else if (option === 'limit' && more > 0) {
      const value = parseInt64(argv[i + 1])
      if (value === null) return Errors.notInteger
      if (value < 0n) return error('ERR The LIMIT argument must be >= 0.')
      limit = value
      limitGiven = true
      i++
    } else if (xadd && option === 'nomkstream') {
      noMkStream = true
    } else if (xadd) {
      id = parseId(arg, 0n, true, true)
      if (id === null) return invalidId
      break
    } else {
      return Errors.syntax
    }
  }
  if (limit !== 0n && strategy === null) return error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy')
  if (!xadd && strategy === null) return error('ERR syntax error, XTRIM must be called with a trimming strategy')
  if (limitGiven) {
    if (!approx) return error('ERR syntax error, LIMIT cannot be used without the special ~ option')
  } else {
    limit = approx ? APPROX_LIMIT_DEFAULT : 0n
  }
  const trim = strategy === null ? null : { maxlen: strategy === 'maxlen' ? maxlen : null, minid, approx, limit }
  return { trim, noMkStream, idAt: i, id }
}

/** Remove entries from the head as Redis's streamTrim: whole nodes, then (exact only) within one. */
function trimStream(stream: Stream, args: TrimArgs): number {
  const { maxlen, minid } = args
  const satisfied = (): boolean => maxlen !== null && BigInt(stream.length) <= maxlen
  let deleted = 0
  const rows = entriesBetween(stream, ZERO_ID, MAX_ID)
  let next = satisfied() ? { done: true as const, value: undefined } : rows.next()
  while (!next.done && !satisfied()) {
    const node: Entry[] = [next.value]
    for (next = rows.next(); !next.done && next.value.node === node[0].node; next = rows.next()) node.push(next.value)
    if (args.limit !== 0n && BigInt(deleted + node.length) > args.limit) break
    const whole = maxlen !== null ? BigInt(stream.length - node.length) >= maxlen : compareIds(node[node.length - 1].id, minid) < 0
    if (whole) {
      for (const entry of node) removeEntry(stream, entry)
      deleted += node.length
      continue
    }
    if (args.approx) break
    for (const entry of node) {
      if (maxlen !== null ? satisfied() : compareIds(entry.id, minid) >= 0) break
      removeEntry(stream, entry)
      deleted++
    }
    break
  }
  refreshFirstId(stream)
  return deleted
}

// ------------------------------------------------------------ groups, consumers, pending entries

/** A name in a sub-key: 0x00 escaped as 0x00 0xff, terminated by 0x00 0x01 (order-preserving, prefix-free). */
function nameKey(name: Buffer): Buffer {
  let zeros = 0
  for (const byte of name) if (byte === 0) zeros++
  const out = Buffer.allocUnsafe(name.length + zeros + 2)
  let at = 0
  for (const byte of name) {
    out[at++] = byte
    if (byte === 0) out[at++] = 0xff
  }
  out[at++] = 0
  out[at] = 1
  return out
}

/** The name escaped at `at`, and where it ends. */
function readNameKey(sub: Buffer, at: number): { name: Buffer; end: number } {
  const bytes: number[] = []
  for (let i = at; i < sub.length; i++) {
    if (sub[i] !== 0) {
      bytes.push(sub[i])
    } else if (sub[i + 1] === 0xff) {
      bytes.push(0)
      i++
    } else {
      return { name: Buffer.from(bytes), end: i + 2 }
    }
  }
  assert.fail('readNameKey: unterminated name')
}

interface Group {
  readonly name: Buffer
  readonly key: Buffer
  lastId: StreamId
  /** -1: unknown (Redis's SCG_INVALID_ENTRIES_READ). */
  entriesRead: bigint
  consumers: number
  pending: number
}

interface Nack {
  consumer: Buffer
  deliveryTime: number
  deliveryCount: bigint
}

function decodeGroup(name: Buffer, payload: Buffer): Group {
  return {
    name, key: nameKey(name), lastId: decodeId(payload, 0), entriesRead: payload.readBigInt64BE(16),
    consumers: Number(payload.readBigUInt64BE(24)), pending: Number(payload.readBigUInt64BE(32)),
  }
}

function getGroup(stream: Stream, name: Buffer): Group | null {
  const member = stream.coll.get(TAG_GROUP, nameKey(name))
  return member === null ? null : decodeGroup(name, member.payload)
}

function putGroup(stream: Stream, group: Group): void {
  const out = Buffer.allocUnsafe(40)
  encodeId(group.lastId, out, 0)
  out.writeBigInt64BE(group.entriesRead, 16)
  out.writeBigUInt64BE(BigInt(group.consumers), 24)
  out.writeBigUInt64BE(BigInt(group.pending), 32)
  stream.coll.put(TAG_GROUP, group.key, TYPE_STREAM, out)
}

function* allGroups(stream: Stream): Generator<Group> {
  for (const row of stream.coll.range(TAG_GROUP)) yield decodeGroup(readNameKey(row.sub, 0).name, row.payload)
}

/** Every record under a group-prefixed tag, deleted (XGROUP DESTROY). */
function deleteGroup(stream: Stream, group: Group): void {
  for (const tag of [TAG_PEL, TAG_CONSUMER, TAG_CONSUMER_PEL]) {
    for (const row of stream.coll.range(tag, group.key, prefixEnd(group.key))) stream.coll.delete(tag, row.sub)
  }
  stream.coll.delete(TAG_GROUP, group.key)
  stream.meta.groups--
}

interface Consumer {
  readonly name: Buffer
  seenTime: number
  pending: number
}

function consumerSub(group: Group, name: Buffer): Buffer {
  return Buffer.concat([group.key, nameKey(name)])
}

function decodeConsumer(name: Buffer, payload: Buffer): Consumer {
  return { name, seenTime: Number(payload.readBigUInt64BE(0)), pending: Number(payload.readBigUInt64BE(8)) }
}

function getConsumer(stream: Stream, group: Group, name: Buffer): Consumer | null {
  const member = stream.coll.get(TAG_CONSUMER, consumerSub(group, name))
  return member === null ? null : decodeConsumer(name, member.payload)
}

function putConsumer(stream: Stream, group: Group, consumer: Consumer): void {
  const out = Buffer.allocUnsafe(16)
  out.writeBigUInt64BE(BigInt(consumer.seenTime), 0)
  out.writeBigUInt64BE(BigInt(consumer.pending), 8)
  stream.coll.put(TAG_CONSUMER, consumerSub(group, consumer.name), TYPE_STREAM, out)
}

function* allConsumers(stream: Stream, group: Group): Generator<Consumer> {
  for (const row of stream.coll.range(TAG_CONSUMER, group.key, prefixEnd(group.key))) {
    yield decodeConsumer(readNameKey(row.sub, group.key.length).name, row.payload)
  }
}

/** Create the consumer (XGROUP CREATECONSUMER); false when it exists. */
function createConsumer(stream: Stream, group: Group, name: Buffer, nowMs: number): boolean {
  if (getConsumer(stream, group, name) !== null) return false
  putConsumer(stream, group, { name, seenTime: nowMs, pending: 0 })
  group.consumers++
  return true
}

/** The consumer is seen now, created when missing (Redis's streamLookupConsumer + streamCreateConsumer). */
function seeConsumer(stream: Stream, group: Group, name: Buffer, nowMs: number): void {
  if (createConsumer(stream, group, name, nowMs)) return
  const consumer = getConsumer(stream, group, name)!
  consumer.seenTime = nowMs
  putConsumer(stream, group, consumer)
}

function adjustPending(stream: Stream, group: Group, name: Buffer, delta: number): void {
  const consumer = getConsumer(stream, group, name)
  assert(consumer !== null, 'adjustPending: a pending entry names a missing consumer')
  consumer.pending += delta
  putConsumer(stream, group, consumer)
}

function pelSub(group: Group, id: StreamId): Buffer {
  const out = Buffer.allocUnsafe(group.key.length + ID_BYTES)
  group.key.copy(out, 0)
  encodeId(id, out, group.key.length)
  return out
}

function consumerPelSub(group: Group, consumer: Buffer, id: StreamId): Buffer {
  return Buffer.concat([group.key, nameKey(consumer), encodeId(id)])
}

function decodeNack(payload: Buffer): Nack {
  return { deliveryTime: Number(payload.readBigUInt64BE(0)), deliveryCount: payload.readBigUInt64BE(8), consumer: payload.subarray(16) }
}

function getNack(stream: Stream, group: Group, id: StreamId): Nack | null {
  const member = stream.coll.get(TAG_PEL, pelSub(group, id))
  return member === null ? null : decodeNack(member.payload)
}

function putNack(stream: Stream, group: Group, id: StreamId, nack: Nack): void {
  const out = Buffer.allocUnsafe(16 + nack.consumer.length)
  out.writeBigUInt64BE(BigInt(nack.deliveryTime), 0)
  out.writeBigUInt64BE(nack.deliveryCount, 8)
  nack.consumer.copy(out, 16)
  stream.coll.put(TAG_PEL, pelSub(group, id), TYPE_STREAM, out)
}

/** A new pending entry owned by `consumer`. */
function addNack(stream: Stream, group: Group, id: StreamId, nack: Nack): void {
  putNack(stream, group, id, nack)
  stream.coll.put(TAG_CONSUMER_PEL, consumerPelSub(group, nack.consumer, id), TYPE_STREAM, EMPTY)
  adjustPending(stream, group, nack.consumer, 1)
  group.pending++
}

/** Give an existing pending entry to `owner` (its new delivery time and count already set). */
function reassignNack(stream: Stream, group: Group, id: StreamId, nack: Nack, previous: Buffer): void {
  if (!previous.equals(nack.consumer)) {
    stream.coll.delete(TAG_CONSUMER_PEL, consumerPelSub(group, previous, id))
    adjustPending(stream, group, previous, -1)
    stream.coll.put(TAG_CONSUMER_PEL, consumerPelSub(group, nack.consumer, id), TYPE_STREAM, EMPTY)
    adjustPending(stream, group, nack.consumer, 1)
  }
  putNack(stream, group, id, nack)
}

function removeNack(stream: Stream, group: Group, id: StreamId, nack: Nack): void {
  stream.coll.delete(TAG_PEL, pelSub(group, id))
  stream.coll.delete(TAG_CONSUMER_PEL, consumerPelSub(group, nack.consumer, id))
  adjustPending(stream, group, nack.consumer, -1)
  group.pending--
}

/** Pending entries of the group (or of one consumer) with IDs in [from, to], in ID order. */
function* pendingBetween(stream: Stream, group: Group, consumer: Buffer | null, from: StreamId, to: StreamId): Generator<{ id: StreamId; nack: Nack }> {
  if (compareIds(from, to) > 0) return
  const prefix = consumer === null ? group.key : Buffer.concat([group.key, nameKey(consumer)])
  const after = incrId(to)
  const lt = after === null ? prefixEnd(prefix) : Buffer.concat([prefix, encodeId(after)])
  const tag = consumer === null ? TAG_PEL : TAG_CONSUMER_PEL
  for (const row of stream.coll.range(tag, Buffer.concat([prefix, encodeId(from)]), lt)) {
    const id = decodeId(row.sub, prefix.length)
    const nack = consumer === null ? decodeNack(row.payload) : getNack(stream, group, id)
    assert(nack !== null, 'pendingBetween: a consumer PEL entry without its group PEL entry')
    yield { id, nack }
  }
}

// ------------------------------------------------------------ entries-read and lag (Redis 7.0)

function rangeHasTombstones(stream: Stream, start: StreamId): boolean {
  const meta = stream.meta
  if (stream.length === 0 || isZeroId(meta.maxDeletedId)) return false
  if (compareIds(meta.firstId, meta.maxDeletedId) > 0) return false
  return compareIds(start, meta.maxDeletedId) <= 0
}

/** streamEstimateDistanceFromFirstEverEntry: the entries-read counter of `id`, -1 when unknown. */
function estimateDistance(stream: Stream, id: StreamId): bigint {
  const meta = stream.meta
  if (meta.entriesAdded === 0n) return 0n
  if (stream.length === 0 && compareIds(id, meta.lastId) < 1) return meta.entriesAdded
  const cmpLast = compareIds(id, meta.lastId)
  if (cmpLast === 0) return meta.entriesAdded
  if (cmpLast > 0) return -1n
  const cmpFirst = compareIds(id, meta.firstId)
  if (isZeroId(meta.maxDeletedId) || compareIds(meta.maxDeletedId, meta.firstId) < 0) {
    if (cmpFirst < 0) return meta.entriesAdded - BigInt(stream.length)
    if (cmpFirst === 0) return meta.entriesAdded - BigInt(stream.length) + 1n
  }
  return -1n
}

function lagReply(stream: Stream, group: Group): Reply {
  const meta = stream.meta
  if (meta.entriesAdded === 0n) return 0
  if (group.entriesRead !== -1n && !rangeHasTombstones(stream, group.lastId)) return bigOrNumber(meta.entriesAdded - group.entriesRead)
  const read = estimateDistance(stream, group.lastId)
  return read === -1n ? null : bigOrNumber(meta.entriesAdded - read)
}

function entriesReadReply(group: Group): Reply {
  return group.entriesRead === -1n ? null : bigOrNumber(group.entriesRead)
}

function bigOrNumber(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

// ------------------------------------------------------------ XADD XLEN XRANGE XDEL XTRIM

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
function xadd(ctx: ExecContext, argv: Buffer[]): Reply {
  const args = parseAddTrimArgs(argv, true)
  if (isErrorReply(args)) return args
  const fields = argv.length - (args.idAt + 1)
  if (fields < 2 || fields % 2 === 1) return Errors.wrongArity('xadd')
  if (args.id !== null && args.id.seqGiven && isZeroId(args.id.id)) return error('ERR The ID specified in XADD must be greater than 0-0')
  const found = openStream(ctx, argv[1])
  if (isErrorReply(found)) return found
  if (found === null && args.noMkStream) return null
  const stream = found ?? createStream(ctx, argv[1])
  const last = stream.meta.lastId
  if (compareIds(last, MAX_ID) === 0) return error('ERR The stream has exhausted the last possible ID, unable to add more items')
  let id: StreamId | null
  if (args.id === null) id = nextAutoId(last, ctx.nowMs)
  else if (args.id.seqGiven || args.id.id.ms !== last.ms) id = args.id.id
  else id = last.seq === U64_MAX ? null : { ms: last.ms, seq: last.seq + 1n }
  if (id === null || compareIds(id, last) <= 0) return idTooSmall
  appendEntry(stream, id, argv.slice(args.idAt + 1))
  if (args.trim !== null) trimStream(stream, args.trim)
  stream.save()
  ctx.signalReady(argv[1])
  return formatId(id)
}

// XLEN key
function xlen(ctx: ExecContext, argv: Buffer[]): Reply {
  const stream = openStream(ctx, argv[1])
  if (stream === null || isErrorReply(stream)) return stream ?? 0
  return stream.length
}

/** A range's two ends, exclusive ones stepped inwards; `start` and `end` as the user wrote them. */
function parseInterval(startArg: Buffer, endArg: Buffer): { start: StreamId; end: StreamId } | ErrorReply {
  const start = parseRangeId(startArg, 0n)
  if (start === null) return invalidId
  const from = start.exclusive ? incrId(start.id) : start.id
  if (from === null) return invalidStart
  const end = parseRangeId(endArg, U64_MAX)
  if (end === null) return invalidId
  const to = end.exclusive ? decrId(end.id) : end.id
  if (to === null) return invalidEnd
  return { start: from, end: to }
}

// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
function xrangeGeneric(reverse: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const interval = reverse ? parseInterval(argv[3], argv[2]) : parseInterval(argv[2], argv[3])
    if (isErrorReply(interval)) return interval
    let count = -1n
    for (let i = 4; i < argv.length; i++) {
      if (lower(argv[i]) === 'count' && i + 1 < argv.length) {
        const value = parseInt64(argv[++i])
        if (value === null) return Errors.notInteger
        count = value < 0n ? 0n : value
      } else {
        return Errors.syntax
      }
    }
    const stream = openStream(ctx, argv[1])
    if (stream === null || isErrorReply(stream)) return stream ?? []
    if (count === 0n) return NIL_ARRAY
    return rangeReply(stream, interval.start, interval.end, count === -1n ? 0n : count, reverse)
  }
}

// XDEL key id [id ...]
function xdel(ctx: ExecContext, argv: Buffer[]): Reply {
  const stream = openStream(ctx, argv[1])
  if (stream === null || isErrorReply(stream)) return stream ?? 0
  const ids: StreamId[] = []
  for (const arg of argv.slice(2)) {
    const id = parseStrictId(arg)
    if (id === null) return invalidId
    ids.push(id)
  }
  let deleted = 0
  let firstGone = false
  for (const id of ids) {
    const entry = getEntry(stream, id)
    if (entry === null) continue
    removeEntry(stream, entry)
    if (compareIds(id, stream.meta.firstId) === 0) firstGone = true
    if (compareIds(id, stream.meta.maxDeletedId) > 0) stream.meta.maxDeletedId = id
    deleted++
  }
  if (deleted === 0) return 0
  if (stream.length === 0) stream.meta.firstId = ZERO_ID
  else if (firstGone) refreshFirstId(stream)
  stream.save()
  return deleted
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
function xtrim(ctx: ExecContext, argv: Buffer[]): Reply {
  const args = parseAddTrimArgs(argv, false)
  if (isErrorReply(args)) return args
  const stream = openStream(ctx, argv[1])
  if (stream === null || isErrorReply(stream)) return stream ?? 0
  const deleted = trimStream(stream, args.trim!)
  if (deleted > 0) stream.save()
  return deleted
}

// ------------------------------------------------------------ XREAD XREADGROUP

interface ReadArgs {
  readonly timeoutMs: number | null
  readonly count: bigint
  readonly streamsAt: number
  readonly group: Buffer | null
  readonly consumer: Buffer | null
  readonly noack: boolean
}

function parseReadArgs(argv: Buffer[], xreadgroup: boolean): ReadArgs | ErrorReply {
  let timeoutMs: number | null = null
  let count = 0n
  let streamsAt = 0
  let group: Buffer | null = null
  let consumer: Buffer | null = null
  let noack = false
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1
    const option = lower(argv[i])
    if (option === 'block' && more > 0) {
      const ms = parseTimeoutMs(argv[++i])
      if (isErrorReply(ms)) return ms
      timeoutMs = ms
    } else if (option === 'count' && more > 0) {
      const value = parseInt64(argv[++i])
      if (value === null) return Errors.notInteger
      count = value < 0n ? 0n : value
    } else if (option === 'streams' && more > 0) {
      streamsAt = i + 1
      // Redis 7.0 words it so for XREADGROUP too.
      if ((argv.length - streamsAt) % 2 !== 0) return error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
      break
    } else if (option === 'group' && more >= 2) {
      if (!xreadgroup) return error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.')
      group = argv[i + 1]
      consumer = argv[i + 2]
      i += 2
    } else if (option === 'noack') {
      if (!xreadgroup) return error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.')
      noack = true
    } else {
      return Errors.syntax
    }
  }
  if (streamsAt === 0) return Errors.syntax
  if (xreadgroup && group === null) return error('ERR Missing GROUP option for XREADGROUP')
  return { timeoutMs, count, streamsAt, group, consumer, noack }
}

/** XREAD's and XREADGROUP's keys: the first half of what follows STREAMS (Redis's xreadGetKeys). */
function xreadKeys(argv: Buffer[]): Buffer[] {
  let streamsAt = -1
  for (let i = 1; i < argv.length; i++) {
    const option = lower(argv[i])
    if (option === 'block' || option === 'count') i++
    else if (option === 'group') i += 2
    else if (option === 'noack') continue
    else if (option === 'streams') {
      streamsAt = i
      break
    } else break
  }
  const rest = argv.length - streamsAt - 1
  if (streamsAt === -1 || rest === 0 || rest % 2 !== 0) return []
  return argv.slice(streamsAt + 1, streamsAt + 1 + rest / 2)
}

/** The BLOCK argument in ms for the dispatcher; null when absent or invalid (the handler answers the error). */
function xreadTimeoutMs(argv: Buffer[]): number | null {
  for (let i = 1; i < argv.length; i++) {
    const option = lower(argv[i])
    if (option === 'streams') return null
    if (option === 'block' && i + 1 < argv.length) {
      const ms = parseTimeoutMs(argv[i + 1])
      return isErrorReply(ms) ? null : ms
    }
    if (option === 'count') i++
    else if (option === 'group') i += 2
  }
  return null
}

/** XREADGROUP `>`: deliver entries after the group's last-delivered ID, adding them to the PEL unless NOACK. */
function deliverNew(ctx: ExecContext, stream: Stream, group: Group, consumer: Buffer, count: bigint, noack: boolean): Reply[] {
  const out: Reply[] = []
  const from = incrId(group.lastId)
  if (from === null) return out
  for (const entry of entriesBetween(stream, from, MAX_ID)) {
    if (group.entriesRead !== -1n && !rangeHasTombstones(stream, entry.id)) group.entriesRead++
    else if (stream.meta.entriesAdded !== 0n) group.entriesRead = estimateDistance(stream, entry.id)
    group.lastId = entry.id
    out.push(entryReply(entry))
    if (!noack) {
      const nack = getNack(stream, group, entry.id)
      if (nack === null) {
        addNack(stream, group, entry.id, { consumer, deliveryTime: ctx.nowMs, deliveryCount: 1n })
      } else {
        // XGROUP SETID may deliver an entry again: it moves to this consumer, as a first delivery.
        const previous = nack.consumer
        reassignNack(stream, group, entry.id, { consumer, deliveryTime: ctx.nowMs, deliveryCount: 1n }, previous)
      }
    }
    if (count !== 0n && BigInt(out.length) >= count) break
  }
  return out
}

/** XREADGROUP with an ID: the consumer's own pending entries after it ([id, nil] for deleted entries). */
function deliverHistory(ctx: ExecContext, stream: Stream, group: Group, consumer: Buffer, after: StreamId, count: bigint): Reply[] {
  const out: Reply[] = []
  // Redis steps the ID with streamIncrID, which wraps the last possible ID around to 0-0.
  const from = incrId(after) ?? ZERO_ID
  for (const { id, nack } of pendingBetween(stream, group, consumer, from, MAX_ID)) {
    if (count !== 0n && BigInt(out.length) >= count) break
    const entry = getEntry(stream, id)
    if (entry === null) {
      out.push([formatId(id), NIL_ARRAY])
    } else {
      out.push(entryReply(entry))
      putNack(stream, group, id, { ...nack, deliveryTime: ctx.nowMs, deliveryCount: nack.deliveryCount + 1n })
    }
  }
  return out
}

/** [key, entries] pairs: an array of pairs in RESP2 (and to the embedding API), a map in RESP3. */
function keyedReply(ctx: ExecContext, served: Array<[Buffer, Reply[]]>): Reply {
  return ctx.proto === 3 ? map(served.flat()) : served
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
// `retry`: the run of a client blocked since (the argv its first attempt left in ctx.retryArgv):
// a stream that is gone or changed type keeps XREAD waiting, and answers XREADGROUP an error.
function xreadGeneric(xreadgroup: boolean, retry: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const args = parseReadArgs(argv, xreadgroup)
    if (isErrorReply(args)) return args
    const n = (argv.length - args.streamsAt) / 2
    const streams: Array<Stream | null> = []
    const groups: Array<Group | null> = []
    const after: Array<StreamId | '>'> = []
    let resolved: Buffer[] | null = null
    for (let k = 0; k < n; k++) {
      const key = argv[args.streamsAt + k]
      const idArg = argv[args.streamsAt + n + k]
      let stream = openStream(ctx, key)
      if (isErrorReply(stream)) {
        if (!retry) return stream
        if (xreadgroup) return blockedStreamGone
        stream = null
      }
      let group: Group | null = null
      if (args.group !== null) {
        if (retry && stream === null) return blockedStreamGone
        group = stream === null ? null : getGroup(stream, args.group)
        if (group === null) {
          if (retry) return blockedGroupGone
          return error(`NOGROUP No such key '${key.toString()}' or consumer group '${args.group.toString()}' in XREADGROUP with GROUP option`)
        }
      }
      streams.push(stream)
      groups.push(group)
      if (isToken(idArg, '$')) {
        if (xreadgroup) {
          return error('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.')
        }
        const last = stream === null ? ZERO_ID : stream.meta.lastId
        after.push(last)
        resolved ??= argv.slice()
        resolved[args.streamsAt + n + k] = Buffer.from(formatId(last))
      } else if (isToken(idArg, '>')) {
        if (!xreadgroup) return error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.')
        after.push('>')
      } else {
        const id = parseStrictId(idArg)
        if (id === null) return invalidId
        // Redis marks `>` with the last possible ID: XREADGROUP takes that ID as `>`.
        after.push(xreadgroup && compareIds(id, MAX_ID) === 0 ? '>' : id)
      }
    }
    const served: Array<[Buffer, Reply[]]> = []
    for (let k = 0; k < n; k++) {
      const stream = streams[k]
      if (stream === null) continue
      const key = argv[args.streamsAt + k]
      const group = groups[k]
      const gt = after[k]
      if (group === null) {
        const from = gt === '>' ? null : incrId(gt)
        if (from === null) continue
        const entries = rangeReply(stream, from, MAX_ID, args.count, false)
        if (entries.length > 0) served.push([key, entries])
        continue
      }
      const consumerName = args.consumer!
      if (gt === '>') {
        const from = incrId(group.lastId)
        if (from === null || edgeAfter(stream, from) === null) continue
        seeConsumer(stream, group, consumerName, ctx.nowMs)
        served.push([key, deliverNew(ctx, stream, group, consumerName, args.count, args.noack)])
      } else {
        seeConsumer(stream, group, consumerName, ctx.nowMs)
        served.push([key, deliverHistory(ctx, stream, group, consumerName, gt, args.count)])
      }
      putGroup(stream, group)
    }
    if (served.length > 0) return keyedReply(ctx, served)
    // Nothing now: a blocked client retries with `$` pinned to the IDs it meant now.
    if (args.timeoutMs !== null) {
      const retryArgv = resolved ?? argv.slice()
      retryArgv[0] = Buffer.from(xreadgroup ? XREADGROUP_RETRY : XREAD_RETRY)
      ctx.retryArgv = retryArgv
    }
    return NIL_ARRAY
  }
}

/** The first entry at or after `from`, null when none. */
function edgeAfter(stream: Stream, from: StreamId): Entry | null {
  for (const entry of entriesBetween(stream, from, MAX_ID)) return entry
  return null
}

const XREAD_RETRY = 'xread|retry'
const XREADGROUP_RETRY = 'xreadgroup|retry'

// ------------------------------------------------------------ XGROUP

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
]

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
]

function helpReply(lines: string[]): Reply {
  return lines.map((line) => status(line))
}

/** Arity of a container's subcommands, as Redis 7.0's command table (the dispatcher checks it there). */
const SUBCOMMAND_ARITY: Record<string, Record<string, number>> = {
  xgroup: { create: -5, setid: -5, destroy: 4, createconsumer: 5, delconsumer: 5, help: 2 },
  xinfo: { consumers: 4, groups: 3, stream: -3, help: 2 },
}

/** Unknown subcommand or wrong arity: Redis's dispatcher errors for container commands. */
function checkSubcommand(container: string, argv: Buffer[]): ErrorReply | null {
  const sub = lower(argv[1])
  const arity = SUBCOMMAND_ARITY[container][sub]
  if (arity === undefined) return error(`ERR unknown subcommand '${argv[1].toString().slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`)
  if (arity >= 0 ? argv.length !== arity : argv.length < -arity) return Errors.wrongArity(`${container}|${sub}`)
  return null
}

function subcommandSyntax(container: string, argv: Buffer[]): ErrorReply {
  return error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString().slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`)
}

/** XGROUP's ENTRIESREAD: an integer >= 0, or -1 (unknown). */
function parseEntriesRead(arg: Buffer): bigint | ErrorReply {
  const value = parseInt64(arg)
  if (value === null) return Errors.notInteger
  if (value < 0n && value !== -1n) return error('ERR value for ENTRIESREAD must be positive or -1')
  return value
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] | SETID key group id|$ [ENTRIESREAD n] |
//        DESTROY key group | CREATECONSUMER key group consumer | DELCONSUMER key group consumer | HELP
function xgroup(ctx: ExecContext, argv: Buffer[]): Reply {
  const invalid = checkSubcommand('xgroup', argv)
  if (invalid !== null) return invalid
  const sub = lower(argv[1])
  if (sub === 'help') return helpReply(XGROUP_HELP)
  let mkstream = false
  let entriesRead = -1n
  if ((sub === 'create' || sub === 'setid') && argv.length >= 5) {
    for (let i = 5; i < argv.length;) {
      const option = lower(argv[i])
      if (sub === 'create' && option === 'mkstream') {
        mkstream = true
        i++
      } else if (option === 'entriesread' && i + 1 < argv.length) {
        const value = parseEntriesRead(argv[i + 1])
        if (isErrorReply(value)) return value
        entriesRead = value
        i += 2
      } else {
        return subcommandSyntax('xgroup', argv)
      }
    }
  }
  const key = argv[2]
  const name = argv[3]
  const found = openStream(ctx, key)
  if (isErrorReply(found)) return found
  let group: Group | null = null
  if (!mkstream) {
    if (found === null) return noKeyForGroup
    group = getGroup(found, name)
    if (group === null && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
      return error(`NOGROUP No such consumer group '${name.toString()}' for key name '${key.toString()}'`)
    }
  }
  switch (sub) {
    case 'create': {
      if (argv.length > 8) return subcommandSyntax('xgroup', argv)
      let id: StreamId
      if (argv[4].toString('latin1') === '$') {
        id = found === null ? ZERO_ID : found.meta.lastId
      } else {
        const parsed = parseStrictId(argv[4])
        if (parsed === null) return invalidId
        id = parsed
      }
      const stream = found ?? createStream(ctx, key)
      if (found !== null && getGroup(stream, name) !== null) return error('BUSYGROUP Consumer Group name already exists')
      putGroup(stream, { name, key: nameKey(name), lastId: id, entriesRead, consumers: 0, pending: 0 })
      stream.meta.groups++
      stream.save()
      return OK
    }
    case 'setid': {
      if (argv.length !== 5 && argv.length !== 7) return subcommandSyntax('xgroup', argv)
      const stream = found!
      let id: StreamId
      if (argv[4].toString('latin1') === '$') {
        id = stream.meta.lastId
      } else {
        const parsed = parseId(argv[4], 0n, false)
        if (parsed === null) return invalidId
        id = parsed.id
      }
      group!.lastId = id
      group!.entriesRead = entriesRead
      putGroup(stream, group!)
      return OK
    }
    case 'destroy': {
      if (group === null) return 0
      deleteGroup(found!, group)
      found!.save()
      // Clients blocked in XREADGROUP on this group are answered NOGROUP, as Redis.
      ctx.signalReady(key)
      return 1
    }
    case 'createconsumer': {
      const stream = found!
      if (!createConsumer(stream, group!, argv[4], ctx.nowMs)) return 0
      putGroup(stream, group!)
      return 1
    }
    default: {
      // delconsumer
      const stream = found!
      const consumer = getConsumer(stream, group!, argv[4])
      if (consumer === null) return 0
      for (const { id } of pendingBetween(stream, group!, consumer.name, ZERO_ID, MAX_ID)) {
        stream.coll.delete(TAG_PEL, pelSub(group!, id))
        stream.coll.delete(TAG_CONSUMER_PEL, consumerPelSub(group!, consumer.name, id))
      }
      stream.coll.delete(TAG_CONSUMER, consumerSub(group!, consumer.name))
      group!.pending -= consumer.pending
      group!.consumers--
      putGroup(stream, group!)
      return consumer.pending
    }
  }
}

// ------------------------------------------------------------ XACK XPENDING XCLAIM XAUTOCLAIM

function noGroup(key: Buffer, group: Buffer): ErrorReply {
  return error(`NOGROUP No such key '${key.toString()}' or consumer group '${group.toString()}'`)
}

// XACK key group id [id ...]
function xack(ctx: ExecContext, argv: Buffer[]): Reply {
  const stream = openStream(ctx, argv[1])
  if (isErrorReply(stream)) return stream
  const group = stream === null ? null : getGroup(stream, argv[2])
  if (stream === null || group === null) return 0
  const ids: StreamId[] = []
  for (const arg of argv.slice(3)) {
    const id = parseStrictId(arg)
    if (id === null) return invalidId
    ids.push(id)
  }
  let acknowledged = 0
  for (const id of ids) {
    const nack = getNack(stream, group, id)
    if (nack === null) continue
    removeNack(stream, group, id, nack)
    acknowledged++
  }
  if (acknowledged > 0) putGroup(stream, group)
  return acknowledged
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
function xpending(ctx: ExecContext, argv: Buffer[]): Reply {
  const summary = argv.length === 3
  if (!summary && (argv.length < 6 || argv.length > 9)) return Errors.syntax
  let minIdle = 0n
  let start = ZERO_ID
  let end = MAX_ID
  let count = 0n
  let consumerName: Buffer | null = null
  if (!summary) {
    let at = 3
    if (lower(argv[3]) === 'idle') {
      const value = parseInt64(argv[4])
      if (value === null) return Errors.notInteger
      minIdle = value
      if (argv.length < 8) return Errors.syntax
      at += 2
    }
    const value = parseInt64(argv[at + 2])
    if (value === null) return Errors.notInteger
    count = value < 0n ? 0n : value
    const interval = parseInterval(argv[at], argv[at + 1])
    if (isErrorReply(interval)) return interval
    start = interval.start
    end = interval.end
    if (at + 3 < argv.length) consumerName = argv[at + 3]
  }
  const stream = openStream(ctx, argv[1])
  if (isErrorReply(stream)) return stream
  const group = stream === null ? null : getGroup(stream, argv[2])
  if (stream === null || group === null) return noGroup(argv[1], argv[2])
  if (summary) {
    if (group.pending === 0) return [0, null, null, NIL_ARRAY]
    let first: StreamId | null = null
    let last: StreamId | null = null
    for (const row of stream.coll.range(TAG_PEL, group.key, prefixEnd(group.key))) {
      first = decodeId(row.sub, group.key.length)
      break
    }
    for (const row of stream.coll.range(TAG_PEL, group.key, prefixEnd(group.key), true)) {
      last = decodeId(row.sub, group.key.length)
      break
    }
    const owners: Reply[] = []
    for (const consumer of allConsumers(stream, group)) if (consumer.pending > 0) owners.push([consumer.name, String(consumer.pending)])
    return [group.pending, formatId(first!), formatId(last!), owners]
  }
  if (consumerName !== null && getConsumer(stream, group, consumerName) === null) return []
  const out: Reply[] = []
  if (count === 0n) return out
  for (const { id, nack } of pendingBetween(stream, group, consumerName, start, end)) {
    const idle = ctx.nowMs - nack.deliveryTime
    if (minIdle !== 0n && BigInt(idle) < minIdle) continue
    out.push([formatId(id), nack.consumer, Math.max(0, idle), bigOrNumber(nack.deliveryCount)])
    if (BigInt(out.length) >= count) break
  }
  return out
}

/** The reply for a claimed entry: its ID (JUSTID) or [id, fields] (nil when it was deleted). */
function claimedReply(stream: Stream, id: StreamId, justId: boolean): Reply {
  if (justId) return formatId(id)
  const entry = getEntry(stream, id)
  return entry === null ? null : entryReply(entry)
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-ms] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
function xclaim(ctx: ExecContext, argv: Buffer[]): Reply {
  const stream = openStream(ctx, argv[1])
  if (isErrorReply(stream)) return stream
  const group = stream === null ? null : getGroup(stream, argv[2])
  if (stream === null || group === null) return noGroup(argv[1], argv[2])
  const minIdleArg = parseInt64(argv[4])
  if (minIdleArg === null) return error('ERR Invalid min-idle-time argument for XCLAIM')
  const minIdle = minIdleArg < 0n ? 0n : minIdleArg
  const ids: StreamId[] = []
  let j = 5
  for (; j < argv.length; j++) {
    const id = parseStrictId(argv[j])
    if (id === null) break
    ids.push(id)
  }
  const now = ctx.nowMs
  let deliveryTime: bigint | null = null
  let retryCount: bigint | null = null
  let force = false
  let justId = false
  let lastId = ZERO_ID
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j
    const option = lower(argv[j])
    if (option === 'force') {
      force = true
    } else if (option === 'justid') {
      justId = true
    } else if ((option === 'idle' || option === 'time' || option === 'retrycount') && more > 0) {
      const value = parseInt64(argv[++j])
      if (value === null) return error(`ERR Invalid ${option.toUpperCase()} option argument for XCLAIM`)
      if (option === 'idle') deliveryTime = BigInt(now) - value
      else if (option === 'time') deliveryTime = value
      else retryCount = value
    } else if (option === 'lastid' && more > 0) {
      const id = parseStrictId(argv[++j])
      if (id === null) return invalidId
      lastId = id
    } else {
      return error(`ERR Unrecognized XCLAIM option '${argv[j].toString()}'`)
    }
  }
  if (compareIds(lastId, group.lastId) > 0) group.lastId = lastId
  // A bogus time (negative, or in the future) means now, as Redis.
  const time = deliveryTime === null || deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime)
  const out: Reply[] = []
  let seen = false
  for (const id of ids) {
    const nack = getNack(stream, group, id)
    if (getEntry(stream, id) === null) {
      // The entry is gone: its pending entry goes too.
      if (nack !== null) removeNack(stream, group, id, nack)
      continue
    }
    let current = nack
    let created = false
    if (force && current === null) {
      current = { consumer: EMPTY, deliveryTime: now, deliveryCount: 1n }
      created = true
    }
    if (current === null) continue
    if (!created && minIdle !== 0n && BigInt(now - current.deliveryTime) < minIdle) continue
    if (!seen) seeConsumer(stream, group, argv[3], now)
    seen = true
    const claimed: Nack = {
      consumer: argv[3], deliveryTime: time,
      deliveryCount: retryCount !== null && retryCount >= 0n ? retryCount : justId ? current.deliveryCount : current.deliveryCount + 1n,
    }
    if (created) addNack(stream, group, id, claimed)
    else reassignNack(stream, group, id, claimed, current.consumer)
    out.push(claimedReply(stream, id, justId))
  }
  putGroup(stream, group)
  return out
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
function xautoclaim(ctx: ExecContext, argv: Buffer[]): Reply {
  const minIdleArg = parseInt64(argv[4])
  if (minIdleArg === null) return error('ERR Invalid min-idle-time argument for XAUTOCLAIM')
  const minIdle = minIdleArg < 0n ? 0n : minIdleArg
  const startArg = parseRangeId(argv[5], 0n)
  if (startArg === null) return invalidId
  const start = startArg.exclusive ? incrId(startArg.id) : startArg.id
  if (start === null) return invalidStart
  let count = 100n
  let justId = false
  for (let j = 6; j < argv.length; j++) {
    const option = lower(argv[j])
    if (option === 'count' && j + 1 < argv.length) {
      const value = parseInt64(argv[++j])
      if (value === null || value < 1n || value > AUTOCLAIM_COUNT_MAX) return error('ERR COUNT must be > 0')
      count = value
    } else if (option === 'justid') {
      justId = true
    } else {
      return Errors.syntax
    }
  }
  const stream = openStream(ctx, argv[1])
  if (isErrorReply(stream)) return stream
  const group = stream === null ? null : getGroup(stream, argv[2])
  if (stream === null || group === null) return noGroup(argv[1], argv[2])
  const now = ctx.nowMs
  let attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR
  const claimed: Reply[] = []
  const deleted: Reply[] = []
  let seen = false
  const pending = pendingBetween(stream, group, null, start, MAX_ID)
  let cursor = ZERO_ID
  let next: IteratorResult<{ id: StreamId; nack: Nack }> | null = null
  while (attempts-- > 0n && count > 0n) {
    next = pending.next()
    if (next.done) break
    const { id, nack } = next.value
    next = null
    if (getEntry(stream, id) === null) {
      removeNack(stream, group, id, nack)
      deleted.push(formatId(id))
      count--
      continue
    }
    if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue
    if (!seen) seeConsumer(stream, group, argv[3], now)
    seen = true
    reassignNack(stream, group, id, { consumer: argv[3], deliveryTime: now, deliveryCount: justId ? nack.deliveryCount : nack.deliveryCount + 1n }, nack.consumer)
    claimed.push(claimedReply(stream, id, justId))
    count--
  }
  // The cursor: the next pending entry not looked at, 0-0 at the end.
  if (next === null || !next.done) {
    const following = pending.next()
    if (!following.done) cursor = following.value.id
  }
  putGroup(stream, group)
  return [formatId(cursor), claimed, deleted]
}

// ------------------------------------------------------------ XINFO

// XINFO STREAM key [FULL [COUNT count]] | GROUPS key | CONSUMERS key group | HELP
function xinfo(ctx: ExecContext, argv: Buffer[]): Reply {
  const invalid = checkSubcommand('xinfo', argv)
  if (invalid !== null) return invalid
  const sub = lower(argv[1])
  if (sub === 'help') return helpReply(XINFO_HELP)
  const stream = openStream(ctx, argv[2])
  if (stream === null) return error('ERR no such key')
  if (isErrorReply(stream)) return stream
  if (sub === 'consumers') {
    const group = getGroup(stream, argv[3])
    if (group === null) return error(`NOGROUP No such consumer group '${argv[3].toString()}' for key name '${argv[2].toString()}'`)
    const out: Reply[] = []
    for (const consumer of allConsumers(stream, group)) {
      out.push(map(['name', consumer.name, 'pending', consumer.pending, 'idle', Math.max(0, ctx.nowMs - consumer.seenTime)]))
    }
    return out
  }
  if (sub === 'groups') {
    const out: Reply[] = []
    for (const group of allGroups(stream)) {
      out.push(map([
        'name', group.name, 'consumers', group.consumers, 'pending', group.pending, 'last-delivered-id', formatId(group.lastId),
        'entries-read', entriesReadReply(group), 'lag', lagReply(stream, group),
      ]))
    }
    return out
  }
  return xinfoStream(stream, argv)
}

function xinfoStream(stream: Stream, argv: Buffer[]): Reply {
  const options = argv.length - 3
  let full = false
  let count = 10n
  if (options > 0) {
    if ((options !== 1 && options !== 3) || lower(argv[3]) !== 'full') return subcommandSyntax('xinfo', argv)
    full = true
    if (options === 3) {
      if (lower(argv[4]) !== 'count') return subcommandSyntax('xinfo', argv)
      const value = parseInt64(argv[5])
      if (value === null) return Errors.notInteger
      count = value < 0n ? 10n : value
    }
  }
  const meta = stream.meta
  const first = edgeEntry(stream, false)
  const last = edgeEntry(stream, true)
  // Redis reports its radix tree of listpack nodes; these are the nodes of the entries (an estimate).
  const nodes = first === null || last === null ? 0 : Number(last.node - first.node) + 1
  const head: Reply[] = [
    'length', stream.length, 'radix-tree-keys', nodes, 'radix-tree-nodes', nodes + 1, 'last-generated-id', formatId(meta.lastId),
    'max-deleted-entry-id', formatId(meta.maxDeletedId), 'entries-added', bigOrNumber(meta.entriesAdded), 'recorded-first-entry-id', formatId(meta.firstId),
  ]
  if (!full) {
    return map([...head, 'groups', meta.groups, 'first-entry', first === null ? null : entryReply(first), 'last-entry', last === null ? null : entryReply(last)])
  }
  const limited = <T>(items: Generator<T>): T[] => {
    const out: T[] = []
    for (const item of items) {
      out.push(item)
      if (count !== 0n && BigInt(out.length) >= count) break
    }
    return out
  }
  const groups: Reply[] = []
  for (const group of allGroups(stream)) {
    const pel = limited(pendingBetween(stream, group, null, ZERO_ID, MAX_ID))
    const consumers: Reply[] = []
    for (const consumer of allConsumers(stream, group)) {
      const own = limited(pendingBetween(stream, group, consumer.name, ZERO_ID, MAX_ID))
      consumers.push(map([
        'name', consumer.name, 'seen-time', consumer.seenTime, 'pel-count', consumer.pending,
        'pending', own.map(({ id, nack }) => [formatId(id), nack.deliveryTime, bigOrNumber(nack.deliveryCount)]),
      ]))
    }
    groups.push(map([
      'name', group.name, 'last-delivered-id', formatId(group.lastId), 'entries-read', entriesReadReply(group), 'lag', lagReply(stream, group),
      'pel-count', group.pending, 'pending', pel.map(({ id, nack }) => [formatId(id), nack.consumer, nack.deliveryTime, bigOrNumber(nack.deliveryCount)]),
      'consumers', consumers,
    ]))
  }
  return map([...head, 'entries', rangeReply(stream, ZERO_ID, MAX_ID, count, false), 'groups', groups])
}

// ------------------------------------------------------------ the table

const streamCommand = (name: string, arity: number, flags: string[], keys: [number, number, number], summary: string, since: string, run: DataCommand['run'], extra: Partial<DataCommand> = {}): DataCommand =>
  ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], group: 'stream', summary, since, run, ...extra })

const readBlocking: DataCommand['blocking'] = { timeoutMs: xreadTimeoutMs, emptyReply: NIL_ARRAY, timeoutReply: NIL_ARRAY }

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const streamCommands: DataCommand[] = [
  streamCommand('xadd', -5, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Appends a new entry to a stream', '5.0.0', xadd),
  streamCommand('xlen', 2, ['readonly', 'fast'], [1, 1, 1], 'Return the number of entries in a stream', '5.0.0', xlen),
  streamCommand('xrange', -4, ['readonly'], [1, 1, 1], 'Return a range of elements in a stream, with IDs matching the specified IDs interval', '5.0.0', xrangeGeneric(false)),
  streamCommand('xrevrange', -4, ['readonly'], [1, 1, 1], 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE', '5.0.0', xrangeGeneric(true)),
  streamCommand('xdel', -3, ['write', 'fast'], [1, 1, 1], 'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.', '5.0.0', xdel),
  streamCommand('xtrim', -4, ['write'], [1, 1, 1], "Trims the stream to (approximately if '~' is passed) a certain size", '5.0.0', xtrim),
  // As Redis 7.0: no first/last/step (the keys follow STREAMS), flagged movablekeys.
  streamCommand('xread', -4, ['readonly', 'blocking', 'movablekeys'], [0, 0, 0], 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.', '5.0.0', xreadGeneric(false, false), { movableKeys: xreadKeys, blocking: readBlocking }),
  streamCommand('xreadgroup', -7, ['write', 'blocking', 'movablekeys'], [0, 0, 0], 'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.', '5.0.0', xreadGeneric(true, false), { movableKeys: xreadKeys, blocking: readBlocking }),
  streamCommand('xgroup', -2, [], [2, 2, 1], 'A container for consumer groups commands', '5.0.0', xgroup),
  streamCommand('xack', -4, ['write', 'fast'], [1, 1, 1], 'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.', '5.0.0', xack),
  streamCommand('xpending', -3, ['readonly'], [1, 1, 1], 'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.', '5.0.0', xpending),
  streamCommand('xclaim', -6, ['write', 'fast'], [1, 1, 1], 'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.', '5.0.0', xclaim),
  streamCommand('xautoclaim', -6, ['write', 'fast'], [1, 1, 1], 'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.', '6.2.0', xautoclaim),
  streamCommand('xinfo', -2, [], [2, 2, 1], 'A container for stream introspection commands', '5.0.0', xinfo),
  // The retries of blocked XREAD / XREADGROUP clients (lib/server/blocking.ts): clients cannot name them.
  streamCommand(XREAD_RETRY, -4, ['internal'], [0, 0, 0], '', '', xreadGeneric(false, true), { movableKeys: xreadKeys }),
  streamCommand(XREADGROUP_RETRY, -7, ['internal'], [0, 0, 0], '', '', xreadGeneric(true, true), { movableKeys: xreadKeys }),
]
