// The timeout argument of blocking commands, as Redis 7.0's getTimeoutFromObjectOrReply.
import { error, ErrorReply } from '../core/reply'

const LLONG_MAX = 2 ** 63
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const INFINITE = /^[+-]?inf(inity)?$/i

/** Seconds (BLPOP, BZPOPMIN...) to whole ms rounded up; 0 blocks forever. */
export function parseTimeoutSeconds(arg: Buffer): number | ErrorReply {
  const text = arg.toString('latin1')
  if (!DECIMAL.test(text) && !INFINITE.test(text)) return error('ERR timeout is not a float or out of range')
  const ms = Math.ceil(/inf/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text) * 1000)
  // Redis 7.0 casts to long long: anything past its range (inf included) comes out negative.
  if (ms < 0 || ms >= LLONG_MAX) return error('ERR timeout is negative')
  return ms
}

/** Milliseconds (XREAD BLOCK): an integer. */
export function parseTimeoutMs(arg: Buffer): number | ErrorReply {
  const text = arg.toString('latin1')
  if (!/^-?\d{1,19}$/.test(text) || BigInt(text) >= 2n ** 63n) return error('ERR timeout is not an integer or out of range')
  const ms = Number(text)
  if (ms < 0) return error('ERR timeout is negative')
  return ms
}
