// Properties of the LWW register (lib/merge/register.ts): a join; the greater (hlc, origin) wins;
// a tombstone hides older writes and not newer ones; an EXPIRE changes only the expiry; expired
// values are hidden locally; the stored form round-trips through the native envelope codec.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeEnvelope, encodeRecord, ENVELOPE_BYTES } from '../../lib/storage/envelope'
import { canonical } from '../../lib/merge/canonical'
import { Body, EMPTY_RECORD, liveBody, mergeRecord, recordFromStored, RecordState, recordToStored, writeExpiry, writeRecord } from '../../lib/merge/register'
import { compareVersions, Version } from '../../lib/merge/version'
import { FLAG_TOMBSTONE, TYPE_COUNTER, TYPE_HASH, TYPE_STRING } from '../../lib/storage/layout'
import { assertLaws, RUNS } from '../support/merge-sim'

// Small ranges so that equal HLCs (ordered by origin) are common.
const versionArb: fc.Arbitrary<Version> = fc.record({ hlc: fc.bigInt({ min: 1n, max: 12n }), origin: fc.integer({ min: 1, max: 3 }) })
const bodyArb: fc.Arbitrary<Body | null> = fc.option(
  fc.record({ type: fc.constantFrom(TYPE_STRING, TYPE_COUNTER, TYPE_HASH), payload: fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)) }),
  { freq: 4 },
)
const expiryArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 }))

type Write = { kind: 'write'; version: Version; body: Body | null; expireAtMs: number } | { kind: 'expire'; version: Version; expireAtMs: number }
const writeArb: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), version: versionArb, body: bodyArb, expireAtMs: expiryArb }),
  fc.record({ kind: fc.constant('expire' as const), version: versionArb, expireAtMs: expiryArb }),
)

function applyWrite(state: RecordState, w: Write): RecordState {
  return w.kind === 'write' ? mergeRecord(state, writeRecord(w.version, w.body, w.expireAtMs)) : writeExpiry(state, w.version, w.expireAtMs)
}

/** A replica's state: some writes, in any order. Versions may repeat across writes here (no node does that). */
const stateArb: fc.Arbitrary<RecordState> = fc.array(writeArb, { maxLength: 5 }).map((ws) => ws.reduce(applyWrite, EMPTY_RECORD))

describe('merge: LWW register', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stateArb, stateArb, stateArb, (a, b, c) => assertLaws(mergeRecord, canonical, [a, b, c])), { numRuns: RUNS * 3 })
  })

  it('the greater (hlc, origin) wins, whatever the delivery order', () => {
    const unique = fc.uniqueArray(fc.record({ version: versionArb, body: bodyArb, expireAtMs: expiryArb }), { selector: (w) => `${w.version.hlc}/${w.version.origin}`, minLength: 1, maxLength: 6 })
    const withOrder = unique.chain((ws) => fc.tuple(fc.constant(ws), fc.shuffledSubarray(ws, { minLength: ws.length, maxLength: ws.length })))
    fc.assert(fc.property(withOrder, ([writes, order]) => {
      const merged = order.reduce((s, w) => mergeRecord(s, writeRecord(w.version, w.body, w.expireAtMs)), EMPTY_RECORD)
      const newest = writes.reduce((x, y) => (compareVersions(x.version, y.version) > 0 ? x : y))
      assert.equal(canonical(merged), canonical(writeRecord(newest.version, newest.body, newest.expireAtMs)))
    }), { numRuns: RUNS * 3 })
  })

  it('a tombstone hides every older write and no newer one', () => {
    fc.assert(fc.property(versionArb, fc.array(fc.record({ version: versionArb, body: bodyArb.filter((b) => b !== null) }), { maxLength: 6 }), (deletedAt, all) => {
      // Versions are unique: no write shares the DEL's.
      const writes = all.filter((w) => compareVersions(w.version, deletedAt) !== 0)
      const live = writes.filter((w) => compareVersions(w.version, deletedAt) > 0)
      const merged = writes.reduce((s, w) => mergeRecord(s, writeRecord(w.version, w.body, 0)), writeRecord(deletedAt, null, 0))
      if (live.length === 0) assert.equal(liveBody(merged, 0), null)
      else {
        const newest = live.reduce((x, y) => (compareVersions(x.version, y.version) >= 0 ? x : y))
        assert.equal(compareVersions(merged.body.version, newest.version), 0)
        assert.notEqual(liveBody(merged, 0), null)
      }
    }), { numRuns: RUNS * 3 })
  })

  it('an EXPIRE concurrent with a SET keeps the SET value; the newer of the two decides the expiry', () => {
    fc.assert(fc.property(versionArb, versionArb, expiryArb, expiryArb, (setAt, expireAt, setExpiry, expiry) => {
      fc.pre(compareVersions(setAt, expireAt) !== 0)
      const body = { type: TYPE_STRING, payload: Buffer.from('v2') }
      const old = writeRecord({ hlc: 0n, origin: 1 }, { type: TYPE_STRING, payload: Buffer.from('v1') }, 0)
      const a = mergeRecord(old, writeRecord(setAt, body, setExpiry))
      const b = writeExpiry(old, expireAt, expiry)
      const merged = mergeRecord(a, b)
      assert.deepEqual(merged.body.value, body)
      assert.equal(merged.expiry.value, compareVersions(setAt, expireAt) > 0 ? setExpiry : expiry)
    }), { numRuns: RUNS })
  })

  it('an expired record is hidden at and after its expiry, by the reader alone', () => {
    fc.assert(fc.property(versionArb, fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 2000 }), (v, expireAtMs, nowMs) => {
      const state = writeRecord(v, { type: TYPE_STRING, payload: Buffer.from('x') }, expireAtMs)
      assert.equal(liveBody(state, nowMs) === null, nowMs >= expireAtMs)
      assert.notEqual(liveBody(writeExpiry(state, { hlc: v.hlc + 1n, origin: v.origin }, 0), nowMs), null, 'PERSIST')
    }), { numRuns: RUNS })
  })

  it('stored records round-trip through the envelope', () => {
    const stored = fc.record({
      flags: fc.constantFrom(TYPE_STRING, TYPE_COUNTER, TYPE_HASH, FLAG_TOMBSTONE),
      hlc: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
      origin: fc.integer({ min: 0, max: 65535 }),
      expireAtMs: fc.integer({ min: 0, max: 2 ** 48 }),
      payload: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    }).map((r) => (r.flags === FLAG_TOMBSTONE ? { ...r, expireAtMs: 0, payload: Buffer.alloc(0) } : r))
    fc.assert(fc.property(stored, (r) => {
      const raw = encodeRecord({ flags: r.flags, hlc: r.hlc, origin: r.origin, expireAtMs: r.expireAtMs }, r.payload)
      const state = recordFromStored(decodeEnvelope(raw), raw.subarray(ENVELOPE_BYTES))
      const back = recordToStored(state)
      assert.deepEqual(encodeRecord(back.envelope, back.payload), raw)
    }), { numRuns: RUNS })
  })
})
