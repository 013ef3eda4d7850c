// The workloads of the suite, as data: adding one (1 KiB values, a read/write
// mix, a fixed-rate latency run, larger-than-memory) is adding an entry here
// and, if it needs servers configured differently, a profile.

/** How both servers are configured for a group of workloads. */
export interface Profile {
  name: string
  /** marekvs MAREKVS_FSYNC */
  marekvsFsync: 'everysec' | 'always' | 'no'
  /** redis-server --appendfsync */
  redisAppendfsync: 'everysec' | 'always' | 'no'
}

export interface Workload {
  /** Row label in the report, unique. */
  name: string
  profile: Profile
  /** redis-benchmark -t: one test per run, so a command marekvs lacks fails only its row. */
  test: 'set' | 'get' | 'incr' | 'mset'
  /** The row redis-benchmark prints for that test in --csv. */
  csvTest: string
  clients: number
  /** -P; 1 means no pipelining. */
  pipeline: number
  /** -d */
  valueBytes: number
  /** -r: keys drawn from this many (key:000000000000...); null: one fixed key. */
  keyspace: number | null
  /** Requests per measured run (-n). */
  requests: { full: number; quick: number }
  /** SET every key of the keyspace once before the first run, so GETs hit. */
  prepopulate: boolean
}

export const PROFILE_EVERYSEC: Profile = { name: 'fsync everysec', marekvsFsync: 'everysec', redisAppendfsync: 'everysec' }
export const PROFILE_ALWAYS: Profile = { name: 'fsync always', marekvsFsync: 'always', redisAppendfsync: 'always' }

const KEYSPACE = 100_000
const BASE = { profile: PROFILE_EVERYSEC, clients: 50, valueBytes: 3, requests: { full: 100_000, quick: 30_000 }, prepopulate: false }

/** The same test without and with pipelining (-P 16). */
function pair(label: string, fields: Pick<Workload, 'test' | 'csvTest' | 'keyspace'> & { prepopulate?: boolean }): Workload[] {
  return [
    { ...BASE, ...fields, name: label, pipeline: 1 },
    { ...BASE, ...fields, name: `${label} -P 16`, pipeline: 16 },
  ]
}

export const WORKLOADS: Workload[] = [
  ...pair('SET', { test: 'set', csvTest: 'SET', keyspace: KEYSPACE }),
  ...pair('GET', { test: 'get', csvTest: 'GET', keyspace: KEYSPACE, prepopulate: true }),
  ...pair('INCR', { test: 'incr', csvTest: 'INCR', keyspace: KEYSPACE }),
  // redis-benchmark's mset test: 10 keys per command. Without -r all ten are
  // the literal key "key:__rand_int__", so this is the single-shard case.
  ...pair('MSET (10 keys)', { test: 'mset', csvTest: 'MSET (10 keys)', keyspace: null }),
  // Durable writes: every acknowledged write is on disk. Fewer requests, as
  // each one may wait for an fsync.
  {
    ...BASE, name: 'SET, fsync always', profile: PROFILE_ALWAYS, test: 'set', csvTest: 'SET',
    pipeline: 1, keyspace: KEYSPACE, requests: { full: 20_000, quick: 5_000 },
  },
]
