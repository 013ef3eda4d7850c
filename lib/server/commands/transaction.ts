// MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0 semantics). The dispatcher queues commands
// while a session is in MULTI (dispatch.ts); EXEC runs them atomically on this node:
// - only data commands: one internal command (commands/transaction.ts) that the engine runs on
//   one shard (on the main thread, as cheap commands, when all of them are cheap), or with
//   every shard paused when its keys span shards;
// - any node-wide or connection command among them: the whole transaction runs on the main
//   thread with every shard paused (Engine.exclusive), each data command committed in turn.
import { error, isSeveral, NIL_ARRAY, OK, Reply } from '../../core/reply'
import { dataCommands } from '../../commands/data-table'
import type { AnyCommand } from '../../commands/table'
import { encodeExec, STAMPS_COMMAND, Watch, watchBroken } from '../../commands/transaction'
import { traitsOf } from '../../engine/inline-policy'
import type { ConnCommand, ConnHandler, NodeServices, Session } from '../session'
import { conn } from './util'

const EXECABORT = error('EXECABORT Transaction discarded because of previous errors.')

/** Commands that act at once inside MULTI instead of being queued, as Redis. */
export const TRANSACTION_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset'])

/** Leave MULTI and forget every watch (EXEC, DISCARD, RESET). */
export function endTransaction(session: Session): void {
  session.multi = null
  session.watches = null
}

// MULTI
const multi: ConnHandler = (_services, session) => {
  if (session.multi !== null) return error('ERR MULTI calls can not be nested')
  session.multi = { queued: [], failed: false }
  return OK
}

// DISCARD
const discard: ConnHandler = (_services, session) => {
  if (session.multi === null) return error('ERR DISCARD without MULTI')
  endTransaction(session)
  return OK
}

// WATCH key [key ...]: remembers each key's version; a key watched twice keeps the first.
const watch: ConnHandler = async (services, session, argv) => {
  if (session.multi !== null) return error('ERR WATCH inside MULTI is not allowed')
  const keys = argv.slice(1).filter((key) => !session.watches?.has(key.toString('latin1')))
  if (keys.length === 0) return OK
  const reply = await submitData(services, [Buffer.from(STAMPS_COMMAND), ...keys])
  if (!Array.isArray(reply)) return reply
  session.watches ??= new Map()
  keys.forEach((key, i) => {
    const [hlc, live] = reply[i] as [string, number]
    session.watches!.set(key.toString('latin1'), { key, hlc: BigInt(hlc), live: live === 1 })
  })
  return OK
}

// UNWATCH
const unwatch: ConnHandler = (_services, session) => {
  session.watches = null
  return OK
}

// EXEC
const exec: ConnHandler = (services, session) => {
  const transaction = session.multi
  if (transaction === null) return error('ERR EXEC without MULTI')
  const watches = [...(session.watches?.values() ?? [])]
  endTransaction(session)
  if (transaction.failed) return EXECABORT
  const table = services.commands as ReadonlyMap<string, AnyCommand>
  const commands = transaction.queued.map((argv) => table.get(argv[0].toString('latin1').toLowerCase())!)
  if (commands.every((command) => 'run' in command)) {
    const fast = commands.every((command) => traitsOf(command).cheap)
    return submitData(services, encodeExec(watches, transaction.queued, fast))
  }
  return execMixed(services, session, commands, transaction.queued, watches)
}

/**
 * A transaction with node-wide or connection commands: data and node-wide commands run with
 * every shard paused; connection commands (PING, CONFIG, INFO...) run right after, in place,
 * since some of them call back into the engine, which would wait for the pause to end.
 */
async function execMixed(services: NodeServices, session: Session, commands: AnyCommand[], queued: Buffer[][], watches: Watch[]): Promise<Reply> {
  const replies = await services.engine.exclusive(async (node) => {
    node.ctx.begin(node.nowMs)
    if (watchBroken(node.ctx, watches)) return NIL_ARRAY
    const out: Reply[] = []
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]
      try {
        if ('run' in command) out.push(node.runData(queued[i]))
        else if ('runNode' in command) out.push(await command.runNode(node, queued[i]))
        else out.push(null)
      } catch (err) {
        out.push(error(`ERR ${(err as Error).message}`))
      }
    }
    return out
  })
  if (!Array.isArray(replies)) return replies
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]
    if (!('runConn' in command)) continue
    try {
      replies[i] = await command.runConn(services, session, queued[i])
    } catch (err) {
      replies[i] = error(`ERR ${(err as Error).message}`)
    }
  }
  // SUBSCRIBE a b inside MULTI answers twice: its replies follow each other, as Redis writes them.
  return replies.flatMap((reply) => (reply !== null && isSeveral(reply) ? reply.v : [reply]))
}

function submitData(services: NodeServices, argv: Buffer[]): Promise<Reply> {
  const command = dataCommands.get(argv[0].toString('latin1'))!
  return new Promise((resolve) => services.engine.submit({ command, argv, proto: 0, done: (reply) => resolve(reply as Reply) }))
}

const FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow-busy']

export const transactionCommands: ConnCommand[] = [
  conn('multi', 1, FLAGS, 'transactions', 'Mark the start of a transaction block', '1.2.0', multi),
  conn('exec', 1, ['noscript', 'loading', 'stale', 'skip-slowlog'], 'transactions', 'Execute all commands issued after MULTI', '1.2.0', exec),
  conn('discard', 1, FLAGS, 'transactions', 'Discard all commands issued after MULTI', '2.0.0', discard),
  { ...conn('watch', -2, FLAGS, 'transactions', 'Watch the given keys to determine execution of the MULTI/EXEC block', '2.2.0', watch), firstKey: 1, lastKey: -1, step: 1 },
  conn('unwatch', 1, FLAGS, 'transactions', 'Forget about all watched keys', '2.2.0', unwatch),
]
