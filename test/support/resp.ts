// A strict RESP2/RESP3 reply decoder for tests: keeps every reply's exact type, so a
// differential test can tell a status from a bulk string, or RESP2 nil from RESP3 null.
import net from 'node:net'

export type Decoded =
  | { type: 'status' | 'error' | 'bulk' | 'verbatim' | 'bignum'; value: string }
  | { type: 'int'; value: bigint }
  | { type: 'double'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' | 'nilarray' | 'null' }
  | { type: 'array' | 'set' | 'push' | 'map'; value: Decoded[] }

/** Decode one reply at `at`; null when the buffer does not hold a whole reply yet. */
export function decodeReply(buf: Buffer, at = 0): { reply: Decoded; end: number } | null {
  const eol = buf.indexOf('\r\n', at)
  if (eol < 0) return null
  const kind = String.fromCharCode(buf[at])
  const line = buf.toString('latin1', at + 1, eol)
  const next = eol + 2
  switch (kind) {
    case '+': return { reply: { type: 'status', value: line }, end: next }
    case '-': return { reply: { type: 'error', value: line }, end: next }
    case ':': return { reply: { type: 'int', value: BigInt(line) }, end: next }
    case ',': return { reply: { type: 'double', value: line }, end: next }
    case '(': return { reply: { type: 'bignum', value: line }, end: next }
    case '#': return { reply: { type: 'bool', value: line === 't' }, end: next }
    case '_': return { reply: { type: 'null' }, end: next }
    case '$':
    case '=': {
      const length = Number(line)
      if (length < 0) return { reply: { type: 'nil' }, end: next }
      if (buf.length < next + length + 2) return null
      const value = buf.toString('latin1', next, next + length)
      return { reply: { type: kind === '$' ? 'bulk' : 'verbatim', value }, end: next + length + 2 }
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const count = Number(line)
      if (count < 0) return { reply: { type: 'nilarray' }, end: next }
      const items: Decoded[] = []
      let end = next
      for (let i = 0; i < (kind === '%' ? 2 * count : count); i++) {
        const item = decodeReply(buf, end)
        if (item === null) return null
        items.push(item.reply)
        end = item.end
      }
      const type = kind === '*' ? 'array' : kind === '~' ? 'set' : kind === '>' ? 'push' : 'map'
      return { reply: { type, value: items }, end }
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString('latin1', at, Math.min(buf.length, at + 40)))}`)
  }
}

export function encodeCommand(argv: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)]
  for (const arg of argv) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(arg)
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** A raw RESP client: send bytes, await decoded replies one at a time. */
export class RawClient {
  private buffer = Buffer.alloc(0)
  private waiters: Array<() => void> = []
  private closed = false

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => {})
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  send(argv: ReadonlyArray<string | Buffer>): void {
    this.socket.write(encodeCommand(argv))
  }

  sendRaw(bytes: Buffer | string): void {
    this.socket.write(bytes)
  }

  async call(...argv: Array<string | Buffer>): Promise<Decoded> {
    this.send(argv)
    return this.read()
  }

  /** The next reply; rejects if the connection closes first or nothing arrives in time. */
  async read(timeoutMs = 10000): Promise<Decoded> {
    const reply = await this.tryRead(timeoutMs)
    if (reply !== null) return reply
    throw new Error(this.closed ? 'connection closed' : 'no reply in time')
  }

  /** The next reply, or null when nothing more arrives in time or the connection closes (pub/sub pushes). */
  async tryRead(timeoutMs: number): Promise<Decoded | null> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const decoded = decodeReply(this.buffer)
      if (decoded !== null) {
        this.buffer = this.buffer.subarray(decoded.end)
        return decoded.reply
      }
      const left = deadline - Date.now()
      if (this.closed || left <= 0) return null
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Resolves when the server closes the connection. */
  async closedByServer(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    return this.closed
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}

/** Walk `command key cursor COUNT count` (HSCAN, SSCAN, ZSCAN) to cursor 0: every item returned, and the calls it took. */
export async function scanToEnd(client: RawClient, command: string, key: string, count = 37): Promise<{ items: string[]; calls: number; cursor: string }> {
  const items: string[] = []
  let cursor = '0'
  let calls = 0
  do {
    const reply = await client.call(command, key, cursor, 'COUNT', String(count)) as { value: Array<{ value: unknown }> }
    cursor = String(reply.value[0].value)
    for (const item of reply.value[1].value as Array<{ value: string }>) items.push(item.value)
    calls++
  } while (cursor !== '0' && calls < 1000)
  return { items, calls, cursor }
}
