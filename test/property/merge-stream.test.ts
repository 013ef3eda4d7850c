// Properties of the stream merge (lib/merge/stream.ts): a join over states reached by random
// histories of 3 replicas; entries merged by ID (every replica holds exactly the entries whose
// adds it knows and no known XDEL observed, none hidden by a newer known DEL); group deletes win.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  ack, canonicalStream, delConsumer, deleteStream, deliver, EMPTY_STREAM, entriesAdded, groupCreate, groupDestroy, groupSetId, groupView, IdKey, mergeStream,
  streamEntries, StreamState, xadd, xdel,
} from '../../lib/merge/stream'
import { compareVersions, Version } from '../../lib/merge/version'
import { assertLaws, Event, mergeAll, REPLICAS, RUNS, simulate, stepsArb } from '../support/merge-sim'

/** Entry ID `ms`-0 as the 16-byte key. */
function idKey(ms: number): IdKey {
  const out = Buffer.alloc(16)
  out.writeBigUInt64BE(BigInt(ms), 0)
  return out.toString('latin1')
}

type StreamOp =
  | { kind: 'xadd'; ms: number; value: string }
  | { kind: 'xdel'; ms: number }
  | { kind: 'del' }
  | { kind: 'create' | 'destroy'; group: string }
  | { kind: 'setid'; group: string; ms: number }
  | { kind: 'deliver' | 'claim'; group: string; consumer: string; ms: number }
  | { kind: 'ack'; group: string; ms: number }
  | { kind: 'delconsumer'; group: string; consumer: string }

const ms = fc.integer({ min: 1, max: 5 })
const group = fc.constantFrom('g', 'h')
const consumer = fc.constantFrom('c1', 'c2')
const opArb: fc.Arbitrary<StreamOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('xadd' as const), ms, value: fc.constantFrom('a', 'b') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('xdel' as const), ms }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'del' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('create' as const, 'destroy' as const), group }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setid' as const), group, ms }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('deliver' as const, 'claim' as const), group, consumer, ms }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ack' as const), group, ms }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delconsumer' as const), group, consumer }) },
)

function apply(state: StreamState, v: Version, op: StreamOp): StreamState {
  switch (op.kind) {
    case 'xadd': return xadd(state, idKey(op.ms), [Buffer.from('f'), Buffer.from(op.value)], v)
    case 'xdel': return xdel(state, idKey(op.ms))
    case 'del': return deleteStream(state, v)
    case 'create': return groupCreate(state, op.group, idKey(0), v)
    case 'destroy': return groupDestroy(state, op.group, v)
    case 'setid': return groupSetId(state, op.group, idKey(op.ms), v)
    case 'deliver': return deliver(state, op.group, op.consumer, idKey(op.ms), v, Number(v.hlc))
    case 'claim': return deliver(state, op.group, op.consumer, idKey(op.ms), v, Number(v.hlc), false)
    case 'ack': return ack(state, op.group, idKey(op.ms), v)
    case 'delconsumer': return delConsumer(state, op.group, op.consumer, v)
  }
}

const run = (steps: Parameters<typeof simulate<StreamState, StreamOp>>[0]) => simulate(steps, EMPTY_STREAM, mergeStream, apply)

/** Reference: IDs whose add is known, not observed by a known XDEL, and newer than every known DEL. */
function modelIds(events: Array<Event<StreamOp>>, known: ReadonlySet<number>): IdKey[] {
  const mine = events.filter((e) => known.has(e.id))
  let deleted: Version = { hlc: 0n, origin: 0 }
  for (const e of mine) if (e.op.kind === 'del' && compareVersions(e.version, deleted) > 0) deleted = e.version
  const live = new Set<IdKey>()
  for (const add of mine) {
    if (add.op.kind !== 'xadd' || compareVersions(add.version, deleted) <= 0) continue
    const at = add.op.ms
    if (mine.some((rm) => rm.op.kind === 'xdel' && rm.op.ms === at && rm.known.has(add.id))) continue
    live.add(idKey(at))
  }
  return [...live].sort()
}

const v = (hlc: number, origin: number): Version => ({ hlc: BigInt(hlc), origin })

describe('merge: stream', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stepsArb(opArb), (steps) => assertLaws(mergeStream, canonicalStream, run(steps).states)), { numRuns: RUNS })
  })

  it('an ack that a destroy drops cancels nothing, whichever merge sees it first (a found counterexample)', () => {
    const steps = [
      { kind: 'op', replica: 2, skew: 0, op: { kind: 'ack', group: 'g', ms: 1 } },
      { kind: 'op', replica: 1, skew: 0, op: { kind: 'ack', group: 'g', ms: 4 } },
      { kind: 'op', replica: 2, skew: 0, op: { kind: 'del' } },
      { kind: 'op', replica: 0, skew: 0, op: { kind: 'xadd', ms: 1, value: 'a' } },
      { kind: 'op', replica: 0, skew: 1, op: { kind: 'deliver', group: 'g', consumer: 'c1', ms: 4 } },
    ] as Parameters<typeof run>[0]
    assertLaws(mergeStream, canonicalStream, run(steps).states)
  })

  it('a DELCONSUMER of the newest owner leaves the delivery before it, whichever merge sees it first (a found counterexample)', () => {
    const steps = [
      { kind: 'op', replica: 0, skew: 1, op: { kind: 'deliver', group: 'h', consumer: 'c1', ms: 4 } },
      { kind: 'op', replica: 1, skew: 0, op: { kind: 'deliver', group: 'h', consumer: 'c2', ms: 4 } },
      { kind: 'op', replica: 1, skew: 0, op: { kind: 'delconsumer', group: 'h', consumer: 'c1' } },
    ] as Parameters<typeof run>[0]
    assertLaws(mergeStream, canonicalStream, run(steps).states)
  })

  it('entries are merged by ID: every replica, and the merge of all, hold the reference model\'s entries', () => {
    fc.assert(fc.property(stepsArb(opArb, 60), (steps) => {
      const { states, known, events } = run(steps)
      const ids = (state: StreamState): IdKey[] => streamEntries(state).map(([id]) => id)
      for (let r = 0; r < REPLICAS; r++) assert.deepEqual(ids(states[r]), modelIds(events, known[r]), `replica ${r}`)
      const all = mergeAll(mergeStream, states)
      assert.deepEqual(ids(all), modelIds(events, new Set(events.map((e) => e.id))), 'merged')
      assert.equal(entriesAdded(all), BigInt(events.filter((e) => e.op.kind === 'xadd').length))
    }), { numRuns: RUNS })
  })

  it('entries appended on two nodes are all kept, in ID order', () => {
    const a = xadd(xadd(EMPTY_STREAM, idKey(1), [Buffer.from('a')], v(1, 1)), idKey(3), [Buffer.from('c')], v(3, 1))
    const b = xadd(EMPTY_STREAM, idKey(2), [Buffer.from('b')], v(2, 2))
    const merged = mergeStream(a, b)
    assert.deepEqual(streamEntries(merged).map(([id, fields]) => [id, fields[0].toString()]), [[idKey(1), 'a'], [idKey(2), 'b'], [idKey(3), 'c']])
    assert.equal(merged.lastId, idKey(3))
    assert.equal(entriesAdded(merged), 3n)
  })

  it('a destroy wins over a concurrent delivery, claim or ack in the group, whatever the versions', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 50 }), fc.integer({ min: 3, max: 50 }), fc.constantFrom('deliver', 'claim', 'ack'), (destroyAt, writeAt, kind) => {
      const base = groupCreate(xadd(EMPTY_STREAM, idKey(1), [Buffer.from('x')], v(1, 1)), 'g', idKey(0), v(2, 1))
      const destroyed = groupDestroy(base, 'g', v(destroyAt, 1))
      const written = kind === 'ack' ? ack(base, 'g', idKey(1), v(writeAt, 2)) : deliver(base, 'g', 'c', idKey(1), v(writeAt, 2), 0, kind === 'deliver')
      assert.equal(groupView(mergeStream(destroyed, written), 'g'), null)
      assert.equal(groupView(mergeStream(written, destroyed), 'g'), null)
    }), { numRuns: RUNS })
  })

  it('an ack wins over a concurrent delivery or claim of the same entry', () => {
    fc.assert(fc.property(fc.integer({ min: 4, max: 50 }), fc.integer({ min: 4, max: 50 }), fc.boolean(), (ackAt, claimAt, advance) => {
      const base = deliver(groupCreate(xadd(EMPTY_STREAM, idKey(1), [Buffer.from('x')], v(1, 1)), 'g', idKey(0), v(2, 1)), 'g', 'c1', idKey(1), v(3, 1), 0)
      const acked = ack(base, 'g', idKey(1), v(ackAt, 1))
      const claimed = deliver(base, 'g', 'c2', idKey(1), v(claimAt, 2), 0, advance)
      assert.deepEqual(groupView(mergeStream(acked, claimed), 'g')!.pending, [])
      assert.deepEqual(groupView(mergeStream(claimed, acked), 'g')!.pending, [])
    }), { numRuns: RUNS })
  })

  it('concurrent readers never move the cursor back; a newer SETID resets it', () => {
    const base = groupCreate(EMPTY_STREAM, 'g', idKey(0), v(1, 1))
    const a = deliver(base, 'g', 'c1', idKey(5), v(2, 1), 0)
    const b = deliver(base, 'g', 'c2', idKey(3), v(9, 2), 0)
    assert.equal(groupView(mergeStream(a, b), 'g')!.lastDeliveredId, idKey(5))
    const reset = groupSetId(mergeStream(a, b), 'g', idKey(1), v(10, 3))
    assert.equal(groupView(mergeStream(reset, a), 'g')!.lastDeliveredId, idKey(1))
    const after = deliver(reset, 'g', 'c1', idKey(2), v(11, 1), 0)
    assert.equal(groupView(mergeStream(after, b), 'g')!.lastDeliveredId, idKey(2))
  })

  it('a DELCONSUMER drops the consumer and its pending entries up to it, not later ones', () => {
    const base = deliver(groupCreate(EMPTY_STREAM, 'g', idKey(0), v(1, 1)), 'g', 'c', idKey(1), v(2, 1), 0)
    const deleted = delConsumer(base, 'g', 'c', v(5, 1))
    assert.deepEqual(groupView(deleted, 'g'), { lastDeliveredId: idKey(1), pending: [], consumers: [] })
    const later = deliver(base, 'g', 'c', idKey(2), v(6, 2), 0)
    assert.deepEqual(groupView(mergeStream(deleted, later), 'g'), { lastDeliveredId: idKey(2), pending: [[idKey(2), 'c']], consumers: ['c'] })
  })
})
