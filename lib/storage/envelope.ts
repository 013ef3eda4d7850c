// The 19-byte envelope every stored record starts with, big-endian:
// flags u8 | hlc u64 | origin u16 | expire_at_ms u64 (0 = no expiry).
// In TypeScript, not the native addon: a call across N-API cost ~2.5 µs to encode a record and
// ~1.5 µs to decode one (the object and BigInt conversions, a finalized Buffer per record),
// these ~0.3 and ~0.1 µs (docs/performance.md, fifth round).
import { readUInt64Number, writeUInt64Number } from './layout'

export const ENVELOPE_BYTES = 19

export interface Envelope {
  flags: number
  hlc: bigint
  origin: number
  expireAtMs: number
}

const U64_MAX = 0xffffffffffffffffn
/** Up to this many payload bytes are copied in a loop rather than by Buffer.copy's native call. */
const SMALL_PAYLOAD = 16

/**
 * Envelope followed by payload, in one Buffer. Throws on a field out of its range. The HLC goes
 * in as two u32 halves and a small payload byte by byte, not through Buffer's writeBigUInt64BE
 * and copy: a 3-byte record ~15 % cheaper (bench/tools/encode-record.js, docs/performance.md,
 * fifteenth round).
 */
export function encodeRecord(envelope: Envelope, payload: Buffer): Buffer {
  const { flags, hlc, expireAtMs } = envelope
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) throw new RangeError(`envelope flags must fit in a byte, got ${flags}`)
  if (typeof hlc !== 'bigint' || hlc < 0n || hlc > U64_MAX) throw new RangeError(`envelope hlc must be a u64, got ${hlc}`)
  if (!Number.isSafeInteger(expireAtMs) || expireAtMs < 0) throw new RangeError(`envelope expireAtMs must be a non-negative safe integer, got ${expireAtMs}`)
  const out = Buffer.allocUnsafe(ENVELOPE_BYTES + payload.length)
  out[0] = flags
  out.writeUInt32BE(Number(hlc >> 32n), 1)
  out.writeUInt32BE(Number(hlc & 0xffffffffn), 5)
  // Throws RangeError on a value outside u16.
  out.writeUInt16BE(envelope.origin, 9)
  writeUInt64Number(out, expireAtMs, 11)
  if (payload.length <= SMALL_PAYLOAD) {
    for (let i = 0; i < payload.length; i++) out[ENVELOPE_BYTES + i] = payload[i]
  } else {
    payload.copy(out, ENVELOPE_BYTES)
  }
  return out
}

/** The envelope of a stored record. Throws on a record shorter than ENVELOPE_BYTES. */
export function decodeEnvelope(record: Buffer): Envelope {
  if (record.length < ENVELOPE_BYTES) throw new RangeError(`record of ${record.length} bytes is shorter than the ${ENVELOPE_BYTES}-byte envelope`)
  return {
    flags: record[0],
    hlc: record.readBigUInt64BE(1),
    origin: record.readUInt16BE(9),
    expireAtMs: readUInt64Number(record, 11),
  }
}
