// Shared pieces of the connection and server commands: the table-entry constructor, container
// commands (CLIENT, CONFIG, COMMAND) with their subcommands, and Redis's HELP and error wording.
import fs from 'node:fs'
import path from 'node:path'
import { error, Reply, status } from '../../core/reply'
import type { ConnCommand, ConnHandler } from '../session'

/** Redis's flags for admin subcommands, and for the plain ones of the same containers. */
export const ADMIN_FLAGS = ['admin', 'noscript', 'loading', 'stale']
export const PLAIN_FLAGS = ['noscript', 'loading', 'stale']

export const conn = (name: string, arity: number, flags: string[], group: string, summary: string, since: string, runConn: ConnHandler): ConnCommand =>
  ({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, summary, since, runConn })

/** A subcommand entry; its name is Redis's full name, `client|setname`. */
export const sub = (container: string, name: string, arity: number, flags: string[], summary: string, since: string, runConn: ConnHandler): ConnCommand =>
  conn(`${container}|${name}`, arity, flags, '', summary, since, runConn)

/**
 * A container command (CLIENT, CONFIG, COMMAND): Redis 7 gives it arity -2 and no flags of its
 * own; each subcommand has its own arity and flags, checked here as Redis's dispatcher does.
 */
export function container(name: string, group: string, summary: string, since: string, subcommands: ConnCommand[]): ConnCommand {
  const byName = new Map(subcommands.map((s) => [s.name.slice(name.length + 1), { ...s, group }]))
  const runConn: ConnHandler = (services, session, argv) => {
    const found = byName.get(argv[1].toString('latin1').toLowerCase())
    if (found === undefined) return unknownSubcommand(argv)
    const argc = argv.length
    if (found.arity >= 0 ? argc !== found.arity : argc < -found.arity) return error(`ERR wrong number of arguments for '${found.name}' command`)
    return found.runConn(services, session, argv)
  }
  return { name, arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0, group, summary, since, runConn, subcommands: [...byName.values()] }
}

/** The subcommand entry argv names, or undefined (commandstats, MONITOR, CLIENT LIST `cmd=`). */
export function subcommandOf(command: { readonly subcommands?: readonly ConnCommand[]; readonly name: string }, argv: Buffer[]): ConnCommand | undefined {
  if (command.subcommands === undefined || argv.length < 2) return undefined
  const full = `${command.name}|${argv[1].toString('latin1').toLowerCase()}`
  return command.subcommands.find((s) => s.name === full)
}

/** Redis's reply to an unknown subcommand. */
export function unknownSubcommand(argv: Buffer[]): Reply {
  return error(`ERR unknown subcommand '${argv[1].toString().slice(0, 128)}'. Try ${argv[0].toString().toUpperCase()} HELP.`)
}

/** Redis's HELP reply: status lines, the header first and HELP's own entry last. */
export function helpReply(command: string, lines: readonly string[]): Reply {
  return [
    status(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`),
    ...lines.map(status),
    status('HELP'),
    status('    Prints this help.'),
  ]
}

/** Redis's string-to-long-long: optional '-', digits, no leading zeros, no spaces, fits in int64. */
export function parseInteger(arg: Buffer | string): bigint | null {
  const text = typeof arg === 'string' ? arg : arg.toString('latin1')
  if (!/^(0|-?[1-9][0-9]*)$/.test(text) || text.length > 20) return null
  const n = BigInt(text)
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : null
}

/** Redis's stringmatchlen: glob with * ? [abc] [^a] [a-z] and backslash escapes. */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  const p = nocase ? pattern.toLowerCase() : pattern
  const s = nocase ? text.toLowerCase() : text
  // States (pattern index, text index) known not to match: keeps `*a*a*a*b` linear-ish, where
  // plain backtracking is exponential and would stall the main thread.
  const failed = new Set<number>()
  const match = (pi: number, si: number): boolean => {
    const state = pi * (s.length + 1) + si
    if (failed.has(state)) return false
    const ok = matchFrom(pi, si)
    if (!ok) failed.add(state)
    return ok
  }
  const matchFrom = (pi: number, si: number): boolean => {
    while (pi < p.length) {
      const c = p[pi]
      if (c === '*') {
        while (p[pi + 1] === '*') pi++
        if (pi + 1 === p.length) return true
        for (let k = si; k <= s.length; k++) if (match(pi + 1, k)) return true
        return false
      }
      if (si >= s.length) return false
      if (c === '?') {
        pi++
        si++
        continue
      }
      if (c === '[') {
        let j = pi + 1
        const negate = p[j] === '^'
        if (negate) j++
        let hit = false
        while (j < p.length && p[j] !== ']') {
          if (p[j] === '\\' && j + 1 < p.length) {
            j++
            if (p[j] === s[si]) hit = true
          } else if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
            let lo = p[j]
            let hi = p[j + 2]
            if (lo > hi) [lo, hi] = [hi, lo]
            if (s[si] >= lo && s[si] <= hi) hit = true
            j += 2
          } else if (p[j] === s[si]) {
            hit = true
          }
          j++
        }
        if (hit === negate) return false
        pi = j < p.length ? j + 1 : j
        si++
        continue
      }
      if (c === '\\' && pi + 1 < p.length) pi++
      if (p[pi] !== s[si]) return false
      pi++
      si++
    }
    return si === s.length
  }
  return match(0, 0)
}

/** marekvs's own version (package.json), for INFO and HELLO. */
export const MAREKVS_VERSION: string = findPackageVersion()

function findPackageVersion(): string {
  // Source runs from lib/server/commands, the build from dist/lib/server/commands: walk up.
  for (let dir = __dirname, i = 0; i < 6; dir = path.dirname(dir), i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'marekvs' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // not here: keep walking
    }
  }
  return '0.0.0'
}

/** The Redis version marekvs answers as (INFO redis_version, HELLO version). */
export const REDIS_VERSION = '7.0.15'

const REDACTED = Buffer.from('(redacted)')

/** What MONITOR shows of a command: Redis 7 hides AUTH's arguments and HELLO's credentials. */
export function redactForMonitor(name: string, argv: Buffer[]): Buffer[] {
  if (name === 'auth') return [argv[0], ...argv.slice(1).map(() => REDACTED)]
  if (name !== 'hello') return argv
  const out = [...argv]
  for (let i = 2; i < out.length; i++) {
    if (out[i].toString().toLowerCase() === 'auth' && i + 2 < out.length) {
      out[i + 1] = REDACTED
      out[i + 2] = REDACTED
      i += 2
    }
  }
  return out
}
