import assert from 'node:assert/strict'
import * as net from 'node:net'
import { createMetrics, type MetricsServer, startMetricsServer } from '../../lib/server/metrics'
import { ServerStats } from '../../lib/server/stats'

describe('metrics HTTP listener', () => {
  let stats: ServerStats
  let ready: boolean
  let keys: number
  let server: MetricsServer
  let base: string

  beforeEach(async () => {
    stats = new ServerStats()
    ready = false
    keys = 0
    const probes = {
      keys: async () => keys,
      rocksdb: () => ({ 'rocksdb.estimate-num-keys': 1234, 'live-sst-files-size': 5678, 'block-cache-usage': 42 }),
      ready: () => ready
    }
    const registry = createMetrics(stats, probes)
    server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, registry, probes)
    assert.ok(server.port > 0)
    base = `http://127.0.0.1:${server.port}`
  })

  afterEach(async () => {
    await server.close()
  })

  it('serves the Prometheus exposition read from ServerStats at scrape time', async () => {
    stats.recordCommand('get', 5, false)
    stats.recordCommand('get', 300, false)
    stats.recordCommand('set', 2e6, true)
    stats.connectedClients = 3
    stats.totalConnections = 7
    stats.rejectedConnections = 1
    stats.netInputBytes = 100
    stats.netOutputBytes = 250
    stats.storageErrors = 2
    keys = 99

    const res = await fetch(`${base}/metrics`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    const has = (line: string): void => assert.ok(text.split('\n').includes(line), `missing line: ${line}`)

    has('# TYPE marekvs_commands_total counter')
    has('marekvs_commands_total{command="get"} 2')
    has('marekvs_commands_total{command="set"} 1')
    has('marekvs_command_failures_total{command="get"} 0')
    has('marekvs_command_failures_total{command="set"} 1')
    has('# TYPE marekvs_command_duration_seconds histogram')
    has('marekvs_command_duration_seconds_bucket{le="0.00001"} 1')
    has('marekvs_command_duration_seconds_bucket{le="0.0005"} 2')
    has('marekvs_command_duration_seconds_bucket{le="1"} 2')
    has('marekvs_command_duration_seconds_bucket{le="+Inf"} 3')
    has('marekvs_command_duration_seconds_sum 2.000305')
    has('marekvs_command_duration_seconds_count 3')
    has('marekvs_connected_clients 3')
    has('marekvs_connections_total 7')
    has('marekvs_rejected_connections_total 1')
    has('marekvs_net_input_bytes_total 100')
    has('marekvs_net_output_bytes_total 250')
    has('marekvs_storage_errors_total 2')
    has('marekvs_keys 99')
    has('marekvs_rocksdb_estimate_num_keys 1234')
    has('marekvs_rocksdb_live_sst_files_bytes 5678')
    has('marekvs_rocksdb_block_cache_bytes 42')
    assert.ok(!/^marekvs_rocksdb_memtable_bytes /m.test(text), 'a property the probe did not supply has no sample')
    assert.match(text, /^process_cpu_user_seconds_total /m)
    assert.match(text, /^nodejs_eventloop_lag_seconds /m)
  })

  it('follows the counters between scrapes, including a reset', async () => {
    stats.recordCommand('ping', 1, false)
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^marekvs_commands_total\{command="ping"\} 1$/m)
    stats.recordCommand('ping', 1, false)
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^marekvs_commands_total\{command="ping"\} 2$/m)
    stats.reset()
    const text = await (await fetch(`${base}/metrics`)).text()
    assert.ok(!text.includes('command="ping"'))
    assert.match(text, /^marekvs_command_duration_seconds_count 0$/m)
  })

  it('keeps registries apart: two engines in one process', async () => {
    const other = new ServerStats()
    const probes = { keys: () => 1, rocksdb: () => ({}), ready: () => true }
    const second = await startMetricsServer({ host: '127.0.0.1', port: 0 }, createMetrics(other, probes), probes)
    try {
      other.recordCommand('del', 1, false)
      stats.recordCommand('get', 1, false)
      const text = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text()
      assert.match(text, /command="del"/)
      assert.ok(!text.includes('command="get"'))
    } finally {
      await second.close()
    }
  })

  it('answers /healthz with ok', async () => {
    const res = await fetch(`${base}/healthz`)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'ok\n')
  })

  it('answers /readyz from the probe', async () => {
    let res = await fetch(`${base}/readyz`)
    assert.equal(res.status, 503)
    assert.equal(await res.text(), 'not ready\n')
    ready = true
    res = await fetch(`${base}/readyz`)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'ready\n')
  })

  it('answers anything else with 404, other methods with 405, ignores a query string', async () => {
    assert.equal((await fetch(`${base}/`)).status, 404)
    assert.equal((await fetch(`${base}/metricsx`)).status, 404)
    assert.equal((await fetch(`${base}/healthz?verbose=1`)).status, 200)
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x'.repeat(100_000) })
    assert.equal(post.status, 405)
    await post.text()
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(await head.text(), '')
  })

  it('close() ends idle keep-alive connections and stops listening', async () => {
    const socket = net.connect(server.port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise<void>((resolve) => socket.once('data', () => resolve()))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    await server.close()
    await closed
    await assert.rejects(fetch(`${base}/healthz`))
  })
})
