// Connection and server commands: they run on the main thread against the session and the
// node's services, never on a shard. One file per topic; this one assembles them.
import type { ConnCommand } from '../session'
import { clientCommand } from './client'
import { commandCommand } from './command-docs'
import { configCommand } from './config'
import { functionCommand } from './function'
import { connectionCommands } from './connection'
import { infoCommand } from './info'
import { pubsubCommands } from './pubsub'
import { scriptCommand } from './script'
import { serverCommands } from './server'
import { transactionCommands } from './transaction'

export { subcommandOf, unknownSubcommand } from './util'

export const connCommands: ConnCommand[] = [
  ...connectionCommands,
  clientCommand,
  configCommand,
  commandCommand,
  infoCommand,
  scriptCommand,
  functionCommand,
  ...serverCommands,
  ...transactionCommands,
  ...pubsubCommands,
]
