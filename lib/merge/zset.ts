// A sorted set (DESIGN.md §6): membership is the OR-set (orset.ts: add-wins, a ZREM cancels only
// the tags it saw, DEL hides every tag not newer than it), and every tag also says what its write
// did to the score:
//   ZADD m s     tag {set: s}, and removes the tags it observed (so it cancels exactly the
//                ZADDs and ZINCRBYs it saw: the score register is LWW, a reset as counter.ts's);
//   ZINCRBY m d  tag {incr: d}: a counter of deltas, each its own tag;
//   ZREM m       removes the tags it observed.
// score = the newest live {set} tag's score (0 when none: the member exists by ZINCRBY alone)
//         + the deltas of the live {incr} tags, summed in version order (one order everywhere,
//         so every replica computes the same double).
// So concurrent ZINCRBYs are all counted, a ZADD concurrent with a ZINCRBY it did not see keeps
// the delta on top, and concurrent ZADDs resolve by version. ZADD's NX/XX/GT/LT/CH are decided at
// the origin and travel as the ZADD (or, for ZADD INCR, the ZINCRBY) they turned into.
// Each ZINCRBY is a tag until a ZADD, ZREM or DEL removes it; folding one origin's deltas into
// one tag is only safe once every replica has seen them (causal stability), left to replication.
import { addElement, canonicalOrSet, deleteOrSet, EMPTY_ORSET, liveTags, mergeOrSet, OrSet, orSetMembers, removeElement } from './orset'
import { compareVersions, Version } from './version'

export type ScoreOp = { readonly set: number } | { readonly incr: number }

export type ZSetState = OrSet<ScoreOp>

export const EMPTY_ZSET: ZSetState = EMPTY_ORSET

export function mergeZSet(a: ZSetState, b: ZSetState): ZSetState {
  return mergeOrSet(a, b)
}

/** ZADD member score at `version`. */
export function zadd(state: ZSetState, member: Buffer, version: Version, score: number): ZSetState {
  return addElement(removeElement(state, member), member, version, { set: score })
}

/** ZINCRBY member delta at `version`. */
export function zincrby(state: ZSetState, member: Buffer, version: Version, delta: number): ZSetState {
  return addElement(state, member, version, { incr: delta })
}

/** ZREM member. */
export function zrem(state: ZSetState, member: Buffer): ZSetState {
  return removeElement(state, member)
}

/** DEL of the whole sorted set at `version`. */
export function deleteZSet(state: ZSetState, version: Version): ZSetState {
  return deleteOrSet(state, version)
}

/** A member's score, null when it is not a member. */
export function zscore(state: ZSetState, id: string): number | null {
  const tags = liveTags(state, id)
  if (tags.length === 0) return null
  let base = 0
  let baseTag: Version | null = null
  for (const { tag, payload } of tags) {
    if ('set' in payload && (baseTag === null || compareVersions(tag, baseTag) > 0)) {
      base = payload.set
      baseTag = tag
    }
  }
  let score = base
  for (const { payload } of tags) if ('incr' in payload) score += payload.incr
  return score
}

/** The members and scores, in member order (ranking by score is the reader's). */
export function zsetEntries(state: ZSetState): Array<[string, number]> {
  return orSetMembers(state).map((id) => [id, zscore(state, id)!])
}

export function canonicalZSet(state: ZSetState): string {
  return canonicalOrSet(state)
}
