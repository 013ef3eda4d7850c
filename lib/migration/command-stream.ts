// The upstream's command stream: RESP arrays of bulk strings, as a master writes them to a
// replica. Pure: bytes in, commands with their byte sizes out (the replication offset counts
// every byte of every command).

export class StreamProtocolError extends Error {}

export interface StreamCommand {
  argv: Buffer[]
  /** Bytes this command took on the wire. */
  bytes: number
}

/** Arguments in one command: Redis's own multibulk limit (1024*1024*1024) is more than a master ever sends; this bounds the array we allocate. */
const ARGS_MAX = 1024 * 1024
/** A bulk string's limit: Redis's proto-max-bulk-len default. */
const BULK_BYTES_MAX = 512 * 1024 * 1024

function readNumber(buf: Buffer, at: number, prefix: number, what: string): { value: number; end: number } | null {
  if (at >= buf.length) return null
  if (buf[at] !== prefix) throw new StreamProtocolError(`expected ${what}, got byte 0x${buf[at].toString(16)}`)
  const eol = buf.indexOf('\r\n', at + 1)
  if (eol < 0) {
    if (buf.length - at > 32) throw new StreamProtocolError(`${what} header too long`)
    return null
  }
  const text = buf.toString('latin1', at + 1, eol)
  if (!/^-?[0-9]+$/.test(text)) throw new StreamProtocolError(`${what} header '${text}' is not a number`)
  return { value: Number(text), end: eol + 2 }
}

/** The complete commands at the start of `buf`, and how many bytes they took; a partial one is left for later. */
export function parseCommands(buf: Buffer): { commands: StreamCommand[]; consumed: number } {
  const commands: StreamCommand[] = []
  let at = 0
  outer: while (at < buf.length) {
    const head = readNumber(buf, at, 0x2a /* * */, 'a command array')
    if (head === null) break
    if (head.value < 1 || head.value > ARGS_MAX) throw new StreamProtocolError(`command array of ${head.value} arguments`)
    const argv: Buffer[] = []
    let pos = head.end
    for (let i = 0; i < head.value; i++) {
      const bulk = readNumber(buf, pos, 0x24 /* $ */, 'a bulk string')
      if (bulk === null) break outer
      if (bulk.value < 0 || bulk.value > BULK_BYTES_MAX) throw new StreamProtocolError(`bulk string of ${bulk.value} bytes`)
      if (bulk.end + bulk.value + 2 > buf.length) break outer
      if (buf[bulk.end + bulk.value] !== 0x0d || buf[bulk.end + bulk.value + 1] !== 0x0a) throw new StreamProtocolError('bulk string not followed by CRLF')
      argv.push(buf.subarray(bulk.end, bulk.end + bulk.value))
      pos = bulk.end + bulk.value + 2
    }
    commands.push({ argv, bytes: pos - at })
    at = pos
  }
  return { commands, consumed: at }
}

/** A command as RESP, for what the replica sends (REPLCONF ACK...). */
export function encodeCommand(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** What the replica does with one command of the stream. */
export type StreamAction =
  /** PING and REPLCONF other than GETACK: link upkeep, nothing to apply. */
  | { kind: 'ignore' }
  /** REPLCONF GETACK: answer REPLCONF ACK <offset> now. */
  | { kind: 'getack' }
  /** SELECT: later commands belong to that database. */
  | { kind: 'select'; db: number }
  /** Run it; MULTI opens a transaction, EXEC and DISCARD close it (the offset moves on at the close). */
  | { kind: 'apply'; transaction: 'open' | 'close' | null }

export function classify(argv: Buffer[]): StreamAction {
  const name = argv[0].toString('latin1').toLowerCase()
  switch (name) {
    case 'ping': return { kind: 'ignore' }
    case 'replconf': return argv.length >= 2 && argv[1].toString('latin1').toLowerCase() === 'getack' ? { kind: 'getack' } : { kind: 'ignore' }
    case 'select': {
      const db = argv.length === 2 ? Number(argv[1].toString('latin1')) : NaN
      if (!Number.isInteger(db) || db < 0) throw new StreamProtocolError(`SELECT with a bad database index '${argv[1]?.toString('latin1')}'`)
      return { kind: 'select', db }
    }
    case 'multi': return { kind: 'apply', transaction: 'open' }
    case 'exec':
    case 'discard': return { kind: 'apply', transaction: 'close' }
    default: return { kind: 'apply', transaction: null }
  }
}
