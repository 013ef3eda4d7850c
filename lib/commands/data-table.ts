// Every data command, by lower-case name. Shard workers import this file alone.
import { keyCommands } from './keys'
import { stringCommands } from './strings'
import type { DataCommand } from './types'

export const dataCommands: ReadonlyMap<string, DataCommand> = new Map(
  [...stringCommands, ...keyCommands].map((command) => [command.name, command]),
)
