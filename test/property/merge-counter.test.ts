// Properties of the PN-counter with observed reset (lib/merge/counter.ts): a join; it reads as the
// reference model of DESIGN.md §6 on every replica of random histories; concurrent increments at
// different origins are all counted; a SET cancels exactly the increments it observed; a DECR is
// never lost to a larger older total; the read view fits the stored Counter format.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeCounter, encodeCounter, counterValue } from '../../lib/commands/string-value'
import { canonical } from '../../lib/merge/canonical'
import { counterBytes, counterView, CounterState, EMPTY_COUNTER, incrCounter, mergeCounter, resetCounter } from '../../lib/merge/counter'
import type { Version } from '../../lib/merge/version'
import { assertLaws, CounterModelOp, mergeAll, modelCounter, originOf, REPLICAS, RUNS, simulate, stepsArb, text } from '../support/merge-sim'

const deltaArb = fc.bigInt({ min: -3n, max: 5n })
const resetValueArb = fc.oneof(fc.constantFrom('0', '7', '-2', '100', 'hello', '010').map((s) => Buffer.from(s)), fc.constant(null))
const opArb: fc.Arbitrary<CounterModelOp> = fc.oneof(
  { weight: 3, arbitrary: deltaArb.map((delta) => ({ kind: 'incr' as const, delta })) },
  { weight: 1, arbitrary: resetValueArb.map((value) => ({ kind: 'reset' as const, value })) },
)

function apply(state: CounterState, v: Version, op: CounterModelOp): CounterState {
  return op.kind === 'incr' ? incrCounter(state, v.origin, v.hlc, op.delta) : resetCounter(state, v, op.value)
}

const run = (steps: Parameters<typeof simulate<CounterState, CounterModelOp>>[0]) => simulate(steps, EMPTY_COUNTER, mergeCounter, apply)

describe('merge: counter (PN-counter with observed reset)', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stepsArb(opArb), (steps) => assertLaws(mergeCounter, canonical, run(steps).states)), { numRuns: RUNS })
  })

  it('every replica, and the fully merged state, reads as the reference model', () => {
    fc.assert(fc.property(stepsArb(opArb, 60), (steps) => {
      const { states, known, events } = run(steps)
      for (let r = 0; r < REPLICAS; r++) assert.equal(text(counterBytes(states[r])), text(modelCounter(events, known[r])), `replica ${r}`)
      const all = new Set(events.map((e) => e.id))
      assert.equal(text(counterBytes(mergeAll(mergeCounter, states))), text(modelCounter(events, all)), 'merged')
    }), { numRuns: RUNS })
  })

  it('concurrent increments at different origins are all counted', () => {
    const perReplica = fc.array(fc.array(deltaArb, { maxLength: 6 }), { minLength: REPLICAS, maxLength: REPLICAS })
    fc.assert(fc.property(fc.bigInt({ min: -100n, max: 100n }), perReplica, (base, deltas) => {
      // One SET everyone has seen, then increments nobody else sees until the final exchange.
      const start = resetCounter(EMPTY_COUNTER, { hlc: 1n, origin: 1 }, Buffer.from(base.toString()))
      const states = deltas.map((ds, r) => ds.reduce((s, d, i) => incrCounter(s, originOf(r), 2n + BigInt(i), d), start))
      const expected = deltas.flat().length === 0 ? base : deltas.flat().reduce((x, y) => x + y, base)
      assert.equal(text(counterBytes(mergeAll(mergeCounter, states))), expected.toString())
    }), { numRuns: RUNS })
  })

  it('a SET cancels exactly the increments it observed; unseen ones are added on top', () => {
    // Replicas 1 and 2 increment; replica 0 hears some of it, then SETs; then more increments; all merge.
    const incr = fc.record({ replica: fc.integer({ min: 1, max: 2 }), delta: deltaArb, heard: fc.boolean() })
    fc.assert(fc.property(fc.array(incr, { maxLength: 10 }), fc.bigInt({ min: -50n, max: 50n }), fc.array(incr, { maxLength: 10 }), (before, base, after) => {
      const states: CounterState[] = [EMPTY_COUNTER, EMPTY_COUNTER, EMPTY_COUNTER]
      let hlc = 0n
      let unseen = 0n
      for (const step of before) {
        states[step.replica] = incrCounter(states[step.replica], originOf(step.replica), ++hlc, step.delta)
        // "heard": replica 0 merges the incrementing replica's whole state, so it sees this increment and all before it.
        if (step.heard) states[0] = mergeCounter(states[0], states[step.replica])
      }
      const heard = [states[0].totals.get(2)?.total ?? 0n, states[0].totals.get(3)?.total ?? 0n]
      unseen += (states[1].totals.get(2)?.total ?? 0n) - heard[0] + (states[2].totals.get(3)?.total ?? 0n) - heard[1]
      states[0] = resetCounter(states[0], { hlc: ++hlc, origin: 1 }, Buffer.from(base.toString()))
      for (const step of after) {
        states[step.replica] = incrCounter(states[step.replica], originOf(step.replica), ++hlc, step.delta)
        unseen += step.delta
      }
      assert.equal(text(counterBytes(mergeAll(mergeCounter, states))), (base + unseen).toString())
    }), { numRuns: RUNS })
  })

  it('a DECR is not lost to an older, larger total of the same origin', () => {
    const a1 = incrCounter(EMPTY_COUNTER, 1, 1n, 5n)
    const a2 = incrCounter(a1, 1, 2n, -3n)
    assert.equal(text(counterBytes(mergeCounter(a1, a2))), '2')
    assert.equal(text(counterBytes(mergeCounter(a2, a1))), '2')
  })

  it('DEL concurrent with an INCR it did not see leaves the unseen delta; SET of a non-integer reads as itself', () => {
    const shared = incrCounter(EMPTY_COUNTER, 2, 1n, 10n)
    const deleted = resetCounter(shared, { hlc: 5n, origin: 1 }, null)
    const incremented = incrCounter(shared, 2, 2n, 3n)
    assert.equal(text(counterBytes(mergeCounter(deleted, incremented))), '3')
    assert.equal(text(counterBytes(deleted)), null)
    const hello = resetCounter(shared, { hlc: 5n, origin: 1 }, Buffer.from('hello'))
    assert.equal(text(counterBytes(mergeCounter(hello, incremented))), 'hello')
  })

  it('the read view fits the stored Counter format and reads the same', () => {
    fc.assert(fc.property(stepsArb(opArb), (steps) => {
      for (const state of run(steps).states) {
        const view = counterView(state)
        if (view === null || Buffer.isBuffer(view)) continue
        const decoded = decodeCounter(encodeCounter(view))
        assert.equal(counterValue(decoded).toString(), text(counterBytes(state)))
      }
    }), { numRuns: RUNS })
  })
})
