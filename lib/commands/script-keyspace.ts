// KEYS and SCAN called by a script that runs with every shard paused (its text names them, see
// scripting.ts): the store's keys with the script's own writes merged in, as Redis's scripts see
// them. SCAN answers every matching key in one call with cursor 0, which SCAN's contract allows
// (COUNT is a hint): a script's SCAN loop then ends after one round.
import { error, Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { parseCursor } from './args'
import { globMatch, matchesAll } from './glob'
import { typeName } from './keys'
import { liveKeysMatching, parseScanOptions } from './keyspace'

function matching(ctx: ExecContext, pattern: Buffer | null, type: string | null): Buffer[] {
  const all = pattern === null || matchesAll(pattern)
  const changed = new Map<string, Buffer | null>()
  for (const { key, rec } of ctx.changedKeys()) {
    const wanted = rec !== null && (all || globMatch(pattern!, key)) && (type === null || typeName(rec) === type)
    changed.set(key.toString('latin1'), wanted ? key : null)
  }
  const out: Buffer[] = []
  for (const { key } of liveKeysMatching(ctx, pattern, type)) if (!changed.has(key.toString('latin1'))) out.push(key)
  for (const key of changed.values()) if (key !== null) out.push(key)
  return out
}

// KEYS pattern
export function scriptKeys(ctx: ExecContext, argv: Buffer[]): Reply {
  return matching(ctx, argv[1], null)
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
export function scriptScan(ctx: ExecContext, argv: Buffer[]): Reply {
  if (parseCursor(argv[1]) === null) return error('ERR invalid cursor')
  const options = parseScanOptions(argv, 2)
  if ('t' in options) return options
  return ['0', matching(ctx, options.pattern, options.type)]
}
