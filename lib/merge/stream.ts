// A stream (DESIGN.md §6): entries are merged by ID; auto-generated IDs embed the origin
// (docs/data-model.md), so two nodes never mint the same one and an ID names one write. Consumer-
// group state converges per group, with deletes winning.
//
// Entries: the OR-set of orset.ts keyed by the ID (16 bytes, big-endian: byte order is ID order),
//   the payload the field/value pairs. XDEL and XTRIM remove the tags they observed (an entry they
//   did not see, e.g. one added elsewhere with the same explicit ID, stays); DEL of the stream is
//   the OR-set's tombstone. Should one ID carry two writes (explicit IDs at two nodes), the newer
//   version's fields are read.
// last-generated ID and max-deleted-entry ID: max registers. entries-added: a grow-only counter
//   per origin (each origin counts its own appends), summed.
// A group, by name:
//   created / destroyed   the newest XGROUP CREATE and DESTROY versions; the group exists while its
//                         newest create is newer than its newest destroy. Every other record of a
//                         group not newer than the destroy is dropped, and a write made concurrently
//                         with a destroy cannot bring the group back (it has no newer create):
//                         the destroy wins.
//   cursor                last-delivered ID: the newest CREATE/SETID (a reset, LWW) and, per origin,
//                         the highest ID its XREADGROUPs delivered after that reset (an origin's
//                         deliveries are in its version order); read as the max of the reset and
//                         the deliveries newer than it, so concurrent readers never move it back.
//   pending               per entry ID and consumer the newest delivery or claim; the entry's owner,
//                         delivery time and count are those of its newest surviving one; acks per
//                         entry ID: an acked entry leaves the PEL for good within this group (an
//                         ACK wins over a concurrent delivery or claim).
//   consumers             per name the newest activity (version, seen time); DELCONSUMER at v hides
//                         the consumer and its pending entries not newer than v.
// entries-read is not merged: after a merge it is unknown (-1), and Redis's own estimate
// (streams.ts, estimateDistance) takes over, as it does after XGROUP SETID.
import { addElement, canonicalOrSet, deleteOrSet, EMPTY_ORSET, liveTags, mergeOrSet, OrSet, orSetMembers, removeElement } from './orset'
import { canonical } from './canonical'
import { compareVersions, isNewer, maxVersion, Version, ZERO_VERSION } from './version'

/** An entry ID as 16 big-endian bytes in latin1 (byte order = ID order); ZERO_ID is 0-0. */
export type IdKey = string

export const ZERO_ID: IdKey = '\0'.repeat(16)

export interface Delivery {
  readonly version: Version
  readonly consumer: string
  readonly deliveryTimeMs: number
  readonly deliveryCount: number
}

export interface ConsumerState {
  readonly version: Version
  readonly seenTimeMs: number
}

export interface GroupState {
  readonly created: Version
  readonly destroyed: Version
  readonly reset: { readonly version: Version; readonly id: IdKey }
  /** origin -> the highest ID it delivered and the version of that delivery */
  readonly reads: ReadonlyMap<number, { readonly version: Version; readonly id: IdKey }>
  /**
   * entry ID -> consumer -> that consumer's newest delivery or claim of it. The owner is the
   * newest of them that survives (views pick it): keeping one per consumer, not one per entry,
   * lets a DELCONSUMER drop the newest without losing the one before it whatever the merge order.
   */
  readonly pending: ReadonlyMap<IdKey, ReadonlyMap<string, Delivery>>
  /** entry ID -> the newest ack of it */
  readonly acks: ReadonlyMap<IdKey, Version>
  readonly consumers: ReadonlyMap<string, ConsumerState>
  /** consumer -> its newest DELCONSUMER */
  readonly consumerDeletes: ReadonlyMap<string, Version>
}

export interface StreamState {
  readonly entries: OrSet<readonly Buffer[]>
  readonly lastId: IdKey
  readonly maxDeletedId: IdKey
  /** origin -> entries that origin appended */
  readonly added: ReadonlyMap<number, bigint>
  /** group name (latin1) -> its state */
  readonly groups: ReadonlyMap<string, GroupState>
}

export const EMPTY_STREAM: StreamState = { entries: EMPTY_ORSET, lastId: ZERO_ID, maxDeletedId: ZERO_ID, added: new Map(), groups: new Map() }

const EMPTY_GROUP: GroupState = {
  created: ZERO_VERSION, destroyed: ZERO_VERSION, reset: { version: ZERO_VERSION, id: ZERO_ID }, reads: new Map(), pending: new Map(),
  acks: new Map(), consumers: new Map(), consumerDeletes: new Map(),
}

const maxId = (a: IdKey, b: IdKey): IdKey => (a >= b ? a : b)

/** Per key, the value with the newer version (one version is one write: equal versions carry equal values). */
function mergeByVersion<K, V extends { readonly version: Version }>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): Map<K, V> {
  const out = new Map(a)
  for (const [key, value] of b) {
    const mine = out.get(key)
    if (mine === undefined || isNewer(value.version, mine.version) || (compareVersions(value.version, mine.version) === 0 && canonical(value) > canonical(mine))) out.set(key, value)
  }
  return out
}

function mergePending(a: GroupState['pending'], b: GroupState['pending']): Map<IdKey, Map<string, Delivery>> {
  const out = new Map<IdKey, Map<string, Delivery>>()
  for (const [id, deliveries] of a) out.set(id, new Map(deliveries))
  for (const [id, deliveries] of b) out.set(id, mergeByVersion(out.get(id) ?? new Map(), deliveries))
  return out
}

/** The entry's owner: its newest surviving delivery. */
function newestDelivery(deliveries: ReadonlyMap<string, Delivery> | undefined): Delivery | undefined {
  let newest: Delivery | undefined
  for (const delivery of deliveries?.values() ?? []) {
    if (newest === undefined || isNewer(delivery.version, newest.version)) newest = delivery
  }
  return newest
}

function mergeVersions<K>(a: ReadonlyMap<K, Version>, b: ReadonlyMap<K, Version>): Map<K, Version> {
  const out = new Map(a)
  for (const [key, version] of b) out.set(key, maxVersion(out.get(key) ?? ZERO_VERSION, version))
  return out
}

/** Drop what the group's destroy and its consumers' deletes cover: the normal form merges keep. */
function normaliseGroup(group: GroupState): GroupState {
  const gone = (version: Version): boolean => compareVersions(version, group.destroyed) <= 0
  const reads = new Map([...group.reads].filter(([, read]) => !gone(read.version) && isNewer(read.version, group.reset.version)))
  const consumerDeletes = new Map([...group.consumerDeletes].filter(([, version]) => !gone(version)))
  const deletedAt = (consumer: string): Version => consumerDeletes.get(consumer) ?? ZERO_VERSION
  const acks = new Map([...group.acks].filter(([, version]) => !gone(version)))
  // An ack hides its entry's deliveries in the views, not here: dropping them here would make the
  // result depend on whether the ack met them before or after a destroy that then drops the ack.
  const pending = new Map<IdKey, Map<string, Delivery>>()
  for (const [id, deliveries] of group.pending) {
    const kept = new Map([...deliveries].filter(([consumer, delivery]) => !gone(delivery.version) && isNewer(delivery.version, deletedAt(consumer))))
    if (kept.size > 0) pending.set(id, kept)
  }
  const consumers = new Map([...group.consumers].filter(([name, consumer]) => !gone(consumer.version) && isNewer(consumer.version, deletedAt(name))))
  const created = gone(group.created) ? ZERO_VERSION : group.created
  const reset = gone(group.reset.version) ? EMPTY_GROUP.reset : group.reset
  return { created, destroyed: group.destroyed, reset, reads, pending, acks, consumers, consumerDeletes }
}

function mergeGroup(a: GroupState, b: GroupState): GroupState {
  const reset = compareVersions(a.reset.version, b.reset.version) > 0 || (compareVersions(a.reset.version, b.reset.version) === 0 && a.reset.id >= b.reset.id) ? a.reset : b.reset
  return normaliseGroup({
    created: maxVersion(a.created, b.created),
    destroyed: maxVersion(a.destroyed, b.destroyed),
    reset,
    reads: mergeByVersion(a.reads, b.reads),
    pending: mergePending(a.pending, b.pending),
    acks: mergeVersions(a.acks, b.acks),
    consumers: mergeByVersion(a.consumers, b.consumers),
    consumerDeletes: mergeVersions(a.consumerDeletes, b.consumerDeletes),
  })
}

export function mergeStream(a: StreamState, b: StreamState): StreamState {
  const added = new Map(a.added)
  for (const [origin, count] of b.added) if (count > (added.get(origin) ?? 0n)) added.set(origin, count)
  const groups = new Map(a.groups)
  for (const [name, group] of b.groups) {
    const mine = groups.get(name)
    groups.set(name, mine === undefined ? group : mergeGroup(mine, group))
  }
  return { entries: mergeOrSet(a.entries, b.entries), lastId: maxId(a.lastId, b.lastId), maxDeletedId: maxId(a.maxDeletedId, b.maxDeletedId), added, groups }
}

// ------------------------------------------------------------ the writes

/** XADD of entry `id` at `version` (its origin counts the append). */
export function xadd(state: StreamState, id: IdKey, fields: readonly Buffer[], version: Version): StreamState {
  const added = new Map(state.added)
  added.set(version.origin, (added.get(version.origin) ?? 0n) + 1n)
  return { ...state, entries: addElement(state.entries, Buffer.from(id, 'latin1'), version, fields), lastId: maxId(state.lastId, id), added }
}

/** XDEL of one entry (XTRIM removes each entry it trims so): the adds this replica holds. */
export function xdel(state: StreamState, id: IdKey): StreamState {
  if (!orSetMembers(state.entries).includes(id)) return state
  return { ...state, entries: removeElement(state.entries, Buffer.from(id, 'latin1')), maxDeletedId: maxId(state.maxDeletedId, id) }
}

/** DEL of the whole stream at `version`: entries and groups written before it are gone. */
export function deleteStream(state: StreamState, version: Version): StreamState {
  const groups = new Map<string, GroupState>()
  for (const [name, group] of state.groups) groups.set(name, normaliseGroup({ ...group, destroyed: maxVersion(group.destroyed, version) }))
  return { ...state, entries: deleteOrSet(state.entries, version), groups }
}

function withGroup(state: StreamState, name: string, change: (group: GroupState) => GroupState): StreamState {
  const groups = new Map(state.groups)
  groups.set(name, normaliseGroup(change(groups.get(name) ?? EMPTY_GROUP)))
  return { ...state, groups }
}

/** XGROUP CREATE name at `version`, its cursor at `id`. */
export function groupCreate(state: StreamState, name: string, id: IdKey, version: Version): StreamState {
  return withGroup(state, name, (group) => ({ ...group, created: maxVersion(group.created, version), reset: { version, id } }))
}

/** XGROUP SETID: a reset of the cursor. */
export function groupSetId(state: StreamState, name: string, id: IdKey, version: Version): StreamState {
  return withGroup(state, name, (group) => ({ ...group, reset: { version, id } }))
}

/** XGROUP DESTROY at `version`: everything of the group up to now, and anything concurrent, is gone. */
export function groupDestroy(state: StreamState, name: string, version: Version): StreamState {
  return withGroup(state, name, (group) => ({ ...group, destroyed: maxVersion(group.destroyed, version) }))
}

/** XREADGROUP delivering `id` to `consumer` (or XCLAIM / XAUTOCLAIM claiming it: advance = false). */
export function deliver(state: StreamState, name: string, consumer: string, id: IdKey, version: Version, timeMs: number, advance = true): StreamState {
  return withGroup(state, name, (group) => {
    const previous = newestDelivery(group.pending.get(id))
    const pending = new Map(group.pending)
    const deliveries = new Map(group.pending.get(id) ?? [])
    deliveries.set(consumer, { version, consumer, deliveryTimeMs: timeMs, deliveryCount: (previous?.deliveryCount ?? 0) + 1 })
    pending.set(id, deliveries)
    const consumers = new Map(group.consumers)
    consumers.set(consumer, { version, seenTimeMs: timeMs })
    const reads = new Map(group.reads)
    const read = reads.get(version.origin)
    if (advance) reads.set(version.origin, { version, id: maxId(read !== undefined && isNewer(read.version, group.reset.version) ? read.id : ZERO_ID, id) })
    return { ...group, pending, consumers, reads }
  })
}

/** XACK of `id` at `version`. */
export function ack(state: StreamState, name: string, id: IdKey, version: Version): StreamState {
  return withGroup(state, name, (group) => ({ ...group, acks: mergeVersions(group.acks, new Map([[id, version]])) }))
}

/** XGROUP DELCONSUMER at `version`: the consumer and its pending entries up to now. */
export function delConsumer(state: StreamState, name: string, consumer: string, version: Version): StreamState {
  return withGroup(state, name, (group) => ({ ...group, consumerDeletes: mergeVersions(group.consumerDeletes, new Map([[consumer, version]])) }))
}

// ------------------------------------------------------------ reads

/** The entries in ID order, each with the fields of its newest write. */
export function streamEntries(state: StreamState): Array<[IdKey, readonly Buffer[]]> {
  return orSetMembers(state.entries).map((id) => {
    const tags = liveTags(state.entries, id)
    return [id, tags[tags.length - 1].payload]
  })
}

export function entriesAdded(state: StreamState): bigint {
  let total = 0n
  for (const count of state.added.values()) total += count
  return total
}

export interface GroupView {
  readonly lastDeliveredId: IdKey
  /** [entry ID, owner] in ID order */
  readonly pending: Array<[IdKey, string]>
  readonly consumers: string[]
}

/** The group as XINFO/XPENDING would show it; null when it does not exist. */
export function groupView(state: StreamState, name: string): GroupView | null {
  const group = state.groups.get(name)
  if (group === undefined || !isNewer(group.created, group.destroyed)) return null
  let lastDeliveredId = group.reset.id
  for (const read of group.reads.values()) lastDeliveredId = maxId(lastDeliveredId, read.id)
  const pending = [...group.pending].filter(([id]) => !group.acks.has(id))
    .map(([id, deliveries]): [IdKey, string] => [id, newestDelivery(deliveries)!.consumer]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
  return { lastDeliveredId, pending, consumers: [...group.consumers.keys()].sort() }
}

export function canonicalStream(state: StreamState): string {
  return canonical({ ...state, entries: canonicalOrSet(state.entries) })
}
