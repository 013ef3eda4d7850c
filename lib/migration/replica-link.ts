// MAREKVS_REPLICAOF: marekvs as a replica of an upstream Redis, for a live migration.
//
// One link, run in the background of a serving node:
//   handshake  PING, REPLCONF listening-port, REPLCONF capa eof capa psync2, then PSYNC:
//              `? -1` the first time, `<replid> <offset+1>` after a disconnect.
//   +FULLRESYNC the RDB arrives as `$<len>` or diskless `$EOF:<40-byte mark>`; it is spooled
//              to a file in the data dir, then (after FLUSHALL and FUNCTION FLUSH, as a Redis
//              replica empties itself) parsed key by key and applied as ordinary commands.
//   +CONTINUE  the upstream resends what we missed from its backlog.
//   stream     the upstream's writes, applied in order through one internal session (MULTI/EXEC
//              included), REPLCONF GETACK answered, REPLCONF ACK <offset> every second.
// A lost link reconnects with backoff. An RDB marekvs cannot load (a module type) stops the
// link for good, with an error naming the key; the node keeps serving either way.
import fs from 'node:fs'
import path from 'node:path'
import type { HostPort } from '../config'
import { isError, type Reply } from '../core/reply'
import { log } from '../log'
import { classify, encodeCommand, parseCommands, StreamProtocolError } from './command-stream'
import { Argv, loadCommands } from './load-commands'
import { ChunkSource, parseRdb, RdbError, RdbUnsupportedError } from './rdb'
import { newReplicaStatus, ReplicaStatus } from './status'
import { UpstreamSocket } from './upstream-socket'

export interface ReplicaHost {
  /** Run a command as the replication client (one session: its MULTI state, in order). */
  call(argv: Argv): Promise<Reply>
  /** Our RESP port, announced with REPLCONF listening-port. */
  readonly listeningPort: number
  /** Where the RDB is spooled while it arrives. */
  readonly dataDir: string
}

// Limits and intervals, each with its reason.
const CONNECT_TIMEOUT_MS = 10_000
/** Redis's repl-timeout default: the upstream pings every 10 s, so a minute of silence is a dead link. */
const IDLE_TIMEOUT_MS = 60_000
const RECONNECT_DELAY_MS_MIN = 1_000
/** The backoff stops growing here, so a migration resumes within seconds of the upstream's return. */
const RECONNECT_DELAY_MS_MAX = 10_000
/** Redis replicas ACK once a second; the upstream's WAIT and min-replicas read it. */
const ACK_INTERVAL_MS = 1_000
/** While loading, a newline a second tells the upstream we are alive (as a Redis replica does). */
const KEEPALIVE_INTERVAL_MS = 1_000
/** Commands in flight at once: enough to keep every shard busy, few enough to bound memory. */
const IN_FLIGHT_MAX = 1024
const RDB_CHUNK_BYTES = 1024 * 1024
const PROGRESS_LOG_MS = 5_000
/** Apply errors logged one by one before the log thins out to one in ERRORS_LOG_EVERY. */
const ERRORS_LOGGED_MAX = 100
const ERRORS_LOG_EVERY = 1000
const EOF_MARK_BYTES = 40

/** Raised for what retrying cannot fix: the link stops. */
class FatalLinkError extends Error {}

export class ReplicaLink {
  readonly status: ReplicaStatus
  private socket: UpstreamSocket | null = null
  private closed = false
  private wakeSleep: (() => void) | null = null
  private readonly stopped: Promise<void>
  private inFlight = 0
  private drained: (() => void) | null = null

  constructor(readonly upstream: HostPort, private readonly host: ReplicaHost) {
    this.status = newReplicaStatus(upstream, Date.now())
    this.stopped = this.run()
  }

  /** Stop replicating: the link closes, commands in flight finish. */
  async close(): Promise<void> {
    this.closed = true
    this.socket?.close()
    this.wakeSleep?.()
    await this.stopped
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.closed) {
      try {
        await this.session()
      } catch (err) {
        const message = (err as Error).message.replace(/[\r\n]+/g, ' ')
        this.status.lastError = message
        if (err instanceof FatalLinkError || err instanceof RdbError) {
          log.error('replicaof: migration stopped; fix the cause and restart the node to retry', { upstream: this.upstreamText(), error: message })
          this.linkDown('none')
          return
        }
        if (!this.closed) log.warn('replicaof: link to the upstream lost', { upstream: this.upstreamText(), error: message })
      } finally {
        this.socket?.close()
        this.socket = null
        await this.drain()
      }
      if (this.status.state === 'connected') failures = 0
      this.linkDown('connect')
      if (this.closed) break
      const delayMs = Math.min(RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN * 2 ** failures++)
      await new Promise<void>((resolve) => {
        this.wakeSleep = resolve
        setTimeout(resolve, delayMs).unref()
      })
    }
  }

  private linkDown(state: 'connect' | 'none'): void {
    if (this.status.linkDownSinceMs === null) this.status.linkDownSinceMs = Date.now()
    this.status.state = state
    this.status.loading = false
  }

  private upstreamText(): string {
    return `${this.upstream.host}:${this.upstream.port}`
  }

  /** One connection: handshake, a full or partial resync, then the command stream until it breaks. */
  private async session(): Promise<void> {
    const status = this.status
    status.state = 'connecting'
    const socket = await UpstreamSocket.connect(this.upstream.host, this.upstream.port, CONNECT_TIMEOUT_MS)
    this.socket = socket
    if (this.closed) return
    socket.onBytes = (bytes) => {
      status.lastIoMs = Date.now()
      if (status.state === 'sync' && !status.loading) status.syncReadBytes += bytes
    }
    socket.setIdleTimeout(IDLE_TIMEOUT_MS)
    status.state = 'handshake'
    await this.handshake(socket)
    const psync = status.masterReplId === '?' ? ['PSYNC', '?', '-1'] : ['PSYNC', status.masterReplId, String(status.offset + 1)]
    socket.write(encodeCommand(psync))
    const reply = await this.replyLine(socket)
    if (reply.startsWith('+FULLRESYNC')) {
      const [, replId, offsetText] = reply.split(' ')
      if (replId === undefined || !/^[0-9]+$/.test(offsetText ?? '')) throw new StreamProtocolError(`bad reply to PSYNC: '${reply}'`)
      await this.fullSync(socket)
      status.masterReplId = replId
      status.offset = Number(offsetText)
      status.fullSyncs++
    } else if (reply.startsWith('+CONTINUE')) {
      const newId = reply.split(' ')[1]
      if (newId !== undefined && newId !== '') status.masterReplId = newId
      status.partialSyncs++
      log.info('replicaof: partial resync accepted', { upstream: this.upstreamText(), offset: status.offset })
    } else {
      throw new Error(`the upstream refused PSYNC: '${reply}'`)
    }
    status.state = 'connected'
    status.linkDownSinceMs = null
    status.lastError = ''
    socket.write(this.ack())
    await this.stream(socket)
  }

  private async handshake(socket: UpstreamSocket): Promise<void> {
    socket.write(encodeCommand(['PING']))
    const pong = await this.replyLine(socket)
    if (pong.startsWith('-NOAUTH')) throw new Error('the upstream requires a password; marekvs has no setting for one (see docs/migration.md)')
    if (pong.startsWith('-')) throw new Error(`the upstream answered PING with '${pong}'`)
    // Redis replicas go on when these fail (old masters do not know them); so do we.
    socket.write(encodeCommand(['REPLCONF', 'listening-port', String(this.host.listeningPort)]))
    await this.replyLine(socket)
    socket.write(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']))
    await this.replyLine(socket)
  }

  /** The next reply line, skipping the bare newlines the upstream sends while it prepares an RDB. */
  private async replyLine(socket: UpstreamSocket): Promise<string> {
    for (;;) {
      const line = await socket.line()
      if (line !== '') return line
    }
  }

  private async fullSync(socket: UpstreamSocket): Promise<void> {
    const status = this.status
    status.state = 'sync'
    status.syncReadBytes = 0
    const header = await this.replyLine(socket)
    if (!header.startsWith('$')) throw new StreamProtocolError(`expected the RDB payload, got '${header.slice(0, 64)}'`)
    const spool = path.join(this.host.dataDir, 'replicaof-sync.rdb')
    const started = Date.now()
    try {
      if (header.startsWith('$EOF:')) {
        const mark = Buffer.from(header.slice(5), 'latin1')
        if (mark.length !== EOF_MARK_BYTES) throw new StreamProtocolError('diskless RDB mark is not 40 bytes')
        status.syncTotalBytes = -1
        log.info('replicaof: full resync, receiving the RDB (diskless)', { upstream: this.upstreamText() })
        await this.spoolUntilMark(socket, spool, mark)
      } else {
        const length = Number(header.slice(1))
        if (!Number.isSafeInteger(length) || length < 0) throw new StreamProtocolError(`bad RDB length '${header}'`)
        status.syncTotalBytes = length
        log.info('replicaof: full resync, receiving the RDB', { upstream: this.upstreamText(), bytes: length })
        await this.spoolLength(socket, spool, length)
      }
      status.syncReadBytes = status.syncTotalBytes < 0 ? status.syncReadBytes : status.syncTotalBytes
      await this.load(socket, spool)
      log.info('replicaof: full resync loaded', { keys: status.keysLoaded, skippedKeys: status.skippedKeys, seconds: ((Date.now() - started) / 1000).toFixed(1) })
    } finally {
      fs.rmSync(spool, { force: true })
    }
  }

  private async spoolLength(socket: UpstreamSocket, file: string, length: number): Promise<void> {
    const handle = await fs.promises.open(file, 'w')
    try {
      let left = length
      while (left > 0) {
        const chunk = await socket.some(left)
        await handle.write(chunk)
        left -= chunk.length
      }
    } finally {
      await handle.close()
    }
  }

  /** Diskless: the payload ends with the mark announced in its header; bytes after it start the command stream. */
  private async spoolUntilMark(socket: UpstreamSocket, file: string, mark: Buffer): Promise<void> {
    const handle = await fs.promises.open(file, 'w')
    try {
      // The last bytes are held back until we know they are not the start of the mark.
      let held: Buffer = Buffer.alloc(0)
      for (;;) {
        const data = Buffer.concat([held, await socket.some()])
        const at = data.indexOf(mark)
        if (at >= 0) {
          await handle.write(data.subarray(0, at))
          socket.unshift(data.subarray(at + EOF_MARK_BYTES))
          return
        }
        const keep = Math.min(data.length, EOF_MARK_BYTES - 1)
        await handle.write(data.subarray(0, data.length - keep))
        held = Buffer.from(data.subarray(data.length - keep))
      }
    } finally {
      await handle.close()
    }
  }

  /** Empty the node, then apply the spooled RDB record by record. */
  private async load(socket: UpstreamSocket, file: string): Promise<void> {
    const status = this.status
    status.loading = true
    status.keysLoaded = 0
    status.skippedKeys = 0
    const keepalive = setInterval(() => socket.write('\n'), KEEPALIVE_INTERVAL_MS)
    const fd = fs.openSync(file, 'r')
    try {
      await this.mustApply([Buffer.from('FLUSHALL')], 'empty the node before the full resync')
      await this.mustApply([Buffer.from('FUNCTION'), Buffer.from('FLUSH')], 'drop the functions before the full resync')
      let failure: string | null = null
      let nextLogMs = Date.now() + PROGRESS_LOG_MS
      const skippedDbs = new Map<number, number>()
      for (const record of parseRdb(fileSource(fd))) {
        if (this.closed) return
        if (record.type === 'key' && record.db !== 0) {
          status.skippedKeys++
          skippedDbs.set(record.db, (skippedDbs.get(record.db) ?? 0) + 1)
          continue
        }
        const what = record.type === 'key' ? `key '${record.key.toString('latin1')}'` : 'a function library'
        for (const argv of loadCommands(record)) {
          await this.submit(argv, (reply) => {
            if (isError(reply)) failure ??= `${argv[0]} of ${what} failed: ${reply.v}`
          })
          if (failure !== null) break
        }
        if (failure !== null) break
        if (record.type === 'key') status.keysLoaded++
        if (Date.now() >= nextLogMs) {
          nextLogMs = Date.now() + PROGRESS_LOG_MS
          log.info('replicaof: loading', { keys: status.keysLoaded })
        }
      }
      await this.drain()
      if (failure !== null) throw new FatalLinkError(`loading the RDB: ${failure}`)
      for (const [db, keys] of skippedDbs) {
        log.error('replicaof: keys of a database other than 0 skipped: marekvs has only database 0', { db, keys })
      }
    } catch (err) {
      if (err instanceof RdbUnsupportedError) throw new FatalLinkError(`loading the RDB: ${err.message}`)
      throw err
    } finally {
      fs.closeSync(fd)
      clearInterval(keepalive)
      status.loading = false
    }
  }

  private async mustApply(argv: Argv, why: string): Promise<void> {
    const reply = await this.host.call(argv)
    if (isError(reply)) throw new FatalLinkError(`cannot ${why}: ${reply.v}`)
  }

  /** Apply the command stream until the link breaks. */
  private async stream(socket: UpstreamSocket): Promise<void> {
    const status = this.status
    const ackTimer = setInterval(() => socket.write(this.ack()), ACK_INTERVAL_MS)
    let db = 0
    // Bytes of an open transaction: the offset moves past them when it closes, so a link
    // lost mid-transaction resumes at its start.
    let openBytes: number | null = null
    let pending: Buffer = Buffer.alloc(0)
    try {
      for (;;) {
        const chunk = await socket.some()
        if (this.closed) return
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
        const { commands, consumed } = parseCommands(pending)
        pending = pending.subarray(consumed)
        for (const { argv, bytes } of commands) {
          const action = classify(argv)
          if (action.kind === 'getack') socket.write(this.ack())
          else if (action.kind === 'select') db = action.db
          else if (action.kind === 'apply') {
            if (db !== 0 && action.transaction === null) status.skippedCommands++
            else await this.submit(argv, (reply) => this.checkStreamReply(argv, reply))
            if (action.transaction === 'open') openBytes = 0
          }
          if (openBytes === null) {
            status.offset += bytes
          } else {
            openBytes += bytes
            if (action.kind === 'apply' && action.transaction === 'close') {
              status.offset += openBytes
              openBytes = null
            }
          }
        }
      }
    } finally {
      clearInterval(ackTimer)
      // A transaction cut off by the disconnect is dropped; the upstream sends it again.
      if (openBytes !== null) await this.host.call([Buffer.from('DISCARD')])
    }
  }

  private checkStreamReply(argv: Argv, reply: Reply): void {
    const errors = isError(reply) ? [reply.v] : Array.isArray(reply) && argv[0].toString('latin1').toLowerCase() === 'exec' ? reply.filter(isError).map((r) => r.v) : []
    for (const message of errors) {
      const n = ++this.status.applyErrors
      if (n <= ERRORS_LOGGED_MAX || n % ERRORS_LOG_EVERY === 0) {
        log.error('replicaof: a command from the upstream failed on marekvs', { command: argv[0].toString('latin1'), error: message, errors: n })
      }
    }
  }

  private ack(): Buffer {
    return encodeCommand(['REPLCONF', 'ACK', String(Math.max(0, this.status.offset))])
  }

  /** Start a command; wait first when IN_FLIGHT_MAX are running. Replies arrive in order. */
  private async submit(argv: Argv, onReply: (reply: Reply) => void): Promise<void> {
    while (this.inFlight >= IN_FLIGHT_MAX) await new Promise<void>((resolve) => { this.drained = resolve })
    this.inFlight++
    void this.host.call(argv).then((reply) => {
      this.inFlight--
      onReply(reply)
      const drained = this.drained
      this.drained = null
      drained?.()
    })
  }

  private async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => { this.drained = resolve })
  }
}

function fileSource(fd: number): ChunkSource {
  return () => {
    const chunk = Buffer.allocUnsafe(RDB_CHUNK_BYTES)
    const n = fs.readSync(fd, chunk, 0, RDB_CHUNK_BYTES, null)
    return n === 0 ? null : chunk.subarray(0, n)
  }
}
