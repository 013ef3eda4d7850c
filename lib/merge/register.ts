// Last-writer-wins registers (DESIGN.md §6): strings, collection meta records, and the expiry of
// every key. The greater version `(hlc, origin)` wins; a tombstone is a write like any other, so
// it hides every older version and none newer. Expiry (TTL) is its own LWW register beside the
// value: SET and DEL write both at one version, EXPIRE/PERSIST write only the expiry, so a SET
// and a concurrent EXPIRE both take effect (either serial order's result, by version), and no
// EXPIRE can bring back a value older than it. An expired record is hidden by every node by
// itself (liveBody with its own nowMs): no delete travels.
import type { Envelope } from '../storage/envelope'
import { FLAG_TOMBSTONE, TYPE_MASK } from '../storage/layout'
import { compareVersions, Version, ZERO_VERSION } from './version'

export interface Lww<T> {
  readonly version: Version
  readonly value: T
}

/**
 * The newer of two writes. Versions are unique, so equal versions carry equal values; `tieBreak`
 * only keeps the function total and commutative on states no node can produce.
 */
export function mergeLww<T>(a: Lww<T>, b: Lww<T>, tieBreak: (x: T, y: T) => number): Lww<T> {
  const order = compareVersions(a.version, b.version)
  if (order !== 0) return order > 0 ? a : b
  return tieBreak(a.value, b.value) >= 0 ? a : b
}

/** Orders for tieBreak. null (a tombstone) sorts first. */
export function compareBuffers(x: Buffer | null, y: Buffer | null): number {
  if (x === null || y === null) return (x === null ? 0 : 1) - (y === null ? 0 : 1)
  return Buffer.compare(x, y)
}

export function compareNumbers(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0
}

/** A record's value: its type nibble (layout.ts TYPE_*) and payload. null is a tombstone. */
export interface Body {
  readonly type: number
  readonly payload: Buffer
}

export interface RecordState {
  readonly body: Lww<Body | null>
  /** Absolute expiry in ms since the epoch, 0 = none. */
  readonly expiry: Lww<number>
}

/** A key never written. */
export const EMPTY_RECORD: RecordState = { body: { version: ZERO_VERSION, value: null }, expiry: { version: ZERO_VERSION, value: 0 } }

function compareBodies(x: Body | null, y: Body | null): number {
  if (x === null || y === null) return compareBuffers(x === null ? null : x.payload, y === null ? null : y.payload)
  return x.type - y.type || Buffer.compare(x.payload, y.payload)
}

export function mergeRecord(a: RecordState, b: RecordState): RecordState {
  return { body: mergeLww(a.body, b.body, compareBodies), expiry: mergeLww(a.expiry, b.expiry, compareNumbers) }
}

/** SET (body) or DEL (null): the value and its expiry, at one version. */
export function writeRecord(version: Version, body: Body | null, expireAtMs: number): RecordState {
  return { body: { version, value: body }, expiry: { version, value: body === null ? 0 : expireAtMs } }
}

/** EXPIRE/PEXPIRE/EXPIREAT/PERSIST (0): a newer expiry, the value untouched. */
export function writeExpiry(state: RecordState, version: Version, expireAtMs: number): RecordState {
  return mergeRecord(state, { body: EMPTY_RECORD.body, expiry: { version, value: expireAtMs } })
}

export function isExpiredAt(expireAtMs: number, nowMs: number): boolean {
  return expireAtMs !== 0 && expireAtMs <= nowMs
}

/** What a read sees at `nowMs`: null for a tombstone, a key never written, or an expired record. */
export function liveBody(state: RecordState, nowMs: number): Body | null {
  return isExpiredAt(state.expiry.value, nowMs) ? null : state.body.value
}

/**
 * A stored meta record (envelope + payload) as a register. The envelope holds one version, that of
 * the record's last write, so both halves get it: exact for records whose last write was a SET or
 * DEL; after an EXPIRE it dates the value as new as the expiry (whole-record LWW, the
 * conservative reading). Replication that ships an EXPIRE as its own effect keeps them apart.
 */
export function recordFromStored(envelope: Envelope, payload: Buffer): RecordState {
  const version = { hlc: envelope.hlc, origin: envelope.origin }
  const body = envelope.flags & FLAG_TOMBSTONE ? null : { type: envelope.flags & TYPE_MASK, payload }
  return { body: { version, value: body }, expiry: { version, value: body === null ? 0 : envelope.expireAtMs } }
}

/** The stored form of a register: the envelope carries the newer of the two versions. */
export function recordToStored(state: RecordState): { envelope: Envelope; payload: Buffer } {
  const newest = compareVersions(state.body.version, state.expiry.version) >= 0 ? state.body.version : state.expiry.version
  const body = state.body.value
  const flags = body === null ? FLAG_TOMBSTONE : body.type
  return {
    envelope: { flags, hlc: newest.hlc, origin: newest.origin, expireAtMs: body === null ? 0 : state.expiry.value },
    payload: body === null ? EMPTY : body.payload,
  }
}

const EMPTY = Buffer.alloc(0)
