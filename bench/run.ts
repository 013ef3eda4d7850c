// npm run bench [-- --quick] [--only <substring>] [--large]: marekvs against a
// real redis-server, side by side on loopback, driven by redis-benchmark and by
// our own load generator (loadgen.ts).
//
// Per profile (server configuration) both servers start in temp dirs; per
// workload each server gets a warm-up run, then `repeats` measured runs, the
// two servers alternating (R M, M R, R M...) so drift (page cache, thermal,
// the other tenant of the machine) hits both alike. Server CPU is read from
// /proc around every run. Both servers are stopped at the end, failure or not.
// Opt-in workloads (larger than memory: minutes of loading) run only with
// --large or when --only names them (`--only ltm`).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DEFAULTS, LoadgenOptions, LoadgenResult, spawnLoadgen } from './loadgen'
import { benchmarkArgs, runBenchmark } from './redis-benchmark'
import { markdownTable, mib, pendingResult, RunSample, summarize, SuiteResult, workloadResult, WorkloadResult, writeResults } from './report'
import { cpuSeconds, dropPageCache, inheritedMarekvsEnv, memoryBytes, pageCacheBytes, scriptLoad, Server, ServerKind, startServer, stopServer, waitQuiet, walStats } from './servers'
import { BenchmarkWorkload, LargeWorkload, LatencyWorkload, MixedWorkload, Profile, WARMUP_MS, Workload, WORKLOADS } from './workloads'

const REPO_ROOT = path.resolve(__dirname, '..', '..')
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results')
const KINDS: ServerKind[] = ['redis', 'marekvs']

interface Options {
  quick: boolean
  only: string | null
  large: boolean
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, only: null, large: false }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') options.quick = true
    else if (argv[i] === '--large') options.large = true
    else if (argv[i] === '--only' && i + 1 < argv.length) options.only = argv[++i]
    else throw new Error(`unknown argument '${argv[i]}' (expected --quick, --large, --only <substring>)`)
  }
  return options
}

/** --only matches a substring of the name or the alias; opt-in workloads need --large or a match. */
export function selected(workload: Workload, options: Options): boolean {
  const only = options.only?.toLowerCase() ?? null
  const matches = only !== null && (workload.name.toLowerCase().includes(only) || workload.alias === only)
  if (workload.optIn) return matches || (options.large && only === null)
  return only === null || matches
}

/** 20M, 1M, 200k. */
function count(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n)
}

function label(workload: Workload, quick: boolean): string {
  const keys = workload.kind === 'mixed' ? workload.keyspace : workload.kind === 'large' ? workload.keys : null
  return keys === null ? workload.name : workload.name.replace('{keys}', count(quick ? keys.quick : keys.full))
}

/** git's output without the trailing newline (leading spaces matter in `status --porcelain`). */
function git(args: string[]): string {
  return execFileSync('git', args, { cwd: REPO_ROOT }).toString().trimEnd()
}

function machine(): SuiteResult['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    redis: `redis-server ${/v=(\S+)/.exec(execFileSync('redis-server', ['--version']).toString())?.[1] ?? '(unknown version)'}`,
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`)
}

/** Loads below this rate are taken as hung (20M keys: 4000 s). */
const LOAD_MIN_OPS_PER_S = 5_000
/** Slack over a loadgen run's own duration before it counts as hung. */
const LOADGEN_SLACK_MS = 60_000

/** The servers of one profile, restarted (with their keyspace reloaded) if one dies. */
class Pair {
  private servers = new Map<ServerKind, Server>()
  /** What each server's keyspace was last loaded with: `<keys>x<valueBytes>`. */
  private loaded = new Map<ServerKind, string>()

  constructor(readonly profile: Profile) {}

  async server(kind: ServerKind): Promise<Server> {
    const current = this.servers.get(kind)
    if (current !== undefined && current.exited === null) return current
    if (current !== undefined) {
      log(`  ${kind} had exited (${current.exited}): ${current.log.slice(-3).join(' | ')}; restarting`)
      await stopServer(current)
      this.loaded.delete(kind)
    }
    const started = await startServer({ kind, profile: this.profile, repoRoot: REPO_ROOT })
    this.servers.set(kind, started)
    return started
  }

  /**
   * The server, with key:0 .. key:<keys-1> set to values of valueBytes
   * (pipelined SETs from loadgen) unless the last load was the same. Throws if
   * the load fails.
   */
  async prepare(kind: ServerKind, keys: number | null, valueBytes: number, batch = { connections: 4, pipeline: 256 }): Promise<{ server: Server; load: LoadgenResult | null }> {
    const server = await this.server(kind)
    const want = `${keys}x${valueBytes}`
    if (keys === null || this.loaded.get(kind) === want) return { server, load: null }
    const options: LoadgenOptions = { ...DEFAULTS, port: server.port, mode: 'load', keyspace: keys, valueBytes, ...batch }
    const load = await spawnLoadgen(options, LOADGEN_SLACK_MS + (keys / LOAD_MIN_OPS_PER_S) * 1000, (line) => log(`    ${kind}: ${line}`))
    if (typeof load === 'string') throw new Error(`loading ${keys} keys: ${load}${server.exited !== null ? ` (server exited: ${server.exited})` : ''}`)
    this.loaded.set(kind, want)
    log(`  loaded ${count(keys)} keys × ${valueBytes} B into ${kind} in ${(load.elapsedMs / 1000).toFixed(1)} s (${Math.round(load.opsPerS)} keys/s)`)
    return { server, load }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map(stopServer))
    this.servers.clear()
    this.loaded.clear()
  }
}

/** One run of a redis-benchmark workload on one server: ops/s from redis-benchmark, CPU from /proc. */
async function measureBenchmark(server: Server, workload: BenchmarkWorkload, requests: number): Promise<RunSample | string> {
  const cpuBefore = cpuSeconds(server)
  const walBefore = walStats(server)
  const outcome = await runBenchmark(workload, server.port, requests)
  if (!outcome.ok) return server.exited !== null ? `${outcome.error} (server exited: ${server.exited})` : outcome.error
  if (server.exited !== null) return `server exited during the run (${server.exited})`
  const cpuS = cpuSeconds(server) - cpuBefore
  const walAfter = walStats(server)
  // How many write commands shared one WAL sync (group commit), marekvs only.
  const wal = walBefore === null || walAfter === null ? {} : {
    writeCommands: walAfter.commands - walBefore.commands, walSyncs: walAfter.syncs - walBefore.syncs,
  }
  return {
    opsPerS: outcome.row.rps, cpuS, requests, p50LatencyMs: outcome.row.p50LatencyMs, p99LatencyMs: outcome.row.p99LatencyMs, load1: os.loadavg()[0],
    detail: wal,
  }
}

/** One loadgen run on one server: ops/s and (fixed rate) latency from loadgen, CPU and RSS from /proc. */
async function measureLoadgen(server: Server, options: Omit<LoadgenOptions, 'port'>, detail: Record<string, unknown> = {}): Promise<RunSample | string> {
  const cpuBefore = cpuSeconds(server)
  const res = await spawnLoadgen({ ...options, port: server.port }, LOADGEN_SLACK_MS + options.warmupMs + options.durationMs, (line) => log(`    ${line}`))
  if (typeof res === 'string') return server.exited !== null ? `${res} (server exited: ${server.exited})` : res
  if (server.exited !== null) return `server exited during the run (${server.exited})`
  const cpuS = cpuSeconds(server) - cpuBefore
  const memory = memoryBytes(server)
  const ms = (us: number | undefined) => (us === undefined ? null : us / 1000)
  return {
    opsPerS: res.opsPerS, cpuS, requests: res.ops,
    p50LatencyMs: ms(res.latencyUs?.p50), p99LatencyMs: ms(res.latencyUs?.p99), p999LatencyMs: ms(res.latencyUs?.p999),
    rssBytes: memory.rssBytes, hwmBytes: memory.hwmBytes, load1: os.loadavg()[0],
    detail: { ...detail, loadgen: res },
  }
}

type Attempt = (kind: ServerKind, warmup: boolean, repeat: number) => Promise<RunSample | string>

/**
 * A warm-up run on each server (unless `warmup` is false), then `repeats`
 * measured runs alternating the servers. A failure is recorded and ends that
 * server's runs of the workload.
 */
async function alternate(attempt: Attempt, repeats: number, warmup: boolean): Promise<Pick<WorkloadResult, 'redis' | 'marekvs'>> {
  const runs: Record<ServerKind, RunSample[]> = { redis: [], marekvs: [] }
  const errors: Record<ServerKind, string | null> = { redis: null, marekvs: null }
  const once = async (kind: ServerKind, isWarmup: boolean, repeat: number) => {
    if (errors[kind] !== null) return
    let sample: RunSample | string
    try {
      sample = await attempt(kind, isWarmup, repeat)
    } catch (err) {
      sample = (err as Error).message
    }
    if (typeof sample === 'string') {
      errors[kind] = sample
      log(`  ${kind.padEnd(7)} FAILED: ${sample}`)
    } else if (!isWarmup) {
      runs[kind].push(sample)
      const latency = sample.p99LatencyMs != null && sample.p50LatencyMs != null
        ? `  p50 ${sample.p50LatencyMs.toFixed(2)} p99 ${sample.p99LatencyMs.toFixed(2)} p99.9 ${sample.p999LatencyMs?.toFixed(2) ?? '?'} ms` : ''
      const rss = sample.rssBytes != null ? `  rss ${mib(sample.rssBytes)}` : ''
      log(`  ${kind.padEnd(7)} ${Math.round(sample.opsPerS).toString().padStart(8)} ops/s  cpu ${sample.cpuS.toFixed(2)} s  load ${sample.load1.toFixed(1)}${latency}${rss}`)
    }
  }
  if (warmup) for (const kind of KINDS) await once(kind, true, -1)
  for (let i = 0; i < repeats; i++) {
    for (const kind of i % 2 === 0 ? KINDS : [...KINDS].reverse()) await once(kind, false, i)
  }
  return { redis: summarize(runs.redis, errors.redis), marekvs: summarize(runs.marekvs, errors.marekvs) }
}

async function runBenchmarkWorkload(pair: Pair, w: BenchmarkWorkload, quick: boolean, repeats: number): Promise<WorkloadResult> {
  const requests = quick ? w.requests.quick : w.requests.full
  const warmupRequests = Math.max(1_000, Math.round(requests / 2))
  const servers = await alternate(async (kind, warmup) => {
    const { server } = await pair.prepare(kind, w.prepopulate ? w.keyspace : null, w.valueBytes)
    // Before every run: a server restarted after a failure has lost its scripts.
    if (w.script !== undefined) scriptLoad(server, w.script)
    return measureBenchmark(server, w, warmup ? warmupRequests : requests)
  }, repeats, true)
  const notes: string[] = []
  if (w.profile.marekvsFsync === 'always') {
    const shares = servers.marekvs.runs.flatMap((run) => {
      const { writeCommands, walSyncs } = (run.detail ?? {}) as { writeCommands?: number; walSyncs?: number }
      return writeCommands !== undefined && walSyncs ? [writeCommands / walSyncs] : []
    })
    if (shares.length > 0) notes.push(`marekvs: ${shares.map((share) => share.toFixed(1)).join(', ')} write commands per WAL sync (INFO marekvs_write_commands / marekvs_wal_syncs, per run)`)
  }
  return workloadResult({
    name: w.name, kind: w.kind, profile: w.profile.name, args: benchmarkArgs(w, 0, requests).slice(4).join(' '),
    requests, ...servers, notes, target: w.target,
  })
}

function loadgenArgs(options: Partial<LoadgenOptions>): string {
  const shown: Array<keyof LoadgenOptions> = ['mode', 'connections', 'pipeline', 'getRatio', 'keyspace', 'valueBytes', 'durationMs', 'rate']
  const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
  return shown.filter((name) => options[name] !== undefined && (name !== 'rate' || options.mode === 'fixed'))
    .map((name) => `${flag(name)} ${options[name]}`).join(' ')
}

async function runMixedWorkload(pair: Pair, w: MixedWorkload, quick: boolean, repeats: number): Promise<WorkloadResult> {
  const keyspace = quick ? w.keyspace.quick : w.keyspace.full
  const base = {
    ...DEFAULTS, mode: w.transactions === true ? 'multi' as const : 'mixed' as const, connections: w.connections, pipeline: w.pipeline, getRatio: w.getRatio,
    keyspace, valueBytes: w.valueBytes, durationMs: quick ? w.durationMs.quick : w.durationMs.full,
  }
  const notes: string[] = []
  const servers = await alternate(async (kind, warmup, repeat) => {
    const { server, load } = await pair.prepare(kind, keyspace, w.valueBytes)
    if (load !== null) notes.push(`${kind}: loaded ${count(keyspace)} keys in ${(load.elapsedMs / 1000).toFixed(1)} s`)
    // The same key sequence for both servers within a repeat, another one per repeat.
    return measureLoadgen(server, { ...base, durationMs: warmup ? (quick ? WARMUP_MS.quick : WARMUP_MS.full) : base.durationMs, seed: repeat + 2 })
  }, repeats, true)
  return workloadResult({ name: label(w, quick), kind: w.kind, profile: w.profile.name, args: loadgenArgs(base), requests: 0, ...servers, notes, target: w.target })
}

async function runLatencyWorkload(pair: Pair, w: LatencyWorkload, quick: boolean, repeats: number): Promise<WorkloadResult> {
  const base = { ...DEFAULTS, connections: w.connections, getRatio: 1, keyspace: w.keyspace, valueBytes: w.valueBytes }
  const failed = (why: string) => workloadResult({
    name: w.name, kind: w.kind, profile: w.profile.name, args: '', requests: 0,
    redis: summarize([], null), marekvs: summarize([], `peak GET rate: ${why}`), target: w.target,
  })
  // The peak: GETs in closed loop, one in flight per connection, on marekvs.
  const peakOptions = { ...base, mode: 'mixed' as const, pipeline: 1, warmupMs: quick ? 500 : 1_000, durationMs: quick ? w.peakMs.quick : w.peakMs.full }
  let peak: RunSample | string
  try {
    peak = await measureLoadgen((await pair.prepare('marekvs', w.keyspace, w.valueBytes)).server, peakOptions)
  } catch (err) {
    peak = (err as Error).message
  }
  if (typeof peak === 'string') {
    log(`  marekvs peak GET rate FAILED: ${peak}`)
    return failed(peak)
  }
  const rate = Math.max(1, Math.round(peak.opsPerS * w.rateShare))
  log(`  marekvs peak ${Math.round(peak.opsPerS)} GET/s (closed loop, ${w.connections} connections × 1); fixed rate ${rate}/s`)
  const fixed = { ...base, mode: 'fixed' as const, rate, warmupMs: 500, durationMs: quick ? w.durationMs.quick : w.durationMs.full }
  const servers = await alternate(async (kind, warmup, repeat) => {
    const { server } = await pair.prepare(kind, w.keyspace, w.valueBytes)
    return measureLoadgen(server, { ...fixed, durationMs: warmup ? (quick ? WARMUP_MS.quick : WARMUP_MS.full) : fixed.durationMs, seed: repeat + 2 })
  }, repeats, true)
  const notes = [
    `rate ${rate} GET/s for both servers = ${Math.round(w.rateShare * 100)} % of marekvs's peak ` +
      `${Math.round(peak.opsPerS)} GET/s, measured first in this run (loadgen ${loadgenArgs(peakOptions)})`,
    'latency counted from each request\'s intended send time; the client\'s own send lag (p50/p99) was ' +
      KINDS.map((kind) => `${kind} ${sendLag(servers[kind].runs)}`).join(', '),
  ]
  return workloadResult({ name: w.name, kind: w.kind, profile: w.profile.name, args: loadgenArgs(fixed), requests: 0, ...servers, notes, target: w.target })
}

/** Median send lag p50/p99 of fixed-rate runs, in ms. */
function sendLag(runs: RunSample[]): string {
  const lags = runs.map((run) => (run.detail?.loadgen as LoadgenResult | undefined)?.sendLagUs).filter((lag) => lag !== undefined)
  if (lags.length === 0) return 'not measured'
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]
  return `${(mid(lags.map((lag) => lag!.p50)) / 1000).toFixed(3)}/${(mid(lags.map((lag) => lag!.p99)) / 1000).toFixed(3)} ms`
}

/** Whether this machine offers a cgroup v2 memory controller (a memory-capped node), for the record. */
function memoryCgroupNote(): string {
  try {
    const controllers = fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8')
    return controllers.split(/\s+/).includes('memory') ? 'a cgroup v2 memory controller exists but was not used' : 'cgroup v2 has no memory controller here'
  } catch {
    return 'no cgroup v2 hierarchy at /sys/fs/cgroup (cgroup v1 here), so no memory-capped cgroup'
  }
}

/**
 * Larger than memory: load both servers, then random GETs with the page cache
 * dropped before every measured run (no warm-up: it would warm the cache).
 */
async function runLargeWorkload(pair: Pair, w: LargeWorkload, quick: boolean, repeats: number): Promise<WorkloadResult> {
  const keys = quick ? w.keys.quick : w.keys.full
  const notes: string[] = []
  for (const kind of KINDS) {
    const { server, load } = await pair.prepare(kind, keys, w.valueBytes, { connections: w.loadConnections, pipeline: w.loadPipeline })
    const memory = memoryBytes(server)
    if (load !== null) {
      notes.push(`${kind}: loaded ${count(keys)} keys × ${w.valueBytes} B in ${(load.elapsedMs / 1000).toFixed(0)} s ` +
        `(${Math.round(load.opsPerS)} keys/s, ${w.loadConnections} connections × ${w.loadPipeline} SETs per batch); RSS after the load ${mib(memory.rssBytes)}`)
      // The GET runs measure reads, not the load's aftermath: marekvs compacts what it loaded
      // for minutes after the last SET, on the same two cores.
      const settled = await waitQuiet(server)
      log(`  ${kind} ${settled.quiet ? 'went quiet' : 'was still busy'} ${settled.seconds.toFixed(0)} s after its load`)
      notes.push(`${kind}: ${settled.quiet ? 'under 5 % of a core (2 s windows)' : 'still busy after the 600 s limit'} ${settled.seconds.toFixed(0)} s after the load, before the GET runs`)
    }
  }
  notes.push(`data on disk: marekvs ${mib(duBytes((await pair.server('marekvs')).dataDir))}, Redis ${mib(duBytes((await pair.server('redis')).dataDir))} (AOF)`)
  const options = {
    ...DEFAULTS, mode: 'mixed' as const, connections: w.connections, pipeline: w.pipeline, getRatio: 1, keyspace: keys,
    valueBytes: w.valueBytes, warmupMs: 0, durationMs: quick ? w.durationMs.quick : w.durationMs.full,
  }
  const pageCache: string[] = []
  const servers = await alternate(async (kind, _warmup, repeat) => {
    const server = await pair.server(kind)
    const dropped = dropPageCache()
    const before = pageCacheBytes()
    pageCache.push(dropped === null ? 'dropped' : `not dropped (${dropped})`)
    const sample = await measureLoadgen(server, { ...options, seed: repeat + 2 }, { pageCache: dropped === null ? 'dropped' : `not dropped: ${dropped}` })
    if (typeof sample !== 'string') {
      sample.detail!.pageCacheGrowthBytes = pageCacheBytes() - before
      const res = sample.detail!.loadgen as LoadgenResult
      if (res.misses > 0) return `${res.misses} of ${res.gets} GETs found no value: the loaded keys are missing`
    }
    return sample
  }, repeats, false)
  const growth = KINDS.flatMap((kind) => servers[kind].runs.map((run) => `${kind} +${mib(run.detail!.pageCacheGrowthBytes as number)}`))
  notes.push(
    `page cache: ${[...new Set(pageCache)].join(', ')} (sync; echo 3 > /proc/sys/vm/drop_caches) before each measured run; ` +
      `${memoryCgroupNote()}. The cache refills during a run (system-wide Cached grew: ${growth.join(', ')}), so later seconds of a run read ` +
      'more from memory; loadgen\'s per-second counts are in the JSON. RocksDB block cache: 64 MB (marekvs default).',
  )
  return workloadResult({ name: label(w, quick), kind: w.kind, profile: w.profile.name, args: loadgenArgs(options), requests: 0, ...servers, notes, target: w.target })
}

/** Bytes under a directory (du). */
function duBytes(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0])
  } catch {
    return NaN
  }
}

function runWorkload(pair: Pair, w: Workload, quick: boolean, repeats: number): Promise<WorkloadResult> {
  switch (w.kind) {
    case 'redis-benchmark': return runBenchmarkWorkload(pair, w, quick, repeats)
    case 'mixed': return runMixedWorkload(pair, w, quick, repeats)
    case 'latency': return runLatencyWorkload(pair, w, quick, repeats)
    case 'large': return runLargeWorkload(pair, w, quick, repeats)
    case 'pending': return Promise.resolve(pendingResult(w.name, w.reason))
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const repeats = options.quick ? 1 : 3
  const workloads = WORKLOADS.filter((w) => selected(w, options))
  const started = Date.now()
  // Taken before the first run: the code measured is HEAD plus these changes.
  const commit = git(['rev-parse', '--short', 'HEAD'])
  const status = git(['status', '--porcelain'])
  const loadStart = os.loadavg()[0]
  const results: WorkloadResult[] = []
  const report = (complete: boolean) => {
    const suite: SuiteResult = {
      date: new Date().toISOString().slice(0, 10),
      commit,
      dirty: status !== '',
      dirtyPaths: status === '' ? [] : status.split('\n'),
      marekvsEnv: inheritedMarekvsEnv(),
      mode: options.quick ? 'quick' : 'full',
      only: options.only,
      large: options.large,
      complete,
      repeats,
      machine: machine(),
      load1: {
        start: loadStart,
        end: os.loadavg()[0],
        max: Math.max(0, ...results.flatMap((w) => [...w.redis.runs, ...w.marekvs.runs].map((run) => run.load1))),
      },
      note: 'Client and both servers share the machine: redis-benchmark and loadgen take CPU from the server they drive, ' +
        'which costs marekvs (several threads) more than single-threaded Redis. loadgen is one Node process: ' +
        'against Redis it may be the bottleneck of the closed-loop rows.',
      workloads: results,
      durationS: Math.round((Date.now() - started) / 1000),
    }
    process.stdout.write(`\n${markdownTable(results)}\n\n`)
    for (const file of writeResults(RESULTS_DIR, suite)) log(`wrote ${path.relative(REPO_ROOT, file)}`)
  }
  let pair: Pair | null = null
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the servers; writing the ${results.length} workload(s) finished so far`)
    if (results.length > 0) report(false)
    void (pair?.stop() ?? Promise.resolve()).finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    // One pair of servers per profile, in the order the profiles first appear.
    const profiles = [...new Set(workloads.map((w) => w.profile))]
    for (const profile of profiles) {
      pair = new Pair(profile)
      try {
        for (const workload of workloads.filter((w) => w.profile === profile)) {
          log(`${label(workload, options.quick)} (${profile.name})`)
          results.push(await runWorkload(pair, workload, options.quick, repeats))
        }
      } finally {
        await pair.stop()
        pair = null
      }
    }
  } finally {
    process.removeListener('SIGINT', interrupted)
    process.removeListener('SIGTERM', interrupted)
  }
  // In the order of WORKLOADS, whatever the order of the profiles.
  results.sort((a, b) => workloads.findIndex((w) => label(w, options.quick) === a.name) - workloads.findIndex((w) => label(w, options.quick) === b.name))
  report(true)
}

if (require.main === module) {
  main().catch((err) => {
    log(`bench: ${(err as Error).stack ?? err}`)
    process.exit(1)
  })
}
