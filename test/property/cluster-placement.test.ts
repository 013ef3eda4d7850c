// Placement (lib/cluster/placement.ts): rendezvous homes are a pure function of (pid, members,
// N); adding or removing one member moves exactly the replicas it wins or held, and about N/n of
// them; a member's down/up state plays no part (it is not an input).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { homeCounts, homes, movedReplicas, placementTable } from '../../lib/cluster/placement'
import { PARTITIONS } from '../../lib/native'

const membersArb = fc.uniqueArray(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 12 })
const nArb = fc.integer({ min: 1, max: 5 })

/** Binomial tolerance: the count of pids a new member wins is Binomial(4096, p). */
function assertAbout (actual: number, p: number, what: string): void {
  const mean = PARTITIONS * p
  const sd = Math.sqrt(PARTITIONS * p * (1 - p))
  assert.ok(Math.abs(actual - mean) <= 6 * sd + 1, `${what}: ${actual}, expected about ${mean.toFixed(0)}`)
}

describe('placement: rendezvous homes', () => {
  it('homes are min(N, members) distinct members, whatever the order of the members', () => {
    fc.assert(fc.property(membersArb, nArb, fc.integer({ min: 0, max: PARTITIONS - 1 }), (members, n, pid) => {
      const h = homes(pid, members, n)
      assert.equal(h.length, Math.min(n, members.length))
      assert.equal(new Set(h).size, h.length)
      for (const id of h) assert.ok(members.includes(id))
      assert.deepEqual(homes(pid, [...members].reverse(), n), h)
    }), { numRuns: 300 })
  })

  it('a cluster of one is home of everything, whatever N', () => {
    for (const n of [1, 3, 255]) assert.deepEqual(homeCounts(placementTable([7], n)), new Map([[7, PARTITIONS]]))
  })

  it('adding a member moves exactly the pids it wins, each displacing one home, about N/(n+1) of them', () => {
    fc.assert(fc.property(membersArb, nArb, fc.integer({ min: 0, max: 65535 }), (members, n, added) => {
      fc.pre(!members.includes(added))
      const before = placementTable(members, n)
      const after = placementTable([...members, added], n)
      let won = 0
      for (let pid = 0; pid < PARTITIONS; pid++) {
        const b = before[pid]
        const a = after[pid]
        if (!a.includes(added)) {
          assert.deepEqual(a, b, `pid ${pid} moved without the new member`)
          continue
        }
        won++
        // The new member joins; the worst old home drops out only if the set was full.
        const kept = b.length === n ? b.slice(0, n - 1) : b
        assert.deepEqual(new Set(a), new Set([...kept, added]), `pid ${pid}`)
      }
      assert.equal(movedReplicas(before, after), won)
      assertAbout(won, Math.min(1, n / (members.length + 1)), `pids won by a member added to ${members.length} with N=${n}`)
    }), { numRuns: 25 })
  })

  it('removing a member moves exactly the pids it held, each to the next-best member', () => {
    fc.assert(fc.property(membersArb.filter((m) => m.length >= 2), nArb, fc.nat(), (members, n, which) => {
      const removed = members[which % members.length]
      const rest = members.filter((m) => m !== removed)
      const before = placementTable(members, n)
      const after = placementTable(rest, n)
      let held = 0
      for (let pid = 0; pid < PARTITIONS; pid++) {
        const b = before[pid]
        const a = after[pid]
        if (!b.includes(removed)) {
          assert.deepEqual(a, b, `pid ${pid} moved though ${removed} was not its home`)
          continue
        }
        held++
        const nextBest = homes(pid, members, n + 1)[n] // undefined when every member was a home
        assert.deepEqual(new Set(a), new Set([...b.filter((m) => m !== removed), ...(nextBest === undefined ? [] : [nextBest])]), `pid ${pid}`)
      }
      assert.equal(movedReplicas(before, after), members.length > n ? held : 0)
      assertAbout(held, Math.min(1, n / members.length), `pids held by one of ${members.length} members with N=${n}`)
    }), { numRuns: 25 })
  })

  it('spreads partitions evenly: each of n members is a home of about N/n of them', () => {
    const members = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    for (const [id, count] of homeCounts(placementTable(members, 3))) assertAbout(count, 3 / 10, `member ${id}`)
  })

  it('figures: a 4th node joining nodes 0..2 moves 3/4 of the pids with N=3, half with N=2', () => {
    const moved3 = movedReplicas(placementTable([0, 1, 2], 3), placementTable([0, 1, 2, 3], 3))
    const moved2 = movedReplicas(placementTable([0, 1, 2], 2), placementTable([0, 1, 2, 3], 2))
    assertAbout(moved3, 3 / 4, 'N=3')
    assertAbout(moved2, 2 / 4, 'N=2')
    if (process.env.CLUSTER_FIGURES) console.log(`partitions moved when node 3 joins 0..2: N=3 ${moved3}, N=2 ${moved2}`)
  })
})
