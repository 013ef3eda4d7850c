// The observed-remove, add-wins set of DESIGN.md §6 (SADD/SREM; zset.ts builds on it). Every add
// carries a unique tag, the version `(hlc, origin)` of its write (a set member's stored envelope,
// sets.ts); a remove cancels the tags its replica holds for the element, and only those. An add
// the remove did not see keeps the element: add-wins. A whole-set delete (DEL, or an overwrite
// by another type) is a collection tombstone: `deleted` hides every tag not newer than it.
//
// State: per element its live tags (with a payload: null for sets, a score op for sorted sets)
// and its removed tags, kept normalised: a removed or deleted tag is never live, a tag not newer
// than `deleted` is dropped (the tombstone covers it), an element with no tag is dropped.
// Merge = union of tags, then normalise: a join, so commutative, associative and idempotent.
// Removed tags are tombstones: they are kept `gc_grace` and purged once every replica has them.
import { canonical } from './canonical'
import { compareVersions, maxVersion, Version, versionKey, ZERO_VERSION } from './version'

export interface Tagged<P> {
  readonly tag: Version
  readonly payload: P
}

export interface ElementState<P> {
  /** versionKey(tag) -> the add */
  readonly adds: ReadonlyMap<string, Tagged<P>>
  /** versionKey(tag) -> a removed tag */
  readonly removes: ReadonlyMap<string, Version>
}

export interface OrSet<P> {
  /** The newest whole-set delete; ZERO_VERSION: never deleted. */
  readonly deleted: Version
  /** element bytes as latin1 -> its tags */
  readonly elements: ReadonlyMap<string, ElementState<P>>
}

export const EMPTY_ORSET: OrSet<never> = { deleted: ZERO_VERSION, elements: new Map() }

function normalise<P>(deleted: Version, adds: Map<string, Tagged<P>>, removes: Map<string, Version>): ElementState<P> | null {
  for (const [key, tag] of removes) {
    if (compareVersions(tag, deleted) <= 0) removes.delete(key)
    else adds.delete(key)
  }
  for (const [key, add] of adds) if (compareVersions(add.tag, deleted) <= 0) adds.delete(key)
  return adds.size === 0 && removes.size === 0 ? null : { adds, removes }
}

function mergeElement<P>(deleted: Version, a: ElementState<P> | undefined, b: ElementState<P> | undefined): ElementState<P> | null {
  const adds = new Map(a?.adds)
  const removes = new Map(a?.removes)
  if (b !== undefined) {
    for (const [key, add] of b.adds) {
      const mine = adds.get(key)
      // One tag is one write, so its payloads agree; the comparison only keeps this total.
      if (mine === undefined || canonical(add.payload) > canonical(mine.payload)) adds.set(key, add)
    }
    for (const [key, tag] of b.removes) removes.set(key, tag)
  }
  return normalise(deleted, adds, removes)
}

export function mergeOrSet<P>(a: OrSet<P>, b: OrSet<P>): OrSet<P> {
  const deleted = maxVersion(a.deleted, b.deleted)
  const elements = new Map<string, ElementState<P>>()
  for (const id of new Set([...a.elements.keys(), ...b.elements.keys()])) {
    const merged = mergeElement(deleted, a.elements.get(id), b.elements.get(id))
    if (merged !== null) elements.set(id, merged)
  }
  return { deleted, elements }
}

function withElement<P>(state: OrSet<P>, id: string, element: ElementState<P> | null): OrSet<P> {
  const elements = new Map(state.elements)
  if (element === null) elements.delete(id)
  else elements.set(id, element)
  return { deleted: state.deleted, elements }
}

/** SADD of one element, tagged with the version of its write. */
export function addElement<P>(state: OrSet<P>, element: Buffer, tag: Version, payload: P): OrSet<P> {
  const id = element.toString('latin1')
  const one: ElementState<P> = { adds: new Map([[versionKey(tag), { tag, payload }]]), removes: new Map() }
  return withElement(state, id, mergeElement(state.deleted, state.elements.get(id), one))
}

/** SREM of one element: it cancels the tags this replica holds, no other. */
export function removeElement<P>(state: OrSet<P>, element: Buffer): OrSet<P> {
  const id = element.toString('latin1')
  const current = state.elements.get(id)
  if (current === undefined || current.adds.size === 0) return state
  const removes = new Map(current.removes)
  for (const [key, add] of current.adds) removes.set(key, add.tag)
  return withElement(state, id, { adds: new Map(), removes })
}

/** DEL of the whole set at `version`. */
export function deleteOrSet<P>(state: OrSet<P>, version: Version): OrSet<P> {
  return mergeOrSet(state, { deleted: version, elements: new Map() })
}

/** The live adds of an element, oldest first. */
export function liveTags<P>(state: OrSet<P>, id: string): Array<Tagged<P>> {
  const current = state.elements.get(id)
  if (current === undefined) return []
  return [...current.adds.values()].sort((x, y) => compareVersions(x.tag, y.tag))
}

/** The members (latin1 ids), sorted. */
export function orSetMembers<P>(state: OrSet<P>): string[] {
  const out: string[] = []
  for (const [id, element] of state.elements) if (element.adds.size > 0) out.push(id)
  return out.sort()
}

export function canonicalOrSet<P>(state: OrSet<P>): string {
  return canonical(state)
}

/** A stored set member's add tag: the version in its envelope (sets.ts writes an empty payload). */
export function tagOfStored(envelope: { hlc: bigint; origin: number }): Version {
  return { hlc: envelope.hlc, origin: envelope.origin }
}
