// HyperLogLog commands (Redis 7.0): PFADD, PFCOUNT, PFMERGE over Redis's own string encoding
// (lib/types/hll.ts), so values are interchangeable with redis-server through GET/SET.
import { ErrorReply, Errors, OK, Reply, error } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { TYPE_STRING } from '../storage/layout'
import type { Rec } from '../storage/record'
import { countRegisters, HLL_CORRUPT, HLL_DENSE, HLL_REGISTERS, hllAdd, hllCount, hllMergeInto, hllStoreMax, isHll } from '../types/hll'
import { isStringType, stringRec } from './string-value'
import type { DataCommand } from './types'

const notHll = error('WRONGTYPE Key is not a valid HyperLogLog string value.')
const corrupt = error(HLL_CORRUPT)

/**
 * The HLL value at key, as Redis's isHLLObjectOrReply: null when missing, WRONGTYPE for another
 * type, the HLL error for a string that is not one. A counter is never an HLL (Redis's
 * int-encoded strings are not either).
 */
function hllAt(ctx: ExecContext, key: Buffer): Rec | null | ErrorReply {
  const rec = ctx.get(key)
  if (rec === null) return null
  if (!isStringType(rec)) return Errors.wrongType
  return rec.type === TYPE_STRING && isHll(rec.payload) ? rec : notHll
}

function isErrorReply(value: Rec | ErrorReply | null): value is ErrorReply {
  return value !== null && (value as ErrorReply).t === 'error'
}

const toInteger = (n: bigint): number | bigint => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n)

// PFADD key [element ...]
function pfadd(ctx: ExecContext, argv: Buffer[]): Reply {
  const rec = hllAt(ctx, argv[1])
  if (isErrorReply(rec)) return rec
  const result = hllAdd(rec === null ? null : rec.payload, argv.slice(2))
  // Redis changes the value in place: registers raised before a corrupt opcode was found stay.
  if (result.updated) ctx.put(argv[1], stringRec(result.value, rec === null ? 0 : rec.expireAtMs))
  if (result.corrupt) return corrupt
  return result.updated ? 1 : 0
}

/** The register-wise max of the HLLs at keys (missing keys are empty), and whether one was dense. */
function maxOf(ctx: ExecContext, keys: Buffer[]): { max: Uint8Array; dense: boolean } | ErrorReply {
  const max = new Uint8Array(HLL_REGISTERS)
  let dense = false
  for (const key of keys) {
    const rec = hllAt(ctx, key)
    if (rec === null) continue
    if (isErrorReply(rec)) return rec
    if (rec.payload[4] === HLL_DENSE) dense = true
    if (!hllMergeInto(max, rec.payload)) return corrupt
  }
  return { max, dense }
}

// PFCOUNT key [key ...]
function pfcount(ctx: ExecContext, argv: Buffer[]): Reply {
  if (argv.length > 2) {
    // The cardinality of the union; nothing is written.
    const union = maxOf(ctx, argv.slice(1))
    if ('t' in union) return union
    return toInteger(BigInt.asIntN(64, countRegisters(union.max)))
  }
  const rec = hllAt(ctx, argv[1])
  if (rec === null) return 0
  if (isErrorReply(rec)) return rec
  const result = hllCount(rec.payload)
  if (result === null) return corrupt
  // A stale cache is refreshed in the value itself, as Redis does (and replicates).
  if (result.value !== null) ctx.put(argv[1], stringRec(result.value, rec.expireAtMs))
  return toInteger(result.card)
}

// PFMERGE destkey sourcekey [sourcekey ...]  (destkey is a source too; keeps its TTL)
function pfmerge(ctx: ExecContext, argv: Buffer[]): Reply {
  const union = maxOf(ctx, argv.slice(1))
  if ('t' in union) return union
  const dest = ctx.get(argv[1])
  const value = hllStoreMax(dest === null ? null : dest.payload, union.max, union.dense)
  if (value === null) return corrupt
  ctx.put(argv[1], stringRec(value, dest === null ? 0 : dest.expireAtMs))
  return OK
}

const hll = (name: string, arity: number, flags: string[], lastKey: number, summary: string, run: DataCommand['run']): DataCommand =>
  ({ name, arity, flags, firstKey: 1, lastKey, step: 1, group: 'hyperloglog', summary, since: '2.8.9', run })

// Arity, flags, key positions, summaries and versions as Redis 7.0's COMMAND INFO / COMMAND DOCS.
export const hyperloglogCommands: DataCommand[] = [
  hll('pfadd', -2, ['write', 'denyoom', 'fast'], 1, 'Adds the specified elements to the specified HyperLogLog.', pfadd),
  hll('pfcount', -2, ['readonly'], -1, 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', pfcount),
  hll('pfmerge', -2, ['write', 'denyoom'], -1, 'Merge N different HyperLogLogs into a single one.', pfmerge),
]
