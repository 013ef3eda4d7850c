// The counter of DESIGN.md §6: a PN-counter with an observed reset. The state of a string key that
// INCR/DECR/INCRBY and SET/DEL all write; a plain SET with no increments reads as a plain LWW string.
//
//   totals    origin -> that origin's running total of its own INCRBY deltas (never reset), with the
//             HLC of its last increment. Only the origin writes its entry, in HLC order, so the
//             entry with the greater HLC is the later one: the join keeps it. (Not the larger
//             total: DECR lowers a total, and max of signed totals would lose it.)
//   reset     the last SET (its bytes) or DEL (null), LWW by version; ZERO_VERSION = never set.
//   observed  origin -> the running totals the resets had seen when they were made, joined as
//             totals are: an increment any reset saw stays cancelled (in version order every
//             increment a SET saw precedes that SET, hence precedes the newest SET too).
//
//   unseen_o = totals_o - observed_o   (the deltas of origin o no reset has seen)
//   value    = reset + Σ unseen_o      (as Redis INCRBY reads it: null = 0; an integer string)
//
// Merge is the product of three joins (LWW, per-origin latest, per-origin latest): commutative,
// associative and idempotent. Concurrent INCRs at different origins land in different entries
// and are all counted; a SET cancels exactly the increments it observed, and increments it did
// not see are added on top. A SET or DEL never hides an increment it did not see, whatever the
// versions: increments are never lost (a DEL concurrent with an INCR leaves the key at the
// unseen delta, as an add-wins set keeps a concurrent SADD). A reset that is not an integer
// (SET k hello) reads as itself: its concurrent increments count as ordered before it.
//
// Range: totals and values are exact bigints here. Each origin checks the i64 range of its own
// result (ERR increment or decrement would overflow); a merged sum may leave it, and then reads
// as its exact decimal and the next INCR there fails with the overflow error.
import { parseInt64 } from '../commands/args'
import type { Counter } from '../commands/string-value'
import { compareBuffers, Lww, mergeLww } from './register'
import { Version, ZERO_VERSION } from './version'

export interface OriginTotal<N> {
  readonly total: N
  /** The HLC of the origin's increment that produced `total`. */
  readonly hlc: bigint
}

export type Totals<N> = ReadonlyMap<number, OriginTotal<N>>

export interface CounterState {
  readonly reset: Lww<Buffer | null>
  readonly observed: Totals<bigint>
  readonly totals: Totals<bigint>
}

export const EMPTY_COUNTER: CounterState = { reset: { version: ZERO_VERSION, value: null }, observed: new Map(), totals: new Map() }

/** Per origin, the later of two entries (greater HLC; equal HLCs are one write: larger total for totality). */
export function joinTotals<N extends bigint | number>(a: Totals<N>, b: Totals<N>): Totals<N> {
  if (b.size === 0) return a
  if (a.size === 0) return b
  const out = new Map(a)
  for (const [origin, entry] of b) {
    const mine = out.get(origin)
    if (mine === undefined || entry.hlc > mine.hlc || (entry.hlc === mine.hlc && entry.total > mine.total)) out.set(origin, entry)
  }
  return out
}

export function mergeCounter(a: CounterState, b: CounterState): CounterState {
  return { reset: mergeLww(a.reset, b.reset, compareBuffers), observed: joinTotals(a.observed, b.observed), totals: joinTotals(a.totals, b.totals) }
}

/** INCRBY at `origin` with the HLC stamped on the write. The command checked the i64 range. */
export function incrCounter(state: CounterState, origin: number, hlc: bigint, delta: bigint): CounterState {
  const total = (state.totals.get(origin)?.total ?? 0n) + delta
  const totals = new Map(state.totals)
  totals.set(origin, { total, hlc })
  return { ...state, totals }
}

/** SET (bytes) or DEL (null) at `version`: it observes every total this replica holds. */
export function resetCounter(state: CounterState, version: Version, value: Buffer | null): CounterState {
  return mergeCounter(state, { reset: { version, value }, observed: state.totals, totals: state.totals })
}

/** Per origin, the deltas no reset has seen; empty when every increment is cancelled. */
export function unseenDeltas(state: CounterState): Map<number, bigint> {
  const out = new Map<number, bigint>()
  for (const [origin, entry] of state.totals) {
    const seen = state.observed.get(origin)
    if (seen === undefined || entry.hlc > seen.hlc) out.set(origin, entry.total - (seen?.total ?? 0n))
  }
  return out
}

/** What GET reads: the reset's bytes when no increment is unseen, else the integer sum (null: no key). */
export function counterBytes(state: CounterState): Buffer | null {
  const view = counterView(state)
  if (view === null || Buffer.isBuffer(view)) return view
  let sum = view.base
  for (const total of view.totals.values()) sum += total
  return Buffer.from(sum.toString())
}

/**
 * The state as the stored record format reads it (string-value.ts): the reset's bytes (a
 * TYPE_STRING record), or a Counter of base plus the unseen deltas per origin (TYPE_COUNTER), or
 * null (no key). A projection for reads and for local INCRs, not the merge state: the stored
 * Counter holds neither the observed totals nor the HLCs, so replication keeps the CounterState.
 */
export function counterView(state: CounterState): Buffer | Counter | null {
  const unseen = unseenDeltas(state)
  const value = state.reset.value
  if (unseen.size === 0) return value
  const base = value === null ? 0n : parseInt64(value)
  if (base === null) return value
  return { base, totals: unseen }
}
