// Function libraries as Redis 7.0 keeps them (functions.c), without IO: a library's code and
// its `#!lua name=<library>` line, the set of libraries one Lua VM has, and Redis's rules for
// adding to it (FUNCTION LOAD [REPLACE], FUNCTION RESTORE), with Redis's error texts. Running
// a library's body is the caller's (a LuaHost, passed as an Evaluate).
import { error, ErrorReply } from '../core/reply'
import { RegisteredFunction, splitArgs } from '../native'

export type FunctionInfo = RegisteredFunction

export interface Library {
  readonly name: string
  /** The whole code, `#!` line included (FUNCTION LIST WITHCODE, DUMP). */
  readonly code: Buffer
  readonly functions: readonly FunctionInfo[]
}

/** Run a library's body in a VM: its functions, or the error reply text. */
export type Evaluate = (body: Buffer) => readonly FunctionInfo[] | string

const NEWLINE = 0x0a
const BAD_NAME = error('ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')

/** Library and function names: letters, digits, underscores, at least one. */
export function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name)
}

/**
 * Redis's functionExtractLibMetaData and the checks after it: the library's name and body (the
 * code from the newline that ends the `#!` line on, so line numbers stay the code's).
 */
export function parseLibraryCode(code: Buffer): { name: string; body: Buffer } | ErrorReply {
  if (code[0] !== 0x23 || code[1] !== 0x21) return error('ERR Missing library metadata')
  const end = code.indexOf(NEWLINE)
  if (end < 0) return error('ERR Invalid library metadata')
  const parts = splitArgs(code.subarray(0, end))
  if (parts === null || parts.length === 0) return error('ERR Invalid library metadata')
  let name: string | null = null
  for (const part of parts.slice(1)) {
    if (part.subarray(0, 5).toString('latin1').toLowerCase() !== 'name=') return error(`ERR Invalid metadata value given: ${part.toString()}`)
    if (name !== null) return error('ERR Invalid metadata value, name argument was given multiple times')
    name = part.subarray(5).toString('latin1')
  }
  if (name === null) return error('ERR Library name was not given')
  if (!validName(name)) return BAD_NAME
  const engine = parts[0].subarray(2)
  if (engine.toString('latin1').toLowerCase() !== 'lua') return error(`ERR Engine '${engine.toString()}' not found`)
  return { name, body: code.subarray(end) }
}

/** The libraries of one VM, and their functions by name (case-insensitive, as FCALL finds them). */
export class LibrarySet {
  private readonly byName = new Map<string, Library>()
  private readonly byFunction = new Map<string, { readonly library: Library; readonly info: FunctionInfo }>()

  get(name: string): Library | undefined {
    return this.byName.get(name)
  }

  /** The function FCALL `name` runs, and its library. */
  find(name: string): { readonly library: Library; readonly info: FunctionInfo } | undefined {
    return this.byFunction.get(name.toLowerCase())
  }

  /** By name (Redis lists them in its hash table's order). */
  libraries(): Library[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  get functionCount(): number {
    return this.byFunction.size
  }

  /** Add or replace a library. Of two functions whose names differ only in case, the first registered answers FCALL. */
  add(library: Library): void {
    this.remove(library.name)
    this.byName.set(library.name, library)
    for (const info of library.functions) {
      const key = info.name.toLowerCase()
      if (!this.byFunction.has(key)) this.byFunction.set(key, { library, info })
    }
  }

  remove(name: string): void {
    const library = this.byName.get(name)
    if (library === undefined) return
    this.byName.delete(name)
    for (const info of library.functions) {
      const key = info.name.toLowerCase()
      if (this.byFunction.get(key)?.library === library) this.byFunction.delete(key)
    }
  }
}

/**
 * Redis's functionsCreateWithLibraryCtx: the library `code` makes, checked against `set` (with
 * `replace`, it may replace its namesake), or Redis's error. `set` is not changed.
 */
export function createLibrary(set: LibrarySet, code: Buffer, replace: boolean, evaluate: Evaluate): Library | ErrorReply {
  const parsed = parseLibraryCode(code)
  if (!('body' in parsed)) return parsed
  if (!replace && set.get(parsed.name) !== undefined) return error(`ERR Library '${parsed.name}' already exists`)
  const functions = evaluate(parsed.body)
  if (typeof functions === 'string') return error(functions)
  if (functions.length === 0) return error('ERR No functions registered')
  for (const info of functions) {
    const owner = set.find(info.name)
    if (owner !== undefined && owner.library.name !== parsed.name) return error(`ERR Function ${info.name} already exists`)
  }
  return { name: parsed.name, code, functions }
}

/**
 * Redis's libraryJoin (FUNCTION RESTORE APPEND | REPLACE): whether `incoming` can join `set`,
 * replacing namesakes when `replace`, or Redis's error. `set` is not changed.
 */
export function joinError(set: LibrarySet, incoming: readonly Library[], replace: boolean): ErrorReply | null {
  const replaced = new Set<string>()
  for (const library of incoming) {
    if (set.get(library.name) === undefined) continue
    if (!replace) return error(`ERR Library ${library.name} already exists`)
    replaced.add(library.name)
  }
  for (const library of incoming) {
    for (const info of library.functions) {
      const owner = set.find(info.name)
      if (owner !== undefined && !replaced.has(owner.library.name)) return error(`ERR Function ${info.name} already exists`)
    }
  }
  return null
}
