// Connection and server commands against redis-server 7.0 and marekvs: same script, same
// replies (exact RESP types), except where docs/compatibility.md says marekvs differs.
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { compareReplies, diffSuite, runSteps, Step } from '../support/diff'
import { Decoded, RawClient } from '../support/resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

/** A map reply (RESP3 map or RESP2 flat array) as a plain object of its decoded values. */
function fields(reply: Decoded): Record<string, Decoded> {
  assert.ok('value' in reply && Array.isArray(reply.value), `not an aggregate: ${reply.type}`)
  const out: Record<string, Decoded> = {}
  const items = reply.value
  for (let i = 0; i < items.length; i += 2) out[String((items[i] as { value: string }).value)] = items[i + 1]
  return out
}

function text(reply: Decoded): string {
  assert.ok('value' in reply && typeof reply.value === 'string', `not a string: ${reply.type}`)
  return reply.value
}

diffSuite('server', (diff) => {
  diff('PING ECHO', [['PING'], ['PING', 'hi'], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO'], ['ping']])

  // SELECT 1..15: marekvs has one database (docs/compatibility.md).
  diff('SELECT', [['SELECT', '0'], ['SELECT', '16'], ['SELECT', 'x'], ['SELECT', '-1'], ['SELECT', '99999999999']])

  diff('AUTH without requirepass', [['AUTH', 'x'], ['AUTH', 'a', 'b'], ['AUTH', 'default', 'anything'], ['AUTH', 'a', 'b', 'c'], ['AUTH']])

  diff('HELLO errors', [
    ['HELLO', 'x'], ['HELLO', '1'], ['HELLO', '4'], ['HELLO', '3', 'auth'], ['HELLO', '3', 'foo'],
    ['HELLO', '2', 'setname', 'a b'], ['HELLO', '2', 'AUTH', 'nobody', 'x'],
  ])

  diff('RESET', [['CLIENT', 'SETNAME', 'x'], ['RESET'], ['CLIENT', 'GETNAME']])

  diff('CLIENT SETNAME GETNAME ID', [
    ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'app-1'], ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'ID'], ['CLIENT', 'SETNAME'], ['CLIENT', 'foo'], ['CLIENT'],
  ], { typeOnly: [6] })

  diff('CLIENT LIST INFO KILL errors', [
    ['CLIENT', 'LIST'], ['CLIENT', 'INFO'], ['CLIENT', 'LIST', 'TYPE', 'xx'], ['CLIENT', 'LIST', 'ID', 'x'], ['CLIENT', 'LIST', 'foo'],
    ['CLIENT', 'LIST', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ID', '999999'], ['CLIENT', 'KILL', 'ID', 'x'],
    ['CLIENT', 'KILL', 'foo', 'bar'], ['CLIENT', 'KILL', 'TYPE', 'foo'], ['CLIENT', 'KILL', 'SKIPME', 'maybe'], ['CLIENT', 'KILL', 'ID', '1', 'ADDR'],
    ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'GETREDIR'],
  ], { typeOnly: [0, 1] })

  diff('CLIENT LIST and INFO in RESP3 are verbatim strings', [['CLIENT', 'LIST'], ['CLIENT', 'INFO']], { typeOnly: [0, 1], proto: 3 })

  diff('TIME', [['TIME']], { typeOnly: [0] })

  diff('CONFIG GET', [
    ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'MAXMEMORY'], ['CONFIG', 'GET', 'appendonly'], ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'GET', 'maxmemory-policy', 'timeout'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET'], ['CONFIG', 'GET', 'proto-max-bulk-len', 'maxclients'],
    ['CONFIG', 'GET', 'requirepass'],
  ], { sorted: [4, 7] })

  diff('CONFIG GET in RESP3 is a map', [['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'nosuch']], { proto: 3 })

  diff('CONFIG SET errors', [
    ['CONFIG', 'SET', 'foo', 'bar'], ['CONFIG', 'SET', 'maxmemory', 'abc'], ['CONFIG', 'SET', 'maxclients', 'abc'], ['CONFIG', 'SET', 'maxclients', '0'],
    ['CONFIG', 'SET', 'appendonly', 'maybe'], ['CONFIG', 'SET', 'appendfsync', 'x'], ['CONFIG', 'SET', 'maxmemory-policy', 'x'],
    ['CONFIG', 'SET', 'databases', '3'], ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory', '1'], ['CONFIG', 'SET', 'save', 'x', 'y'],
    ['CONFIG', 'SET', 'lua-time-limit', 'x'], ['CONFIG', 'SET', 'timeout', '-1'], ['CONFIG', 'SET', 'save', 'abc'], ['CONFIG', 'SET', 'foo'],
  ])

  diff('CONFIG SET accepted', [
    ['CONFIG', 'SET', 'maxclients', '5000'], ['CONFIG', 'GET', 'maxclients'], ['CONFIG', 'SET', 'maxclients', '10000'],
    ['CONFIG', 'SET', 'lua-time-limit', '30'], ['CONFIG', 'GET', 'busy-reply-threshold'], ['CONFIG', 'SET', 'busy-reply-threshold', '5000'],
    ['CONFIG', 'SET', 'appendonly', 'no', 'save', ''], ['CONFIG', 'SET', 'loglevel', 'warning'], ['CONFIG', 'GET', 'loglevel'],
    ['CONFIG', 'SET', 'loglevel', 'notice'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'HELP'], ['CONFIG', 'REWRITE'],
  ], { typeOnly: [12] })

  diff('COMMAND entries for connection commands', [
    ['COMMAND', 'INFO', 'echo', 'select', 'auth', 'hello', 'reset', 'quit', 'nosuch'], ['COMMAND', 'INFO', 'config|get'],
    ['COMMAND', 'DOCS', 'nosuch'], ['COMMAND', 'COUNT'], ['COMMAND', 'LIST', 'FOO'], ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
    ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'ping', 'a'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'], ['COMMAND', 'HELP'],
    ['COMMAND', 'nosuch'],
  ], { typeOnly: [3] })

  diff('COMMAND INFO in RESP3', [['COMMAND', 'INFO', 'echo', 'select', 'config|get']], { proto: 3 })

  // INFO cluster: marekvs adds its membership after cluster_enabled:0 (checked in cluster-processes.test.ts).
  diff('INFO', [['INFO', 'nosuch'], ['INFO', 'keyspace'], ['INFO', 'cluster'], ['INFO']], { typeOnly: [2, 3] })

  diff('INFO in RESP3 is verbatim', [['INFO', 'nosuch'], ['INFO', 'cluster']], { proto: 3, typeOnly: [1] })

  diff('SHUTDOWN errors', [['SHUTDOWN', 'FOO'], ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'SAVE', 'NOSAVE']])

  diff('MONITOR', [['MONITOR']])
})

describe('differential: server with requirepass', function () {
  this.timeout(60000)
  let redis: ServerProcess
  let marekvs: Marekvs
  before(async () => {
    ;[redis, marekvs] = await Promise.all([startRedis(['--requirepass', 'pw']), startMarekvs({ env: { MAREKVS_REQUIREPASS: 'pw' } })])
  })
  after(async () => {
    await Promise.all([redis?.stop(), marekvs?.stop()])
  })

  const same = (title: string, steps: Step[], options: { typeOnly?: number[] } = {}) =>
    it(title, async () => {
      const [expected, actual] = await Promise.all([runSteps(redis.port, steps), runSteps(marekvs.port, steps)])
      compareReplies(steps, expected, actual, options)
    })

  same('AUTH', [
    ['PING'], ['HELLO', '3'], ['HELLO'], ['CLIENT', 'ID'], ['AUTH', 'wrong'], ['AUTH', 'other', 'pw'], ['PING'],
    ['AUTH', 'pw'], ['PING'], ['AUTH', 'default', 'pw'], ['RESET'], ['PING'], ['AUTH', 'default', 'pw'], ['ECHO', 'in'], ['QUIT'],
  ])

  // A bad SETNAME fails HELLO after its AUTH has already succeeded, in Redis as here.
  same('HELLO AUTH', [['HELLO', '2', 'AUTH', 'default', 'wrong'], ['PING'], ['HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'a b'], ['CLIENT', 'GETNAME'], ['PING']])

  it('HELLO replies with Redis fields plus marekvs_version', async () => {
    for (const proto of ['2', '3']) {
      const [want, got] = await Promise.all([redis, marekvs].map(async (server) => {
        const client = await RawClient.connect(server.port)
        try {
          return await client.call('HELLO', proto, 'AUTH', 'default', 'pw')
        } finally {
          client.close()
        }
      }))
      assert.equal(got.type, want.type)
      const wantFields = fields(want)
      const gotFields = fields(got)
      for (const key of ['server', 'version', 'proto', 'mode', 'role', 'modules']) assert.deepEqual(gotFields[key], wantFields[key], key)
      assert.equal(gotFields.id.type, 'int')
      assert.equal(gotFields.marekvs_version.type, 'bulk')
      assert.deepEqual(Object.keys(gotFields), [...Object.keys(wantFields), 'marekvs_version'])
    }
  })

  it('keeps authenticated sessions when requirepass changes; new AUTHs need the new one', async () => {
    const a = await RawClient.connect(marekvs.port)
    const b = await RawClient.connect(marekvs.port)
    try {
      assert.deepEqual(await a.call('AUTH', 'pw'), { type: 'status', value: 'OK' })
      assert.deepEqual(await a.call('CONFIG', 'SET', 'requirepass', 'pw2'), { type: 'status', value: 'OK' })
      assert.deepEqual(await a.call('PING'), { type: 'status', value: 'PONG' })
      assert.equal((await b.call('AUTH', 'pw')).type, 'error')
      assert.deepEqual(await b.call('AUTH', 'pw2'), { type: 'status', value: 'OK' })
      assert.deepEqual(await a.call('CONFIG', 'SET', 'requirepass', 'pw'), { type: 'status', value: 'OK' })
    } finally {
      a.close()
      b.close()
    }
  })
})

describe('server commands on marekvs', function () {
  this.timeout(60000)
  let marekvs: Marekvs
  before(async () => {
    marekvs = await startMarekvs()
  })
  after(async () => {
    await marekvs?.stop()
  })

  it('CLIENT LIST shows every client in Redis format; KILL closes by id, addr and filter', async () => {
    const a = await RawClient.connect(marekvs.port)
    const b = await RawClient.connect(marekvs.port)
    try {
      await a.call('CLIENT', 'SETNAME', 'alpha')
      const bId = (await b.call('CLIENT', 'ID')) as { value: bigint }
      const list = text(await a.call('CLIENT', 'LIST'))
      const lines = list.split('\n').filter((l) => l !== '')
      assert.ok(lines.length >= 2)
      const line = /^id=(\d+) addr=(\S+) laddr=(\S+) fd=-?\d+ name=(\S*) age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=0 oll=0 omem=\d+ tot-mem=\d+ events=r w? ?cmd=\S+ user=default redir=-1 resp=2$/
      for (const l of lines) assert.match(l.replace('events=rw', 'events=r w'), line)
      const mine = lines.find((l) => l.includes('name=alpha'))!
      assert.match(mine, /cmd=client\|list /)
      assert.match(mine, / argv-mem=10 /)
      const only = text(await a.call('CLIENT', 'LIST', 'ID', String(bId.value)))
      assert.equal(only.split('\n').filter((l) => l !== '').length, 1)
      assert.match(only, new RegExp(`^id=${bId.value} `))
      assert.match(text(await a.call('CLIENT', 'INFO')), /^id=\d+ .* name=alpha .* cmd=client\|info .*\n$/)
      assert.deepEqual(await a.call('CLIENT', 'KILL', 'ID', String(bId.value)), { type: 'int', value: 1n })
      assert.ok(await b.closedByServer())
      const c = await RawClient.connect(marekvs.port)
      await c.call('PING')
      const cAddr = `127.0.0.1:${c.socket.localPort}`
      assert.deepEqual(await a.call('CLIENT', 'KILL', cAddr), { type: 'status', value: 'OK' })
      assert.ok(await c.closedByServer())
      // SKIPME yes by default: killing everyone by type spares the caller.
      assert.equal((await a.call('CLIENT', 'KILL', 'TYPE', 'normal')).type, 'int')
      assert.deepEqual(await a.call('PING'), { type: 'status', value: 'PONG' })
    } finally {
      a.close()
      b.close()
    }
  })

  it('INFO has every default section and the fields clients read', async () => {
    const client = await RawClient.connect(marekvs.port)
    try {
      await client.call('SET', 'k', 'v')
      await client.call('GET', 'k')
      const info = text(await client.call('INFO'))
      const headers = info.split('\r\n').filter((l) => l.startsWith('# '))
      assert.deepEqual(headers, ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace'])
      assert.ok(!/[^\r]\n/.test(info), 'every line ends with CRLF')
      for (const field of ['redis_version:7.0.15', 'redis_mode:standalone', 'loading:0', 'aof_enabled:0', 'role:master', 'connected_slaves:0', 'cluster_enabled:0', 'maxmemory:0', 'maxmemory_policy:noeviction', `tcp_port:${marekvs.port}`]) {
        assert.ok(info.includes(`\r\n${field}\r\n`), field)
      }
      assert.match(info, /\r\nmarekvs_version:\d+\.\d+\.\d+\r\n/)
      assert.match(info, /\r\nmarekvs_fsync:(always|everysec|no)\r\n/)
      assert.match(info, /\r\nused_memory:\d+\r\n/)
      assert.match(info, /\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n/)
      const all = text(await client.call('INFO', 'commandstats'))
      assert.match(all, /^# Commandstats\r\n/)
      assert.match(all, /\r\ncmdstat_set:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/)
      // RocksDB's figures cover the column families that hold the data, not only the default one.
      const memtables = async () => Number(/\r\nmarekvs_rocksdb_memtables:(\d+)\r\n/.exec(text(await client.call('INFO', 'memory')))?.[1])
      const before = await memtables()
      // Larger than a memtable's arena block (1 MiB), so it cannot fit in space already counted.
      await client.call('SET', 'big', 'x'.repeat(2_000_000))
      assert.ok(await memtables() >= before + 2_000_000, 'a 2 MB value shows in marekvs_rocksdb_memtables')
      await client.call('CONFIG', 'GET', 'port')
      assert.match(text(await client.call('INFO', 'commandstats')), /\r\ncmdstat_config\|get:calls=1,/)
      assert.deepEqual(await client.call('CONFIG', 'RESETSTAT'), { type: 'status', value: 'OK' })
      assert.doesNotMatch(text(await client.call('INFO', 'commandstats')), /cmdstat_set/)
    } finally {
      client.close()
    }
  })

  it('COMMAND describes the whole table; COUNT, LIST and DOCS agree', async () => {
    const client = await RawClient.connect(marekvs.port)
    try {
      const all = (await client.call('COMMAND')) as { type: 'array'; value: Decoded[] }
      const count = (await client.call('COMMAND', 'COUNT')) as { value: bigint }
      assert.equal(BigInt(all.value.length), count.value)
      for (const entry of all.value) assert.equal((entry as { value: Decoded[] }).value.length, 10)
      const names = ((await client.call('COMMAND', 'LIST')) as { value: Decoded[] }).value.map(text)
      for (const name of ['ping', 'client', 'client|list', 'config|set', 'info', 'command|docs']) assert.ok(names.includes(name), name)
      const docs = fields(await client.call('COMMAND', 'DOCS', 'client'))
      const clientDocs = fields(docs.client)
      assert.equal(text(clientDocs.group), 'connection')
      assert.ok('client|setname' in fields(clientDocs.subcommands))
      assert.deepEqual(((await client.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*')) as { value: Decoded[] }).value.map(text),
        ['config', 'config|get', 'config|set', 'config|resetstat', 'config|rewrite', 'config|help'])
    } finally {
      client.close()
    }
  })

  it('MONITOR streams other clients’ commands, hiding credentials and admin commands', async () => {
    const watcher = await RawClient.connect(marekvs.port)
    const other = await RawClient.connect(marekvs.port)
    try {
      assert.deepEqual(await watcher.call('MONITOR'), { type: 'status', value: 'OK' })
      await other.call('AUTH', 'default', 'secret')
      await other.call('CONFIG', 'GET', 'port')
      await other.call('ECHO', 'hi')
      const first = text(await watcher.read())
      assert.match(first, /^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "AUTH" "\(redacted\)" "\(redacted\)"$/)
      assert.match(text(await watcher.read()), /"ECHO" "hi"$/)
    } finally {
      watcher.close()
      other.close()
    }
  })

  it('ioredis connects with a name and a db, and reads INFO', async () => {
    const redis = new Redis({ port: marekvs.port, connectionName: 'io-app', db: 0, lazyConnect: true, maxRetriesPerRequest: 0 })
    try {
      await redis.connect()
      assert.equal(await redis.client('GETNAME'), 'io-app')
      assert.match(await redis.info('server'), /redis_version:7\.0\.15/)
      assert.deepEqual(await redis.config('GET', 'maxmemory'), ['maxmemory', '0'])
    } finally {
      redis.disconnect()
    }
  })

  it('SHUTDOWN closes the connection and stops the node', async () => {
    const client = await RawClient.connect(marekvs.port)
    client.send(['SHUTDOWN', 'NOSAVE'])
    assert.ok(await client.closedByServer())
    const code = await new Promise<number | null>((resolve) => {
      if (marekvs.proc.exitCode !== null) resolve(marekvs.proc.exitCode)
      else marekvs.proc.once('exit', (c) => resolve(c))
    })
    assert.equal(code, 0)
  })
})
