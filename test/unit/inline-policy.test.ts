// When the main thread hands batches to the shard threads rather than running them itself
// (lib/engine/inline-policy.ts).
import { strict as assert } from 'node:assert'
import { InlinePolicy, ReadCost } from '../../lib/engine/inline-policy'

describe('inline policy: cold reads', () => {
  it('counts reads from memory as warm, 1-4 us a key', () => {
    const cost = new ReadCost()
    for (let i = 0; i < 100; i++) cost.note(20, 20 * (i % 2 === 0 ? 1 : 4))
    assert.ok(cost.warm, `${cost.microsPerKey} us a key`)
  })

  it('turns cold after a run of batches at disk cost, and warm again after a run at memory cost', () => {
    const cost = new ReadCost()
    let batches = 0
    while (cost.warm) {
      cost.note(10, 10 * 60)
      batches++
    }
    // A running average: one slow batch is not enough, a few are.
    assert.ok(batches > 1 && batches < 10, `${batches} batches`)
    batches = 0
    while (!cost.warm) {
      cost.note(10, 10 * 2)
      batches++
    }
    assert.ok(batches > 1 && batches < 100, `${batches} batches`)
  })

  it('weighs batches, not keys, and ignores batches of a few keys, whose fixed cost would pass for cold reads', () => {
    const large = new ReadCost()
    const small = new ReadCost()
    large.note(1000, 1000 * 60)
    small.note(8, 8 * 60)
    assert.equal(large.microsPerKey, small.microsPerKey)
    for (let i = 0; i < 100; i++) large.note(i % 8, 15 * (i % 8) + 10)
    assert.equal(large.microsPerKey, small.microsPerKey)
    const fsyncAlways = new ReadCost()
    for (let i = 0; i < 100; i++) fsyncAlways.note(1 + (i % 6), 16 * (1 + (i % 6)))
    assert.ok(fsyncAlways.warm)
  })

  it('gets over one outlier (a GC pause inside a read-ahead) within a few dozen batches', () => {
    const cost = new ReadCost()
    cost.note(10, 500_000)
    assert.ok(!cost.warm)
    let batches = 0
    while (!cost.warm) {
      cost.note(10, 10 * 2)
      batches++
    }
    assert.ok(batches <= 30, `${batches} batches`)
  })

  it('runs nothing inline while reads are cold', () => {
    const policy = new InlinePolicy(true)
    assert.ok(policy.maxArgs > 0)
    for (let i = 0; i < 50; i++) policy.reads.note(10, 10 * 60)
    assert.equal(policy.maxArgs, 0)
    for (let i = 0; i < 200; i++) policy.reads.note(10, 10 * 2)
    assert.ok(policy.maxArgs > 0)
  })
})
