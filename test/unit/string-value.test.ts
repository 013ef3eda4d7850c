import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesOf, Counter, counterValue, decodeCounter, encodeCounter, increment, incrementCounter, incrementOwn, isStringType, stringRec } from '../../lib/commands/string-value'
import { dataCommands } from '../../lib/commands/data-table'
import type { Reply } from '../../lib/core/reply'
import type { ExecContext } from '../../lib/engine/exec-context'
import { TYPE_COUNTER, TYPE_STRING } from '../../lib/storage/layout'
import type { Rec } from '../../lib/storage/record'

describe('string values', () => {
  it('counters round-trip and read as their decimal sum', () => {
    const counter = { base: -5n, totals: new Map([[1, 10n], [7, -(2n ** 40n)], [65535, 2n ** 62n]]) }
    const decoded = decodeCounter(encodeCounter(counter))
    assert.deepEqual(decoded, counter)
    assert.equal(counterValue(decoded), -5n + 10n - 2n ** 40n + 2n ** 62n)
    const rec = { type: TYPE_COUNTER, expireAtMs: 0, payload: encodeCounter(counter) }
    assert.equal(bytesOf(rec).toString(), String(counterValue(counter)))
    assert.equal(bytesOf({ type: TYPE_COUNTER, expireAtMs: 0, payload: encodeCounter({ base: 0n, totals: new Map() }) }).toString(), '0')
  })

  it('plain strings are their bytes, and both kinds are strings', () => {
    const value = Buffer.from([0, 13, 10, 255])
    const rec = stringRec(value, 123)
    assert.equal(rec.type, TYPE_STRING)
    assert.equal(rec.expireAtMs, 123)
    assert.equal(bytesOf(rec), value)
    assert.equal(isStringType(rec), true)
    assert.equal(isStringType({ type: TYPE_COUNTER, expireAtMs: 0, payload: Buffer.alloc(8) }), true)
    assert.equal(isStringType({ type: 0x30, expireAtMs: 0, payload: Buffer.alloc(0) }), false)
  })
})

describe('WRONGTYPE on a key of another type (not reachable over the network until hashes exist)', () => {
  // A fake writer: one key 'h' holding a record of a type no string command accepts.
  const OTHER = { type: 0x30, expireAtMs: 0, payload: Buffer.from('x') }
  function fakeCtx(): { ctx: ExecContext; writes: string[] } {
    const store = new Map<string, Rec>([['h', OTHER]])
    const writes: string[] = []
    const ctx = {
      nowMs: 1_000_000, origin: 1,
      get: (key: Buffer) => store.get(key.toString()) ?? null,
      put: (key: Buffer, rec: Rec) => { writes.push(key.toString()); store.set(key.toString(), rec) },
      delete: (key: Buffer) => { writes.push(key.toString()); return store.delete(key.toString()) },
    } as unknown as ExecContext
    return { ctx, writes }
  }
  const wrongType = 'WRONGTYPE Operation against a key holding the wrong kind of value'
  const run = (...args: string[]): { reply: Reply; writes: string[] } => {
    const { ctx, writes } = fakeCtx()
    const command = dataCommands.get(args[0])!
    return { reply: command.run(ctx, args.map((a) => Buffer.from(a))), writes }
  }

  for (const argv of [
    ['get', 'h'], ['getdel', 'h'], ['getex', 'h', 'EX', '10'], ['getset', 'h', 'v'], ['set', 'h', 'v', 'GET'], ['append', 'h', 'v'],
    ['strlen', 'h'], ['getrange', 'h', '0', '1'], ['setrange', 'h', '0', 'v'], ['incr', 'h'], ['decrby', 'h', '2'], ['incrbyfloat', 'h', '1.5'],
  ]) {
    it(argv.join(' '), () => {
      const { reply, writes } = run(...argv)
      assert.deepEqual(reply, { t: 'error', v: wrongType })
      assert.deepEqual(writes, [])
    })
  }

  it('LCS has its own message; MGET answers nil; SET and TTL commands ignore the type', () => {
    assert.deepEqual(run('lcs', 'h', 'x').reply, { t: 'error', v: 'ERR The specified keys must contain string values' })
    assert.deepEqual(run('mget', 'h', 'x').reply, [null, null])
    assert.deepEqual(run('set', 'h', 'v').reply, { t: 'status', v: 'OK' })
    assert.equal(run('expire', 'h', '10').reply, 1)
    assert.equal(run('exists', 'h').reply, 1)
    assert.equal(run('del', 'h').reply, 1)
  })

  it("incrementOwn gives the general path's payload and value, or leaves the case to it; increment is the general path", () => {
    const INT64_MIN = -(2n ** 63n)
    const INT64_MAX = 2n ** 63n - 1n
    const SAFE = BigInt(Number.MAX_SAFE_INTEGER)
    // Values around the edges that matter: ±2^53 (a Number's exact range), ±2^63 (i64's).
    const edge = fc.oneof(fc.bigInt(-1000n, 1000n), fc.bigInt(SAFE - 1000n, SAFE + 1000n), fc.bigInt(-SAFE - 1000n, -SAFE + 1000n), fc.bigInt(INT64_MIN, INT64_MAX))
    const counter = fc.record({ base: edge, origins: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), totals: fc.array(edge, { minLength: 2, maxLength: 2 }) })
    fc.assert(fc.property(fc.option(counter), fc.integer({ min: 0, max: 3 }), edge, (shape, origin, delta) => {
      const general: Counter = { base: shape?.base ?? 0n, totals: new Map(shape?.origins.map((o, i) => [o, shape.totals[i]])) }
      const payload = shape === null ? null : encodeCounter(general)
      // increment, fast path or not, is the BigInt path.
      const either = increment(payload, origin, delta)
      const slow = incrementCounter(payload === null ? { base: 0n, totals: new Map() } : decodeCounter(payload), origin, delta)
      assert.deepEqual(either && { payload: either.payload, value: BigInt(either.value) }, slow && { payload: slow.payload, value: BigInt(slow.value) })
      const fast = incrementOwn(payload, origin, Number(delta))
      const value = counterValue(general) + delta
      const total = (general.totals.get(origin) ?? 0n) + delta
      if (value > INT64_MAX || value < INT64_MIN || total > INT64_MAX || total < INT64_MIN) return fast === null
      if (fast === null) return true
      general.totals.set(origin, total)
      assert.deepEqual(fast.payload, encodeCounter(general))
      assert.equal(BigInt(fast.value), value)
      return true
    }), { numRuns: 5000 })
    // It does take the common cases: a new counter, and one this origin alone increments.
    assert.equal(incrementOwn(null, 1, 1)?.value, 1)
    assert.equal(incrementOwn(encodeCounter({ base: 10n, totals: new Map([[1, 5n]]) }), 1, -20)?.value, -5)
    assert.equal(incrementOwn(encodeCounter({ base: 10n, totals: new Map([[2, 5n]]) }), 1, 1), null)
  })
})
