// Connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT. One user exists, `default`,
// whose password is requirepass (none: any password is accepted, as Redis's `nopass`).
import crypto from 'node:crypto'
import { error, Errors, map, OK, PONG, Reply, status } from '../../core/reply'
import type { ConnCommand, ConnHandler, NodeServices, Session } from '../session'
import { validClientName } from './client'
import { endTransaction } from './transaction'
import { conn, MAREKVS_VERSION, parseInteger, REDIS_VERSION } from './util'

const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.')
const NO_PASSWORD_SET = error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?')
const HELLO_NOAUTH = error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time')
const RESET = status('RESET')
const NAME_INVALID = error('ERR Client names cannot contain spaces, newlines or special characters.')

/** Does this user/password pair log in? Constant time in the password. */
export function passwordOk(requirepass: string, user: Buffer, password: Buffer): boolean {
  if (user.toString() !== 'default') return false
  if (requirepass === '') return true // the default user has `nopass`
  const want = crypto.createHash('sha256').update(requirepass).digest()
  const got = crypto.createHash('sha256').update(password).digest()
  return crypto.timingSafeEqual(want, got)
}

// PING [message]
const ping: ConnHandler = (services, session, argv) => {
  if (argv.length > 2) return Errors.wrongArity('ping')
  // A RESP2 subscriber cannot tell a status from a message: Redis answers it an array.
  if (session.proto === 2 && services.pubsub.isSubscribed(session)) return ['pong', argv.length > 1 ? argv[1] : '']
  return argv.length > 1 ? argv[1] : PONG
}

// ECHO message
const echo: ConnHandler = (_services, _session, argv) => argv[1]

// QUIT
const quit: ConnHandler = (_services, session) => {
  session.closeAfterReply()
  return OK
}

// AUTH [username] password
const auth: ConnHandler = (services, session, argv) => {
  if (argv.length > 3) return Errors.syntax
  if (argv.length === 2 && services.live.requirepass === '') return NO_PASSWORD_SET
  const user = argv.length === 3 ? argv[1] : Buffer.from('default')
  if (!passwordOk(services.live.requirepass, user, argv[argv.length - 1])) return WRONGPASS
  session.setAuthenticated(true)
  return OK
}

/** HELLO's reply map, in Redis's order; `marekvs_version` last (clients read fields by name). */
export function helloReply(services: NodeServices, session: Session): Reply {
  return map([
    'server', 'redis',
    'version', REDIS_VERSION,
    'proto', session.proto,
    'id', session.id,
    'mode', 'standalone',
    // A node replicating from an upstream Redis (MAREKVS_REPLICAOF) answers as a Redis replica does.
    'role', services.replication === null ? 'master' : 'replica',
    'modules', [],
    'marekvs_version', MAREKVS_VERSION,
  ])
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
const hello: ConnHandler = (services, session, argv) => {
  let proto: 2 | 3 | null = null
  if (argv.length >= 2) {
    const version = parseInteger(argv[1])
    if (version === null) return error('ERR Protocol version is not an integer or out of range')
    if (version !== 2n && version !== 3n) return error('NOPROTO unsupported protocol version')
    proto = version === 2n ? 2 : 3
  }
  let credentials: [Buffer, Buffer] | null = null
  let name: Buffer | null = null
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i].toString().toLowerCase()
    const left = argv.length - i - 1
    if (option === 'auth' && left >= 2) {
      credentials = [argv[i + 1], argv[i + 2]]
      i += 2
    } else if (option === 'setname' && left >= 1) {
      name = argv[i + 1]
      i += 1
    } else {
      return error(`ERR Syntax error in HELLO option '${argv[i].toString().slice(0, 128)}'`)
    }
  }
  if (credentials !== null) {
    if (!passwordOk(services.live.requirepass, credentials[0], credentials[1])) return WRONGPASS
    session.setAuthenticated(true)
  }
  if (!session.authenticated) return HELLO_NOAUTH
  if (name !== null) {
    if (!validClientName(name)) return NAME_INVALID
    session.name = name.length === 0 ? null : name.toString()
  }
  if (proto !== null) session.proto = proto
  return helloReply(services, session)
}

// RESET
const reset: ConnHandler = (services, session) => {
  session.proto = 2
  session.name = null
  session.monitoring = false
  services.monitors.delete(session)
  endTransaction(session)
  services.pubsub.remove(session)
  session.setAuthenticated(services.live.requirepass === '')
  return RESET
}

// SELECT index
const select: ConnHandler = (_services, _session, argv) => {
  const index = parseInteger(argv[1])
  if (index === null) return Errors.notInteger
  // Redis reads the index as a C int.
  if (index < -(2n ** 31n) || index >= 2n ** 31n) return error('ERR value is out of range, value must between -2147483648 and 2147483647')
  return index === 0n ? OK : error('ERR DB index is out of range')
}

const NO_AUTH = ['noscript', 'loading', 'stale', 'fast', 'no-auth', 'allow-busy']

export const connectionCommands: ConnCommand[] = [
  conn('ping', -1, ['fast'], 'connection', 'Ping the server', '1.0.0', ping),
  conn('echo', 2, ['loading', 'stale', 'fast'], 'connection', 'Echo the given string', '1.0.0', echo),
  conn('quit', -1, NO_AUTH, 'connection', 'Close the connection', '1.0.0', quit),
  conn('auth', -2, NO_AUTH, 'connection', 'Authenticate to the server', '1.0.0', auth),
  conn('hello', -1, NO_AUTH, 'connection', 'Handshake with Redis', '6.0.0', hello),
  conn('reset', 1, NO_AUTH, 'connection', 'Reset the connection', '6.2.0', reset),
  conn('select', 2, ['loading', 'stale', 'fast'], 'connection', 'Change the selected database for the current connection', '1.0.0', select),
]
