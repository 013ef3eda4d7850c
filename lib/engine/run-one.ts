// One data command on a writer, guarded: a handler that throws (a bug) changes nothing, gets an
// error reply, and the node keeps serving. Batches and EXEC's queued commands both run through it.
import { error, Reply } from '../core/reply'
import type { DataCommand } from '../commands/types'
import { log } from '../log'
import type { ExecContext } from './exec-context'

/** Run one handler; one that throws (a bug) is rolled back and answered an error, and the node keeps serving. */
export function runOne(ctx: ExecContext, command: DataCommand | undefined, argv: Buffer[]): Reply {
  if (command === undefined) return error(`ERR unknown command '${argv[0].toString()}'`)
  const mark = ctx.mark()
  // A script's commands run inside its own: the outer command's setting comes back after each.
  const outerCounts = ctx.countLookups
  ctx.countLookups = command.flags.includes('readonly')
  try {
    return command.run(ctx, argv)
  } catch (err) {
    ctx.rollbackTo(mark)
    log.error('command failed', { command: command.name, error: (err as Error).stack })
    return error(`ERR internal error in '${command.name}': ${(err as Error).message}`)
  } finally {
    ctx.countLookups = outerCounts
  }
}
