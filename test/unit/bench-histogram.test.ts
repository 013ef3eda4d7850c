import assert from 'node:assert/strict'
import { highestAt, Histogram, indexOf, lowestAt, VALUE_MAX } from '../../bench/histogram'

describe('bench histogram (log-linear buckets)', () => {
  it('keeps values below 2048 exact', () => {
    for (const v of [0, 1, 2, 999, 2047]) {
      assert.equal(indexOf(v), v)
      assert.equal(lowestAt(v), v)
      assert.equal(highestAt(v), v)
    }
  })

  it('maps every value into a bucket that holds it, with relative width at most 1/1024', () => {
    const values = [2048, 2049, 4095, 4096, 12_345, 99_999, 1_000_000, 123_456_789, 2 ** 31, VALUE_MAX]
    for (let v = 2000; v < 70_000; v += 7) values.push(v)
    for (const v of values) {
      const i = indexOf(v)
      assert.ok(lowestAt(i) <= v && v <= highestAt(i), `${v} in [${lowestAt(i)}, ${highestAt(i)}]`)
      assert.ok(highestAt(i) - lowestAt(i) + 1 <= Math.max(1, lowestAt(i) / 1024), `bucket of ${v} too wide`)
    }
  })

  it('numbers buckets contiguously: each starts one past the end of the previous', () => {
    for (let i = 1; i <= indexOf(VALUE_MAX); i++) assert.equal(lowestAt(i), highestAt(i - 1) + 1, `bucket ${i}`)
    assert.equal(highestAt(indexOf(VALUE_MAX)), VALUE_MAX)
  })

  it('reports percentiles of 1..10000 within 0.1 %', () => {
    const h = new Histogram()
    for (let v = 1; v <= 10_000; v++) h.record(v)
    assert.equal(h.count, 10_000)
    assert.equal(h.min, 1)
    assert.equal(h.max, 10_000)
    assert.equal(h.mean(), 5000.5)
    for (const [p, exact] of [[50, 5000], [99, 9900], [99.9, 9990], [100, 10_000]]) {
      const got = h.percentile(p)
      assert.ok(got >= exact && got <= exact * 1.001, `p${p}: ${got} vs ${exact}`)
    }
    assert.equal(h.percentile(0.01), 1)
  })

  it('puts a rare outlier at p99.9 and not at p99', () => {
    const h = new Histogram()
    for (let i = 0; i < 998; i++) h.record(100)
    h.record(50_000)
    h.record(50_000)
    assert.equal(h.percentile(50), 100)
    assert.equal(h.percentile(99), 100)
    assert.ok(Math.abs(h.percentile(99.9) - 50_000) <= 50_000 / 1024)
  })

  it('clamps negative values to 0 and huge ones to VALUE_MAX', () => {
    const h = new Histogram()
    h.record(-5)
    h.record(1e15)
    assert.equal(h.min, 0)
    assert.equal(h.max, VALUE_MAX)
    assert.equal(h.percentile(50), 0)
    assert.equal(h.percentile(100), VALUE_MAX)
  })

  it('adds histograms as if all values had been recorded in one', () => {
    const a = new Histogram()
    const b = new Histogram()
    const both = new Histogram()
    for (let v = 0; v < 5000; v += 3) { a.record(v * 17); both.record(v * 17) }
    for (let v = 0; v < 3000; v += 2) { b.record(v * 101); both.record(v * 101) }
    a.add(b)
    assert.deepEqual(a.counts, both.counts)
    assert.deepEqual([a.count, a.min, a.max, a.sum], [both.count, both.min, both.max, both.sum])
    assert.deepEqual(a.buckets(), both.buckets())
  })

  it('is NaN when empty and rejects percentiles outside (0, 100]', () => {
    const h = new Histogram()
    assert.ok(Number.isNaN(h.percentile(50)))
    assert.throws(() => h.percentile(0), RangeError)
    assert.throws(() => h.percentile(101), RangeError)
  })
})
