// Properties of list positions: a position between two neighbours is strictly between them, the
// same gap takes insert after insert, and encoded keys sort in the list's intended order.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  comparePositions, encodePosition, fractionBetween, isValidFraction, ListEnds, Position, positionBetween, pushPosition,
} from '../../lib/commands/list-position'

/** A fraction any node can make: digits 0x01..0xff, not ending in 0x01. */
const fraction = fc.uint8Array({ minLength: 0, maxLength: 6, min: 1, max: 255 })
  .map((digits) => Buffer.from(digits))
  .filter(isValidFraction)
const int = fc.oneof(fc.bigInt({ min: -5n, max: 5n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))
const origin = fc.integer({ min: 0, max: 65535 })
const position: fc.Arbitrary<Position> = fc.record({ int, frac: fraction, origin })

const between = (low: Position, mid: Position, high: Position): boolean =>
  comparePositions(low, mid) < 0 && comparePositions(mid, high) < 0 &&
  Buffer.compare(encodePosition(low), encodePosition(mid)) < 0 && Buffer.compare(encodePosition(mid), encodePosition(high)) < 0

describe('list positions (properties)', () => {
  it('fractionBetween(a, b) is a valid fraction strictly between a < b (b may be unbounded)', () => {
    fc.assert(fc.property(fraction, fc.option(fraction), (a, b) => {
      if (b !== null && Buffer.compare(a, b) === 0) return
      const [low, high] = b === null || Buffer.compare(a, b) < 0 ? [a, b] : [b, a]
      const mid = fractionBetween(low, high)
      assert.ok(isValidFraction(mid), mid.toString('hex'))
      assert.ok(Buffer.compare(low, mid) < 0)
      if (high !== null) assert.ok(Buffer.compare(mid, high) < 0)
    }), { numRuns: 2000 })
  })

  it('positionBetween(a, b) is strictly between a < b whenever they differ in more than the origin', () => {
    fc.assert(fc.property(position, position, origin, (a, b, mine) => {
      const [low, high] = comparePositions(a, b) <= 0 ? [a, b] : [b, a]
      if (low.int === high.int && Buffer.compare(low.frac, high.frac) === 0) return
      const mid = positionBetween(low, high, mine)
      assert.ok(mid !== null && between(low, mid, high))
      assert.ok(isValidFraction(mid.frac))
    }), { numRuns: 2000 })
  })

  it('the same gap takes insert after insert, on either side of the last one', () => {
    fc.assert(fc.property(position, position, fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }), (a, b, sides) => {
      let [low, high]: Position[] = comparePositions(a, b) <= 0 ? [a, b] : [b, a]
      if (low.int === high.int && Buffer.compare(low.frac, high.frac) === 0) return
      for (const keepLow of sides) {
        const mid = positionBetween(low, high, 1)
        assert.ok(mid !== null && between(low, mid, high))
        if (keepLow) high = mid
        else low = mid
      }
    }), { numRuns: 300 })
  })

  type Op = { kind: 'left' | 'right' } | { kind: 'insert'; at: number; origin: number }
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant({ kind: 'left' as const }),
    fc.constant({ kind: 'right' as const }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), origin }),
  )

  it('encoded keys sort in the intended order: pushes at both ends and inserts anywhere', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
      // The intended list: positions in the order the operations placed them.
      const list: Position[] = []
      let ends: ListEnds | null = null
      for (const o of ops) {
        if (o.kind !== 'insert' || list.length < 2) {
          const pushed = pushPosition(ends, o.kind === 'left', 1)
          ends = pushed.ends
          if (o.kind === 'left') list.unshift(pushed.position)
          else list.push(pushed.position)
          continue
        }
        const at = 1 + (o.at % (list.length - 1))
        const mid = positionBetween(list[at - 1], list[at], o.origin)
        assert.ok(mid !== null)
        list.splice(at, 0, mid)
      }
      const keys = list.map(encodePosition)
      const sorted = [...keys].sort(Buffer.compare)
      assert.deepEqual(sorted.map((k) => k.toString('hex')), keys.map((k) => k.toString('hex')))
      assert.equal(new Set(keys.map((k) => k.toString('hex'))).size, keys.length)
    }), { numRuns: 500 })
  })
})
