// Reply encoding, byte for byte as Redis 7.0 writes it, in RESP2 and RESP3.
import assert from 'node:assert/strict'
import * as R from '../../lib/core/reply'
import type { Reply } from '../../lib/core/reply'
import { encodeBatch, encodeReplies, encodeReply, PROTO_OK } from '../../lib/native'

// [reply, RESP2 bytes, RESP3 bytes]
const CASES: Array<[Reply, string, string]> = [
  [R.OK, '+OK\r\n', '+OK\r\n'],
  [R.error('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
  [R.error('ERR a\r\nb'), '-ERR a  b\r\n', '-ERR a  b\r\n'],
  [0, ':0\r\n', ':0\r\n'],
  [-42, ':-42\r\n', ':-42\r\n'],
  [Number.MAX_SAFE_INTEGER, ':9007199254740991\r\n', ':9007199254740991\r\n'],
  [-(2n ** 63n), ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
  [2n ** 64n - 1n, ':18446744073709551615\r\n', ':18446744073709551615\r\n'],
  ['', '$0\r\n\r\n', '$0\r\n\r\n'],
  ['héllo', '$6\r\nh\xc3\xa9llo\r\n', '$6\r\nh\xc3\xa9llo\r\n'],
  [Buffer.from([0, 13, 10, 255]), '$4\r\n\x00\r\n\xff\r\n', '$4\r\n\x00\r\n\xff\r\n'],
  [null, '$-1\r\n', '_\r\n'],
  [R.NIL_ARRAY, '*-1\r\n', '_\r\n'],
  [[], '*0\r\n', '*0\r\n'],
  [[1, 'a', null, [Buffer.from('b')]], '*4\r\n:1\r\n$1\r\na\r\n$-1\r\n*1\r\n$1\r\nb\r\n', '*4\r\n:1\r\n$1\r\na\r\n_\r\n*1\r\n$1\r\nb\r\n'],
  [R.double(1), '$1\r\n1\r\n', ',1\r\n'],
  [R.double(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n'],
  [R.double(-2.5), '$4\r\n-2.5\r\n', ',-2.5\r\n'],
  [R.double(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
  [R.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
  [R.double(NaN), '$3\r\nnan\r\n', ',nan\r\n'],
  [R.map(['a', 1, 'b', R.double(2)]), '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$1\r\n2\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n,2\r\n'],
  [R.set(['x']), '*1\r\n$1\r\nx\r\n', '~1\r\n$1\r\nx\r\n'],
  [R.bool(true), ':1\r\n', '#t\r\n'],
  [R.bool(false), ':0\r\n', '#f\r\n'],
  [R.verbatim('hi\r\n'), '$4\r\nhi\r\n\r\n', '=8\r\ntxt:hi\r\n\r\n'],
  [R.push(['message', 'ch', 'm']), '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n'],
  [{ t: 'bignum', v: '3492890328409238509324850943850943825024385' }, '$43\r\n3492890328409238509324850943850943825024385\r\n', '(3492890328409238509324850943850943825024385\r\n'],
]

describe('native reply encoder', () => {
  it('encodes every reply shape in RESP2 and RESP3', () => {
    for (const [reply, resp2, resp3] of CASES) {
      assert.equal(encodeReply(reply, 2).toString('latin1'), Buffer.from(resp2, 'latin1').toString('latin1'), `RESP2 ${String(resp2)}`)
      assert.equal(encodeReply(reply, 3).toString('latin1'), Buffer.from(resp3, 'latin1').toString('latin1'), `RESP3 ${String(resp3)}`)
    }
  })

  it('fixes string bytes as UTF-8', () => {
    assert.deepEqual(encodeReply('é', 2), Buffer.from('$2\r\n\xc3\xa9\r\n', 'latin1'))
    const long = 'ü'.repeat(1000)
    assert.deepEqual(encodeReply(long, 3), Buffer.concat([Buffer.from('$2000\r\n'), Buffer.from(long), Buffer.from('\r\n')]))
  })

  it('concatenates a batch in order', () => {
    const replies = CASES.map((c) => c[0])
    for (const proto of [2, 3] as const) {
      assert.deepEqual(encodeReplies(replies, proto), Buffer.concat(replies.map((r) => encodeReply(r, proto))))
    }
    assert.deepEqual(encodeReplies([], 2), Buffer.alloc(0))
  })

  it('encodes a batch, each reply in its own protocol, and says where each ends', () => {
    const replies: Reply[] = [{ t: 'map', v: ['a', 1] }, 'skipped: the embedding API takes the value', null]
    const first = encodeReply(replies[0], 2)
    const expected = Buffer.concat([first, encodeReply(null, 3)])
    // Into the caller's buffer when the bytes fit: the result is their length.
    const ends = new Uint32Array(3)
    const into = Buffer.alloc(64, 0xee)
    assert.equal(encodeBatch(replies, new Uint8Array([2, 0, 3]), ends, into), expected.length)
    assert.deepEqual(into.subarray(0, expected.length), expected)
    assert.equal(into[expected.length], 0xee)
    assert.deepEqual([...ends], [first.length, first.length, expected.length])
    // A buffer of their own when they do not.
    const tooSmall = Buffer.alloc(expected.length - 1, 0xee)
    assert.deepEqual(encodeBatch(replies, new Uint8Array([2, 0, 3]), ends, tooSmall), expected)
    assert.ok(tooSmall.every((byte) => byte === 0xee))
    assert.deepEqual([...ends], [first.length, first.length, expected.length])
    assert.throws(() => encodeBatch(replies, new Uint8Array(3), new Int32Array(3) as unknown as Uint32Array, into), /ends must be a Uint32Array/)
    assert.throws(() => encodeBatch(replies, [2, 2, 2] as unknown as Uint8Array, ends, into), /protos/)
    assert.throws(() => encodeBatch(replies, new Uint8Array(3), new Uint32Array(2), into), /shorter than the replies/)
    assert.throws(() => encodeBatch('x' as unknown as Reply[], new Uint8Array(3), ends, into), /array of replies/)
    // Longer protos and ends (reused scratch): only the first entries count.
    const longEnds = new Uint32Array(8).fill(7)
    assert.equal(encodeBatch(replies, new Uint8Array([2, 0, 3, 2, 2, 2, 2, 2]), longEnds, into), expected.length)
    assert.deepEqual([...longEnds], [first.length, first.length, expected.length, 7, 7, 7, 7, 7])
    assert.throws(() => encodeBatch(replies, new Uint8Array(3), ends, 'x' as unknown as Buffer), /into must be a Buffer/)
  })

  it('writes PROTO_OK\'s replies as +OK without reading them, as encodeReply writes OK in either protocol', () => {
    const replies: Reply[] = [R.OK, 5, 'not read: PROTO_OK says what it is']
    const ends = new Uint32Array(3)
    const into = Buffer.alloc(64)
    const length = encodeBatch(replies, new Uint8Array([PROTO_OK, 3, PROTO_OK]), ends, into) as number
    assert.equal(into.subarray(0, length).toString(), '+OK\r\n:5\r\n+OK\r\n')
    assert.deepEqual([...ends], [5, 9, 14])
    for (const proto of [2, 3] as const) assert.equal(encodeReply(R.OK, proto).toString(), '+OK\r\n')
  })

  it('encodes large replies', () => {
    const big = Buffer.alloc(1 << 20, 'x')
    const out = encodeReplies([big, big], 2)
    assert.equal(out.length, 2 * (big.length + '$1048576\r\n\r\n'.length))
    assert.equal(out.subarray(0, 10).toString(), '$1048576\r\n')
  })

  it('throws on values that are not replies instead of guessing', () => {
    assert.throws(() => encodeReply(1.5, 2), /integer/)
    assert.throws(() => encodeReply(NaN, 2), /integer/)
    assert.throws(() => encodeReply(undefined as unknown as Reply, 2))
    assert.throws(() => encodeReply(true as unknown as Reply, 2))
    assert.throws(() => encodeReply({ t: 'nope' } as unknown as Reply, 2), /unknown reply type/)
    assert.throws(() => encodeReply({ t: 'map', v: ['odd'] }, 3), /even/)
    assert.throws(() => encodeReply('x', 4 as 3), /proto/)
    let deep: Reply = []
    for (let i = 0; i < 1000; i++) deep = [deep]
    assert.throws(() => encodeReply(deep, 2), /nested/)
  })
})
