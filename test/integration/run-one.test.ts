// A handler that throws half-way changes nothing: runOne rolls the batch overlay back to where
// the command started, on a real RocksDB, while the batch's other commands still commit.
import assert from 'node:assert/strict'
import { SharedHlc } from '../../lib/core/clock'
import { Collection, TAG_MEMBER } from '../../lib/commands/collection'
import { dataCommands } from '../../lib/commands/data-table'
import type { DataCommand } from '../../lib/commands/types'
import { ExecContext } from '../../lib/engine/exec-context'
import { KeyCounts } from '../../lib/engine/key-counts'
import { KeyspaceStats } from '../../lib/engine/keyspace-stats'
import { runOne } from '../../lib/engine/run-one'
import { log } from '../../lib/log'
import { TYPE_HASH } from '../../lib/storage/layout'
import { tempStore } from '../support/store'

const b = (text: string): Buffer => Buffer.from(text)

describe('runOne: a throwing handler is rolled back', () => {
  const temp = tempStore()

  it('undoes its records, members, counts and wake-ups; keeps the commands before it', () => {
    const ctx = new ExecContext(temp.store, SharedHlc.create(0n), 1, 'test', KeyCounts.load(temp.store), new KeyspaceStats(KeyspaceStats.buffer(0), 0))
    const faulty: DataCommand = {
      name: 'faulty', arity: -1, flags: ['write'], firstKey: 1, lastKey: 1, step: 1, group: 'test', summary: '', since: '',
      run: (c, argv) => {
        c.delete(b('kept'))
        const hash = Collection.openOrCreate(c, argv[1], TYPE_HASH) as Collection
        hash.put(TAG_MEMBER, b('f'), 0x10, b('v'))
        hash.size++
        hash.save()
        c.signalReady(argv[1])
        throw new Error('planted bug')
      },
    }
    ctx.begin(Date.now())
    runOne(ctx, dataCommands.get('set'), [b('SET'), b('kept'), b('1')])
    runOne(ctx, dataCommands.get('hset'), [b('HSET'), b('h0'), b('a'), b('1')])
    const level = log.level
    log.setLevel('off')
    const reply = runOne(ctx, faulty, [b('FAULTY'), b('h1')])
    log.setLevel(level)
    assert.deepEqual(reply, { t: 'error', v: "ERR internal error in 'faulty': planted bug" })
    assert.deepEqual(ctx.readyKeys, [])
    ctx.commit()

    ctx.begin(Date.now())
    assert.deepEqual(ctx.get(b('kept'))?.payload, b('1'))
    assert.equal(ctx.get(b('h1')), null)
    assert.equal((Collection.open(ctx, b('h0'), TYPE_HASH) as Collection).size, 1)
    // Persisted, and as the writers see them.
    assert.equal(KeyCounts.load(temp.store).total(), 2)
    assert.equal(ctx.counts.total(), 2)
    assert.equal(temp.store.scan('members', Buffer.alloc(0), Buffer.alloc(2, 0xff), 100).length, 1)
  })

  it('undoes member writes a walk has seen, and later walks of the batch do not see them', () => {
    const ctx = new ExecContext(temp.store, SharedHlc.create(0n), 1, 'test', KeyCounts.load(temp.store), new KeyspaceStats(KeyspaceStats.buffer(0), 0))
    const hashAt = (c: ExecContext, key: string): Collection => Collection.open(c, b(key), TYPE_HASH) as Collection
    // The three places a written key can be when it is undone: grouped but unsorted (g0's, as
    // the walk was of g2), grouped and sorted (g2's x, walked), not grouped yet (g2's y).
    const faulty: DataCommand = {
      name: 'faulty', arity: -1, flags: ['write'], firstKey: 1, lastKey: 2, step: 1, group: 'test', summary: '', since: '',
      run: (c) => {
        hashAt(c, 'g0').put(TAG_MEMBER, b('f'), 0x10, b('v'))
        const g2 = hashAt(c, 'g2')
        g2.put(TAG_MEMBER, b('x'), 0x10, b('v'))
        assert.deepEqual([...g2.range(TAG_MEMBER)].map((row) => row.sub.toString()), ['a', 'x'])
        g2.put(TAG_MEMBER, b('y'), 0x10, b('v'))
        throw new Error('planted bug')
      },
    }
    ctx.begin(Date.now())
    runOne(ctx, dataCommands.get('hset'), [b('HSET'), b('g0'), b('a'), b('1')])
    runOne(ctx, dataCommands.get('hset'), [b('HSET'), b('g2'), b('a'), b('1')])
    const level = log.level
    log.setLevel('off')
    const reply = runOne(ctx, faulty, [b('FAULTY'), b('g0'), b('g2')])
    log.setLevel(level)
    assert.deepEqual(reply, { t: 'error', v: "ERR internal error in 'faulty': planted bug" })
    for (const key of ['g0', 'g2']) {
      assert.deepEqual(runOne(ctx, dataCommands.get('hgetall'), [b('HGETALL'), b(key)]), { t: 'map', v: [b('a'), b('1')] }, key)
    }
    ctx.commit()
  })
})
