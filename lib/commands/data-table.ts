// Every data command, by lower-case name. Shard workers import this file alone.
import { bitmapCommands } from './bitmaps'
import { hyperloglogCommands } from './hyperloglog'
import { keyCommands } from './keys'
import { stringCommands } from './strings'
import type { DataCommand } from './types'

export const dataCommands: ReadonlyMap<string, DataCommand> = new Map(
  [...stringCommands, ...keyCommands, ...bitmapCommands, ...hyperloglogCommands].map((command) => [command.name, command]),
)
