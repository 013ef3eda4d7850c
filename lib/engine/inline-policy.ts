// Which batches the main thread runs itself instead of handing them to a shard thread.
//
// A hand-off costs both threads a fixed ~30-40 us (postMessage, wake-up, structured clone,
// the reply's way back); a cheap command costs ~5-10 us of RocksDB and JS. For the small
// batches an event-loop turn collects without pipelining, the hand-off costs more than the
// work, and on a machine whose cores are shared with clients no thread runs in parallel for
// free. So cheap batches run inline while the main thread has time to spare; once it is
// saturated, large batches go to the shards again, which then add cores. Likewise while reads
// are cold (larger than memory): a batch of disk reads would stall every connection's turn.
// Measured in docs/performance.md ("Inline batches", ninth round).
import { performance, EventLoopUtilization } from 'node:perf_hooks'
import type { CommandInfo } from '../commands/types'

/** Commands of bounded cost that Redis does not flag `fast` (SET has options, MSET many keys). */
const CHEAP_UNFLAGGED = new Set(['set', 'setex', 'psetex', 'mset', 'msetnx', 'del', 'unlink'])

/** Arguments of all the batches one turn runs inline, at most: bounds how long the main thread is held. */
const MAX_ARGS = 4096
/**
 * ... and while the main thread is saturated: batches of more arguments go to the shards. 256
 * keeps the batches of unpipelined clients (50 clients: ~150 arguments a turn) inline, where a
 * hand-off cost SET 66-73 us of CPU per request against 48-49; pipelined turns (-P 16) hand
 * off (docs/performance.md, "Inline batches"). 64 handed off both.
 */
const MAX_ARGS_OFFLOADING = 256
/** Event-loop utilization above which the main thread counts as saturated, and below which it stops counting so. */
const SATURATED_ABOVE = 0.9
const RELAXED_BELOW = 0.7
/**
 * Microseconds per key read above which reads count as cold: blocks come from the page cache
 * or the disk, not RocksDB's memory. Read-ahead from memory costs 1-2.5 us a key, JS included
 * (redis-benchmark's SET, GET, LPUSH, SADD, HSET, ZADD); 1M keys of 100 B, mostly from the
 * page cache, 6-18; 20M from the disk, ~40. For both of those, the shards served more than
 * inline batches did (docs/performance.md, ninth round).
 */
const COLD_READ_MICROS = 5
/** Weight of each batch in the running average of read cost per key. */
const READ_COST_WEIGHT = 1 / 16
/**
 * A batch counts at most this much per key: a GC pause inside one read-ahead is not a cold
 * disk, and must not hold the average above the threshold for hundreds of batches.
 */
const READ_COST_CAP_MICROS = 200

export interface CommandTraits {
  /** Of bounded cost: may run inline. */
  readonly cheap: boolean
  readonly write: boolean
}

/** Looked up once per command, not on every flush (the flags are string arrays). */
const traitsCache = new WeakMap<CommandInfo, CommandTraits>()

export function traitsOf(command: CommandInfo): CommandTraits {
  let traits = traitsCache.get(command)
  if (traits === undefined) {
    traits = { cheap: command.flags.includes('fast') || CHEAP_UNFLAGGED.has(command.name), write: command.flags.includes('write') }
    traitsCache.set(command, traits)
  }
  return traits
}

/** Whether large batches go to the shard threads: while the main thread is saturated, with hysteresis. */
export class OffloadDecision {
  offloading = false

  /** One sample: the main thread's event-loop utilization over the last interval. */
  next(utilization: number): boolean {
    this.offloading = this.offloading ? utilization > RELAXED_BELOW : utilization > SATURATED_ABOVE
    return this.offloading
  }
}

/** A running average of what a batch's read-ahead costs per key, over inline and shard batches alike. */
export class ReadCost {
  microsPerKey = 0

  note(keys: number, micros: number): void {
    if (keys > 0) this.microsPerKey += (Math.min(micros / keys, READ_COST_CAP_MICROS) - this.microsPerKey) * READ_COST_WEIGHT
  }

  /**
   * Whether batches may run inline: not while reads are cold. A read that waits on the disk
   * would stall every connection's turn; on the shard threads, reads wait beside each other
   * and beside the main thread. Shard batches keep the average current, so inline batches
   * come back once the reads are warm again.
   */
  get warm(): boolean {
    return this.microsPerKey < COLD_READ_MICROS
  }
}

export class InlinePolicy {
  private readonly decision = new OffloadDecision()
  readonly reads = new ReadCost()
  private last: EventLoopUtilization = performance.eventLoopUtilization()

  constructor(readonly enabled: boolean) {}

  /** Called every ~100 ms: looks at how busy the main thread was since the last call. */
  sample(): void {
    const now = performance.eventLoopUtilization()
    this.decision.next(performance.eventLoopUtilization(now, this.last).utilization)
    this.last = now
  }

  /** How many arguments this turn may run inline. */
  get maxArgs(): number {
    if (!this.enabled || !this.reads.warm) return 0
    return this.decision.offloading ? MAX_ARGS_OFFLOADING : MAX_ARGS
  }
}
