// FUNCTION LOAD | DELETE | FLUSH | LIST | DUMP | RESTORE | STATS | KILL | HELP (Redis 7.0).
// Libraries live in RocksDB (`function/<library>`, commands/functions.ts); the main thread's
// VM checks a library as Redis does (commands/function-libraries.ts) before it is stored.
// Commands that change libraries run as barriers (Engine.exclusive), in order with every other
// command, and bump the epoch that makes every thread's VM reload them.
import { error, ErrorReply, isError, map, OK, Reply, set, status } from '../../core/reply'
import { createLibrary, joinError, Library, LibrarySet } from '../../commands/function-libraries'
import { decodeFunctionPayload, encodeFunctionPayload } from '../../commands/function-payload'
import { evaluateOn, storedLibraries, threadLibraries } from '../../commands/functions'
import { mainHost } from '../../commands/scripting'
import type { Engine } from '../../engine/engine'
import { functionKey } from '../../storage/layout'
import type { WriteOp } from '../../storage/store'
import type { ConnHandler } from '../session'
import { container, globMatch, helpReply, sub } from './util'

/** The main thread's libraries. */
function mainLibraries(engine: Engine): LibrarySet {
  return threadLibraries(mainHost(), engine)
}

/** Store and delete libraries (synced: they are meant to outlive the node), then make every thread reload. */
function commit(engine: Engine, put: readonly Library[], remove: readonly string[]): void {
  const ops: WriteOp[] = remove.map((name) => ({ column: 'sys', key: functionKey(name), value: null }))
  for (const library of put) ops.push({ column: 'sys', key: functionKey(library.name), value: Buffer.from(library.code) })
  engine.store.write(ops, true)
  engine.librariesChanged()
}

/** Redis's addReplySubcommandSyntaxError. */
function syntaxError(argv: Buffer[]): ErrorReply {
  return error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString().slice(0, 128)}'. Try FUNCTION HELP.`)
}

// FUNCTION LOAD [REPLACE] code
const load: ConnHandler = (services, _session, argv) => {
  let replace = false
  let at = 2
  for (; at < argv.length - 1; at++) {
    if (argv[at].toString('latin1').toLowerCase() !== 'replace') return error(`ERR Unknown option given: ${argv[at].toString()}`)
    replace = true
  }
  const code = argv[at]
  return services.engine.exclusive(() => {
    const library = createLibrary(mainLibraries(services.engine), code, replace, evaluateOn(mainHost()))
    if (!('code' in library)) return library
    commit(services.engine, [library], [])
    return library.name
  })
}

// FUNCTION DELETE library-name
const del: ConnHandler = (services, _session, argv) => services.engine.exclusive(() => {
  const name = argv[2].toString('latin1')
  if (mainLibraries(services.engine).get(name) === undefined) return error('ERR Library not found')
  commit(services.engine, [], [name])
  return OK
})

// FUNCTION FLUSH [ASYNC|SYNC]
const flush: ConnHandler = (services, _session, argv) => {
  if (argv.length > 3) return syntaxError(argv)
  if (argv.length === 3 && !['sync', 'async'].includes(argv[2].toString('latin1').toLowerCase())) {
    return error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option')
  }
  return services.engine.exclusive(() => {
    commit(services.engine, [], [...storedLibraries(services.engine.store).keys()])
    return OK
  })
}

/** One library as FUNCTION LIST shows it (a map: a flat array in RESP2). */
function listEntry(library: Library, withCode: boolean): Reply {
  const functions = library.functions.map((info) => map([
    'name', info.name, 'description', info.description, 'flags', set(info.flags.map(status)),
  ]))
  const entry: Reply[] = ['library_name', library.name, 'engine', 'LUA', 'functions', functions]
  if (withCode) entry.push('library_code', library.code)
  return map(entry)
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
const list: ConnHandler = (services, _session, argv) => {
  let withCode = false
  let pattern: string | null = null
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i].toString('latin1').toLowerCase()
    if (!withCode && arg === 'withcode') {
      withCode = true
    } else if (pattern === null && arg === 'libraryname') {
      if (i >= argv.length - 1) return error('ERR library name argument was not given')
      pattern = argv[++i].toString('latin1')
    } else {
      return error(`ERR Unknown argument ${argv[i].toString()}`)
    }
  }
  return mainLibraries(services.engine).libraries()
    .filter((library) => pattern === null || globMatch(pattern, library.name, true))
    .map((library) => listEntry(library, withCode))
}

// FUNCTION DUMP
const dump: ConnHandler = (services) => encodeFunctionPayload(mainLibraries(services.engine).libraries().map((library) => library.code))

const RESTORE_POLICIES = ['flush', 'append', 'replace']

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
const restore: ConnHandler = (services, _session, argv) => {
  if (argv.length > 4) return syntaxError(argv)
  const policy = argv.length === 4 ? argv[3].toString('latin1').toLowerCase() : 'append'
  if (!RESTORE_POLICIES.includes(policy)) return error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.')
  const codes = decodeFunctionPayload(argv[2])
  if (isError(codes)) return codes
  return services.engine.exclusive(() => {
    // As Redis: every library of the payload is checked on its own first, then joined.
    const incoming = new LibrarySet()
    const evaluate = evaluateOn(mainHost())
    for (const code of codes) {
      const library = createLibrary(incoming, code, false, evaluate)
      if (!('code' in library)) return library
      incoming.add(library)
    }
    const current = mainLibraries(services.engine)
    if (policy !== 'flush') {
      const refused = joinError(current, incoming.libraries(), policy === 'replace')
      if (refused !== null) return refused
    }
    const removed = policy === 'flush' ? [...storedLibraries(services.engine.store).keys()] : []
    commit(services.engine, incoming.libraries(), removed)
    return OK
  })
}

// FUNCTION STATS: no function is ever running when the main thread answers (see KILL).
const stats: ConnHandler = (services) => {
  const libraries = mainLibraries(services.engine).libraries()
  const functions = libraries.reduce((n, library) => n + library.functions.length, 0)
  return map([
    'running_script', null,
    'engines', map(['LUA', map(['libraries_count', libraries.length, 'functions_count', functions])]),
  ])
}

// FUNCTION KILL: functions are stopped by their time budget, as scripts (SCRIPT KILL).
const kill: ConnHandler = () => error('NOTBUSY No scripts in execution right now.')

const HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
]

export const functionCommand = container('function', 'scripting', 'A container for function commands', '7.0.0', [
  sub('function', 'delete', 3, ['write', 'noscript'], 'Delete a function by name', '7.0.0', del),
  sub('function', 'dump', 2, ['noscript'], 'Dump all functions into a serialized binary payload', '7.0.0', dump),
  sub('function', 'flush', -2, ['write', 'noscript'], 'Deleting all functions', '7.0.0', flush),
  sub('function', 'help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', '7.0.0', () => helpReply('FUNCTION', HELP)),
  sub('function', 'kill', 2, ['noscript', 'allow-busy'], 'Kill the function currently in execution.', '7.0.0', kill),
  sub('function', 'list', -2, ['noscript'], 'List information about all the functions', '7.0.0', list),
  sub('function', 'load', -3, ['write', 'denyoom', 'noscript'], 'Create a function with the given arguments (name, code, description)', '7.0.0', load),
  sub('function', 'restore', -3, ['write', 'denyoom', 'noscript'], 'Restore all the functions on the given payload', '7.0.0', restore),
  sub('function', 'stats', 2, ['noscript', 'allow-busy'], 'Return information about the function currently running (name, description, duration)', '7.0.0', stats),
])
