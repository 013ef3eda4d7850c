// The merge of two replicas of one list (DESIGN.md §6): every element has a unique id and a
// position (list-position.ts) fixed for its life; a replica knows the elements it has seen and
// the ids of those it removed. Merging is the union of both, minus every removed id, each value
// last-writer-wins (LSET); the list is the surviving elements in position order. So concurrent
// inserts are all kept, in an order every node agrees on (positions differ at least by origin),
// and a DEL, LREM, LTRIM or pop removes exactly the elements it saw: an element inserted
// concurrently elsewhere was not seen, so it survives. Two nodes may pop the same element
// concurrently (both replies carry it: at-least-once).
//
// Elements are keyed by id, not by position: a node can give a position again to a new element
// once the old one is removed (an LINSERT into the gap it left), and keyed by position the
// old element's tombstone would then hide the new one, or hide it in some merge orders and not
// others (not associative).
//
// Pure functions: commutative, associative and idempotent (test/property/list-merge.test.ts).

export interface ListElement {
  /** Encoded position (list-position.ts encodePosition): where the element sits. Never changes. */
  readonly position: Buffer
  readonly value: Buffer
  /** The version of the value, `hlc << 16 | origin` of its last write (the insert or an LSET): the later one wins. */
  readonly stamp: bigint
}

export interface ListReplica {
  /** Live elements by element id (unique per insert on every node: its HLC and origin). */
  readonly elements: ReadonlyMap<string, ListElement>
  /** Ids of removed elements: tombstones, kept `gc_grace` as every tombstone is. */
  readonly removed: ReadonlySet<string>
}

/**
 * Which of two versions of one element wins: the later stamp; equal stamps (one write seen
 * twice) compare value, then position, so the choice never depends on the merge order.
 */
function wins(a: ListElement, b: ListElement): boolean {
  if (a.stamp !== b.stamp) return a.stamp > b.stamp
  const byValue = Buffer.compare(a.value, b.value)
  if (byValue !== 0) return byValue > 0
  return Buffer.compare(a.position, b.position) > 0
}

export function mergeLists(a: ListReplica, b: ListReplica): ListReplica {
  const removed = new Set<string>(a.removed)
  for (const id of b.removed) removed.add(id)
  const elements = new Map<string, ListElement>()
  for (const replica of [a, b]) {
    for (const [id, element] of replica.elements) {
      if (removed.has(id)) continue
      const held = elements.get(id)
      if (held === undefined || wins(element, held)) elements.set(id, element)
    }
  }
  return { elements, removed }
}

/** The list a replica holds: its live elements in position order (ties, if any, by id). */
export function listOrder(replica: ListReplica): Array<{ id: string; element: ListElement }> {
  const entries = [...replica.elements].filter(([id]) => !replica.removed.has(id)).map(([id, element]) => ({ id, element }))
  entries.sort((x, y) => Buffer.compare(x.element.position, y.element.position) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  return entries
}

/** The list's values in order: what LRANGE 0 -1 answers after the merge. */
export function listValues(replica: ListReplica): Buffer[] {
  return listOrder(replica).map((entry) => entry.element.value)
}
