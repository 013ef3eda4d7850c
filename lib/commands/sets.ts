// Set commands (Redis 7.0 semantics). One member record per element with an empty payload: its
// envelope (HLC, origin) is the add tag of the observed-remove set (DESIGN.md §6).
import { error, ErrorReply, Errors, Reply, set } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { TYPE_SET } from '../storage/layout'
import { lower, parseInt64 } from './args'
import { Collection, FirstNamed, isErrorReply, sizeCommand, TAG_MEMBER } from './collection'
import { parseScanArgs, scanStep, ScanOptions } from './member-scan'
import { randomCount, randomOne } from './random-members'
import { DataCommand, keysAfterCount, membersAt } from './types'

const EMPTY = Buffer.alloc(0)

function open(ctx: ExecContext, key: Buffer): Collection | null | ErrorReply {
  return Collection.open(ctx, key, TYPE_SET)
}

/** Add members; returns how many were new. Does not save. */
function addMembers(target: Collection, members: Buffer[]): number {
  const current = target.getMany(TAG_MEMBER, members)
  const named = new FirstNamed(members.length)
  let added = 0
  for (let i = 0; i < members.length; i++) {
    if (current[i] !== null || !named.first(members[i])) continue
    target.put(TAG_MEMBER, members[i], TYPE_SET, EMPTY)
    added++
  }
  target.size += added
  return added
}

// SADD key member [member ...]
function sadd(ctx: ExecContext, argv: Buffer[]): Reply {
  const target = Collection.openOrCreate(ctx, argv[1], TYPE_SET)
  if (isErrorReply(target)) return target
  const added = addMembers(target, argv.slice(2))
  if (added > 0) target.save()
  return added
}

// SREM key member [member ...]
function srem(ctx: ExecContext, argv: Buffer[]): Reply {
  const target = open(ctx, argv[1])
  if (target === null || isErrorReply(target)) return target ?? 0
  const members = argv.slice(2)
  const current = target.getMany(TAG_MEMBER, members)
  const named = new FirstNamed(members.length)
  let removed = 0
  for (let i = 0; i < members.length; i++) {
    if (current[i] === null || !named.first(members[i])) continue
    target.delete(TAG_MEMBER, members[i])
    removed++
  }
  if (removed > 0) {
    target.size -= removed
    target.save()
  }
  return removed
}

// SISMEMBER key member
function sismember(ctx: ExecContext, argv: Buffer[]): Reply {
  const target = open(ctx, argv[1])
  if (target === null || isErrorReply(target)) return target ?? 0
  return target.get(TAG_MEMBER, argv[2]) === null ? 0 : 1
}

// SMISMEMBER key member [member ...]
function smismember(ctx: ExecContext, argv: Buffer[]): Reply {
  const target = open(ctx, argv[1])
  if (isErrorReply(target)) return target
  const members = argv.slice(2)
  if (target === null) return members.map(() => 0)
  return target.getMany(TAG_MEMBER, members).map((member) => (member === null ? 0 : 1))
}

function membersOf(target: Collection | null): Buffer[] {
  const out: Buffer[] = []
  if (target !== null) for (const row of target.range(TAG_MEMBER)) out.push(row.sub)
  return out
}

// SMEMBERS key
function smembers(ctx: ExecContext, argv: Buffer[]): Reply {
  const target = open(ctx, argv[1])
  if (isErrorReply(target)) return target
  return set(membersOf(target))
}

/** Remove members (each present) and save. */
function removeAll(target: Collection, members: Buffer[]): void {
  for (const member of members) target.delete(TAG_MEMBER, member)
  target.size -= members.length
  target.save()
}

// SPOP key [count]
function spop(ctx: ExecContext, argv: Buffer[]): Reply {
  if (argv.length > 3) return Errors.syntax
  let count: bigint | null = null
  if (argv.length === 3) {
    count = parseInt64(argv[2])
    if (count === null || count < 0n) return error('ERR value is out of range, must be positive')
  }
  const target = open(ctx, argv[1])
  if (isErrorReply(target)) return target
  if (count === null) {
    if (target === null) return null
    const row = randomOne(target, TAG_MEMBER)!
    removeAll(target, [row.sub])
    return row.sub
  }
  if (target === null || count === 0n) return set([])
  const rows = randomCount(target, TAG_MEMBER, argv[2], false)
  if (isErrorReply(rows)) return rows
  const members = rows.map((row) => row.sub)
  removeAll(target, members)
  return set(members)
}

// SRANDMEMBER key [count]
function srandmember(ctx: ExecContext, argv: Buffer[]): Reply {
  if (argv.length > 3) return Errors.syntax
  const target = open(ctx, argv[1])
  if (isErrorReply(target)) return target
  if (argv.length === 2) return target === null ? null : randomOne(target, TAG_MEMBER)!.sub
  const rows = randomCount(target, TAG_MEMBER, argv[2], false)
  if (isErrorReply(rows)) return rows
  return rows.map((row) => row.sub)
}

// SMOVE source destination member
function smove(ctx: ExecContext, argv: Buffer[]): Reply {
  const source = open(ctx, argv[1])
  // As Redis: a missing source answers 0 before the destination's type is checked.
  if (source === null || isErrorReply(source)) return source ?? 0
  const destination = Collection.openOrCreate(ctx, argv[2], TYPE_SET)
  if (isErrorReply(destination)) return destination
  if (source.get(TAG_MEMBER, argv[3]) === null) return 0
  if (argv[1].equals(argv[2])) return 1
  removeAll(source, [argv[3]])
  if (addMembers(destination, [argv[3]]) > 0) destination.save()
  return 1
}

/** The sets at `keys` (null for missing keys), or WRONGTYPE. */
function openAll(ctx: ExecContext, keys: Buffer[]): Array<Collection | null> | ErrorReply {
  const out: Array<Collection | null> = []
  for (const key of keys) {
    const target = open(ctx, key)
    if (isErrorReply(target)) return target
    out.push(target)
  }
  return out
}

/** Members of the intersection; stops after `limit` members (0 = no limit). */
function intersect(sets: Array<Collection | null>, limit = 0): Buffer[] {
  if (sets.some((s) => s === null)) return []
  const ordered = (sets as Collection[]).slice().sort((a, b) => a.size - b.size)
  const out: Buffer[] = []
  const CHUNK = 256
  let chunk: Buffer[] = []
  const check = (): boolean => {
    let candidates = chunk
    for (let i = 1; i < ordered.length && candidates.length > 0; i++) {
      const found = ordered[i].getMany(TAG_MEMBER, candidates)
      candidates = candidates.filter((_, j) => found[j] !== null)
    }
    for (const member of candidates) {
      out.push(member)
      if (limit > 0 && out.length >= limit) return true
    }
    chunk = []
    return false
  }
  for (const row of ordered[0].range(TAG_MEMBER)) {
    chunk.push(row.sub)
    if (chunk.length === CHUNK && check()) return out
  }
  check()
  return out
}

function union(sets: Array<Collection | null>): Buffer[] {
  const out = new Map<string, Buffer>()
  for (const target of sets) {
    if (target === null) continue
    for (const row of target.range(TAG_MEMBER)) out.set(row.sub.toString('latin1'), row.sub)
  }
  return [...out.values()]
}

function difference(sets: Array<Collection | null>): Buffer[] {
  const [first, ...rest] = sets
  let out = membersOf(first)
  for (const target of rest) {
    if (target === null || out.length === 0) continue
    const found = target.getMany(TAG_MEMBER, out)
    out = out.filter((_, j) => found[j] === null)
  }
  return out
}

type SetAlgebra = (sets: Array<Collection | null>) => Buffer[]

// SINTER / SUNION / SDIFF key [key ...]
function algebra(compute: SetAlgebra) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const sets = openAll(ctx, argv.slice(1))
    if (isErrorReply(sets)) return sets
    return set(compute(sets))
  }
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]
function algebraStore(compute: SetAlgebra) {
  return (ctx: ExecContext, argv: Buffer[]): Reply => {
    const sets = openAll(ctx, argv.slice(2))
    if (isErrorReply(sets)) return sets
    const members = compute(sets)
    ctx.delete(argv[1])
    storeSet(ctx, argv[1], members)
    return members.length
  }
}

/** Write a new set at `key` (deleted first by the caller); nothing when empty. */
export function storeSet(ctx: ExecContext, key: Buffer, members: Buffer[]): void {
  if (members.length === 0) return
  const target = Collection.openOrCreate(ctx, key, TYPE_SET) as Collection
  for (const member of members) target.put(TAG_MEMBER, member, TYPE_SET, EMPTY)
  target.size = members.length
  target.save()
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
function sintercard(ctx: ExecContext, argv: Buffer[]): Reply {
  const numkeys = parseInt64(argv[1])
  if (numkeys === null || numkeys <= 0n) return error('ERR numkeys should be greater than 0')
  if (numkeys > BigInt(argv.length - 2)) return error("ERR Number of keys can't be greater than number of args")
  const keyEnd = 2 + Number(numkeys)
  let limit = 0
  for (let i = keyEnd; i < argv.length; i++) {
    if (lower(argv[i]) === 'limit' && i + 1 < argv.length) {
      const value = parseInt64(argv[++i])
      if (value === null) return Errors.notInteger
      if (value < 0n) return error("ERR LIMIT can't be negative")
      limit = value > 2n ** 31n ? 2 ** 31 : Number(value)
    } else {
      return Errors.syntax
    }
  }
  const sets = openAll(ctx, argv.slice(2, keyEnd))
  if (isErrorReply(sets)) return sets
  return intersect(sets, limit).length
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
function sscan(ctx: ExecContext, argv: Buffer[]): Reply {
  const options = parseScanArgs(argv)
  if (!('cursor' in (options as object))) return options as Reply
  const target = open(ctx, argv[1])
  if (isErrorReply(target)) return target
  return scanStep(target, TAG_MEMBER, options as ScanOptions, (row, out) => out.push(row.sub))
}

const setCommand = (name: string, arity: number, flags: string[], keys: [number, number, number], summary: string, since: string, run: DataCommand['run'], movableKeys?: DataCommand['movableKeys']): DataCommand =>
  ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], group: 'set', summary, since, run, movableKeys })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const setCommands: DataCommand[] = [
  { ...setCommand('sadd', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Add one or more members to a set', '1.0.0', sadd), memberArgs: membersAt(TYPE_SET, TAG_MEMBER, 2, -1) },
  { ...setCommand('srem', -3, ['write', 'fast'], [1, 1, 1], 'Remove one or more members from a set', '1.0.0', srem), memberArgs: membersAt(TYPE_SET, TAG_MEMBER, 2, -1) },
  setCommand('scard', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the number of members in a set', '1.0.0', sizeCommand(TYPE_SET)),
  { ...setCommand('sismember', 3, ['readonly', 'fast'], [1, 1, 1], 'Determine if a given value is a member of a set', '1.0.0', sismember), memberArgs: membersAt(TYPE_SET, TAG_MEMBER, 2, 2) },
  { ...setCommand('smismember', -3, ['readonly', 'fast'], [1, 1, 1], 'Returns the membership associated with the given elements for a set', '6.2.0', smismember), memberArgs: membersAt(TYPE_SET, TAG_MEMBER, 2, -1) },
  setCommand('smembers', 2, ['readonly'], [1, 1, 1], 'Get all the members in a set', '1.0.0', smembers),
  setCommand('spop', -2, ['write', 'fast'], [1, 1, 1], 'Remove and return one or multiple random members from a set', '1.0.0', spop),
  setCommand('srandmember', -2, ['readonly'], [1, 1, 1], 'Get one or multiple random members from a set', '1.0.0', srandmember),
  setCommand('smove', 4, ['write', 'fast'], [1, 2, 1], 'Move a member from one set to another', '1.0.0', smove),
  setCommand('sinter', -2, ['readonly'], [1, -1, 1], 'Intersect multiple sets', '1.0.0', algebra(intersect)),
  setCommand('sintercard', -3, ['readonly'], [1, 1, 1], 'Intersect multiple sets and return the cardinality of the result', '7.0.0', sintercard, keysAfterCount(1)),
  setCommand('sinterstore', -3, ['write', 'denyoom'], [1, -1, 1], 'Intersect multiple sets and store the resulting set in a key', '1.0.0', algebraStore(intersect)),
  setCommand('sunion', -2, ['readonly'], [1, -1, 1], 'Add multiple sets', '1.0.0', algebra(union)),
  setCommand('sunionstore', -3, ['write', 'denyoom'], [1, -1, 1], 'Add multiple sets and store the resulting set in a key', '1.0.0', algebraStore(union)),
  setCommand('sdiff', -2, ['readonly'], [1, -1, 1], 'Subtract multiple sets', '1.0.0', algebra(difference)),
  setCommand('sdiffstore', -3, ['write', 'denyoom'], [1, -1, 1], 'Subtract multiple sets and store the resulting set in a key', '1.0.0', algebraStore(difference)),
  setCommand('sscan', -3, ['readonly'], [1, 1, 1], 'Incrementally iterate Set elements', '2.8.0', sscan),
]
