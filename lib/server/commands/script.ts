// SCRIPT LOAD / EXISTS / FLUSH / KILL / DEBUG / HELP (Redis 7.0). The script cache is node-wide
// through RocksDB (`script/<sha>`, see lib/commands/scripting.ts): LOAD compiles on the main
// thread's VM (to answer compile errors) and stores the body; EXISTS reads the store; FLUSH
// deletes every body and bumps the epoch that makes every thread's VM forget its scripts.
import { error, OK } from '../../core/reply'
import { mainHost, storeScript } from '../../commands/scripting'
import { clearScripts } from '../../engine/engine'
import { scriptKey } from '../../storage/layout'
import type { ConnHandler } from '../session'
import { container, helpReply, sub } from './util'

// SCRIPT LOAD script
const load: ConnHandler = (services, _session, argv) => {
  const lua = mainHost()
  const sha = lua.sha1hex(argv[2])
  const failed = lua.load(sha, argv[2])
  if (failed !== null) return error(failed)
  storeScript(services.engine, sha, argv[2])
  return sha
}

// SCRIPT EXISTS sha1 [sha1 ...]
const exists: ConnHandler = (services, _session, argv) => {
  const shas = argv.slice(2).map((arg) => arg.toString('latin1').toLowerCase())
  const stored = services.engine.store.getMany('sys', shas.map(scriptKey))
  return shas.map((sha, i) => (sha.length === 40 && stored[i] !== undefined ? 1 : 0))
}

// SCRIPT FLUSH [ASYNC|SYNC]: ordered with every other command (a barrier), so no script runs
// while the bodies go and the epoch moves.
const flush: ConnHandler = (services, _session, argv) => {
  if (argv.length > 3 || (argv.length === 3 && !['sync', 'async'].includes(argv[2].toString('latin1').toLowerCase()))) {
    return error('ERR SCRIPT FLUSH only support SYNC|ASYNC option')
  }
  return services.engine.exclusive((node) => {
    clearScripts(node.store)
    services.engine.scriptEpoch++
    return OK
  })
}

// SCRIPT KILL: scripts here are stopped by their time budget and never keep running past it
// (docs/compatibility.md), so there is never one to kill.
const kill: ConnHandler = () => error('NOTBUSY No scripts in execution right now.')

// SCRIPT DEBUG YES|SYNC|NO
const debug: ConnHandler = (_services, _session, argv) => {
  const mode = argv[2].toString('latin1').toLowerCase()
  if (mode === 'no') return OK
  if (mode === 'yes' || mode === 'sync') return error('ERR SCRIPT DEBUG (the Lua debugger) is not supported by marekvs')
  return error('ERR Use SCRIPT DEBUG YES/SYNC/NO')
}

const HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
]

export const scriptCommand = container('script', 'scripting', 'A container for Lua scripts management commands', '2.6.0', [
  sub('script', 'debug', 3, ['noscript'], 'Set the debug mode for executed scripts.', '3.2.0', debug),
  sub('script', 'exists', -3, ['noscript'], 'Check existence of scripts in the script cache.', '2.6.0', exists),
  sub('script', 'flush', -2, ['noscript'], 'Remove all the scripts from the script cache.', '2.6.0', flush),
  sub('script', 'help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', '5.0.0', () => helpReply('SCRIPT', HELP)),
  sub('script', 'kill', 2, ['noscript', 'allow-busy'], 'Kill the script currently in execution.', '2.6.0', kill),
  sub('script', 'load', 3, ['noscript', 'stale'], 'Load the specified Lua script into the script cache.', '2.6.0', load),
])
