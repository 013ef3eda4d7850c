// compareBytes (lib/core/bytes.ts) orders byte strings as Buffer.compare does: the walks of a
// batch's member writes and of RocksDB's rows rely on both agreeing with RocksDB's byte order.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compareBytes } from '../../lib/core/bytes'

const bytes = fc.uint8Array({ maxLength: 40 })

describe('compareBytes', () => {
  it('has the sign of Buffer.compare, for any two byte strings and for a string and its prefixes', () => {
    fc.assert(
      fc.property(bytes, bytes, fc.nat(40), (a, b, cut) => {
        const x = Buffer.from(a)
        const y = Buffer.from(b)
        assert.equal(Math.sign(compareBytes(x, y)), Buffer.compare(x, y))
        const prefix = x.subarray(0, Math.min(cut, x.length))
        assert.equal(Math.sign(compareBytes(prefix, x)), Buffer.compare(prefix, x))
        assert.equal(Math.sign(compareBytes(x, prefix)), Buffer.compare(x, prefix))
      }),
      { numRuns: 2000 },
    )
  })

  it('orders by the first differing byte as unsigned, then by length', () => {
    assert.ok(compareBytes(Buffer.from([0x7f]), Buffer.from([0x80])) < 0)
    assert.ok(compareBytes(Buffer.from([0xff, 0x00]), Buffer.from([0x00, 0xff])) > 0)
    assert.ok(compareBytes(Buffer.from([1, 2]), Buffer.from([1, 2, 0])) < 0)
    assert.equal(compareBytes(Buffer.alloc(0), Buffer.alloc(0)), 0)
  })
})
