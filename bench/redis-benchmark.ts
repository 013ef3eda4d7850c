// Run redis-benchmark for one workload against one port and parse its --csv output.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import type { BenchmarkWorkload } from './workloads'

export interface CsvRow {
  test: string
  rps: number
  avgLatencyMs: number
  p50LatencyMs: number
  p99LatencyMs: number
}

export type BenchOutcome =
  | { ok: true; row: CsvRow; wallMs: number }
  | { ok: false; error: string }

export function benchmarkArgs(workload: BenchmarkWorkload, port: number, requests: number): string[] {
  const args = [
    '-h', '127.0.0.1', '-p', String(port),
    '-c', String(workload.clients), '-n', String(requests), '-d', String(workload.valueBytes), '--csv', '-q',
  ]
  if (workload.pipeline > 1) args.push('-P', String(workload.pipeline))
  if (workload.keyspace !== null) args.push('-r', String(workload.keyspace))
  // A script runs as a custom command after the options; the others are built-in tests (-t).
  if (workload.script !== undefined) args.push(...scriptCommand(workload.script))
  else args.push('-t', workload.test)
  return args
}

/** The EVALSHA a script workload runs: SHA-1 of the body, as SCRIPT LOAD answers it. */
export function scriptCommand(script: string): string[] {
  // Keys of their own: earlier workloads leave strings under key:*, and the script reads hashes.
  return ['EVALSHA', createHash('sha1').update(script).digest('hex'), '1', 'bucket:__rand_int__']
}

/** The row redis-benchmark prints: the test's name, or a custom command's own text. */
export function csvTestOf(workload: BenchmarkWorkload): string {
  return workload.script !== undefined ? scriptCommand(workload.script).join(' ') : workload.csvTest
}

/** Split one CSV line of redis-benchmark: every field is double-quoted and holds no quote. */
export function splitCsvLine(line: string): string[] {
  return (line.match(/"[^"]*"/g) ?? []).map((field) => field.slice(1, -1))
}

/** The row of `test` in redis-benchmark --csv output, or null if it is missing. */
export function parseCsv(output: string, test: string): CsvRow | null {
  const lines = output.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.startsWith('"'))
  if (lines.length === 0) return null
  const header = splitCsvLine(lines[0])
  const column = (name: string) => header.indexOf(name)
  const [iTest, iRps, iAvg, iP50, iP99] = ['test', 'rps', 'avg_latency_ms', 'p50_latency_ms', 'p99_latency_ms'].map(column)
  if (iTest < 0 || iRps < 0) return null
  for (const line of lines.slice(1)) {
    const fields = splitCsvLine(line)
    if (fields[iTest] !== test) continue
    const rps = Number(fields[iRps])
    if (!Number.isFinite(rps) || rps <= 0) return null
    const num = (i: number) => (i < 0 ? NaN : Number(fields[i]))
    return { test, rps, avgLatencyMs: num(iAvg), p50LatencyMs: num(iP50), p99LatencyMs: num(iP99) }
  }
  return null
}

/** Lower bound on the throughput we wait for before calling a run hung. */
const MIN_OPS_PER_S = 500
const TIMEOUT_FLOOR_MS = 60_000

/**
 * One run. A failure (error reply, server gone, hang, missing row) is a value,
 * so one unsupported command fails its row and not the suite.
 */
export function runBenchmark(workload: BenchmarkWorkload, port: number, requests: number): Promise<BenchOutcome> {
  const timeoutMs = TIMEOUT_FLOOR_MS + (requests / MIN_OPS_PER_S) * 1000
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn('redis-benchmark', benchmarkArgs(workload, port, requests), { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (chunk) => { stdout += chunk })
    child.stderr.on('data', (chunk) => { stderr += chunk })
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('error', (err) => { clearTimeout(timer); resolve({ ok: false, error: `redis-benchmark: ${err.message}` }) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const wallMs = Date.now() - started
      if (timedOut) return resolve({ ok: false, error: `no result within ${Math.round(timeoutMs / 1000)} s` })
      const serverError = /Error from server: (.*)/.exec(stdout + stderr)
      if (serverError) return resolve({ ok: false, error: shorten(serverError[1]) })
      const row = parseCsv(stdout, csvTestOf(workload))
      if (code === 0 && row !== null) return resolve({ ok: true, row, wallMs })
      const why = (stderr + stdout).split('\n').map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('"') && !line.startsWith('WARNING')).pop()
      resolve({ ok: false, error: shorten(why ?? `redis-benchmark ${signal ?? `exit code ${code}`}, no "${csvTestOf(workload)}" row`) })
    })
  })
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine
}
