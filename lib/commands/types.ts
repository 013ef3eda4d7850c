// The shape of the one declarative command table (DESIGN.md §8). COMMAND, routing, arity and
// auth checks all read it; handlers never re-check arity.
import type { NilArrayReply, Reply } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'

/** A data command: synchronous, runs where its keys live (a shard, or the main thread while shards are paused). */
export type DataHandler = (ctx: ExecContext, argv: Buffer[]) => Reply

export interface KeySpec {
  /** Index of the first key in argv (0 = no keys). Negative lastKey counts from the end, as Redis. */
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  /** Commands whose keys follow a count (SINTERCARD, ZUNIONSTORE, LMPOP...): all their key names. */
  readonly movableKeys?: (argv: Buffer[]) => Buffer[]
  /**
   * True when the command may touch keys it does not name (EVAL with numkeys 0): the engine
   * runs it on the main thread with every shard paused.
   */
  readonly anyKeys?: (argv: Buffer[]) => boolean
}

export interface CommandInfo extends KeySpec {
  /** Lower-case name. */
  readonly name: string
  /** Redis convention: n means exactly n arguments (the name included), -n at least n. */
  readonly arity: number
  /** Redis COMMAND flags: write, readonly, denyoom, admin, noscript, loading, stale, fast, no-auth, ... */
  readonly flags: readonly string[]
  readonly group: string
  readonly summary: string
  readonly since: string
}

export interface DataCommand extends CommandInfo {
  readonly run: DataHandler
  /**
   * Blocking commands (BLPOP, BZPOPMIN, XREAD BLOCK...): the handler makes one attempt and answers
   * `emptyReply` when there was nothing to take (the final answer inside MULTI); outside MULTI
   * the client then waits for a key to gain elements, up to the timeout (ms, 0 = forever, null
   * = do not block), and gets `timeoutReply` if none does.
   */
  readonly blocking?: {
    readonly timeoutMs: (argv: Buffer[]) => number | null
    readonly emptyReply: null | NilArrayReply
    readonly timeoutReply: Reply
  }
  /**
   * The members of the key's collection the command reads, named by argv positions (HSET's
   * fields, SADD's members): runBatch reads those of every command in a batch in one RocksDB
   * call before the commands run, instead of one call per command.
   */
  readonly memberArgs?: (argv: Buffer[]) => MemberArgs | null
}

/** Collection members named in argv: sub-keys of `tag` at first, first + step, ... up to last (negative: from the end). */
export interface MemberArgs {
  readonly type: number
  readonly tag: number
  readonly first: number
  readonly last: number
  readonly step: number
}

/** memberArgs for members at fixed positions. */
export function membersAt(type: number, tag: number, first: number, last: number, step = 1): (argv: Buffer[]) => MemberArgs {
  const span: MemberArgs = { type, tag, first, last, step }
  return () => span
}

/** Whether the spec names exactly one key position (GET, SET, LPUSH...): routing can skip keysOf's array. */
export function isSingleKey(spec: KeySpec): boolean {
  return spec.movableKeys === undefined && spec.firstKey > 0 && spec.firstKey === spec.lastKey
}

/** The last argv index a run of positions reaches: `last` counts from the end when negative (as Redis's key specs), clamped to argv. */
export function lastPosition(last: number, argc: number): number {
  return last < 0 ? argc + last : Math.min(last, argc - 1)
}

export function keysOf(spec: KeySpec, argv: Buffer[]): Buffer[] {
  if (spec.movableKeys !== undefined) return spec.movableKeys(argv)
  const keys: Buffer[] = []
  pushKeysOf(spec, argv, keys)
  return keys
}

/** keysOf, appended to `into`: a batch collects every command's keys without an array per command. */
export function pushKeysOf(spec: KeySpec, argv: Buffer[], into: Buffer[]): void {
  if (spec.movableKeys !== undefined) {
    for (const key of spec.movableKeys(argv)) into.push(key)
    return
  }
  if (spec.firstKey === 0 || argv.length <= spec.firstKey) return
  const last = lastPosition(spec.lastKey, argv.length)
  for (let i = spec.firstKey; i <= last; i += spec.step) into.push(argv[i])
}

export function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity
}

/**
 * `numkeys` at argv[at], then that many keys: the movable keys of SINTERCARD, ZUNION, LMPOP...
 * A bad count yields no keys; the handler answers the error.
 */
export function keysAfterCount(at: number, before: number[] = []) {
  return (argv: Buffer[]): Buffer[] => {
    const keys = before.filter((i) => i < argv.length).map((i) => argv[i])
    if (at >= argv.length) return keys
    const count = Number(argv[at].toString('latin1'))
    if (!Number.isSafeInteger(count) || count < 1 || at + count >= argv.length) return keys
    return keys.concat(argv.slice(at + 1, at + 1 + count))
  }
}
