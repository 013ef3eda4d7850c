// How one RDB record becomes ordinary marekvs commands (pure: records in, argv lists out).
//
// Collections go in slices of ITEMS_PER_COMMAND elements, so a large key never becomes one
// giant argv, and the engine interleaves other clients between the slices. A TTL is one
// PEXPIREAT after the value. Functions load with FUNCTION LOAD REPLACE.
import type { RdbRecord, RdbStream, RdbValue, StreamId } from './rdb'
import { formatStreamId } from './rdb'

/**
 * Elements (or pairs) per command: large enough that per-command overhead vanishes, small
 * enough that one argv stays a few hundred KB for typical members and a slice never holds
 * the engine for long.
 */
export const ITEMS_PER_COMMAND = 512

export type Argv = Buffer[]

const b = (text: string): Buffer => Buffer.from(text)

/** A score as ZADD reads it back to the same double (shortest round-trip text; inf spelled as Redis does). */
export function formatScore(score: number): string {
  if (score === Infinity) return 'inf'
  if (score === -Infinity) return '-inf'
  return String(score)
}

/** `head` followed by `items` in slices of `perCommand` groups of `groupSize` elements. */
function sliced(head: Buffer[], items: Buffer[], groupSize: number, perCommand = ITEMS_PER_COMMAND): Argv[] {
  const out: Argv[] = []
  const step = perCommand * groupSize
  for (let i = 0; i < items.length; i += step) out.push([...head, ...items.slice(i, i + step)])
  return out
}

function idText(id: StreamId): Buffer {
  return b(formatStreamId(id))
}

function compareIds(a: StreamId, c: StreamId): number {
  if (a.ms !== c.ms) return a.ms < c.ms ? -1 : 1
  return a.seq === c.seq ? 0 : a.seq < c.seq ? -1 : 1
}

const ZERO_ID: StreamId = { ms: 0n, seq: 0n }
// The field of the placeholder entry that carries a stream's last ID past its last entry, and
// the name of the temporary group that creates an empty stream.
const PLACEHOLDER_FIELD = b('marekvs-migration')

/**
 * A stream as XADDs of its entries with their own IDs, then its groups: XGROUP CREATE at the
 * group's last-delivered ID (with ENTRIESREAD when the file has it), XGROUP CREATECONSUMER, and
 * the pending entries claimed by their consumers as Redis itself replicates them (XCLAIM ...
 * TIME RETRYCOUNT FORCE JUSTID). When the last ID lies past the last entry (entries deleted at
 * the tail, or an empty stream), a placeholder entry at the last ID is added and deleted, so
 * that XADD * continues after it as it would on the upstream.
 */
function streamCommands(key: Buffer, stream: RdbStream): Argv[] {
  const out: Argv[] = []
  for (const entry of stream.entries) out.push([b('XADD'), key, idText(entry.id), ...entry.fields])
  const lastEntry = stream.entries.length > 0 ? stream.entries[stream.entries.length - 1].id : ZERO_ID
  if (compareIds(stream.lastId, lastEntry) > 0) {
    out.push([b('XADD'), key, idText(stream.lastId), PLACEHOLDER_FIELD, b('')])
    out.push([b('XDEL'), key, idText(stream.lastId)])
  } else if (stream.entries.length === 0) {
    // Empty and never written (XGROUP CREATE ... MKSTREAM): a temporary group creates it.
    out.push([b('XGROUP'), b('CREATE'), key, PLACEHOLDER_FIELD, b('0'), b('MKSTREAM')])
    out.push([b('XGROUP'), b('DESTROY'), key, PLACEHOLDER_FIELD])
  }
  for (const group of stream.groups) {
    const create = [b('XGROUP'), b('CREATE'), key, group.name, idText(group.lastId)]
    if (group.entriesRead !== null) create.push(b('ENTRIESREAD'), b(group.entriesRead.toString()))
    out.push(create)
    for (const consumer of group.consumers) out.push([b('XGROUP'), b('CREATECONSUMER'), key, group.name, consumer.name])
    for (const nack of group.pending) {
      if (nack.consumer === null) continue
      out.push([
        b('XCLAIM'), key, group.name, nack.consumer, b('0'), idText(nack.id),
        b('TIME'), b(String(nack.deliveryTimeMs)), b('RETRYCOUNT'), b(nack.deliveryCount.toString()), b('FORCE'), b('JUSTID'),
      ])
    }
  }
  return out
}

function valueCommands(key: Buffer, value: RdbValue): Argv[] {
  switch (value.kind) {
    case 'string': return [[b('SET'), key, value.value]]
    case 'list': return sliced([b('RPUSH'), key], value.items, 1)
    case 'set': return sliced([b('SADD'), key], value.members, 1)
    case 'hash': return sliced([b('HSET'), key], value.fields, 2)
    case 'zset': {
      const flat: Buffer[] = []
      for (const { member, score } of value.entries) flat.push(b(formatScore(score)), member)
      return sliced([b('ZADD'), key], flat, 2)
    }
    case 'stream': return streamCommands(key, value.stream)
  }
}

/** The commands that recreate a record on marekvs; none for records that carry no data (header, aux). */
export function loadCommands(record: RdbRecord): Argv[] {
  switch (record.type) {
    case 'header':
    case 'aux':
      return []
    case 'function':
      return [[b('FUNCTION'), b('LOAD'), b('REPLACE'), record.code]]
    case 'key': {
      const out = valueCommands(record.key, record.value)
      if (record.expireAtMs !== null) out.push([b('PEXPIREAT'), record.key, b(String(record.expireAtMs))])
      return out
    }
  }
}
