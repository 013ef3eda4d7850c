// lib/cluster's pure core with assert alone: the wire codec, scuttlebutt digest/delta/merge,
// the phi-accrual detector, the gossiper's rounds and verdicts, and that the core does no IO.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ArrivalWindow, deadAfterMs } from '../../lib/cluster/failure-detector'
import { DEFAULT_PARAMS, Gossiper, type Outgoing } from '../../lib/cluster/gossiper'
import { applyNodeDelta, buildDelta, buildDigest, NodeState } from '../../lib/cluster/state'
import { decode, DATAGRAM_BYTES_MAX, encode, type Message, messageBytes, WireError } from '../../lib/cluster/wire'

/** A fixed-sequence "random" source. */
const rng = (): (() => number) => {
  let x = 1
  return () => ((x = (x * 48271) % 2147483647) / 2147483647)
}

function nodeWith (id: number, gen: number, kvs: Record<string, string>, heartbeat = 0): NodeState {
  const s = new NodeState(id, gen)
  for (const [k, v] of Object.entries(kvs)) s.set(k, v)
  s.heartbeat = heartbeat
  return s
}

describe('cluster: wire codec', () => {
  const from = { nodeId: 7, generation: 1_763_700_000_123 }
  const messages: Message[] = [
    { type: 'syn', from, digest: [{ nodeId: 0, generation: 1, heartbeat: 300, maxVersion: 6 }, { nodeId: 65535, generation: 2 ** 50, heartbeat: 0, maxVersion: 0 }] },
    { type: 'synack', from, digest: [], delta: [{ nodeId: 3, generation: 9, heartbeat: 12, kvs: [{ key: 'addr', value: '10.0.0.3', version: 1 }, { key: 'ü', value: '', version: 200 }] }] },
    { type: 'ack', from, delta: [] },
  ]

  it('round-trips every message type, sized exactly', () => {
    for (const m of messages) {
      const buf = encode(m)
      assert.equal(buf.length, messageBytes(m))
      assert.deepEqual(decode(buf), m)
    }
  })

  it('rejects garbage, truncation, trailing bytes and out-of-order versions', () => {
    const good = encode(messages[1])
    assert.throws(() => decode(Buffer.from('hello')), WireError)
    assert.throws(() => decode(Buffer.alloc(0)), WireError)
    for (let n = 0; n < good.length; n++) assert.throws(() => decode(good.subarray(0, n)), WireError)
    assert.throws(() => decode(Buffer.concat([good, Buffer.from([0])])), WireError)
    const swapped: Message = { type: 'ack', from, delta: [{ nodeId: 1, generation: 1, heartbeat: 1, kvs: [{ key: 'a', value: 'x', version: 5 }, { key: 'b', value: 'y', version: 4 }] }] }
    assert.throws(() => decode(encode(swapped)), /version order/)
    assert.throws(() => decode(Buffer.alloc(DATAGRAM_BYTES_MAX + 1, 0x4d)), WireError)
  })

  it('refuses to encode past the datagram limit', () => {
    const big: Message = { type: 'ack', from, delta: [{ nodeId: 1, generation: 1, heartbeat: 1, kvs: [{ key: 'k', value: 'x'.repeat(1000), version: 1 }, { key: 'l', value: 'y'.repeat(1000), version: 2 }] }] }
    assert.throws(() => encode(big), /exceeds the datagram limit/)
  })
})

describe('cluster: scuttlebutt state', () => {
  it('a delta carries what the digest lacks, and merging it equalizes the digests', () => {
    const a = new Map([[1, nodeWith(1, 10, { addr: 'a', gossip: '1', status: 'alive' }, 5)], [2, nodeWith(2, 20, { addr: 'b' }, 3)]])
    const b = new Map([[2, nodeWith(2, 20, {}, 1)]])
    const delta = buildDelta(a.values(), buildDigest(b.values(), 1000, rng()), 1000, rng())
    assert.deepEqual(delta.map((d) => d.nodeId).sort(), [1, 2])
    for (const d of delta) applyNodeDelta(b, d)
    assert.deepEqual(buildDigest(b.values(), 1000, rng()).sort((x, y) => x.nodeId - y.nodeId), buildDigest(a.values(), 1000, rng()).sort((x, y) => x.nodeId - y.nodeId))
    assert.equal(b.get(1)!.get('status'), 'alive')
    // Nothing more to say once equal.
    assert.deepEqual(buildDelta(a.values(), buildDigest(b.values(), 1000, rng()), 1000, rng()), [])
  })

  it('a cut delta is a version-order prefix and the rest follows', () => {
    const kvs: Record<string, string> = {}
    for (let i = 0; i < 40; i++) kvs[`key${i}`] = 'v'.repeat(50)
    const a = new Map([[1, nodeWith(1, 10, kvs, 1)]])
    const b = new Map<number, NodeState>()
    let rounds = 0
    for (;;) {
      const delta = buildDelta(a.values(), buildDigest(b.values(), 1000, rng()), 300, rng())
      if (delta.length === 0) break
      const versions = delta[0].kvs.map((kv) => kv.version)
      assert.deepEqual(versions, [...versions].sort((x, y) => x - y))
      assert.equal(versions[0], (b.get(1)?.maxVersion ?? 0) + 1)
      for (const d of delta) applyNodeDelta(b, d)
      rounds++
    }
    assert.ok(rounds > 5)
    assert.equal(b.get(1)!.kv.size, 40)
    assert.equal(b.get(1)!.maxVersion, 40)
  })

  it('a newer generation replaces the old state; an older one is ignored', () => {
    const b = new Map([[1, nodeWith(1, 10, { addr: 'a', old: 'x' }, 50)]])
    assert.equal(applyNodeDelta(b, { nodeId: 1, generation: 9, heartbeat: 99, kvs: [{ key: 'addr', value: 'z', version: 9 }] }).outcome, 'ignored')
    assert.equal(b.get(1)!.get('addr'), 'a')
    const r = applyNodeDelta(b, { nodeId: 1, generation: 11, heartbeat: 1, kvs: [{ key: 'addr', value: 'c', version: 1 }] })
    assert.equal(r.outcome, 'replaced')
    assert.equal(b.get(1)!.get('old'), undefined)
    assert.equal(b.get(1)!.heartbeat, 1)
    // And a peer that knows the old generation gets the new one whole.
    const stale = buildDelta(b.values(), [{ nodeId: 1, generation: 10, heartbeat: 50, maxVersion: 2 }], 1000, rng())
    assert.equal(stale[0].kvs.length, 1)
  })

  it('a heartbeat-only change is a small delta; a digest that knows more gets nothing', () => {
    const a = new Map([[1, nodeWith(1, 10, { addr: 'a' }, 9)]])
    assert.deepEqual(buildDelta(a.values(), [{ nodeId: 1, generation: 10, heartbeat: 8, maxVersion: 1 }], 1000, rng()), [{ nodeId: 1, generation: 10, heartbeat: 9, kvs: [] }])
    assert.deepEqual(buildDelta(a.values(), [{ nodeId: 1, generation: 11, heartbeat: 0, maxVersion: 0 }], 1000, rng()), [])
  })

  it('a digest too large for the budget is a subset that fits', () => {
    const many = Array.from({ length: 200 }, (_, i) => nodeWith(i, 1_763_700_000_000 + i, {}, 100000))
    const d = buildDigest(many, 1000, rng())
    assert.ok(d.length > 50 && d.length < 200)
    assert.equal(new Set(d.map((e) => e.nodeId)).size, d.length)
  })
})

describe('cluster: phi-accrual detector', () => {
  const p = DEFAULT_PARAMS.detector

  it('states its bounds: 3.7 s at one heartbeat a round, never past 7.4 s', () => {
    assert.equal(Math.round(deadAfterMs(p, 200)), 3684)
    assert.equal(Math.round(deadAfterMs(p, 10_000)), 7368)
    assert.equal(Math.round(deadAfterMs(p, 1)), 3684)
  })

  it('suspects a node just after the bound, not before', () => {
    const w = new ArrivalWindow(p, 0)
    for (let t = 200; t <= 10_000; t += 200) w.heartbeat(t)
    assert.equal(w.meanMs(), 200)
    assert.equal(w.suspected(10_000 + 3600), false)
    assert.equal(w.suspected(10_000 + 3700), true)
    assert.ok(w.phi(10_000 + 3700) > 8)
  })

  it('a slow history stretches the verdict up to the clamp', () => {
    const w = new ArrivalWindow(p, 0)
    for (let t = 1000; t <= 100_000; t += 1000) w.heartbeat(t)
    assert.equal(w.meanMs(), 400)
    assert.equal(w.suspected(100_000 + 7300), false)
    assert.equal(w.suspected(100_000 + 7400), true)
  })
})

describe('cluster: gossiper', () => {
  const params = { ...DEFAULT_PARAMS, deadGraceMs: 60_000 }
  const make = (id: number, gen = 1000 + id) => new Gossiper({ nodeId: id, generation: gen, addr: '10.0.0.1', gossipPort: 7000 + id, ports: { resp: 6379 } }, params, 0)

  /** Deliver every message (and the replies) at once, by address. */
  function exchange (nodes: Gossiper[], out: Outgoing[], now: number): void {
    const r = rng()
    const byAddr = new Map(nodes.map((n) => [n.selfAddr, n]))
    const queue = out.map((o) => ({ ...o, fromAddr: '' }))
    let i = 0
    while (i < queue.length) {
      const { to, message } = queue[i++]
      const target = byAddr.get(to)
      if (target === undefined) continue
      const fromAddr = nodes.find((n) => n.self.nodeId === message.from.nodeId && n.self.generation === message.from.generation)?.selfAddr ?? ''
      const step = target.receive(fromAddr, decode(encode(message)), now, r)
      queue.push(...step.out.map((o) => ({ ...o, fromAddr: target.selfAddr })))
    }
  }

  function round (nodes: Gossiper[], now: number, seeds: string[]): void {
    const r = rng()
    for (const n of nodes) exchange(nodes, n.tick(now, r, seeds).out, now)
  }

  it('three nodes with one seed learn each other, become alive members, and a silent one dies', () => {
    const nodes = [make(0), make(1), make(2)]
    const seeds = [nodes[0].selfAddr]
    for (let t = 0; t <= 2000; t += 200) round(nodes, t, seeds)
    for (const n of nodes) {
      assert.deepEqual(n.view(2000).map((v) => [v.nodeId, v.live, v.status]), [[0, true, 'alive'], [1, true, 'alive'], [2, true, 'alive']])
      assert.deepEqual(n.members(), [0, 1, 2])
      assert.equal(n.view(2000).find((v) => v.nodeId === 2)!.kv.resp, '6379')
    }
    // Node 2 stops.
    let deadAt = -1
    for (let t = 2200; t <= 9000 && deadAt < 0; t += 200) {
      round(nodes.slice(0, 2), t, seeds)
      if (!nodes[0].isLive(2) && !nodes[1].isLive(2)) deadAt = t
    }
    assert.ok(deadAt > 2000 + 3600 && deadAt < 2000 + 7400, `dead at ${deadAt}`)
    // Still a member: ownership does not flap with failure detection.
    assert.deepEqual(nodes[0].members(), [0, 1, 2])
    // It restarts with a new generation and is alive again everywhere.
    nodes[2] = make(2, 5000)
    for (let t = 9200; t <= 11000; t += 200) round(nodes, t, seeds)
    for (const n of nodes) assert.ok(n.isLive(2))
    assert.equal(nodes[0].view(11000).find((v) => v.nodeId === 2)!.generation, 5000)
  })

  it('a node dead past the grace is forgotten: out of the view and the members, and stays out', () => {
    const nodes = [make(0), make(1), make(2)]
    const seeds = [nodes[0].selfAddr]
    for (let t = 0; t <= 2000; t += 200) round(nodes, t, seeds)
    const removed: number[] = []
    for (let t = 2200; t <= 2000 + 8000 + params.deadGraceMs; t += 200) {
      const r = rng()
      for (const n of nodes.slice(0, 2)) {
        const step = n.tick(t, r, seeds)
        for (const e of step.events) if (e.kind === 'removed') removed.push(n.self.nodeId)
        exchange(nodes.slice(0, 2), step.out, t)
      }
    }
    assert.deepEqual(removed.sort(), [0, 1])
    for (const n of nodes.slice(0, 2)) assert.deepEqual(n.members(), [0, 1])
  })

  it('two live processes with one node id are reported', () => {
    const a = make(5, 1000)
    const b = make(5, 2000)
    const c = make(6)
    const events: string[] = []
    const r = rng()
    // a and c gossip; then b (same id, newer generation) joins through c.
    const deliver = (from: Gossiper, to: Gossiper, m: Message, now: number) => {
      const step = to.receive(from.selfAddr, decode(encode(m)), now, r)
      for (const e of step.events) if (e.kind === 'conflict') events.push(`${to.self.generation}`)
      for (const o of step.out) deliver(to, from, o.message, now)
    }
    for (let t = 0; t < 1000; t += 200) for (const o of a.tick(t, r, [c.selfAddr]).out) deliver(a, c, o.message, t)
    for (let t = 1000; t < 2000; t += 200) for (const o of b.tick(t, r, [c.selfAddr]).out) deliver(b, c, o.message, t)
    for (let t = 2000; t < 3000; t += 200) for (const o of a.tick(t, r, [c.selfAddr]).out) deliver(a, c, o.message, t)
    assert.ok(events.includes('1000'), 'the older process sees the newer one')
    assert.ok(a.conflicts > 0)
  })
})

describe('cluster: purity', () => {
  it('the core requires no IO module and reads no clock or randomness', () => {
    const dir = join(__dirname, '../../lib/cluster')
    const core = ['wire.js', 'state.js', 'failure-detector.js', 'gossiper.js', 'placement.js']
    for (const file of core) {
      const source = readFileSync(join(dir, file), 'utf8')
      for (const [, name] of source.matchAll(/require\("([^"]+)"\)/g)) assert.ok(name.startsWith('./') || name === '../native', `${file} requires ${name}`)
      assert.doesNotMatch(source, /Date\.now|Math\.random|performance\.now|process\./, file)
    }
    assert.ok(readdirSync(dir).includes('wire.js'))
  })
})
