import assert from 'node:assert/strict'
import {
  comparePositions, decodeEnds, decodePosition, encodeEnds, encodePosition, fractionBetween, isValidFraction, Position, positionBetween, pushPosition,
} from '../../lib/commands/list-position'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const frac = (...digits: number[]): Buffer => Buffer.from(digits)
const pos = (int: bigint, digits: number[] = [], origin = 1): Position => ({ int, frac: frac(...digits), origin })

describe('list positions', () => {
  it('encode and decode round-trip, integer, fraction and origin', () => {
    for (const p of [pos(0n), pos(-1n, [0x80], 7), pos(INT64_MIN, [], 0), pos(INT64_MAX, [0xff, 0xff, 0x02], 65535)]) {
      const decoded = decodePosition(encodePosition(p))
      assert.equal(decoded.int, p.int)
      assert.deepEqual(decoded.frac, p.frac)
      assert.equal(decoded.origin, p.origin)
    }
  })

  it('encoded byte order is position order', () => {
    const ordered = [
      pos(INT64_MIN), pos(-2n), pos(-1n), pos(-1n, [0x80]), pos(0n, [], 0), pos(0n, [], 1), pos(0n, [0x01, 0x80]), pos(0n, [0x80]), pos(0n, [0x80], 2),
      pos(0n, [0x80, 0x80]), pos(0n, [0x81]), pos(0n, [0xff, 0xff]), pos(1n), pos(256n), pos(INT64_MAX),
    ]
    for (let i = 1; i < ordered.length; i++) {
      assert.ok(comparePositions(ordered[i - 1], ordered[i]) < 0, `comparePositions ${i}`)
      assert.ok(Buffer.compare(encodePosition(ordered[i - 1]), encodePosition(ordered[i])) < 0, `encoded ${i}`)
    }
  })

  it('fractionBetween: midpoint digits, extension when digits are adjacent, never a trailing 0x01', () => {
    assert.deepEqual(fractionBetween(frac(), null), frac(0x80))
    assert.deepEqual(fractionBetween(frac(0x80), null), frac(0xc0))
    assert.deepEqual(fractionBetween(frac(0xff), null), frac(0xff, 0x80))
    assert.deepEqual(fractionBetween(frac(), frac(0x80)), frac(0x40))
    assert.deepEqual(fractionBetween(frac(), frac(0x03)), frac(0x02))
    assert.deepEqual(fractionBetween(frac(), frac(0x02)), frac(0x01, 0x80))
    assert.deepEqual(fractionBetween(frac(), frac(0x01, 0x80)), frac(0x01, 0x40))
    assert.deepEqual(fractionBetween(frac(0x10), frac(0x11)), frac(0x10, 0x80))
    assert.deepEqual(fractionBetween(frac(0x10, 0xff), frac(0x11)), frac(0x10, 0xff, 0x80))
    assert.deepEqual(fractionBetween(frac(0x10), frac(0x10, 0x80)), frac(0x10, 0x40))
    assert.deepEqual(fractionBetween(frac(0x20), frac(0x40)), frac(0x30))
    assert.throws(() => fractionBetween(frac(0x80), frac(0x80)))
    assert.throws(() => fractionBetween(frac(0x80), frac(0x80, 0x01)))
    assert.equal(isValidFraction(frac(0x80, 0x01)), false)
    assert.equal(isValidFraction(frac(0x80, 0x00, 0x80)), false)
    assert.equal(isValidFraction(frac(0x01, 0x80)), true)
  })

  it('positionBetween: an integer between when there is one, else a fraction', () => {
    assert.deepEqual(positionBetween(pos(0n), pos(10n), 3), pos(5n, [], 3))
    assert.deepEqual(positionBetween(pos(-3n, [0x80]), pos(-1n), 3), pos(-2n, [], 3))
    assert.deepEqual(positionBetween(pos(INT64_MIN), pos(INT64_MAX), 3), pos(-1n, [], 3))
    assert.deepEqual(positionBetween(pos(4n), pos(5n), 3), pos(4n, [0x80], 3))
    assert.deepEqual(positionBetween(pos(4n, [0xc0]), pos(5n, [0x10]), 3), pos(4n, [0xe0], 3))
    assert.deepEqual(positionBetween(pos(4n, [0x40]), pos(4n, [0x80]), 3), pos(4n, [0x60], 3))
  })

  it('positionBetween: neighbours differing only by origin leave room only for an origin between theirs', () => {
    assert.equal(positionBetween(pos(4n, [0x80], 1), pos(4n, [0x80], 9), 12), null)
    assert.deepEqual(positionBetween(pos(4n, [0x80], 1), pos(4n, [0x80], 9), 5), pos(4n, [0x80], 5))
    assert.throws(() => positionBetween(pos(4n), pos(4n), 1))
    assert.throws(() => positionBetween(pos(5n), pos(4n), 1))
  })

  it('pushPosition: 0 first, then one past the lowest or highest integer ever assigned', () => {
    const first = pushPosition(null, true, 2)
    assert.deepEqual(first.position, pos(0n, [], 2))
    assert.deepEqual(first.ends, { head: 0n, tail: 0n })
    const left = pushPosition({ head: -4n, tail: 9n }, true, 2)
    assert.deepEqual(left.position, pos(-5n, [], 2))
    assert.deepEqual(left.ends, { head: -5n, tail: 9n })
    const right = pushPosition({ head: -4n, tail: 9n }, false, 2)
    assert.deepEqual(right.position, pos(10n, [], 2))
    assert.deepEqual(right.ends, { head: -4n, tail: 10n })
    assert.throws(() => pushPosition({ head: INT64_MIN, tail: 0n }, true, 1))
    assert.throws(() => pushPosition({ head: 0n, tail: INT64_MAX }, false, 1))
  })

  it('list ends round-trip; an empty meta tail means no position was ever assigned', () => {
    assert.equal(decodeEnds(Buffer.alloc(0)), null)
    const ends = { head: INT64_MIN, tail: INT64_MAX }
    assert.deepEqual(decodeEnds(encodeEnds(ends)), ends)
    assert.throws(() => decodeEnds(Buffer.alloc(8)))
  })

  it('a thousand inserts into one gap grow the fraction by about a byte per 8 inserts', () => {
    for (const side of ['after-low', 'before-high'] as const) {
      let low = pos(0n)
      let high = pos(1n)
      for (let i = 0; i < 1000; i++) {
        const next = positionBetween(low, high, 1)!
        assert.ok(comparePositions(low, next) < 0 && comparePositions(next, high) < 0)
        if (side === 'after-low') high = next
        else low = next
      }
      const longest = Math.max(low.frac.length, high.frac.length)
      assert.ok(longest <= 1000 / 7 + 2, `${side}: ${longest} bytes`)
    }
  })
})
