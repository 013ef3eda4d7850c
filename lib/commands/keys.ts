// Generic key commands (Redis 7 semantics) that touch named keys. Keyspace-wide commands
// (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSH*) live in keyspace.ts.
import type { Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import type { DataCommand } from './types'

// DEL key [key ...]
function del(ctx: ExecContext, argv: Buffer[]): Reply {
  let deleted = 0
  for (let i = 1; i < argv.length; i++) if (ctx.delete(argv[i])) deleted++
  return deleted
}

// EXISTS key [key ...]  (a key named twice counts twice)
function exists(ctx: ExecContext, argv: Buffer[]): Reply {
  let found = 0
  for (let i = 1; i < argv.length; i++) if (ctx.get(argv[i]) !== null) found++
  return found
}

const generic = (name: string, arity: number, flags: string[], firstKey: number, lastKey: number, step: number, summary: string, since: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey, lastKey, step, group: 'generic', summary, since, run })

export const keyCommands: DataCommand[] = [
  generic('del', -2, ['write'], 1, -1, 1, 'Delete a key', '1.0.0', del),
  generic('unlink', -2, ['write', 'fast'], 1, -1, 1, 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', '4.0.0', del),
  generic('exists', -2, ['readonly', 'fast'], 1, -1, 1, 'Determine if a key exists', '1.0.0', exists),
]
