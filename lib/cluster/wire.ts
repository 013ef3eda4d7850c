// The gossip wire format: one message per UDP datagram, binary, at most DATAGRAM_BYTES_MAX.
//
//   message   = magic u8 (0x4d 'M') | version u8 (1) | type u8 (1 syn, 2 synack, 3 ack)
//               | from.nodeId varint | from.generation varint | body
//   syn       = digest
//   synack    = digest | delta
//   ack       = delta
//   digest    = count u16 | count × (nodeId varint | generation varint | heartbeat varint | maxVersion varint)
//   delta     = count u16 | count × (nodeId varint | generation varint | heartbeat varint
//                                    | kvCount u16 | kvCount × (key str | value str | version varint))
//   str       = byte length varint | UTF-8 bytes
//
// Varints are unsigned LEB128 up to 2^53 (a generation is a start time in ms). Counts are fixed
// u16 so that a delta can be sized entry by entry before its count is known. The size functions
// below are exact: the delta builder in state.ts cuts by them, and `encode` asserts the result.
//
// Decoding is defensive: a datagram from anywhere on the network may be garbage. `decode` throws
// WireError on anything malformed, and never allocates more than the datagram holds.

/** One datagram: below the 1500-byte Ethernet MTU minus IPv6 (40) and UDP (8) headers, with room for tunnels. */
export const DATAGRAM_BYTES_MAX = 1400
const MAGIC = 0x4d
const VERSION = 1
// Limits, each with its reason.
/** A key names a field of the node state ('addr', 'gossip', later 'digest/17'): short by design. */
export const KEY_BYTES_MAX = 64
/** A value must leave room for the rest of a datagram. */
export const VALUE_BYTES_MAX = 1024

export interface NodeRef { readonly nodeId: number; readonly generation: number }

export interface DigestEntry {
  readonly nodeId: number
  readonly generation: number
  readonly heartbeat: number
  readonly maxVersion: number
}

export interface KeyValue { readonly key: string; readonly value: string; readonly version: number }

export interface NodeDelta {
  readonly nodeId: number
  readonly generation: number
  readonly heartbeat: number
  /** In increasing version order: a cut delta is a prefix, so the receiver's max version stays exact. */
  readonly kvs: readonly KeyValue[]
}

export type Message =
  | { readonly type: 'syn'; readonly from: NodeRef; readonly digest: readonly DigestEntry[] }
  | { readonly type: 'synack'; readonly from: NodeRef; readonly digest: readonly DigestEntry[]; readonly delta: readonly NodeDelta[] }
  | { readonly type: 'ack'; readonly from: NodeRef; readonly delta: readonly NodeDelta[] }

const TYPE_CODE = { syn: 1, synack: 2, ack: 3 } as const

export class WireError extends Error {}

// ------------------------------------------------------------------ sizes

export function varintBytes (n: number): number {
  let bytes = 1
  while (n >= 128) {
    n = Math.floor(n / 128)
    bytes++
  }
  return bytes
}

function strBytes (s: string): number {
  const n = Buffer.byteLength(s)
  return varintBytes(n) + n
}

/** Magic, version, type and the sender. */
export function headerBytes (from: NodeRef): number {
  return 3 + varintBytes(from.nodeId) + varintBytes(from.generation)
}

/** A digest's or a delta's count. */
export const COUNT_BYTES = 2

export function digestEntryBytes (e: DigestEntry): number {
  return varintBytes(e.nodeId) + varintBytes(e.generation) + varintBytes(e.heartbeat) + varintBytes(e.maxVersion)
}

/** A node's delta without its key-values (their count included). */
export function deltaHeaderBytes (nodeId: number, generation: number, heartbeat: number): number {
  return varintBytes(nodeId) + varintBytes(generation) + varintBytes(heartbeat) + COUNT_BYTES
}

export function kvBytes (kv: KeyValue): number {
  return strBytes(kv.key) + strBytes(kv.value) + varintBytes(kv.version)
}

export function digestBytes (digest: readonly DigestEntry[]): number {
  let n = COUNT_BYTES
  for (const e of digest) n += digestEntryBytes(e)
  return n
}

export function deltaBytes (delta: readonly NodeDelta[]): number {
  let n = COUNT_BYTES
  for (const d of delta) {
    n += deltaHeaderBytes(d.nodeId, d.generation, d.heartbeat)
    for (const kv of d.kvs) n += kvBytes(kv)
  }
  return n
}

export function messageBytes (m: Message): number {
  let n = headerBytes(m.from)
  if (m.type !== 'ack') n += digestBytes(m.digest)
  if (m.type !== 'syn') n += deltaBytes(m.delta)
  return n
}

// ------------------------------------------------------------------ encode

class Writer {
  pos = 0
  constructor (readonly buf: Buffer) {}
  u8 (v: number): void { this.buf[this.pos++] = v }
  u16 (v: number): void {
    this.buf.writeUInt16BE(v, this.pos)
    this.pos += 2
  }

  varint (v: number): void {
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 0x80
      v = Math.floor(v / 128)
    }
    this.buf[this.pos++] = v
  }

  str (s: string): void {
    const n = Buffer.byteLength(s)
    this.varint(n)
    this.buf.write(s, this.pos)
    this.pos += n
  }
}

/** The datagram for a message; throws if it would exceed `limit` (a programmer error: builders cut first). */
export function encode (m: Message, limit = DATAGRAM_BYTES_MAX): Buffer {
  const size = messageBytes(m)
  if (size > limit) throw new Error(`gossip: a ${m.type} of ${size} bytes exceeds the datagram limit of ${limit}`)
  const w = new Writer(Buffer.allocUnsafe(size))
  w.u8(MAGIC)
  w.u8(VERSION)
  w.u8(TYPE_CODE[m.type])
  w.varint(m.from.nodeId)
  w.varint(m.from.generation)
  if (m.type !== 'ack') {
    w.u16(m.digest.length)
    for (const e of m.digest) {
      w.varint(e.nodeId)
      w.varint(e.generation)
      w.varint(e.heartbeat)
      w.varint(e.maxVersion)
    }
  }
  if (m.type !== 'syn') {
    w.u16(m.delta.length)
    for (const d of m.delta) {
      w.varint(d.nodeId)
      w.varint(d.generation)
      w.varint(d.heartbeat)
      w.u16(d.kvs.length)
      for (const kv of d.kvs) {
        w.str(kv.key)
        w.str(kv.value)
        w.varint(kv.version)
      }
    }
  }
  if (w.pos !== size) throw new Error(`gossip: encoded ${w.pos} bytes, sized ${size}`)
  return w.buf
}

// ------------------------------------------------------------------ decode

const NODE_ID_MAX = 0xffff

class Reader {
  pos = 0
  constructor (readonly buf: Buffer) {}
  need (n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError('truncated datagram')
  }

  u8 (): number {
    this.need(1)
    return this.buf[this.pos++]
  }

  u16 (): number {
    this.need(2)
    const v = this.buf.readUInt16BE(this.pos)
    this.pos += 2
    return v
  }

  varint (): number {
    let v = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const b = this.u8()
      v += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(v)) throw new WireError('varint out of range')
        return v
      }
      scale *= 128
    }
    throw new WireError('varint too long')
  }

  nodeId (): number {
    const id = this.varint()
    if (id > NODE_ID_MAX) throw new WireError(`node id ${id} out of range`)
    return id
  }

  str (max: number): string {
    const n = this.varint()
    if (n > max) throw new WireError(`string of ${n} bytes exceeds ${max}`)
    this.need(n)
    const s = this.buf.toString('utf8', this.pos, this.pos + n)
    this.pos += n
    return s
  }
}

function readDigest (r: Reader): DigestEntry[] {
  const count = r.u16()
  const out: DigestEntry[] = []
  for (let i = 0; i < count; i++) {
    out.push({ nodeId: r.nodeId(), generation: r.varint(), heartbeat: r.varint(), maxVersion: r.varint() })
  }
  return out
}

function readDelta (r: Reader): NodeDelta[] {
  const count = r.u16()
  const out: NodeDelta[] = []
  for (let i = 0; i < count; i++) {
    const nodeId = r.nodeId()
    const generation = r.varint()
    const heartbeat = r.varint()
    const kvCount = r.u16()
    const kvs: KeyValue[] = []
    let last = 0
    for (let k = 0; k < kvCount; k++) {
      const kv = { key: r.str(KEY_BYTES_MAX), value: r.str(VALUE_BYTES_MAX), version: r.varint() }
      if (kv.version <= last) throw new WireError('key-values out of version order')
      last = kv.version
      kvs.push(kv)
    }
    out.push({ nodeId, generation, heartbeat, kvs })
  }
  return out
}

export function decode (buf: Buffer): Message {
  if (buf.length > DATAGRAM_BYTES_MAX) throw new WireError(`datagram of ${buf.length} bytes exceeds ${DATAGRAM_BYTES_MAX}`)
  const r = new Reader(buf)
  if (r.u8() !== MAGIC) throw new WireError('not a marekvs gossip datagram')
  const version = r.u8()
  if (version !== VERSION) throw new WireError(`gossip protocol version ${version}, expected ${VERSION}`)
  const type = r.u8()
  const from = { nodeId: r.nodeId(), generation: r.varint() }
  let m: Message
  switch (type) {
    case TYPE_CODE.syn: m = { type: 'syn', from, digest: readDigest(r) }; break
    case TYPE_CODE.synack: m = { type: 'synack', from, digest: readDigest(r), delta: readDelta(r) }; break
    case TYPE_CODE.ack: m = { type: 'ack', from, delta: readDelta(r) }; break
    default: throw new WireError(`unknown message type ${type}`)
  }
  if (r.pos !== buf.length) throw new WireError(`${buf.length - r.pos} trailing bytes`)
  return m
}
