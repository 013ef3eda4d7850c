// Bitmap and bit field commands against redis-server 7.0 and marekvs: same script, same
// replies (exact RESP types). WRONGTYPE needs a non-string type, which does not exist yet.
import { diffSuite, Step } from '../support/diff'

const bytes = (...b: number[]) => Buffer.from(b)

diffSuite('bitmaps', (diff) => {
  diff('SETBIT GETBIT basics', [
    ['SETBIT', 'k', '7', '1'], ['GET', 'k'], ['GETBIT', 'k', '7'], ['GETBIT', 'k', '6'], ['GETBIT', 'k', '100'], ['GETBIT', 'nope', '0'],
    ['SETBIT', 'k', '7', '1'], ['SETBIT', 'k', '7', '0'], ['GET', 'k'], ['EXISTS', 'k'], ['SETBIT', 'k', '0', '1'], ['SETBIT', 'k', '23', '1'],
    ['GET', 'k'], ['STRLEN', 'k'], ['SETBIT', 'z', '100', '0'], ['GET', 'z'], ['STRLEN', 'z'], ['SETBIT', 'z', '100', '0'],
    ['SETBIT', 'k', '1', '1'], ['GETBIT', 'k', '1'], ['setbit', 'k', '2', '1'], ['getbit', 'k', '2'],
  ])

  diff('SETBIT GETBIT argument errors', [
    ['SETBIT', 'k', '-1', '1'], ['SETBIT', 'k', 'x', '1'], ['SETBIT', 'k', '1.5', '1'], ['SETBIT', 'k', '4294967296', '1'],
    ['SETBIT', 'k', '9223372036854775807', '1'], ['SETBIT', 'k', '9223372036854775808', '1'], ['SETBIT', 'k', '0', '2'],
    ['SETBIT', 'k', '0', '-1'], ['SETBIT', 'k', '0', 'x'], ['SETBIT', 'k', '0', ''], ['SETBIT', 'k', 'x', 'x'], ['SETBIT', 'k', '+1', '1'],
    ['SETBIT', 'k', '01', '1'], ['SETBIT', 'k', '#1', '1'], ['EXISTS', 'k'], ['GETBIT', 'k', '-1'], ['GETBIT', 'k', 'x'],
    ['GETBIT', 'k', '4294967296'], ['GETBIT', 'k', '4294967295'], ['GETBIT', 'nope', 'x'], ['SETBIT', 'k', '0', '1', '1'], ['GETBIT', 'k'],
  ])

  diff('SETBIT keeps the TTL and works on counters and plain strings', [
    ['SET', 't', 'a', 'EX', '100'], ['SETBIT', 't', '15', '1'], ['TTL', 't'], ['GET', 't'],
    ['INCRBY', 'c', '255'], ['SETBIT', 'c', '0', '1'], ['GET', 'c'], ['INCR', 'c'], ['GETBIT', 'c', '2'],
    ['INCRBY', 'd', '7'], ['GETBIT', 'd', '2'], ['GETBIT', 'd', '3'], ['SETBIT', 'd', '6', '1'], ['GET', 'd'],
    ['SET', 's', 'foobar'], ['SETBIT', 's', '7', '1'], ['GET', 's'], ['SETBIT', 's', '47', '0'], ['GET', 's'],
  ], { approx: [2] })

  diff('BITCOUNT', [
    ['SET', 'k', 'foobar'], ['BITCOUNT', 'k'], ['BITCOUNT', 'k', '0', '0'], ['BITCOUNT', 'k', '1', '1'], ['BITCOUNT', 'k', '0', '-1'],
    ['BITCOUNT', 'k', '-2', '-1'], ['BITCOUNT', 'k', '-1', '-2'], ['BITCOUNT', 'k', '2', '1'], ['BITCOUNT', 'k', '-100', '100'],
    ['BITCOUNT', 'k', '100', '200'], ['BITCOUNT', 'k', '5', '100'], ['BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807'],
    ['BITCOUNT', 'k', '1', '1', 'BYTE'], ['BITCOUNT', 'k', '5', '30', 'BIT'], ['BITCOUNT', 'k', '5', '30', 'bit'],
    ['BITCOUNT', 'k', '0', '0', 'BIT'], ['BITCOUNT', 'k', '1', '1', 'BIT'], ['BITCOUNT', 'k', '-1', '-1', 'BIT'],
    ['BITCOUNT', 'k', '-9', '-2', 'BIT'], ['BITCOUNT', 'k', '7', '8', 'BIT'], ['BITCOUNT', 'k', '3', '5', 'BIT'],
    ['BITCOUNT', 'k', '0', '47', 'BIT'], ['BITCOUNT', 'k', '0', '1000', 'BIT'], ['BITCOUNT', 'k', '40', '1', 'BIT'],
    ['BITCOUNT', 'k', '-3', '-5', 'BIT'], ['BITCOUNT', 'nope'], ['BITCOUNT', 'nope', '0', '1', 'BIT'],
  ])

  diff('BITCOUNT argument errors (a missing key answers 0 first, as Redis 7.0)', [
    ['SET', 'k', 'foobar'], ['BITCOUNT', 'k', '0'], ['BITCOUNT', 'k', 'x', '1'], ['BITCOUNT', 'k', '0', 'x'], ['BITCOUNT', 'k', '0', '1', 'FOO'],
    ['BITCOUNT', 'k', '0', '1', 'BIT', 'x'], ['BITCOUNT', 'k', 'x', 'y', 'FOO'], ['BITCOUNT', 'k', '0', '1.5'],
    ['BITCOUNT', 'nope', '0'], ['BITCOUNT', 'nope', 'x', 'y'], ['BITCOUNT', 'nope', '0', '1', 'FOO'], ['BITCOUNT'],
    ['SET', 'e', ''], ['BITCOUNT', 'e'], ['BITCOUNT', 'e', '0', '-1'], ['BITCOUNT', 'e', '0', '-1', 'BIT'], ['BITCOUNT', 'e', '-1', '-1'],
    ['INCRBY', 'c', '1234'], ['BITCOUNT', 'c'], ['BITCOUNT', 'c', '1', '2'],
  ])

  diff('BITPOS', [
    ['SET', 'k', bytes(0xff, 0xf0, 0x00)], ['BITPOS', 'k', '0'], ['BITPOS', 'k', '1'], ['BITPOS', 'k', '0', '2'], ['BITPOS', 'k', '1', '2'],
    ['BITPOS', 'k', '1', '1'], ['BITPOS', 'k', '0', '1', '1'], ['BITPOS', 'k', '1', '-1'], ['BITPOS', 'k', '1', '-2', '-1'],
    ['BITPOS', 'k', '0', '0', '0'], ['BITPOS', 'k', '0', '0', '-1'], ['BITPOS', 'k', '1', '2', '1'], ['BITPOS', 'k', '1', '100'],
    ['SET', 'ones', bytes(0xff, 0xff, 0xff)], ['BITPOS', 'ones', '0'], ['BITPOS', 'ones', '0', '0'], ['BITPOS', 'ones', '0', '0', '-1'],
    ['BITPOS', 'ones', '0', '1', 'BIT'], ['BITPOS', 'ones', '0', '1', '2', 'BIT'], ['BITPOS', 'ones', '1', '5', '5', 'BIT'],
    ['SET', 'zeros', bytes(0, 0, 0)], ['BITPOS', 'zeros', '1'], ['BITPOS', 'zeros', '0'], ['BITPOS', 'zeros', '1', '0', '-1'],
    ['BITPOS', 'zeros', '0', '1'], ['BITPOS', 'zeros', '0', '5', '10', 'BIT'],
    ['BITPOS', 'nope', '1'], ['BITPOS', 'nope', '0'], ['BITPOS', 'nope', '0', '5', '10', 'BIT'], ['BITPOS', 'nope', '1', '0', '-1'],
  ])

  diff('BITPOS BIT ranges', [
    ['SET', 'k', bytes(0x00, 0xff, 0xf0, 0x0f, 0x81)],
    ['BITPOS', 'k', '1', '0', '-1', 'BIT'], ['BITPOS', 'k', '1', '3', '7', 'BIT'], ['BITPOS', 'k', '0', '8', '15', 'BIT'],
    ['BITPOS', 'k', '0', '9', '20', 'BIT'], ['BITPOS', 'k', '1', '20', '27', 'BIT'], ['BITPOS', 'k', '1', '20', '28', 'BIT'],
    ['BITPOS', 'k', '1', '-8', '-1', 'BIT'], ['BITPOS', 'k', '1', '-7', '-2', 'BIT'], ['BITPOS', 'k', '0', '-7', '-2', 'BIT'],
    ['BITPOS', 'k', '0', '10', 'BIT'], ['BITPOS', 'k', '1', '33', 'BIT'], ['BITPOS', 'k', '0', '39', 'BIT'], ['BITPOS', 'k', '1', '40', 'BIT'],
    ['BITPOS', 'k', '0', '10', '12', 'BIT'], ['BITPOS', 'k', '0', '10', '12', 'byte'], ['BITPOS', 'k', '1', '1', '0', 'BIT'],
    ['BITPOS', 'k', '1', '-100', '100', 'BIT'], ['BITPOS', 'k', '0', '16', '16', 'BIT'], ['BITPOS', 'k', '0', '20', '20', 'BIT'],
    ['BITPOS', 'k', '1', '2', 'BYTE'], ['BITPOS', 'k', '0', '-1', 'BYTE'],
  ])

  diff('BITPOS argument errors (the bit first, then the key, then the range)', [
    ['SET', 'k', 'foo'], ['BITPOS', 'k', '2'], ['BITPOS', 'k', '-1'], ['BITPOS', 'k', 'x'], ['BITPOS', 'nope', '2'], ['BITPOS', 'nope', 'x'],
    ['BITPOS', 'k', '1', 'x'], ['BITPOS', 'k', '1', '0', 'x'], ['BITPOS', 'k', '1', '0', '1', 'FOO'], ['BITPOS', 'k', '1', '0', 'x', 'FOO'],
    ['BITPOS', 'k', '1', 'x', '1', 'FOO'], ['BITPOS', 'k', '1', '0', '1', 'BIT', 'x'], ['BITPOS', 'nope', '1', 'x'],
    ['BITPOS', 'nope', '0', '0', '1', 'FOO'], ['BITPOS', 'k'], ['SET', 'e', ''], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'],
    ['BITPOS', 'e', '0', '0'], ['BITPOS', 'e', '0', '0', '-1', 'BIT'], ['INCRBY', 'c', '100'], ['BITPOS', 'c', '1'], ['BITPOS', 'c', '0', '1'],
  ])

  diff('BITOP AND OR XOR NOT', [
    ['SET', 'a', bytes(0xff, 0x0f, 0xaa)], ['SET', 'b', bytes(0x0f, 0xff)], ['SET', 'c', 'x'],
    ['BITOP', 'AND', 'd', 'a', 'b'], ['GET', 'd'], ['BITOP', 'OR', 'd', 'a', 'b'], ['GET', 'd'], ['BITOP', 'XOR', 'd', 'a', 'b'], ['GET', 'd'],
    ['BITOP', 'NOT', 'd', 'a'], ['GET', 'd'], ['BITOP', 'and', 'd', 'a', 'b', 'c'], ['GET', 'd'], ['BITOP', 'or', 'd', 'a', 'b', 'c'], ['GET', 'd'],
    ['BITOP', 'xor', 'd', 'a', 'b', 'c'], ['GET', 'd'], ['BITOP', 'AND', 'd', 'a'], ['GET', 'd'], ['BITOP', 'XOR', 'd', 'a', 'a'], ['GET', 'd'],
    ['BITOP', 'AND', 'd', 'a', 'nope'], ['GET', 'd'], ['BITOP', 'OR', 'd', 'nope', 'b'], ['GET', 'd'],
    ['BITOP', 'OR', 'a', 'a', 'b'], ['GET', 'a'], ['BITOP', 'Not', 'n', 'c'], ['GET', 'n'],
  ])

  diff('BITOP empty results delete the destination, results drop its TTL', [
    ['SET', 'd', 'old', 'EX', '100'], ['BITOP', 'AND', 'd', 'nope1', 'nope2'], ['EXISTS', 'd'], ['SET', 'd', 'old'],
    ['BITOP', 'NOT', 'd', 'nope'], ['EXISTS', 'd'], ['SET', 'e', ''], ['SET', 'd', 'old'], ['BITOP', 'OR', 'd', 'e', 'e'], ['EXISTS', 'd'],
    ['SET', 'd', 'old', 'EX', '100'], ['SET', 'a', 'abc'], ['BITOP', 'OR', 'd', 'a'], ['TTL', 'd'], ['GET', 'd'],
    ['INCRBY', 'n', '12'], ['SET', 's', 'ab'], ['BITOP', 'XOR', 'd', 'n', 's'], ['GET', 'd'], ['BITOP', 'AND', 'nope', 'nope'], ['EXISTS', 'nope'],
  ])

  diff('BITOP errors', [
    ['SET', 'a', 'x'], ['BITOP', 'FOO', 'd', 'a'], ['BITOP', 'NOT', 'd', 'a', 'a'], ['BITOP', 'NOT', 'd'], ['BITOP', 'AND', 'd'],
    ['BITOP', 'ANDX', 'd', 'a'], ['BITOP', 'DIFF', 'd', 'a', 'a'], ['BITOP', 'ONE', 'd', 'a'], ['BITOP', '', 'd', 'a'], ['EXISTS', 'd'],
  ])

  diff('BITFIELD GET SET INCRBY', [
    ['BITFIELD', 'k', 'SET', 'i8', '0', '100'], ['BITFIELD', 'k', 'GET', 'i8', '0'], ['GET', 'k'],
    ['BITFIELD', 'k', 'SET', 'u4', '4', '15', 'GET', 'u8', '0', 'GET', 'u4', '4', 'GET', 'i4', '4'],
    ['BITFIELD', 'k', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '1', 'GET', 'u2', '100'], ['STRLEN', 'k'],
    ['BITFIELD', 'k', 'SET', 'i64', '0', '-9223372036854775808', 'GET', 'i64', '0', 'GET', 'u63', '0', 'GET', 'u63', '1'],
    ['BITFIELD', 'k', 'SET', 'u63', '3', '9223372036854775807', 'GET', 'u63', '3', 'GET', 'i64', '2'],
    ['BITFIELD', 'k', 'SET', 'i1', '200', '-1', 'GET', 'i1', '200', 'GET', 'u1', '200', 'SET', 'u1', '201', '1'],
    ['BITFIELD', 'k', 'GET', 'u8', '#0', 'SET', 'u8', '#3', '255', 'GET', 'u8', '#3', 'INCRBY', 'i16', '#2', '-5', 'GET', 'i16', '#2'],
    ['GET', 'k'], ['BITFIELD', 'k'], ['BITFIELD', 'nope'], ['EXISTS', 'nope'], ['BITFIELD', 'nope', 'GET', 'u8', '0'], ['EXISTS', 'nope'],
    ['BITFIELD', 'k', 'get', 'u8', '0', 'set', 'u8', '0', '7', 'incrby', 'u8', '0', '1'],
    ['BITFIELD', 'k', 'GET', 'u8', '1000'], ['BITFIELD', 'k', 'GET', 'i64', '4294967295'], ['BITFIELD', 'k', 'GET', 'u8', '#536870911'],
  ])

  diff('BITFIELD overflow WRAP SAT FAIL', [
    ['BITFIELD', 'k', 'SET', 'u8', '0', '255', 'INCRBY', 'u8', '0', '10'], ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '300'],
    ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300', 'GET', 'u8', '0'], ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '-1000'],
    ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '-1'], ['BITFIELD', 'k', 'OVERFLOW', 'WRAP', 'INCRBY', 'u8', '0', '-1'],
    ['BITFIELD', 'k', 'SET', 'i8', '8', '127', 'INCRBY', 'i8', '8', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '8', '-1000', 'INCRBY', 'i8', '8', '1000'],
    ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '8', '1', 'INCRBY', 'i8', '8', '-1', 'GET', 'i8', '8'],
    ['BITFIELD', 'k', 'SET', 'u8', '16', '-1', 'OVERFLOW', 'SAT', 'SET', 'u8', '24', '-1', 'SET', 'u8', '32', '256', 'OVERFLOW', 'FAIL', 'SET', 'u8', '40', '256', 'SET', 'u8', '40', '-1'],
    ['BITFIELD', 'k', 'SET', 'i8', '48', '200', 'OVERFLOW', 'SAT', 'SET', 'i8', '56', '200', 'SET', 'i8', '56', '-200', 'OVERFLOW', 'FAIL', 'SET', 'i8', '64', '128'],
    ['GET', 'k'],
    ['BITFIELD', 'b', 'SET', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '-1'],
    ['BITFIELD', 'b', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-9223372036854775808'],
    ['BITFIELD', 'b', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '-1', 'SET', 'i64', '0', '5', 'INCRBY', 'i64', '0', '9223372036854775807'],
    ['BITFIELD', 'u', 'SET', 'u63', '0', '9223372036854775807', 'INCRBY', 'u63', '0', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '0', '-5', 'INCRBY', 'u63', '0', '9223372036854775807'],
    ['BITFIELD', 'u', 'OVERFLOW', 'SAT', 'SET', 'u63', '0', '-1', 'OVERFLOW', 'WRAP', 'SET', 'u63', '0', '-1', 'SET', 'u1', '0', '-2'],
    ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '10'], ['GET', 'f'], ['EXISTS', 'f'],
    ['BITFIELD', 'f2', 'OVERFLOW', 'FAIL', 'SET', 'i4', '0', '100', 'GET', 'i4', '0'], ['GET', 'f2'],
    // Values near the int64 limits: Redis's overflow checks wrap around in 64 bits (found by the model test).
    ['BITFIELD', 'x', 'OVERFLOW', 'SAT', 'SET', 'i6', '#0', '-9223372036854775777', 'GET', 'i6', '0'], ['BITPOS', 'x', '0'],
    ['BITFIELD', 'x', 'OVERFLOW', 'SAT', 'SET', 'i6', '#1', '9223372036854775807', 'SET', 'i6', '#2', '-9223372036854775808', 'GET', 'i6', '6', 'GET', 'i6', '12'],
    ['BITFIELD', 'x', 'OVERFLOW', 'WRAP', 'SET', 'i6', '#3', '-9223372036854775777', 'INCRBY', 'i6', '#3', '-9223372036854775808', 'GET', 'i6', '18'],
    ['BITFIELD', 'x', 'OVERFLOW', 'FAIL', 'SET', 'i6', '#4', '-9223372036854775777', 'SET', 'u6', '#5', '-9223372036854775777', 'INCRBY', 'u6', '#5', '-9223372036854775808'],
    ['BITFIELD', 'x', 'OVERFLOW', 'SAT', 'SET', 'u6', '#6', '-9223372036854775777', 'INCRBY', 'u6', '#6', '9223372036854775807', 'INCRBY', 'u6', '#6', '-9223372036854775808'],
    ['GET', 'x'],
  ])

  diff('BITFIELD errors', [
    ['SET', 'k', 'abc'], ['BITFIELD', 'k', 'GET', 'u64', '0'], ['BITFIELD', 'k', 'GET', 'i65', '0'], ['BITFIELD', 'k', 'GET', 'i0', '0'],
    ['BITFIELD', 'k', 'GET', 'x8', '0'], ['BITFIELD', 'k', 'GET', 'U8', '0'], ['BITFIELD', 'k', 'GET', 'I8', '0'], ['BITFIELD', 'k', 'GET', 'u', '0'],
    ['BITFIELD', 'k', 'GET', '', '0'], ['BITFIELD', 'k', 'GET', 'u08', '0'], ['BITFIELD', 'k', 'GET', 'u-8', '0'], ['BITFIELD', 'k', 'GET', 'u8 ', '0'],
    ['BITFIELD', 'k', 'GET', 'u8', '-1'], ['BITFIELD', 'k', 'GET', 'u8', 'x'], ['BITFIELD', 'k', 'GET', 'u8', '#'], ['BITFIELD', 'k', 'GET', 'u8', '#-1'],
    ['BITFIELD', 'k', 'GET', 'u8', '#x'], ['BITFIELD', 'k', 'GET', 'u8', '4294967296'], ['BITFIELD', 'k', 'GET', 'u8', '#536870912'],
    ['BITFIELD', 'k', 'GET', 'i8', '#9223372036854775807'], ['BITFIELD', 'k', 'GET', 'i64', '#288230376151711743'],
    ['BITFIELD', 'k', 'GET', 'i64', '#144115188075855872'], ['BITFIELD', 'k', 'GET', 'i3', '#6148914691236517205'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', 'x'], ['BITFIELD', 'k', 'SET', 'u8', '0', '1.5'], ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '9223372036854775808'],
    ['BITFIELD', 'k', 'GET', 'u8'], ['BITFIELD', 'k', 'SET', 'u8', '0'], ['BITFIELD', 'k', 'INCRBY', 'u8', '0'], ['BITFIELD', 'k', 'OVERFLOW'],
    ['BITFIELD', 'k', 'OVERFLOW', 'FOO', 'GET', 'u8', '0'], ['BITFIELD', 'k', 'FOO'], ['BITFIELD', 'k', 'GET', 'u8', '0', 'FOO'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0'], ['GET', 'k'], ['BITFIELD', 'k', 'overflow', 'wrap', 'overflow', 'sat'],
    ['BITFIELD'], ['GET', 'k'],
  ])

  diff('BITFIELD on counters and with a TTL', [
    ['INCRBY', 'c', '12'], ['BITFIELD', 'c', 'GET', 'u8', '0', 'GET', 'u16', '0'], ['BITFIELD', 'c', 'INCRBY', 'u8', '8', '1'], ['GET', 'c'], ['INCR', 'c'],
    ['INCRBY', 'd', '5'], ['BITFIELD', 'd', 'SET', 'u8', '0', '53'], ['GET', 'd'], ['INCR', 'd'],
    ['SET', 't', 'v', 'EX', '100'], ['BITFIELD', 't', 'SET', 'u8', '16', '65'], ['TTL', 't'], ['GET', 't'],
  ], { approx: [11] })

  diff('BITFIELD_RO', [
    ['SET', 'k', bytes(0x12, 0x34, 0x56)], ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'GET', 'i12', '4', 'GET', 'u4', '#3'], ['BITFIELD_RO', 'k'],
    ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'], ['BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1'], ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
    ['BITFIELD_RO', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'], ['BITFIELD_RO', 'k', 'OVERFLOW', 'FOO'], ['BITFIELD_RO', 'k', 'SET', 'u64', '0', '1'],
    ['BITFIELD_RO', 'k', 'SET', 'u8', '0', 'x'], ['BITFIELD_RO', 'nope', 'GET', 'u8', '0'], ['BITFIELD_RO', 'nope', 'SET', 'u8', '0', '1'],
    ['EXISTS', 'nope'], ['GET', 'k'], ['BITFIELD_RO'],
  ])

  diff('BITFIELD in RESP3 (FAIL is null)', [
    ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '7', 'GET', 'u2', '0', 'INCRBY', 'i64', '0', '5'],
  ], { proto: 3 })

  diff('large offsets stay within 512 MB', [
    ['SETBIT', 'big', '8388607', '1'], ['STRLEN', 'big'], ['BITCOUNT', 'big'], ['BITPOS', 'big', '1'], ['BITPOS', 'big', '1', '-1'],
    ['BITPOS', 'big', '0', '-1'], ['BITFIELD', 'big', 'GET', 'u8', '8388600', 'SET', 'u16', '8388608', '65535'], ['STRLEN', 'big'],
    ['BITCOUNT', 'big', '-3', '-1'], ['BITOP', 'NOT', 'inv', 'big'], ['BITCOUNT', 'inv'], ['BITPOS', 'inv', '0'],
  ])

  const wrongArity: Step[] = [
    ['SETBIT', 'k', '1'], ['GETBIT', 'k'], ['GETBIT', 'k', '1', '2'], ['BITCOUNT'], ['BITPOS', 'k'], ['BITOP', 'AND', 'd'],
    ['BITFIELD'], ['BITFIELD_RO'], ['SETBIT', 'k', '1', '1', '1'],
  ]
  diff('wrong arity', wrongArity)
})
