// Placement (DESIGN.md §7): the home replicas of partition `pid` are the top N members by
// rendezvous score XXH3-64([node id u16 BE][pid u16 BE]), highest first (ties, which XXH3 makes
// practically impossible, go to the lower node id). A pure function of (pid, members, N):
//
// - adding a member moves exactly the pids where it scores in the top N: it takes the place of
//   the one member that drops out of the top N, nothing else changes (about N/(n+1) of the
//   replicas when n ≥ N);
// - removing a member moves exactly the pids it was a home of, each to the next-best member;
// - members are the nodes that joined and did not leave (until a long grace after death):
//   a node that is down or falsely suspected stays a home, so ownership never flaps with the
//   failure detector.
//
// With fewer members than N every member is a home of every partition: a node with no seeds is a
// cluster of one and home of everything, whatever N.

import { PARTITIONS, xxh3 } from '../native'

const scratch = Buffer.alloc(4)

export function score (nodeId: number, pid: number): bigint {
  scratch.writeUInt16BE(nodeId, 0)
  scratch.writeUInt16BE(pid, 2)
  return xxh3(scratch)
}

/** Home replicas of `pid`, best first. */
export function homes (pid: number, members: readonly number[], n: number): number[] {
  const scored = members.map((nodeId) => ({ nodeId, s: score(nodeId, pid) }))
  scored.sort((a, b) => (a.s > b.s ? -1 : a.s < b.s ? 1 : a.nodeId - b.nodeId))
  return scored.slice(0, n).map((x) => x.nodeId)
}

/** The homes of every partition, index = pid. */
export function placementTable (members: readonly number[], n: number): number[][] {
  const table: number[][] = new Array(PARTITIONS)
  for (let pid = 0; pid < PARTITIONS; pid++) table[pid] = homes(pid, members, n)
  return table
}

/** Partitions each member is a home of. */
export function homeCounts (table: readonly (readonly number[])[]): Map<number, number> {
  const counts = new Map<number, number>()
  for (const h of table) for (const nodeId of h) counts.set(nodeId, (counts.get(nodeId) ?? 0) + 1)
  return counts
}

/** Replicas that change hands between two tables: (pid, node) pairs gained. */
export function movedReplicas (before: readonly (readonly number[])[], after: readonly (readonly number[])[]): number {
  let moved = 0
  for (let pid = 0; pid < before.length; pid++) {
    const old = new Set(before[pid])
    for (const nodeId of after[pid]) if (!old.has(nodeId)) moved++
  }
  return moved
}
