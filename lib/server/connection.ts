// One client connection: parse with the native parser, dispatch every command, write the
// replies back in request order (pipelining), corked per turn.
import type { Socket } from 'node:net'
import { encodeReply, RequestParser } from '../native'
import type { Reply } from '../core/reply'
import { error } from '../core/reply'
import { log } from '../log'
import { adoptAccepted } from './client-socket'
import type { Dispatcher } from './dispatch'
import type { Session } from './session'

/** Stop reading a client whose unread replies exceed this: a client that pipelines without reading waits. */
const OUTPUT_PAUSE_BYTES = 4 * 1024 * 1024
/** Disconnect a client whose output buffer still grows past this (Redis's output-buffer hard limit). */
const OUTPUT_HARD_LIMIT_BYTES = 512 * 1024 * 1024
/** Redis's client-query-buffer-limit. */
const QUERY_BUFFER_LIMIT_BYTES = 1024 * 1024 * 1024
/**
 * Commands of one connection running at once. Past it, parsed commands wait in the backlog and
 * the socket is not read: a client that pipelines without reading its replies holds at most
 * this many replies' worth of work, and a closed connection leaves little behind.
 */
const INFLIGHT_MAX = 1024

const EMPTY = Buffer.alloc(0)
/** Small replies of one flush are copied into one buffer (cheaper in Node than a writev of many chunks); large ones are not copied. */
const CONCAT_MAX_BYTES = 64 * 1024

/**
 * Connections with replies to write once the running batch has handed out all of its replies.
 * One tick flushes them all, once the code that completed them returns (a batch's delivery, or
 * every promise callback of a microtask checkpoint: ticks wait for the microtask queue to
 * drain). process.nextTick costs one object; queueMicrotask cost an AsyncResource, a bound
 * function and a closure per call.
 */
const toFlush: Connection[] = []

function flushQueued(): void {
  // A flush may dispatch commands that answer at once and queue more connections: the loop takes them too.
  while (toFlush.length > 0) {
    for (const connection of toFlush.splice(0)) {
      try {
        connection.flushQueuedReplies()
      } catch (err) {
        // One connection's failure must not leave the others' replies unwritten.
        log.error('flushing replies failed', { id: connection.id, error: (err as Error).stack })
      }
    }
  }
}

export interface ConnectionHooks {
  onClose(connection: Connection): void
  statsBytes(input: number, output: number): void
}

export class Connection implements Session {
  readonly createdMs = Date.now()
  name: string | null = null
  proto: 2 | 3 = 2
  authenticated: boolean
  lastCommand = 'NULL'
  lastActiveMs = this.createdMs
  monitoring = false
  multi: Session['multi'] = null
  watches: Session['watches'] = null
  readonly addr: string
  readonly laddr: string

  private readonly parser: RequestParser
  /** Replies not yet written, by request order: undefined while a command is still running. */
  private pending: Array<Buffer | undefined> = []
  /** Request sequence number of pending[0]. */
  private headSeq = 0
  /** Bytes of the replies in `pending` that are ready but wait for an earlier one. */
  private heldBytes = 0
  private closing = false
  private readPaused = false
  /** Parsed commands not dispatched yet (INFLIGHT_MAX reached, or output backed up). */
  private backlog: Buffer[][] = []
  private backlogAt = 0
  /** Inside pump(): replies completing synchronously must not re-enter it. */
  private pumping = false
  /** A flush of the replies completed this turn is queued: one write per connection per batch, not per reply. */
  private flushQueued = false
  /** Ready replies wait for the check phase (flushQueuedReplies). */
  private flushDeferred = false
  /** When the running pump began: the start of its commands' time in the command stats (one clock read per read, not per command). */
  private pumpStartMs = 0

  private readonly socket: Socket

  /** `accepted`: as the listener (created with `pauseOnConnect`) gave it; see adoptAccepted. */
  constructor(
    readonly id: number,
    accepted: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly hooks: ConnectionHooks,
    requirepass: string,
    maxBulkLen: number,
  ) {
    const socket = adoptAccepted(accepted, (chunk) => this.onData(chunk))
    this.socket = socket
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`
    this.laddr = `${socket.localAddress}:${socket.localPort}`
    this.authenticated = requirepass === ''
    this.parser = new RequestParser({ maxBulkLen })
    this.parser.setAuthenticated(this.authenticated)
    socket.setNoDelay(true)
    socket.on('drain', () => {
      // Parsed commands may be waiting for the output to drain: nothing else would restart them.
      if (!this.pumping && (this.backlogAt < this.backlog.length || this.parser.stalled)) this.pump(EMPTY)
      else this.maybeResume()
    })
    socket.on('error', (err) => log.debug('client socket error', { id, error: err.message }))
    socket.on('close', () => {
      this.backlog = []
      this.backlogAt = 0
      hooks.onClose(this)
    })
  }

  get fd(): number {
    // Node keeps the descriptor on its private handle; CLIENT LIST shows -1 when it is not there.
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd
    return typeof fd === 'number' ? fd : -1
  }

  get outputBytes(): number {
    return this.socket.writableLength + this.heldBytes
  }

  get inputBytes(): number {
    return this.parser.bufferedBytes
  }

  /** Mark authenticated (AUTH, HELLO AUTH): lifts the parser's unauthenticated limits. */
  setAuthenticated(authenticated: boolean): void {
    this.authenticated = authenticated
    this.parser.setAuthenticated(authenticated)
  }

  closeAfterReply(): void {
    this.closing = true
    if (this.pending.length === 0) this.socket.end()
  }

  /** Out-of-band replies take a place in the reply order: after the replies still pending. */
  push(reply: Reply): void {
    if (this.socket.destroyed || this.closing) return
    this.enqueue(encodeReply(reply, this.proto))
    this.flushReplies()
  }

  /** Close now, dropping pending replies (CLIENT KILL, shutdown). */
  kill(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.lastActiveMs = Date.now()
    this.hooks.statsBytes(chunk.length, 0)
    if (this.closing) return
    this.pump(chunk)
  }

  /**
   * Parse and dispatch as far as the in-flight limit allows. The parser stalls before a command
   * over the unauthenticated limits when earlier commands may authenticate (AUTH runs
   * synchronously): those are dispatched, then parsing resumes.
   */
  private pump(input: Buffer): void {
    this.pumping = true
    this.pumpStartMs = performance.now()
    let parserFailure: string | null = null
    try {
      for (;;) {
        this.drainBacklog()
        if (this.closing) return
        if (this.backlogAt < this.backlog.length) {
          // Resumed by flushReplies once replies drain.
          this.pauseReading()
          return
        }
        if (input.length === 0 && !this.parser.stalled) break
        try {
          this.backlog = this.parser.feed(input)
        } catch (err) {
          // A parser bug must cost this connection, never the node.
          log.error('request parser failed', { id: this.id, error: (err as Error).stack })
          parserFailure = 'ERR Protocol error: unparsable request'
          this.backlog = []
          break
        }
        this.backlogAt = 0
        input = EMPTY
      }
    } finally {
      this.pumping = false
    }
    const protocolError = parserFailure ?? this.parser.error
    if (protocolError !== null) {
      // Redis answers the protocol error, then closes once the reply is out.
      log.debug('protocol error', { id: this.id, error: protocolError })
      this.enqueue(encodeReply(error(protocolError), this.proto))
      this.closing = true
      this.socket.pause()
      this.flushReplies()
    } else if (this.parser.bufferedBytes > QUERY_BUFFER_LIMIT_BYTES) {
      log.warn('closing client: query buffer limit reached', { id: this.id, addr: this.addr })
      this.socket.destroy()
    } else {
      this.maybeResume()
    }
  }

  private drainBacklog(): void {
    while (this.backlogAt < this.backlog.length && !this.closing && this.pending.length < INFLIGHT_MAX && this.socket.writableLength <= OUTPUT_PAUSE_BYTES) {
      this.dispatch(this.backlog[this.backlogAt++])
    }
    if (this.backlogAt === this.backlog.length && this.backlogAt > 0) {
      this.backlog = []
      this.backlogAt = 0
    }
  }

  private dispatch(argv: Buffer[]): void {
    const seq = this.headSeq + this.pending.length
    this.pending.push(undefined)
    this.dispatcher.run(this, argv, false, (reply) => {
      this.pending[seq - this.headSeq] = reply as Buffer
      this.heldBytes += (reply as Buffer).length
      this.queueFlush()
    }, this.pumpStartMs)
  }

  /**
   * A batch completes many of this connection's commands in one synchronous loop: their replies
   * go out in one write after it, instead of one write (a syscall) each.
   */
  private queueFlush(): void {
    if (this.flushQueued) return
    this.flushQueued = true
    if (toFlush.push(this) === 1) process.nextTick(flushQueued)
  }

  /** Called by flushQueued: this connection's turn to write what its commands answered. */
  flushQueuedReplies(): void {
    this.flushQueued = false
    if (this.readyBeforeRunning() && !this.flushDeferred) {
      // Replies ready ahead of a command still running (MULTI's +OK and +QUEUEDs ahead of
      // EXEC's) wait for the check phase, where the engine runs this turn's inline batch
      // (its setImmediate was queued first): then one write carries them all, as Redis writes
      // a turn's replies at once. A command sent to a shard leaves them written there, still
      // within this turn of the event loop.
      this.flushDeferred = true
      setImmediate(() => {
        this.flushDeferred = false
        this.flushReplies()
      })
      return
    }
    this.flushReplies()
  }

  /** Whether the first replies are ready and a later one is not. */
  private readyBeforeRunning(): boolean {
    const pending = this.pending
    return pending.length > 1 && pending[0] !== undefined && pending.indexOf(undefined, 1) > 0
  }

  private enqueue(bytes: Buffer): void {
    this.pending.push(bytes)
    this.heldBytes += bytes.length
  }

  private flushReplies(): void {
    let count = 0
    let bytes = 0
    for (; count < this.pending.length; count++) {
      const reply = this.pending[count]
      if (reply === undefined) break
      bytes += reply.length
    }
    if (count === 0) return
    const ready = this.takeReady(count, bytes)
    this.headSeq += count
    this.heldBytes -= bytes
    if (!this.socket.destroyed) {
      if (Buffer.isBuffer(ready)) this.socket.write(ready)
      else {
        this.socket.cork()
        for (const reply of ready) this.socket.write(reply)
        this.socket.uncork()
      }
      this.hooks.statsBytes(0, bytes)
    }
    if (this.closing && this.pending.length === 0) {
      this.socket.end()
      return
    }
    if (this.socket.writableLength > OUTPUT_HARD_LIMIT_BYTES) {
      log.warn('closing client: output buffer limit reached', { id: this.id, addr: this.addr, bytes: this.socket.writableLength })
      this.socket.destroy()
    } else if (this.socket.writableLength > OUTPUT_PAUSE_BYTES) {
      this.pauseReading()
    } else if (!this.pumping && (this.backlogAt < this.backlog.length || this.parser.stalled)) {
      this.pump(EMPTY)
    } else {
      this.maybeResume()
    }
  }

  /**
   * Take the first `count` replies (`bytes` in all) off `pending`: as one Buffer (one write),
   * or, past CONCAT_MAX_BYTES, as a list written uncopied. The unpipelined case, one reply, and the
   * small pipelined one allocate no array.
   */
  private takeReady(count: number, bytes: number): Buffer | Buffer[] {
    const pending = this.pending as Buffer[]
    if (count === 1) return pending.shift()!
    if (bytes > CONCAT_MAX_BYTES) return pending.splice(0, count)
    const out = Buffer.allocUnsafe(bytes)
    let at = 0
    for (let i = 0; i < count; i++) at += pending[i].copy(out, at)
    pending.copyWithin(0, count)
    pending.length -= count
    return out
  }

  private pauseReading(): void {
    if (this.readPaused) return
    this.readPaused = true
    this.socket.pause()
  }

  private maybeResume(): void {
    if (!this.readPaused || this.closing) return
    if (this.socket.writableLength > OUTPUT_PAUSE_BYTES || this.pending.length >= INFLIGHT_MAX || this.backlogAt < this.backlog.length) return
    this.readPaused = false
    this.socket.resume()
  }
}
