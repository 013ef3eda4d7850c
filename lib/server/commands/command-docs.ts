// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | GETKEYSANDFLAGS | HELP]: everything comes from
// the one command table (DESIGN.md §8). Redis 7.0's reply shapes; ACL categories are derived
// from flags and group, key specs from the first/last/step key positions.
import { error, Errors, map, Reply, set, status } from '../../core/reply'
import type { CommandInfo } from '../../commands/types'
import { arityOk, keysOf } from '../../commands/types'
import type { ConnCommand, ConnHandler, NodeServices } from '../session'
import { container, globMatch, helpReply, sub } from './util'

type Entry = CommandInfo & { readonly subcommands?: readonly ConnCommand[] }

/** Redis's ACL categories in its own order (the order COMMAND INFO lists them in). */
const CATEGORY_ORDER = ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting']

const CATEGORY_OF_GROUP: Record<string, string> = {
  generic: 'keyspace', string: 'string', list: 'list', hash: 'hash', set: 'set', 'sorted-set': 'sortedset',
  stream: 'stream', hyperloglog: 'hyperloglog', geo: 'geo', bitmap: 'bitmap', pubsub: 'pubsub',
  scripting: 'scripting', transactions: 'transaction', connection: 'connection',
}

/** ACL categories without the `@`, in Redis's order. */
export function aclCategories(entry: Pick<CommandInfo, 'flags' | 'group'>, isContainer = false): string[] {
  const cats = new Set<string>()
  const flags = entry.flags
  if (flags.includes('write')) cats.add('write')
  // (Redis does not count its read-only scripting commands, EVAL_RO and FCALL_RO, as @read.)
  if (flags.includes('readonly') && entry.group !== 'scripting') cats.add('read')
  if (flags.includes('admin')) {
    cats.add('admin')
    cats.add('dangerous')
  }
  if (flags.includes('pubsub')) cats.add('pubsub')
  if (flags.includes('blocking')) cats.add('blocking')
  cats.add(flags.includes('fast') ? 'fast' : 'slow')
  // Redis gives a container only @slow; its subcommands carry the group's category.
  const fromGroup = CATEGORY_OF_GROUP[entry.group]
  if (fromGroup !== undefined && !isContainer) cats.add(fromGroup)
  return CATEGORY_ORDER.filter((c) => cats.has(c))
}

/** Redis spells flags with underscores on the wire (`no_auth`). */
const wireFlag = (flag: string) => flag.replace(/-/g, '_')

function keySpecs(entry: Entry): Reply {
  if (entry.firstKey === 0) return set([])
  const flags = entry.flags.includes('readonly') ? ['RO', 'access'] : entry.flags.includes('write') ? ['RW', 'update'] : ['RW', 'access', 'update']
  const lastkey = entry.lastKey < 0 ? entry.lastKey : entry.lastKey - entry.firstKey
  return [map([
    'flags', set(flags.map(status)),
    'begin_search', map(['type', 'index', 'spec', map(['index', entry.firstKey])]),
    'find_keys', map(['type', 'range', 'spec', map(['lastkey', lastkey, 'keystep', entry.step, 'limit', 0])]),
  ])]
}

/** One COMMAND INFO entry: the 10 fields of Redis 7.0. */
export function commandInfo(entry: Entry): Reply {
  const isContainer = entry.subcommands !== undefined
  return [
    entry.name,
    entry.arity,
    set(entry.flags.map((f) => status(wireFlag(f)))),
    entry.firstKey,
    entry.lastKey,
    entry.step,
    set(aclCategories(entry, isContainer).map((c) => status(`@${c}`))),
    set([]),
    keySpecs(entry),
    entry.subcommands === undefined ? set([]) : entry.subcommands.map(commandInfo),
  ]
}

/** One COMMAND DOCS entry (summary, since, group; subcommands for containers). */
export function commandDocs(entry: Entry): Reply {
  const docs: Reply[] = ['summary', entry.summary, 'since', entry.since, 'group', entry.group]
  if (entry.subcommands !== undefined) {
    const subs: Reply[] = []
    for (const s of entry.subcommands) subs.push(s.name, commandDocs(s))
    docs.push('subcommands', map(subs))
  }
  return map(docs)
}

function sortedEntries(services: NodeServices): Entry[] {
  return [...services.commands.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) as Entry[]
}

/** A top-level name or a `container|sub` name. */
function lookup(services: NodeServices, name: string): Entry | undefined {
  const lower = name.toLowerCase()
  const bar = lower.indexOf('|')
  if (bar < 0) return services.commands.get(lower) as Entry | undefined
  const parent = services.commands.get(lower.slice(0, bar)) as Entry | undefined
  return parent?.subcommands?.find((s) => s.name === lower)
}

// COMMAND
const all: ConnHandler = (services) => sortedEntries(services).map(commandInfo)

// COMMAND COUNT
const count: ConnHandler = (services) => services.commands.size

// COMMAND INFO [command-name ...]
const info: ConnHandler = (services, _session, argv) => {
  if (argv.length === 2) return sortedEntries(services).map(commandInfo)
  return argv.slice(2).map((name) => {
    const entry = lookup(services, name.toString())
    return entry === undefined ? null : commandInfo(entry)
  })
}

// COMMAND DOCS [command-name ...]
const docs: ConnHandler = (services, _session, argv) => {
  const out: Reply[] = []
  const entries = argv.length === 2 ? sortedEntries(services) : argv.slice(2).map((n) => lookup(services, n.toString()))
  for (const entry of entries) if (entry !== undefined) out.push(entry.name, commandDocs(entry))
  return map(out)
}

// COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]
const list: ConnHandler = (services, _session, argv) => {
  let keep: (e: Entry, parent: Entry | null) => boolean = () => true
  if (argv.length !== 2) {
    if (argv.length !== 5 || argv[2].toString().toLowerCase() !== 'filterby') return Errors.syntax
    const kind = argv[3].toString().toLowerCase()
    const value = argv[4].toString()
    if (kind === 'module') keep = () => false // no modules
    else if (kind === 'aclcat') keep = (e, parent) => aclCategories(parent !== null ? { ...e, group: parent.group } : e, e.subcommands !== undefined).includes(value.toLowerCase())
    else if (kind === 'pattern') keep = (e) => globMatch(value, e.name, true)
    else return Errors.syntax
  }
  const names: Reply[] = []
  for (const entry of sortedEntries(services)) {
    if (keep(entry, null)) names.push(entry.name)
    for (const s of entry.subcommands ?? []) if (keep(s as Entry, entry)) names.push(s.name)
  }
  return names
}

/** The keys of a full command line, or Redis's error for it. */
function getKeys(services: NodeServices, args: Buffer[]): Buffer[] | Reply {
  const entry = services.commands.get(args[0].toString('latin1').toLowerCase()) as Entry | undefined
  if (entry === undefined) return error('ERR Invalid command specified')
  if (!arityOk(entry.arity, args.length)) return error('ERR Invalid number of arguments specified for command')
  const keys = keysOf(entry, args)
  if (keys.length === 0) return error('ERR The command has no key arguments')
  return keys
}

// COMMAND GETKEYS command [arg ...]
const getkeys: ConnHandler = (services, _session, argv) => getKeys(services, argv.slice(2))

// COMMAND GETKEYSANDFLAGS command [arg ...]
const getkeysandflags: ConnHandler = (services, _session, argv) => {
  const keys = getKeys(services, argv.slice(2))
  if (!Array.isArray(keys)) return keys
  const entry = services.commands.get(argv[2].toString('latin1').toLowerCase())!
  const flags = entry.flags.includes('readonly') ? ['RO', 'access'] : ['RW', 'update']
  return keys.map((k) => [k, flags.map(status)])
}

const HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
]

// COMMAND HELP
const help: ConnHandler = () => helpReply('COMMAND', HELP)

const FLAGS = ['loading', 'stale']

const inner = container('command', 'server', 'Get array of Redis command details', '2.8.13', [
  sub('command', 'count', 2, FLAGS, 'Get total number of Redis commands', '2.8.13', count),
  sub('command', 'info', -2, FLAGS, 'Get array of specific Redis command details, or all when no argument is given.', '2.8.13', info),
  sub('command', 'docs', -2, FLAGS, 'Get array of specific Redis command documentation', '7.0.0', docs),
  sub('command', 'list', -2, FLAGS, 'Get an array of Redis command names', '7.0.0', list),
  sub('command', 'getkeys', -3, FLAGS, 'Extract keys given a full Redis command', '2.8.13', getkeys),
  sub('command', 'getkeysandflags', -3, FLAGS, 'Extract keys and access flags given a full Redis command', '7.0.0', getkeysandflags),
  sub('command', 'help', 2, FLAGS, 'Show helpful text about the different subcommands', '5.0.0', help),
])

/** COMMAND alone lists everything; with a subcommand it is a container like CLIENT. */
export const commandCommand: ConnCommand = {
  ...inner,
  arity: -1,
  flags: ['loading', 'stale'],
  runConn: (services, session, argv) => (argv.length === 1 ? all(services, session, argv) : inner.runConn(services, session, argv)),
}
