// npm run bench [-- --quick] [--only <substring>]: marekvs against a real
// redis-server, side by side on loopback, driven by redis-benchmark.
//
// Per profile (server configuration) both servers start in temp dirs; per
// workload each server gets a warm-up run, then `repeats` measured runs, the
// two servers alternating (R M, M R, R M...) so drift (page cache, thermal,
// the other tenant of the machine) hits both alike. Server CPU is read from
// /proc around every run. Both servers are stopped at the end, failure or not.
import { execFileSync } from 'node:child_process'
import * as os from 'node:os'
import * as path from 'node:path'
import { benchmarkArgs, runBenchmark } from './redis-benchmark'
import { markdownTable, RunSample, summarize, SuiteResult, workloadResult, WorkloadResult, writeResults } from './report'
import { cpuSeconds, loadKeyspace, Server, ServerKind, startServer, stopServer } from './servers'
import { Profile, Workload, WORKLOADS } from './workloads'

const REPO_ROOT = path.resolve(__dirname, '..', '..')
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results')
const KINDS: ServerKind[] = ['redis', 'marekvs']

interface Options {
  quick: boolean
  only: string | null
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, only: null }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') options.quick = true
    else if (argv[i] === '--only' && i + 1 < argv.length) options.only = argv[++i]
    else throw new Error(`unknown argument '${argv[i]}' (expected --quick, --only <substring>)`)
  }
  return options
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

/** The servers of one profile, restarted (with their keyspace reloaded) if one dies. */
class Pair {
  private servers = new Map<ServerKind, Server>()
  private loaded = new Set<ServerKind>()

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

  async prepare(kind: ServerKind, workload: Workload): Promise<Server> {
    const server = await this.server(kind)
    if (workload.prepopulate && workload.keyspace !== null && !this.loaded.has(kind)) {
      const t0 = Date.now()
      await loadKeyspace(server.port, workload.keyspace, workload.valueBytes)
      this.loaded.add(kind)
      log(`  loaded ${workload.keyspace} keys into ${kind} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    }
    return server
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map(stopServer))
    this.servers.clear()
  }
}

/** One run of a workload on one server: ops/s from redis-benchmark, CPU from /proc. */
async function measure(server: Server, workload: Workload, requests: number): Promise<RunSample | string> {
  const cpuBefore = cpuSeconds(server)
  const outcome = await runBenchmark(workload, server.port, requests)
  if (!outcome.ok) return server.exited !== null ? `${outcome.error} (server exited: ${server.exited})` : outcome.error
  if (server.exited !== null) return `server exited during the run (${server.exited})`
  const cpuS = cpuSeconds(server) - cpuBefore
  return { opsPerS: outcome.row.rps, cpuS, requests, p50LatencyMs: outcome.row.p50LatencyMs, p99LatencyMs: outcome.row.p99LatencyMs, load1: os.loadavg()[0] }
}

async function runWorkload(pair: Pair, workload: Workload, requests: number, repeats: number): Promise<WorkloadResult> {
  const runs: Record<ServerKind, RunSample[]> = { redis: [], marekvs: [] }
  const errors: Record<ServerKind, string | null> = { redis: null, marekvs: null }
  const attempt = async (kind: ServerKind, n: number, record: boolean) => {
    if (errors[kind] !== null) return
    let sample: RunSample | string
    try {
      sample = await measure(await pair.prepare(kind, workload), workload, n)
    } catch (err) {
      sample = (err as Error).message
    }
    if (typeof sample === 'string') {
      errors[kind] = sample
      log(`  ${kind.padEnd(7)} FAILED: ${sample}`)
    } else if (record) {
      runs[kind].push(sample)
      log(`  ${kind.padEnd(7)} ${Math.round(sample.opsPerS).toString().padStart(8)} ops/s  cpu ${sample.cpuS.toFixed(2)} s  load ${sample.load1.toFixed(1)}`)
    }
  }
  const warmup = Math.max(5_000, Math.round(requests / 2))
  for (const kind of KINDS) await attempt(kind, warmup, false)
  for (let i = 0; i < repeats; i++) {
    for (const kind of i % 2 === 0 ? KINDS : [...KINDS].reverse()) await attempt(kind, requests, true)
  }
  return workloadResult({
    name: workload.name,
    profile: workload.profile.name,
    args: benchmarkArgs(workload, 0, requests).slice(4).join(' '),
    requests,
    redis: summarize(runs.redis, errors.redis),
    marekvs: summarize(runs.marekvs, errors.marekvs),
  })
}

function log(message: string): void {
  process.stderr.write(`${message}\n`)
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const repeats = options.quick ? 1 : 3
  const workloads = WORKLOADS.filter((w) => options.only === null || w.name.toLowerCase().includes(options.only.toLowerCase()))
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
      mode: options.quick ? 'quick' : 'full',
      complete,
      repeats,
      machine: machine(),
      load1: {
        start: loadStart,
        end: os.loadavg()[0],
        max: Math.max(0, ...results.flatMap((w) => [...w.redis.runs, ...w.marekvs.runs].map((run) => run.load1))),
      },
      note: 'Client and both servers share the machine: redis-benchmark takes CPU from the server it drives, ' +
        'which costs marekvs (several threads) more than single-threaded Redis.',
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
          const requests = options.quick ? workload.requests.quick : workload.requests.full
          log(`${workload.name} (${profile.name}, -n ${requests})`)
          results.push(await runWorkload(pair, workload, requests, repeats))
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
  report(true)
}

main().catch((err) => {
  log(`bench: ${(err as Error).stack ?? err}`)
  process.exit(1)
})
