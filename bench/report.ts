// Summaries of the runs (medians, spread, ratio, CPU per million ops), the
// markdown table and the JSON/markdown files under bench/results/.
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface RunSample {
  opsPerS: number
  /** Server CPU seconds (user + system, all threads) spent during the run. */
  cpuS: number
  requests: number
  p50LatencyMs: number
  p99LatencyMs: number
  /** 1-minute load average when the run ended: other tenants of the machine skew every figure. */
  load1: number
}

export interface ServerSummary {
  runs: RunSample[]
  /** First failure; a workload that failed has no further runs on that server. */
  error: string | null
  medianOpsPerS: number | null
  minOpsPerS: number | null
  maxOpsPerS: number | null
  cpuSPerMops: number | null
  p50LatencyMs: number | null
}

export interface WorkloadResult {
  name: string
  profile: string
  /** redis-benchmark arguments, host and port left out. */
  args: string
  requests: number
  redis: ServerSummary
  marekvs: ServerSummary
  /** marekvs median / Redis median. */
  ratio: number | null
}

export interface SuiteResult {
  date: string
  commit: string
  dirty: boolean
  /** `git status --porcelain` when dirty: what the measured build had beyond the commit. */
  dirtyPaths: string[]
  mode: 'quick' | 'full'
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

export function summarize(runs: RunSample[], error: string | null): ServerSummary {
  if (runs.length === 0) return { runs, error, medianOpsPerS: null, minOpsPerS: null, maxOpsPerS: null, cpuSPerMops: null, p50LatencyMs: null }
  const ops = runs.map((run) => run.opsPerS)
  return {
    runs,
    error,
    medianOpsPerS: median(ops),
    minOpsPerS: Math.min(...ops),
    maxOpsPerS: Math.max(...ops),
    cpuSPerMops: median(runs.map((run) => (run.cpuS / run.requests) * 1e6)),
    p50LatencyMs: median(runs.map((run) => run.p50LatencyMs)),
  }
}

export function workloadResult(fields: Omit<WorkloadResult, 'ratio'>): WorkloadResult {
  const r = fields.redis.medianOpsPerS
  const m = fields.marekvs.medianOpsPerS
  return { ...fields, ratio: r !== null && m !== null && fields.marekvs.error === null ? m / r : null }
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

export function markdownTable(workloads: WorkloadResult[]): string {
  const lines = [
    '| workload | Redis ops/s | Redis spread | marekvs ops/s | marekvs spread | marekvs/Redis | Redis CPU s/Mops | marekvs CPU s/Mops |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const w of workloads) {
    const ratio = w.ratio === null ? '' : `${w.ratio.toFixed(2)}×`
    lines.push(`| ${w.name} | ${opsCell(w.redis)} | ${spreadCell(w.redis)} | ${opsCell(w.marekvs)} | ${spreadCell(w.marekvs)} | ${ratio} | ${cpuCell(w.redis)} | ${cpuCell(w.marekvs)} |`)
  }
  return lines.join('\n')
}

export function markdownReport(suite: SuiteResult): string {
  const m = suite.machine
  return [
    `# marekvs vs Redis, ${suite.date}, ${suite.commit}${suite.dirty ? '-dirty' : ''} (${suite.mode}${suite.complete ? '' : ', interrupted'})`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}; Node ${m.node}; ${m.redis}.`,
    `redis-benchmark runs on the same machine. ${suite.repeats} measured run(s) per workload and server after a warm-up,`,
    'servers alternating; ops/s is the median, spread is min–max, CPU is server user+system seconds per million requests.',
    '',
    markdownTable(suite.workloads),
    '',
    ...suite.workloads.map((w) => `- ${w.name} (${w.profile}): \`redis-benchmark ${w.args}\``),
    '',
    suite.note,
    `1-minute load average: ${suite.load1.start.toFixed(1)} at the start, ${suite.load1.end.toFixed(1)} at the end, ` +
      `${suite.load1.max.toFixed(1)} at most after a run` +
      (suite.load1.max > LOAD_NOISY_PER_CPU * m.cpus
        ? ` (well above the ${m.cpus} CPUs: other work shared the machine, so the figures are noisy)`
        : ' (the suite itself keeps about 3 threads busy: redis-benchmark, and marekvs\'s main thread and shards)') + '.',
    suite.dirty ? `\nUncommitted changes in the measured tree:\n\n${suite.dirtyPaths.map((p) => `    ${p}`).join('\n')}\n` : '',
  ].join('\n')
}

/** Write <dir>/<date>-<commit>[-dirty].json and .md; returns their paths. */
export function writeResults(dir: string, suite: SuiteResult): string[] {
  fs.mkdirSync(dir, { recursive: true })
  const base = path.join(dir, `${suite.date}-${suite.commit}${suite.dirty ? '-dirty' : ''}${suite.mode === 'quick' ? '-quick' : ''}`)
  fs.writeFileSync(`${base}.json`, JSON.stringify(suite, null, 2) + '\n')
  fs.writeFileSync(`${base}.md`, markdownReport(suite))
  return [`${base}.json`, `${base}.md`]
}
