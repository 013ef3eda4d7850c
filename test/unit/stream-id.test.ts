import assert from 'node:assert/strict'
import { compareIds, decodeId, decrId, encodeId, formatId, incrId, MAX_ID, nextAutoId, parseId, parseRangeId, parseU64, U64_MAX, ZERO_ID } from '../../lib/commands/stream-id'

const b = (text: string): Buffer => Buffer.from(text, 'latin1')
const id = (ms: bigint, seq: bigint) => ({ ms, seq })

describe('stream IDs', () => {
  it('parse numbers as string2ull: strict int64 first, then strtoull quirks', () => {
    assert.equal(parseU64(b('0')), 0n)
    assert.equal(parseU64(b('-1')), null)
    assert.equal(parseU64(b('-0')), 0n)
    assert.equal(parseU64(b('-05')), U64_MAX - 4n)
    assert.equal(parseU64(b(' +007')), 7n)
    assert.equal(parseU64(b('18446744073709551615')), U64_MAX)
    assert.equal(parseU64(b('18446744073709551616')), null)
    assert.equal(parseU64(b('')), null)
    assert.equal(parseU64(b('1 ')), null)
  })

  it('parse IDs: -, +, <ms>, <ms>-<seq>, <ms>-* only for XADD, strict forms, exclusive ranges', () => {
    assert.deepEqual(parseId(b('-'), 0n, false)?.id, ZERO_ID)
    assert.deepEqual(parseId(b('+'), 0n, false)?.id, MAX_ID)
    assert.equal(parseId(b('+'), 0n, true), null)
    assert.deepEqual(parseId(b('5'), U64_MAX, false)?.id, id(5n, U64_MAX))
    assert.deepEqual(parseId(b('5-3'), 0n, true), { id: id(5n, 3n), seqGiven: true })
    assert.deepEqual(parseId(b('5-*'), 0n, true, true), { id: id(5n, 0n), seqGiven: false })
    assert.equal(parseId(b('5-*'), 0n, true), null)
    assert.equal(parseId(b('5-'), 0n, true), null)
    assert.equal(parseId(b('5-1-1'), 0n, true), null)
    assert.equal(parseId(b('x'.repeat(128)), 0n, true), null)
    assert.deepEqual(parseRangeId(b('(5'), 0n), { id: id(5n, 0n), exclusive: true })
    assert.equal(parseRangeId(b('(-'), 0n), null)
    assert.deepEqual(parseRangeId(b('('), 0n), null)
  })

  it('step, order, format and encode', () => {
    assert.deepEqual(incrId(id(1n, U64_MAX)), id(2n, 0n))
    assert.equal(incrId(MAX_ID), null)
    assert.deepEqual(decrId(id(2n, 0n)), id(1n, U64_MAX))
    assert.equal(decrId(ZERO_ID), null)
    assert.equal(compareIds(id(1n, 5n), id(2n, 0n)), -1)
    assert.equal(formatId(id(7n, 8n)), '7-8')
    const bytes = [id(0n, 1n), id(1n, 0n), id(256n, 3n), MAX_ID].map((x) => encodeId(x))
    for (let i = 1; i < bytes.length; i++) assert.ok(Buffer.compare(bytes[i - 1], bytes[i]) < 0)
    assert.deepEqual(decodeId(encodeId(id(123n, 456n))), id(123n, 456n))
  })

  it('auto IDs: the clock, or the next sequence when the clock has not passed the last ID', () => {
    assert.deepEqual(nextAutoId(ZERO_ID, 1000), id(1000n, 0n))
    assert.deepEqual(nextAutoId(id(1000n, 4n), 1000), id(1000n, 5n))
    assert.deepEqual(nextAutoId(id(2000n, 4n), 1000), id(2000n, 5n))
    assert.equal(nextAutoId(MAX_ID, 1000), null)
  })
})
