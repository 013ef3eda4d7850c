// Properties of the sorted-set merge (lib/merge/zset.ts): a join; every replica's members and
// scores are the reference model's; concurrent ZINCRBYs are all counted; a ZADD cancels exactly
// the ZINCRBYs it observed; concurrent ZADDs resolve by version; add-wins against ZREM.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compareVersions, Version } from '../../lib/merge/version'
import { canonicalZSet, deleteZSet, EMPTY_ZSET, mergeZSet, zadd, zincrby, zrem, zscore, ZSetState, zsetEntries } from '../../lib/merge/zset'
import { assertLaws, Event, mergeAll, REPLICAS, RUNS, simulate, stepsArb } from '../support/merge-sim'

const MEMBERS = ['m', 'n']
type ZOp =
  | { kind: 'zadd'; member: string; score: number }
  | { kind: 'zincrby'; member: string; delta: number }
  | { kind: 'zrem'; member: string }
  | { kind: 'del' }
const memberArb = fc.constantFrom(...MEMBERS)
// Small integers: every sum is exact in a double, so the model may add in any order.
const opArb: fc.Arbitrary<ZOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('zadd' as const), member: memberArb, score: fc.integer({ min: -20, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('zincrby' as const), member: memberArb, delta: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('zrem' as const), member: memberArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'del' as const }) },
)

function apply(state: ZSetState, v: Version, op: ZOp): ZSetState {
  if (op.kind === 'del') return deleteZSet(state, v)
  const member = Buffer.from(op.member, 'latin1')
  if (op.kind === 'zadd') return zadd(state, member, v, op.score)
  if (op.kind === 'zincrby') return zincrby(state, member, v, op.delta)
  return zrem(state, member)
}

/** Live writes of a member: its ZADDs and ZINCRBYs newer than every known DEL that no known ZADD/ZREM of it had seen. */
function model(events: Array<Event<ZOp>>, known: ReadonlySet<number>): Array<[string, number]> {
  const mine = events.filter((e) => known.has(e.id))
  let deleted: Version = { hlc: 0n, origin: 0 }
  for (const e of mine) if (e.op.kind === 'del' && compareVersions(e.version, deleted) > 0) deleted = e.version
  const out: Array<[string, number]> = []
  for (const member of MEMBERS) {
    const ofMember = mine.filter((e) => e.op.kind !== 'del' && e.op.member === member)
    const live = ofMember.filter((w) => w.op.kind !== 'zrem' && compareVersions(w.version, deleted) > 0 &&
      !ofMember.some((c) => (c.op.kind === 'zadd' || c.op.kind === 'zrem') && c.known.has(w.id)))
    if (live.length === 0) continue
    let base: Event<ZOp> | null = null
    for (const w of live) if (w.op.kind === 'zadd' && (base === null || compareVersions(w.version, base.version) > 0)) base = w
    let score = base === null ? 0 : (base.op as { score: number }).score
    for (const w of live) if (w.op.kind === 'zincrby') score += w.op.delta
    out.push([member, score])
  }
  return out
}

const run = (steps: Parameters<typeof simulate<ZSetState, ZOp>>[0]) => simulate(steps, EMPTY_ZSET, mergeZSet, apply)
const m = Buffer.from('m')

describe('merge: sorted set', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stepsArb(opArb), (steps) => assertLaws(mergeZSet, canonicalZSet, run(steps).states)), { numRuns: RUNS })
  })

  it('every replica, and the fully merged state, has the reference model\'s members and scores', () => {
    fc.assert(fc.property(stepsArb(opArb, 60), (steps) => {
      const { states, known, events } = run(steps)
      for (let r = 0; r < REPLICAS; r++) assert.deepEqual(zsetEntries(states[r]), model(events, known[r]), `replica ${r}`)
      assert.deepEqual(zsetEntries(mergeAll(mergeZSet, states)), model(events, new Set(events.map((e) => e.id))), 'merged')
    }), { numRuns: RUNS })
  })

  it('concurrent ZINCRBYs at different origins are all counted, on top of a ZADD none of them saw', () => {
    fc.assert(fc.property(fc.integer({ min: -100, max: 100 }), fc.array(fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 4 }), { minLength: REPLICAS, maxLength: REPLICAS }), (score, deltas) => {
      const start = zadd(EMPTY_ZSET, m, { hlc: 1n, origin: 1 }, score)
      const states = deltas.map((ds, r) => ds.reduce((s, d, i) => zincrby(s, m, { hlc: 2n + BigInt(i), origin: r + 1 }, d), start))
      const expected = deltas.flat().reduce((x, y) => x + y, score)
      assert.equal(zscore(mergeAll(mergeZSet, states), 'm'), expected)
    }), { numRuns: RUNS })
  })

  it('a ZADD cancels exactly the ZINCRBYs it observed; concurrent ZADDs resolve by version', () => {
    fc.assert(fc.property(fc.array(fc.record({ delta: fc.integer({ min: -9, max: 9 }), heard: fc.boolean() }), { maxLength: 6 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }), fc.boolean(), (incrs, s1, s2, secondNewer) => {
      let incrementer = zadd(EMPTY_ZSET, m, { hlc: 1n, origin: 2 }, 0)
      let adder = incrementer
      incrs.forEach((step, i) => {
        incrementer = zincrby(incrementer, m, { hlc: 2n + BigInt(i), origin: 2 }, step.delta)
        if (step.heard) adder = mergeZSet(adder, incrementer)
      })
      // Once the adder has heard an increment it has heard every one before it (whole states).
      const heardUpTo = incrs.map((x) => x.heard).lastIndexOf(true)
      const unseen = incrs.slice(heardUpTo + 1).reduce((x, y) => x + y.delta, 0)
      adder = zadd(adder, m, { hlc: 100n, origin: 1 }, s1)
      const other = zadd(EMPTY_ZSET, m, { hlc: secondNewer ? 101n : 99n, origin: 3 }, s2)
      assert.equal(zscore(mergeAll(mergeZSet, [incrementer, adder, other]), 'm'), (secondNewer ? s2 : s1) + unseen)
    }), { numRuns: RUNS })
  })

  it('add-wins: a ZADD concurrent with a ZREM keeps the member with its score', () => {
    const shared = zadd(EMPTY_ZSET, m, { hlc: 1n, origin: 1 }, 1)
    const removed = zrem(shared, m)
    const readded = zadd(shared, m, { hlc: 2n, origin: 2 }, 5)
    assert.deepEqual(zsetEntries(mergeZSet(removed, readded)), [['m', 5]])
    assert.deepEqual(zsetEntries(mergeZSet(removed, shared)), [])
  })
})
