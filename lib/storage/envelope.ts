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

/** Envelope followed by payload, in one Buffer. Throws on a field out of its range. */
export function encodeRecord(envelope: Envelope, payload: Buffer): Buffer {
  const { flags, expireAtMs } = envelope
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) throw new RangeError(`envelope flags must fit in a byte, got ${flags}`)
  if (!Number.isSafeInteger(expireAtMs) || expireAtMs < 0) throw new RangeError(`envelope expireAtMs must be a non-negative safe integer, got ${expireAtMs}`)
  const out = Buffer.allocUnsafe(ENVELOPE_BYTES + payload.length)
  out[0] = flags
  // These two throw RangeError on a value outside u64 / u16.
  out.writeBigUInt64BE(envelope.hlc, 1)
  out.writeUInt16BE(envelope.origin, 9)
  writeUInt64Number(out, expireAtMs, 11)
  payload.copy(out, ENVELOPE_BYTES)
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
