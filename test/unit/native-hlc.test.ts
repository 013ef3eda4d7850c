import assert from 'node:assert/strict'
import fc from 'fast-check'
import { hlcLogical, hlcNext, hlcPack, hlcPhysical, hlcUpdate } from '../../lib/native'

const PHYSICAL_MAX = 2 ** 48 - 1
// Keep clear of the 2^64 ceiling so +1 never overflows in the properties.
const physical = fc.integer({ min: 0, max: 2 ** 47 })
const hlc = fc.tuple(physical, fc.integer({ min: 0, max: 0xffff })).map(([p, l]) => hlcPack(p, l))

describe('native HLC', () => {
  it('packs physical << 16 | logical', () => {
    assert.equal(hlcPack(1, 2), 0x10002n)
    assert.equal(hlcPhysical(hlcPack(1_700_000_000_000, 7)), 1_700_000_000_000)
    assert.equal(hlcLogical(hlcPack(1_700_000_000_000, 7)), 7)
    assert.equal(hlcPack(PHYSICAL_MAX, 0xffff), 2n ** 64n - 1n)
    assert.throws(() => hlcPack(2 ** 48, 0))
    assert.throws(() => hlcPack(1, 65536))
    assert.throws(() => hlcPack(1.5, 0))
    assert.throws(() => hlcNext(2n ** 64n - 1n, 0), /HLC overflow/)
  })

  it('next is strictly greater than prev and never behind the wall clock', () => {
    fc.assert(
      fc.property(hlc, physical, (prev, now) => {
        const next = hlcNext(prev, now)
        assert.ok(next > prev)
        assert.ok(next >= hlcPack(now, 0))
        assert.equal(next, prev + 1n > hlcPack(now, 0) ? prev + 1n : hlcPack(now, 0))
      }),
      { numRuns: 2000 },
    )
  })

  it('update is greater than both clocks within the drift bound, and ticks locally beyond it', () => {
    fc.assert(
      fc.property(hlc, hlc, physical, fc.integer({ min: 0, max: 60_000 }), (prev, remote, now, drift) => {
        const r = hlcUpdate(prev, remote, now, drift)
        assert.ok(r.hlc > prev)
        if (hlcPhysical(remote) > now + drift) {
          assert.deepEqual(r, { hlc: hlcNext(prev, now), rejected: true })
        } else {
          assert.equal(r.rejected, false)
          assert.ok(r.hlc > remote)
          assert.ok(r.hlc >= hlcPack(now, 0))
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('stays monotonic over a sequence of sends and receives under skew', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 0, max: 20 })), { maxLength: 200 }),
        (events) => {
          let clock = hlcPack(1_000_000, 0)
          let now = 1_000_000
          for (const [receive, skew, advance] of events) {
            now += advance
            const before = clock
            clock = receive ? hlcUpdate(clock, hlcPack(now + skew, 3), now, 1000).hlc : hlcNext(clock, now)
            assert.ok(clock > before)
          }
        },
      ),
    )
  })
})
