// Prometheus metrics and health probes over HTTP (MAREKVS_METRICS_ADDR).
//
// Metrics read ServerStats in collect() callbacks at scrape time; the hot
// path never touches prom-client. Each engine gets its own Registry, so two
// engines embedded in one process do not collide.

import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { ClusterService } from '../cluster/service'
import type { HostPort } from '../config'
import { LATENCY_BOUNDS_USEC, type ServerStats } from './stats'

export interface MetricsProbes {
  /** Number of live keys on this node (may be an estimate). */
  keys(): Promise<number> | number
  /** RocksDB properties by name, with or without the `rocksdb.` prefix
   * (e.g. `estimate-num-keys`). Called once per gauge per scrape: keep it cheap. */
  rocksdb(): Record<string, number>
  /** Serving: data opened, cluster joined. Drives /readyz. */
  ready(): boolean
  /** Membership and gossip counters; no cluster metrics without it. */
  cluster?(): ClusterService
}

/** RocksDB properties exported as gauges: [property, metric suffix, help]. */
const ROCKSDB_GAUGES: ReadonlyArray<readonly [string, string, string]> = [
  ['estimate-num-keys', 'estimate_num_keys', 'Estimated number of keys in RocksDB (all column families)'],
  ['live-sst-files-size', 'live_sst_files_bytes', 'Total size of live SST files, bytes'],
  ['cur-size-all-mem-tables', 'memtable_bytes', 'Size of all memtables (active, unflushed and pinned), bytes'],
  ['block-cache-usage', 'block_cache_bytes', 'Memory used by the block cache, bytes'],
  ['estimate-pending-compaction-bytes', 'pending_compaction_bytes', 'Estimated bytes compaction still has to rewrite'],
  ['num-running-compactions', 'running_compactions', 'Compactions running now']
]

function rocksdbValue (props: Record<string, number>, name: string): number | undefined {
  const v = props[name] ?? props[`rocksdb.${name}`]
  return typeof v === 'number' ? v : undefined
}

/** Builds the node's registry. Nothing is read until a scrape. */
export function createMetrics (stats: ServerStats, probes: MetricsProbes): Registry {
  const registry = new Registry()
  const registers = [registry]

  // A counter that mirrors a ServerStats field: reset, then set to the
  // current total. prom-client counters cannot be set, only incremented.
  const mirror = (name: string, help: string, read: () => number): void => {
    new Counter({ name, help, registers, collect () { this.reset(); this.inc(read()) } })
  }

  new Counter({
    name: 'marekvs_commands_total',
    help: 'Commands processed, by command',
    labelNames: ['command'],
    registers,
    collect () {
      this.reset()
      for (const [command, s] of stats.commands) this.inc({ command }, s.calls)
    }
  })
  new Counter({
    name: 'marekvs_command_failures_total',
    help: 'Commands that replied with an error, by command',
    labelNames: ['command'],
    registers,
    collect () {
      this.reset()
      for (const [command, s] of stats.commands) this.inc({ command }, s.failed)
    }
  })
  registry.registerMetric(durationHistogram(stats) as unknown as Counter)

  new Gauge({ name: 'marekvs_connected_clients', help: 'Client connections open now', registers, collect () { this.set(stats.connectedClients) } })
  mirror('marekvs_connections_total', 'Client connections accepted', () => stats.totalConnections)
  mirror('marekvs_rejected_connections_total', 'Client connections refused (maxclients)', () => stats.rejectedConnections)
  mirror('marekvs_net_input_bytes_total', 'Bytes read from clients', () => stats.netInputBytes)
  mirror('marekvs_net_output_bytes_total', 'Bytes written to clients', () => stats.netOutputBytes)
  mirror('marekvs_storage_errors_total', 'RocksDB reads or writes that failed', () => stats.storageErrors)

  new Gauge({
    name: 'marekvs_keys',
    help: 'Live keys on this node',
    registers,
    async collect () {
      // A failing probe must not fail the whole scrape: report NaN instead.
      try {
        this.set(await probes.keys())
      } catch {
        this.set(NaN)
      }
    }
  })

  // Custom metric objects, not Gauges: an unlabelled prom-client Gauge always
  // shows a sample (0 after reset), and a property the probe did not supply
  // must show none rather than a false zero.
  for (const [property, suffix, help] of ROCKSDB_GAUGES) {
    const name = `marekvs_rocksdb_${suffix}`
    registry.registerMetric(scrapeMetric(name, `${help} (rocksdb.${property})`, 'gauge', () => {
      let v: number | undefined
      try {
        v = rocksdbValue(probes.rocksdb(), property)
      } catch {
        v = NaN // a failing probe must not fail the whole scrape
      }
      return v === undefined ? [] : [{ metricName: name, labels: {}, value: v }]
    }) as unknown as Gauge)
  }

  if (probes.cluster !== undefined) clusterMetrics(registry, probes.cluster)

  collectDefaultMetrics({ register: registry })
  return registry
}

interface Sample { metricName: string; labels: Record<string, string>; value: number }

/** Gossip and membership, read from the cluster service at scrape time. */
function clusterMetrics (registry: Registry, cluster: () => ClusterService): void {
  const counter = (name: string, help: string, read: (c: ClusterService) => Sample['value'] | Array<[Record<string, string>, number]>): void => {
    registry.registerMetric(scrapeMetric(name, help, 'counter', () => {
      const v = read(cluster())
      return typeof v === 'number' ? [{ metricName: name, labels: {}, value: v }] : v.map(([labels, value]) => ({ metricName: name, labels, value }))
    }) as unknown as Counter)
  }
  const byType = (r: Record<string, number>): Array<[Record<string, string>, number]> => Object.entries(r).map(([type, v]) => [{ type }, v])
  counter('marekvs_gossip_rounds_total', 'Gossip rounds run', (c) => c.stats.rounds)
  counter('marekvs_gossip_messages_sent_total', 'Gossip datagrams sent, by message type', (c) => byType(c.stats.sent))
  counter('marekvs_gossip_messages_received_total', 'Gossip datagrams received and decoded, by message type', (c) => byType(c.stats.received))
  counter('marekvs_gossip_sent_bytes_total', 'Gossip bytes sent (UDP payload)', (c) => c.stats.bytesSent)
  counter('marekvs_gossip_received_bytes_total', 'Gossip bytes received (UDP payload)', (c) => c.stats.bytesReceived)
  counter('marekvs_gossip_bad_datagrams_total', 'Datagrams on the gossip port that did not decode', (c) => c.stats.badDatagrams)
  counter('marekvs_gossip_send_errors_total', 'Gossip datagrams the socket failed to send', (c) => c.stats.sendErrors)
  counter('marekvs_gossip_seed_resolve_failures_total', 'Seed DNS lookups that failed', (c) => c.stats.seedResolveFailures)
  counter('marekvs_cluster_node_id_conflicts_total', 'Signs of another live process with this node id', (c) => c.conflicts())
  registry.registerMetric(scrapeMetric('marekvs_cluster_members', 'Placement members by failure-detector verdict', 'gauge', () => {
    const members = cluster().view().filter((v) => v.member)
    const alive = members.filter((v) => v.live).length
    return [
      { metricName: 'marekvs_cluster_members', labels: { state: 'alive' }, value: alive },
      { metricName: 'marekvs_cluster_members', labels: { state: 'dead' }, value: members.length - alive },
    ]
  }) as unknown as Gauge)
  registry.registerMetric(scrapeMetric('marekvs_cluster_known_nodes', 'Nodes in the gossip view, this one included', 'gauge', () =>
    [{ metricName: 'marekvs_cluster_known_nodes', labels: {}, value: cluster().view().length }]) as unknown as Gauge)
  registry.registerMetric(scrapeMetric('marekvs_cluster_partitions_home', 'Partitions this node is a home replica of', 'gauge', () =>
    [{ metricName: 'marekvs_cluster_partitions_home', labels: {}, value: cluster().partitionsHome() }]) as unknown as Gauge)
}

/**
 * A minimal metric object of the shape the Registry reads (`name`, `help`,
 * `type`, `get()`, `reset()`), whose samples are computed at scrape time.
 * Used where prom-client's classes do not fit: a histogram from
 * pre-bucketed counts, a gauge that may have no sample.
 */
function scrapeMetric (name: string, help: string, type: 'gauge' | 'histogram' | 'counter', samples: () => Sample[]): object {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    async get () { return { name, help, type, aggregator: 'sum', values: samples() } },
    reset () { /* the data lives in ServerStats or RocksDB; CONFIG RESETSTAT resets it there */ }
  }
}

/**
 * The command latency histogram, built at scrape time from ServerStats'
 * fixed buckets (prom-client's Histogram can only observe one value at a time).
 */
function durationHistogram (stats: ServerStats): object {
  const name = 'marekvs_command_duration_seconds'
  const les = LATENCY_BOUNDS_USEC.map((usec) => String(usec / 1e6)) // le in seconds, formatted once
  return scrapeMetric(name, 'Command execution time, seconds', 'histogram', () => {
    const values: Sample[] = []
    let cumulative = 0
    for (let i = 0; i < les.length; i++) {
      cumulative += stats.latencyBuckets[i]
      values.push({ metricName: `${name}_bucket`, labels: { le: les[i] }, value: cumulative })
    }
    cumulative += stats.latencyBuckets[les.length]
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: cumulative })
    values.push({ metricName: `${name}_sum`, labels: {}, value: stats.latencySumUsec / 1e6 })
    values.push({ metricName: `${name}_count`, labels: {}, value: cumulative })
    return values
  })
}

// ---------------------------------------------------------------------------
// HTTP listener

// Limits: this listener serves scrapers and probes, a handful of clients.
const CONNECTIONS_MAX = 64 // more than any number of scrapers plus kubelet probes
const HEADERS_TIMEOUT_MS = 10_000 // a slow or stalled client cannot hold a socket for long
const REQUEST_TIMEOUT_MS = 30_000
const KEEP_ALIVE_TIMEOUT_MS = 5_000
const HEADER_BYTES_MAX = 8 * 1024 // our requests have no use for large headers

export interface MetricsServer {
  /** Stops listening and closes every open socket, idle or not. */
  close(): Promise<void>
  /** The port bound (useful when asked for port 0). */
  port: number
}

/**
 * Serves GET (and HEAD) /metrics (Prometheus text), /healthz (200 `ok` while
 * the process runs), /readyz (200 `ready`, or 503 `not ready`) and, when the
 * node gives a cluster probe, /cluster (the membership view as JSON). Anything
 * else is 404. Request bodies are never read: a request that has one gets
 * its answer and the connection is closed.
 */
export async function startMetricsServer (addr: HostPort, registry: Registry, probes: Pick<MetricsProbes, 'ready'> & { cluster?(): object }): Promise<MetricsServer> {
  const sockets = new Set<Socket>()
  const server = http.createServer({ maxHeaderSize: HEADER_BYTES_MAX }, (req, res) => {
    const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0'
    if (hasBody || req.headers['transfer-encoding'] !== undefined) res.shouldKeepAlive = false
    const path = (req.url ?? '/').split('?', 1)[0]
    const head = req.method === 'HEAD'
    const send = (status: number, contentType: string, body: string): void => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) })
      res.end(head ? undefined : body)
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD')
      send(405, 'text/plain; charset=utf-8', 'method not allowed\n')
      return
    }
    switch (path) {
      case '/metrics':
        registry.metrics().then(
          (text) => send(200, registry.contentType, text),
          (err: unknown) => send(500, 'text/plain; charset=utf-8', `metrics failed: ${err instanceof Error ? err.message : String(err)}\n`)
        )
        return
      case '/cluster':
        if (probes.cluster === undefined) break
        send(200, 'application/json; charset=utf-8', JSON.stringify(probes.cluster(), null, 2) + '\n')
        return
      case '/healthz':
        send(200, 'text/plain; charset=utf-8', 'ok\n')
        return
      case '/readyz': {
        let ready = false
        try { ready = probes.ready() } catch { ready = false }
        if (ready) send(200, 'text/plain; charset=utf-8', 'ready\n')
        else send(503, 'text/plain; charset=utf-8', 'not ready\n')
        return
      }
    }
    send(404, 'text/plain; charset=utf-8', 'not found\n')
  })
  server.maxConnections = CONNECTIONS_MAX
  server.headersTimeout = HEADERS_TIMEOUT_MS
  server.requestTimeout = REQUEST_TIMEOUT_MS
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new Error(`metrics listener on ${addr.host}:${addr.port}: ${err.message}`))
    }
    server.once('error', onError)
    server.listen(addr.port, addr.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  // After startup a socket error is one client's problem, not the server's.
  server.on('clientError', (_err, socket) => { socket.destroy() })

  let closing: Promise<void> | null = null
  return {
    port: (server.address() as AddressInfo).port,
    close () {
      if (closing === null) {
        closing = new Promise<void>((resolve) => {
          server.close(() => resolve())
          for (const s of sockets) s.destroy()
        })
      }
      return closing
    }
  }
}
