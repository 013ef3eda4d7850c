// The RESP request parser: Redis 7 networking.c behaviour and wording. The
// error strings were checked against a real redis-server 7.0.
import assert from 'node:assert/strict'
import { RequestParser } from '../../lib/native'

function multibulk(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a)
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

const text = (cmds: Buffer[][]) => cmds.map((argv) => argv.map((a) => a.toString('latin1')))

function parseAll(input: string | Buffer, parser = new RequestParser()) {
  const cmds = parser.feed(Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1'))
  return { cmds: text(cmds), error: parser.error, buffered: parser.bufferedBytes }
}

describe('native RESP parser', () => {
  it('parses a pipeline of many commands in one chunk', () => {
    const n = 1000
    const chunk = Buffer.concat(Array.from({ length: n }, (_, i) => multibulk('SET', `key:${i}`, `value-${i}`)))
    const p = new RequestParser()
    const cmds = p.feed(chunk)
    assert.equal(cmds.length, n)
    cmds.forEach((argv, i) => assert.deepEqual(text([argv])[0], ['SET', `key:${i}`, `value-${i}`]))
    assert.equal(p.bufferedBytes, 0)
    assert.equal(p.error, null)
  })

  it('keeps binary-safe arguments, empty ones included', () => {
    const v = Buffer.from([0, 13, 10, 42, 255])
    const r = new RequestParser().feed(multibulk('SET', '', v))
    assert.deepEqual(r, [[Buffer.from('SET'), Buffer.alloc(0), v]])
  })

  it('keeps partial input and counts it as buffered', () => {
    const p = new RequestParser()
    const cmd = multibulk('SET', 'k', 'v'.repeat(100))
    assert.deepEqual(p.feed(cmd.subarray(0, 20)), [])
    assert.equal(p.bufferedBytes, 20)
    const [argv] = p.feed(cmd.subarray(20))
    assert.equal(argv[2].toString(), 'v'.repeat(100))
    assert.equal(p.bufferedBytes, 0)
  })

  it('returns arguments that stay valid after later feeds', () => {
    const p = new RequestParser()
    const a = multibulk('SET', 'a', 'x'.repeat(50))
    const b = multibulk('SET', 'b', 'y'.repeat(50))
    const stream = Buffer.concat([a, b, a])
    const got: Buffer[][] = []
    for (let i = 0; i < stream.length; i += 7) got.push(...p.feed(Buffer.from(stream.subarray(i, i + 7))))
    assert.deepEqual(text(got), [['SET', 'a', 'x'.repeat(50)], ['SET', 'b', 'y'.repeat(50)], ['SET', 'a', 'x'.repeat(50)]])
  })

  it('reads a chunk that is a view into a larger buffer from its own offset', () => {
    const a = multibulk('SET', 'a', 'x'.repeat(50))
    const framed = Buffer.concat([Buffer.from('garbage'), a, a, Buffer.from('more garbage')])
    const p = new RequestParser()
    const got: Buffer[][] = []
    for (let i = 7; i < 7 + 2 * a.length; i += 11) got.push(...p.feed(framed.subarray(i, Math.min(i + 11, 7 + 2 * a.length))))
    assert.deepEqual(text(got), [['SET', 'a', 'x'.repeat(50)], ['SET', 'a', 'x'.repeat(50)]])
    assert.equal(p.bufferedBytes, 0)
  })

  it('takes a large bulk in many small chunks', () => {
    const value = Buffer.alloc(3 << 20)
    for (let i = 0; i < value.length; i++) value[i] = i % 251
    const stream = multibulk('SET', 'big', value)
    const p = new RequestParser()
    const got: Buffer[][] = []
    for (let i = 0; i < stream.length; i += 4096) got.push(...p.feed(stream.subarray(i, i + 4096)))
    assert.equal(got.length, 1)
    assert.ok(got[0][2].equals(value))
  })

  it('skips empty commands', () => {
    assert.deepEqual(parseAll('*0\r\n*-1\r\n\r\n  \r\n*1\r\n$4\r\nPING\r\n').cmds, [['PING']])
  })

  it('parses inline commands as sdssplitargs does', () => {
    assert.deepEqual(parseAll('PING\r\nset k v\nGET  k  \r\n').cmds, [['PING'], ['set', 'k', 'v'], ['GET', 'k']])
    assert.deepEqual(parseAll('echo "a\\x41\\n\\t\\"b" \'c\\\'d\' e"f g"\r\n').cmds, [['echo', 'aA\n\t"b', "c'd", 'ef g']])
    assert.deepEqual(parseAll('echo "\\xZZ\\q"\r\n').cmds, [['echo', 'xZZq']])
    assert.deepEqual(parseAll('echo a\x00b c\r\nPING\r\n').cmds, [['echo', 'a'], ['PING']])
    assert.deepEqual(parseAll('echo ""\r\n').cmds, [['echo', '']])
  })

  it('reports protocol errors with Redis wording, after the commands before them', () => {
    const cases: Array<[string, string]> = [
      ['*1\r\nx\r\n', "expected '$', got 'x'"],
      ['*1\r\n\r\n\r\n', "expected '$', got ' '"],
      ['*x\r\n', 'invalid multibulk length'],
      ['*1048577\r\n', 'invalid multibulk length'],
      ['*9223372036854775808\r\n', 'invalid multibulk length'],
      ['*1\r\n$-1\r\n', 'invalid bulk length'],
      ['*1\r\n$01\r\n', 'invalid bulk length'],
      ['*1\r\n$x\r\n', 'invalid bulk length'],
      ['*1\r\n$536870913\r\n', 'invalid bulk length'],
      ['get "a"b\r\n', 'unbalanced quotes in request'],
      ["get 'a\r\n", 'unbalanced quotes in request'],
      ['get "a\r\n', 'unbalanced quotes in request'],
    ]
    for (const [input, message] of cases) {
      const r = parseAll('PING\r\n' + input)
      assert.deepEqual(r.cmds, [['PING']], input)
      assert.equal(r.error, `ERR Protocol error: ${message}`, input)
    }
  })

  it('returns nothing after an error', () => {
    const p = new RequestParser()
    p.feed(Buffer.from('*x\r\n'))
    assert.deepEqual(p.feed(Buffer.from('PING\r\n')), [])
    assert.equal(p.error, 'ERR Protocol error: invalid multibulk length')
  })

  it('bounds lines without a newline at 64 KiB', () => {
    const limit = 64 * 1024
    const waits = parseAll('x'.repeat(limit))
    assert.equal(waits.error, null)
    assert.equal(waits.buffered, limit)
    assert.equal(parseAll('x'.repeat(limit + 1)).error, 'ERR Protocol error: too big inline request')
    assert.equal(parseAll('*' + '1'.repeat(limit)).error, 'ERR Protocol error: too big mbulk count string')
    assert.equal(parseAll('*1\r\n$' + '1'.repeat(limit)).error, 'ERR Protocol error: too big bulk count string')
  })

  it('applies proto-max-bulk-len', () => {
    const p = new RequestParser({ maxBulkLen: 10 })
    assert.deepEqual(text(p.feed(multibulk('x'.repeat(10)))), [['x'.repeat(10)]])
    p.feed(multibulk('x'.repeat(11)))
    assert.equal(p.error, 'ERR Protocol error: invalid bulk length')
    const q = new RequestParser()
    q.setMaxBulkLen(3)
    q.feed(Buffer.from('*1\r\n$4\r\n'))
    assert.equal(q.error, 'ERR Protocol error: invalid bulk length')
  })

  it('limits unauthenticated clients', () => {
    const p = () => {
      const parser = new RequestParser()
      parser.setAuthenticated(false)
      return parser
    }
    assert.equal(parseAll(multibulk(...Array(10).fill('a')), p()).error, null)
    assert.equal(parseAll(multibulk(...Array(11).fill('a')), p()).error, 'ERR Protocol error: unauthenticated multibulk length')
    assert.equal(parseAll(multibulk('x'.repeat(16384)), p()).error, null)
    assert.equal(parseAll(multibulk('x'.repeat(16385)), p()).error, 'ERR Protocol error: unauthenticated bulk length')
  })

  it('stalls instead of failing when earlier commands of the chunk may authenticate', () => {
    const parser = new RequestParser()
    parser.setAuthenticated(false)
    const big = multibulk('SET', 'k', 'x'.repeat(20000))
    const chunk = Buffer.concat([multibulk('AUTH', 'pw'), big, multibulk('PING')])
    assert.deepEqual(text(parser.feed(chunk)), [['AUTH', 'pw']])
    assert.equal(parser.stalled, true)
    assert.equal(parser.error, null)
    assert.equal(parser.bufferedBytes, chunk.length - multibulk('AUTH', 'pw').length)
    // AUTH succeeded: go on with what is buffered.
    parser.setAuthenticated(true)
    const rest = parser.feed(Buffer.alloc(0))
    assert.deepEqual(text(rest), [['SET', 'k', 'x'.repeat(20000)], ['PING']])
    assert.equal(parser.stalled, false)
    // AUTH failed: the same input is an error.
    const other = new RequestParser()
    other.setAuthenticated(false)
    other.feed(chunk)
    assert.equal(other.stalled, true)
    assert.deepEqual(other.feed(Buffer.alloc(0)), [])
    assert.equal(other.error, 'ERR Protocol error: unauthenticated bulk length')
  })

  it('does not care what the two bytes after a line or bulk are, as Redis', () => {
    assert.deepEqual(parseAll('*1\r\n$4\r\nPINGxx*1\rX$4\r\nPING\r\n').cmds, [['PING'], ['PING']])
  })

  it('falls back to a fresh meta array when a chunk holds very many commands', () => {
    const chunk = Buffer.from('*1\r\n$1\r\nA\r\n'.repeat(40000))
    const cmds = new RequestParser().feed(chunk)
    assert.equal(cmds.length, 40000)
    assert.equal(cmds[39999][0].toString(), 'A')
  })
})
