// An RDB file parser: bytes in, typed records out. Pure: it pulls chunks from a ChunkSource
// (a file read in slices, a Buffer in tests), holds one key at a time, never the whole file,
// and checks the trailing CRC-64.
//
// Covers what Redis 7.0 writes (RDB 10), what 7.2 writes where it is cheap (RDB 11: listpack
// sets, streams v3) and the older encodings 7.0 still reads (ziplists, zipmaps, intsets, plain
// lists, string-scored sorted sets). Module values and module aux data cannot be read without
// the module: they raise RdbUnsupportedError naming the key, never a silent skip.
//
// Layout: "REDIS" + 4-digit version, then opcodes (AUX, SELECTDB, RESIZEDB, FUNCTION2, the
// per-key prefixes EXPIRETIME_MS / EXPIRETIME / IDLE / FREQ) and keys (a type byte, the key,
// the value) until EOF, then the CRC-64 of everything before it (little-endian; 0 = not kept).
import { Crc64 } from '../core/crc64'
import { lzfDecompress } from '../core/lzf'
import { decodeIntset, decodeListpack, decodeZiplist, decodeZipmap, Element, elementBytes } from './rdb-encodings'

export class RdbError extends Error {}

/** A value the parser understands but marekvs cannot hold (a module type). */
export class RdbUnsupportedError extends RdbError {
  constructor(readonly key: Buffer, readonly typeName: string) {
    super(`key '${key.toString('latin1')}' has RDB type ${typeName}, which marekvs cannot load`)
  }
}

/** The next chunk of the file, or null at its end. Each chunk must be a Buffer of its own (records keep views into it). */
export type ChunkSource = () => Buffer | null

export interface StreamId { ms: bigint; seq: bigint }

export interface StreamEntry { id: StreamId; fields: Buffer[] }

export interface StreamPending { id: StreamId; deliveryTimeMs: number; deliveryCount: bigint; consumer: Buffer | null }

export interface StreamConsumer { name: Buffer; seenTimeMs: number }

export interface StreamGroup {
  name: Buffer
  lastId: StreamId
  /** null when unknown: Redis could not count it (deleted entries in the range read), or the file predates the counter (RDB stream type 15). */
  entriesRead: bigint | null
  pending: StreamPending[]
  consumers: StreamConsumer[]
}

export interface RdbStream {
  entries: StreamEntry[]
  length: bigint
  lastId: StreamId
  maxDeletedId: StreamId
  entriesAdded: bigint
  groups: StreamGroup[]
}

export type RdbValue =
  | { kind: 'string'; value: Buffer }
  | { kind: 'list'; items: Buffer[] }
  | { kind: 'set'; members: Buffer[] }
  | { kind: 'zset'; entries: Array<{ member: Buffer; score: number }> }
  /** field, value, field, value... */
  | { kind: 'hash'; fields: Buffer[] }
  | { kind: 'stream'; stream: RdbStream }

export type RdbRecord =
  | { type: 'header'; version: number }
  | { type: 'aux'; name: Buffer; value: Buffer }
  | { type: 'function'; code: Buffer }
  | { type: 'key'; db: number; key: Buffer; expireAtMs: number | null; value: RdbValue }

/** Newest format read: Redis 7.4 writes 12 (its new types are refused by type, not by version). */
const RDB_VERSION_MAX = 12
/** Redis's own ceiling on a string value (proto-max-bulk-len's default): a larger length is corruption, not data. */
const STRING_BYTES_MAX = 512 * 1024 * 1024

const OP = {
  FUNCTION_PRE_GA: 246, FUNCTION2: 245, MODULE_AUX: 247, IDLE: 248, FREQ: 249, AUX: 250,
  RESIZEDB: 251, EXPIRETIME_MS: 252, EXPIRETIME: 253, SELECTDB: 254, EOF: 255,
} as const

const TYPE_NAMES: Record<number, string> = {
  0: 'string', 1: 'list', 2: 'set', 3: 'zset', 4: 'hash', 5: 'zset-2', 6: 'module-pre-ga', 7: 'module-2',
  9: 'hash-zipmap', 10: 'list-ziplist', 11: 'set-intset', 12: 'zset-ziplist', 13: 'hash-ziplist',
  14: 'list-quicklist', 15: 'stream-listpacks', 16: 'hash-listpack', 17: 'zset-listpack',
  18: 'list-quicklist-2', 19: 'stream-listpacks-2', 20: 'set-listpack', 21: 'stream-listpacks-3',
}

const EMPTY = Buffer.alloc(0)

/** Sequential reads over the chunks, each byte counted into the running CRC. */
class Reader {
  private chunk: Buffer = EMPTY
  private at = 0
  readonly crc = new Crc64()
  /** Bytes consumed so far (for error messages). */
  offset = 0

  constructor(private readonly source: ChunkSource) {}

  read(n: number, checksummed = true): Buffer {
    let out: Buffer
    if (this.at + n <= this.chunk.length) {
      out = this.chunk.subarray(this.at, this.at + n)
      this.at += n
    } else {
      const parts: Buffer[] = []
      let left = n
      while (left > 0) {
        if (this.at === this.chunk.length) {
          const next = this.source()
          if (next === null) throw new RdbError(`RDB ends early: ${n} bytes wanted at offset ${this.offset}`)
          this.chunk = next
          this.at = 0
          continue
        }
        const take = Math.min(left, this.chunk.length - this.at)
        parts.push(this.chunk.subarray(this.at, this.at + take))
        this.at += take
        left -= take
      }
      out = Buffer.concat(parts, n)
    }
    if (checksummed) this.crc.update(out)
    this.offset += n
    return out
  }

  byte(): number {
    return this.read(1)[0]
  }

  /** True when no byte is left after what was read. */
  atEnd(): boolean {
    while (this.at === this.chunk.length) {
      const next = this.source()
      if (next === null) return true
      this.chunk = next
      this.at = 0
    }
    return false
  }
}

// A length is 6 bits, 14 bits, or a 32/64-bit big-endian number; the top bits 11 mark a
// special string encoding instead (int8/16/32 or LZF).
const ENC_INT8 = 0
const ENC_INT16 = 1
const ENC_INT32 = 2
const ENC_LZF = 3

type LengthOrEncoding = { length: bigint; encoding: null } | { length: 0n; encoding: number }

function readLengthOrEncoding(r: Reader): LengthOrEncoding {
  const b = r.byte()
  switch (b >> 6) {
    case 0: return { length: BigInt(b & 0x3f), encoding: null }
    case 1: return { length: BigInt(((b & 0x3f) << 8) | r.byte()), encoding: null }
    case 2:
      if (b === 0x80) return { length: BigInt(r.read(4).readUInt32BE(0)), encoding: null }
      if (b === 0x81) return { length: r.read(8).readBigUInt64BE(0), encoding: null }
      throw new RdbError(`unknown length encoding 0x${b.toString(16)} at offset ${r.offset - 1}`)
    default: return { length: 0n, encoding: b & 0x3f }
  }
}

function readLengthBig(r: Reader): bigint {
  const l = readLengthOrEncoding(r)
  if (l.encoding !== null) throw new RdbError(`a length was expected at offset ${r.offset - 1}, found a string encoding`)
  return l.length
}

function readLength(r: Reader): number {
  const n = readLengthBig(r)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError(`length ${n} at offset ${r.offset} is too large`)
  return Number(n)
}

function checkedStringLength(r: Reader, n: number): number {
  if (n > STRING_BYTES_MAX) throw new RdbError(`string of ${n} bytes at offset ${r.offset} exceeds ${STRING_BYTES_MAX}`)
  return n
}

function readString(r: Reader): Buffer {
  const l = readLengthOrEncoding(r)
  switch (l.encoding) {
    case null: return r.read(checkedStringLength(r, Number(l.length)))
    case ENC_INT8: return Buffer.from(String(r.read(1).readInt8(0)))
    case ENC_INT16: return Buffer.from(String(r.read(2).readInt16LE(0)))
    case ENC_INT32: return Buffer.from(String(r.read(4).readInt32LE(0)))
    case ENC_LZF: {
      const compressed = checkedStringLength(r, readLength(r))
      const length = checkedStringLength(r, readLength(r))
      return lzfDecompress(r.read(compressed), length)
    }
    default: throw new RdbError(`unknown string encoding ${l.encoding} at offset ${r.offset - 1}`)
  }
}

/** A score as RDB type 3 writes it: a length byte (253 NaN, 254 +inf, 255 -inf) then ASCII. */
function readDoubleString(r: Reader): number {
  const length = r.byte()
  if (length === 253) return NaN
  if (length === 254) return Infinity
  if (length === 255) return -Infinity
  return parseScore(r.read(length))
}

/** A score kept as text inside a ziplist or listpack (Redis writes inf as "inf"). */
function parseScore(element: Element): number {
  if (typeof element === 'bigint') return Number(element)
  const text = element.toString('latin1').toLowerCase()
  if (text === 'inf' || text === '+inf') return Infinity
  if (text === '-inf') return -Infinity
  const n = Number(text)
  if (Number.isNaN(n)) throw new RdbError(`sorted-set score '${text}' is not a number`)
  return n
}

function pairsToZset(elements: Element[]): Array<{ member: Buffer; score: number }> {
  if (elements.length % 2 !== 0) throw new RdbError('sorted set blob with an odd number of elements')
  const out: Array<{ member: Buffer; score: number }> = []
  for (let i = 0; i < elements.length; i += 2) out.push({ member: elementBytes(elements[i]), score: parseScore(elements[i + 1]) })
  return out
}

function evenBytes(elements: Element[], what: string): Buffer[] {
  if (elements.length % 2 !== 0) throw new RdbError(`${what} blob with an odd number of elements`)
  return elements.map(elementBytes)
}

function readStreamId(bytes: Buffer): StreamId {
  if (bytes.length !== 16) throw new RdbError(`stream ID of ${bytes.length} bytes, 16 expected`)
  return { ms: bytes.readBigUInt64BE(0), seq: bytes.readBigUInt64BE(8) }
}

function integer(element: Element | undefined): bigint {
  if (typeof element !== 'bigint') throw new RdbError('stream listpack: an integer was expected')
  return element
}

// A group's entries-read counter when Redis does not know it: -1 written as an unsigned length.
const UNKNOWN_ENTRIES_READ = 2n ** 64n - 1n

// STREAM_ITEM_FLAG_*: a deleted entry stays in its listpack until the node is rewritten.
const ITEM_DELETED = 1
const ITEM_SAMEFIELDS = 2

/**
 * The live entries of one stream listpack. It opens with a master entry (count, deleted,
 * the master fields, 0); each entry is flags, ms and seq relative to the node's master ID,
 * then its values (SAMEFIELDS: one per master field) or its own field/value pairs, then its
 * element count (for walking backwards).
 */
function decodeStreamNode(master: StreamId, elements: Element[], out: StreamEntry[]): void {
  let i = 0
  i += 2 // valid and deleted entry counts
  const masterFieldCount = Number(integer(elements[i++]))
  const masterFields = elements.slice(i, i + masterFieldCount).map(elementBytes)
  i += masterFieldCount + 1 // the master fields and the 0 that ends the master entry
  while (i < elements.length) {
    const flags = Number(integer(elements[i++]))
    const id = { ms: master.ms + integer(elements[i++]), seq: master.seq + integer(elements[i++]) }
    const fields: Buffer[] = []
    if (flags & ITEM_SAMEFIELDS) {
      for (let f = 0; f < masterFieldCount; f++) fields.push(masterFields[f], elementBytes(elements[i++]))
    } else {
      const count = Number(integer(elements[i++]))
      for (let f = 0; f < 2 * count; f++) fields.push(elementBytes(elements[i++]))
    }
    i++ // lp-count
    if (i > elements.length) throw new RdbError('stream listpack entry runs past its node')
    if (!(flags & ITEM_DELETED)) out.push({ id, fields })
  }
}

function readStream(r: Reader, type: number): RdbStream {
  const entries: StreamEntry[] = []
  const nodes = readLength(r)
  for (let n = 0; n < nodes; n++) {
    const master = readStreamId(readString(r))
    decodeStreamNode(master, decodeListpack(readString(r)), entries)
  }
  const length = readLengthBig(r)
  const lastId = { ms: readLengthBig(r), seq: readLengthBig(r) }
  let maxDeletedId: StreamId = { ms: 0n, seq: 0n }
  let entriesAdded = length
  if (type >= 19) {
    readLengthBig(r) // first ID: marekvs derives it from the entries
    readLengthBig(r)
    maxDeletedId = { ms: readLengthBig(r), seq: readLengthBig(r) }
    entriesAdded = readLengthBig(r)
  }
  const groups: StreamGroup[] = []
  const groupCount = readLength(r)
  for (let g = 0; g < groupCount; g++) {
    const name = readString(r)
    const groupLastId = { ms: readLengthBig(r), seq: readLengthBig(r) }
    const entriesReadRaw = type >= 19 ? readLengthBig(r) : UNKNOWN_ENTRIES_READ
    const entriesRead = entriesReadRaw === UNKNOWN_ENTRIES_READ ? null : entriesReadRaw
    const pending: StreamPending[] = []
    const byId = new Map<string, StreamPending>()
    const pendingCount = readLength(r)
    for (let p = 0; p < pendingCount; p++) {
      const raw = r.read(16)
      const nack: StreamPending = { id: readStreamId(raw), deliveryTimeMs: Number(r.read(8).readBigInt64LE(0)), deliveryCount: readLengthBig(r), consumer: null }
      pending.push(nack)
      byId.set(raw.toString('latin1'), nack)
    }
    const consumers: StreamConsumer[] = []
    const consumerCount = readLength(r)
    for (let c = 0; c < consumerCount; c++) {
      const consumerName = readString(r)
      const seenTimeMs = Number(r.read(8).readBigInt64LE(0))
      if (type >= 21) r.read(8) // active time (7.2): XCLAIM sets it when the entries are claimed
      consumers.push({ name: consumerName, seenTimeMs })
      const owned = readLength(r)
      for (let o = 0; o < owned; o++) {
        const nack = byId.get(r.read(16).toString('latin1'))
        if (nack === undefined) throw new RdbError(`stream consumer '${consumerName.toString('latin1')}' owns an entry missing from its group's pending list`)
        nack.consumer = consumerName
      }
    }
    groups.push({ name, lastId: groupLastId, entriesRead, pending, consumers })
  }
  return { entries, length, lastId, maxDeletedId, entriesAdded, groups }
}

function readValue(r: Reader, type: number, key: Buffer): RdbValue {
  switch (type) {
    case 0: return { kind: 'string', value: readString(r) }
    case 1: {
      const items: Buffer[] = []
      for (let n = readLength(r); n > 0; n--) items.push(readString(r))
      return { kind: 'list', items }
    }
    case 2: {
      const members: Buffer[] = []
      for (let n = readLength(r); n > 0; n--) members.push(readString(r))
      return { kind: 'set', members }
    }
    case 3:
    case 5: {
      const entries: Array<{ member: Buffer; score: number }> = []
      for (let n = readLength(r); n > 0; n--) {
        const member = readString(r)
        entries.push({ member, score: type === 5 ? r.read(8).readDoubleLE(0) : readDoubleString(r) })
      }
      return { kind: 'zset', entries }
    }
    case 4: {
      const fields: Buffer[] = []
      for (let n = readLength(r); n > 0; n--) fields.push(readString(r), readString(r))
      return { kind: 'hash', fields }
    }
    case 9: return { kind: 'hash', fields: decodeZipmap(readString(r)) }
    case 10: return { kind: 'list', items: decodeZiplist(readString(r)).map(elementBytes) }
    case 11: return { kind: 'set', members: decodeIntset(readString(r)).map((n) => Buffer.from(n.toString())) }
    case 12: return { kind: 'zset', entries: pairsToZset(decodeZiplist(readString(r))) }
    case 13: return { kind: 'hash', fields: evenBytes(decodeZiplist(readString(r)), 'hash') }
    case 14: {
      const items: Buffer[] = []
      for (let n = readLength(r); n > 0; n--) for (const e of decodeZiplist(readString(r))) items.push(elementBytes(e))
      return { kind: 'list', items }
    }
    case 16: return { kind: 'hash', fields: evenBytes(decodeListpack(readString(r)), 'hash') }
    case 17: return { kind: 'zset', entries: pairsToZset(decodeListpack(readString(r))) }
    case 18: {
      // Quicklist 2: each node is a container kind (1 plain: one element as is, 2 packed: a listpack) and a blob.
      const items: Buffer[] = []
      for (let n = readLength(r); n > 0; n--) {
        const container = readLength(r)
        const blob = readString(r)
        if (container === 1) items.push(blob)
        else if (container === 2) for (const e of decodeListpack(blob)) items.push(elementBytes(e))
        else throw new RdbError(`key '${key.toString('latin1')}': unknown quicklist container ${container}`)
      }
      return { kind: 'list', items }
    }
    case 15:
    case 19:
    case 21: return { kind: 'stream', stream: readStream(r, type) }
    case 20: return { kind: 'set', members: decodeListpack(readString(r)).map(elementBytes) }
    default: throw new RdbUnsupportedError(key, `${TYPE_NAMES[type] ?? 'unknown'} (${type})`)
  }
}

/** The records of an RDB file, in file order. Throws RdbError on anything malformed, including a CRC mismatch. */
export function* parseRdb(source: ChunkSource): Generator<RdbRecord> {
  const r = new Reader(source)
  const magic = r.read(9).toString('latin1')
  if (!/^REDIS[0-9]{4}$/.test(magic)) throw new RdbError('not an RDB file: it does not start with REDIS and a version')
  const version = Number(magic.slice(5))
  if (version < 1 || version > RDB_VERSION_MAX) throw new RdbError(`RDB version ${version} is not supported (1 to ${RDB_VERSION_MAX})`)
  yield { type: 'header', version }
  let db = 0
  let expireAtMs: number | null = null
  for (;;) {
    const op = r.byte()
    switch (op) {
      case OP.EXPIRETIME_MS:
        expireAtMs = Number(r.read(8).readBigInt64LE(0))
        break
      case OP.EXPIRETIME:
        expireAtMs = r.read(4).readInt32LE(0) * 1000
        break
      case OP.IDLE:
        readLengthBig(r) // LRU idle time: marekvs keeps no LRU clock
        break
      case OP.FREQ:
        r.byte() // LFU counter: likewise
        break
      case OP.SELECTDB:
        db = readLength(r)
        break
      case OP.RESIZEDB:
        readLengthBig(r) // hash table size hints
        readLengthBig(r)
        break
      case OP.AUX:
        yield { type: 'aux', name: readString(r), value: readString(r) }
        break
      case OP.FUNCTION2:
        yield { type: 'function', code: readString(r) }
        break
      case OP.FUNCTION_PRE_GA:
        throw new RdbError('the RDB holds functions in the format of a Redis 7.0 release candidate, which marekvs cannot load')
      case OP.MODULE_AUX:
        throw new RdbError('the RDB holds module data (MODULE_AUX), which marekvs cannot load')
      case OP.EOF: {
        if (version >= 5) {
          const computed = r.crc.value()
          const stored = r.read(8, false).readBigUInt64LE(0)
          // 0: the writer ran with rdbchecksum no.
          if (stored !== 0n && stored !== computed) throw new RdbError(`RDB checksum mismatch: the file says ${stored.toString(16)}, its bytes give ${computed.toString(16)}`)
        }
        if (!r.atEnd()) throw new RdbError(`bytes follow the end of the RDB at offset ${r.offset}`)
        return
      }
      default: {
        const key = readString(r)
        const value = readValue(r, op, key)
        yield { type: 'key', db, key, expireAtMs, value }
        expireAtMs = null
      }
    }
  }
}

export function formatStreamId(id: StreamId): string {
  return `${id.ms}-${id.seq}`
}

/** A ChunkSource over one Buffer, cut into chunks of `chunkBytes` (tests split at every size). */
export function bufferSource(bytes: Buffer, chunkBytes = bytes.length): ChunkSource {
  let at = 0
  return () => {
    if (at >= bytes.length) return null
    const chunk = Buffer.from(bytes.subarray(at, at + Math.max(1, chunkBytes)))
    at += chunk.length
    return chunk
  }
}
