import assert from 'node:assert/strict'
import { Histogram } from '../../bench/histogram'
import { encodeGet, encodeSet, encodeTransaction, FixedRateSchedule, GET_BYTES, InFlight, keyName, parseFlags, ReplyCounter, rng, setBytes, toFlags, TRANSACTION_BYTES } from '../../bench/loadgen'

describe('bench loadgen: fixed-rate schedule', () => {
  it('makes request i due at start + i / rate', () => {
    const s = new FixedRateSchedule(1000, 5_000, 1e9)
    assert.equal(s.intendedUs(0), 5_000)
    assert.equal(s.intendedUs(1), 6_000)
    assert.equal(s.intendedUs(250), 255_000)
  })

  it('takes every request due by now, and none early', () => {
    const s = new FixedRateSchedule(1000, 0, 1e9)
    assert.equal(s.take(-1), 0)
    assert.equal(s.take(0), 1) // request 0
    assert.equal(s.take(999), 0)
    assert.equal(s.take(1000), 1) // request 1
    assert.equal(s.take(5500), 4) // 2, 3, 4, 5
    assert.equal(s.next, 6)
    assert.equal(s.untilNextUs(5500), 500)
  })

  it('after a client stall, issues the whole backlog at once: no request is skipped', () => {
    const s = new FixedRateSchedule(10_000, 0, 1e9) // one every 100 µs
    assert.equal(s.take(0), 1)
    assert.equal(s.take(50_000), 500) // 50 ms late: requests 1..500
    assert.equal(s.next, 501)
    assert.equal(s.untilNextUs(50_000), 100)
  })

  it('ends before endUs', () => {
    const s = new FixedRateSchedule(1000, 0, 10_000)
    assert.equal(s.take(1e9), 10) // 0..9; request 10 would be at 10 ms
    assert.ok(s.done())
    assert.equal(s.take(2e9), 0)
  })

  it('rejects a rate that is not positive', () => {
    assert.throws(() => new FixedRateSchedule(0, 0, 1), RangeError)
  })
})

describe('bench loadgen: latency from the intended time', () => {
  it('charges a stall to every request that should have been sent during it', () => {
    // 1000 requests/s; the server answers everything 1 ms after it is sent,
    // except that it stalls from 100 ms to 200 ms, when it answers nothing.
    const s = new FixedRateSchedule(1000, 0, 300_000)
    const q = new InFlight()
    const latency = new Histogram()
    const service = new Histogram()
    for (let now = 0; now < 300_000; now += 1000) {
      const n = s.take(now)
      for (let i = s.next - n; i < s.next; i++) q.push(s.intendedUs(i), now)
      const answerAt = now + 1000
      if (answerAt < 100_000 || answerAt >= 200_000) q.complete(q.size, answerAt, latency, 0, service)
    }
    assert.equal(latency.count, 300)
    assert.equal(q.size, 0)
    // The 100 requests due during the stall waited for its end: 100 ms down to 1 ms.
    assert.equal(latency.max, 101_000)
    assert.equal(latency.percentile(50), 1000)
    assert.ok(latency.percentile(90) >= 70_000, `p90 ${latency.percentile(90)}`)
    // A closed-loop client would have sent one request, waited, and recorded a single 100 ms sample;
    // here a third of the requests are slow, as a user arriving at that rate would find.
    let slow = 0
    for (const [value, count] of latency.buckets()) if (value > 1000) slow += count
    assert.equal(slow, 100)
  })

  it('measures from the intended time, not the send, when the client sends late', () => {
    const q = new InFlight()
    const latency = new Histogram()
    const service = new Histogram()
    q.push(1000, 1800) // due at 1 ms, written at 1.8 ms (a late timer)
    q.complete(1, 2000, latency, 0, service)
    assert.equal(latency.max, 1000)
    assert.equal(service.max, 200)
  })

  it('leaves out requests intended before the measured window (warm-up)', () => {
    const q = new InFlight()
    const latency = new Histogram()
    for (let t = 0; t < 10; t++) q.push(t * 100, t * 100)
    assert.equal(q.complete(10, 2000, latency, 500), 5)
    assert.equal(latency.count, 5)
    assert.equal(latency.max, 1500)
  })

  it('keeps order across growth of the queue and refuses more replies than requests', () => {
    const q = new InFlight()
    const latency = new Histogram()
    for (let i = 0; i < 5000; i++) q.push(i, i)
    q.complete(4000, 10_000, latency, 0)
    for (let i = 5000; i < 9000; i++) q.push(i, i)
    assert.equal(q.size, 5000)
    const rest = new Histogram()
    q.complete(5000, 10_000, rest, 0)
    assert.equal(rest.max, 10_000 - 4000) // the oldest left was request 4000
    assert.equal(rest.min, 10_000 - 8999)
    assert.throws(() => q.complete(1, 0, rest, 0))
  })
})

describe('bench loadgen: RESP', () => {
  it('encodes GET and SET of redis-benchmark key names', () => {
    const buf = Buffer.alloc(200)
    const end = encodeGet(buf, 0, 42)
    assert.equal(end, GET_BYTES)
    assert.equal(buf.toString('latin1', 0, end), '*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n')
    const setEnd = encodeSet(buf, 0, 123_456_789_012, Buffer.from('abc'))
    assert.equal(setEnd, setBytes(3))
    assert.equal(buf.toString('latin1', 0, setEnd), '*3\r\n$3\r\nSET\r\n$16\r\nkey:123456789012\r\n$3\r\nabc\r\n')
    assert.equal(keyName(7), 'key:000000000007')
  })

  it('counts replies fed whole, byte by byte and split at every boundary', () => {
    const stream = Buffer.from('+OK\r\n$3\r\nabc\r\n$-1\r\n:12\r\n-ERR no\r\n$0\r\n\r\n$12\r\nhello\r\nworld\r\n')
    const expect = { replies: 7, hits: 3, misses: 1, errors: 1 }
    const check = (chunks: Buffer[]) => {
      const c = new ReplyCounter()
      let replies = 0
      for (const chunk of chunks) replies += c.feed(chunk)
      assert.deepEqual({ replies, hits: c.hits, misses: c.misses, errors: c.errors }, expect)
      assert.equal(c.firstError, 'ERR no')
    }
    check([stream])
    check([...stream].map((byte) => Buffer.from([byte])))
    for (let cut = 1; cut < stream.length; cut++) check([stream.subarray(0, cut), stream.subarray(cut)])
  })

  it('counts an array (EXEC\'s) once, when its last element is in, nested, nil or empty, split anywhere', () => {
    const stream = Buffer.from('+OK\r\n+QUEUED\r\n*2\r\n:1\r\n:1\r\n*-1\r\n*0\r\n*2\r\n*2\r\n$1\r\na\r\n$-1\r\n-ERR x\r\n:5\r\n')
    const check = (chunks: Buffer[]) => {
      const c = new ReplyCounter()
      const done: number[] = []
      for (const chunk of chunks) done.push(c.feed(chunk))
      assert.equal(done.reduce((a, b) => a + b, 0), 7)
      assert.equal(c.errors, 1)
    }
    check([stream])
    check([...stream].map((byte) => Buffer.from([byte])))
    for (let cut = 1; cut < stream.length; cut++) check([stream.subarray(0, cut), stream.subarray(cut)])
    // Nothing counts before the array's last element.
    assert.equal(new ReplyCounter().feed(Buffer.from('*2\r\n:1\r\n')), 0)
  })

  it('encodes a transaction on counters of its own: MULTI, INCR, EXPIRE 60, EXEC', () => {
    const buf = Buffer.alloc(300)
    const end = encodeTransaction(buf, 0, 42)
    assert.equal(end, TRANSACTION_BYTES)
    const key = 'counter:000000000042'
    assert.equal(buf.toString('latin1', 0, end), `*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$20\r\n${key}\r\n*3\r\n$6\r\nEXPIRE\r\n$20\r\n${key}\r\n$2\r\n60\r\n*1\r\n$4\r\nEXEC\r\n`)
  })

  it('refuses reply types GET, SET and transactions never send', () => {
    assert.throws(() => new ReplyCounter().feed(Buffer.from('%1\r\n')))
  })
})

describe('bench loadgen: flags and randomness', () => {
  it('round-trips options through flags', () => {
    const options = parseFlags(['--port', '7000', '--mode', 'fixed', '--rate', '1234', '--get-ratio', '0.9'])
    assert.equal(options.port, 7000)
    assert.equal(options.mode, 'fixed')
    assert.deepEqual(parseFlags(toFlags(options)), options)
    assert.throws(() => parseFlags(['--bogus', '1']))
    assert.throws(() => parseFlags(['--mode', 'open']))
    assert.throws(() => parseFlags(['--rate', 'fast']))
  })

  it('draws the same sequence from the same seed, in [0, 1)', () => {
    const a = rng(7)
    const b = rng(7)
    for (let i = 0; i < 1000; i++) {
      const x = a()
      assert.equal(x, b())
      assert.ok(x >= 0 && x < 1)
    }
  })
})
