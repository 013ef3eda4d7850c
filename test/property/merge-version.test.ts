// Properties of the version order (DESIGN.md §5): (hlc, origin) lexicographic, a total order.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compareVersions, isNewer, maxVersion, Version, versionKey, versionOfKey, ZERO_VERSION } from '../../lib/merge/version'

const versionArb: fc.Arbitrary<Version> = fc.record({ hlc: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), origin: fc.integer({ min: 0, max: 65535 }) })
const sign = (n: number) => Math.sign(n)

describe('merge: version order', () => {
  it('is lexicographic on (hlc, origin)', () => {
    fc.assert(fc.property(versionArb, versionArb, (a, b) => {
      const expected = a.hlc !== b.hlc ? (a.hlc < b.hlc ? -1 : 1) : sign(a.origin - b.origin)
      assert.equal(sign(compareVersions(a, b)), expected)
    }), { numRuns: 1000 })
  })

  it('is a total order: antisymmetric, transitive, zero only for equal versions', () => {
    fc.assert(fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
      // (=== and not assert.equal: for equal versions the two sides are 0 and -0, which Object.is tells apart.)
      assert.ok(sign(compareVersions(a, b)) === -sign(compareVersions(b, a)), 'antisymmetric')
      assert.equal(compareVersions(a, b) === 0, a.hlc === b.hlc && a.origin === b.origin)
      if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) assert.ok(compareVersions(a, c) <= 0)
      assert.equal(isNewer(a, b), compareVersions(a, b) > 0)
      const m = maxVersion(a, b)
      assert.ok(compareVersions(m, a) >= 0 && compareVersions(m, b) >= 0)
    }), { numRuns: 1000 })
  })

  it('ZERO_VERSION is older than every version a node stamps; versionKey round-trips', () => {
    fc.assert(fc.property(versionArb, (v) => {
      if (v.hlc > 0n) assert.ok(isNewer(v, ZERO_VERSION))
      assert.deepEqual(versionOfKey(versionKey(v)), { hlc: v.hlc, origin: v.origin })
    }), { numRuns: 1000 })
  })
})
