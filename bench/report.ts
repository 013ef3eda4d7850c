// Summaries of the runs (medians, spread, ratio, CPU per million ops), the
// markdown table and the JSON/markdown files under bench/results/.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { envText, ratioChartSvg } from './chart'

export interface RunSample {
  opsPerS: number
  /** Server CPU seconds (user + system, all threads) spent during the run. */
  cpuS: number
  /** Requests in the run (redis-benchmark -n, or replies loadgen counted). */
  requests: number
  /**
   * redis-benchmark: its own (closed-loop) percentiles. Fixed-rate runs: from
   * each request's intended send time (no coordinated omission). Null where
   * not measured.
   */
  p50LatencyMs: number | null
  p99LatencyMs: number | null
  p999LatencyMs?: number | null
  /** Server VmRSS / VmHWM after the run, where measured. */
  rssBytes?: number | null
  hwmBytes?: number | null
  /** 1-minute load average when the run ended: other tenants of the machine skew every figure. */
  load1: number
  /** Whatever else the driver reported (loadgen's full result, page cache handling). */
  detail?: Record<string, unknown>
}

export interface ServerSummary {
  runs: RunSample[]
  /** First failure; a workload that failed has no further runs on that server. */
  error: string | null
  medianOpsPerS: number | null
  minOpsPerS: number | null
  maxOpsPerS: number | null
  cpuSPerMops: number | null
  /** Medians over the runs. */
  p50LatencyMs: number | null
  p99LatencyMs: number | null
  p999LatencyMs: number | null
  /** Largest VmRSS after a run, where measured. */
  rssBytes: number | null
}

export interface WorkloadResult {
  name: string
  kind: 'redis-benchmark' | 'mixed' | 'latency' | 'large' | 'pending'
  profile: string
  /** How it ran: redis-benchmark arguments or loadgen flags, host and port left out. */
  args: string
  /** redis-benchmark -n; 0 for duration-based loadgen runs. */
  requests: number
  redis: ServerSummary
  marekvs: ServerSummary
  /** marekvs median ops/s / Redis median ops/s. */
  ratio: number | null
  /** Fixed-rate rows: marekvs median p99 / Redis median p99 (lower is better; the target is ≤ 2). */
  p99Ratio: number | null
  /** The issue's target for the chart's value (ops/s ratio; fixed rate: Redis p99 / marekvs p99), if it sets one. */
  target: number | null
  /** Why the row has no figures yet (pending rows). */
  pending: string | null
  /** Facts about the run besides the figures: the rate chosen, load times, page cache handling. */
  notes: string[]
}

export interface SuiteResult {
  date: string
  commit: string
  dirty: boolean
  /** `git status --porcelain` when dirty: what the measured build had beyond the commit. */
  dirtyPaths: string[]
  /** MAREKVS_* settings marekvs inherited from the suite's environment (servers.ts), beyond those the suite sets itself. */
  marekvsEnv: Record<string, string>
  mode: 'quick' | 'full'
  /** --only filter, if any, and whether opt-in workloads (--large) were included. */
  only: string | null
  large: boolean
  /** false: interrupted, only the workloads finished so far. */
  complete: boolean
  repeats: number
  machine: { cpus: number; cpuModel: string; memoryGiB: number; kernel: string; node: string; redis: string }
  /** 1-minute load average at the start and end of the suite, and the highest seen after a run. */
  load1: { start: number; end: number; max: number }
  note: string
  workloads: WorkloadResult[]
  durationS: number
}

/** Above this 1-minute load per CPU, something besides the suite was running. */
const LOAD_NOISY_PER_CPU = 2

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median of the values that were measured; null if none was. */
function medianOf(values: Array<number | null | undefined>): number | null {
  const measured = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return measured.length === 0 ? null : median(measured)
}

export function summarize(runs: RunSample[], error: string | null): ServerSummary {
  const empty = { medianOpsPerS: null, minOpsPerS: null, maxOpsPerS: null, cpuSPerMops: null, p50LatencyMs: null, p99LatencyMs: null, p999LatencyMs: null, rssBytes: null }
  if (runs.length === 0) return { runs, error, ...empty }
  const ops = runs.map((run) => run.opsPerS)
  const rss = runs.map((run) => run.rssBytes).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return {
    runs,
    error,
    medianOpsPerS: median(ops),
    minOpsPerS: Math.min(...ops),
    maxOpsPerS: Math.max(...ops),
    cpuSPerMops: medianOf(runs.map((run) => (run.requests > 0 ? (run.cpuS / run.requests) * 1e6 : null))),
    p50LatencyMs: medianOf(runs.map((run) => run.p50LatencyMs)),
    p99LatencyMs: medianOf(runs.map((run) => run.p99LatencyMs)),
    p999LatencyMs: medianOf(runs.map((run) => run.p999LatencyMs)),
    rssBytes: rss.length === 0 ? null : Math.max(...rss),
  }
}

export function workloadResult(fields: Omit<WorkloadResult, 'ratio' | 'p99Ratio' | 'pending' | 'notes' | 'target'> & Partial<Pick<WorkloadResult, 'pending' | 'notes' | 'target'>>): WorkloadResult {
  const r = fields.redis.medianOpsPerS
  const m = fields.marekvs.medianOpsPerS
  const ok = fields.marekvs.error === null && fields.redis.error === null
  const r99 = fields.redis.p99LatencyMs
  const m99 = fields.marekvs.p99LatencyMs
  return {
    ...fields,
    ratio: r !== null && m !== null && fields.marekvs.error === null ? m / r : null,
    p99Ratio: fields.kind === 'latency' && ok && r99 !== null && m99 !== null && r99 > 0 ? m99 / r99 : null,
    target: fields.target ?? null,
    pending: fields.pending ?? null,
    notes: fields.notes ?? [],
  }
}

/** A row with no runs: the reason stands in for the figures. */
export function pendingResult(name: string, reason: string): WorkloadResult {
  return workloadResult({ name, kind: 'pending', profile: '', args: '', requests: 0, redis: summarize([], null), marekvs: summarize([], null), pending: reason })
}

const ops = (n: number) => Math.round(n).toLocaleString('en-US')

function opsCell(s: ServerSummary): string {
  if (s.error !== null && s.medianOpsPerS === null) return `failed: ${s.error.replace(/\|/g, '\\|')}`
  return ops(s.medianOpsPerS!) + (s.error !== null ? ` (then failed: ${s.error.replace(/\|/g, '\\|')})` : '')
}

function spreadCell(s: ServerSummary): string {
  return s.medianOpsPerS === null ? '' : `${ops(s.minOpsPerS!)}–${ops(s.maxOpsPerS!)}`
}

const cpuCell = (s: ServerSummary) => (s.cpuSPerMops === null ? '' : s.cpuSPerMops.toFixed(1))

function ms(value: number): string {
  return value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2)
}

/** p50 / p99 / p99.9 in ms, for fixed-rate rows only: redis-benchmark's closed-loop percentiles stay in the JSON. */
function latencyCell(w: WorkloadResult, s: ServerSummary): string {
  if (w.kind !== 'latency' || s.p50LatencyMs === null || s.p99LatencyMs === null) return ''
  return `${ms(s.p50LatencyMs)} / ${ms(s.p99LatencyMs)} / ${s.p999LatencyMs === null ? '?' : ms(s.p999LatencyMs)}`
}

export function mib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`
}

const rssCell = (s: ServerSummary) => (s.rssBytes === null ? '' : mib(s.rssBytes))

export function markdownTable(workloads: WorkloadResult[]): string {
  const lines = [
    '| workload | Redis ops/s | Redis spread | marekvs ops/s | marekvs spread | marekvs/Redis | Redis CPU s/Mops | marekvs CPU s/Mops | Redis p50 / p99 / p99.9 ms | marekvs p50 / p99 / p99.9 ms | Redis RSS | marekvs RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const w of workloads) {
    if (w.pending !== null) {
      lines.push(`| ${w.name} | ${w.pending} | | | | | | | | | | |`)
      continue
    }
    const ratio = w.ratio === null ? '' : `${w.ratio.toFixed(2)}×`
    const p99 = w.p99Ratio === null ? '' : ` (p99 ${w.p99Ratio.toFixed(2)}× Redis)`
    lines.push(`| ${w.name} | ${opsCell(w.redis)} | ${spreadCell(w.redis)} | ${opsCell(w.marekvs)} | ${spreadCell(w.marekvs)} | ${ratio} | ` +
      `${cpuCell(w.redis)} | ${cpuCell(w.marekvs)} | ${latencyCell(w, w.redis)} | ${latencyCell(w, w.marekvs)}${p99} | ${rssCell(w.redis)} | ${rssCell(w.marekvs)} |`)
  }
  return lines.join('\n')
}

export function markdownReport(suite: SuiteResult): string {
  const m = suite.machine
  return [
    `# marekvs vs Redis, ${suite.date}, ${suite.commit}${suite.dirty ? '-dirty' : ''} (${suite.mode}${suite.complete ? '' : ', interrupted'})`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}; Node ${m.node}; ${m.redis}.`,
    ...(Object.keys(suite.marekvsEnv).length === 0 ? [] : [`marekvs ran with settings from the environment: ${envText(suite.marekvsEnv)} (the rest at their defaults).`]),
    `redis-benchmark and loadgen run on the same machine. ${suite.repeats} measured run(s) per workload and server after a warm-up,`,
    'servers alternating; ops/s is the median, spread is min–max, CPU is server user+system seconds per million requests.',
    '',
    markdownTable(suite.workloads),
    '',
    ...suite.workloads.filter((w) => w.pending === null).map((w) =>
      `- ${w.name} (${w.profile}): \`${w.kind === 'redis-benchmark' ? 'redis-benchmark' : 'loadgen'} ${w.args}\`` +
      w.notes.map((note) => `\n  - ${note}`).join('')),
    '',
    'Fixed-rate rows: latency from each request\'s intended send time (no coordinated omission), medians of the runs\' percentiles. ' +
      'RSS: the server process\'s VmRSS after a run, the largest over the runs.',
    '',
    suite.note,
    `1-minute load average: ${suite.load1.start.toFixed(1)} at the start, ${suite.load1.end.toFixed(1)} at the end, ` +
      `${suite.load1.max.toFixed(1)} at most after a run` +
      (suite.load1.max > LOAD_NOISY_PER_CPU * m.cpus
        ? ` (well above the ${m.cpus} CPUs: the suite's own threads or other work waited for a CPU, so the figures are noisy)`
        : ' (the suite itself keeps about 3 threads busy: redis-benchmark, and marekvs\'s main thread and shards)') + '.',
    suite.dirty ? `\nUncommitted changes in the measured tree:\n\n${suite.dirtyPaths.map((p) => `    ${p}`).join('\n')}\n` : '',
  ].join('\n')
}

/**
 * Write <dir>/<date>-<commit>[-dirty][-quick][-<only>][-<setting>_<value>...].json, .md and .svg
 * (the ratio chart); returns their paths. A complete full run of the default
 * set (no --only) with marekvs at its defaults also becomes latest.svg, the chart the README shows.
 */
export function writeResults(dir: string, suite: SuiteResult): string[] {
  fs.mkdirSync(dir, { recursive: true })
  const only = suite.only === null ? '' : `-${suite.only.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`
  const settings = Object.entries(suite.marekvsEnv).map(([name, value]) => `-${name.replace(/^MAREKVS_/, '')}_${value}`.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')).join('')
  const base = path.join(dir, `${suite.date}-${suite.commit}${suite.dirty ? '-dirty' : ''}${suite.mode === 'quick' ? '-quick' : ''}${only}${settings}`)
  fs.writeFileSync(`${base}.json`, JSON.stringify(suite, null, 2) + '\n')
  fs.writeFileSync(`${base}.md`, markdownReport(suite))
  const svg = ratioChartSvg(suite)
  fs.writeFileSync(`${base}.svg`, svg)
  const written = [`${base}.json`, `${base}.md`, `${base}.svg`]
  if (suite.mode === 'full' && suite.only === null && suite.complete && settings === '') {
    fs.writeFileSync(path.join(dir, 'latest.svg'), svg)
    written.push(path.join(dir, 'latest.svg'))
  }
  return written
}
