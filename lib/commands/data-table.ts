// Every data command, by lower-case name. Shard workers import this file alone.
import { hashCommands } from './hashes'
import { keyCommands } from './keys'
import { setCommands } from './sets'
import { stringCommands } from './strings'
import type { DataCommand } from './types'
import { zsetCommands } from './zsets'

export const dataCommands: ReadonlyMap<string, DataCommand> = new Map(
  [...stringCommands, ...keyCommands, ...hashCommands, ...setCommands, ...zsetCommands].map((command) => [command.name, command]),
)
