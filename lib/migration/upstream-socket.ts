// The socket to the upstream Redis, read the way the replication protocol needs it: whole
// lines during the handshake, raw bytes for the RDB and the command stream. Reading pauses
// once UNREAD_BYTES_MAX are waiting (while an RDB loads, the upstream keeps its own buffer).
import net from 'node:net'

/** Bytes received but not yet taken before the socket pauses: bounds memory while the node is busy loading. */
const UNREAD_BYTES_MAX = 16 * 1024 * 1024
/** A handshake line longer than this is not Redis talking. */
const LINE_BYTES_MAX = 64 * 1024

export class UpstreamSocket {
  private unread: Buffer[] = []
  private unreadBytes = 0
  private wake: (() => void) | null = null
  private failure: Error | null = null
  /** Called with each received chunk's size (INFO master_last_io_seconds_ago, sync progress). */
  onBytes: (bytes: number) => void = () => {}

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.unread.push(chunk)
      this.unreadBytes += chunk.length
      this.onBytes(chunk.length)
      if (this.unreadBytes >= UNREAD_BYTES_MAX) socket.pause()
      this.notify()
    })
    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => this.fail(new Error('connection closed by the upstream')))
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<UpstreamSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port })
      const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs)
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        socket.setNoDelay(true)
        resolve(new UpstreamSocket(socket))
      })
    })
  }

  write(bytes: Buffer | string): void {
    if (!this.socket.destroyed) this.socket.write(bytes)
  }

  /** Drop the connection after `timeoutMs` without a byte from the upstream (Redis's repl-timeout). */
  setIdleTimeout(timeoutMs: number): void {
    this.socket.setTimeout(timeoutMs, () => this.socket.destroy(new Error(`no data from the upstream for ${timeoutMs} ms`)))
  }

  close(): void {
    this.socket.destroy()
  }

  /** The next line, without its CR LF (or lone LF: the upstream's keepalive newlines). */
  async line(): Promise<string> {
    for (;;) {
      const all = this.peekAll()
      const eol = all.indexOf(0x0a)
      if (eol >= 0) {
        this.put(all.subarray(eol + 1))
        return all.toString('latin1', 0, eol > 0 && all[eol - 1] === 0x0d ? eol - 1 : eol)
      }
      if (all.length > LINE_BYTES_MAX) throw new Error('the upstream sent a line longer than 64 KiB')
      this.put(all)
      await this.more()
    }
  }

  /** Whatever has arrived (at least one byte), at most `maxBytes`. */
  async some(maxBytes = Infinity): Promise<Buffer> {
    while (this.unreadBytes === 0) await this.more()
    const all = this.peekAll()
    if (all.length <= maxBytes) return all
    this.put(all.subarray(maxBytes))
    return all.subarray(0, maxBytes)
  }

  /** Give back bytes taken too early: they are read again first. */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return
    this.unread.unshift(bytes)
    this.unreadBytes += bytes.length
  }

  /** Everything unread, as one Buffer, removed from the queue. */
  private peekAll(): Buffer {
    const all = this.unread.length === 1 ? this.unread[0] : Buffer.concat(this.unread)
    this.unread = []
    this.unreadBytes = 0
    if (this.socket.isPaused()) this.socket.resume()
    return all
  }

  private put(rest: Buffer): void {
    if (rest.length > 0) this.unshift(rest)
  }

  private more(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise((resolve) => { this.wake = resolve })
  }

  private notify(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }

  private fail(err: Error): void {
    this.failure ??= err
    this.notify()
  }
}
