// A hash (DESIGN.md §6): per field a register (HSET, HDEL, HINCRBYFLOAT) or a counter (HINCRBY),
// both one CounterState (counter.ts): a field's reset is its LWW value, its totals the HINCRBY
// deltas. A whole-hash delete (DEL, or an overwrite by another type) is a collection tombstone:
// `deleted`, the newest such version, hides every field value written before it, and the deleting
// replica's observation cancels the HINCRBY deltas it saw. A field written after the delete shows;
// an HINCRBY the delete did not see still counts (increments are never lost, as for strings).
//
// Fields are keyed by their bytes as latin1 (one char per byte, so no two fields collide).
import { canonical } from './canonical'
import { counterBytes, CounterState, EMPTY_COUNTER, incrCounter, joinTotals, mergeCounter, resetCounter } from './counter'
import { compareVersions, maxVersion, Version, ZERO_VERSION } from './version'

export interface HashState {
  /** The newest whole-hash delete; ZERO_VERSION: never deleted. */
  readonly deleted: Version
  readonly fields: ReadonlyMap<string, CounterState>
}

export const EMPTY_HASH: HashState = { deleted: ZERO_VERSION, fields: new Map() }

export function mergeHash(a: HashState, b: HashState): HashState {
  const fields = new Map(a.fields)
  for (const [field, state] of b.fields) {
    const mine = fields.get(field)
    fields.set(field, mine === undefined ? state : mergeCounter(mine, state))
  }
  return { deleted: maxVersion(a.deleted, b.deleted), fields }
}

function withField(state: HashState, field: Buffer, next: (current: CounterState) => CounterState): HashState {
  const id = field.toString('latin1')
  const fields = new Map(state.fields)
  fields.set(id, next(state.fields.get(id) ?? EMPTY_COUNTER))
  return { deleted: state.deleted, fields }
}

/** HSET/HINCRBYFLOAT (bytes) or HDEL (null) of one field at `version`. */
export function setField(state: HashState, field: Buffer, version: Version, value: Buffer | null): HashState {
  return withField(state, field, (current) => resetCounter(current, version, value))
}

/** HINCRBY at `origin`, stamped `hlc`. */
export function incrField(state: HashState, field: Buffer, origin: number, hlc: bigint, delta: bigint): HashState {
  return withField(state, field, (current) => incrCounter(current, origin, hlc, delta))
}

/** DEL of the whole hash at `version`: the tombstone, and every delta this replica holds observed. */
export function deleteHash(state: HashState, version: Version): HashState {
  const fields = new Map<string, CounterState>()
  for (const [field, current] of state.fields) fields.set(field, { ...current, observed: joinTotals(current.observed, current.totals) })
  return { deleted: maxVersion(state.deleted, version), fields }
}

/** A field as reads see it: its value unless the hash was deleted after it was written. */
export function fieldBytes(state: HashState, field: string): Buffer | null {
  const current = state.fields.get(field)
  if (current === undefined) return null
  if (compareVersions(current.reset.version, state.deleted) >= 0) return counterBytes(current)
  return counterBytes({ ...current, reset: { version: state.deleted, value: null } })
}

/** HGETALL: the visible fields in field order. An empty result means no key. */
export function hashEntries(state: HashState): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = []
  for (const field of [...state.fields.keys()].sort()) {
    const value = fieldBytes(state, field)
    if (value !== null) out.push([field, value])
  }
  return out
}

export function canonicalHash(state: HashState): string {
  return canonical(state)
}
