// MONITOR lines, formatted as Redis formats them:
//   +1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"
import { status, StatusReply } from '../core/reply'
import type { Session } from './session'

/** Redis's sdscatrepr: printable bytes as is, the usual escapes, anything else as \xHH. */
export function quoteArg(arg: Buffer): string {
  let out = '"'
  for (const byte of arg) {
    switch (byte) {
      case 0x5c: out += '\\\\'; break
      case 0x22: out += '\\"'; break
      case 0x0a: out += '\\n'; break
      case 0x0d: out += '\\r'; break
      case 0x09: out += '\\t'; break
      case 0x07: out += '\\a'; break
      case 0x08: out += '\\b'; break
      default:
        out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`
    }
  }
  return out + '"'
}

export function monitorLine(session: Session, argv: Buffer[], nowMs: number = Date.now()): StatusReply {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1_000_000
  const seconds = Math.floor(nowMs / 1000)
  const where = session.addr === '' ? 'lua' : session.addr
  return status(`${seconds}.${String(micros).padStart(6, '0')} [0 ${where}] ${argv.map(quoteArg).join(' ')}`)
}
