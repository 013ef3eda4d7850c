import assert from 'node:assert/strict'
import { Level, levelFromRedis, log, type LogLevel, parseRustLog, REDIS_LOGLEVEL_ERROR, redisLogLevelOf } from '../../lib/log'

function level (text: string): LogLevel {
  const r = parseRustLog(text)
  if (!r.ok) assert.fail(r.error)
  return r.level
}

describe('log', () => {
  describe('parseRustLog', () => {
    it('reads a bare level, any case', () => {
      for (const l of ['error', 'warn', 'info', 'debug', 'trace', 'off'] as const) assert.equal(level(l), l)
      assert.equal(level('DEBUG'), 'debug')
      assert.equal(level(' warn '), 'warn')
    })

    it('defaults to info when empty or only other targets are named', () => {
      assert.equal(level(''), 'info')
      assert.equal(level('hyper=debug,tokio=trace'), 'info')
    })

    it('lets a marekvs directive win over the bare level', () => {
      assert.equal(level('marekvs=debug,warn'), 'debug')
      assert.equal(level('warn,marekvs=error'), 'error')
      assert.equal(level('marekvs_cluster=trace,info'), 'trace')
      assert.equal(level('marekvs::shard=debug'), 'debug')
      assert.equal(level('info,marekvs'), 'trace') // a bare target means everything, as in env_logger
    })

    it('takes the most verbose of several marekvs directives', () => {
      assert.equal(level('marekvs=info,marekvs_cluster=debug'), 'debug')
      assert.equal(level('marekvs_cluster=debug,marekvs=info'), 'debug')
    })

    it('takes the last bare level', () => {
      assert.equal(level('warn,debug'), 'debug')
    })

    it('ignores other targets and an env_logger regex suffix', () => {
      assert.equal(level('hyper=warn,error'), 'error')
      assert.equal(level('marekvs=debug/foo.*'), 'debug')
      assert.equal(level('marekvsx=debug'), 'info')
    })

    it('rejects unknown words', () => {
      for (const bad of ['loud', 'debgu', 'marekvs=loud', 'hyper=verbose', '=debug', 'info,nonsense']) {
        const r = parseRustLog(bad)
        assert.ok(!r.ok, bad)
        assert.match(r.error, /^expected a level \(error, warn, info, debug, trace, off\)/)
      }
    })
  })

  describe('Redis loglevel mapping', () => {
    it('reads our levels back as Redis words', () => {
      assert.equal(redisLogLevelOf('off'), 'nothing')
      assert.equal(redisLogLevelOf('error'), 'warning')
      assert.equal(redisLogLevelOf('warn'), 'warning')
      assert.equal(redisLogLevelOf('info'), 'notice')
      assert.equal(redisLogLevelOf('debug'), 'verbose')
      assert.equal(redisLogLevelOf('trace'), 'debug')
    })

    it('maps Redis words, any case, with Redis meaning winning for debug', () => {
      assert.equal(levelFromRedis('nothing'), 'off')
      assert.equal(levelFromRedis('WARNING'), 'warn')
      assert.equal(levelFromRedis('notice'), 'info')
      assert.equal(levelFromRedis('verbose'), 'debug')
      assert.equal(levelFromRedis('debug'), 'trace')
    })

    it('accepts our own words too', () => {
      for (const l of ['off', 'error', 'warn', 'info', 'trace'] as const) assert.equal(levelFromRedis(l), l)
    })

    it('round-trips every Redis word', () => {
      for (const w of ['debug', 'verbose', 'notice', 'warning', 'nothing']) {
        const l = levelFromRedis(w)
        assert.ok(l !== null)
        assert.equal(redisLogLevelOf(l), w)
      }
    })

    it('rejects the rest with the Redis error text', () => {
      assert.equal(levelFromRedis('loud'), null)
      assert.equal(levelFromRedis(''), null)
      assert.equal(REDIS_LOGLEVEL_ERROR,
        "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing")
    })
  })

  describe('logger', () => {
    let lines: string[] = []
    const saved = log.level
    beforeEach(() => {
      lines = []
      log.setSink((line) => { lines.push(line) })
    })
    afterEach(() => {
      log.setSink(null)
      log.setLevel(saved)
    })

    it('writes one line per message, in the tracing-subscriber shape', () => {
      log.setLevel('info')
      log.info('node started', { port: 6379, host: '0.0.0.0', name: 'a b', ok: true })
      assert.equal(lines.length, 1)
      assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}INFO marekvs: node started port=6379 host=0\.0\.0\.0 name="a b" ok=true\n$/)
      log.error('boom', { err: new Error('disk\nfull') })
      assert.match(lines[1], /Z ERROR marekvs: boom err="disk\\nfull"\n$/)
    })

    it('keeps a message on one line', () => {
      log.warn('a\nb\r\nc')
      assert.match(lines[0], / WARN marekvs: a b c\n$/)
    })

    it('filters by level', () => {
      log.setLevel('warn')
      log.error('e'); log.warn('w'); log.info('i'); log.debug('d'); log.trace('t')
      assert.deepEqual(lines.map((l) => l.split('marekvs: ')[1]), ['e\n', 'w\n'])
      assert.equal(log.level, 'warn')
      assert.equal(log.threshold, Level.warn)
      assert.ok(log.enabled('warn'))
      assert.ok(!log.enabled('info'))
      log.setLevel('off')
      log.error('e')
      assert.equal(lines.length, 2)
      log.setLevel('trace')
      log.trace('t')
      assert.match(lines[2], /Z TRACE marekvs: t\n$/)
    })

    it('refuses an unknown level', () => {
      assert.throws(() => log.setLevel('loud' as LogLevel), TypeError)
    })
  })
})
