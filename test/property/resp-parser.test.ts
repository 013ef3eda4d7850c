// Properties of the RESP parser: any split of a byte stream parses exactly as
// the whole stream (1-byte feeds included), and no input makes it throw.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RequestParser } from '../../lib/native'

function multibulk(args: Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), Buffer.from(a), Buffer.from('\r\n'))
  return Buffer.concat(parts)
}

interface Outcome { commands: string[][]; error: string | null; buffered: number }

/** Feed `stream` cut at `cuts`; argv as hex so results compare exactly. */
function run(stream: Buffer, cuts: number[], options: { maxBulkLen?: number } = {}): Outcome {
  const parser = new RequestParser(options)
  const commands: string[][] = []
  let from = 0
  for (const to of [...cuts, stream.length]) {
    // A fresh copy per feed: the parser may not rely on seeing the caller's memory again.
    for (const argv of parser.feed(Buffer.from(stream.subarray(from, to)))) commands.push(argv.map((a) => a.toString('hex')))
    from = to
  }
  return { commands, error: parser.error, buffered: parser.bufferedBytes }
}

const cutsFor = (len: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, len) }), { maxLength: 20 }).map((c) => c.sort((a, b) => a - b))

const argument = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(Buffer.from('\r\n'), Buffer.from('*1\r\n'), Buffer.from('$3\r\n'), Buffer.from('"'), Buffer.alloc(0)),
)
const command = fc.array(argument, { minLength: 1, maxLength: 8 })
const inlineToken = fc.stringMatching(/^[A-Za-z0-9:_-]{1,12}$/)
const inlineCommand = fc.array(inlineToken, { minLength: 1, maxLength: 5 })

type Encoded = { bytes: Buffer; argv: string[] }
const encoded: fc.Arbitrary<Encoded> = fc.oneof(
  { weight: 4, arbitrary: command.map((args) => ({ bytes: multibulk(args), argv: args.map((a) => Buffer.from(a).toString('hex')) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(inlineCommand, fc.boolean()).map(([words, crlf]) => ({
      bytes: Buffer.from(words.join(' ') + (crlf ? '\r\n' : '\n')),
      argv: words.map((w) => Buffer.from(w).toString('hex')),
    })),
  },
)

describe('RESP parser properties', () => {
  it('parses any split of valid commands as the whole stream', () => {
    fc.assert(
      fc.property(
        fc.array(encoded, { minLength: 1, maxLength: 20 }).chain((cmds) => {
          const stream = Buffer.concat(cmds.map((c) => c.bytes))
          return fc.tuple(fc.constant(cmds), fc.constant(stream), cutsFor(stream.length))
        }),
        ([cmds, stream, cuts]) => {
          const expected = cmds.map((c) => c.argv)
          const whole = run(stream, [])
          assert.deepEqual(whole, { commands: expected, error: null, buffered: 0 })
          assert.deepEqual(run(stream, cuts), whole)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('parses 1-byte feeds as the whole stream', () => {
    fc.assert(
      fc.property(fc.array(encoded, { minLength: 1, maxLength: 6 }), (cmds) => {
        const stream = Buffer.concat(cmds.map((c) => c.bytes))
        const everyByte = Array.from({ length: stream.length }, (_, i) => i)
        assert.deepEqual(run(stream, everyByte), run(stream, []))
        assert.deepEqual(run(stream, everyByte).commands, cmds.map((c) => c.argv))
      }),
      { numRuns: 200 },
    )
  })

  it('never throws on garbage, and a split never changes the outcome', () => {
    const protocolish = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 12 }),
        fc.constantFrom('*', '$', '\r', '\n', '\r\n', '*2\r\n', '$3\r\n', '*-1\r\n', '$-1\r\n', '"', "'", '\\x4', ' ', '\0', '*1048576\r\n', '$99999999999\r\n').map((s) => Buffer.from(s)),
      ),
      { maxLength: 30 },
    )
    fc.assert(
      fc.property(
        protocolish.map((parts) => Buffer.concat(parts.map((p) => Buffer.from(p)))).chain((s) => fc.tuple(fc.constant(s), cutsFor(s.length))),
        ([stream, cuts]) => {
          const whole = run(stream, [], { maxBulkLen: 64 })
          if (whole.error !== null) assert.match(whole.error, /^ERR Protocol error: /)
          assert.deepEqual(run(stream, cuts, { maxBulkLen: 64 }), whole)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('stops at the first corrupted byte with the commands before it intact', () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (cmds, at, byte) => {
          const stream = Buffer.concat(cmds.map(multibulk))
          const i = at % stream.length
          const bad = Buffer.from(stream)
          bad[i] = byte
          const whole = run(bad, [])
          assert.deepEqual(run(bad, [Math.floor(i / 2), i, i + 1].filter((c) => c <= bad.length)), whole)
          // Commands that end before the corrupted byte are returned unchanged.
          let end = 0
          const intact = cmds.filter((c) => (end += multibulk(c).length) <= i).map((c) => c.map((a) => Buffer.from(a).toString('hex')))
          assert.deepEqual(whole.commands.slice(0, intact.length), intact)
        },
      ),
      { numRuns: 500 },
    )
  })
})
