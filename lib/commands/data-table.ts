// Every data command, by lower-case name. Shard workers import this file alone.
import { hashCommands } from './hashes'
import { keyCommands } from './keys'
import { listCommands } from './lists'
import { setCommands } from './sets'
import { stringCommands } from './strings'
import type { DataCommand } from './types'

export const dataCommands: ReadonlyMap<string, DataCommand> = new Map(
  [...stringCommands, ...keyCommands, ...hashCommands, ...setCommands, ...listCommands].map((command) => [command.name, command]),
)
