// FCALL and FCALL_RO (Redis 7.0), and the function libraries of this thread's Lua VM.
//
// Libraries live in RocksDB (`function/<library>`, sys column) and persist across restarts.
// Every thread that runs scripts (each shard worker, and the main thread) keeps its VM's
// libraries in step with them: FUNCTION LOAD, DELETE, FLUSH and RESTORE run as barriers and
// bump an epoch that every later batch carries (ExecContext.functionEpoch); a thread that sees
// a new one re-reads the stored libraries and loads the ones that changed.
//
// FCALL routes and runs as EVALSHA does (scripting.ts): on the shard of its keys, or with every
// shard paused when they span shards or numkeys is 0; same budget, memory limit and rollback.
import { error, Reply } from '../core/reply'
import { log } from '../log'
import { LUA_LOG, LuaHost } from '../native'
import { prefixEnd, SYS_FUNCTION_PREFIX } from '../storage/layout'
import type { Store } from '../storage/store'
import { Evaluate, LibrarySet, parseLibraryCode } from './function-libraries'
import { hostFor, numKeys, runUndoable, scriptingCommand, scriptLog } from './scripting'
import type { DataCommand, DataHandler } from './types'

/** Where a thread reads the libraries from: the store, and the epoch they were last changed at. */
export interface LibrarySource {
  readonly store: Store
  readonly functionEpoch: number
}

// This thread's libraries, as its VM has them (the module is loaded once per thread).
const libraries = new LibrarySet()
let librariesEpoch = -1

/** The libraries of this thread's VM `lua`, reloaded from the store if they changed since. */
export function threadLibraries(lua: LuaHost, source: LibrarySource): LibrarySet {
  if (source.functionEpoch !== librariesEpoch) {
    syncLibraries(lua, source.store)
    librariesEpoch = source.functionEpoch
  }
  return libraries
}

/** The library codes in the store, by name. */
export function storedLibraries(store: Store): Map<string, Buffer> {
  const stored = new Map<string, Buffer>()
  for (const { key, value } of store.iterate('sys', SYS_FUNCTION_PREFIX, prefixEnd(SYS_FUNCTION_PREFIX))) {
    stored.set(key.subarray(SYS_FUNCTION_PREFIX.length).toString('latin1'), value)
  }
  return stored
}

function syncLibraries(lua: LuaHost, store: Store): void {
  const stored = storedLibraries(store)
  for (const library of libraries.libraries()) {
    if (stored.get(library.name)?.equals(library.code) === true) continue
    libraries.remove(library.name)
    lua.removeLibrary(library.name)
  }
  for (const [name, code] of stored) {
    if (libraries.get(name) !== undefined) continue
    const parsed = parseLibraryCode(code)
    const functions = 'body' in parsed ? lua.loadLibrary(parsed.body, name, libraryLog) : parsed.v
    // Checked when it was stored: only a change of marekvs's Lua host could refuse it now.
    if (typeof functions === 'string') log.error('a stored function library does not load: its functions are unavailable', { library: name, error: functions })
    else libraries.add({ name, code, functions })
  }
}

/** What a library's body may call while it loads: redis.log only. */
function libraryLog(argv: Buffer[], flags: number): Reply {
  if ((flags & 7) === LUA_LOG) scriptLog(Number(argv[0].toString('latin1')), argv[1].toString())
  return null
}

/** A check of a library's body on `lua` that keeps nothing (FUNCTION LOAD, RESTORE). */
export function evaluateOn(lua: LuaHost): Evaluate {
  return (body) => lua.loadLibrary(body, null, libraryLog)
}

const NOT_FOUND = error('ERR Function not found')
const BAD_NUMKEYS = error('ERR Bad number of keys provided')
const WRITE_FLAG_RO = error('ERR Can not execute a script with write flag using *_ro command.')

// FCALL function numkeys [key [key ...]] [arg [arg ...]]
// FCALL_RO: the same, for functions flagged no-writes only.
function fcallGeneric(readOnly: boolean): DataHandler {
  return (ctx, argv) => {
    const lua = hostFor(ctx)
    const found = threadLibraries(lua, ctx).find(argv[1].toString('latin1'))
    if (found === undefined) return NOT_FOUND
    const numkeys = numKeys(argv, BAD_NUMKEYS)
    if (typeof numkeys !== 'number') return numkeys
    const noWrites = found.info.flags.includes('no-writes')
    if (readOnly && !noWrites) return WRITE_FLAG_RO
    const keys = argv.slice(3, 3 + numkeys)
    const args = argv.slice(3 + numkeys)
    const { library, info } = found
    return runUndoable(ctx, lua, info.name, noWrites, argv, keys, (call) => lua.runFunction(library.name, info.name, keys, args, ctx.scriptTimeLimitMs, call))
  }
}

export const functionCommands: DataCommand[] = [
  scriptingCommand('fcall', [], 'Invoke a function', '7.0.0', fcallGeneric(false)),
  scriptingCommand('fcall_ro', ['readonly'], 'Invoke a read-only function', '7.0.0', fcallGeneric(true)),
]
