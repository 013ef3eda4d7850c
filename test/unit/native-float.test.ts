// INCRBYFLOAT in 80-bit long double. Every expected string below was read from
// a real redis-server 7.0.15 (SET k <current>; INCRBYFLOAT k <increment>; a
// null current means the key did not exist).
import assert from 'node:assert/strict'
import { formatDouble, incrByFloat } from '../../lib/native'

const FROM_REDIS: Array<[string | null, string, string]> = [
  ["0.1", "0.2", "0.3"],
  ["10.5", "0.1", "10.6"],
  ["5.0e3", "2.0e2", "5200"],
  ["3", "1.1", "4.1"],
  [null, "1.5", "1.5"],
  ["0", "0", "0"],
  ["-1", "1", "0"],
  ["1", "-1.0", "0"],
  ["0.1", "-0.1", "0"],
  ["3.0e3", "0", "3000"],
  ["1e300", "1e300", "2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698304167500994380700745017228549671807185112369345967826192521041497292574654271283687306588168510215212033579453305864740061102765895241989080589545563779241212358535223254194821301134374772211380178849830208012288"],
  ["1.5", "1e-20", "1.5"],
  ["1e-320", "0", "0"],
  ["10", "-inf", "ERR increment would produce NaN or Infinity"],
  ["inf", "1", "ERR increment would produce NaN or Infinity"],
  ["1", "nan", "ERR value is not a valid float"],
  ["abc", "1", "ERR value is not a valid float"],
  ["1", "abc", "ERR value is not a valid float"],
  [" 1", "1", "ERR value is not a valid float"],
  ["1 ", "1", "ERR value is not a valid float"],
  ["", "1", "ERR value is not a valid float"],
  ["0x10", "1", "17"],
  ["1e5000", "1", "ERR value is not a valid float"],
  ["1e-5000", "1", "ERR value is not a valid float"],
  ["17179869184", "1.5", "17179869185.5"],
  ["123456789012345678", "1", "123456789012345679"],
  ["0.3333333333333333333", "0", "0.33333333333333333"],
  ["-0.0", "0", "0"],
  ["1.7976931348623157e308", "1.7976931348623157e308", "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768"],
  ["2", "+3", "5"],
  ["1.", ".5", "1.5"],
  ["99999999999999999.5", "0", "99999999999999999.5"],
  ["5", "-5", "0"],
  ["3", "1e-17", "3.00000000000000001"],
  ["0", "1e20", "100000000000000000000"],
  ["1", "1 ", "ERR value is not a valid float"],
  ["1", " 1", "ERR value is not a valid float"],
  ["1.0e1", "INF", "ERR increment would produce NaN or Infinity"],
  ["1", "0x1p3", "9"],
  ["-2.5", "0.5", "-2"],
  ["1.1", "2.2", "3.3"],
  ["-0.1", "0.1", "0"],
  ["9007199254740993", "0", "9007199254740993"],
  ["1e-17", "0", "0.00000000000000001"],
  ["0.1", "0.7", "0.8"],
  ["1e400", "-1e400", "0"],
  ["123.456", "-0.456", "123"],
]

describe('native incrByFloat', () => {
  it('matches redis-server 7.0 byte for byte', () => {
    for (const [current, increment, expected] of FROM_REDIS) {
      const cur = current === null ? null : Buffer.from(current)
      if (expected.startsWith('ERR ')) {
        assert.throws(() => incrByFloat(cur, Buffer.from(increment)), (e: Error) => e.message === expected, `${current} + ${increment}`)
      } else {
        assert.equal(incrByFloat(cur, Buffer.from(increment)), expected, `${current} + ${increment}`)
      }
    }
  })

  it('rejects what string2ld rejects', () => {
    const bad = ['', ' 1', '1 ', '1e5000', 'nan', '-nan', 'x', '1.2.3', '5'.repeat(5120)]
    for (const b of bad) {
      assert.throws(() => incrByFloat(Buffer.from(b), Buffer.from('1')), { message: 'ERR value is not a valid float' }, JSON.stringify(b))
      assert.throws(() => incrByFloat(Buffer.from('1'), Buffer.from(b)), { message: 'ERR value is not a valid float' }, JSON.stringify(b))
    }
    // Like Redis's strtold on a C string, bytes after a NUL are not looked at.
    assert.equal(incrByFloat(Buffer.from('1\0junk'), Buffer.from('1')), '2')
  })

  it('formats double replies as Redis 7.0 (%.17g)', () => {
    assert.equal(formatDouble(1), '1')
    assert.equal(formatDouble(0.1), '0.10000000000000001')
    assert.equal(formatDouble(1e21), '1e+21')
    assert.equal(formatDouble(1.5e-7), '1.4999999999999999e-07')
    assert.equal(formatDouble(123456789012345678), '1.2345678901234568e+17')
    assert.equal(formatDouble(Infinity), 'inf')
    assert.equal(formatDouble(-Infinity), '-inf')
    assert.equal(formatDouble(NaN), 'nan')
  })
})
