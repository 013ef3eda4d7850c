// Every data command, by lower-case name. Shard workers import this file alone.
import { bitmapCommands } from './bitmaps'
import { blockingCommands } from './blocking'
import { functionCommands } from './functions'
import { hashCommands } from './hashes'
import { hyperloglogCommands } from './hyperloglog'
import { keyCommands } from './keys'
import { listCommands } from './lists'
import { scriptingCommands } from './scripting'
import { setCommands } from './sets'
import { streamCommands } from './streams'
import { stringCommands } from './strings'
import { transactionCommands } from './transaction'
import { zsetCommands } from './zsets'
import type { DataCommand } from './types'

const byName = new Map<string, DataCommand>(
  [
    ...stringCommands, ...keyCommands, ...bitmapCommands, ...hyperloglogCommands, ...hashCommands, ...setCommands, ...zsetCommands, ...listCommands,
    ...blockingCommands, ...streamCommands,
  ].map((command) => [command.name, command]),
)
for (const command of transactionCommands((name) => byName.get(name))) byName.set(command.name, command)
// Scripts call through the whole table (redis.call), so they are added last.
for (const command of [...scriptingCommands(byName), ...functionCommands]) byName.set(command.name, command)

export const dataCommands: ReadonlyMap<string, DataCommand> = byName
