import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeEnvelope, encodeRecord, ENVELOPE_BYTES, type Envelope } from '../../lib/storage/envelope'

const envelope: fc.Arbitrary<Envelope> = fc.record({
  flags: fc.integer({ min: 0, max: 255 }),
  hlc: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  origin: fc.integer({ min: 0, max: 0xffff }),
  expireAtMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
})

describe('record envelope', () => {
  it('is 19 bytes, big-endian, in field order', () => {
    const rec = encodeRecord({ flags: 0x81, hlc: 0x0102030405060708n, origin: 0x0a0b, expireAtMs: 0x1122334455 }, Buffer.from('v'))
    assert.equal(ENVELOPE_BYTES, 19)
    assert.equal(rec.toString('hex'), '81' + '0102030405060708' + '0a0b' + '0000001122334455' + '76')
  })

  it('round-trips any envelope and payload', () => {
    fc.assert(
      fc.property(envelope, fc.uint8Array({ maxLength: 64 }), (env, payload) => {
        const rec = encodeRecord(env, Buffer.from(payload))
        assert.equal(rec.length, ENVELOPE_BYTES + payload.length)
        assert.deepEqual(decodeEnvelope(rec), { ...env })
        assert.deepEqual(rec.subarray(ENVELOPE_BYTES), Buffer.from(payload))
      }),
      { numRuns: 1000 },
    )
  })

  it('throws on short records and out-of-range fields', () => {
    assert.throws(() => decodeEnvelope(Buffer.alloc(18)), /shorter than the 19-byte envelope/)
    const ok: Envelope = { flags: 0, hlc: 1n, origin: 0, expireAtMs: 0 }
    assert.throws(() => encodeRecord({ ...ok, flags: 256 }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, origin: 65536 }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, hlc: -1n }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, hlc: 2n ** 64n }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, expireAtMs: 1.5 }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, expireAtMs: -1 }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, flags: -1 }, Buffer.alloc(0)))
    assert.throws(() => encodeRecord({ ...ok, origin: -1 }, Buffer.alloc(0)))
  })
})
