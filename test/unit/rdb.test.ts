// The RDB parser and its parts (CRC-64, LZF, listpack, ziplist, intset), on a file written by
// redis-server 7.0.15 (test/vectors/redis-7.0.15-all-types.txt says how) and on hand-built
// bytes for the encodings 7.0 no longer writes.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { crc64 } from '../../lib/core/crc64'
import { LzfError, lzfDecompress } from '../../lib/core/lzf'
import { bufferSource, parseRdb, RdbError, RdbRecord, RdbUnsupportedError, RdbValue } from '../../lib/migration/rdb'
import { decodeIntset, decodeListpack, decodeZiplist, EncodingError } from '../../lib/migration/rdb-encodings'

const FIXTURE = readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'vectors', 'redis-7.0.15-all-types.rdb'))

const text = (bufs: Buffer[]): string[] => bufs.map((b) => b.toString())

function parseAll(bytes: Buffer, chunkBytes?: number): RdbRecord[] {
  return [...parseRdb(bufferSource(bytes, chunkBytes))]
}

function keysOf(records: RdbRecord[]): Map<string, { db: number; expireAtMs: number | null; value: RdbValue }> {
  const out = new Map<string, { db: number; expireAtMs: number | null; value: RdbValue }>()
  for (const r of records) if (r.type === 'key') out.set(r.key.toString(), r)
  return out
}

/** An RDB around `body`, with the CRC-64 Redis would write (or `crc` given). */
function rdb(body: number[] | Buffer, version = '0010', crc?: bigint): Buffer {
  const head = Buffer.concat([Buffer.from(`REDIS${version}`), Buffer.from(body), Buffer.from([0xff])])
  const sum = Buffer.alloc(8)
  sum.writeBigUInt64LE(crc ?? crc64(head))
  return Buffer.concat([head, sum])
}

/** A length-prefixed RDB string (short lengths only). */
function str(s: string | Buffer): Buffer {
  const bytes = Buffer.from(s)
  assert.ok(bytes.length < 64)
  return Buffer.concat([Buffer.from([bytes.length]), bytes])
}

/** A ziplist from raw entry encodings (prevlen bytes added). */
function ziplist(entries: number[][]): Buffer {
  const body: number[] = []
  let prev = 0
  for (const e of entries) {
    body.push(prev, ...e)
    prev = e.length + 1
  }
  const blob = Buffer.alloc(10 + body.length + 1)
  blob.writeUInt32LE(blob.length, 0)
  blob.writeUInt32LE(10, 4)
  blob.writeUInt16LE(entries.length, 8)
  Buffer.from(body).copy(blob, 10)
  blob[blob.length - 1] = 0xff
  return blob
}

describe('CRC-64/Jones', () => {
  it('gives Redis\'s check value for "123456789"', () => {
    assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can)
  })

  it('is 0 for no bytes and changes with one flipped bit', () => {
    assert.equal(crc64(Buffer.alloc(0)), 0n)
    assert.notEqual(crc64(Buffer.from('123456789')), crc64(Buffer.from('123456788')))
  })
})

describe('LZF', () => {
  it('expands literals and overlapping back-references', () => {
    // literal "abc", then 6 bytes from 3 back: "abcabcabc"
    assert.equal(lzfDecompress(Buffer.from([0x02, 0x61, 0x62, 0x63, 0x80, 0x02]), 9).toString(), 'abcabcabc')
    // a long reference: length 7 + 1 more byte
    assert.equal(lzfDecompress(Buffer.from([0x00, 0x7a, 0xe0, 0x05, 0x00]), 15).toString(), 'z'.repeat(15))
  })

  it('refuses output of another length than declared, and references before the start', () => {
    assert.throws(() => lzfDecompress(Buffer.from([0x02, 0x61, 0x62, 0x63]), 4), LzfError)
    assert.throws(() => lzfDecompress(Buffer.from([0x02, 0x61, 0x62, 0x63]), 2), LzfError)
    assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61, 0x80, 0x05]), 7), LzfError)
  })
})

describe('compact encodings', () => {
  it('reads every listpack integer width and string length class', () => {
    const entries: Buffer[] = [
      Buffer.from([0x05, 1]), // 7-bit uint 5
      Buffer.from([0xdf, 0xff, 2]), // 13-bit: -1
      Buffer.from([0xf1, 0x18, 0xfc, 3]), // int16 -1000
      Buffer.from([0xf2, 0x40, 0x42, 0x0f, 4]), // int24 1000000
      Buffer.from([0xf3, 0x00, 0x94, 0x35, 0x77, 5]), // int32 2000000000
      Buffer.concat([Buffer.from([0xf4]), Buffer.from('0000000000000080', 'hex'), Buffer.from([9])]), // int64 min
      Buffer.concat([Buffer.from([0x82]), Buffer.from('hi'), Buffer.from([3])]),
      Buffer.concat([Buffer.from([0xe0, 100]), Buffer.alloc(100, 0x61), Buffer.from([102])]), // 12-bit length
    ]
    const body = Buffer.concat(entries)
    const blob = Buffer.concat([Buffer.alloc(6), body, Buffer.from([0xff])])
    blob.writeUInt32LE(blob.length, 0)
    blob.writeUInt16LE(entries.length, 4)
    assert.deepEqual(decodeListpack(blob), [5n, -1n, -1000n, 1000000n, 2000000000n, -(2n ** 63n), Buffer.from('hi'), Buffer.alloc(100, 0x61)])
    blob.writeUInt16LE(3, 4)
    assert.throws(() => decodeListpack(blob), EncodingError)
  })

  it('reads ziplist strings and every integer encoding', () => {
    const blob = ziplist([
      [0x02, 0x61, 0x62],
      [0xf6], // immediate 5
      [0xfe, 0x80], // int8 -128
      [0xc0, 0xe8, 0x03], // int16 1000
      [0xf0, 0x00, 0x00, 0x80], // int24 min
      [0xd0, 0xff, 0xff, 0xff, 0x7f], // int32 max
      [0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // int64 -1
    ])
    assert.deepEqual(decodeZiplist(blob), [Buffer.from('ab'), 5n, -128n, 1000n, -8388608n, 2147483647n, -1n])
  })

  it('reads intsets of every width and rejects a bad size', () => {
    const set = Buffer.alloc(8 + 16)
    set.writeUInt32LE(8, 0)
    set.writeUInt32LE(2, 4)
    set.writeBigInt64LE(-5n, 8)
    set.writeBigInt64LE(5000000000n, 16)
    assert.deepEqual(decodeIntset(set), [-5n, 5000000000n])
    assert.throws(() => decodeIntset(set.subarray(0, 20)), EncodingError)
  })
})

describe('RDB parser on a redis-server 7.0.15 file', () => {
  const records = parseAll(FIXTURE)
  const keys = keysOf(records)

  it('reads the header, the aux fields and the function library', () => {
    assert.deepEqual(records[0], { type: 'header', version: 10 })
    const aux = new Map(records.flatMap((r) => (r.type === 'aux' ? [[r.name.toString(), r.value.toString()]] : [])))
    assert.equal(aux.get('redis-ver'), '7.0.15')
    const functions = records.flatMap((r) => (r.type === 'function' ? [r.code.toString()] : []))
    assert.equal(functions.length, 1)
    assert.match(functions[0], /^#!lua name=fixlib/)
  })

  it('reads strings in every encoding: plain, int8, int16, int32, a long integer, LZF', () => {
    const strings = Object.fromEntries([...keys].filter(([, k]) => k.value.kind === 'string').map(([name, k]) => [name, (k.value as { value: Buffer }).value.toString()]))
    assert.equal(strings['str:plain'], 'hello')
    assert.equal(strings['str:int8'], '-12')
    assert.equal(strings['str:int16'], '30000')
    assert.equal(strings['str:int32'], '-2000000000')
    assert.equal(strings['str:int64'], '9007199254740993')
    assert.equal(strings['str:lzf'], 'a'.repeat(126) + 'b'.repeat(56))
    assert.equal(keys.get('str:ttl')!.expireAtMs, 4102444800000)
    assert.equal(keys.get('str:plain')!.expireAtMs, null)
  })

  it('reads a quicklist of listpacks with every integer width', () => {
    const list = keys.get('list')!.value
    assert.equal(list.kind, 'list')
    assert.deepEqual(text(list.kind === 'list' ? list.items : []), ['a', '1', '-1', '127', '128', '-4096', '4095', '-8388608', '70000', '2147483648', '-9223372036854775808', 'xyz'])
  })

  it('reads sets as intset, listpack-free hashtable', () => {
    const intset = keys.get('set:int')!.value
    const small = keys.get('set:str')!.value
    const big = keys.get('set:big')!.value
    assert.ok(intset.kind === 'set' && small.kind === 'set' && big.kind === 'set')
    assert.deepEqual(text(intset.members).sort(), ['-2', '1', '300', '5000000000', '70000'])
    assert.deepEqual(text(small.members).sort(), ['a', 'b', 'c'])
    assert.equal(new Set(text(big.members)).size, 300)
  })

  it('reads sorted sets as listpack (with inf and integer scores) and as skiplist (binary doubles)', () => {
    const small = keys.get('zset:small')!.value
    const big = keys.get('zset:big')!.value
    assert.ok(small.kind === 'zset' && big.kind === 'zset')
    assert.deepEqual(small.entries.map((e) => [e.member.toString(), e.score]), [['d', -Infinity], ['e', -0.125], ['a', 1], ['b', 2.5], ['c', Infinity]])
    assert.equal(big.entries.length, 300)
    const m7 = big.entries.find((e) => e.member.toString() === 'm7')!
    assert.equal(m7.score, 7 / 3)
  })

  it('reads hashes as listpack and as hashtable', () => {
    const small = keys.get('hash:small')!.value
    const big = keys.get('hash:big')!.value
    assert.ok(small.kind === 'hash' && big.kind === 'hash')
    assert.deepEqual(text(small.fields), ['f', 'v', 'n', '42'])
    assert.equal(big.fields.length, 600)
    const fields = new Map<string, string>()
    for (let i = 0; i < big.fields.length; i += 2) fields.set(big.fields[i].toString(), big.fields[i + 1].toString())
    assert.equal(fields.get('f123'), 'v123')
  })

  it('reads a stream: live entries only, metadata, a group with its pending entries and consumers', () => {
    const value = keys.get('stream')!.value
    assert.equal(value.kind, 'stream')
    if (value.kind !== 'stream') return
    const s = value.stream
    assert.deepEqual(s.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, ...text(e.fields)]), [['1-1', 'a', '1', 'b', '2'], ['2-0', 'c', '5'], ['3-0', 'a', '6', 'b', '7']])
    assert.equal(s.length, 3n)
    assert.deepEqual(s.lastId, { ms: 3n, seq: 0n })
    assert.deepEqual(s.maxDeletedId, { ms: 1n, seq: 2n })
    assert.equal(s.entriesAdded, 4n)
    assert.equal(s.groups.length, 1)
    const g = s.groups[0]
    assert.equal(g.name.toString(), 'g1')
    assert.deepEqual(g.lastId, { ms: 2n, seq: 0n })
    assert.equal(g.entriesRead, null) // unknown: a deleted entry lies in the range the group read
    assert.deepEqual(g.pending.map((p) => [`${p.id.ms}-${p.id.seq}`, p.consumer?.toString(), p.deliveryCount]), [['1-1', 'alice', 1n], ['2-0', 'alice', 1n]])
    assert.deepEqual(g.consumers.map((c) => c.name.toString()).sort(), ['alice', 'bob'])
    const empty = keys.get('stream:empty')!.value
    assert.ok(empty.kind === 'stream' && empty.stream.entries.length === 0)
    assert.deepEqual(empty.kind === 'stream' ? empty.stream.lastId : null, { ms: 5n, seq: 5n })
  })

  it('tags each key with its database', () => {
    assert.equal(keys.get('db1:key')!.db, 1)
    assert.equal(keys.get('list')!.db, 0)
  })

  it('gives the same records however the bytes are cut', () => {
    for (const chunkBytes of [1, 2, 7, 64, 1000]) assert.deepEqual(parseAll(FIXTURE, chunkBytes), records, `chunks of ${chunkBytes}`)
  })

  it('fails on a checksum mismatch', () => {
    const bad = Buffer.from(FIXTURE)
    const at = bad.indexOf('hello')
    bad[at] = 0x48 // 'Hello'
    assert.throws(() => parseAll(bad), /checksum mismatch/)
  })

  it('fails on a cut file and on bytes past EOF', () => {
    assert.throws(() => parseAll(FIXTURE.subarray(0, FIXTURE.length - 100)), RdbError)
    assert.throws(() => parseAll(Buffer.concat([FIXTURE, Buffer.from('x')])), /bytes follow/)
    assert.throws(() => parseAll(Buffer.from('NOTREDIS0010')), /not an RDB file/)
  })
})

describe('RDB parser on hand-built files', () => {
  it('accepts a zero checksum (rdbchecksum no)', () => {
    const records = parseAll(rdb([0x00, ...str('k'), ...str('v')], '0010', 0n))
    assert.equal(records.length, 2)
  })

  it('reads the older encodings: ziplist list, zipmap hash, string-scored zset, seconds expiry, LZF strings', () => {
    const zl = ziplist([[0x01, 0x78], [0xf2]])
    const zipmap = Buffer.from([2, 1, 0x66, 1, 0, 0x76, 0xff])
    const lzf = Buffer.from([0xc3, 6, 9, 0x02, 0x61, 0x62, 0x63, 0x80, 0x02])
    const body = Buffer.concat([
      Buffer.from([0xfd, 0x10, 0x27, 0x00, 0x00]), Buffer.from([10]), str('zl'), str(zl), // EXPIRETIME 10000 s
      Buffer.from([9]), str('zm'), str(zipmap),
      Buffer.from([3]), str('z3'), Buffer.from([1]), str('m'), Buffer.from([254]),
      Buffer.from([0xf8, 0x05, 0xf9, 0x03]), // IDLE, FREQ
      Buffer.from([0]), str('lz'), lzf,
      Buffer.from([0xfb, 0x01, 0x00]), // RESIZEDB
    ])
    const keys = keysOf(parseAll(rdb(body, '0009')))
    assert.equal(keys.get('zl')!.expireAtMs, 10_000_000)
    assert.deepEqual(keys.get('zl')!.value, { kind: 'list', items: [Buffer.from('x'), Buffer.from('1')] })
    assert.deepEqual(keys.get('zm')!.value, { kind: 'hash', fields: [Buffer.from('f'), Buffer.from('v')] })
    assert.deepEqual(keys.get('z3')!.value, { kind: 'zset', entries: [{ member: Buffer.from('m'), score: Infinity }] })
    assert.deepEqual(keys.get('lz')!.value, { kind: 'string', value: Buffer.from('abcabcabc') })
  })

  it('stops on a module value, naming the key and the type', () => {
    const bytes = rdb(Buffer.concat([Buffer.from([7]), str('mod:key'), Buffer.alloc(16)]))
    assert.throws(() => parseAll(bytes), (err: unknown) => err instanceof RdbUnsupportedError && /mod:key/.test(err.message) && /module-2 \(7\)/.test(err.message))
  })

  it('stops on module aux data and on a newer RDB version', () => {
    assert.throws(() => parseAll(rdb([0xf7, 0x00])), /MODULE_AUX/)
    assert.throws(() => parseAll(rdb([], '0013')), /version 13/)
  })
})
