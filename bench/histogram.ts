// A log-linear latency histogram in the manner of HdrHistogram: values are
// integers (microseconds here); every power-of-two range above the first is
// split into the same number of linear sub-buckets, so the relative error of a
// recorded value is bounded (1 / 2^(SUB_BUCKET_BITS - 1), about 0.1 %: three
// significant digits) whatever its magnitude, in a fixed array of counters.
// Percentiles report the highest value equivalent to the bucket they fall in,
// as HdrHistogram does: never below the true value.

/** 2^11 = 2048 sub-buckets: values below 2048 are exact, larger ones within 1/1024. */
const SUB_BUCKET_BITS = 11
const SUB_BUCKET_COUNT = 1 << SUB_BUCKET_BITS
const SUB_BUCKET_HALF = SUB_BUCKET_COUNT >> 1
/**
 * Largest trackable value: 2^32 - 1 (in µs, 71 minutes; longer than any run).
 * Bounded so indexing stays in 32-bit integer arithmetic (Math.clz32).
 */
export const VALUE_MAX = 2 ** 32 - 1
const BUCKETS = 32 - SUB_BUCKET_BITS + 1 // power-of-two ranges above the first, plus the first
const COUNTS_LENGTH = (BUCKETS + 1) * SUB_BUCKET_HALF

/** Index of the counter of a value in [0, VALUE_MAX]. */
export function indexOf(value: number): number {
  if (value < SUB_BUCKET_COUNT) return value
  // shift: how many low bits the bucket of this value drops (1 for [2^11, 2^12)).
  const shift = 32 - Math.clz32(value) - SUB_BUCKET_BITS
  // (value >>> shift) is in [half, count): the linear sub-bucket within the range.
  return shift * SUB_BUCKET_HALF + (value >>> shift)
}

/** The lowest value that maps to counter `index`. */
export function lowestAt(index: number): number {
  if (index < SUB_BUCKET_COUNT) return index
  const shift = Math.floor(index / SUB_BUCKET_HALF) - 1
  const sub = index - shift * SUB_BUCKET_HALF
  return sub * 2 ** shift
}

/** The highest value that maps to counter `index`. */
export function highestAt(index: number): number {
  if (index < SUB_BUCKET_COUNT) return index
  const shift = Math.floor(index / SUB_BUCKET_HALF) - 1
  return lowestAt(index) + 2 ** shift - 1
}

export class Histogram {
  readonly counts = new Float64Array(COUNTS_LENGTH)
  count = 0
  min = Infinity
  max = 0
  sum = 0

  /** Record one value; negative values count as 0 and values above VALUE_MAX as VALUE_MAX. */
  record(value: number): void {
    const v = value <= 0 ? 0 : value >= VALUE_MAX ? VALUE_MAX : Math.round(value)
    this.counts[indexOf(v)]++
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  /** Add another histogram's counts into this one. */
  add(other: Histogram): void {
    for (let i = 0; i < COUNTS_LENGTH; i++) this.counts[i] += other.counts[i]
    this.count += other.count
    this.sum += other.sum
    this.min = Math.min(this.min, other.min)
    this.max = Math.max(this.max, other.max)
  }

  /**
   * The value at percentile p (0 < p <= 100): the highest value of the bucket
   * holding the ceil(p% of count)-th smallest value, capped at the largest
   * value recorded. NaN when empty.
   */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`)
    if (this.count === 0) return NaN
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      seen += this.counts[i]
      if (seen >= rank) return Math.min(highestAt(i), this.max)
    }
    return this.max
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count
  }

  /** Non-empty buckets as [lowest value, count] pairs: compact enough for a result file. */
  buckets(): Array<[number, number]> {
    const out: Array<[number, number]> = []
    for (let i = 0; i < COUNTS_LENGTH; i++) if (this.counts[i] > 0) out.push([lowestAt(i), this.counts[i]])
    return out
  }
}
