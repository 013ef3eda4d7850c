// HyperLogLog over Redis's own string encoding (hyperloglog.c, Redis 7.0), so a value moves
// between redis-server and marekvs with GET/SET and keeps working, byte for byte.
//
// A value is a 16-byte header, then registers:
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (u64 LE; its
//   top bit set = stale)
//   dense:  16384 registers of 6 bits, packed from each byte's LSB up (12288 bytes)
//   sparse: run-length opcodes, ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy
//           (1..16384 zero registers), VAL 1vvvvvxx (1..4 registers of value 1..32)
// A sparse value becomes dense when a register needs more than 32 or it would outgrow
// HLL_SPARSE_BYTES_MAX; a dense one never goes back. Sparse values that do not cover exactly
// 16384 registers are corrupt; every reader rejects an opcode that runs past the last register
// (Redis's fix for CVE-2025-32023, which the reference redis-server 7.0.15 build carries).
//
// Pure functions over Buffers. A function that changes a value works on its own copy.

export const HLL_P = 14
/** Hash bits left once the register index is taken: a register holds at most Q + 1 = 51. */
export const HLL_Q = 64 - HLL_P
export const HLL_REGISTERS = 1 << HLL_P
const HLL_BITS = 6
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1
export const HLL_HDR_BYTES = 16
export const HLL_DENSE_BYTES = HLL_HDR_BYTES + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8)
export const HLL_DENSE = 0
export const HLL_SPARSE = 1
/** Redis's hll-sparse-max-bytes default: past it a sparse value (header included) is made dense. */
export const HLL_SPARSE_BYTES_MAX = 3000

const SPARSE_VAL_MAX_VALUE = 32
const SPARSE_VAL_MAX_LEN = 4
const SPARSE_ZERO_MAX_LEN = 64
const SPARSE_XZERO_MAX_LEN = 16384
const ALPHA_INF = 0.721347520444481703680 // 0.5 / ln(2)

/** Redis's own error when a sparse value's opcodes do not cover exactly 16384 registers. */
export const HLL_CORRUPT = 'INVALIDOBJ Corrupted HLL object detected'

// ---------------------------------------------------------------------------------------------
// MurmurHash64A (seed 0xadc83b19, little-endian blocks), on 32-bit halves: no BigInt per element.

const M_HI = 0xc6a4a793
const M_LO = 0x5bd1e995
const SEED = 0xadc83b19

/** The low 64 bits of (ah:al) * (bh:bl), written to out[0] (high) and out[1] (low). */
function mul64(ah: number, al: number, bh: number, bl: number, out: Uint32Array): void {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const mid = a0 * b1 + a1 * b0 // < 2^33: exact in a double
  const lowFull = a0 * b0 + (mid % 0x10000) * 0x10000
  const carry = Math.floor(lowFull / 0x100000000)
  const high = a1 * b1 + Math.floor(mid / 0x10000) + carry
  out[0] = high + Math.imul(ah, bl) + Math.imul(al, bh)
  out[1] = lowFull
}

const scratch = new Uint32Array(2)

/** MurmurHash64A of `data` as Redis computes it: [high 32 bits, low 32 bits]. */
export function murmurHash64A(data: Uint8Array, seed = SEED): [number, number] {
  const len = data.length
  mul64(0, len, M_HI, M_LO, scratch)
  let hh = scratch[0]
  let hl = (scratch[1] ^ seed) >>> 0
  const blocks = len - (len & 7)
  for (let i = 0; i < blocks; i += 8) {
    const kl = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0
    const kh = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0
    mul64(kh, kl, M_HI, M_LO, scratch) // k *= m
    let xh = scratch[0]
    let xl = (scratch[1] ^ (xh >>> 15)) >>> 0 // k ^= k >> 47
    mul64(xh, xl, M_HI, M_LO, scratch) // k *= m
    xh = scratch[0]
    xl = scratch[1]
    mul64((hh ^ xh) >>> 0, (hl ^ xl) >>> 0, M_HI, M_LO, scratch) // h ^= k; h *= m
    hh = scratch[0]
    hl = scratch[1]
  }
  const tail = len & 7
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) {
      const byte = data[blocks + j]
      if (j >= 4) hh = (hh ^ (byte << ((j - 4) * 8))) >>> 0
      else hl = (hl ^ (byte << (j * 8))) >>> 0
    }
    mul64(hh, hl, M_HI, M_LO, scratch)
    hh = scratch[0]
    hl = scratch[1]
  }
  hl = (hl ^ (hh >>> 15)) >>> 0 // h ^= h >> 47
  mul64(hh, hl, M_HI, M_LO, scratch) // h *= m
  hh = scratch[0]
  hl = (scratch[1] ^ (hh >>> 15)) >>> 0 // h ^= h >> 47
  return [hh, hl]
}

function trailingZeros(x: number): number {
  return 31 - Math.clz32(x & -x)
}

/**
 * The register an element lands in and the length of its hash's 000..1 pattern (1..51), as
 * Redis's hllPatLen: the low 14 hash bits pick the register, the run is counted above them.
 */
export function patternOf(element: Uint8Array): { index: number; count: number } {
  const [hh, hl] = murmurHash64A(element)
  const index = hl & (HLL_REGISTERS - 1)
  const above = hl >>> HLL_P // hash bits 14..31
  let count: number
  if (above !== 0) count = trailingZeros(above) + 1
  else if (hh !== 0) count = 32 - HLL_P + trailingZeros(hh) + 1
  else count = HLL_Q + 1
  return { index, count }
}

// ---------------------------------------------------------------------------------------------
// Registers

function denseGet(value: Uint8Array, regnum: number): number {
  const bit = regnum * HLL_BITS
  const byte = HLL_HDR_BYTES + (bit >>> 3)
  const fb = bit & 7
  // Redis reads one byte past the last register (the sds terminator); it only ever adds zero bits.
  const next = byte + 1 < value.length ? value[byte + 1] : 0
  return ((value[byte] >> fb) | (next << (8 - fb))) & HLL_REGISTER_MAX
}

function denseSet(value: Uint8Array, regnum: number, v: number): void {
  const bit = regnum * HLL_BITS
  const byte = HLL_HDR_BYTES + (bit >>> 3)
  const fb = bit & 7
  value[byte] = (value[byte] & ~(HLL_REGISTER_MAX << fb)) | (v << fb)
  if (byte + 1 < value.length) value[byte + 1] = (value[byte + 1] & ~(HLL_REGISTER_MAX >> (8 - fb))) | (v >> (8 - fb))
}

const isZero = (op: number) => (op & 0xc0) === 0
const isXZero = (op: number) => (op & 0xc0) === 0x40
const isVal = (op: number) => (op & 0x80) !== 0
const zeroLen = (op: number) => (op & 0x3f) + 1
const xzeroLen = (op: number, next: number) => (((op & 0x3f) << 8) | next) + 1
const valValue = (op: number) => ((op >> 2) & 0x1f) + 1
const valLen = (op: number) => (op & 0x3) + 1
const valOp = (value: number, len: number) => 0x80 | ((value - 1) << 2) | (len - 1)

/**
 * Registers covered by the opcode at `at`. A trailing XZERO cut short reads a zero second
 * byte, as Redis reads the string's terminator.
 */
function runOf(p: Uint8Array, at: number): number {
  const op = p[at]
  if (isZero(op)) return zeroLen(op)
  if (isXZero(op)) return xzeroLen(op, at + 1 < p.length ? p[at + 1] : 0)
  return valLen(op)
}

/** A value being changed: its bytes and how many of them are in use (sparse values grow). */
interface Work {
  buf: Buffer
  len: number
}

/**
 * Is this a value Redis takes as a HyperLogLog (isHLLObjectOrReply): the magic, a known
 * encoding, and a dense value of the exact size. Sparse opcodes are checked when read.
 */
export function isHll(value: Buffer): boolean {
  if (value.length < HLL_HDR_BYTES) return false
  if (value[0] !== 0x48 || value[1] !== 0x59 || value[2] !== 0x4c || value[3] !== 0x4c) return false
  if (value[4] > HLL_SPARSE) return false
  return value[4] !== HLL_DENSE || value.length === HLL_DENSE_BYTES
}

/** A new, empty HLL: sparse, one XZERO of 16384 registers, cached cardinality 0. */
export function hllEmpty(): Buffer {
  const value = Buffer.alloc(HLL_HDR_BYTES + 2)
  value.write('HYLL', 0, 'latin1')
  value[4] = HLL_SPARSE
  value[HLL_HDR_BYTES] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8)
  value[HLL_HDR_BYTES + 1] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff
  return value
}

function invalidateCache(value: Uint8Array): void {
  value[15] |= 0x80
}

/** The sparse value in `work` as dense (in place); false when its opcodes are corrupt. */
function sparseToDense(work: Work): boolean {
  if (work.buf[4] === HLL_DENSE) return true
  const dense = Buffer.alloc(HLL_DENSE_BYTES)
  work.buf.copy(dense, 0, 0, HLL_HDR_BYTES) // magic and cached cardinality (stale bit included)
  dense[4] = HLL_DENSE
  const p = work.buf
  let idx = 0
  for (let at = HLL_HDR_BYTES; at < work.len;) {
    const op = p[at]
    const run = runOf(p, at)
    if (run + idx > HLL_REGISTERS) return false
    if (isVal(op)) for (let i = 0; i < run; i++) denseSet(dense, idx + i, valValue(op))
    idx += run
    at += isXZero(op) ? 2 : 1
  }
  if (idx !== HLL_REGISTERS) return false
  work.buf = dense
  work.len = HLL_DENSE_BYTES
  return true
}

function denseRaise(value: Uint8Array, index: number, count: number): 0 | 1 {
  if (count <= denseGet(value, index)) return 0
  denseSet(value, index, count)
  return 1
}

/** Room for 3 more bytes: the worst split (XZERO -> XZERO VAL XZERO). */
function makeRoom(work: Work): void {
  if (work.buf.length >= work.len + 3) return
  const grown = Buffer.alloc(Math.max(work.len + 3, Math.min(work.len * 2, HLL_SPARSE_BYTES_MAX + 3)))
  work.buf.copy(grown, 0, 0, work.len)
  work.buf = grown
}

/**
 * Raise register `index` to `count` in a sparse value, as Redis's hllSparseSet, opcode for
 * opcode (so values stay byte-identical): 1 changed, 0 already as high, -1 corrupt. May make
 * the value dense.
 */
function sparseRaise(work: Work, index: number, count: number): -1 | 0 | 1 {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(work, index, count)
  makeRoom(work)
  const p = work.buf
  let end = work.len
  // Step 1: find the opcode covering `index`.
  let at = HLL_HDR_BYTES
  let first = 0
  let prev = -1
  let span = 0
  while (at < end) {
    const op = p[at]
    let oplen = 1
    if (isZero(op)) span = zeroLen(op)
    else if (isVal(op)) span = valLen(op)
    else {
      span = xzeroLen(op, p[at + 1])
      oplen = 2
    }
    if (index <= first + span - 1) break
    prev = at
    at += oplen
    first += span
  }
  if (span === 0 || at >= end) return -1
  const op = p[at]
  let next = isXZero(op) ? at + 2 : at + 1
  if (next >= end) next = -1
  const zero = isZero(op)
  const xzero = isXZero(op)
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, p[at + 1]) : valLen(op)

  // Step 2: the trivial cases, then the general split.
  let updated = false
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0
    if (runlen === 1) {
      p[at] = valOp(count, 1)
      updated = true
    }
  }
  if (!updated && zero && runlen === 1) {
    p[at] = valOp(count, 1)
    updated = true
  }
  if (!updated) {
    const seq: number[] = []
    const last = first + span - 1
    const pushZeros = (n: number) => {
      if (n > SPARSE_ZERO_MAX_LEN) seq.push(0x40 | ((n - 1) >> 8), (n - 1) & 0xff)
      else seq.push(n - 1)
    }
    if (zero || xzero) {
      if (index !== first) pushZeros(index - first)
      seq.push(valOp(count, 1))
      if (index !== last) pushZeros(last - index)
    } else {
      const current = valValue(op)
      if (index !== first) seq.push(valOp(current, index - first))
      seq.push(valOp(count, 1))
      if (index !== last) seq.push(valOp(current, last - index))
    }
    // Step 3: put the new sequence in place of the old opcode.
    const delta = seq.length - (xzero ? 2 : 1)
    if (delta > 0 && work.len + delta > HLL_SPARSE_BYTES_MAX) return promote(work, index, count)
    if (delta !== 0 && next >= 0) p.copy(p, next + delta, next, end)
    for (let i = 0; i < seq.length; i++) p[at + i] = seq[i]
    work.len += delta
    end += delta
    p[end] = 0 // as sds: a zero byte after the value (read by a truncated trailing XZERO)
  }

  // Step 4: merge adjacent VAL opcodes of the same value, scanning 5 opcodes from `prev`.
  let scan = prev >= 0 ? prev : HLL_HDR_BYTES
  let left = 5
  while (scan < end && left-- > 0) {
    const o = p[scan]
    if (isXZero(o)) {
      scan += 2
      continue
    }
    if (isZero(o)) {
      scan++
      continue
    }
    if (scan + 1 < end && isVal(p[scan + 1])) {
      const v1 = valValue(o)
      if (v1 === valValue(p[scan + 1])) {
        const len = valLen(o) + valLen(p[scan + 1])
        if (len <= SPARSE_VAL_MAX_LEN) {
          p[scan + 1] = valOp(v1, len)
          p.copy(p, scan, scan + 1, end)
          work.len--
          end--
          p[end] = 0
          continue
        }
      }
    }
    scan++
  }
  invalidateCache(p)
  return 1
}

function promote(work: Work, index: number, count: number): -1 | 1 {
  if (!sparseToDense(work)) return -1
  // A register a sparse value could not hold is always an increase.
  denseRaise(work.buf, index, count)
  return 1
}

function workOf(value: Buffer): Work {
  const buf = Buffer.alloc(value[4] === HLL_DENSE ? value.length : value.length + 3)
  value.copy(buf)
  return { buf, len: value.length }
}

function finish(work: Work): Buffer {
  return work.len === work.buf.length ? work.buf : Buffer.from(work.buf.subarray(0, work.len))
}

export interface AddResult {
  /** The value after the adds (a copy); the input when nothing changed. */
  value: Buffer
  /** Some register grew. */
  updated: boolean
  /** The sparse opcodes were found corrupt part way; registers raised before stay raised, as in Redis. */
  corrupt: boolean
}

/**
 * PFADD's core: raise the registers of `elements` in a valid HLL (isHll), or in a new one
 * (null), which counts as an update even with no elements, as Redis creates the key.
 */
export function hllAdd(value: Buffer | null, elements: readonly Uint8Array[]): AddResult {
  const created = value === null
  const work = workOf(value ?? hllEmpty())
  let updated = created
  for (const element of elements) {
    const { index, count } = patternOf(element)
    const result = work.buf[4] === HLL_DENSE ? denseRaise(work.buf, index, count) : sparseRaise(work, index, count)
    if (result === -1) return { value: updated ? finish(work) : value!, updated, corrupt: true }
    if (result === 1) updated = true
  }
  if (!updated) return { value: value!, updated, corrupt: false }
  invalidateCache(work.buf)
  return { value: finish(work), updated, corrupt: false }
}

/**
 * Raise `max` (one byte per register) to the registers of a valid HLL, as Redis's hllMerge.
 * False when its sparse opcodes do not cover exactly 16384 registers.
 */
export function hllMergeInto(max: Uint8Array, value: Buffer): boolean {
  if (value[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(value, i)
      if (v > max[i]) max[i] = v
    }
    return true
  }
  let i = 0
  for (let at = HLL_HDR_BYTES; at < value.length;) {
    const op = value[at]
    const run = runOf(value, at)
    if (run + i > HLL_REGISTERS) return false
    if (isVal(op)) {
      const v = valValue(op)
      for (let j = i; j < i + run; j++) if (v > max[j]) max[j] = v
    }
    i += run
    at += isXZero(op) ? 2 : 1
  }
  return i === HLL_REGISTERS
}

/** The registers of a valid HLL, one byte each; null when corrupt. */
export function hllRegisters(value: Buffer): Uint8Array | null {
  const max = new Uint8Array(HLL_REGISTERS)
  return hllMergeInto(max, value) ? max : null
}

// ---------------------------------------------------------------------------------------------
// Cardinality: Otmar Ertl's improved estimator (arXiv:1702.01284), as Redis 7's hllCount.

function sigma(x: number): number {
  if (x === 1) return Infinity
  let zPrime: number
  let y = 1
  let z = x
  do {
    x *= x
    zPrime = z
    z += x * y
    y += y
  } while (zPrime !== z)
  return z
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0
  let zPrime: number
  let y = 1.0
  let z = 1 - x
  do {
    x = Math.sqrt(x)
    zPrime = z
    y *= 0.5
    const d = 1 - x
    z -= d * d * y
  } while (zPrime !== z)
  return z / 3
}

/** The estimate from a register histogram (histogram[v] = registers holding v), as a u64. */
function estimate(histogram: Float64Array | number[]): bigint {
  const m = HLL_REGISTERS
  let z = m * tau((m - histogram[HLL_Q + 1]) / m)
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j]
    z *= 0.5
  }
  z += m * sigma(histogram[0] / m)
  const e = Math.round((ALPHA_INF * m * m) / z) // llroundl: the estimate is never negative
  // llroundl out of the long long range (z = 0 when every register is 51) gives LLONG_MIN on x86.
  if (!Number.isFinite(e) || e >= 2 ** 63) return 1n << 63n
  return BigInt(e)
}

/** The estimate for one byte per register (PFCOUNT over several keys). */
export function countRegisters(registers: Uint8Array): bigint {
  const histogram = new Float64Array(64)
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++
  return estimate(histogram)
}

/** The estimate of a valid HLL, recomputed from its registers; null when its sparse opcodes are corrupt. */
export function hllCountFresh(value: Buffer): bigint | null {
  const histogram = new Float64Array(64)
  if (value[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) histogram[denseGet(value, i)]++
    return estimate(histogram)
  }
  let idx = 0
  for (let at = HLL_HDR_BYTES; at < value.length;) {
    const op = value[at]
    const run = runOf(value, at)
    if (run + idx > HLL_REGISTERS) return null
    histogram[isVal(op) ? valValue(op) : 0] += run
    idx += run
    at += isXZero(op) ? 2 : 1
  }
  return idx === HLL_REGISTERS ? estimate(histogram) : null
}

export interface CountResult {
  /** The cardinality as PFCOUNT replies it (a signed 64-bit integer). */
  card: bigint
  /** The value with its cache refreshed, or null when the cache was already valid. */
  value: Buffer | null
}

/** PFCOUNT of one key: the cached cardinality if valid, else a fresh estimate written back to the cache. */
export function hllCount(value: Buffer): CountResult | null {
  if ((value[15] & 0x80) === 0) return { card: value.readBigUInt64LE(8), value: null }
  const card = hllCountFresh(value)
  if (card === null) return null
  const out = Buffer.from(value)
  out.writeBigUInt64LE(card, 8)
  return { card: BigInt.asIntN(64, card), value: out }
}

/**
 * PFMERGE's core, as Redis: raise `dest` (a valid HLL, or null for a new one) to `max`, made
 * dense first when `dense` (some source was dense). The cache is marked stale, its other
 * bytes left as they were. Null when dest's opcodes are corrupt.
 */
export function hllStoreMax(dest: Buffer | null, max: Uint8Array, dense: boolean): Buffer | null {
  const work = workOf(dest ?? hllEmpty())
  if (dense && !sparseToDense(work)) return null
  for (let i = 0; i < HLL_REGISTERS; i++) {
    if (max[i] === 0) continue
    if (work.buf[4] === HLL_DENSE) denseRaise(work.buf, i, max[i])
    else sparseRaise(work, i, max[i]) // Redis ignores a corrupt dest here too
  }
  invalidateCache(work.buf)
  return finish(work)
}

// ---------------------------------------------------------------------------------------------
// The replication merge: a pure function of the register-wise max, so it is commutative,
// associative and idempotent byte for byte, whatever order replicas see the values in.

/**
 * The canonical value for `registers`: sparse (longest runs, cache valid) when every register
 * fits a VAL opcode and the result fits HLL_SPARSE_BYTES_MAX, dense otherwise.
 */
export function hllFromRegisters(registers: Uint8Array): Buffer {
  const card = countRegisters(registers)
  const ops: number[] = []
  let dense = false
  for (let i = 0; i < HLL_REGISTERS && !dense;) {
    const v = registers[i]
    let run = 1
    while (i + run < HLL_REGISTERS && registers[i + run] === v) run++
    if (v === 0) {
      for (let left = run; left > 0;) {
        const n = Math.min(left, SPARSE_XZERO_MAX_LEN)
        if (n > SPARSE_ZERO_MAX_LEN) ops.push(0x40 | ((n - 1) >> 8), (n - 1) & 0xff)
        else ops.push(n - 1)
        left -= n
      }
    } else if (v > SPARSE_VAL_MAX_VALUE) {
      dense = true
    } else {
      for (let left = run; left > 0;) {
        const n = Math.min(left, SPARSE_VAL_MAX_LEN)
        ops.push(valOp(v, n))
        left -= n
      }
    }
    if (HLL_HDR_BYTES + ops.length > HLL_SPARSE_BYTES_MAX) dense = true
    i += run
  }
  const value = Buffer.alloc(dense ? HLL_DENSE_BYTES : HLL_HDR_BYTES + ops.length)
  value.write('HYLL', 0, 'latin1')
  value[4] = dense ? HLL_DENSE : HLL_SPARSE
  value.writeBigUInt64LE(card, 8)
  if (dense) for (let i = 0; i < HLL_REGISTERS; i++) denseSet(value, i, registers[i])
  else for (let i = 0; i < ops.length; i++) value[HLL_HDR_BYTES + i] = ops[i]
  return value
}

/** Merge two valid HLL values for replication; null when either is corrupt. */
export function hllMerge(a: Buffer, b: Buffer): Buffer | null {
  const max = new Uint8Array(HLL_REGISTERS)
  if (!hllMergeInto(max, a) || !hllMergeInto(max, b)) return null
  return hllFromRegisters(max)
}
