// A record as handlers see it: the value's type, its expiry and its payload.
// HLC and origin are stamped when the batch commits (lib/engine/exec-context.ts).
import { decodeEnvelope, ENVELOPE_BYTES } from './envelope'
import { FLAG_TOMBSTONE, TYPE_MASK } from './layout'

export interface Rec {
  /** TYPE_* of layout.ts */
  readonly type: number
  /** Absolute expiry in ms since the epoch; 0 = none. */
  readonly expireAtMs: number
  readonly payload: Buffer
}

/** The record stored at a key, or null for a missing key or a tombstone. Expired records are returned. */
export function decodeStored(stored: Buffer | undefined): Rec | null {
  if (stored === undefined) return null
  const envelope = decodeEnvelope(stored)
  if (envelope.flags & FLAG_TOMBSTONE) return null
  return { type: envelope.flags & TYPE_MASK, expireAtMs: envelope.expireAtMs, payload: stored.subarray(ENVELOPE_BYTES) }
}

export function isExpired(rec: Rec, nowMs: number): boolean {
  return rec.expireAtMs !== 0 && rec.expireAtMs <= nowMs
}
