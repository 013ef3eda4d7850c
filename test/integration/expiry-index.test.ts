// The expiry and tombstone indexes: written with the records they index, read by the sweep
// instead of every record, built once for a data dir from before them. On a real RocksDB, with
// the real command handlers; the last test runs a server process.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import Redis from 'ioredis'
import { SharedHlc } from '../../lib/core/clock'
import { dataCommands } from '../../lib/commands/data-table'
import { ExecContext } from '../../lib/engine/exec-context'
import { KeyCounts } from '../../lib/engine/key-counts'
import { KeyspaceStats } from '../../lib/engine/keyspace-stats'
import { runOne } from '../../lib/engine/run-one'
import { indexRecordsOnce, newSweepCursor, SWEEP_RECORDS_PER_STEP, sweepStep } from '../../lib/engine/sweep'
import { hlcPhysical, partitionOf } from '../../lib/native'
import { decodeEnvelope } from '../../lib/storage/envelope'
import {
  FLAG_TOMBSTONE, prefixEnd, SYS_EXPIRY_PREFIX, SYS_TIME_INDEXED, SYS_TOMBSTONE_PREFIX, timeIndexKey, TOMBSTONE_GC_GRACE_MS,
} from '../../lib/storage/layout'
import type { Store } from '../../lib/storage/store'
import { startMarekvs } from '../support/servers'
import { tempStore } from '../support/store'

const b = (text: string): Buffer => Buffer.from(text)
const ALL_META = { gte: Buffer.alloc(0), lt: Buffer.alloc(2, 0xff) }

/** The index entries the records in meta call for, and the ones stored, as sorted hex. */
function expectedAndStored(store: Store): { expected: string[]; stored: string[] } {
  const expected: string[] = []
  for (const { key, value } of store.scan('meta', ALL_META.gte, ALL_META.lt, 1_000_000)) {
    const envelope = decodeEnvelope(value)
    const pid = key.readUInt16BE(0)
    const userKey = key.subarray(2)
    if (envelope.flags & FLAG_TOMBSTONE) expected.push(timeIndexKey(SYS_TOMBSTONE_PREFIX, pid, hlcPhysical(envelope.hlc), userKey).toString('hex'))
    else if (envelope.expireAtMs !== 0) expected.push(timeIndexKey(SYS_EXPIRY_PREFIX, pid, envelope.expireAtMs, userKey).toString('hex'))
  }
  const stored: string[] = []
  for (const prefix of [SYS_EXPIRY_PREFIX, SYS_TOMBSTONE_PREFIX]) {
    for (const { key } of store.scan('sys', prefix, prefixEnd(prefix), 1_000_000)) stored.push(key.toString('hex'))
  }
  return { expected: expected.sort(), stored: stored.sort() }
}

function newContext(store: Store): ExecContext {
  return new ExecContext(store, SharedHlc.create(0n), 1, 'test', KeyCounts.load(store), new KeyspaceStats(KeyspaceStats.buffer(0), 0))
}

function run(ctx: ExecContext, ...argv: string[]): void {
  runOne(ctx, dataCommands.get(argv[0].toLowerCase()), argv.map(b))
}

describe('expiry and tombstone indexes', () => {
  const temp = tempStore()

  it('hold exactly one entry per record with a TTL and per tombstone, whatever commands ran', () => {
    let round = 0
    const key = fc.constantFrom('a', 'b', 'c')
    const command = fc.oneof(
      fc.tuple(key, fc.constantFrom('', 'PX 500', 'EX 1', 'KEEPTTL', 'PXAT 1')).map(([k, opt]) => ['SET', k, 'v', ...opt.split(' ').filter(Boolean)]),
      key.map((k) => ['DEL', k]),
      key.map((k) => ['PERSIST', k]),
      fc.tuple(key, fc.integer({ min: -1, max: 3 })).map(([k, s]) => ['EXPIRE', k, String(s)]),
      key.map((k) => ['GETEX', k, 'PX', '2000']),
      key.map((k) => ['GETDEL', k]),
      fc.tuple(key, key).map(([from, to]) => ['RENAME', from, to]),
      key.map((k) => ['HSET', k, 'f', 'v']),
      key.map((k) => ['INCR', k]),
    )
    // Batches of commands, each committed at its own time, some past the TTLs set before.
    const batches = fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.array(command, { minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 8 })
    fc.assert(fc.property(batches, (plan) => {
      const ctx = newContext(temp.store)
      const prefix = `r${round++}:`
      let nowMs = 1_700_000_000_000 + round * 1_000_000
      for (const [advanceMs, commands] of plan) {
        nowMs += advanceMs
        ctx.begin(nowMs)
        for (const [name, k, ...rest] of commands) run(ctx, name, prefix + k, ...rest.map((arg) => (name === 'RENAME' ? prefix + arg : arg)))
        ctx.commit()
        const { expected, stored } = expectedAndStored(temp.store)
        assert.deepEqual(stored, expected)
      }
    }), { numRuns: 150 })
  })
})

describe('the sweep reads the indexes', () => {
  const temp = tempStore()
  const t0 = 1_800_000_000_000

  it('tombstones what expired, touches nothing else, and purges tombstones after the grace period', () => {
    const ctx = newContext(temp.store)
    ctx.begin(t0)
    for (let i = 0; i < 500; i++) run(ctx, 'SET', `plain${i}`, 'v')
    for (let i = 0; i < 20; i++) run(ctx, 'SET', `ttl${i}`, 'v', 'PX', '1000')
    run(ctx, 'SET', 'later', 'v', 'PX', '100000')
    ctx.commit()
    const before = new Map(temp.store.scan('meta', ALL_META.gte, ALL_META.lt, 10_000).map(({ key, value }) => [key.toString('hex'), value.toString('hex')]))

    // One writer owns every partition; 64 steps at 128 seeks come round all 4096 at least twice.
    const own = { shard: 0, shards: 1 }
    const cursor = newSweepCursor(own)
    for (let step = 0; step < 64; step++) sweepStep(ctx, own, cursor, t0 + 2000)
    const after = temp.store.scan('meta', ALL_META.gte, ALL_META.lt, 10_000)
    assert.equal(after.length, before.size)
    let tombstones = 0
    for (const { key, value } of after) {
      const user = key.subarray(2).toString()
      const envelope = decodeEnvelope(value)
      if (user.startsWith('ttl')) {
        assert.ok(envelope.flags & FLAG_TOMBSTONE, `${user} is tombstoned`)
        tombstones++
      } else {
        assert.equal(value.toString('hex'), before.get(key.toString('hex')), `${user} is untouched`)
      }
    }
    assert.equal(tombstones, 20)
    assert.equal(ctx.counts.total(), 501)
    assert.deepEqual(expectedAndStored(temp.store).stored, expectedAndStored(temp.store).expected)

    // Not yet past the grace period: the tombstones stay.
    for (let step = 0; step < 64; step++) sweepStep(ctx, own, cursor, t0 + 2000 + TOMBSTONE_GC_GRACE_MS - 10_000)
    assert.equal(temp.store.scan('meta', ALL_META.gte, ALL_META.lt, 10_000).length, 521)
    // Past it: purged, with their index entries; 'later' expired meanwhile and is a tombstone now.
    for (let step = 0; step < 64; step++) sweepStep(ctx, own, cursor, t0 + 10_000 + TOMBSTONE_GC_GRACE_MS)
    const left = temp.store.scan('meta', ALL_META.gte, ALL_META.lt, 10_000)
    assert.equal(left.length, 501)
    assert.ok(left.every(({ key }) => !key.subarray(2).toString().startsWith('ttl')))
    const { expected, stored } = expectedAndStored(temp.store)
    assert.deepEqual(stored, expected)
    assert.equal(stored.length, 1, "only 'later''s tombstone is indexed")
  })
})

describe('a sweep step', () => {
  const temp = tempStore()
  const t0 = 1_850_000_000_000

  it("touches only its shard's partitions, at most SWEEP_RECORDS_PER_STEP entries, and resumes where it stopped", () => {
    const ctx = newContext(temp.store)
    ctx.begin(t0)
    // 600 keys due at once, over both shards' partitions, and one partition with more than a step's worth.
    for (let i = 0; i < 600; i++) run(ctx, 'SET', `due${i}`, 'v', 'PX', '10')
    const crowded: string[] = []
    for (let i = 0; crowded.length < 300; i++) if (partitionOf(b(`c${i}`)) === 7) crowded.push(`c${i}`)
    for (const key of crowded) run(ctx, 'SET', key, 'v', 'PX', '10')
    ctx.commit()
    const oddKeys = 300 + [...Array(600).keys()].filter((i) => partitionOf(b(`due${i}`)) % 2 === 1).length
    const live = (): string[] => temp.store.scan('meta', ALL_META.gte, ALL_META.lt, 10_000)
      .filter(({ value }) => !(decodeEnvelope(value).flags & FLAG_TOMBSTONE)).map(({ key }) => key.subarray(2).toString())

    const own = { shard: 1, shards: 2 }
    const cursor = newSweepCursor(own)
    sweepStep(ctx, own, cursor, t0 + 100)
    assert.equal(live().length, 900 - SWEEP_RECORDS_PER_STEP)
    for (let step = 0; step < 10; step++) sweepStep(ctx, own, cursor, t0 + 100)
    // Every key left is in an even partition: shard 0's.
    const left = live()
    assert.equal(left.length, 900 - oddKeys)
    assert.ok(left.every((key) => partitionOf(b(key)) % 2 === 0))
    assert.deepEqual(expectedAndStored(temp.store).stored, expectedAndStored(temp.store).expected)
  })
})

describe('a data dir from before the indexes', () => {
  const temp = tempStore()

  it('is indexed once, when it opens', () => {
    const ctx = newContext(temp.store)
    ctx.begin(1_900_000_000_000)
    for (let i = 0; i < 30; i++) run(ctx, 'SET', `k${i}`, 'v', ...(i % 3 === 0 ? ['PX', '5000'] : []))
    for (let i = 0; i < 30; i += 5) run(ctx, 'DEL', `k${i}`)
    ctx.commit()
    const built = expectedAndStored(temp.store)
    assert.equal(built.stored.length, 6 + 8, 'six tombstones, eight keys with a TTL left')
    // What a data dir written before the indexes looks like: no entries, no marker.
    temp.store.write([
      ...[SYS_EXPIRY_PREFIX, SYS_TOMBSTONE_PREFIX].flatMap((prefix) => temp.store.scan('sys', prefix, prefixEnd(prefix), 1000).map(({ key }) => ({ column: 'sys' as const, key, value: null }))),
      { column: 'sys', key: SYS_TIME_INDEXED, value: null },
    ], false)
    assert.equal(expectedAndStored(temp.store).stored.length, 0)

    assert.equal(indexRecordsOnce(temp.store), 30)
    assert.deepEqual(expectedAndStored(temp.store), built)
    assert.equal(indexRecordsOnce(temp.store), 0, 'the second open reads nothing')
  })
})

describe('expiry on a node of many keys', function () {
  this.timeout(120_000)

  it('removes expired keys within seconds, however many keys have no TTL', async () => {
    const node = await startMarekvs()
    const client = new Redis({ port: node.port, lazyConnect: true })
    try {
      await client.connect()
      // 200k keys without a TTL: a sweep that reads every record needs ~40 s to come round.
      for (let chunk = 0; chunk < 200; chunk++) {
        const args: string[] = []
        for (let i = 0; i < 1000; i++) args.push(`plain:${chunk}:${i}`, 'v')
        await client.mset(...args)
      }
      for (let i = 0; i < 100; i++) await client.set(`ttl:${i}`, 'v', 'PX', 200)
      assert.equal(await client.dbsize(), 200_100)
      const deadline = Date.now() + 10_000
      while ((await client.dbsize()) > 200_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(await client.dbsize(), 200_000)
    } finally {
      client.disconnect()
      await node.stop()
    }
  })
})
