// From argv to reply for one session: lookup, arity, auth, then the command's place of
// execution (main thread for connection commands, the engine for data and node commands).
// Network connections and the embedding API both come through here.
import { error, Errors, isError, isSeveral, OK, PONG, Reply, status } from '../core/reply'
import type { AnyCommand } from '../commands/table'
import { arityOk } from '../commands/types'
import { encodeReply } from '../native'
import type { NodeServices, Session } from './session'
import { BlockingRegistry } from './blocking'
import { monitorLine } from './monitor'
import { TRANSACTION_CONTROL } from './commands/transaction'
import { subscribedModeRefusal } from './pubsub'
import { redactForMonitor, subcommandOf } from './commands/util'
import type { ServerStats } from './stats'
import type { NodeCommand, Submission } from '../engine/engine'
import { encodePooled } from '../engine/run-batch'
import type { DataCommand } from '../commands/types'

export type Done = (reply: Buffer | Reply) => void

interface Held {
  readonly argv: Buffer[]
  readonly embedded: boolean
  readonly done: Done
}

const QUEUED = status('QUEUED')
/** Spellings of command names cached at most: every case variant of every command is far more than clients use. */
const SENT_NAMES_MAX = 4096

export function unknownCommand(argv: Buffer[]): Reply {
  let args = ''
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${argv[i].toString().slice(0, 128 - args.length)}' `
  return error(`ERR unknown command '${argv[0].toString().slice(0, 128)}', with args beginning with: ${args}`.replace(/[\r\n]/g, ' '))
}

export class Dispatcher {
  /**
   * Sessions waiting for an asynchronous command (WATCH, EXEC, INFO...) and the commands they
   * sent since: those run after it, in order, as Redis runs one client's commands.
   */
  private readonly held = new Map<Session, Held[]>()
  /** Commands by the name as clients spell it (lookup). */
  private readonly bySentName = new Map<string, AnyCommand>()

  readonly blocking: BlockingRegistry

  constructor(
    private readonly services: NodeServices,
    private readonly table: ReadonlyMap<string, AnyCommand>,
  ) {
    this.blocking = new BlockingRegistry(services.engine)
  }

  /**
   * `embedded` asks for the reply as a value; otherwise it arrives encoded in the session's
   * protocol. `startMs` (performance.now()) starts the command's time in the command stats: the
   * commands of one read share it.
   */
  run(session: Session, argv: Buffer[], embedded: boolean, done: Done, startMs = performance.now()): void {
    const waiting = this.held.get(session)
    if (waiting !== undefined) waiting.push({ argv, embedded, done })
    else this.runNow(session, argv, embedded, done, startMs)
  }

  /** Drop what a closed session still had waiting. */
  forget(session: Session): void {
    this.held.delete(session)
    this.blocking.forget(session)
  }

  private release(session: Session): void {
    const waiting = this.held.get(session)
    if (waiting === undefined) return
    this.held.delete(session)
    while (waiting.length > 0 && !this.held.has(session)) {
      const next = waiting.shift()!
      this.runNow(session, next.argv, next.embedded, next.done, performance.now())
    }
    // A released command held the session again: what is left waits behind it.
    if (waiting.length > 0) this.held.get(session)!.unshift(...waiting)
  }

  private runNow(session: Session, argv: Buffer[], embedded: boolean, done: Done, startMs: number): void {
    const command = this.lookup(argv[0])
    // CLIENT, CONFIG, COMMAND: stats, CLIENT LIST and MONITOR name the subcommand (`config|get`).
    const subcommand = command !== undefined && 'runConn' in command ? subcommandOf(command, argv) : undefined
    const fullName = subcommand?.name ?? command?.name ?? 'unknown'
    if (command === undefined) return this.reject(session, embedded, this.counted(fullName, startMs, done), unknownCommand(argv))
    const refusal = this.refusal(session, command, subcommand, argv)
    if (refusal !== null) return this.reject(session, embedded, this.counted(fullName, startMs, done), refusal)
    session.lastCommand = fullName
    // As Redis: admin commands are not shown to monitors, credentials are redacted.
    if (this.services.monitors.size > 0 && !(subcommand ?? command).flags.includes('admin')) this.feedMonitors(session, redactForMonitor(command.name, argv))
    if (session.multi !== null && !TRANSACTION_CONTROL.has(command.name)) {
      session.multi.queued.push(argv)
      return answer(session, embedded, this.counted(fullName, startMs, done), QUEUED)
    }
    const proto = embedded ? 0 : session.proto
    if ('runConn' in command) {
      const finish = this.counted(fullName, startMs, done)
      let reply: Reply | Promise<Reply>
      try {
        reply = command.runConn(this.services, session, argv)
      } catch (err) {
        reply = error(`ERR ${(err as Error).message}`)
      }
      if (reply instanceof Promise) {
        this.held.set(session, [])
        const settle = (value: Reply): void => {
          answer(session, embedded, finish, value)
          this.release(session)
        }
        reply.then(settle, (err: Error) => settle(error(`ERR ${err.message}`)))
      } else {
        answer(session, embedded, finish, reply)
      }
      return
    }
    if ('run' in command && command.blocking !== undefined) {
      // A blocked client runs nothing else until it is served or times out, as in Redis.
      const finish = this.counted(fullName, startMs, done)
      this.held.set(session, [])
      this.blocking.run(session, command, argv, proto, (reply) => {
        finish.done(reply)
        this.release(session)
      })
      return
    }
    // The common case: the submission is the reply path too, one object per command.
    this.services.engine.submit(new EngineCall(command, argv, proto, this.services.stats, fullName, startMs, done))
  }

  /** The way back of a command that does not go to the engine as an EngineCall. */
  private counted(fullName: string, startMs: number, done: Done): CountedReply {
    return new CountedReply(this.services.stats, fullName, startMs, done)
  }

  /** Why the session may not run `command` now (arity, auth, RESP2 subscribed mode), or null. */
  private refusal(session: Session, command: AnyCommand, subcommand: AnyCommand | undefined, argv: Buffer[]): Reply | null {
    if (!arityOk(command.arity, argv.length)) return Errors.wrongArity(command.name)
    if (!session.authenticated && !command.flags.includes('no-auth')) return Errors.noAuth
    if (session.proto === 2 && this.services.pubsub.isSubscribed(session)) return subscribedModeRefusal(command, subcommand, argv.length)
    return null
  }

  /**
   * The command a name sent by a client stands for. Names are cached as sent (clients send the
   * same spelling every time), which spares a lower-casing per command; only names of real
   * commands are cached, so a client cannot grow the cache with garbage.
   */
  private lookup(nameArg: Buffer): AnyCommand | undefined {
    const sent = nameArg.toString('latin1')
    const cached = this.bySentName.get(sent)
    if (cached !== undefined) return cached
    const command = this.table.get(sent.toLowerCase())
    if (command !== undefined && this.bySentName.size < SENT_NAMES_MAX) this.bySentName.set(sent, command)
    return command
  }

  /** A command rejected inside MULTI makes EXEC abort, as Redis's flagTransaction. */
  private reject(session: Session, embedded: boolean, finish: CountedReply, reply: Reply): void {
    if (session.multi !== null) session.multi.failed = true
    answer(session, embedded, finish, reply)
  }

  private feedMonitors(session: Session, argv: Buffer[]): void {
    if (this.services.monitors.size === 0) return
    let line: Reply | null = null
    for (const watcher of this.services.monitors) {
      if (watcher === session) continue
      line ??= monitorLine(session, argv)
      watcher.push(line)
    }
  }
}

/** Hand a reply computed on the main thread to `finish`: as a value when embedded, encoded otherwise. */
function answer(session: Session, embedded: boolean, finish: CountedReply, reply: Reply): void {
  finish.done(embedded ? reply : encodeConnReply(reply, session.proto))
}

/** A command's way back to its caller: counted in the command stats (INFO commandstats), then handed over. */
class CountedReply {
  constructor(
    private readonly stats: ServerStats,
    private readonly fullName: string,
    private readonly startMs: number,
    private readonly handOver: Done,
  ) {}

  /** `endMs`: when the command ended, if the caller has read the clock already (a batch's replies share one read). */
  done(reply: Buffer | Reply, _retryArgv?: Buffer[], endMs = performance.now()): void {
    const failed = Buffer.isBuffer(reply) ? reply[0] === 0x2d : isError(reply)
    this.stats.recordCommand(this.fullName, (endMs - this.startMs) * 1000, failed)
    this.handOver(reply)
  }
}

/** A data command for the engine, with its counted way back: one object per command, no closure. */
class EngineCall extends CountedReply implements Submission {
  constructor(
    readonly command: DataCommand | NodeCommand,
    readonly argv: Buffer[],
    readonly proto: 0 | 2 | 3,
    stats: ServerStats,
    fullName: string,
    startMs: number,
    handOver: Done,
  ) {
    super(stats, fullName, startMs, handOver)
  }
}

/**
 * Connection commands' most frequent replies, the same in RESP2 and RESP3, encoded once and
 * shared (sockets only read what they write): MULTI's +OK and +QUEUED, each an ArrayBuffer of its
 * own, made a transaction's event loop spend ~4 % in malloc (docs/performance.md, twenty-fifth
 * round). The others go to Node's Buffer pool (encodePooled).
 */
const ENCODED = new Map<Reply, Buffer>([OK, QUEUED, PONG].map((reply) => [reply, encodeReply(reply, 2)]))

/** A connection command's reply in the session's protocol; several replies one after another. */
function encodeConnReply(reply: Reply, proto: 2 | 3): Buffer {
  const encoded = ENCODED.get(reply)
  if (encoded !== undefined) return encoded
  return isSeveral(reply) ? Buffer.concat(reply.v.map((r) => encodePooled(r, proto))) : encodePooled(reply, proto)
}
