// Real processes: 3, then 5 bin/marekvs-server on loopback (each its own node id, data dir, RESP,
// metrics and gossip port; one seed for all), until INFO cluster shows every member alive on
// every node; a SIGKILLed node is declared dead everywhere, and alive again once restarted.
// Also: INFO cluster's layout, GET /cluster and the gossip metrics.
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { rmSync } from 'node:fs'
import http from 'node:http'
import { type Marekvs, startMarekvs, tempDir } from '../support/servers'
import { RawClient } from '../support/resp'

function freeUdpPort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4')
    s.once('error', reject)
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port
      s.close(() => resolve(port))
    })
  })
}

function httpGet (port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

async function infoCluster (port: number): Promise<Record<string, string>> {
  const client = await RawClient.connect(port)
  try {
    const reply = await client.call('INFO', 'cluster')
    assert.ok(reply.type === 'bulk')
    const out: Record<string, string> = {}
    for (const line of reply.value.split('\r\n')) {
      const i = line.indexOf(':')
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1)
    }
    return out
  } finally {
    client.close()
  }
}

const SLOTS = 5
const POLL_MS = 100

describe('cluster: real processes on loopback', function () {
  this.timeout(120000)
  const dirs: string[] = []
  const gossipPorts: number[] = []
  const nodes: Array<Marekvs | null> = new Array(SLOTS).fill(null)
  const figures: string[] = []

  before(async () => {
    for (let i = 0; i < SLOTS; i++) {
      dirs.push(tempDir('marekvs-cluster-'))
      gossipPorts.push(await freeUdpPort())
    }
  })

  after(async () => {
    await Promise.all(nodes.map((n) => n?.stop('SIGKILL')))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    if (process.env.CLUSTER_FIGURES) for (const f of figures) console.log(f)
  })

  function start (i: number, port?: number): Promise<Marekvs> {
    return startMarekvs({
      dataDir: dirs[i],
      metrics: true,
      port,
      env: {
        MAREKVS_NODE_ID: String(i),
        MAREKVS_GOSSIP_ADDR: `127.0.0.1:${gossipPorts[i]}`,
        MAREKVS_SEEDS: `127.0.0.1:${gossipPorts[0]}`,
        MAREKVS_ADVERTISE_IP: '127.0.0.1',
        MAREKVS_REPLICAS_N: '3',
        MAREKVS_SHARDS: '1',
      },
    })
  }

  /** Poll INFO cluster on every running node until `ok` holds everywhere; the time it took. */
  async function until (what: string, ok: (info: Record<string, string>) => boolean, timeoutMs = 20000): Promise<number> {
    const t0 = Date.now()
    let last: Array<Record<string, string>> = []
    while (Date.now() - t0 < timeoutMs) {
      last = await Promise.all(nodes.filter((n): n is Marekvs => n !== null).map((n) => infoCluster(n.port)))
      if (last.every(ok)) return Date.now() - t0
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    throw new Error(`${what}: not within ${timeoutMs} ms; INFO cluster: ${JSON.stringify(last)}`)
  }

  const allAlive = (n: number) => (info: Record<string, string>) => info.cluster_members_alive === String(n) && info.cluster_members_dead === '0'

  it('3 nodes learn each other', async () => {
    const started = await Promise.all([0, 1, 2].map((i) => start(i)))
    started.forEach((n, i) => (nodes[i] = n))
    const ms = await until('3 alive everywhere', allAlive(3))
    figures.push(`loopback: 3 processes all alive everywhere ${ms} ms after the last answered PING`)
  })

  it('INFO cluster: cluster_enabled:0 first, then the membership', async () => {
    const client = await RawClient.connect(nodes[1]!.port)
    const reply = await client.call('INFO', 'cluster')
    client.close()
    assert.ok(reply.type === 'bulk')
    assert.match(reply.value, /^# Cluster\r\ncluster_enabled:0\r\ncluster_node_id:1\r\n/)
    const info = await infoCluster(nodes[1]!.port)
    assert.equal(info.cluster_replicas_n, '3')
    assert.equal(info.cluster_status, 'alive')
    // Three members, N=3: every node is a home of every partition.
    assert.equal(info.cluster_partitions_home, '4096')
  })

  it('5 nodes learn each other; homes add up to 4096 × N', async () => {
    const started = await Promise.all([3, 4].map((i) => start(i)))
    started.forEach((n, k) => (nodes[3 + k] = n))
    const ms = await until('5 alive everywhere', allAlive(5))
    figures.push(`loopback: 5 processes (2 joining 3) all alive everywhere ${ms} ms after the last answered PING`)
    const infos = await Promise.all(nodes.map((n) => infoCluster(n!.port)))
    assert.equal(infos.reduce((s, i) => s + Number(i.cluster_partitions_home), 0), 4096 * 3)
  })

  it('GET /cluster shows the full view; /metrics the gossip counters', async () => {
    const r = await httpGet(nodes[2]!.metricsPort, '/cluster')
    assert.equal(r.status, 200)
    const view = JSON.parse(r.body)
    assert.equal(view.node_id, 2)
    assert.equal(view.replicas_n, 3)
    assert.deepEqual(view.nodes.map((n: { node_id: number }) => n.node_id), [0, 1, 2, 3, 4])
    for (const n of view.nodes) {
      assert.equal(n.live, true)
      assert.equal(n.status, 'alive')
      assert.equal(n.ports.gossip, gossipPorts[n.node_id])
      assert.equal(n.ports.resp, nodes[n.node_id]!.port)
      assert.equal(typeof n.phi, 'number')
    }
    assert.equal(view.partitions.total, 4096)
    const m = await httpGet(nodes[2]!.metricsPort, '/metrics')
    assert.match(m.body, /marekvs_gossip_messages_sent_total\{type="syn"\} [1-9]/)
    assert.match(m.body, /marekvs_cluster_members\{state="alive"\} 5/)
    assert.match(m.body, /marekvs_cluster_partitions_home \d+/)
  })

  for (const victim of [2, 4]) {
    it(`node ${victim} SIGKILLed is declared dead everywhere, and alive again after a restart`, async () => {
      const old = nodes[victim]!
      await old.stop('SIGKILL')
      nodes[victim] = null
      const t0 = Date.now()
      const deadAt = new Map<number, number>()
      await until(`node ${victim} dead everywhere`, (info) => {
        if (info.cluster_members_dead === '1') deadAt.set(Number(info.cluster_node_id), Date.now() - t0)
        return info.cluster_members_dead === '1' && info.cluster_members_alive === '4'
      })
      const times = [...deadAt.values()].sort((a, b) => a - b)
      figures.push(`loopback: node ${victim} killed, declared dead by each survivor after ${times.join(', ')} ms`)
      assert.ok(Math.max(...times) < 8000 + 2 * POLL_MS * SLOTS)
      // Still a home of its partitions while down.
      const info = await infoCluster(nodes[0]!.port)
      assert.equal(info.cluster_known_nodes, '5')
      nodes[victim] = await start(victim, old.port)
      const ms = await until(`node ${victim} alive again`, allAlive(5))
      figures.push(`loopback: node ${victim} restarted, alive everywhere ${ms} ms after its PING`)
    })
  }
})
