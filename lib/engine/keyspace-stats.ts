// INFO's keyspace counters (keyspace_hits, keyspace_misses, expired_keys), kept by every writer
// (the main thread and each shard) in a shared buffer. Each writer adds to its own slots only, so
// no write races another and no atomics are needed; INFO sums the slots.

const FIELDS = 3
const HITS = 0
const MISSES = 1
const EXPIRED = 2

export interface KeyspaceTotals { hits: number; misses: number; expired: number }

/** One writer's counters. */
export class KeyspaceStats {
  private readonly slots: Float64Array

  /** A buffer for the main thread's writer (0) and one per shard (1...). */
  static buffer(shards: number): SharedArrayBuffer {
    return new SharedArrayBuffer((shards + 1) * FIELDS * Float64Array.BYTES_PER_ELEMENT)
  }

  constructor(readonly buffer: SharedArrayBuffer, writer: number) {
    this.slots = new Float64Array(buffer, writer * FIELDS * Float64Array.BYTES_PER_ELEMENT, FIELDS)
  }

  /** A read command looked `key` up: found (live) or not. */
  lookup(found: boolean): void {
    this.slots[found ? HITS : MISSES]++
  }

  /** A record was found expired and deleted. */
  expired(): void {
    this.slots[EXPIRED]++
  }
}

/** Every writer's counters summed, as of the last reset (CONFIG RESETSTAT). */
export class KeyspaceCounters {
  private readonly all: Float64Array
  private base: KeyspaceTotals = { hits: 0, misses: 0, expired: 0 }

  constructor(buffer: SharedArrayBuffer) {
    this.all = new Float64Array(buffer)
  }

  totals(): KeyspaceTotals {
    const sum = this.sums()
    return { hits: sum.hits - this.base.hits, misses: sum.misses - this.base.misses, expired: sum.expired - this.base.expired }
  }

  /** Count from zero again. The writers' slots are theirs to write, so this moves a baseline. */
  reset(): void {
    this.base = this.sums()
  }

  private sums(): KeyspaceTotals {
    const sum = { hits: 0, misses: 0, expired: 0 }
    for (let i = 0; i < this.all.length; i += FIELDS) {
      sum.hits += this.all[i + HITS]
      sum.misses += this.all[i + MISSES]
      sum.expired += this.all[i + EXPIRED]
    }
    return sum
  }
}
