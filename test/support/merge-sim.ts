// A tiny replica simulation for the merge property tests: replicas apply ops stamped with HLC-like
// versions (a replica's clock passes every version it has seen, as HLC update does) and sync by
// merging whole states in any order. Beside the states it records, per replica, which ops it
// knows of (a causally closed set of op ids): the reference models in the tests read that.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Version } from '../../lib/merge/version'

export type Step<Op> =
  | { readonly kind: 'op'; readonly replica: number; readonly skew: number; readonly op: Op }
  | { readonly kind: 'sync'; readonly from: number; readonly to: number }

export interface Event<Op> {
  readonly id: number
  readonly replica: number
  readonly version: Version
  readonly op: Op
  /** Ops the replica knew of when it applied this one (not itself). */
  readonly known: ReadonlySet<number>
}

export interface SimResult<S, Op> {
  readonly states: S[]
  readonly known: Array<Set<number>>
  readonly events: Array<Event<Op>>
}

export const REPLICAS = 3

export function stepsArb<Op>(op: fc.Arbitrary<Op>, maxLength = 40): fc.Arbitrary<Array<Step<Op>>> {
  const replica = fc.nat(REPLICAS - 1)
  const step: fc.Arbitrary<Step<Op>> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('op' as const), replica, skew: fc.nat(3), op }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: replica, to: replica }) },
  )
  return fc.array(step, { maxLength })
}

/** Origin of replica r: node ids start at 1 so every version is newer than ZERO_VERSION. */
export const originOf = (replica: number): number => replica + 1

export function simulate<S, Op>(
  steps: Array<Step<Op>>,
  empty: S,
  merge: (a: S, b: S) => S,
  apply: (state: S, version: Version, op: Op) => S,
): SimResult<S, Op> {
  const states = Array.from({ length: REPLICAS }, () => empty)
  const clocks = Array.from({ length: REPLICAS }, () => 0n)
  const known = Array.from({ length: REPLICAS }, () => new Set<number>())
  const events: Array<Event<Op>> = []
  for (const step of steps) {
    if (step.kind === 'sync') {
      states[step.to] = merge(states[step.to], states[step.from])
      if (clocks[step.from] > clocks[step.to]) clocks[step.to] = clocks[step.from]
      for (const id of known[step.from]) known[step.to].add(id)
      continue
    }
    const r = step.replica
    clocks[r] += 1n + BigInt(step.skew)
    const version = { hlc: clocks[r], origin: originOf(r) }
    events.push({ id: events.length, replica: r, version, op: step.op, known: new Set(known[r]) })
    known[r].add(events.length - 1)
    states[r] = apply(states[r], version, step.op)
  }
  return { states, known, events }
}

/** Commutative, associative, idempotent on three states, and merging everything in any order agrees. */
export function assertLaws<S>(merge: (a: S, b: S) => S, canon: (s: S) => string, [a, b, c]: S[]): void {
  assert.equal(canon(merge(a, b)), canon(merge(b, a)), 'commutative')
  assert.equal(canon(merge(merge(a, b), c)), canon(merge(a, merge(b, c))), 'associative')
  assert.equal(canon(merge(a, a)), canon(a), 'idempotent')
  assert.equal(canon(merge(merge(a, b), b)), canon(merge(a, b)), 'absorbs what it has')
}

/** Every replica after a full exchange. */
export function mergeAll<S>(merge: (a: S, b: S) => S, states: S[]): S {
  return states.reduce((x, y) => merge(x, y))
}

export const RUNS = 1000

/** A counter op as the reference model sees it: an increment, or a SET (bytes) / DEL (null). */
export type CounterModelOp = { readonly kind: 'incr'; readonly delta: bigint } | { readonly kind: 'reset'; readonly value: Buffer | null }

/**
 * The reference reading of DESIGN.md §6 counters, from the ops a replica knows of: the newest
 * reset (by version) gives the base; an increment is cancelled when some known reset had seen it;
 * with no uncancelled increment the key reads as the reset's bytes (null: no key), else as the
 * integer base (0 for a DEL or no reset) plus the uncancelled deltas; a non-integer base reads as itself.
 */
export function modelCounter(events: Array<Event<CounterModelOp>>, known: ReadonlySet<number>): Buffer | null {
  const mine = events.filter((e) => known.has(e.id))
  let newest: Event<CounterModelOp> | null = null
  const cancelled = new Set<number>()
  for (const e of mine) {
    if (e.op.kind !== 'reset') continue
    if (newest === null || e.version.hlc > newest.version.hlc || (e.version.hlc === newest.version.hlc && e.version.origin > newest.version.origin)) newest = e
    for (const id of e.known) cancelled.add(id)
  }
  const unseen = mine.filter((e) => e.op.kind === 'incr' && !cancelled.has(e.id))
  const value = newest === null ? null : (newest.op as { value: Buffer | null }).value
  if (unseen.length === 0) return value
  const text = value === null ? '0' : value.toString('latin1')
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return value
  let sum = BigInt(text)
  for (const e of unseen) sum += (e.op as { delta: bigint }).delta
  return Buffer.from(sum.toString())
}

/** Buffers as text for readable assertion failures. */
export const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('latin1'))
