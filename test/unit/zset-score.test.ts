import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeScore, encodeScore, nextEncoded, parseLexRange, parseScore, parseScoreRange, strtod } from '../../lib/commands/zset-score'

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0)

/** Numeric order, -0 equal to 0. */
const compareScores = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0)

describe('sorted-set score encoding', () => {
  const ladder = [
    -Infinity, -Number.MAX_VALUE, -1e300, -(2 ** 53), -1.5, -1, -Number.MIN_VALUE * 2 ** 52, -Number.MIN_VALUE * 3, -Number.MIN_VALUE,
    0, Number.MIN_VALUE, Number.MIN_VALUE * 3, 2 ** -1022 - Number.MIN_VALUE, 2 ** -1022, 1e-300, 0.1, 1, 1.0000000000000002, 2 ** 53, 1e300,
    Number.MAX_VALUE, Infinity,
  ]

  it('keeps the order of a ladder through negatives, subnormals, zero and infinities', () => {
    for (let i = 1; i < ladder.length; i++) {
      assert.equal(Buffer.compare(encodeScore(ladder[i - 1]), encodeScore(ladder[i])), -1, `${ladder[i - 1]} < ${ladder[i]}`)
    }
  })

  it('encodes -0 as 0 and round-trips every ladder value', () => {
    assert.deepEqual(encodeScore(-0), encodeScore(0))
    assert.ok(Object.is(decodeScore(encodeScore(-0)), 0))
    for (const value of ladder) assert.ok(Object.is(decodeScore(encodeScore(value)), value), String(value))
  })

  it('writes at an offset', () => {
    const out = Buffer.alloc(12, 0xaa)
    encodeScore(-2.5, out, 2)
    assert.deepEqual(out.subarray(2, 10), encodeScore(-2.5))
    assert.equal(decodeScore(out, 2), -2.5)
    assert.equal(out[0], 0xaa)
    assert.equal(out[11], 0xaa)
  })

  it('byte order equals numeric order for random doubles', () => {
    const score = fc.double({ noNaN: true })
    fc.assert(fc.property(score, score, (a, b) => {
      assert.equal(sign(Buffer.compare(encodeScore(a), encodeScore(b))), compareScores(a, b))
      assert.equal(decodeScore(encodeScore(a)), a === 0 ? 0 : a)
    }), { numRuns: 5000 })
  })

  it('nextEncoded is the least string above a score and above every sub-key with it as prefix', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, max: Number.MAX_VALUE }), fc.uint8Array({ maxLength: 8 }), (a, tail) => {
      const encoded = encodeScore(a)
      const next = nextEncoded(encoded)!
      assert.equal(Buffer.compare(Buffer.concat([encoded, tail]), next), -1)
      assert.ok(Buffer.compare(next, encodeScore(Infinity)) <= 0)
    }))
    assert.equal(nextEncoded(Buffer.alloc(8, 0xff)), null)
  })
})

describe('sorted-set score arguments', () => {
  it('reads scores as getDoubleFromObject', () => {
    const valid: Array<[string, number]> = [
      ['1', 1], ['-1.5', -1.5], ['+2', 2], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-2', 0.01], ['inf', Infinity], ['-INF', -Infinity],
      ['+infinity', Infinity], ['0x10', 16], ['0x1p-2', 0.25], ['-0', -0], ['4.9e-324', Number.MIN_VALUE], ['0e999', 0],
    ]
    for (const [text, value] of valid) assert.ok(Object.is(parseScore(Buffer.from(text)), value), text)
    for (const text of ['', ' 1', '1 ', 'nan', '-nan', 'abc', '1e', '1e400', '-1e400', '1e-400', '0x', 'infx', '1\u00002', '.', '--1']) {
      assert.equal(parseScore(Buffer.from(text)), null, JSON.stringify(text))
    }
  })

  it('strtod stops where C would', () => {
    assert.deepEqual(strtod('1e+'), { value: 1, end: 1, range: false })
    assert.deepEqual(strtod('0x'), { value: 0, end: 1, range: false })
    assert.deepEqual(strtod('  -2.5x'), { value: -2.5, end: 6, range: false })
    assert.equal(strtod('nan(abc)').end, 8)
    assert.equal(strtod('infinit').end, 3)
    assert.equal(strtod('').end, 0)
  })

  it('reads score ranges as zslParseRange', () => {
    assert.deepEqual(parseScoreRange(Buffer.from('(1'), Buffer.from('+inf')), { min: 1, max: Infinity, minEx: true, maxEx: false })
    assert.deepEqual(parseScoreRange(Buffer.from(''), Buffer.from(' 2')), { min: 0, max: 2, minEx: false, maxEx: false })
    assert.deepEqual(parseScoreRange(Buffer.from('('), Buffer.from('1e400')), { min: 0, max: Infinity, minEx: true, maxEx: false })
    assert.equal(parseScoreRange(Buffer.from('nan'), Buffer.from('1')), null)
    assert.equal(parseScoreRange(Buffer.from('1'), Buffer.from('[2')), null)
  })

  it('reads lex ranges as zslParseLexRange', () => {
    assert.deepEqual(parseLexRange(Buffer.from('-'), Buffer.from('+')), { min: '-', max: '+', minEx: true, maxEx: true })
    assert.deepEqual(parseLexRange(Buffer.from('[a'), Buffer.from('(b')), { min: Buffer.from('a'), max: Buffer.from('b'), minEx: false, maxEx: true })
    assert.equal(parseLexRange(Buffer.from('a'), Buffer.from('+')), null)
    assert.equal(parseLexRange(Buffer.from('-x'), Buffer.from('+')), null)
  })
})
