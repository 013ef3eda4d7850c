// CLIENT: ID SETNAME GETNAME LIST INFO KILL GETREDIR NO-EVICT HELP. Every session is a client
// of the one `default` user in db 0, of type `pubsub` while it has subscriptions and `normal`
// otherwise; there are no replicas or tracking clients to tell apart (docs/compatibility.md).
import { error, Errors, OK, Reply, verbatim } from '../../core/reply'
import type { ConnCommand, ConnHandler, NodeServices, Session } from '../session'
import { ADMIN_FLAGS, container, helpReply, parseInteger, PLAIN_FLAGS, sub } from './util'

const NAME_INVALID = error('ERR Client names cannot contain spaces, newlines or special characters.')
const NO_SUCH_CLIENT = error('ERR No such client')
const CLIENT_TYPES = ['normal', 'master', 'slave', 'replica', 'pubsub']

/** Redis allows names of printable ASCII without spaces ('!' to '~'); empty clears the name. */
export function validClientName(name: Buffer): boolean {
  for (const byte of name) if (byte < 0x21 || byte > 0x7e) return false
  return true
}

/** A session's subscription counts (CLIENT LIST `sub=`, `psub=`). */
export interface SubscriptionCounts { readonly channels: number; readonly patterns: number }
const NO_SUBSCRIPTIONS: SubscriptionCounts = Object.freeze({ channels: 0, patterns: 0 })

/** The session's fields CLIENT LIST shows (a Session has them all). */
export type ClientFacts = Pick<Session, 'id' | 'addr' | 'laddr' | 'fd' | 'name' | 'createdMs' | 'lastActiveMs' | 'monitoring' | 'lastCommand' | 'proto' | 'inputBytes' | 'outputBytes'>

/**
 * One CLIENT LIST line, in Redis 7.0's field order, without the newline. `argvMem` is the size
 * of the command the client is running (the caller's own CLIENT LIST), 0 for the others.
 * Fields for features marekvs has no equivalent of carry Redis's idle values.
 */
export function clientLine(c: ClientFacts, nowMs: number, argvMem = 0, subs: SubscriptionCounts = NO_SUBSCRIPTIONS): string {
  const age = Math.max(0, Math.floor((nowMs - c.createdMs) / 1000))
  const idle = Math.max(0, Math.floor((nowMs - c.lastActiveMs) / 1000))
  const flags = (c.monitoring ? 'O' : '') + (subs.channels + subs.patterns > 0 ? 'P' : '') || 'N'
  const events = c.outputBytes > 0 ? 'rw' : 'r'
  const totMem = c.inputBytes + c.outputBytes + argvMem
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd ?? -1} name=${c.name ?? ''} age=${age} idle=${idle} flags=${flags} db=0` +
    ` sub=${subs.channels} psub=${subs.patterns} ssub=0 multi=-1 qbuf=${c.inputBytes} qbuf-free=0 argv-mem=${argvMem} multi-mem=0 rbs=0 rbp=0` +
    ` obl=0 oll=0 omem=${c.outputBytes} tot-mem=${totMem} events=${events} cmd=${c.lastCommand.toLowerCase()} user=default redir=-1 resp=${c.proto}`
}

function argvBytes(argv: Buffer[]): number {
  let n = 0
  for (const arg of argv) n += arg.length
  return n
}

/** Every session the node knows, the caller included even when it is not a network client. */
function allSessions(services: NodeServices, self: Session): Session[] {
  const list = [...services.sessions()]
  if (!list.includes(self)) list.push(self)
  return list.sort((a, b) => a.id - b.id)
}

/** Redis's client types: a session with subscriptions is `pubsub` (CLIENT LIST/KILL TYPE). */
function typeOf(services: NodeServices, s: Session): string {
  return services.pubsub.isSubscribed(s) ? 'pubsub' : 'normal'
}

function lines(services: NodeServices, sessions: Session[], self: Session, argv: Buffer[]): Reply {
  const now = Date.now()
  let out = ''
  for (const s of sessions) out += clientLine(s, now, s === self ? argvBytes(argv) : 0, services.pubsub.counts(s)) + '\n'
  return verbatim(out)
}

export type ListFilter = { kind: 'all' } | { kind: 'type'; type: string } | { kind: 'ids'; ids: Set<number> }

/** CLIENT LIST's arguments (after LIST), as Redis 7.0 reads them: TYPE t, or ID id [id ...]. */
export function parseListFilter(args: Buffer[]): ListFilter | Reply {
  if (args.length === 0) return { kind: 'all' }
  const option = args[0].toString().toLowerCase()
  if (option === 'type' && args.length === 2) {
    const type = args[1].toString().toLowerCase()
    if (!CLIENT_TYPES.includes(type)) return error(`ERR Unknown client type '${args[1].toString()}'`)
    return { kind: 'type', type }
  }
  if (option === 'id' && args.length >= 2) {
    const ids = new Set<number>()
    for (const arg of args.slice(1)) {
      const id = parseInteger(arg)
      if (id === null) return error('ERR Invalid client ID')
      ids.add(Number(id))
    }
    return { kind: 'ids', ids }
  }
  return Errors.syntax
}

export interface KillFilter {
  id?: number
  addr?: string
  laddr?: string
  /** Only `normal` matches anything here. */
  type?: string
  skipme: boolean
}

/** CLIENT KILL's filters (after KILL, at least two arguments), as Redis 7.0 reads them. */
export function parseKillFilter(args: Buffer[]): KillFilter | Reply {
  const filter: KillFilter = { skipme: true }
  for (let i = 0; i < args.length; i += 2) {
    if (i + 1 >= args.length) return Errors.syntax
    const option = args[i].toString().toLowerCase()
    const value = args[i + 1].toString()
    if (option === 'id') {
      const id = parseInteger(value)
      if (id === null || id < 1n) return error('ERR client-id should be greater than 0')
      filter.id = Number(id)
    } else if (option === 'type') {
      const type = value.toLowerCase()
      if (!CLIENT_TYPES.includes(type)) return error(`ERR Unknown client type '${value}'`)
      filter.type = type
    } else if (option === 'addr') {
      filter.addr = value
    } else if (option === 'laddr') {
      filter.laddr = value
    } else if (option === 'user') {
      if (value !== 'default') return error(`ERR No such user '${value}'`)
    } else if (option === 'skipme') {
      const word = value.toLowerCase()
      if (word !== 'yes' && word !== 'no') return Errors.syntax
      filter.skipme = word === 'yes'
    } else {
      return Errors.syntax
    }
  }
  return filter
}

/** Does a KILL filter select this session (of client type `type`)? */
export function killMatches(filter: KillFilter, s: Pick<Session, 'id' | 'addr' | 'laddr'>, self: boolean, type = 'normal'): boolean {
  if (filter.skipme && self) return false
  if (filter.id !== undefined && s.id !== filter.id) return false
  if (filter.addr !== undefined && s.addr !== filter.addr) return false
  if (filter.laddr !== undefined && s.laddr !== filter.laddr) return false
  if (filter.type !== undefined && filter.type !== type) return false
  return true
}

/** Parsers return a struct or an error reply; the structs have no `t` tag. */
function isReply<T extends object>(x: T | Reply): x is Reply {
  return x === null || typeof x !== 'object' || Array.isArray(x) || Buffer.isBuffer(x) || 't' in (x as object)
}

/** Close a session: now for others, after this reply for oneself (as Redis). */
function killSession(s: Session, self: Session): void {
  if (s === self) s.closeAfterReply()
  else s.kill()
}

// CLIENT ID
const id: ConnHandler = (_services, session) => session.id

// CLIENT SETNAME connection-name
const setname: ConnHandler = (_services, session, argv) => {
  if (!validClientName(argv[2])) return NAME_INVALID
  session.name = argv[2].length === 0 ? null : argv[2].toString()
  return OK
}

// CLIENT GETNAME
const getname: ConnHandler = (_services, session) => session.name

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
const list: ConnHandler = (services, session, argv) => {
  const f = parseListFilter(argv.slice(2))
  if (isReply(f)) return f
  const sessions = allSessions(services, session).filter((s) =>
    f.kind === 'all' || (f.kind === 'type' ? f.type === typeOf(services, s) : f.ids.has(s.id)))
  return lines(services, sessions, session, argv)
}

// CLIENT INFO
const info: ConnHandler = (services, session, argv) => verbatim(clientLine(session, Date.now(), argvBytes(argv), services.pubsub.counts(session)) + '\n')

// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes/no]
const kill: ConnHandler = (services, session, argv) => {
  if (argv.length === 3) {
    const addr = argv[2].toString()
    const target = allSessions(services, session).find((s) => s.addr === addr)
    if (target === undefined) return NO_SUCH_CLIENT
    killSession(target, session)
    return OK
  }
  const filter = parseKillFilter(argv.slice(2))
  if (isReply(filter)) return filter
  let killed = 0
  for (const s of allSessions(services, session)) {
    if (!killMatches(filter, s, s === session, typeOf(services, s))) continue
    killSession(s, session)
    killed++
  }
  return killed
}

// CLIENT GETREDIR
const getredir: ConnHandler = () => -1

// CLIENT NO-EVICT ON|OFF
const noEvict: ConnHandler = (_services, _session, argv) => {
  const word = argv[2].toString().toLowerCase()
  return word === 'on' || word === 'off' ? OK : Errors.syntax
}

const HELP = [
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
]

// CLIENT HELP
const help: ConnHandler = () => helpReply('CLIENT', HELP)


export const clientCommand: ConnCommand = container('client', 'connection', 'A container for client connection commands', '2.4.0', [
  sub('client', 'id', 2, PLAIN_FLAGS, 'Returns the client ID for the current connection', '5.0.0', id),
  sub('client', 'setname', 3, PLAIN_FLAGS, 'Set the current connection name', '2.6.9', setname),
  sub('client', 'getname', 2, PLAIN_FLAGS, 'Get the current connection name', '2.6.9', getname),
  sub('client', 'list', -2, ADMIN_FLAGS, 'Get the list of client connections', '2.4.0', list),
  sub('client', 'info', 2, PLAIN_FLAGS, 'Returns information about the current client connection.', '6.2.0', info),
  sub('client', 'kill', -3, ADMIN_FLAGS, 'Kill the connection of a client', '2.4.0', kill),
  sub('client', 'getredir', 2, PLAIN_FLAGS, 'Get tracking notifications redirection client ID if any', '6.0.0', getredir),
  sub('client', 'no-evict', 3, ADMIN_FLAGS, 'Set client eviction mode for the current connection', '7.0.0', noEvict),
  sub('client', 'help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', '5.0.0', help),
])
