// Properties of the list merge: commutative, associative and idempotent on any replica states,
// and, on replicas that edit a common list concurrently with the real position functions, every
// concurrent insert kept, every removal limited to what it saw, each replica's order preserved.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ListElement, listOrder, ListReplica, listValues, mergeLists } from '../../lib/commands/list-merge'
import { encodePosition, ListEnds, positionBetween, pushPosition, decodePosition } from '../../lib/commands/list-position'

/** A replica as comparable data: elements sorted by id, removed ids sorted. */
function canonical(replica: ListReplica): string {
  const elements = [...replica.elements].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([id, e]) => [id, e.position.toString('hex'), e.value.toString('hex'), String(e.stamp)])
  return JSON.stringify({ elements, removed: [...replica.removed].sort() })
}

// Arbitrary states over a small id space, so replicas share ids, tombstones and versions. An id's
// position is fixed (a function of the id), as an element's is; its value and stamp vary.
const ids = ['a', 'b', 'c', 'd', 'e', 'f']
const positionOf = (id: string): Buffer => encodePosition({ int: BigInt(id.charCodeAt(0) % 3), frac: Buffer.from([0x80 + id.charCodeAt(0)]), origin: id.charCodeAt(0) % 2 })
const element = (id: string): fc.Arbitrary<ListElement> =>
  fc.record({ value: fc.uint8Array({ maxLength: 2 }).map((v) => Buffer.from(v)), stamp: fc.bigInt({ min: 0n, max: 4n }) })
    .map(({ value, stamp }) => ({ position: positionOf(id), value, stamp }))
const replica: fc.Arbitrary<ListReplica> = fc.record({
  present: fc.subarray(ids),
  removed: fc.subarray(ids, { maxLength: 3 }),
}).chain(({ present, removed }) => fc.tuple(...present.map(element)).map((elements) => {
  const gone = new Set(removed)
  // A replica never holds an element it removed.
  return { elements: new Map(present.map((id, i) => [id, elements[i]] as [string, ListElement]).filter(([id]) => !gone.has(id))), removed: gone }
}))

describe('list merge (properties)', () => {
  it('is commutative', () => {
    fc.assert(fc.property(replica, replica, (a, b) => {
      assert.equal(canonical(mergeLists(a, b)), canonical(mergeLists(b, a)))
    }), { numRuns: 1000 })
  })

  it('is associative', () => {
    fc.assert(fc.property(replica, replica, replica, (a, b, c) => {
      assert.equal(canonical(mergeLists(mergeLists(a, b), c)), canonical(mergeLists(a, mergeLists(b, c))))
    }), { numRuns: 1000 })
  })

  it('is idempotent', () => {
    fc.assert(fc.property(replica, replica, (a, b) => {
      assert.equal(canonical(mergeLists(a, a)), canonical(a))
      const ab = mergeLists(a, b)
      assert.equal(canonical(mergeLists(ab, ab)), canonical(ab))
      assert.equal(canonical(mergeLists(ab, b)), canonical(ab))
    }), { numRuns: 1000 })
  })

  // Concurrent edits of a common list: each replica pushes, inserts between neighbours, sets and
  // removes elements it sees, with positions from list-position.ts and ids unique per insert.
  type Edit =
    | { kind: 'push'; left: boolean }
    | { kind: 'insert'; at: number }
    | { kind: 'remove'; at: number }
    | { kind: 'set'; at: number }
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), left: fc.boolean() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat() }),
  )

  interface Node { origin: number; state: { elements: Map<string, ListElement>; removed: Set<string> }; ends: ListEnds | null; clock: bigint; inserted: string[]; removed: string[] }

  function apply(node: Node, e: Edit): void {
    const order = listOrder(node.state)
    const stamp = (node.clock += 1n) << 16n | BigInt(node.origin)
    const id = `${node.origin}:${node.clock}`
    if (e.kind === 'push' || (e.kind === 'insert' && order.length < 2)) {
      const pushed = pushPosition(node.ends, e.kind === 'push' ? e.left : true, node.origin)
      node.ends = pushed.ends
      node.state.elements.set(id, { position: encodePosition(pushed.position), value: Buffer.from(id), stamp })
      node.inserted.push(id)
    } else if (e.kind === 'insert') {
      const at = 1 + (e.at % (order.length - 1))
      const position = positionBetween(decodePosition(order[at - 1].element.position), decodePosition(order[at].element.position), node.origin)!
      node.state.elements.set(id, { position: encodePosition(position), value: Buffer.from(id), stamp })
      node.inserted.push(id)
    } else if (order.length > 0) {
      const target = order[e.at % order.length]
      if (e.kind === 'remove') {
        node.state.elements.delete(target.id)
        node.state.removed.add(target.id)
        node.removed.push(target.id)
      } else {
        node.state.elements.set(target.id, { ...target.element, value: Buffer.from(`set by ${node.origin}`), stamp })
      }
    }
  }

  it('concurrent edits: inserts all kept, removals only of what was seen, each replica\'s order kept', () => {
    fc.assert(fc.property(fc.array(edit, { maxLength: 15 }), fc.array(edit, { maxLength: 25 }), fc.array(edit, { maxLength: 25 }), (common, editsA, editsB) => {
      const base: Node = { origin: 0, state: { elements: new Map(), removed: new Set() }, ends: null, clock: 0n, inserted: [], removed: [] }
      for (const e of common) apply(base, e)
      const fork = (origin: number): Node => ({
        origin, state: { elements: new Map(base.state.elements), removed: new Set(base.state.removed) }, ends: base.ends, clock: base.clock, inserted: [], removed: [],
      })
      const a = fork(1)
      const b = fork(2)
      for (const e of editsA) apply(a, e)
      for (const e of editsB) apply(b, e)
      const ab = mergeLists(a.state, b.state)
      const ba = mergeLists(b.state, a.state)
      assert.deepEqual(listValues(ab), listValues(ba))
      const merged = new Set(listOrder(ab).map((entry) => entry.id))
      const removedAnywhere = new Set([...a.removed, ...b.removed])
      for (const id of [...a.inserted, ...b.inserted]) assert.equal(merged.has(id), !removedAnywhere.has(id), id)
      for (const id of removedAnywhere) assert.ok(!merged.has(id))
      for (const id of base.state.elements.keys()) assert.equal(merged.has(id), !removedAnywhere.has(id))
      // Each replica's surviving elements keep their relative order in the merged list.
      const mergedOrder = listOrder(ab).map((entry) => entry.id)
      for (const node of [a, b]) {
        const own = listOrder(node.state).map((entry) => entry.id).filter((id) => merged.has(id))
        assert.deepEqual(mergedOrder.filter((id) => own.includes(id)), own)
      }
      // Positions are all distinct: no two elements ever need a tie-break.
      assert.equal(new Set(listOrder(ab).map((entry) => entry.element.position.toString('hex'))).size, merged.size)
    }), { numRuns: 500 })
  })
})
