// The compact encodings Redis stores small collections in, as found inside RDB strings:
// listpack (7.0+), ziplist (before 7.0, still read by 7.0) and intset. Each decoder takes the
// whole blob and returns its elements: byte strings as Buffers, integers as bigints (an int64
// does not fit a JS number). Bounds are checked; a malformed blob throws EncodingError.

export class EncodingError extends Error {}

export type Element = Buffer | bigint

export function elementBytes(element: Element): Buffer {
  return typeof element === 'bigint' ? Buffer.from(element.toString()) : element
}

function need(blob: Buffer, at: number, bytes: number, what: string): void {
  if (at + bytes > blob.length) throw new EncodingError(`${what} runs past the end of its blob`)
}

// ---------------------------------------------------------------------------- listpack
// total-bytes u32 LE | count u16 LE | entries | 0xFF. An entry is an encoding byte (and its
// data) followed by its own length again (1 to 5 bytes, for walking backwards).

const LP_EOF = 0xff

function backlenBytes(entryBytes: number): number {
  if (entryBytes < 128) return 1
  if (entryBytes < 16384) return 2
  if (entryBytes < 2097152) return 3
  if (entryBytes < 268435456) return 4
  return 5
}

export function decodeListpack(blob: Buffer): Element[] {
  need(blob, 0, 7, 'listpack header')
  if (blob.readUInt32LE(0) !== blob.length) throw new EncodingError('listpack size does not match its header')
  const out: Element[] = []
  let at = 6
  for (;;) {
    need(blob, at, 1, 'listpack entry')
    const b = blob[at]
    if (b === LP_EOF) break
    let element: Element
    let entryBytes: number
    if ((b & 0x80) === 0) { // 0xxxxxxx: 7-bit unsigned
      element = BigInt(b & 0x7f)
      entryBytes = 1
    } else if ((b & 0xc0) === 0x80) { // 10xxxxxx: string up to 63 bytes
      const length = b & 0x3f
      need(blob, at + 1, length, 'listpack string')
      element = blob.subarray(at + 1, at + 1 + length)
      entryBytes = 1 + length
    } else if ((b & 0xe0) === 0xc0) { // 110xxxxx yyyyyyyy: 13-bit signed
      need(blob, at, 2, 'listpack int')
      const u = ((b & 0x1f) << 8) | blob[at + 1]
      element = BigInt(u >= 1 << 12 ? u - (1 << 13) : u)
      entryBytes = 2
    } else if ((b & 0xf0) === 0xe0) { // 1110xxxx yyyyyyyy: string up to 4095 bytes
      need(blob, at, 2, 'listpack string')
      const length = ((b & 0x0f) << 8) | blob[at + 1]
      need(blob, at + 2, length, 'listpack string')
      element = blob.subarray(at + 2, at + 2 + length)
      entryBytes = 2 + length
    } else if (b === 0xf0) { // 32-bit string length
      need(blob, at, 5, 'listpack string')
      const length = blob.readUInt32LE(at + 1)
      need(blob, at + 5, length, 'listpack string')
      element = blob.subarray(at + 5, at + 5 + length)
      entryBytes = 5 + length
    } else if (b === 0xf1) {
      need(blob, at, 3, 'listpack int')
      element = BigInt(blob.readInt16LE(at + 1))
      entryBytes = 3
    } else if (b === 0xf2) {
      need(blob, at, 4, 'listpack int')
      element = BigInt(blob.readIntLE(at + 1, 3))
      entryBytes = 4
    } else if (b === 0xf3) {
      need(blob, at, 5, 'listpack int')
      element = BigInt(blob.readInt32LE(at + 1))
      entryBytes = 5
    } else if (b === 0xf4) {
      need(blob, at, 9, 'listpack int')
      element = blob.readBigInt64LE(at + 1)
      entryBytes = 9
    } else {
      throw new EncodingError(`listpack entry with unknown encoding 0x${b.toString(16)}`)
    }
    out.push(element)
    at += entryBytes + backlenBytes(entryBytes)
  }
  const count = blob.readUInt16LE(4)
  // 65535 means "too many to count"; otherwise the header must agree.
  if (count !== 0xffff && count !== out.length) throw new EncodingError(`listpack holds ${out.length} entries, its header says ${count}`)
  return out
}

// ---------------------------------------------------------------------------- ziplist
// zlbytes u32 LE | zltail u32 LE | zllen u16 LE | entries | 0xFF. An entry is the previous
// entry's length (1 byte, or 0xFE and 4 bytes), an encoding and its data.

export function decodeZiplist(blob: Buffer): Element[] {
  need(blob, 0, 11, 'ziplist header')
  if (blob.readUInt32LE(0) !== blob.length) throw new EncodingError('ziplist size does not match its header')
  const out: Element[] = []
  let at = 10
  for (;;) {
    need(blob, at, 1, 'ziplist entry')
    if (blob[at] === 0xff) break
    at += blob[at] === 0xfe ? 5 : 1
    need(blob, at, 1, 'ziplist entry')
    const b = blob[at]
    const kind = b >>> 6
    if (kind === 0) { // 00pppppp: string up to 63 bytes
      const length = b & 0x3f
      need(blob, at + 1, length, 'ziplist string')
      out.push(blob.subarray(at + 1, at + 1 + length))
      at += 1 + length
    } else if (kind === 1) { // 01pppppp qqqqqqqq: 14-bit big-endian length
      need(blob, at, 2, 'ziplist string')
      const length = ((b & 0x3f) << 8) | blob[at + 1]
      need(blob, at + 2, length, 'ziplist string')
      out.push(blob.subarray(at + 2, at + 2 + length))
      at += 2 + length
    } else if (kind === 2) { // 10______ + 32-bit big-endian length
      need(blob, at, 5, 'ziplist string')
      const length = blob.readUInt32BE(at + 1)
      need(blob, at + 5, length, 'ziplist string')
      out.push(blob.subarray(at + 5, at + 5 + length))
      at += 5 + length
    } else if (b === 0xc0) {
      need(blob, at, 3, 'ziplist int')
      out.push(BigInt(blob.readInt16LE(at + 1)))
      at += 3
    } else if (b === 0xd0) {
      need(blob, at, 5, 'ziplist int')
      out.push(BigInt(blob.readInt32LE(at + 1)))
      at += 5
    } else if (b === 0xe0) {
      need(blob, at, 9, 'ziplist int')
      out.push(blob.readBigInt64LE(at + 1))
      at += 9
    } else if (b === 0xf0) {
      need(blob, at, 4, 'ziplist int')
      out.push(BigInt(blob.readIntLE(at + 1, 3)))
      at += 4
    } else if (b === 0xfe) {
      need(blob, at, 2, 'ziplist int')
      out.push(BigInt(blob.readInt8(at + 1)))
      at += 2
    } else if (b >= 0xf1 && b <= 0xfd) { // 1111xxxx: the value xxxx - 1, 0 to 12
      out.push(BigInt((b & 0x0f) - 1))
      at += 1
    } else {
      throw new EncodingError(`ziplist entry with unknown encoding 0x${b.toString(16)}`)
    }
  }
  const count = blob.readUInt16LE(8)
  if (count !== 0xffff && count !== out.length) throw new EncodingError(`ziplist holds ${out.length} entries, its header says ${count}`)
  return out
}

// ---------------------------------------------------------------------------- intset
// encoding u32 LE (2, 4 or 8 bytes per value) | count u32 LE | values, signed little-endian.

export function decodeIntset(blob: Buffer): bigint[] {
  need(blob, 0, 8, 'intset header')
  const width = blob.readUInt32LE(0)
  const count = blob.readUInt32LE(4)
  if (width !== 2 && width !== 4 && width !== 8) throw new EncodingError(`intset with unknown encoding ${width}`)
  if (blob.length !== 8 + width * count) throw new EncodingError('intset size does not match its header')
  const out: bigint[] = []
  for (let i = 0, at = 8; i < count; i++, at += width) {
    out.push(width === 2 ? BigInt(blob.readInt16LE(at)) : width === 4 ? BigInt(blob.readInt32LE(at)) : blob.readBigInt64LE(at))
  }
  return out
}

// ---------------------------------------------------------------------------- zipmap
// Redis 2.4's small-hash encoding (RDB type 9): zmlen u8 | (len key len free value [free bytes])*
// | 0xFF, where a length is one byte below 254, or 254 and a u32 LE.

export function decodeZipmap(blob: Buffer): Buffer[] {
  const out: Buffer[] = []
  let at = 1
  const length = (): number => {
    need(blob, at, 1, 'zipmap length')
    const b = blob[at]
    if (b < 254) {
      at += 1
      return b
    }
    if (b !== 254) throw new EncodingError('zipmap length cut short')
    need(blob, at, 5, 'zipmap length')
    const n = blob.readUInt32LE(at + 1)
    at += 5
    return n
  }
  for (;;) {
    need(blob, at, 1, 'zipmap entry')
    if (blob[at] === 0xff) break
    const keyLength = length()
    need(blob, at, keyLength, 'zipmap key')
    out.push(blob.subarray(at, at + keyLength))
    at += keyLength
    const valueLength = length()
    need(blob, at, 1, 'zipmap value')
    const free = blob[at++]
    need(blob, at, valueLength + free, 'zipmap value')
    out.push(blob.subarray(at, at + valueLength))
    at += valueLength + free
  }
  return out
}
