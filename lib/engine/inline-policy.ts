// Which batches the main thread runs itself instead of handing them to a shard thread.
//
// A hand-off costs both threads a fixed ~30-40 us (postMessage, wake-up, structured clone,
// the reply's way back), while a cheap command costs a few us of RocksDB and JS. On a machine
// whose cores are shared with clients no thread runs in parallel for free, so cheap batches
// run inline, pipelined or not: handing the large ones to the shards once the main thread was
// saturated gave more CPU per request and fewer requests at -P 16 (docs/performance.md, ninth
// round). Not while reads are cold (larger than memory), though: a batch of disk reads would
// stall every connection's turn. Then batches of string and key commands read their records
// on other threads first and run inline after (readAhead); the rest go to the shards.
// Scripts and functions run inline too, until their runs prove slow: then they run on their
// shards, where a slow run holds only its shard (SlowScripts).
import { performance } from 'node:perf_hooks'
import type { CommandInfo } from '../commands/types'
import type { InlineMode } from '../config'

/** Commands of bounded cost that Redis does not flag `fast` (SET has options, MSET many keys). */
const CHEAP_UNFLAGGED = new Set(['set', 'setex', 'psetex', 'mset', 'msetnx', 'del', 'unlink'])

/**
 * Commands whose reads are their keys' records alone, which runBatch reads ahead: while reads
 * are cold, a lane's batch of these runs on the main thread once its records have been read
 * on other threads (Engine.readAheadThenRun). Others (collections: members read as they go)
 * would wait on the disk on the main thread, and run on the shards.
 */
const RECORDS_ONLY = new Set([
  'get', 'mget', 'set', 'setnx', 'setex', 'psetex', 'getset', 'getdel', 'getex', 'mset', 'msetnx', 'strlen', 'append',
  'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'exists', 'touch', 'type', 'del', 'unlink', 'ttl', 'pttl',
  'expire', 'pexpire', 'expireat', 'pexpireat', 'expiretime', 'pexpiretime', 'persist',
])

/** Arguments of all the batches one turn runs inline, at most: bounds how long the main thread is held. */
const MAX_ARGS = 4096
/**
 * Microseconds per key read above which reads count as cold: blocks come from the disk, not
 * memory. Read-ahead from memory costs 1-2.5 us a key, JS included (redis-benchmark's SET,
 * GET, LPUSH, SADD, HSET, ZADD); 20M keys from the disk ~40, where the shards served more than
 * inline batches did. Between them, 1M keys read mostly from the page cache cost 6-18, and
 * also ran faster on the shards, but a threshold that low also caught busy moments of
 * MAREKVS_FSYNC=always, whose reads wait on a CPU shared with its syncs (docs/performance.md,
 * ninth round).
 */
const COLD_READ_MICROS = 15
/** Weight of each batch in the running average of read cost per key. */
const READ_COST_WEIGHT = 1 / 16
/**
 * What a read-ahead costs whatever it reads (the native call, the overlay's bookkeeping),
 * taken off before dividing by the keys: spread over a batch of a few keys it would pass for
 * cold reads, as it did for SET under MAREKVS_FSYNC=always (batches of 1-6 keys at 4-16 us a
 * key, which then all went to the shards: 33k -> 22k SET/s). A cold read costs more than this
 * on its own.
 */
const READ_AHEAD_FIXED_MICROS = 15
/**
 * A batch counts at most this much per key: a GC pause inside one read-ahead is not a cold
 * disk, and must not hold the average above the threshold for hundreds of batches.
 */
const READ_COST_CAP_MICROS = 200

/** Scripts and functions: each runs inline until its runs prove slow (SlowScripts). */
const SCRIPTS = new Set(['eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro'])

/**
 * What SlowScripts knows a script by: its argv[1], EVAL's body, EVALSHA's sha or FCALL's
 * function, in lower case (shas and function names are found in any case).
 */
export function scriptName(named: Buffer): string {
  return named.toString('latin1').toLowerCase()
}

function nameOf(named: string | Buffer): string {
  return typeof named === 'string' ? named : scriptName(named)
}

export interface CommandTraits {
  /** Of bounded cost: may run inline. */
  readonly cheap: boolean
  /** A script or function (SCRIPTS): may run inline while SlowScripts does not know it as slow. */
  readonly script: boolean
  readonly write: boolean
  /** Reads nothing but its keys' records (RECORDS_ONLY). */
  readonly recordsOnly: boolean
}

/** Looked up once per command, not on every flush (the flags are string arrays). */
const traitsCache = new WeakMap<CommandInfo, CommandTraits>()

export function traitsOf(command: CommandInfo): CommandTraits {
  let traits = traitsCache.get(command)
  if (traits === undefined) {
    traits = { cheap: command.flags.includes('fast') || CHEAP_UNFLAGGED.has(command.name), script: SCRIPTS.has(command.name), write: command.flags.includes('write'), recordsOnly: RECORDS_ONLY.has(command.name) }
    traitsCache.set(command, traits)
  }
  return traits
}

/** A running average of what a batch's read-ahead costs per key, over inline and shard batches alike. */
export class ReadCost {
  microsPerKey = 0

  note(keys: number, micros: number): void {
    if (keys === 0) return
    const perKey = Math.min(Math.max(0, micros - READ_AHEAD_FIXED_MICROS) / keys, READ_COST_CAP_MICROS)
    this.microsPerKey += (perKey - this.microsPerKey) * READ_COST_WEIGHT
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

/**
 * A run that spent at least this much of the main thread's CPU time (µs; LuaHost's
 * lastRunCpuMicros) counts as slow. Below it the hand-off to a shard and back (~30-40 µs on each
 * thread) is a large share of the work; above it a run holds every connection of the node, not
 * only its shard's. CPU time, not wall time: on a busy machine (a compaction, the clients) the OS
 * preempts the main thread inside runs, and wall time then sent a 30 µs script to its shard,
 * where it cost 1.6 times as much (docs/performance.md, twenty-fifth round).
 */
const SLOW_RUN_MICROS = 200
/**
 * Slow runs in a row that send a script to its shard. One slow run is not enough: a V8 scavenge
 * inside a run of a 15 µs script takes 1-4 ms, and at tens of thousands of runs a second one
 * lands in some run every few hundred milliseconds, rarely in consecutive runs of one script.
 * A script that is slow every time holds the main thread for three runs.
 */
const SLOW_STREAK = 3
/**
 * How long a script stays on its shard before the main thread measures it again. Not for good:
 * a script's cost depends on its data (a bucket that grows), and what once made consecutive runs
 * slow may be gone. A script slow every time costs the main thread three runs per period.
 */
const SLOW_FOR_MS = 10_000
/** Scripts remembered at most, on a streak or slow; past it they are measured anew. */
const SLOW_SCRIPTS_MAX = 10_000

/**
 * Which scripts (by scriptName) run on their shards because their last runs on the main thread
 * were slow. Fast scripts leave no entry.
 */
export class SlowScripts {
  /** Name -> slow runs in a row, short of SLOW_STREAK. */
  private readonly streaks = new Map<string, number>()
  /** Name -> when it was found slow (ms of `now`). */
  private readonly slowSince = new Map<string, number>()

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * A run on the main thread spent `micros` of its CPU time. `named`: the script's name, or the
   * argument that names it (the sha or function name, made a name only when there is any entry
   * to look at: most runs find none).
   */
  note(named: string | Buffer, micros: number): void {
    if (micros < SLOW_RUN_MICROS) {
      if (this.streaks.size > 0) this.streaks.delete(nameOf(named))
      return
    }
    const name = nameOf(named)
    const streak = (this.streaks.get(name) ?? 0) + 1
    if (streak < SLOW_STREAK) {
      if (this.streaks.size >= SLOW_SCRIPTS_MAX) this.streaks.clear()
      this.streaks.set(name, streak)
      return
    }
    this.streaks.delete(name)
    if (this.slowSince.size >= SLOW_SCRIPTS_MAX) this.slowSince.clear()
    this.slowSince.set(name, this.now())
  }

  /** Whether the script `named` (as in note) runs on its shard now; one whose period is over is measured again. */
  has(named: string | Buffer): boolean {
    if (this.slowSince.size === 0) return false
    const name = nameOf(named)
    const since = this.slowSince.get(name)
    if (since === undefined) return false
    if (this.now() - since < SLOW_FOR_MS) return true
    this.slowSince.delete(name)
    return false
  }

  /** How many scripts are kept on their shards (INFO). */
  get count(): number {
    const now = this.now()
    let n = 0
    for (const since of this.slowSince.values()) if (now - since < SLOW_FOR_MS) n++
    return n
  }

  /** Function libraries changed: a function's name may now run other code. */
  clear(): void {
    this.streaks.clear()
    this.slowSince.clear()
  }
}

export class InlinePolicy {
  readonly reads = new ReadCost()
  readonly slowScripts = new SlowScripts()

  constructor(readonly mode: InlineMode) {}

  /** How many arguments this turn may run inline. */
  get maxArgs(): number {
    return this.mode === 'on' && this.reads.warm ? MAX_ARGS : 0
  }

  /** Whether batches that read only records run on the main thread after reading them elsewhere: while reads are cold. */
  get readAhead(): boolean {
    return this.mode === 'cold' || (this.mode === 'on' && !this.reads.warm)
  }
}
