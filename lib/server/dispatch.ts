// From argv to reply for one session: lookup, arity, auth, then the command's place of
// execution (main thread for connection commands, the engine for data and node commands).
// Network connections and the embedding API both come through here.
import { error, Errors, isError, isSeveral, Reply } from '../core/reply'
import type { AnyCommand } from '../commands/table'
import { arityOk } from '../commands/types'
import { encodeReply } from '../native'
import type { NodeServices, Session } from './session'
import { monitorLine } from './monitor'
import { subscribedModeRefusal } from './pubsub'
import { redactForMonitor, subcommandOf } from './commands/util'

export type Done = (reply: Buffer | Reply) => void

export function unknownCommand(argv: Buffer[]): Reply {
  let args = ''
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${argv[i].toString().slice(0, 128 - args.length)}' `
  return error(`ERR unknown command '${argv[0].toString().slice(0, 128)}', with args beginning with: ${args}`.replace(/[\r\n]/g, ' '))
}

export class Dispatcher {
  constructor(
    private readonly services: NodeServices,
    private readonly table: ReadonlyMap<string, AnyCommand>,
  ) {}

  /** `proto` 0 asks for the reply as a value; otherwise it arrives encoded in the session's protocol. */
  run(session: Session, argv: Buffer[], embedded: boolean, done: Done): void {
    const name = argv[0].toString('latin1').toLowerCase()
    const command = this.table.get(name)
    // CLIENT, CONFIG, COMMAND: stats, CLIENT LIST and MONITOR name the subcommand (`config|get`).
    const subcommand = command !== undefined && 'runConn' in command ? subcommandOf(command, argv) : undefined
    const fullName = subcommand?.name ?? command?.name ?? 'unknown'
    const startMs = performance.now()
    const stats = this.services.stats
    const finish: Done = (reply) => {
      const failed = Buffer.isBuffer(reply) ? reply[0] === 0x2d : isError(reply)
      stats.recordCommand(fullName, (performance.now() - startMs) * 1000, failed)
      done(reply)
    }
    const immediate = (reply: Reply) => finish(embedded ? reply : encodeConnReply(reply, session.proto))
    session.lastActiveMs = Date.now()
    if (command === undefined) return immediate(unknownCommand(argv))
    if (!arityOk(command.arity, argv.length)) return immediate(Errors.wrongArity(command.name))
    if (!session.authenticated && !command.flags.includes('no-auth')) return immediate(Errors.noAuth)
    if (session.proto === 2 && this.services.pubsub.isSubscribed(session)) {
      const refusal = subscribedModeRefusal(command, subcommand, argv.length)
      if (refusal !== null) return immediate(refusal)
    }
    session.lastCommand = fullName
    // As Redis: admin commands are not shown to monitors, credentials are redacted.
    if (!(subcommand ?? command).flags.includes('admin')) this.feedMonitors(session, redactForMonitor(command.name, argv))
    if ('runConn' in command) {
      let reply: Reply | Promise<Reply>
      try {
        reply = command.runConn(this.services, session, argv)
      } catch (err) {
        reply = error(`ERR ${(err as Error).message}`)
      }
      if (reply instanceof Promise) reply.then(immediate, (err: Error) => immediate(error(`ERR ${err.message}`)))
      else immediate(reply)
      return
    }
    this.services.engine.submit({ command, argv, proto: embedded ? 0 : session.proto, done: finish })
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

/** A connection command's reply in the session's protocol; several replies one after another. */
function encodeConnReply(reply: Reply, proto: 2 | 3): Buffer {
  return isSeveral(reply) ? Buffer.concat(reply.v.map((r) => encodeReply(r, proto))) : encodeReply(reply, proto)
}
