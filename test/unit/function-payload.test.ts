// FUNCTION DUMP / RESTORE payloads (Redis 7.0's format): the checksum, RDB lengths and strings
// (LZF included), and malformed payloads refused with Redis's errors, never a throw.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { error } from '../../lib/core/reply'
import { crc64, decodeFunctionPayload, encodeFunctionPayload } from '../../lib/commands/function-payload'

/** A payload around raw records, with the footer Redis 7.0 writes. */
function payloadOf(records: number[]): Buffer {
  const body = Buffer.from([...records, 10, 0])
  return Buffer.concat([body, crc64(body)])
}

describe('function payloads', () => {
  it("computes Redis's CRC64 (Jones)", () => {
    assert.equal(Buffer.from(crc64(Buffer.from('123456789'))).reverse().toString('hex'), 'e9c6d914c4b8d9ca')
  })

  it('round-trips codes of every RDB length width', () => {
    const codes = [0, 1, 63, 64, 16383, 16384, 100000].map((n) => Buffer.alloc(n, 'x'))
    assert.deepEqual(decodeFunctionPayload(encodeFunctionPayload(codes)), codes)
    assert.deepEqual(decodeFunctionPayload(encodeFunctionPayload([])), [])
  })

  it('reads integer-encoded and LZF-compressed strings, and the release candidates\' records', () => {
    assert.deepEqual(decodeFunctionPayload(payloadOf([245, 0xc1, 0x39, 0x30])), [Buffer.from('12345')])
    // Literal "abc", then 6 bytes copied from 3 back (overlapping): "abcabcabc".
    assert.deepEqual(decodeFunctionPayload(payloadOf([245, 0xc3, 6, 9, 0x02, 0x61, 0x62, 0x63, 0x80, 0x02])), [Buffer.from('abcabcabc')])
    assert.deepEqual(decodeFunctionPayload(payloadOf([246, 1, 0x61, 3, 0x4c, 0x55, 0x41, 0, 1, 0x66])), [Buffer.from('#!LUA name=a\nf')])
  })

  it("refuses malformed payloads with Redis's errors", () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('short'), 'ERR DUMP payload version or checksum are wrong'],
      [Buffer.concat([payloadOf([]).subarray(0, 9), Buffer.from([0])]), 'ERR DUMP payload version or checksum are wrong'],
      [(() => { const b = Buffer.from([11, 0]); return Buffer.concat([b, crc64(b)]) })(), 'ERR DUMP payload version or checksum are wrong'],
      [payloadOf([0, 1, 97]), 'ERR given type is not a function'],
      [payloadOf([245, 60, 97]), 'ERR Failed loading library payload'],
      [payloadOf([245, 0x82, 97]), 'ERR Failed loading library payload'],
      [payloadOf([245, 0xc5, 5]), 'ERR Failed loading library payload'],
      [payloadOf([245, 0xc3, 3, 10, 1, 2, 3]), 'ERR Failed loading library payload'],
      [payloadOf([246, 60]), 'ERR Failed loading library name'],
      [payloadOf([246, 1, 97, 3, 76, 85, 65, 1, 60]), 'ERR Failed loading library description'],
    ]
    for (const [payload, message] of cases) assert.deepEqual(decodeFunctionPayload(payload), error(message), payload.toString('hex'))
  })

  it('never throws, whatever the bytes (checksums made right)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const decoded = decodeFunctionPayload(payloadOf([...bytes]))
      assert.ok(Array.isArray(decoded) || decoded.t === 'error')
    }), { numRuns: 2000 })
  })
})
