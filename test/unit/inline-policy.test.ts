// When the main thread hands batches to the shard threads rather than running them itself
// (lib/engine/inline-policy.ts).
import { strict as assert } from 'node:assert'
import { InlinePolicy, ReadCost, scriptName, SlowScripts, traitsOf } from '../../lib/engine/inline-policy'

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

  it('weighs batches, not keys, and ignores batches that read nothing', () => {
    const large = new ReadCost()
    const small = new ReadCost()
    large.note(1000, 1000 * 60 + 15)
    small.note(8, 8 * 60 + 15)
    assert.equal(large.microsPerKey, small.microsPerKey)
    large.note(0, 500)
    assert.equal(large.microsPerKey, small.microsPerKey)
  })

  it('takes a read-ahead\'s fixed cost off: small batches from memory stay warm, small cold ones do not', () => {
    // MAREKVS_FSYNC=always: each batch waits for a sync, so batches hold 1-6 keys, 4-16 us a key.
    const fsyncAlways = new ReadCost()
    for (let i = 0; i < 100; i++) fsyncAlways.note(1 + (i % 6), 16 + 4 * (i % 6))
    assert.ok(fsyncAlways.warm, `${fsyncAlways.microsPerKey} us a key`)
    // Cold reads after a restart, even in batches of one or two keys.
    const cold = new ReadCost()
    for (let i = 0; i < 100; i++) cold.note(1 + (i % 2), 15 + 40 * (1 + (i % 2)))
    assert.ok(!cold.warm, `${cold.microsPerKey} us a key`)
  })

  it('comes back from cold on small warm batches alone (the shards\' batches under fsync always)', () => {
    const cost = new ReadCost()
    for (let i = 0; i < 20; i++) cost.note(20, 20 * 60)
    assert.ok(!cost.warm)
    for (let i = 0; i < 100; i++) cost.note(2, 20)
    assert.ok(cost.warm, `${cost.microsPerKey} us a key`)
  })

  it('takes one outlier (a GC pause inside a read-ahead) for what it is, and gets over a few within a few dozen batches', () => {
    const cost = new ReadCost()
    cost.note(10, 500_000)
    assert.ok(cost.warm)
    cost.note(10, 500_000)
    cost.note(10, 500_000)
    assert.ok(!cost.warm)
    let batches = 0
    while (!cost.warm) {
      cost.note(10, 10 * 2)
      batches++
    }
    assert.ok(batches <= 30, `${batches} batches`)
  })

  it('runs nothing inline while reads are cold, and reads ahead instead', () => {
    const policy = new InlinePolicy('on')
    assert.ok(policy.maxArgs > 0)
    assert.ok(!policy.readAhead)
    for (let i = 0; i < 50; i++) policy.reads.note(10, 10 * 60)
    assert.equal(policy.maxArgs, 0)
    assert.ok(policy.readAhead)
    for (let i = 0; i < 200; i++) policy.reads.note(10, 10 * 2)
    assert.ok(policy.maxArgs > 0)
    assert.ok(!policy.readAhead)
  })

  it('reads ahead always with `cold`, never with `off`', () => {
    const cold = new InlinePolicy('cold')
    const off = new InlinePolicy('off')
    for (let i = 0; i < 200; i++) {
      for (const policy of [cold, off]) policy.reads.note(10, 10 * (i < 100 ? 2 : 60))
      assert.equal(cold.maxArgs, 0)
      assert.ok(cold.readAhead)
      assert.equal(off.maxArgs, 0)
      assert.ok(!off.readAhead)
    }
  })
})

describe('inline policy: commands that read only their records', () => {
  it('takes string and key commands, not collections or scripts', () => {
    const info = (name: string, flags: string[]) => ({ name, arity: -1, flags, firstKey: 1, lastKey: 1, step: 1, group: 'string', summary: '', since: '' })
    assert.ok(traitsOf(info('get', ['readonly', 'fast'])).recordsOnly)
    assert.ok(traitsOf(info('set', ['write', 'denyoom'])).recordsOnly)
    assert.ok(!traitsOf(info('hget', ['readonly', 'fast'])).recordsOnly)
    assert.ok(!traitsOf(info('lpop', ['write', 'fast'])).recordsOnly)
    assert.ok(!traitsOf(info('evalsha', ['noscript'])).recordsOnly)
  })
})

describe('inline policy: scripts', () => {
  const info = (name: string, flags: string[]) => ({ name, arity: -3, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', summary: '', since: '' })

  it('takes EVAL, EVALSHA and FCALL and their _RO forms, by their argv[1] in any case', () => {
    for (const name of ['eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro']) {
      const traits = traitsOf(info(name, ['noscript']))
      assert.ok(traits.script && !traits.cheap, name)
    }
    assert.ok(!traitsOf(info('function', ['noscript'])).script)
    assert.equal(scriptName(Buffer.from('ABCdef')), scriptName(Buffer.from('abcDEF')))
  })

  it('keeps a script inline through a slow run or two (a GC pause), on its shard for ten seconds after three in a row', () => {
    let nowMs = 1000
    const slow = new SlowScripts(() => nowMs)
    slow.note('a', 4000)
    slow.note('a', 15)
    slow.note('a', 4000)
    slow.note('a', 4000)
    assert.ok(!slow.has('a'))
    slow.note('a', 200)
    assert.ok(slow.has('a'))
    assert.equal(slow.count, 1)
    // A fast run meanwhile (with the shards paused, numkeys 0) changes nothing.
    slow.note('a', 10)
    nowMs += 9_999
    assert.ok(slow.has('a'))
    // Then it is measured again: a stall of the whole node must not keep a fast script off for good.
    nowMs += 1
    assert.equal(slow.count, 0)
    assert.ok(!slow.has('a'))
    slow.note('a', 15)
    slow.note('a', 300)
    slow.note('a', 300)
    assert.ok(!slow.has('a'))
    slow.note('a', 300)
    assert.ok(slow.has('a'))
  })

  it('leaves no entry for fast scripts, and forgets all on clear (function libraries changed)', () => {
    const slow = new SlowScripts()
    for (let i = 0; i < 1000; i++) slow.note(`fast${i}`, 199)
    slow.note('b', 300)
    assert.equal(slow.count, 0)
    for (let i = 0; i < 3; i++) slow.note('c', 20_000)
    assert.ok(slow.has('c') && !slow.has('b') && !slow.has('fast1'))
    slow.clear()
    assert.ok(!slow.has('c'))
    assert.equal(slow.count, 0)
  })

  it('takes a script as its name or as the argument that names it, in any case', () => {
    const slow = new SlowScripts()
    for (let i = 0; i < 3; i++) slow.note(Buffer.from('F1Ab'), 300)
    assert.ok(slow.has('f1ab') && slow.has(Buffer.from('f1AB')) && !slow.has(Buffer.from('f1ac')))
    slow.note(Buffer.from('G'), 300)
    slow.note('g', 10)
    slow.note(Buffer.from('g'), 300)
    slow.note('g', 300)
    assert.ok(!slow.has('g'), 'the fast run in between broke the streak')
  })

  it('stays bounded: past 10,000 names it starts over', () => {
    const slow = new SlowScripts()
    for (let i = 0; i < 10_000; i++) for (let run = 0; run < 3; run++) slow.note(`s${i}`, 1000)
    assert.equal(slow.count, 10_000)
    for (let run = 0; run < 3; run++) slow.note('one more', 1000)
    assert.equal(slow.count, 1)
    assert.ok(!slow.has('s0') && slow.has('one more'))
  })
})
