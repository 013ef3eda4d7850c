// Scuttlebutt reconciliation (van Renesse et al. 2008, as chitchat does it): every node owns a
// key-value state; each write of its own gets the next version number of that node. A digest
// lists, per known node, (generation, heartbeat, max version); the answer to a digest is a
// delta: for every node the peer lags on, the key-values with a version above the peer's, in
// version order, and the newer heartbeat. A delta is cut to fit one datagram; since it is a
// prefix in version order, the receiver's max version stays exact and the rest comes next round.
//
// A node that restarts comes back with a greater generation (its start time): a state of a
// greater generation replaces the older one wholesale, an older one is ignored.
//
// Pure: no IO, no clock; randomness (which nodes go first when a delta must be cut) is passed in.

import {
  COUNT_BYTES, deltaHeaderBytes, type DigestEntry, digestEntryBytes, type KeyValue, kvBytes, type NodeDelta,
} from './wire'

export type Rng = () => number

export interface VersionedValue { readonly value: string; readonly version: number }

export class NodeState {
  heartbeat = 0
  maxVersion = 0
  readonly kv = new Map<string, VersionedValue>()
  constructor (readonly nodeId: number, readonly generation: number) {}

  get (key: string): string | undefined {
    return this.kv.get(key)?.value
  }

  /** The owner's write: the next version. */
  set (key: string, value: string): void {
    if (this.kv.get(key)?.value === value) return
    this.maxVersion++
    this.kv.set(key, { value, version: this.maxVersion })
  }

  digest (): DigestEntry {
    return { nodeId: this.nodeId, generation: this.generation, heartbeat: this.heartbeat, maxVersion: this.maxVersion }
  }

  /** Key-values above `version`, in version order. */
  since (version: number): KeyValue[] {
    const out: KeyValue[] = []
    for (const [key, v] of this.kv) if (v.version > version) out.push({ key, value: v.value, version: v.version })
    return out.sort((a, b) => a.version - b.version)
  }
}

/** Fisher-Yates with the injected randomness. */
export function shuffle<T> (items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = items[i]
    items[i] = items[j]
    items[j] = t
  }
  return items
}

/**
 * The digest of `states`, within `budgetBytes` (count included). When it does not fit (a
 * cluster of more than ~100 nodes), a random subset goes: the peer then simply sends state for
 * nodes it thinks we lack, still cut to one datagram.
 */
export function buildDigest (states: Iterable<NodeState>, budgetBytes: number, rng: Rng): DigestEntry[] {
  const all = [...states].map((s) => s.digest())
  let size = COUNT_BYTES
  for (const e of all) size += digestEntryBytes(e)
  if (size <= budgetBytes) return all
  const out: DigestEntry[] = []
  size = COUNT_BYTES
  for (const e of shuffle(all, rng)) {
    const n = digestEntryBytes(e)
    if (size + n > budgetBytes) continue
    out.push(e)
    size += n
  }
  return out
}

/**
 * What the peer that sent `digest` lacks of `states`, within `budgetBytes` (count included).
 * Nodes the peer does not know, or knows in an older generation, go whole; nodes it knows in a
 * newer generation are skipped; for the rest, the key-values above its max version and the
 * heartbeat when ours is higher. Nodes are taken in random order so that under a tight budget
 * every node gets its turn; each node's key-values are a prefix in version order.
 */
export function buildDelta (states: Iterable<NodeState>, digest: readonly DigestEntry[], budgetBytes: number, rng: Rng): NodeDelta[] {
  const theirs = new Map<number, DigestEntry>()
  for (const e of digest) theirs.set(e.nodeId, e)
  const stale: Array<{ state: NodeState; fromVersion: number }> = []
  for (const s of states) {
    const d = theirs.get(s.nodeId)
    if (d === undefined || d.generation < s.generation) stale.push({ state: s, fromVersion: 0 })
    else if (d.generation === s.generation && (d.maxVersion < s.maxVersion || d.heartbeat < s.heartbeat)) stale.push({ state: s, fromVersion: d.maxVersion })
  }
  const out: NodeDelta[] = []
  let size = COUNT_BYTES
  for (const { state, fromVersion } of shuffle(stale, rng)) {
    const header = deltaHeaderBytes(state.nodeId, state.generation, state.heartbeat)
    if (size + header > budgetBytes) continue
    const kvs: KeyValue[] = []
    let used = header
    for (const kv of state.since(fromVersion)) {
      const n = kvBytes(kv)
      if (size + used + n > budgetBytes) break
      kvs.push(kv)
      used += n
    }
    const d = theirs.get(state.nodeId)
    const newsless = kvs.length === 0 && d !== undefined && d.generation === state.generation && d.heartbeat >= state.heartbeat
    if (newsless) continue
    out.push({ nodeId: state.nodeId, generation: state.generation, heartbeat: state.heartbeat, kvs })
    size += used
  }
  return out
}

export type ApplyOutcome = 'ignored' | 'created' | 'replaced' | 'updated'

/**
 * Merge one node's delta into `states` (never our own node: the caller filters it). Returns what
 * happened and whether the heartbeat rose (a failure-detector arrival).
 */
export function applyNodeDelta (states: Map<number, NodeState>, d: NodeDelta): { outcome: ApplyOutcome; heartbeat: boolean } {
  let s = states.get(d.nodeId)
  let outcome: ApplyOutcome = 'updated'
  if (s === undefined || s.generation < d.generation) {
    outcome = s === undefined ? 'created' : 'replaced'
    s = new NodeState(d.nodeId, d.generation)
    states.set(d.nodeId, s)
  } else if (s.generation > d.generation) {
    return { outcome: 'ignored', heartbeat: false }
  }
  let changed = outcome !== 'updated'
  for (const kv of d.kvs) {
    const mine = s.kv.get(kv.key)
    if (mine !== undefined && mine.version >= kv.version) continue
    s.kv.set(kv.key, { value: kv.value, version: kv.version })
    changed = true
  }
  for (const kv of d.kvs) s.maxVersion = Math.max(s.maxVersion, kv.version)
  const heartbeat = d.heartbeat > s.heartbeat
  if (heartbeat) s.heartbeat = d.heartbeat
  if (!changed && !heartbeat) outcome = 'ignored'
  return { outcome, heartbeat }
}
