// FUNCTION DUMP / RESTORE payloads in Redis 7.0's format, so that a payload moves between
// redis-server and marekvs both ways: for each library, the RDB opcode FUNCTION2 and its code
// as an RDB string; then the RDB version (10) as a little-endian u16 and the CRC64 (Jones) of
// everything before it, little-endian. Codes are written uncompressed; the LZF-compressed
// strings redis-server writes for longer codes are read too.
import { crc64 as crc64Of } from '../core/crc64'
import { LzfError, lzfDecompress } from '../core/lzf'
import { error, ErrorReply } from '../core/reply'

const OPCODE_FUNCTION2 = 245
/** Libraries as Redis 7.0's release candidates wrote them (readPreGaLibrary). */
const OPCODE_FUNCTION_PRE_GA = 246
/** Redis 7.0's RDB version: a payload of a later one is refused, as redis-server 7.0 does. */
const RDB_VERSION = 10
const FOOTER_BYTES = 10

const BAD_PAYLOAD = error('ERR DUMP payload version or checksum are wrong')
const BAD_STRING = error('ERR Failed loading library payload')

/** The payload of FUNCTION DUMP for these library codes. */
export function encodeFunctionPayload(codes: readonly Buffer[]): Buffer {
  const parts: Buffer[] = []
  for (const code of codes) parts.push(Buffer.from([OPCODE_FUNCTION2]), rdbLength(code.length), code)
  const version = Buffer.alloc(2)
  version.writeUInt16LE(RDB_VERSION, 0)
  parts.push(version)
  const body = Buffer.concat(parts)
  return Buffer.concat([body, crc64(body)])
}

/** The library codes of a FUNCTION RESTORE payload, or Redis's error for it. */
export function decodeFunctionPayload(payload: Buffer): Buffer[] | ErrorReply {
  if (payload.length < FOOTER_BYTES) return BAD_PAYLOAD
  const footer = payload.length - FOOTER_BYTES
  if (payload.readUInt16LE(footer) > RDB_VERSION) return BAD_PAYLOAD
  if (!crc64(payload.subarray(0, footer + 2)).equals(payload.subarray(footer + 2))) return BAD_PAYLOAD
  const codes: Buffer[] = []
  // As Redis reads it: records up to the footer, a string may not run past the payload's end.
  const reader = { at: 0 }
  while (payload.length - reader.at > FOOTER_BYTES) {
    const type = payload[reader.at++]
    if (type !== OPCODE_FUNCTION2 && type !== OPCODE_FUNCTION_PRE_GA) return error('ERR given type is not a function')
    const code = type === OPCODE_FUNCTION2 ? readString(payload, reader) ?? BAD_STRING : readPreGaLibrary(payload, reader)
    if (!Buffer.isBuffer(code)) return code
    codes.push(code)
  }
  return codes
}

/**
 * A library as Redis 7.0's release candidates wrote it (name, engine, an optional description,
 * then the code without its `#!` line): its code as Redis 7.0 rebuilds it.
 */
function readPreGaLibrary(buf: Buffer, r: Reader): Buffer | ErrorReply {
  const name = readString(buf, r)
  if (name === null) return error('ERR Failed loading library name')
  const engine = readString(buf, r)
  if (engine === null) return error('ERR Failed loading engine name')
  const hasDescription = readLength(buf, r)
  if (hasDescription === null) return error('ERR Failed loading library description indicator')
  if (hasDescription.n !== 0 && readString(buf, r) === null) return error('ERR Failed loading library description')
  const code = readString(buf, r)
  if (code === null) return error('ERR Failed loading library blob')
  return Buffer.concat([Buffer.from('#!'), engine, Buffer.from(' name='), name, Buffer.from('\n'), code])
}

/** rdbSaveLen. */
function rdbLength(n: number): Buffer {
  if (n < 1 << 6) return Buffer.from([n])
  if (n < 1 << 14) return Buffer.from([0x40 | (n >> 8), n & 0xff])
  const out = Buffer.alloc(5)
  out[0] = 0x80
  out.writeUInt32BE(n, 1)
  return out
}

interface Reader { at: number }

/** rdbLoadLen: the length, or for an encoded string (0xC0 | encoding) the encoding as `special`; null past the end. */
function readLength(buf: Buffer, r: Reader): { n: number; special: boolean } | null {
  if (r.at >= buf.length) return null
  const first = buf[r.at++]
  const kind = first >> 6
  if (kind === 0) return { n: first & 0x3f, special: false }
  if (kind === 3) return { n: first & 0x3f, special: true }
  if (kind === 1) return r.at < buf.length ? { n: ((first & 0x3f) << 8) | buf[r.at++], special: false } : null
  const width = first === 0x80 ? 4 : first === 0x81 ? 8 : 0
  if (width === 0 || r.at + width > buf.length) return null
  const n = width === 4 ? buf.readUInt32BE(r.at) : Number(buf.readBigUInt64BE(r.at))
  r.at += width
  return { n, special: false }
}

/** rdbGenericLoadStringObject: a plain, integer-encoded or LZF-compressed string; null when corrupt. */
function readString(buf: Buffer, r: Reader): Buffer | null {
  const length = readLength(buf, r)
  if (length === null) return null
  if (!length.special) return take(buf, r, length.n)
  if (length.n <= 2) {
    const width = 1 << length.n
    const bytes = take(buf, r, width)
    if (bytes === null) return null
    const value = width === 1 ? bytes.readInt8(0) : width === 2 ? bytes.readInt16LE(0) : bytes.readInt32LE(0)
    return Buffer.from(String(value))
  }
  if (length.n !== 3) return null
  const compressed = readLength(buf, r)
  const plain = readLength(buf, r)
  if (compressed === null || plain === null || compressed.special || plain.special) return null
  const input = take(buf, r, compressed.n)
  return input === null ? null : lzfDecompressed(input, plain.n)
}

function take(buf: Buffer, r: Reader, n: number): Buffer | null {
  if (n > buf.length - r.at) return null
  r.at += n
  return buf.subarray(r.at - n, r.at)
}

/** The LZF-compressed string decompressed to exactly `length` bytes; null when the input does not make them. */
function lzfDecompressed(input: Buffer, length: number): Buffer | null {
  try {
    return lzfDecompress(input, length)
  } catch (err) {
    if (err instanceof LzfError) return null
    throw err
  }
}

/** The CRC64 of `data`, little-endian, as a payload's last 8 bytes. */
export function crc64(data: Buffer): Buffer {
  const out = Buffer.alloc(8)
  out.writeBigUInt64LE(crc64Of(data), 0)
  return out
}
