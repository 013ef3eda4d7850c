// Properties of the hash merge (lib/merge/hash.ts): a join; every field of every replica reads as
// the reference model (each field a register or counter, a whole-hash DEL a reset of every field
// that cancels the increments it saw); a field written before a DEL is hidden, one written after
// shows; concurrent HINCRBYs on one field are all counted.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { canonicalHash, deleteHash, EMPTY_HASH, fieldBytes, hashEntries, HashState, incrField, mergeHash, setField } from '../../lib/merge/hash'
import type { Version } from '../../lib/merge/version'
import { assertLaws, CounterModelOp, Event, mergeAll, modelCounter, originOf, REPLICAS, RUNS, simulate, stepsArb, text } from '../support/merge-sim'

const FIELDS = ['a', 'b', 'c']
type HashOp =
  | { kind: 'set'; field: string; value: Buffer | null }
  | { kind: 'incr'; field: string; delta: bigint }
  | { kind: 'del' }

const fieldArb = fc.constantFrom(...FIELDS)
const opArb: fc.Arbitrary<HashOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), field: fieldArb, value: fc.option(fc.constantFrom('1', '-4', 'x').map((s) => Buffer.from(s)), { freq: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('incr' as const), field: fieldArb, delta: fc.bigInt({ min: -3n, max: 5n }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'del' as const }) },
)

function apply(state: HashState, v: Version, op: HashOp): HashState {
  if (op.kind === 'set') return setField(state, Buffer.from(op.field, 'latin1'), v, op.value)
  if (op.kind === 'incr') return incrField(state, Buffer.from(op.field, 'latin1'), v.origin, v.hlc, op.delta)
  return deleteHash(state, v)
}

/** The events one field's model sees: its own writes, and every DEL as a reset to nothing. */
function fieldEvents(events: Array<Event<HashOp>>, field: string): Array<Event<CounterModelOp>> {
  const out: Array<Event<CounterModelOp>> = []
  for (const e of events) {
    const op = e.op
    if (op.kind === 'del') out.push({ ...e, op: { kind: 'reset', value: null } })
    else if (op.field === field) out.push({ ...e, op: op.kind === 'set' ? { kind: 'reset', value: op.value } : { kind: 'incr', delta: op.delta } })
  }
  return out
}

const run = (steps: Parameters<typeof simulate<HashState, HashOp>>[0]) => simulate(steps, EMPTY_HASH, mergeHash, apply)

describe('merge: hash', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stepsArb(opArb), (steps) => assertLaws(mergeHash, canonicalHash, run(steps).states)), { numRuns: RUNS })
  })

  it('every field of every replica reads as the reference model', () => {
    fc.assert(fc.property(stepsArb(opArb, 60), (steps) => {
      const { states, known, events } = run(steps)
      const merged = mergeAll(mergeHash, states)
      const all = new Set(events.map((e) => e.id))
      for (const field of FIELDS) {
        const model = fieldEvents(events, field)
        for (let r = 0; r < REPLICAS; r++) assert.equal(text(fieldBytes(states[r], field)), text(modelCounter(model, known[r])), `replica ${r} field ${field}`)
        assert.equal(text(fieldBytes(merged, field)), text(modelCounter(model, all)), `merged field ${field}`)
      }
    }), { numRuns: RUNS })
  })

  it('a field written before a DEL is hidden, one written after shows', () => {
    const versionArb = fc.record({ hlc: fc.bigInt({ min: 1n, max: 20n }), origin: fc.integer({ min: 1, max: 3 }) })
    fc.assert(fc.property(versionArb, versionArb, (writtenAt, deletedAt) => {
      fc.pre(writtenAt.hlc !== deletedAt.hlc || writtenAt.origin !== deletedAt.origin)
      // Concurrent: the HSET and the DEL are made on replicas that have not seen each other.
      const written = setField(EMPTY_HASH, Buffer.from('f'), writtenAt, Buffer.from('v'))
      const deleted = deleteHash(EMPTY_HASH, deletedAt)
      const merged = mergeHash(written, deleted)
      const newer = writtenAt.hlc > deletedAt.hlc || (writtenAt.hlc === deletedAt.hlc && writtenAt.origin > deletedAt.origin)
      assert.equal(text(fieldBytes(merged, 'f')), newer ? 'v' : null)
      assert.equal(hashEntries(merged).length, newer ? 1 : 0)
    }), { numRuns: RUNS })
  })

  it('concurrent HINCRBYs on one field at different origins are all counted', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.bigInt({ min: -9n, max: 9n }), { minLength: 1, maxLength: 5 }), { minLength: REPLICAS, maxLength: REPLICAS }), (deltas) => {
      const states = deltas.map((ds, r) => ds.reduce((s, d, i) => incrField(s, Buffer.from('n'), originOf(r), BigInt(i + 1), d), EMPTY_HASH))
      assert.equal(text(fieldBytes(mergeAll(mergeHash, states), 'n')), deltas.flat().reduce((x, y) => x + y, 0n).toString())
    }), { numRuns: RUNS })
  })
})
