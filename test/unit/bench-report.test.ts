import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { chartValue, ratioChartSvg } from '../../bench/chart'
import { markdownTable, pendingResult, RunSample, summarize, SuiteResult, workloadResult, writeResults } from '../../bench/report'
import { selected } from '../../bench/run'
import { inheritedMarekvsEnv } from '../../bench/servers'
import { WORKLOADS } from '../../bench/workloads'

const sample = (opsPerS: number, p99LatencyMs: number | null, rssBytes?: number): RunSample =>
  ({ opsPerS, cpuS: 1, requests: 1_000_000, p50LatencyMs: p99LatencyMs, p99LatencyMs, load1: 1, rssBytes })

describe('bench report', () => {
  it('takes medians of what was measured and the largest RSS', () => {
    const s = summarize([sample(10, 1, 100), sample(30, null), sample(20, 3, 300)], null)
    assert.equal(s.medianOpsPerS, 20)
    assert.equal(s.p99LatencyMs, 2)
    assert.equal(s.p999LatencyMs, null)
    assert.equal(s.rssBytes, 300)
    assert.equal(s.cpuSPerMops, 1)
  })

  it('gives fixed-rate rows a p99 ratio and the chart plots its inverse', () => {
    const w = workloadResult({
      name: 'fixed', kind: 'latency', profile: 'p', args: '', requests: 0,
      redis: summarize([sample(100, 2)], null), marekvs: summarize([sample(100, 8)], null), target: 0.5,
    })
    assert.equal(w.ratio, 1)
    assert.equal(w.p99Ratio, 4)
    assert.deepEqual(chartValue(w), { value: 0.25, latency: true })
    assert.match(markdownTable([w]), /p99 4\.00× Redis/)
  })

  it('shows a pending row with its reason and no bar', () => {
    const w = pendingResult('EVALSHA', 'pending: scripting issue (no EVALSHA)')
    assert.deepEqual(chartValue(w), { missing: 'pending: scripting issue' })
    assert.match(markdownTable([w]), /\| EVALSHA \| pending: scripting issue/)
    const suite = { date: 'd', commit: 'c', dirty: false, marekvsEnv: {}, mode: 'full', only: null, workloads: [w] } as unknown as SuiteResult
    assert.match(ratioChartSvg(suite), /pending: scripting issue/)
  })

  it('names results by the marekvs settings the suite inherited, and keeps latest.svg for the defaults', () => {
    assert.deepEqual(inheritedMarekvsEnv({ MAREKVS_COMPRESSION: 'none', MAREKVS_FSYNC: 'always', MAREKVS_SHARDS: '', PATH: '/bin', MAREKVS_DATA_DIR: '/x' }), { MAREKVS_COMPRESSION: 'none' })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-bench-report-'))
    try {
      const w = workloadResult({ name: 'GET', kind: 'redis-benchmark', profile: 'p', args: '', requests: 1, redis: summarize([sample(100, null)], null), marekvs: summarize([sample(80, null)], null), target: 0.8 })
      const suite = {
        date: 'd', commit: 'c', dirty: false, dirtyPaths: [], marekvsEnv: { MAREKVS_COMPRESSION: 'none' }, mode: 'full', only: null, large: false, complete: true, repeats: 1,
        machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 1, kernel: 'k', node: 'n', redis: 'r' }, load1: { start: 0, end: 0, max: 0 }, note: '', workloads: [w], durationS: 1,
      } as unknown as SuiteResult
      const written = writeResults(dir, suite).map((file) => path.basename(file))
      assert.deepEqual(written, ['d-c-compression_none.json', 'd-c-compression_none.md', 'd-c-compression_none.svg'])
      assert.match(fs.readFileSync(path.join(dir, 'd-c-compression_none.md'), 'utf8'), /marekvs ran with settings from the environment: MAREKVS_COMPRESSION=none/)
      assert.ok(writeResults(dir, { ...suite, marekvsEnv: {} }).some((file) => file.endsWith('latest.svg')))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs opt-in workloads only with --large or a matching --only', () => {
    const large = WORKLOADS.find((w) => w.kind === 'large')!
    const get = WORKLOADS.find((w) => w.name === 'GET')!
    assert.equal(selected(large, { quick: false, only: null, large: false }), false)
    assert.equal(selected(large, { quick: false, only: null, large: true }), true)
    assert.equal(selected(large, { quick: false, only: 'ltm', large: false }), true)
    assert.equal(selected(large, { quick: false, only: 'lpush', large: true }), false)
    assert.equal(selected(get, { quick: false, only: null, large: false }), true)
    assert.equal(selected(get, { quick: false, only: 'ltm', large: false }), false)
  })
})
