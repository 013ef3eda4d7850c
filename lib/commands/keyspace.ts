// Node-wide key commands: they read or change the whole keyspace, so they run on the main
// thread while every shard is quiet (lib/engine/engine.ts).
import { OK, Reply } from '../core/reply'
import type { NodeCommand, NodeContext } from '../engine/engine'
import { countKeys } from '../engine/exec-context'
import { PARTITIONS } from '../native'

// DBSIZE
function dbsize(node: NodeContext): Reply {
  return countKeys(node.store, PARTITIONS)
}

// FLUSHALL [ASYNC|SYNC] / FLUSHDB [ASYNC|SYNC]: this node's data only (docs/compatibility.md).
async function flush(node: NodeContext, argv: Buffer[]): Promise<Reply> {
  if (argv.length > 2) return { t: 'error', v: 'ERR syntax error' }
  if (argv.length === 2 && !['async', 'sync'].includes(argv[1].toString().toLowerCase())) return { t: 'error', v: 'ERR syntax error' }
  await node.store.clear('meta')
  await node.store.clear('members')
  const counts = Buffer.from('cnt/')
  const end = Buffer.from('cnt0')
  node.store.write(node.store.scan('sys', counts, end, PARTITIONS).map(({ key }) => ({ column: 'sys' as const, key, value: null })), true)
  return OK
}

const keyspace = (name: string, arity: number, flags: string[], summary: string, since: string, group: string, runNode: NodeCommand['runNode']): NodeCommand =>
  ({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, summary, since, runNode })

export const nodeCommands: NodeCommand[] = [
  keyspace('dbsize', 1, ['readonly', 'fast'], 'Return the number of keys in the selected database', '1.0.0', 'server', dbsize),
  keyspace('flushall', -1, ['write'], 'Remove all keys from all databases', '1.0.0', 'server', flush),
  keyspace('flushdb', -1, ['write'], 'Remove all keys from the current database', '1.0.0', 'server', flush),
]
