// The HyperLogLog core (lib/types/hll.ts): the hash against a BigInt reference, Redis's exact
// bytes for known adds (captured from redis-server 7.0.15), encodings, the cache and the counts.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  HLL_DENSE_BYTES, HLL_REGISTERS, HLL_SPARSE_BYTES_MAX, countRegisters, hllAdd, hllCount, hllCountFresh, hllEmpty,
  hllFromRegisters, hllMerge, hllMergeInto, hllRegisters, hllStoreMax, isHll, murmurHash64A, patternOf,
} from '../../lib/types/hll'

const MASK64 = (1n << 64n) - 1n

/** MurmurHash64A straight from its definition, in BigInt. */
function murmurReference(data: Uint8Array, seed = 0xadc83b19n): bigint {
  const m = 0xc6a4a7935bd1e995n
  const r = 47n
  let h = (seed ^ (BigInt(data.length) * m)) & MASK64
  const blocks = data.length - (data.length & 7)
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(data[i + j])
    k = (k * m) & MASK64
    k ^= k >> r
    k = (k * m) & MASK64
    h ^= k
    h = (h * m) & MASK64
  }
  const tail = data.length & 7
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) h ^= BigInt(data[blocks + j]) << BigInt(8 * j)
    h = (h * m) & MASK64
  }
  h ^= h >> r
  h = (h * m) & MASK64
  h ^= h >> r
  return h
}

const hex = (s: string) => Buffer.from(s, 'hex')
const els = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`${prefix}${i}`))

/** A deterministic byte generator (no Math.random in tests that must replay). */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

describe('hll', () => {
  it('murmurHash64A on 32-bit halves equals the BigInt definition', () => {
    for (let length = 0; length <= 40; length++) {
      for (let seed = 1; seed <= 20; seed++) {
        const data = bytes(seed * 1000 + length, length)
        const [hi, lo] = murmurHash64A(data)
        assert.equal((BigInt(hi) << 32n) | BigInt(lo), murmurReference(data), `length ${length} seed ${seed}`)
      }
    }
    const ff = Buffer.alloc(23, 0xff)
    const [hi, lo] = murmurHash64A(ff)
    assert.equal((BigInt(hi) << 32n) | BigInt(lo), murmurReference(ff))
  })

  it('patternOf takes the low 14 bits as the register and counts the 0..01 run above them', () => {
    for (let seed = 1; seed < 2000; seed++) {
      const data = bytes(seed, seed % 30)
      const hash = murmurReference(data)
      let rest = (hash >> 14n) | (1n << 50n)
      let count = 1
      while ((rest & 1n) === 0n) {
        count++
        rest >>= 1n
      }
      assert.deepEqual(patternOf(data), { index: Number(hash & 16383n), count })
    }
  })

  it('makes the bytes redis-server 7.0 makes (sparse, stale cache, then cached count)', () => {
    const empty = hllEmpty()
    assert.deepEqual(empty, hex('48594c4c0100000000000000000000007fff'))
    const v = hllAdd(null, ['a', 'b', 'c'].map((e) => Buffer.from(e)))
    assert.equal(v.updated, true)
    assert.deepEqual(v.value, hex('48594c4c01000000000000000000008060f38050b1844bfb80425a'))
    const counted = hllCount(v.value)!
    assert.equal(counted.card, 3n)
    assert.deepEqual(counted.value, hex('48594c4c01000000030000000000000060f38050b1844bfb80425a'))
    // A valid cache is answered as is, and nothing is rewritten.
    assert.deepEqual(hllCount(counted.value!), { card: 3n, value: null })
    const w = hllAdd(null, ['hello', 'world', 'redis', 'hyperloglog'].map((e) => Buffer.from(e))).value
    assert.deepEqual(w, hex('48594c4c010000000000000000000080425688485d8859488040f9845b03'))
    assert.equal(hllCount(w)!.card, 4n)
  })

  it('PFADD of nothing: a new key is an update with a stale cache, an existing one is not', () => {
    const created = hllAdd(null, [])
    assert.equal(created.updated, true)
    assert.equal(created.value[15], 0x80)
    const again = hllAdd(created.value, [])
    assert.equal(again.updated, false)
    assert.equal(again.value, created.value)
    const dup = hllAdd(created.value, [Buffer.from('x')])
    assert.equal(hllAdd(dup.value, [Buffer.from('x')]).updated, false)
  })

  it('goes dense past 3000 bytes and keeps counting', () => {
    let value = hllAdd(null, []).value
    let wasSparse = true
    for (let i = 0; i < 4000; i += 100) {
      value = hllAdd(value, els(`e${i}-`, 100)).value
      if (value[4] === 1) assert.ok(value.length <= HLL_SPARSE_BYTES_MAX)
      else {
        wasSparse = false
        assert.equal(value.length, HLL_DENSE_BYTES)
      }
    }
    assert.equal(wasSparse, false)
    assert.ok(isHll(value))
    const card = Number(hllCount(value)!.card)
    assert.ok(Math.abs(card - 4000) < 4000 * 0.03, `estimate ${card}`)
  })

  it('isHll follows isHLLObjectOrReply', () => {
    assert.equal(isHll(hllEmpty()), true)
    assert.equal(isHll(Buffer.from('HYLL')), false)
    assert.equal(isHll(Buffer.concat([Buffer.from('HYLX'), hllEmpty().subarray(4)])), false)
    const enc2 = Buffer.from(hllEmpty())
    enc2[4] = 2
    assert.equal(isHll(enc2), false)
    const denseShort = Buffer.alloc(100)
    denseShort.write('HYLL')
    assert.equal(isHll(denseShort), false)
    const dense = Buffer.alloc(HLL_DENSE_BYTES)
    dense.write('HYLL')
    assert.equal(isHll(dense), true)
    // Sparse opcodes are only checked when read.
    const bare = hllEmpty().subarray(0, 16)
    assert.equal(isHll(bare), true)
    assert.equal(hllCountFresh(bare), null)
    assert.equal(hllAdd(bare, [Buffer.from('a')]).corrupt, true)
  })

  it('rejects sparse opcodes past the last register, and short ones', () => {
    const over = Buffer.concat([hllEmpty(), Buffer.from([0x83])])
    assert.equal(hllCountFresh(over), null)
    assert.equal(hllMergeInto(new Uint8Array(HLL_REGISTERS), over), false)
    const short = Buffer.concat([hllEmpty().subarray(0, 16), Buffer.from([0x40, 0x00])])
    assert.equal(hllRegisters(short), null)
  })

  it('merge registers: the max, dense when a source was dense, the stale cache bit set', () => {
    const a = hllAdd(null, els('a', 50)).value
    const b = hllAdd(null, els('b', 5000)).value
    assert.equal(b[4], 0)
    const max = new Uint8Array(HLL_REGISTERS)
    assert.ok(hllMergeInto(max, a) && hllMergeInto(max, b))
    const ra = hllRegisters(a)!
    const rb = hllRegisters(b)!
    for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(max[i], Math.max(ra[i], rb[i]))
    const stored = hllStoreMax(null, max, true)!
    assert.equal(stored[4], 0)
    assert.equal(stored[15] & 0x80, 0x80)
    assert.deepEqual(hllRegisters(stored), max)
    assert.equal(hllCountFresh(stored), countRegisters(max))
    const sparseOnly = hllStoreMax(null, hllRegisters(a)!, false)!
    assert.equal(sparseOnly[4], 1)
    assert.deepEqual(hllRegisters(sparseOnly), ra)
  })

  it('estimates: empty is 0, the union of two sets about its size, all 51 is LLONG_MIN', () => {
    assert.equal(countRegisters(new Uint8Array(HLL_REGISTERS)), 0n)
    const union = hllMerge(hllAdd(null, els('u', 20000)).value, hllAdd(null, els('u', 30000)).value)!
    const card = Number(hllCountFresh(union))
    assert.ok(Math.abs(card - 30000) < 30000 * 0.03, `estimate ${card}`)
    const all51 = hllFromRegisters(new Uint8Array(HLL_REGISTERS).fill(51))
    assert.equal(all51[4], 0)
    assert.equal(hllCount(Buffer.from(all51.fill(0x80, 15, 16)))!.card, -(2n ** 63n))
  })

  it('hllFromRegisters: sparse while small and <= 32, the registers come back', () => {
    const regs = new Uint8Array(HLL_REGISTERS)
    regs[0] = 3
    regs[1] = 3
    regs[100] = 32
    regs[16383] = 1
    const v = hllFromRegisters(regs)
    assert.equal(v[4], 1)
    assert.deepEqual(hllRegisters(v), regs)
    assert.equal(hllCount(v)!.value, null, 'the cache is valid')
    regs[5] = 33
    assert.equal(hllFromRegisters(regs)[4], 0)
    assert.deepEqual(hllRegisters(hllFromRegisters(regs)), regs)
  })

  it('the core imports no IO module', () => {
    const source = readFileSync(path.join(__dirname, '..', '..', '..', 'lib', 'types', 'hll.ts'), 'utf8')
    assert.doesNotMatch(source, /from '(node:)?(fs|net|worker_threads|child_process)'/)
    assert.doesNotMatch(source, /Date\.now|Math\.random/)
  })
})
