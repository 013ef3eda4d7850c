// Node's network floor: the tightest RESP server we know how to write on Node's sockets (a Map,
// no persistence, parsing by offsets, one write per read). Whatever marekvs does per request
// comes on top of what this costs, so its ratio to Redis bounds marekvs's on this machine.
// Usage: node dist/bench/node-floor.js <port>, then redis-benchmark -p <port> -t set,get ...
import net from 'node:net'

const OK = Buffer.from('+OK\r\n')
const NIL = Buffer.from('$-1\r\n')
const CRLF = Buffer.from('\r\n')

/** One command's arguments from `buf` at `at`, and where the next starts; null when incomplete. */
function parseCommand(buf: Buffer, at: number): { args: Buffer[]; next: number } | null {
  let lineEnd = buf.indexOf(10, at)
  if (lineEnd < 0) return null
  const count = Number(buf.toString('latin1', at + 1, lineEnd - 1))
  let offset = lineEnd + 1
  const args: Buffer[] = []
  for (let i = 0; i < count; i++) {
    lineEnd = buf.indexOf(10, offset)
    if (lineEnd < 0) return null
    const length = Number(buf.toString('latin1', offset + 1, lineEnd - 1))
    offset = lineEnd + 1
    if (offset + length + 2 > buf.length) return null
    args.push(buf.subarray(offset, offset + length))
    offset += length + 2
  }
  return { args, next: offset }
}

function serve(port: number): void {
  const values = new Map<string, Buffer>()
  const reply = (args: Buffer[]): Buffer[] => {
    const name = args[0].toString('latin1').toUpperCase()
    if (name === 'SET') {
      values.set(args[1].toString('latin1'), Buffer.from(args[2]))
      return [OK]
    }
    if (name === 'GET') {
      const value = values.get(args[1].toString('latin1'))
      return value === undefined ? [NIL] : [Buffer.from(`$${value.length}\r\n`), value, CRLF]
    }
    return [OK]
  }
  net.createServer({ noDelay: true }, (socket) => {
    let pending: Buffer | null = null
    socket.on('data', (chunk: Buffer) => {
      const buf = pending === null ? chunk : Buffer.concat([pending, chunk])
      pending = null
      const out: Buffer[] = []
      let at = 0
      while (at < buf.length) {
        const command = parseCommand(buf, at)
        if (command === null) {
          pending = buf.subarray(at)
          break
        }
        out.push(...reply(command.args))
        at = command.next
      }
      if (out.length > 0) socket.write(out.length === 1 ? out[0] : Buffer.concat(out))
    })
    socket.on('error', () => socket.destroy())
  }).listen(port, '127.0.0.1')
}

serve(Number(process.argv[2] ?? 6390))
