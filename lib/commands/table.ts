// The one command table of the node: data commands (run on shards), node-wide commands (run
// with shards quiet) and connection commands (run on the main thread). Names are lower-case.
import type { NodeCommand } from '../engine/engine'
import { connCommands } from '../server/commands'
import type { ConnCommand } from '../server/session'
import { dataCommands } from './data-table'
import { nodeCommands } from './keyspace'
import type { DataCommand } from './types'

export type AnyCommand = DataCommand | NodeCommand | ConnCommand

export function buildCommandTable(): ReadonlyMap<string, AnyCommand> {
  const table = new Map<string, AnyCommand>()
  // Internal commands (MULTI/EXEC's) run on shards but cannot be named by clients.
  for (const [name, command] of dataCommands) if (!command.flags.includes('internal')) table.set(name, command)
  for (const command of [...nodeCommands, ...connCommands]) {
    if (table.has(command.name)) throw new Error(`command '${command.name}' is defined twice`)
    table.set(command.name, command)
  }
  return table
}
