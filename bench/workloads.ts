// The workloads of the suite, as data. Four kinds, each run by its own
// function in run.ts: redis-benchmark tests, a GET/SET mix and a fixed-rate
// latency run from our load generator (loadgen.ts), the larger-than-memory
// run, and rows that cannot run yet (pending). Adding one is adding an entry
// here and, if it needs servers configured differently, a profile.

/** How both servers are configured for a group of workloads. */
export interface Profile {
  name: string
  /** marekvs MAREKVS_FSYNC */
  marekvsFsync: 'everysec' | 'always' | 'no'
  /** redis-server --appendfsync */
  redisAppendfsync: 'everysec' | 'always' | 'no'
}

/** Full and quick (`--quick`) values of a size. */
export interface Sized { full: number; quick: number }

interface Common {
  /** Row label in the report, unique; {keys} stands for the key count of the mode (1M, 200k). */
  name: string
  profile: Profile
  /** Only run when asked for: `--large`, or `--only` matching the name or alias. */
  optIn?: boolean
  /** A short name for `--only` besides the row label. */
  alias?: string
  /**
   * The performance issue's target for this row, as the chart plots it
   * (marekvs/Redis ops/s; fixed rate: Redis p99 / marekvs p99). Drawn, never asserted.
   */
  target?: number
}

export type RedisBenchmarkTest = 'set' | 'get' | 'incr' | 'mset' | 'lpush' | 'lpop' | 'sadd' | 'hset' | 'zadd' | 'evalsha'

export const TOKEN_BUCKET = [
  "local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or '10')",
  "if tokens > 0 then redis.call('HSET', KEYS[1], 'tokens', tokens - 1) return 1 end",
  "redis.call('HSET', KEYS[1], 'tokens', 10)",
  'return 0',
].join('\n')

export interface BenchmarkWorkload extends Common {
  kind: 'redis-benchmark'
  /** redis-benchmark -t: one test per run, so a command marekvs lacks fails only its row. */
  test: RedisBenchmarkTest
  /** The row redis-benchmark prints for that test in --csv. */
  csvTest: string
  clients: number
  /** -P; 1 means no pipelining. */
  pipeline: number
  /** -d */
  valueBytes: number
  /** -r: keys (or members) drawn from this many; null: one fixed key. */
  keyspace: number | null
  /** Requests per measured run (-n). */
  requests: Sized
  /** SET every key of the keyspace (to valueBytes) before the first run, so GETs hit. */
  prepopulate: boolean
  /** A Lua script to SCRIPT LOAD on both servers; the test is then `EVALSHA <sha1> 1 bucket:__rand_int__`. */
  script?: string
}

/** Closed loop from loadgen: `connections` × `pipeline` requests in flight, random keys. */
export interface MixedWorkload extends Common {
  kind: 'mixed'
  /** Each request a transaction (loadgen's multi mode: MULTI; INCR; EXPIRE; EXEC) instead of a GET or SET. */
  transactions?: boolean
  connections: number
  pipeline: number
  /** Share of GETs; the rest are SETs. */
  getRatio: number
  /** Keys loaded before the first run; GETs and SETs draw from them. */
  keyspace: Sized
  valueBytes: number
  /** Measured duration of one run; the warm-up run is WARMUP_MS. */
  durationMs: Sized
}

/**
 * Open loop from loadgen: GETs at a fixed rate, `rateShare` of marekvs's
 * peak GET rate (closed loop, same connections, one request in flight each),
 * measured first in the same run; both servers get that same rate.
 */
export interface LatencyWorkload extends Common {
  kind: 'latency'
  connections: number
  rateShare: number
  keyspace: number
  valueBytes: number
  /** Duration of the peak measurement. */
  peakMs: Sized
  durationMs: Sized
}

/**
 * Larger than memory: `keys` keys loaded (pipelined SETs, loadPipeline per
 * batch over loadConnections), then random GETs in closed loop with the page
 * cache dropped before each measured run, reporting ops/s and RSS.
 */
export interface LargeWorkload extends Common {
  kind: 'large'
  keys: Sized
  valueBytes: number
  loadConnections: number
  loadPipeline: number
  connections: number
  pipeline: number
  durationMs: Sized
}

/** A row the suite lists but cannot run yet, with the reason. */
export interface PendingWorkload extends Common {
  kind: 'pending'
  reason: string
}

export type Workload = BenchmarkWorkload | MixedWorkload | LatencyWorkload | LargeWorkload | PendingWorkload

export const PROFILE_EVERYSEC: Profile = { name: 'fsync everysec', marekvsFsync: 'everysec', redisAppendfsync: 'everysec' }
export const PROFILE_ALWAYS: Profile = { name: 'fsync always', marekvsFsync: 'always', redisAppendfsync: 'always' }
/** Its own pair of servers, started fresh and deleted after: 20M keys are several GB. */
export const PROFILE_LARGE: Profile = { name: 'fsync everysec, large', marekvsFsync: 'everysec', redisAppendfsync: 'everysec' }

/** Warm-up run of a loadgen workload on each server, discarded. */
export const WARMUP_MS: Sized = { full: 2_000, quick: 1_000 }

const KEYSPACE = 100_000
const BASE = {
  kind: 'redis-benchmark' as const, profile: PROFILE_EVERYSEC, clients: 50, valueBytes: 3,
  requests: { full: 100_000, quick: 20_000 }, prepopulate: false,
}

type Fields = Pick<BenchmarkWorkload, 'test' | 'csvTest' | 'keyspace'> & Partial<Pick<BenchmarkWorkload, 'prepopulate' | 'valueBytes' | 'requests'>>

/** The same test without and with pipelining (-P 16). */
function pair(label: string, fields: Fields, targets?: [number, number]): BenchmarkWorkload[] {
  return [
    { ...BASE, ...fields, name: label, pipeline: 1, target: targets?.[0] },
    { ...BASE, ...fields, name: `${label} -P 16`, pipeline: 16, target: targets?.[1] },
  ]
}

export const WORKLOADS: Workload[] = [
  // Targets: ≥ 0.8× Redis without pipelining, ≥ 0.4× with -P 16.
  ...pair('SET', { test: 'set', csvTest: 'SET', keyspace: KEYSPACE }, [0.8, 0.4]),
  ...pair('GET', { test: 'get', csvTest: 'GET', keyspace: KEYSPACE, prepopulate: true }, [0.8, 0.4]),
  ...pair('INCR', { test: 'incr', csvTest: 'INCR', keyspace: KEYSPACE }),
  // redis-benchmark's mset test: 10 keys per command. Without -r all ten are
  // the literal key "key:__rand_int__", so this is the single-shard case.
  ...pair('MSET (10 keys)', { test: 'mset', csvTest: 'MSET (10 keys)', keyspace: null }),
  // The collection tests each write one key (mylist, myset, myhash, myzset):
  // one shard. With -r, the members/fields are drawn from 100k, so the set,
  // hash and sorted set grow to up to 100k members. LPOP pops what LPUSH
  // pushed: 700k elements by then in a full run (140k quick), and LPOP's two
  // rows pop at most 350k (60k), so every pop finds one. Pops cost the same
  // all along since the list's meta bounds its live positions
  // (docs/performance.md, "LPOP collapses").
  ...pair('LPUSH', { test: 'lpush', csvTest: 'LPUSH', keyspace: null }),
  ...pair('LPOP', { test: 'lpop', csvTest: 'LPOP', keyspace: null, requests: { full: 50_000, quick: 10_000 } }),
  ...pair('SADD', { test: 'sadd', csvTest: 'SADD', keyspace: KEYSPACE }),
  ...pair('HSET', { test: 'hset', csvTest: 'HSET', keyspace: KEYSPACE }),
  ...pair('ZADD', { test: 'zadd', csvTest: 'ZADD', keyspace: KEYSPACE }),
  // 1 KiB values, no pipelining; the GET keyspace is reloaded with 1 KiB values first.
  { ...BASE, name: 'SET 1 KiB', test: 'set', csvTest: 'SET', pipeline: 1, keyspace: KEYSPACE, valueBytes: 1024 },
  { ...BASE, name: 'GET 1 KiB', test: 'get', csvTest: 'GET', pipeline: 1, keyspace: KEYSPACE, valueBytes: 1024, prepopulate: true },
  // 90:10 GET:SET over 1M keys of 100 B (100k in quick mode, to keep it quick).
  {
    kind: 'mixed', name: 'GET:SET 90:10, {keys} keys', profile: PROFILE_EVERYSEC, connections: 50, pipeline: 1, getRatio: 0.9,
    keyspace: { full: 1_000_000, quick: 100_000 }, valueBytes: 100, durationMs: { full: 10_000, quick: 2_000 },
  },
  {
    kind: 'mixed', name: 'GET:SET 90:10, {keys} keys -P 16', profile: PROFILE_EVERYSEC, connections: 50, pipeline: 16, getRatio: 0.9,
    keyspace: { full: 1_000_000, quick: 100_000 }, valueBytes: 100, durationMs: { full: 10_000, quick: 2_000 },
  },
  // Transactions as clients send them (ioredis's multi().incr().expire().exec(): one write), on counters of their own.
  {
    kind: 'mixed', name: 'MULTI INCR EXPIRE EXEC, {keys} counters', alias: 'multi', transactions: true, profile: PROFILE_EVERYSEC, connections: 50,
    pipeline: 1, getRatio: 0, keyspace: { full: 100_000, quick: 100_000 }, valueBytes: 3, durationMs: { full: 10_000, quick: 2_000 },
  },
  // Fixed-rate GETs at half of marekvs's peak, on the 100k keys of the GET rows.
  {
    kind: 'latency', name: 'GET at fixed rate (50% of marekvs peak)', alias: 'latency', profile: PROFILE_EVERYSEC,
    connections: 50, rateShare: 0.5, keyspace: KEYSPACE, valueBytes: 3, target: 0.5, // p99 ≤ 2× Redis's
    peakMs: { full: 5_000, quick: 2_000 }, durationMs: { full: 10_000, quick: 3_000 },
  },
  // Durable writes: every acknowledged write is on disk. As many requests as the other rows:
  // 20k ran under half a second here, too short to tell a change from the machine's noise.
  {
    ...BASE, name: 'SET, fsync always', profile: PROFILE_ALWAYS, test: 'set', csvTest: 'SET',
    pipeline: 1, keyspace: KEYSPACE, target: 1,
  },
  // A token bucket per key (10 tokens, refilled when empty): one HGET and one HSET per call.
  { ...BASE, name: 'EVALSHA (token bucket)', alias: 'evalsha', test: 'evalsha', csvTest: '', keyspace: KEYSPACE, pipeline: 1, script: TOKEN_BUCKET },
  // Opt-in (`--large` or `--only ltm`): loading 20M keys into marekvs takes ~10+ minutes.
  {
    kind: 'large', name: 'GET, {keys} keys × 100 B (larger than memory)', alias: 'ltm', profile: PROFILE_LARGE, optIn: true,
    keys: { full: 20_000_000, quick: 2_000_000 }, valueBytes: 100, loadConnections: 4, loadPipeline: 256,
    connections: 50, pipeline: 1, durationMs: { full: 20_000, quick: 10_000 },
  },
]
