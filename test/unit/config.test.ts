import assert from 'node:assert/strict'
import { type Config, configFromOptions, ENV_VARS, type HostFacts, parseConfig } from '../../lib/config'

const facts: HostFacts = {
  hostname: 'devbox',
  cpus: 8,
  interfaces: {
    lo: [{ family: 'IPv4', address: '127.0.0.1', internal: true }],
    eth0: [
      { family: 'IPv6', address: 'fe80::1', internal: false },
      { family: 'IPv4', address: '10.1.2.3', internal: false }
    ],
    eth1: [{ family: 'IPv4', address: '10.9.9.9', internal: false }]
  }
}

function ok (env: Record<string, string | undefined>, f: HostFacts = facts): Config {
  const r = parseConfig(env, f)
  if (!r.ok) assert.fail(`unexpected errors: ${r.errors.join('; ')}`)
  return r.config
}

function errs (env: Record<string, string | undefined>, f: HostFacts = facts): string[] {
  const r = parseConfig(env, f)
  if (r.ok) assert.fail(`expected errors, got ${JSON.stringify(r.config)}`)
  return r.errors
}

function oneError (env: Record<string, string | undefined>, f: HostFacts = facts): string {
  const e = errs(env, f)
  assert.equal(e.length, 1, e.join('; '))
  return e[0]
}

describe('config', () => {
  describe('defaults', () => {
    it('match the table exactly', () => {
      assert.deepEqual(ok({}), {
        dataDir: '.data/n0',
        nodeId: 0,
        respAddr: { host: '0.0.0.0', port: 6379 },
        meshAddr: { host: '0.0.0.0', port: 7373 },
        gossipAddr: { host: '0.0.0.0', port: 7946 },
        metricsAddr: { host: '0.0.0.0', port: 9121 },
        advertiseIp: '127.0.0.1',
        seeds: [],
        replicasN: 3,
        deadNodeGraceMs: 86400000,
        requirepass: '',
        shards: 8,
        scriptTimeLimitMs: 20,
        replicaof: null,
        fsync: 'everysec',
        inlineBatches: 'on',
        compression: 'zstd',
        logLevel: 'info'
      })
    })

    it('treat empty values as unset', () => {
      const env: Record<string, string> = {}
      for (const v of ENV_VARS) if (v.name !== 'MAREKVS_METRICS_ADDR') env[v.name] = ''
      assert.deepEqual(ok(env), ok({}))
    })

    it('ignore variables outside the table (Kubernetes injects MAREKVS_PORT for a Service named marekvs)', () => {
      assert.deepEqual(ok({ MAREKVS_PORT: 'tcp://10.0.0.1:6379', MAREKVS_SERVICE_HOST: '10.0.0.1' }), ok({}))
    })

    it('the table lists every Config field once, with its variable', () => {
      assert.deepEqual(ENV_VARS.map((v) => v.option).sort(), Object.keys(ok({})).sort())
      assert.equal(new Set(ENV_VARS.map((v) => v.name)).size, ENV_VARS.length)
      const byName = new Map(ENV_VARS.map((v) => [v.name, v.defaultText]))
      assert.equal(byName.get('MAREKVS_DATA_DIR'), '.data/n0')
      assert.equal(byName.get('MAREKVS_RESP_ADDR'), '0.0.0.0:6379')
      assert.equal(byName.get('MAREKVS_MESH_ADDR'), '0.0.0.0:7373')
      assert.equal(byName.get('MAREKVS_GOSSIP_ADDR'), '0.0.0.0:7946')
      assert.equal(byName.get('MAREKVS_METRICS_ADDR'), '0.0.0.0:9121')
      assert.equal(byName.get('MAREKVS_ADVERTISE_IP'), '127.0.0.1')
      assert.equal(byName.get('MAREKVS_REPLICAS_N'), '3')
      assert.equal(byName.get('MAREKVS_SCRIPT_TIME_LIMIT_MS'), '20')
      assert.equal(byName.get('MAREKVS_FSYNC'), 'everysec')
    })
  })

  describe('MAREKVS_DATA_DIR', () => {
    it('is taken as given', () => {
      assert.equal(ok({ MAREKVS_DATA_DIR: '/var/lib/marekvs' }).dataDir, '/var/lib/marekvs')
      assert.equal(ok({ MAREKVS_DATA_DIR: 'dir with space ' }).dataDir, 'dir with space ')
    })
    it('rejects a NUL byte', () => {
      assert.match(oneError({ MAREKVS_DATA_DIR: 'a\0b' }), /^MAREKVS_DATA_DIR: expected a directory path/)
    })
  })

  describe('MAREKVS_NODE_ID', () => {
    it('accepts 0..65535', () => {
      assert.equal(ok({ MAREKVS_NODE_ID: '0' }).nodeId, 0)
      assert.equal(ok({ MAREKVS_NODE_ID: '65535' }).nodeId, 65535)
      assert.equal(ok({ MAREKVS_NODE_ID: ' 7 ' }).nodeId, 7)
    })
    it('rejects anything else', () => {
      for (const bad of ['65536', '-1', '1.5', 'x', '0x10', '1e3']) {
        assert.equal(oneError({ MAREKVS_NODE_ID: bad }), `MAREKVS_NODE_ID: expected an integer from 0 to 65535, got '${bad}'`)
      }
    })
    it('comes from the hostname ordinal when unset', () => {
      assert.equal(ok({}, { ...facts, hostname: 'marekvs-3' }).nodeId, 3)
      assert.equal(ok({}, { ...facts, hostname: 'marekvs-12.marekvs.default.svc.cluster.local' }).nodeId, 12)
      assert.equal(ok({}, { ...facts, hostname: 'my-db-0' }).nodeId, 0)
      assert.equal(ok({}, { ...facts, hostname: 'marekvs' }).nodeId, 0)
      assert.equal(ok({}, { ...facts, hostname: 'host3' }).nodeId, 0)
      assert.equal(ok({ MAREKVS_NODE_ID: '9' }, { ...facts, hostname: 'marekvs-3' }).nodeId, 9)
    })
    it('reports an ordinal too large for a u16', () => {
      assert.match(oneError({}, { ...facts, hostname: 'marekvs-70000' }), /^MAREKVS_NODE_ID: .*70000.*set MAREKVS_NODE_ID$/)
    })
  })

  describe('listener addresses', () => {
    const listeners = [
      ['MAREKVS_RESP_ADDR', 'respAddr'],
      ['MAREKVS_MESH_ADDR', 'meshAddr'],
      ['MAREKVS_GOSSIP_ADDR', 'gossipAddr'],
      ['MAREKVS_METRICS_ADDR', 'metricsAddr']
    ] as const
    for (const [name, field] of listeners) {
      it(`${name} accepts host:port, port 0 and bracketed IPv6`, () => {
        assert.deepEqual(ok({ [name]: '127.0.0.1:0' })[field], { host: '127.0.0.1', port: 0 })
        assert.deepEqual(ok({ [name]: 'localhost:65535' })[field], { host: 'localhost', port: 65535 })
        assert.deepEqual(ok({ [name]: '[::1]:6380' })[field], { host: '::1', port: 6380 })
        assert.deepEqual(ok({ [name]: '[::]:1' })[field], { host: '::', port: 1 })
        assert.deepEqual(ok({ [name]: '[fe80::1%eth0]:1' })[field], { host: 'fe80::1%eth0', port: 1 })
      })
      it(`${name} rejects malformed values`, () => {
        for (const bad of ['6379', ':6379', 'host:', 'host:65536', 'host:-1', 'host:x', '::1:6379', '[::1]6379', '[zz::1]:1', '999.0.0.1:1', 'a b:1']) {
          const e = oneError({ [name]: bad })
          assert.ok(e.startsWith(`${name}: expected host:port with port 0 to 65535`), e)
          assert.ok(e.endsWith(`got '${bad}'`), e)
        }
      })
    }
    it("MAREKVS_METRICS_ADDR '' or 'off' disables the listener", () => {
      assert.equal(ok({ MAREKVS_METRICS_ADDR: '' }).metricsAddr, null)
      assert.equal(ok({ MAREKVS_METRICS_ADDR: 'off' }).metricsAddr, null)
      assert.equal(ok({ MAREKVS_METRICS_ADDR: 'OFF' }).metricsAddr, null)
    })
  })

  describe('MAREKVS_ADVERTISE_IP', () => {
    it('accepts an IP or a hostname', () => {
      assert.equal(ok({ MAREKVS_ADVERTISE_IP: '10.0.0.5' }).advertiseIp, '10.0.0.5')
      assert.equal(ok({ MAREKVS_ADVERTISE_IP: 'marekvs-0.marekvs.default.svc' }).advertiseIp, 'marekvs-0.marekvs.default.svc')
      assert.equal(ok({ MAREKVS_ADVERTISE_IP: 'fd00::5' }).advertiseIp, 'fd00::5')
      assert.equal(ok({ MAREKVS_ADVERTISE_IP: '[fd00::5]' }).advertiseIp, 'fd00::5')
    })
    it("'auto' picks the first non-internal IPv4 address", () => {
      assert.equal(ok({ MAREKVS_ADVERTISE_IP: 'auto' }).advertiseIp, '10.1.2.3')
      const numericFamily: HostFacts = { ...facts, interfaces: { en0: [{ family: 4, address: '192.168.1.2', internal: false }] } }
      assert.equal(ok({ MAREKVS_ADVERTISE_IP: 'auto' }, numericFamily).advertiseIp, '192.168.1.2')
    })
    it("'auto' without such an address is an error", () => {
      const loOnly: HostFacts = { ...facts, interfaces: { lo: [{ family: 'IPv4', address: '127.0.0.1', internal: true }], eth0: [{ family: 'IPv6', address: 'fd00::1', internal: false }] } }
      assert.match(oneError({ MAREKVS_ADVERTISE_IP: 'auto' }, loOnly), /^MAREKVS_ADVERTISE_IP: 'auto' found no non-internal IPv4/)
    })
    it('rejects junk', () => {
      for (const bad of ['not an ip', '1.2.3.4:5', 'a..b', '-x']) {
        assert.equal(oneError({ MAREKVS_ADVERTISE_IP: bad }), `MAREKVS_ADVERTISE_IP: expected an IP address, a hostname or 'auto', got '${bad}'`)
      }
    })
  })

  describe('MAREKVS_SEEDS', () => {
    it('parses a comma-separated list', () => {
      assert.deepEqual(ok({ MAREKVS_SEEDS: 'marekvs-headless:7946' }).seeds, [{ host: 'marekvs-headless', port: 7946 }])
      assert.deepEqual(ok({ MAREKVS_SEEDS: ' a:1 , [::1]:2,10.0.0.1:7946, ' }).seeds, [
        { host: 'a', port: 1 }, { host: '::1', port: 2 }, { host: '10.0.0.1', port: 7946 }
      ])
    })
    it('reports every bad item, and port 0 is not dialable', () => {
      const e = errs({ MAREKVS_SEEDS: 'a:1,b,c:0,d:2' })
      assert.deepEqual(e, [
        "MAREKVS_SEEDS: expected comma-separated host:port with port 1 to 65535, got 'b'",
        "MAREKVS_SEEDS: expected comma-separated host:port with port 1 to 65535, got 'c:0'"
      ])
    })
  })

  describe('MAREKVS_DEAD_NODE_GRACE_MS', () => {
    it('accepts one minute to one year', () => {
      assert.equal(ok({ MAREKVS_DEAD_NODE_GRACE_MS: '60000' }).deadNodeGraceMs, 60000)
      assert.equal(ok({ MAREKVS_DEAD_NODE_GRACE_MS: '31536000000' }).deadNodeGraceMs, 31536000000)
    })
    it('rejects the rest', () => {
      for (const bad of ['59999', '31536000001', '1h', '-1']) {
        assert.equal(oneError({ MAREKVS_DEAD_NODE_GRACE_MS: bad }), `MAREKVS_DEAD_NODE_GRACE_MS: expected an integer from 60000 to 31536000000, got '${bad}'`)
      }
    })
  })

  describe('MAREKVS_REPLICAS_N', () => {
    it('accepts 1..255', () => {
      assert.equal(ok({ MAREKVS_REPLICAS_N: '1' }).replicasN, 1)
      assert.equal(ok({ MAREKVS_REPLICAS_N: '255' }).replicasN, 255)
    })
    it('rejects the rest', () => {
      for (const bad of ['0', '256', 'three', '2.0']) {
        assert.equal(oneError({ MAREKVS_REPLICAS_N: bad }), `MAREKVS_REPLICAS_N: expected an integer from 1 to 255, got '${bad}'`)
      }
    })
  })

  describe('MAREKVS_REQUIREPASS', () => {
    it('is taken as given, spaces included', () => {
      assert.equal(ok({ MAREKVS_REQUIREPASS: ' s3cret ' }).requirepass, ' s3cret ')
    })
  })

  describe('MAREKVS_SHARDS', () => {
    it("defaults to the CPU count, clamped to 1..64, and accepts 'auto'", () => {
      assert.equal(ok({ MAREKVS_SHARDS: 'auto' }).shards, 8)
      assert.equal(ok({ MAREKVS_SHARDS: 'AUTO' }).shards, 8)
      assert.equal(ok({}, { ...facts, cpus: 96 }).shards, 64)
      assert.equal(ok({}, { ...facts, cpus: 0 }).shards, 1)
    })
    it('accepts 1..64', () => {
      assert.equal(ok({ MAREKVS_SHARDS: '1' }).shards, 1)
      assert.equal(ok({ MAREKVS_SHARDS: '64' }).shards, 64)
    })
    it('rejects the rest', () => {
      for (const bad of ['0', '65', 'x', '-2']) {
        assert.equal(oneError({ MAREKVS_SHARDS: bad }), `MAREKVS_SHARDS: expected an integer from 1 to 64 or 'auto', got '${bad}'`)
      }
    })
  })

  describe('MAREKVS_SCRIPT_TIME_LIMIT_MS', () => {
    it('accepts integers >= 1 up to what setTimeout can wait', () => {
      assert.equal(ok({ MAREKVS_SCRIPT_TIME_LIMIT_MS: '1' }).scriptTimeLimitMs, 1)
      assert.equal(ok({ MAREKVS_SCRIPT_TIME_LIMIT_MS: '5000' }).scriptTimeLimitMs, 5000)
      assert.equal(ok({ MAREKVS_SCRIPT_TIME_LIMIT_MS: '2147483647' }).scriptTimeLimitMs, 2147483647)
    })
    it('rejects the rest', () => {
      for (const bad of ['0', '2147483648', '1.5', 'fast']) {
        assert.equal(oneError({ MAREKVS_SCRIPT_TIME_LIMIT_MS: bad }), `MAREKVS_SCRIPT_TIME_LIMIT_MS: expected an integer from 1 to 2147483647, got '${bad}'`)
      }
    })
  })

  describe('MAREKVS_REPLICAOF', () => {
    it('parses host:port', () => {
      assert.deepEqual(ok({ MAREKVS_REPLICAOF: 'redis.old:6379' }).replicaof, { host: 'redis.old', port: 6379 })
      assert.deepEqual(ok({ MAREKVS_REPLICAOF: '[::1]:6379' }).replicaof, { host: '::1', port: 6379 })
    })
    it('rejects the rest', () => {
      for (const bad of ['redis.old', 'redis.old 6379', 'redis.old:0']) {
        assert.equal(oneError({ MAREKVS_REPLICAOF: bad }), `MAREKVS_REPLICAOF: expected host:port with port 1 to 65535, got '${bad}'`)
      }
    })
  })

  describe('MAREKVS_FSYNC', () => {
    it('accepts always, everysec, no (any case)', () => {
      assert.equal(ok({ MAREKVS_FSYNC: 'always' }).fsync, 'always')
      assert.equal(ok({ MAREKVS_FSYNC: 'everysec' }).fsync, 'everysec')
      assert.equal(ok({ MAREKVS_FSYNC: 'NO' }).fsync, 'no')
    })
    it('rejects the rest', () => {
      assert.equal(oneError({ MAREKVS_FSYNC: 'sometimes' }), "MAREKVS_FSYNC: expected one of 'always', 'everysec', 'no', got 'sometimes'")
    })
  })

  describe('MAREKVS_INLINE_BATCHES', () => {
    it('accepts on and off (any case), default on', () => {
      assert.equal(ok({}).inlineBatches, 'on')
      assert.equal(ok({ MAREKVS_INLINE_BATCHES: 'OFF' }).inlineBatches, 'off')
      assert.equal(ok({ MAREKVS_INLINE_BATCHES: 'on' }).inlineBatches, 'on')
      assert.equal(ok({ MAREKVS_INLINE_BATCHES: 'Cold' }).inlineBatches, 'cold')
    })
    it('rejects the rest', () => {
      assert.equal(oneError({ MAREKVS_INLINE_BATCHES: 'yes' }), "MAREKVS_INLINE_BATCHES: expected 'on', 'cold' or 'off', got 'yes'")
    })
  })

  describe('MAREKVS_COMPRESSION', () => {
    it('accepts zstd and none (any case), default zstd', () => {
      assert.equal(ok({}).compression, 'zstd')
      assert.equal(ok({ MAREKVS_COMPRESSION: 'NONE' }).compression, 'none')
      assert.equal(ok({ MAREKVS_COMPRESSION: 'zstd' }).compression, 'zstd')
    })
    it('rejects the rest, as an embedding option too', () => {
      assert.equal(oneError({ MAREKVS_COMPRESSION: 'lz4' }), "MAREKVS_COMPRESSION: expected 'zstd' or 'none', got 'lz4'")
      const r = configFromOptions({ compression: 'snappy' }, facts)
      assert.deepEqual(r.ok ? [] : r.errors, ["compression (MAREKVS_COMPRESSION): expected 'zstd' or 'none', got 'snappy'"])
    })
  })

  describe('RUST_LOG', () => {
    it('sets the level', () => {
      assert.equal(ok({ RUST_LOG: 'debug' }).logLevel, 'debug')
      assert.equal(ok({ RUST_LOG: 'marekvs=trace,warn' }).logLevel, 'trace')
    })
    it('reports an unknown level', () => {
      assert.match(oneError({ RUST_LOG: 'loud' }), /^RUST_LOG: expected a level .*'loud'/)
    })
  })

  it('reports every error, not just the first, in table order', () => {
    const e = errs({
      MAREKVS_NODE_ID: 'x',
      MAREKVS_RESP_ADDR: 'nope',
      MAREKVS_SHARDS: 'x',
      MAREKVS_FSYNC: 'sometimes',
      RUST_LOG: 'loud',
      MAREKVS_REPLICAS_N: '3' // valid, no error
    })
    assert.equal(e.length, 5, e.join('\n'))
    assert.deepEqual(e.map((s) => s.slice(0, s.indexOf(':'))), [
      'MAREKVS_NODE_ID', 'MAREKVS_RESP_ADDR', 'MAREKVS_SHARDS', 'MAREKVS_FSYNC', 'RUST_LOG'
    ])
    assert.ok(e.includes("MAREKVS_SHARDS: expected an integer from 1 to 64 or 'auto', got 'x'"))
  })

  describe('configFromOptions', () => {
    it('with no options gives the defaults', () => {
      const r = configFromOptions({}, facts)
      assert.ok(r.ok)
      assert.deepEqual(r.config, ok({}))
    })

    it('maps every option to its variable', () => {
      const r = configFromOptions({
        dataDir: '/tmp/x',
        nodeId: 4,
        respAddr: '127.0.0.1:0',
        meshAddr: { host: '::1', port: 0 },
        gossipAddr: { host: '127.0.0.1', port: 0 },
        metricsAddr: null,
        advertiseIp: 'auto',
        seeds: ['a:1', { host: 'b', port: 2 }],
        replicasN: 1,
        deadNodeGraceMs: 600000,
        requirepass: 'pw',
        shards: 2,
        scriptTimeLimitMs: 50,
        replicaof: 'up:6379',
        fsync: 'always',
        inlineBatches: 'off',
        compression: 'none',
        logLevel: 'warn'
      }, facts)
      if (!r.ok) assert.fail(r.errors.join('; '))
      assert.deepEqual(r.config, {
        dataDir: '/tmp/x',
        nodeId: 4,
        respAddr: { host: '127.0.0.1', port: 0 },
        meshAddr: { host: '::1', port: 0 },
        gossipAddr: { host: '127.0.0.1', port: 0 },
        metricsAddr: null,
        advertiseIp: '10.1.2.3',
        seeds: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }],
        replicasN: 1,
        deadNodeGraceMs: 600000,
        requirepass: 'pw',
        shards: 2,
        scriptTimeLimitMs: 50,
        replicaof: { host: 'up', port: 6379 },
        fsync: 'always',
        inlineBatches: 'off',
        compression: 'none',
        logLevel: 'warn'
      })
    })

    it('treats undefined as unset and metricsAddr false/off/"" as disabled', () => {
      const r = configFromOptions({ nodeId: undefined, replicaof: null, metricsAddr: false }, facts)
      assert.ok(r.ok)
      assert.equal(r.config.nodeId, 0)
      assert.equal(r.config.replicaof, null)
      assert.equal(r.config.metricsAddr, null)
      const off = configFromOptions({ metricsAddr: 'off' }, facts)
      assert.ok(off.ok && off.config.metricsAddr === null)
    })

    it('rejects unknown option names, naming the known ones', () => {
      const r = configFromOptions({ shard: 2, port: 6379 }, facts)
      assert.ok(!r.ok)
      assert.equal(r.errors.length, 2)
      assert.match(r.errors[0], /^unknown option 'shard': expected one of dataDir, nodeId, .*fsync, inlineBatches, compression, logLevel$/)
      assert.match(r.errors[1], /^unknown option 'port'/)
    })

    it('reports invalid values naming the option and its variable, all of them', () => {
      const r = configFromOptions({ shards: 100, nodeId: 1.5, fsync: true, respAddr: [1] }, facts)
      assert.ok(!r.ok)
      assert.deepEqual(r.errors.sort(), [
        'fsync (MAREKVS_FSYNC): expected one of \'always\', \'everysec\', \'no\', got boolean true',
        "nodeId (MAREKVS_NODE_ID): expected an integer from 0 to 65535, got '1.5'",
        'respAddr (MAREKVS_RESP_ADDR): expected host:port with port 0 to 65535 (IPv6 as [::1]:6379), got an array',
        "shards (MAREKVS_SHARDS): expected an integer from 1 to 64 or 'auto', got '100'"
      ])
    })
  })
})
