// Properties of the observed-remove, add-wins set (lib/merge/orset.ts): a join; every replica's
// members are the reference model's (an add is live unless a known remove had seen it or a known
// DEL is newer); a concurrent add and remove of one element keeps it (add-wins); a remove cancels
// only the adds it observed.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { addElement, canonicalOrSet, deleteOrSet, EMPTY_ORSET, mergeOrSet, OrSet, orSetMembers, removeElement } from '../../lib/merge/orset'
import { compareVersions, Version } from '../../lib/merge/version'
import { assertLaws, Event, mergeAll, REPLICAS, RUNS, simulate, stepsArb } from '../support/merge-sim'

const ELEMENTS = ['x', 'y', 'z']
type SetOp = { kind: 'add' | 'remove'; element: string } | { kind: 'del' }
const opArb: fc.Arbitrary<SetOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), element: fc.constantFrom(...ELEMENTS) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'del' as const }) },
)

type S = OrSet<null>
const empty: S = EMPTY_ORSET
function apply(state: S, v: Version, op: SetOp): S {
  if (op.kind === 'del') return deleteOrSet(state, v)
  const element = Buffer.from(op.element, 'latin1')
  return op.kind === 'add' ? addElement(state, element, v, null) : removeElement(state, element)
}

function model(events: Array<Event<SetOp>>, known: ReadonlySet<number>): string[] {
  const mine = events.filter((e) => known.has(e.id))
  let deleted: Version = { hlc: 0n, origin: 0 }
  for (const e of mine) if (e.op.kind === 'del' && compareVersions(e.version, deleted) > 0) deleted = e.version
  return ELEMENTS.filter((element) => mine.some((add) =>
    add.op.kind === 'add' && add.op.element === element && compareVersions(add.version, deleted) > 0 &&
    !mine.some((rm) => rm.op.kind === 'remove' && rm.op.element === element && rm.known.has(add.id))))
}

const run = (steps: Parameters<typeof simulate<S, SetOp>>[0]) => simulate(steps, empty, mergeOrSet<null>, apply)

describe('merge: OR-set (observed-remove, add-wins)', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stepsArb(opArb), (steps) => assertLaws(mergeOrSet<null>, canonicalOrSet, run(steps).states)), { numRuns: RUNS })
  })

  it('every replica, and the fully merged state, has the reference model\'s members', () => {
    fc.assert(fc.property(stepsArb(opArb, 60), (steps) => {
      const { states, known, events } = run(steps)
      for (let r = 0; r < REPLICAS; r++) assert.deepEqual(orSetMembers(states[r]), model(events, known[r]), `replica ${r}`)
      assert.deepEqual(orSetMembers(mergeAll(mergeOrSet<null>, states)), model(events, new Set(events.map((e) => e.id))), 'merged')
    }), { numRuns: RUNS })
  })

  it('add-wins: a concurrent add and remove of the same element keeps it, whatever the versions', () => {
    const x = Buffer.from('x')
    fc.assert(fc.property(fc.bigInt({ min: 2n, max: 50n }), fc.integer({ min: 1, max: 3 }), fc.bigInt({ min: 2n, max: 50n }), (addHlc, addOrigin, otherHlc) => {
      const shared = addElement(empty, x, { hlc: 1n, origin: 9 }, null)
      const added = addElement(shared, x, { hlc: addHlc, origin: addOrigin }, null)
      const removed = removeElement(addElement(shared, Buffer.from('w'), { hlc: otherHlc, origin: 4 }, null), x)
      assert.deepEqual(orSetMembers(removed), ['w'])
      assert.deepEqual(orSetMembers(mergeOrSet(added, removed)), ['w', 'x'])
      assert.deepEqual(orSetMembers(mergeOrSet(removed, added)), ['w', 'x'])
    }), { numRuns: RUNS })
  })

  it('a remove cancels exactly the adds it observed', () => {
    const x = Buffer.from('x')
    // Adds of x at three replicas; the remover has merged some of them, then removes x; all merge.
    fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), (adds, heard) => {
      const states = adds.map((add, r) => (add ? addElement(empty, x, { hlc: 1n, origin: r + 1 }, null) : empty))
      let remover: S = empty
      for (let r = 0; r < 3; r++) if (heard[r]) remover = mergeOrSet(remover, states[r])
      remover = removeElement(remover, x)
      const survives = adds.some((add, r) => add && !heard[r])
      assert.deepEqual(orSetMembers(mergeAll(mergeOrSet<null>, [...states, remover])), survives ? ['x'] : [])
    }), { numRuns: RUNS })
  })

  it('a DEL hides adds not newer than it and keeps newer ones', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 20n }), fc.bigInt({ min: 1n, max: 20n }), (addHlc, delHlc) => {
      const merged = mergeOrSet(addElement(empty, Buffer.from('x'), { hlc: addHlc, origin: 1 }, null), deleteOrSet(empty, { hlc: delHlc, origin: 2 }))
      assert.deepEqual(orSetMembers(merged), addHlc > delHlc ? ['x'] : [])
    }), { numRuns: RUNS })
  })
})
