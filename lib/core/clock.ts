// One hybrid logical clock per node, shared by every thread through a SharedArrayBuffer.
// The packing and the next-timestamp rule are native (native/src/hlc.rs); this file only
// makes the shared cell advance atomically.
import { hlcNext } from '../native'

export class SharedHlc {
  private readonly cell: BigInt64Array

  constructor(readonly buffer: SharedArrayBuffer) {
    this.cell = new BigInt64Array(buffer, 0, 1)
  }

  /** A clock that never issues a timestamp at or below `floor` (the persisted high-water mark). */
  static create(floor: bigint): SharedHlc {
    const clock = new SharedHlc(new SharedArrayBuffer(8))
    clock.cell[0] = floor
    return clock
  }

  /**
   * Reserve `count` consecutive timestamps, all greater than any this node issued before,
   * and return the first. One compare-and-swap per batch, not per write.
   */
  reserve(count: number, nowMs: number): bigint {
    for (;;) {
      const prev = Atomics.load(this.cell, 0)
      const first = hlcNext(prev, nowMs)
      const last = first + BigInt(count - 1)
      if (Atomics.compareExchange(this.cell, 0, prev, last) === prev) return first
    }
  }

  current(): bigint {
    return Atomics.load(this.cell, 0)
  }
}
