// Blocking commands (Redis 7.0 semantics): each is its non-blocking command plus a timeout.
// The handler makes one attempt and answers the timeout reply when there was nothing to take;
// the dispatcher then parks the client until one of its keys gains elements
// (lib/server/blocking.ts). Inside MULTI the attempt's answer is final, as in Redis.
import { double, ErrorReply, Errors, NIL_ARRAY, Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { parseTimeoutSeconds } from './blocking-timeout'
import { isErrorReply } from './collection'
import { DataCommand, keysAfterCount } from './types'
import { listCommands, parseSide, popFrom as listPop } from './lists'
import { popFrom, zsetCommands } from './zsets'

/** The timeout argument's ms for the dispatcher; null when invalid (the handler answers the error). */
function timeoutAt(index: (argv: Buffer[]) => number) {
  return (argv: Buffer[]): number | null => {
    const ms = parseTimeoutSeconds(argv[index(argv)])
    return typeof ms === 'number' ? ms : null
  }
}

const LAST = (argv: Buffer[]): number => argv.length - 1

// BZPOPMIN key [key ...] timeout / BZPOPMAX: [key, member, score] from the first non-empty key.
function bzpop(min: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const timeout = parseTimeoutSeconds(argv[argv.length - 1])
    if (isErrorReply(timeout)) return timeout
    for (const key of argv.slice(1, -1)) {
      const popped = popFrom(ctx, key, min, 1)
      if (popped === null) continue
      if (isErrorReply(popped)) return popped
      return [key, popped[0].member, double(popped[0].score)]
    }
    return NIL_ARRAY
  }
}

const handler = (commands: DataCommand[], name: string): DataCommand['run'] => commands.find((command) => command.name === name)!.run
const zmpop = handler(zsetCommands, 'zmpop')
const lmpop = handler(listCommands, 'lmpop')
const lmove = handler(listCommands, 'lmove')
const rpoplpush = handler(listCommands, 'rpoplpush')

// BLPOP key [key ...] timeout / BRPOP: [key, element] from the first non-empty list.
function blpop(left: boolean) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const timeout = parseTimeoutSeconds(argv[argv.length - 1])
    if (isErrorReply(timeout)) return timeout
    for (const key of argv.slice(1, -1)) {
      const popped = listPop(ctx, key, left, null)
      if (popped === null) continue
      if (isErrorReply(popped)) return popped
      return [key, popped]
    }
    return NIL_ARRAY
  }
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
function blmpop(ctx: ExecContext, argv: Buffer[]): Reply {
  const timeout = parseTimeoutSeconds(argv[1])
  if (isErrorReply(timeout)) return timeout
  return lmpop(ctx, [Buffer.from('lmpop'), ...argv.slice(2)])
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout (Redis checks the sides first)
function blmove(ctx: ExecContext, argv: Buffer[]): Reply {
  if (parseSide(argv[3]) === null || parseSide(argv[4]) === null) return Errors.syntax
  const timeout = parseTimeoutSeconds(argv[5])
  if (isErrorReply(timeout)) return timeout
  return lmove(ctx, argv.slice(0, 5))
}

// BRPOPLPUSH source destination timeout
function brpoplpush(ctx: ExecContext, argv: Buffer[]): Reply {
  const timeout = parseTimeoutSeconds(argv[3])
  if (isErrorReply(timeout)) return timeout
  return rpoplpush(ctx, argv.slice(0, 3))
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
function bzmpop(ctx: ExecContext, argv: Buffer[]): Reply {
  const timeout: number | ErrorReply = parseTimeoutSeconds(argv[1])
  if (isErrorReply(timeout)) return timeout
  return zmpop(ctx, [Buffer.from('zmpop'), ...argv.slice(2)])
}

/** What a blocking command answers when it found nothing: nil array for the pops, nil for the moves (as Redis in MULTI). */
const blockingCommand = (name: string, arity: number, group: string, keys: [number, number, number], summary: string, since: string, run: DataCommand['run'], timeoutArg: (argv: Buffer[]) => number, emptyReply: null | typeof NIL_ARRAY, movableKeys?: DataCommand['movableKeys']): DataCommand =>
  ({ name, arity, flags: ['write', 'blocking'], firstKey: keys[0], lastKey: keys[1], step: keys[2], group, summary, since, run, movableKeys, blocking: { timeoutMs: timeoutAt(timeoutArg), emptyReply, timeoutReply: NIL_ARRAY } })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const blockingCommands: DataCommand[] = [
  blockingCommand('blpop', -3, 'list', [1, -2, 1], 'Remove and get the first element in a list, or block until one is available', '2.0.0', blpop(true), LAST, NIL_ARRAY),
  blockingCommand('brpop', -3, 'list', [1, -2, 1], 'Remove and get the last element in a list, or block until one is available', '2.0.0', blpop(false), LAST, NIL_ARRAY),
  blockingCommand('blmpop', -5, 'list', [0, 0, 0], 'Pop elements from a list, or block until one is available', '7.0.0', blmpop, () => 1, NIL_ARRAY, keysAfterCount(2)),
  blockingCommand('blmove', 6, 'list', [1, 2, 1], 'Pop an element from a list, push it to another list and return it; or block until one is available', '6.2.0', blmove, () => 5, null),
  blockingCommand('brpoplpush', 4, 'list', [1, 2, 1], 'Pop an element from a list, push it to another list and return it; or block until one is available', '2.2.0', brpoplpush, () => 3, null),
  blockingCommand('bzpopmin', -3, 'sorted-set', [1, -2, 1], 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', '5.0.0', bzpop(true), LAST, NIL_ARRAY),
  blockingCommand('bzpopmax', -3, 'sorted-set', [1, -2, 1], 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', '5.0.0', bzpop(false), LAST, NIL_ARRAY),
  blockingCommand('bzmpop', -5, 'sorted-set', [0, 0, 0], 'Remove and return members with scores in a sorted set or block until one is available', '7.0.0', bzmpop, () => 1, NIL_ARRAY, keysAfterCount(2)),
]
