// Migration from an upstream Redis, the pure parts: the upstream's command stream (framing,
// byte counts for the offset, what each command means to the replica) and how RDB records
// become marekvs commands.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { classify, encodeCommand, parseCommands, StreamProtocolError } from '../../lib/migration/command-stream'
import { formatScore, ITEMS_PER_COMMAND, loadCommands } from '../../lib/migration/load-commands'
import type { RdbRecord, RdbStream } from '../../lib/migration/rdb'

const words = (argvs: Buffer[][]): string[][] => argvs.map((argv) => argv.map((a) => a.toString()))
const id = (ms: number, seq: number) => ({ ms: BigInt(ms), seq: BigInt(seq) })

describe('upstream command stream', () => {
  const commands = [['SELECT', '0'], ['SET', 'k', 'v\r\nwith crlf'], ['MULTI'], ['INCR', 'n'], ['EXEC'], ['REPLCONF', 'GETACK', '*'], ['PING']]
  const wire = Buffer.concat(commands.map(encodeCommand))

  it('splits commands and counts each one\'s bytes, the whole stream at once', () => {
    const { commands: parsed, consumed } = parseCommands(wire)
    assert.equal(consumed, wire.length)
    assert.deepEqual(parsed.map((c) => c.argv.map(String)), commands)
    assert.deepEqual(parsed.map((c) => c.bytes), commands.map((c) => encodeCommand(c).length))
  })

  it('gives the same commands when the bytes are cut at every position', () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const first = parseCommands(wire.subarray(0, cut))
      const second = parseCommands(Buffer.concat([wire.subarray(first.consumed, cut), wire.subarray(cut)]))
      assert.equal(first.consumed + second.consumed, wire.length, `cut at ${cut}`)
      assert.deepEqual([...first.commands, ...second.commands].map((c) => c.argv.map(String)), commands, `cut at ${cut}`)
    }
  })

  it('rejects what is not a command array', () => {
    assert.throws(() => parseCommands(Buffer.from('+OK\r\n')), StreamProtocolError)
    assert.throws(() => parseCommands(Buffer.from('*1\r\n:5\r\n')), StreamProtocolError)
    assert.throws(() => parseCommands(Buffer.from('*1\r\n$1\r\nabc\r\n')), StreamProtocolError)
  })

  it('tells link upkeep, GETACK, SELECT and transactions apart', () => {
    const of = (...argv: string[]) => classify(argv.map((a) => Buffer.from(a)))
    assert.deepEqual(of('PING'), { kind: 'ignore' })
    assert.deepEqual(of('replconf', 'getack', '*'), { kind: 'getack' })
    assert.deepEqual(of('REPLCONF', 'ACK', '5'), { kind: 'ignore' })
    assert.deepEqual(of('select', '3'), { kind: 'select', db: 3 })
    assert.throws(() => of('SELECT', 'x'), StreamProtocolError)
    assert.deepEqual(of('MULTI'), { kind: 'apply', transaction: 'open' })
    assert.deepEqual(of('exec'), { kind: 'apply', transaction: 'close' })
    assert.deepEqual(of('SET', 'k', 'v'), { kind: 'apply', transaction: null })
  })
})

describe('RDB records as marekvs commands', () => {
  const key = (value: Extract<RdbRecord, { type: 'key' }>['value'], expireAtMs: number | null = null): RdbRecord => ({ type: 'key', db: 0, key: Buffer.from('k'), expireAtMs, value })

  it('sets a string and then its TTL', () => {
    assert.deepEqual(words(loadCommands(key({ kind: 'string', value: Buffer.from('v') }, 1700000000123))), [['SET', 'k', 'v'], ['PEXPIREAT', 'k', '1700000000123']])
  })

  it('cuts large collections into commands of ITEMS_PER_COMMAND elements or pairs', () => {
    const items = Array.from({ length: 2 * ITEMS_PER_COMMAND + 3 }, (_, i) => Buffer.from(`i${i}`))
    const lists = loadCommands(key({ kind: 'list', items }))
    assert.deepEqual(lists.map((argv) => argv.length - 2), [ITEMS_PER_COMMAND, ITEMS_PER_COMMAND, 3])
    assert.deepEqual(lists.flatMap((argv) => argv.slice(2).map(String)), items.map(String))
    const hashes = loadCommands(key({ kind: 'hash', fields: items.slice(0, 2 * ITEMS_PER_COMMAND + 2) }))
    assert.deepEqual(hashes.map((argv) => [argv[0].toString(), argv.length - 2]), [['HSET', 2 * ITEMS_PER_COMMAND], ['HSET', 2]])
  })

  it('writes scores ZADD reads back to the same double', () => {
    for (const score of [0.1, 1 / 3, -1e-300, 2 ** 53 + 2, 1e21, -0.125]) assert.equal(Number(formatScore(score)), score)
    assert.equal(formatScore(Infinity), 'inf')
    assert.equal(formatScore(-Infinity), '-inf')
    assert.deepEqual(words(loadCommands(key({ kind: 'zset', entries: [{ member: Buffer.from('m'), score: -Infinity }] }))), [['ZADD', 'k', '-inf', 'm']])
  })

  it('rebuilds a stream: entries, a last ID past the last entry, groups, consumers, pending entries', () => {
    const stream: RdbStream = {
      entries: [{ id: id(1, 1), fields: [Buffer.from('a'), Buffer.from('1')] }],
      length: 1n, lastId: id(5, 0), maxDeletedId: id(5, 0), entriesAdded: 2n,
      groups: [{
        name: Buffer.from('g'), lastId: id(1, 1), entriesRead: 1n,
        pending: [{ id: id(1, 1), deliveryTimeMs: 1000, deliveryCount: 2n, consumer: Buffer.from('c') }],
        consumers: [{ name: Buffer.from('c'), seenTimeMs: 1000 }],
      }],
    }
    assert.deepEqual(words(loadCommands(key({ kind: 'stream', stream }))), [
      ['XADD', 'k', '1-1', 'a', '1'],
      ['XADD', 'k', '5-0', 'marekvs-migration', ''],
      ['XDEL', 'k', '5-0'],
      ['XGROUP', 'CREATE', 'k', 'g', '1-1', 'ENTRIESREAD', '1'],
      ['XGROUP', 'CREATECONSUMER', 'k', 'g', 'c'],
      ['XCLAIM', 'k', 'g', 'c', '0', '1-1', 'TIME', '1000', 'RETRYCOUNT', '2', 'FORCE', 'JUSTID'],
    ])
  })

  it('creates an empty, never-written stream through a temporary group', () => {
    const stream: RdbStream = { entries: [], length: 0n, lastId: id(0, 0), maxDeletedId: id(0, 0), entriesAdded: 0n, groups: [] }
    assert.deepEqual(words(loadCommands(key({ kind: 'stream', stream }))), [
      ['XGROUP', 'CREATE', 'k', 'marekvs-migration', '0', 'MKSTREAM'],
      ['XGROUP', 'DESTROY', 'k', 'marekvs-migration'],
    ])
  })

  it('loads functions with FUNCTION LOAD REPLACE and ignores aux fields', () => {
    assert.deepEqual(words(loadCommands({ type: 'function', code: Buffer.from('#!lua name=x') })), [['FUNCTION', 'LOAD', 'REPLACE', '#!lua name=x']])
    assert.deepEqual(loadCommands({ type: 'aux', name: Buffer.from('redis-ver'), value: Buffer.from('7.0.15') }), [])
  })
})

describe('lib/migration purity', () => {
  it('keeps the parser and the decisions free of IO, clock and addon: only the link and its socket do IO', () => {
    const dir = join(__dirname, '../../lib/migration')
    for (const file of ['../core/crc64.js', '../core/lzf.js', 'rdb-encodings.js', 'rdb.js', 'load-commands.js', 'command-stream.js', 'status.js']) {
      const source = readFileSync(join(dir, file), 'utf8')
      for (const [, name] of source.matchAll(/require\("([^"]+)"\)/g)) assert.ok(name.startsWith('./') || name.startsWith('../core/'), `${file} requires ${name}`)
      assert.doesNotMatch(source, /Date\.now|Math\.random|process\./, file)
    }
  })
})
