// HyperLogLog commands against redis-server 7.0 and marekvs: same script, same replies, and
// (through GET) the same bytes: marekvs keeps Redis's own HLL encoding. Then values carried
// from one server to the other with GET/SET, and COMMAND INFO/DOCS of the bitmap and HLL
// commands.
import assert from 'node:assert/strict'
import { diffSuite, Step } from '../support/diff'
import { Decoded, RawClient } from '../support/resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

const elements = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

/** PFADD steps adding n elements in chunks (argument count stays modest). */
function pfaddMany(key: string, prefix: string, n: number, chunk = 500): Step[] {
  const steps: Step[] = []
  for (let i = 0; i < n; i += chunk) steps.push(['PFADD', key, ...elements(prefix, n).slice(i, i + chunk)])
  return steps
}

/** An HLL header: "HYLL", encoding, 3 unused bytes, 8 bytes of cached cardinality (LE). */
function header(encoding: number, card: bigint | 'stale'): Buffer {
  const out = Buffer.alloc(16)
  out.write('HYLL', 0, 'latin1')
  out[4] = encoding
  if (card === 'stale') out[15] = 0x80
  else out.writeBigUInt64LE(card, 8)
  return out
}

const sparse = (card: bigint | 'stale', ...ops: number[]) => Buffer.concat([header(1, card), Buffer.from(ops)])

function dense(card: bigint | 'stale', registers: Record<number, number>): Buffer {
  const out = Buffer.concat([header(0, card), Buffer.alloc(12288)])
  for (const [index, value] of Object.entries(registers)) {
    // 6-bit registers packed from each byte's LSB up.
    const bit = Number(index) * 6
    const byte = 16 + (bit >> 3)
    const shifted = value << (bit & 7)
    out[byte] |= shifted & 0xff
    if (byte + 1 < out.length) out[byte + 1] |= shifted >> 8
  }
  return out
}

const XZERO_ALL = [0x7f, 0xff]

diffSuite('hyperloglog', (diff) => {
  diff('PFADD PFCOUNT basics, same bytes', [
    ['PFADD', 'h', 'a', 'b', 'c'], ['PFADD', 'h', 'a'], ['PFADD', 'h', 'a', 'd'], ['PFCOUNT', 'h'], ['GET', 'h'], ['PFCOUNT', 'h'], ['GET', 'h'],
    ['PFADD', 'h'], ['PFADD', 'new'], ['GET', 'new'], ['PFCOUNT', 'new'], ['GET', 'new'], ['PFADD', 'new'], ['PFCOUNT', 'nope'], ['EXISTS', 'nope'],
    ['pfadd', 'h', 'e'], ['GET', 'h'], ['PFADD', 'h', '', Buffer.from([0, 0xff, 0x0d, 0x0a])], ['GET', 'h'], ['TYPE', 'h'], ['STRLEN', 'h'],
  ])

  diff('many elements: sparse, then dense past 3000 bytes', [
    ...pfaddMany('h', 'x', 300), ['GET', 'h'], ['PFCOUNT', 'h'], ['STRLEN', 'h'],
    ...pfaddMany('h', 'y', 1500), ['STRLEN', 'h'], ['GET', 'h'], ['PFCOUNT', 'h'],
    ...pfaddMany('h', 'z', 20000), ['GET', 'h'], ['PFCOUNT', 'h'], ['PFADD', 'h', 'z1'], ['PFCOUNT', 'h'], ['GET', 'h'],
    ...pfaddMany('one', 'w', 2000, 1), ['GET', 'one'], ['PFCOUNT', 'one'],
  ])

  diff('PFCOUNT of several keys', [
    ...pfaddMany('a', 'p', 1000), ...pfaddMany('b', 'q', 5000), ['PFADD', 'c', 'p1', 'q1', 'r1'],
    ['PFCOUNT', 'a', 'b'], ['PFCOUNT', 'a', 'c'], ['PFCOUNT', 'a', 'b', 'c', 'nope'], ['PFCOUNT', 'nope', 'nope2'], ['PFCOUNT', 'a', 'a'],
    ['GET', 'a'], ['GET', 'b'],
  ])

  diff('PFMERGE', [
    ...pfaddMany('a', 'p', 100), ...pfaddMany('b', 'q', 200), ...pfaddMany('big', 'r', 5000),
    ['PFMERGE', 'd', 'a', 'b'], ['GET', 'd'], ['PFCOUNT', 'd'], ['GET', 'd'], ['PFMERGE', 'd', 'd'], ['GET', 'd'],
    ['PFMERGE', 'a', 'b'], ['GET', 'a'], ['PFMERGE', 'e', 'nope'], ['GET', 'e'], ['PFMERGE', 'f'], ['GET', 'f'], ['EXISTS', 'f'],
    ['PFMERGE', 'g', 'a', 'big'], ['GET', 'g'], ['PFCOUNT', 'g'], ['PFMERGE', 'b', 'big'], ['GET', 'b'], ['PFCOUNT', 'b'],
    ['PFMERGE', 'big', 'a'], ['GET', 'big'], ['PFCOUNT', 'a', 'b', 'big'],
    ...pfaddMany('s1', 's', 1200), ...pfaddMany('s2', 't', 1200), ['PFMERGE', 's3', 's1', 's2'], ['STRLEN', 's3'], ['GET', 's3'],
  ])

  diff('PFMERGE keeps the stale cache bytes of the destination', [
    ['PFADD', 'd', 'a', 'b'], ['PFCOUNT', 'd'], ['PFADD', 'x', 'c'], ['PFMERGE', 'd', 'x'], ['GET', 'd'], ['PFCOUNT', 'd'], ['GET', 'd'],
  ])

  diff('TTL is kept by PFADD, PFCOUNT and PFMERGE', [
    ['PFADD', 'h', 'a'], ['EXPIRE', 'h', '100'], ['PFADD', 'h', 'b'], ['TTL', 'h'], ['PFCOUNT', 'h'], ['TTL', 'h'],
    ['PFMERGE', 'h', 'nope'], ['TTL', 'h'], ['PFADD', 'x', 'y'], ['PFMERGE', 'x', 'h'], ['TTL', 'x'],
  ], { approx: [3, 5, 7] })

  diff('not a HyperLogLog', [
    ['SET', 's', 'foo'], ['PFADD', 's', 'a'], ['PFCOUNT', 's'], ['PFCOUNT', 's', 'nope'], ['PFMERGE', 'd', 's'], ['PFMERGE', 's', 'nope'],
    ['EXISTS', 'd'], ['INCR', 'c'], ['PFADD', 'c', 'a'], ['PFCOUNT', 'c'], ['PFMERGE', 'd', 'c'],
    ['SET', 'short', 'HYLL'], ['PFCOUNT', 'short'], ['SET', 'magic', Buffer.concat([Buffer.from('HYLX'), header(1, 0n).subarray(4), Buffer.from(XZERO_ALL)])],
    ['PFCOUNT', 'magic'], ['SET', 'enc', Buffer.concat([header(2, 0n), Buffer.from(XZERO_ALL)])], ['PFCOUNT', 'enc'], ['PFADD', 'enc', 'x'],
    ['SET', 'dshort', Buffer.concat([header(0, 'stale'), Buffer.alloc(100)])], ['PFCOUNT', 'dshort'], ['PFADD', 'dshort', 'x'],
    ['SET', 'dlong', Buffer.concat([dense('stale', {}), Buffer.from([0])])], ['PFCOUNT', 'dlong'],
    ['PFADD', 'h', 'a'], ['PFCOUNT', 'h', 's'], ['PFMERGE', 'h', 'h', 's'], ['GET', 'h'], ['APPEND', 'h', 'x'], ['PFADD', 'h', 'b'], ['PFCOUNT', 'h'],
  ])

  diff('corrupt sparse values', [
    ['SET', 'few', sparse('stale', 0x40 | 0x00, 99)], ['PFCOUNT', 'few'], ['PFADD', 'few', 'a', 'b', 'c'], ['PFCOUNT', 'few', 'nope'],
    ['PFMERGE', 'd', 'few'], ['EXISTS', 'd'],
    ['SET', 'many', sparse('stale', ...XZERO_ALL, 0x00)], ['PFCOUNT', 'many'], ['PFADD', 'many', 'a', 'b'], ['GET', 'many'], ['PFCOUNT', 'many', 'nope'],
    // Only registers 0..8191 covered: adds below succeed and stay, the first above fails.
    ['SET', 'half', sparse(5n, 0x40 | 0x1f, 0xff)], ['PFADD', 'half', ...elements('h', 20)], ['GET', 'half'], ['PFADD', 'half', 'h0'], ['GET', 'half'],
    ['SET', 'empty', header(1, 'stale')], ['PFCOUNT', 'empty'], ['PFADD', 'empty', 'a'], ['PFADD', 'empty'], ['PFMERGE', 'empty', 'nope'],
    ['SET', 'vals', sparse('stale', ...XZERO_ALL, 0x83)], ['PFCOUNT', 'vals'], ['PFCOUNT', 'vals', 'vals'],
    // 255 zero registers, then an XZERO cut short: Redis reads the string's zero terminator as its second byte.
    ['SET', 'cut', sparse('stale', 0x3f, 0x3f, 0x3f, 0x3e, 0x7f)], ['PFCOUNT', 'cut'], ['PFCOUNT', 'cut', 'nope'], ['PFADD', 'cut', 'a', 'b', 'c'],
    ['GET', 'cut'], ['PFCOUNT', 'cut'],
    // The cache is trusted when valid, whatever the registers say.
    ['SET', 'cached', sparse(12345n, ...XZERO_ALL)], ['PFCOUNT', 'cached'], ['PFCOUNT', 'cached', 'nope'], ['PFADD', 'cached', 'a'], ['PFCOUNT', 'cached'],
    ['SET', 'cached2', sparse(12345n, 0x40)], ['PFCOUNT', 'cached2'], ['SET', 'huge', sparse(0x7fffffffffffffffn, ...XZERO_ALL)], ['PFCOUNT', 'huge'],
  ])

  diff('hand-made values: VAL runs, registers past 32, dense', [
    // Registers 0..3 = 5, then 16380 zeros; PFADD splits and merges VAL runs.
    ['SET', 'v', sparse('stale', 0x80 | (4 << 2) | 3, 0x7f, 0xfb)], ['PFCOUNT', 'v'], ['PFADD', 'v', ...elements('v', 40)], ['GET', 'v'], ['PFCOUNT', 'v'],
    ['SET', 'd', dense('stale', { 0: 40, 1: 63, 100: 7, 16383: 51 })], ['PFCOUNT', 'd'], ['GET', 'd'], ['PFADD', 'd', ...elements('d', 50)], ['GET', 'd'],
    ['PFADD', 's', 'a'], ['PFMERGE', 's', 'd'], ['STRLEN', 's'], ['GET', 's'], ['PFCOUNT', 's'], ['PFMERGE', 'n', 'd'], ['GET', 'n'],
    ['SET', 'all51', dense('stale', Object.fromEntries(Array.from({ length: 16384 }, (_, i) => [i, 51])))], ['PFCOUNT', 'all51'],
    ['SET', 'z', dense(7n, {})], ['PFCOUNT', 'z'], ['PFADD', 'z', 'a'], ['PFCOUNT', 'z'], ['GET', 'z'],
  ])

  const wrongArity: Step[] = [['PFADD'], ['PFCOUNT'], ['PFMERGE']]
  diff('wrong arity', wrongArity)
})

describe('HyperLogLog values move between redis-server and marekvs', function () {
  this.timeout(120000)
  let redis: ServerProcess
  let marekvs: Marekvs
  let r: RawClient
  let m: RawClient

  before(async () => {
    ;[redis, marekvs] = await Promise.all([startRedis(), startMarekvs()])
    ;[r, m] = await Promise.all([RawClient.connect(redis.port), RawClient.connect(marekvs.port)])
  })
  after(async () => {
    r?.close()
    m?.close()
    await Promise.all([redis?.stop(), marekvs?.stop()])
  })

  const bulk = (reply: Decoded): Buffer => {
    assert.equal(reply.type, 'bulk')
    return Buffer.from((reply as { value: string }).value, 'latin1')
  }
  const both = async (...argv: Array<string | Buffer>) => Promise.all([r.call(...argv), m.call(...argv)])

  for (const n of [0, 10, 500, 2000, 50000]) {
    it(`${n} elements: GET from one, SET into the other, same counts and bytes after more adds`, async () => {
      await both('FLUSHALL')
      const all = elements('rt', n)
      for (let i = 0; i < n; i += 1000) await r.call('PFADD', 'from-redis', ...all.slice(i, i + 1000))
      for (let i = 0; i < n; i += 1000) await m.call('PFADD', 'from-marekvs', ...all.slice(i, i + 1000))
      if (n === 0) await Promise.all([r.call('PFADD', 'from-redis'), m.call('PFADD', 'from-marekvs')])
      const fromRedis = bulk(await r.call('GET', 'from-redis'))
      const fromMarekvs = bulk(await m.call('GET', 'from-marekvs'))
      assert.deepEqual(fromMarekvs, fromRedis, 'the same adds make the same bytes')
      // Carry each value across, then keep using it on both sides.
      await m.call('SET', 'carried', fromRedis)
      await r.call('SET', 'carried', fromMarekvs)
      const [countR, countM] = await both('PFCOUNT', 'carried')
      assert.deepEqual(countM, countR)
      for (const extra of [elements('more', 100), elements('evenmore', 3000)]) {
        const [addR, addM] = await both('PFADD', 'carried', ...extra)
        assert.deepEqual(addM, addR)
        const [getR, getM] = await both('GET', 'carried')
        assert.deepEqual(getM, getR)
        const [cR, cM] = await both('PFCOUNT', 'carried')
        assert.deepEqual(cM, cR)
      }
      // A value marekvs computed (cache filled in) reads the same on redis-server.
      const refreshed = bulk(await m.call('GET', 'carried'))
      await r.call('SET', 'back', refreshed)
      assert.deepEqual(await r.call('PFCOUNT', 'back'), await m.call('PFCOUNT', 'carried'))
      assert.deepEqual(await r.call('PFCOUNT', 'back', 'from-redis'), await m.call('PFCOUNT', 'carried', 'from-marekvs'))
    })
  }

  it('COMMAND INFO and COMMAND DOCS describe the commands as Redis 7.0 does', async () => {
    const names = ['setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro', 'pfadd', 'pfcount', 'pfmerge']
    for (const name of names) {
      const [infoR, infoM] = await both('COMMAND', 'INFO', name)
      // Name, arity, flags, first/last key, step, ACL categories (key specs are simplified in marekvs).
      const head = (reply: Decoded) => (reply as { value: Array<{ value: Decoded[] }> }).value[0].value.slice(0, 7)
      assert.deepEqual(head(infoM), head(infoR), name)
      const [docsR, docsM] = await both('COMMAND', 'DOCS', name)
      const fields = (reply: Decoded) => {
        const flat = ((reply as { value: Decoded[] }).value[1] as { value: Decoded[] }).value
        const out: Record<string, unknown> = {}
        for (let i = 0; i < flat.length; i += 2) out[(flat[i] as { value: string }).value] = flat[i + 1]
        return { summary: out.summary, since: out.since, group: out.group }
      }
      assert.deepEqual(fields(docsM), fields(docsR), name)
    }
  })
})
