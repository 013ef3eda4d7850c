import assert from 'node:assert/strict'
import { clientLine, KillFilter, killMatches, parseKillFilter, parseListFilter, validClientName } from '../../lib/server/commands/client'
import { aclCategories } from '../../lib/server/commands/command-docs'
import { parseConfigSet, parseMemory, PARAMS, selectParams } from '../../lib/server/commands/config'
import { passwordOk } from '../../lib/server/commands/connection'
import { bytesToHuman, commandstatLines, formatInfo, selectSections } from '../../lib/server/commands/info'
import { parseShutdown } from '../../lib/server/commands/server'
import { globMatch, parseInteger, redactForMonitor } from '../../lib/server/commands/util'

const b = (...args: string[]) => args.map((a) => Buffer.from(a))
const errorText = (r: unknown) => (r as { t: string; v: string }).v

describe('server commands: pure parts', () => {
  describe('INFO', () => {
    it('selects Redis 7.0 default, all and named sections in Redis order', () => {
      assert.deepEqual(selectSections([]), ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'])
      assert.deepEqual(selectSections(['default']), selectSections([]))
      assert.ok(selectSections(['all']).includes('commandstats'))
      assert.deepEqual(selectSections(['everything']), selectSections(['all']))
      assert.deepEqual(selectSections(['KEYSPACE', 'Server', 'nosuch']), ['server', 'keyspace'])
      assert.deepEqual(selectSections(['nosuch']), [])
    })

    it('formats headers, CRLF lines and blank lines between sections as Redis', () => {
      assert.equal(formatInfo([['keyspace', []]]), '# Keyspace\r\n')
      assert.equal(formatInfo([['server', [['redis_version', '7.0.15'], ['arch_bits', 64]]], ['cluster', [['cluster_enabled', 0]]]]),
        '# Server\r\nredis_version:7.0.15\r\narch_bits:64\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n')
      assert.equal(formatInfo([]), '')
    })

    it('formats commandstats lines, skipping unknown commands', () => {
      const stats = new Map([['get', { calls: 3, usec: 10, failed: 1 }], ['config|get', { calls: 1, usec: 41.2, failed: 0 }], ['unknown', { calls: 5, usec: 1, failed: 5 }]])
      assert.deepEqual(commandstatLines(stats), [
        ['cmdstat_config|get', 'calls=1,usec=41,usec_per_call=41.20,rejected_calls=0,failed_calls=0'],
        ['cmdstat_get', 'calls=3,usec=10,usec_per_call=3.33,rejected_calls=0,failed_calls=1'],
      ])
    })

    it('writes memory sizes as Redis bytesToHuman does', () => {
      assert.equal(bytesToHuman(0), '0B')
      assert.equal(bytesToHuman(1023), '1023B')
      assert.equal(bytesToHuman(1039760), '1015.39K')
      assert.equal(bytesToHuman(7110656), '6.78M')
    })
  })

  describe('CONFIG', () => {
    it('globs parameter names case-insensitively, each once, exact names echoed as given', () => {
      const names = (patterns: string[]) => selectParams(patterns).map(([n]) => n)
      assert.deepEqual(names(['maxmemory*']).sort(), ['maxmemory', 'maxmemory-policy', 'maxmemory-samples'])
      assert.deepEqual(names(['MAXMEMORY']), ['MAXMEMORY'])
      assert.deepEqual(names(['port', 'po*']), ['port'])
      assert.deepEqual(names(['nosuch']), [])
      assert.equal(names(['*']).length, PARAMS.length)
      assert.deepEqual(names(['lua-time-limit', 'busy-reply-threshold']), ['lua-time-limit', 'busy-reply-threshold'])
    })

    it('validates every pair before applying any, with Redis wording', () => {
      assert.equal(errorText(parseConfigSet(b('foo', '1'))), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
      assert.equal(errorText(parseConfigSet(b('maxclients', '1', 'x'))), 'ERR syntax error')
      assert.equal(errorText(parseConfigSet(b('maxmemory', 'abc'))), "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")
      assert.equal(errorText(parseConfigSet(b('maxclients', 'abc'))), "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer")
      assert.equal(errorText(parseConfigSet(b('maxclients', '0'))), "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive")
      assert.equal(errorText(parseConfigSet(b('appendonly', 'maybe'))), "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'")
      assert.equal(errorText(parseConfigSet(b('databases', '3'))), "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")
      assert.equal(errorText(parseConfigSet(b('maxmemory', '0', 'maxmemory', '1'))), "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter")
      assert.match(errorText(parseConfigSet(b('loglevel', 'loud'))), /^ERR CONFIG SET failed \(possibly related to argument 'loglevel'\) - argument\(s\) must be one of the following: debug, verbose, notice, warning/)
      const ok = parseConfigSet(b('LOGLEVEL', 'notice', 'maxclients', '50', 'save', '')) as { changes: Array<{ param: { name: string }; value: unknown }> }
      assert.deepEqual(ok.changes.map((c) => [c.param.name, c.value]), [['loglevel', 'info'], ['maxclients', 50], ['save', '']])
    })

    it('reads memory values as Redis memtoull', () => {
      assert.equal(parseMemory('100'), 100)
      assert.equal(parseMemory('1kb'), 1024)
      assert.equal(parseMemory('1K'), 1000)
      assert.equal(parseMemory('2GB'), 2 * 1024 ** 3)
      assert.equal(parseMemory('-1'), null)
      assert.equal(parseMemory('1x'), null)
    })
  })

  describe('CLIENT', () => {
    const session = {
      id: 7, addr: '127.0.0.1:5000', laddr: '127.0.0.1:6379', fd: 9, name: 'app', createdMs: 10_000, lastActiveMs: 12_500,
      monitoring: false, lastCommand: 'client|list', proto: 2 as const, inputBytes: 0, outputBytes: 0,
    }

    it('formats a CLIENT LIST line with Redis 7.0 fields in order', () => {
      assert.equal(clientLine(session, 15_000, 10),
        'id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=9 name=app age=5 idle=2 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ' +
        'qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=10 events=r cmd=client|list user=default redir=-1 resp=2')
      assert.match(clientLine({ ...session, name: null, monitoring: true, proto: 3 }, 15_000), / name= .* flags=O .* resp=3$/)
      assert.match(clientLine(session, 15_000, 0, { channels: 2, patterns: 1 }), / flags=P db=0 sub=2 psub=1 ssub=0 /)
      assert.match(clientLine({ ...session, monitoring: true }, 15_000, 0, { channels: 0, patterns: 1 }), / flags=OP db=0 sub=0 psub=1 /)
    })

    it('accepts names of printable ASCII without spaces', () => {
      assert.ok(validClientName(Buffer.from('a-b_c:1')))
      assert.ok(validClientName(Buffer.alloc(0)))
      assert.ok(!validClientName(Buffer.from('a b')))
      assert.ok(!validClientName(Buffer.from('a\nb')))
      assert.ok(!validClientName(Buffer.from('é')))
    })

    it('parses LIST filters as Redis 7.0', () => {
      assert.deepEqual(parseListFilter([]), { kind: 'all' })
      assert.deepEqual(parseListFilter(b('TYPE', 'Normal')), { kind: 'type', type: 'normal' })
      assert.equal(errorText(parseListFilter(b('type', 'xx'))), "ERR Unknown client type 'xx'")
      assert.deepEqual(parseListFilter(b('id', '3', '4')), { kind: 'ids', ids: new Set([3, 4]) })
      assert.equal(errorText(parseListFilter(b('id', 'x'))), 'ERR Invalid client ID')
      assert.equal(errorText(parseListFilter(b('foo'))), 'ERR syntax error')
    })

    it('parses and matches KILL filters', () => {
      assert.equal(errorText(parseKillFilter(b('ID', 'x'))), 'ERR client-id should be greater than 0')
      assert.equal(errorText(parseKillFilter(b('ID', '0'))), 'ERR client-id should be greater than 0')
      assert.equal(errorText(parseKillFilter(b('TYPE', 'foo'))), "ERR Unknown client type 'foo'")
      assert.equal(errorText(parseKillFilter(b('SKIPME', 'maybe'))), 'ERR syntax error')
      assert.equal(errorText(parseKillFilter(b('foo', 'bar'))), 'ERR syntax error')
      assert.equal(errorText(parseKillFilter(b('ID', '1', 'ADDR'))), 'ERR syntax error')
      const filter = parseKillFilter(b('ADDR', '127.0.0.1:5000')) as KillFilter
      assert.equal(killMatches(filter, session, false), true)
      assert.equal(killMatches(filter, session, true), false)
      assert.equal(killMatches({ ...filter, skipme: false }, session, true), true)
      assert.equal(killMatches(parseKillFilter(b('ID', '8')) as never, session, false), false)
      assert.equal(killMatches(parseKillFilter(b('TYPE', 'pubsub')) as never, session, false), false)
      assert.equal(killMatches(parseKillFilter(b('TYPE', 'pubsub')) as never, session, false, 'pubsub'), true)
      assert.equal(killMatches(parseKillFilter(b('TYPE', 'normal')) as never, session, false, 'pubsub'), false)
    })
  })

  describe('helpers', () => {
    it('parses integers as Redis string2ll', () => {
      assert.equal(parseInteger('0'), 0n)
      assert.equal(parseInteger('-12'), -12n)
      assert.equal(parseInteger('9223372036854775807'), 9223372036854775807n)
      assert.equal(parseInteger('9223372036854775808'), null)
      for (const bad of ['', ' 1', '01', '+1', '1.0', '-0', 'x']) assert.equal(parseInteger(bad), null, bad)
    })

    it('globs as Redis stringmatch, fast on adversarial patterns', () => {
      assert.ok(globMatch('maxmemory*', 'maxmemory-policy'))
      assert.ok(globMatch('h?llo', 'hello'))
      assert.ok(globMatch('h[ae]llo', 'hallo'))
      assert.ok(!globMatch('h[^e]llo', 'hello'))
      assert.ok(globMatch('h[a-c]llo', 'hbllo'))
      assert.ok(globMatch('a\\*b', 'a*b'))
      assert.ok(!globMatch('a\\*b', 'axb'))
      assert.ok(globMatch('PORT', 'port', true))
      const started = Date.now()
      assert.ok(!globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(60)))
      assert.ok(Date.now() - started < 500)
    })

    it('redacts credentials for MONITOR', () => {
      assert.deepEqual(redactForMonitor('auth', b('AUTH', 'u', 'p')).map(String), ['AUTH', '(redacted)', '(redacted)'])
      assert.deepEqual(redactForMonitor('hello', b('HELLO', '3', 'AUTH', 'u', 'p', 'SETNAME', 'n')).map(String), ['HELLO', '3', 'AUTH', '(redacted)', '(redacted)', 'SETNAME', 'n'])
      const argv = b('SET', 'k', 'v')
      assert.equal(redactForMonitor('set', argv), argv)
    })

    it('checks passwords for the default user only', () => {
      assert.ok(passwordOk('', Buffer.from('default'), Buffer.from('anything')))
      assert.ok(!passwordOk('', Buffer.from('other'), Buffer.from('anything')))
      assert.ok(passwordOk('pw', Buffer.from('default'), Buffer.from('pw')))
      assert.ok(!passwordOk('pw', Buffer.from('default'), Buffer.from('pw2')))
    })

    it('parses SHUTDOWN flags', () => {
      assert.deepEqual(parseShutdown([]), { save: null, now: false, force: false, abort: false })
      assert.deepEqual(parseShutdown(b('NOSAVE', 'now')), { save: false, now: true, force: false, abort: false })
      assert.equal(parseShutdown(b('save', 'nosave')), null)
      assert.equal(parseShutdown(b('abort', 'now')), null)
      assert.equal(parseShutdown(b('foo')), null)
    })

    it('derives ACL categories in Redis order', () => {
      assert.deepEqual(aclCategories({ flags: ['readonly', 'fast'], group: 'string' }), ['read', 'string', 'fast'])
      assert.deepEqual(aclCategories({ flags: ['fast'], group: 'connection' }), ['fast', 'connection'])
      assert.deepEqual(aclCategories({ flags: ['admin', 'noscript'], group: 'server' }), ['admin', 'slow', 'dangerous'])
      assert.deepEqual(aclCategories({ flags: [], group: 'connection' }, true), ['slow'])
    })
  })
})
