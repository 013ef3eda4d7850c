// Reply values in the shapes ioredis gives them: strings (or Buffers), numbers (BigInt past
// 2^53), null, arrays; status replies as their text; error replies thrown as ReplyError.
import type { Reply } from '../core/reply'

/** An error reply from the engine, with Redis's message (e.g. `WRONGTYPE Operation against...`). */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReplyError'
  }
}

export type Value = string | Buffer | number | bigint | boolean | null | Value[] | ReplyError

/** Shape one reply. Nested error replies (inside arrays) are returned as ReplyError values, as ioredis does. */
export function shape(reply: Reply, asBuffers: boolean): Value {
  if (reply === null) return null
  if (typeof reply === 'number' || typeof reply === 'bigint') return reply
  if (typeof reply === 'string') return asBuffers ? Buffer.from(reply) : reply
  if ((reply as unknown) instanceof Uint8Array) {
    // Replies from shard workers arrive as Uint8Array (structured clone drops the Buffer class).
    const u8 = reply as unknown as Uint8Array
    const bytes = Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)
    return asBuffers ? bytes : bytes.toString()
  }
  if (Array.isArray(reply)) return reply.map((item) => shape(item, asBuffers))
  const tagged = reply as Exclude<Reply, Buffer | string | number | bigint | null | Reply[]>
  switch (tagged.t) {
    case 'status':
    case 'verbatim':
    case 'bignum':
      return asBuffers ? Buffer.from(tagged.v) : tagged.v
    case 'error':
      return new ReplyError(tagged.v)
    case 'double':
      return asBuffers ? Buffer.from(String(tagged.v)) : String(tagged.v)
    case 'bool':
      return tagged.v ? 1 : 0
    case 'nilarray':
      return null
    case 'map':
    case 'set':
    case 'push':
    case 'pairs':
    case 'several':
      return tagged.v.map((item) => shape(item, asBuffers))
  }
}
