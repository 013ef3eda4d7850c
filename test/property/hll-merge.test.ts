// Properties of hllMerge, the replication merge of HLL values (the register-wise max that
// PFMERGE computes): commutative, associative and idempotent byte for byte, whatever
// encodings the inputs have (sparse, dense, stale or valid cache); and it never loses a
// register, so it answers as PFMERGE does.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HLL_REGISTERS, hllAdd, hllCount, hllMerge, hllRegisters, hllStoreMax } from '../../lib/types/hll'

/** An HLL value as a replica may hold it: PFADDs of some elements, maybe counted (cache filled). */
const hllValue: fc.Arbitrary<Buffer> = fc
  .record({
    elements: fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 40 }),
      // Sometimes enough elements to go dense.
      fc.integer({ min: 0, max: 4000 }).map((n) => Array.from({ length: n }, (_, i) => Buffer.from(`e${i}`))),
    ),
    // A register raised directly, sometimes past what a sparse value can hold (32).
    extra: fc.option(fc.record({ index: fc.integer({ min: 0, max: HLL_REGISTERS - 1 }), value: fc.integer({ min: 1, max: 51 }) })),
    counted: fc.boolean(),
  })
  .map(({ elements, extra, counted }) => {
    let value = hllAdd(null, elements).value
    if (extra !== null) {
      const max = new Uint8Array(HLL_REGISTERS)
      max[extra.index] = extra.value
      value = hllStoreMax(value, max, false)!
    }
    return counted ? hllCount(value)!.value ?? value : value
  })

const merge = (a: Buffer, b: Buffer): Buffer => {
  const out = hllMerge(a, b)
  assert.ok(out !== null, 'valid inputs merge')
  return out
}

describe('property: hllMerge', () => {
  const params = { numRuns: 60 }

  it('is commutative', () => {
    fc.assert(fc.property(hllValue, hllValue, (a, b) => {
      assert.deepEqual(merge(a, b), merge(b, a))
    }), params)
  })

  it('is associative', () => {
    fc.assert(fc.property(hllValue, hllValue, hllValue, (a, b, c) => {
      assert.deepEqual(merge(merge(a, b), c), merge(a, merge(b, c)))
    }), params)
  })

  it('is idempotent: a value merged with itself keeps its registers; a merge result is a fixed point', () => {
    fc.assert(fc.property(hllValue, hllValue, (a, b) => {
      assert.deepEqual(hllRegisters(merge(a, a)), hllRegisters(a))
      const m = merge(a, b)
      assert.deepEqual(merge(m, m), m)
      assert.deepEqual(merge(m, a), m)
      assert.deepEqual(merge(m, b), m)
    }), params)
  })

  it('takes the register-wise max and counts as PFMERGE does', () => {
    fc.assert(fc.property(hllValue, hllValue, (a, b) => {
      const ra = hllRegisters(a)!
      const rb = hllRegisters(b)!
      const m = merge(a, b)
      const rm = hllRegisters(m)!
      for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(rm[i], Math.max(ra[i], rb[i]))
      const max = new Uint8Array(HLL_REGISTERS)
      for (let i = 0; i < HLL_REGISTERS; i++) max[i] = rm[i]
      const pfmerged = hllStoreMax(null, max, a[4] === 0 || b[4] === 0)!
      assert.equal(hllCount(m)!.card, hllCount(pfmerged)!.card)
    }), params)
  })
})
