import assert from 'node:assert/strict'
import { clampExpireAtMs, EXPIRE_AT_MS_MAX, lower, parseCursor, parseInt32, parseInt64 } from '../../lib/commands/args'

const b = (s: string): Buffer => Buffer.from(s, 'latin1')

describe('args', () => {
  it('parseInt64 follows string2ll exactly', () => {
    assert.equal(parseInt64(b('0')), 0n)
    assert.equal(parseInt64(b('12')), 12n)
    assert.equal(parseInt64(b('-12')), -12n)
    assert.equal(parseInt64(b('9223372036854775807')), 2n ** 63n - 1n)
    assert.equal(parseInt64(b('-9223372036854775808')), -(2n ** 63n))
    for (const bad of ['', '-', '-0', '+1', ' 1', '1 ', '01', '00', '1.5', '1e3', '9223372036854775808', '-9223372036854775809', '0x10', '1\0', '١']) {
      assert.equal(parseInt64(b(bad)), null, JSON.stringify(bad))
    }
  })

  it('parseInt32 separates "not an integer" from "out of int range"', () => {
    assert.equal(parseInt32(b('0')), 0)
    assert.equal(parseInt32(b('-2147483648')), -(2 ** 31))
    assert.equal(parseInt32(b('2147483648')), 'range')
    assert.equal(parseInt32(b('x')), null)
  })

  it('parseCursor reads like strtoul with Redis 7.0 checks', () => {
    assert.equal(parseCursor(b('0')), 0n)
    assert.equal(parseCursor(b('')), 0n)
    assert.equal(parseCursor(b('+5')), 5n)
    assert.equal(parseCursor(b('007')), 7n)
    assert.equal(parseCursor(b('-1')), 2n ** 64n - 1n)
    assert.equal(parseCursor(b('18446744073709551615')), 2n ** 64n - 1n)
    assert.equal(parseCursor(b('5\0junk')), 5n)
    for (const bad of [' 0', '0 ', '+', '-', 'x', '1.5', '18446744073709551616']) assert.equal(parseCursor(b(bad)), null, JSON.stringify(bad))
  })

  it('clampExpireAtMs keeps expiries in the safe-integer range', () => {
    assert.equal(clampExpireAtMs(1000n), 1000)
    assert.equal(clampExpireAtMs(2n ** 63n - 1n), EXPIRE_AT_MS_MAX)
  })

  it('lower folds ASCII only', () => {
    assert.equal(lower(b('NX')), 'nx')
    assert.equal(lower(Buffer.from([0xc9])), '\u00e9')
  })
})
