import assert from 'node:assert/strict'
import { bucketOf, COMMAND_NAMES_MAX, LATENCY_BOUNDS_USEC, OTHER_COMMAND, ServerStats } from '../../lib/server/stats'

describe('ServerStats', () => {
  it('has 16 increasing latency bounds from 10 µs to 1 s', () => {
    assert.equal(LATENCY_BOUNDS_USEC.length, 16)
    assert.equal(LATENCY_BOUNDS_USEC[0], 10)
    assert.equal(LATENCY_BOUNDS_USEC[15], 1_000_000)
    for (let i = 1; i < 16; i++) assert.ok(LATENCY_BOUNDS_USEC[i] > LATENCY_BOUNDS_USEC[i - 1])
  })

  it('puts a duration in the first bucket whose bound holds it', () => {
    assert.equal(bucketOf(0), 0)
    assert.equal(bucketOf(10), 0)
    assert.equal(bucketOf(10.5), 1)
    assert.equal(bucketOf(20), 1)
    assert.equal(bucketOf(999), 6)
    assert.equal(bucketOf(1_000_000), 15)
    assert.equal(bucketOf(1_000_001), 16)
    assert.equal(bucketOf(1e12), 16)
  })

  it('recordCommand counts calls, time, failures and buckets', () => {
    const s = new ServerStats()
    s.recordCommand('get', 5, false)
    s.recordCommand('get', 15, false)
    s.recordCommand('set', 3_000, true)
    s.recordCommand('get', 2e6, true)
    assert.equal(s.totalCommands, 4)
    assert.deepEqual(s.commands.get('get'), { calls: 3, usec: 2_000_020, failed: 1 })
    assert.deepEqual(s.commands.get('set'), { calls: 1, usec: 3_000, failed: 1 })
    assert.equal(s.failedCommands(), 2)
    assert.equal(s.latencySumUsec, 2_003_020)
    const expected = new Float64Array(17)
    expected[0] = 1; expected[1] = 1; expected[8] = 1; expected[16] = 1
    assert.deepEqual(s.latencyBuckets, expected)
  })

  it('reuses the entry of a command it has seen', () => {
    const s = new ServerStats()
    s.recordCommand('ping', 1, false)
    const entry = s.commands.get('ping')
    s.recordCommand('ping', 1, false)
    assert.equal(s.commands.get('ping'), entry)
  })

  it('bounds the number of distinct names, counting the rest as other', () => {
    const s = new ServerStats()
    for (let i = 0; i < COMMAND_NAMES_MAX + 10; i++) s.recordCommand(`c${i}`, 1, false)
    assert.equal(s.commands.size, COMMAND_NAMES_MAX + 1)
    assert.equal(s.commands.get(OTHER_COMMAND)?.calls, 10)
    assert.equal(s.totalCommands, COMMAND_NAMES_MAX + 10)
  })

  it('reset() zeroes every counter but keeps connectedClients', () => {
    const s = new ServerStats()
    s.recordCommand('get', 50, true)
    s.totalConnections = 3
    s.rejectedConnections = 1
    s.connectedClients = 2
    s.netInputBytes = 100
    s.netOutputBytes = 200
    s.storageErrors = 1
    s.reset()
    const fresh = new ServerStats()
    fresh.connectedClients = 2
    assert.deepEqual(s, fresh)
    assert.equal(s.commands.size, 0)
    assert.ok(s.latencyBuckets.every((n) => n === 0))
  })
})
