// WRONGTYPE from the bitmap and HyperLogLog commands on a key of another type: not reachable
// over the network until hashes or lists exist, so checked here on a fake writer.
import assert from 'node:assert/strict'
import { dataCommands } from '../../lib/commands/data-table'
import type { Reply } from '../../lib/core/reply'
import type { ExecContext } from '../../lib/engine/exec-context'
import { TYPE_STRING } from '../../lib/storage/layout'
import type { Rec } from '../../lib/storage/record'

describe('bitmaps and HyperLogLog: WRONGTYPE on a key of another type', () => {
  // 'h' holds a type no string command accepts; 's' a plain string.
  function run(...args: string[]): { reply: Reply; writes: string[]; store: Map<string, Rec> } {
    const store = new Map<string, Rec>([
      ['h', { type: 0x30, expireAtMs: 0, payload: Buffer.from('x') }],
      ['s', { type: TYPE_STRING, expireAtMs: 0, payload: Buffer.from('ab') }],
    ])
    const writes: string[] = []
    const ctx = {
      nowMs: 1_000_000, origin: 1,
      get: (key: Buffer) => store.get(key.toString()) ?? null,
      put: (key: Buffer, rec: Rec) => { writes.push(key.toString()); store.set(key.toString(), rec) },
      delete: (key: Buffer) => { writes.push(key.toString()); return store.delete(key.toString()) },
    } as unknown as ExecContext
    const reply = dataCommands.get(args[0])!.run(ctx, args.map((a) => Buffer.from(a)))
    return { reply, writes, store }
  }
  const wrongType = { t: 'error', v: 'WRONGTYPE Operation against a key holding the wrong kind of value' }

  for (const argv of [
    ['setbit', 'h', '1', '1'], ['getbit', 'h', '1'], ['bitcount', 'h'], ['bitcount', 'h', '0', '1', 'BIT'], ['bitpos', 'h', '1'],
    ['bitpos', 'h', '0', '1', '2'], ['bitop', 'AND', 'd', 's', 'h'], ['bitop', 'NOT', 'd', 'h'], ['bitfield', 'h', 'GET', 'u8', '0'],
    ['bitfield', 'h', 'SET', 'u8', '0', '1'], ['bitfield', 'h'], ['bitfield_ro', 'h', 'GET', 'u8', '0'],
    ['pfadd', 'h', 'a'], ['pfadd', 'h'], ['pfcount', 'h'], ['pfcount', 'nope', 'h'], ['pfmerge', 'd', 'h'], ['pfmerge', 'h', 'nope'],
  ]) {
    it(argv.join(' '), () => {
      const { reply, writes } = run(...argv)
      assert.deepEqual(reply, wrongType)
      assert.deepEqual(writes, [])
    })
  }

  it('argument errors come before the type check where Redis checks them first', () => {
    assert.deepEqual(run('setbit', 'h', 'x', '1').reply, { t: 'error', v: 'ERR bit offset is not an integer or out of range' })
    assert.deepEqual(run('bitpos', 'h', '2').reply, { t: 'error', v: 'ERR The bit argument must be 1 or 0.' })
    assert.deepEqual(run('bitfield', 'h', 'GET', 'u64', '0').reply, { t: 'error', v: 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.' })
    assert.deepEqual(run('bitop', 'FOO', 'd', 'h').reply, { t: 'error', v: 'ERR syntax error' })
  })

  it('BITOP overwrites a destination of another type, or deletes it', () => {
    const written = run('bitop', 'OR', 'h', 's')
    assert.equal(written.reply, 2)
    assert.equal(written.store.get('h')!.type, TYPE_STRING)
    const deleted = run('bitop', 'AND', 'h', 'nope')
    assert.equal(deleted.reply, 0)
    assert.equal(deleted.store.has('h'), false)
  })
})
