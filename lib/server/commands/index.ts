// Connection and server commands: they run on the main thread against the session and the
// node's services, never on a shard.
import { error, OK, PONG, Reply } from '../../core/reply'
import type { ConnCommand, ConnHandler } from '../session'

// PING [message]
const ping: ConnHandler = (_services, _session, argv) => (argv.length > 1 ? argv[1] : PONG)

// ECHO message
const echo: ConnHandler = (_services, _session, argv) => argv[1]

// QUIT
const quit: ConnHandler = (_services, session) => {
  session.closeAfterReply()
  return OK
}

const conn = (name: string, arity: number, flags: string[], group: string, summary: string, since: string, runConn: ConnHandler): ConnCommand =>
  ({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, summary, since, runConn })

export const connCommands: ConnCommand[] = [
  conn('ping', -1, ['fast', 'stale'], 'connection', 'Ping the server', '1.0.0', ping),
  conn('echo', 2, ['fast'], 'connection', 'Echo the given string', '1.0.0', echo),
  conn('quit', -1, ['no-auth', 'fast', 'allow-busy'], 'connection', 'Close the connection', '1.0.0', quit),
]

/** For handlers: Redis's reply to an unknown subcommand. */
export function unknownSubcommand(argv: Buffer[]): Reply {
  return error(`ERR unknown subcommand '${argv[1].toString()}'. Try ${argv[0].toString().toUpperCase()} HELP.`)
}
