// Run a batch of data commands on one writer: prefetch, execute in order, commit once,
// then encode. Shared by the shard workers and the main thread's paused-shards path.
import { performance } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'
import { error, OK, Reply } from '../core/reply'
import { Collection } from '../commands/collection'
import { dataCommands } from '../commands/data-table'
import { DataCommand, pushKeysOf } from '../commands/types'
import { log } from '../log'
import { runOne } from './run-one'
import { encodeBatch as encodeBatchReplies, PROTO_OK } from '../native'
import type { FramedCommand } from '../shard/frame'
import type { ExecContext, Preread } from './exec-context'

export interface BatchResult {
  /** Encoded replies of the proto 2/3 commands, back to back. */
  out: Buffer
  /** ends[i]: end offset in `out` of command i's reply (raw commands add no bytes). */
  ends: Uint32Array
  /** Replies of proto-0 (embedded) commands as values, by command index; null when there are none. */
  raw: Array<Reply | undefined> | null
  /** True when the RocksDB write failed: every reply is then that error. */
  storageError: boolean
  /** Whether the batch wrote to RocksDB (one unsynced write: under MAREKVS_FSYNC=always its replies wait for a sync, engine/group-commit.ts). */
  wrote: boolean
  /** Keys (latin1) whose lists, sorted sets or streams gained elements: blocked clients may proceed. */
  ready: string[] | null
  /** By command index: the argv a blocked client retries with (ExecContext.retryArgv), latin1; null when none. */
  retryArgv: Array<string[] | undefined> | null
  /** What the batch's read-ahead cost: keys and members read, and the microseconds it took (inline-policy.ts). */
  readKeys: number
  readMicros: number
}

/**
 * `preread`: the records of the batch's keys (batchReads), read before it began
 * (ExecContext.readAheadAsync).
 */
export function runBatch(ctx: ExecContext, commands: readonly FramedCommand[], nowMs: number, preread: Preread | null = null): BatchResult {
  ctx.begin(nowMs)
  const { resolved, keys, heads } = planBatch(commands)
  const replies: Reply[] = new Array(commands.length)
  let storageError = false
  let wrote = false
  let retryArgv: Array<string[] | undefined> | null = null
  let readKeys = 0
  let readMicros = 0
  try {
    const readStart = performance.now()
    ctx.prefetch(keys, preread, heads)
    readKeys = keys.length + prefetchMembers(ctx, commands, resolved)
    readMicros = (performance.now() - readStart) * 1000 + (preread?.micros ?? 0)
    for (let i = 0; i < commands.length; i++) {
      ctx.proto = commands[i].proto
      ctx.retryArgv = null
      replies[i] = runOne(ctx, resolved[i], commands[i].argv)
      // (TypeScript narrowed ctx.retryArgv to null above; the handler may have set it.)
      const retry = ctx.retryArgv as Buffer[] | null
      if (retry !== null) (retryArgv ??= [])[i] = retry.map((arg) => arg.toString('latin1'))
    }
    wrote = ctx.commit()
  } catch (err) {
    // Only storage calls throw here (handlers are guarded in runOne): nothing of the batch was applied.
    storageError = true
    const reply = error(`ERR storage error: ${(err as Error).message}`)
    log.error('storage write failed', { error: (err as Error).message })
    replies.fill(reply)
  }
  const ready = storageError || ctx.readyKeys.length === 0 ? null : ctx.readyKeys.map((key) => key.toString('latin1'))
  return encodeBatch(commands, replies, { storageError, wrote, ready, retryArgv: storageError ? null : retryArgv, readKeys, readMicros })
}

/** The keys whose records a batch reads ahead (runBatch's `preread`), and whether heads will do. */
export function batchReads(commands: readonly FramedCommand[]): { keys: Buffer[]; heads: boolean } {
  const { keys, heads } = planBatch(commands)
  return { keys, heads }
}

/**
 * Commands that want no more of a large record than its envelope (type, clock, expiry): a batch
 * of only these reads heads where the record cache has them (ExecContext.prefetch). A command
 * here that does read the payload (SET ... GET) still gets it, one RocksDB read later.
 */
const HEADS_SUFFICE = new Set(['set', 'setex', 'psetex', 'setnx', 'mset', 'msetnx', 'del', 'unlink', 'exists', 'type', 'ttl', 'pttl', 'expiretime', 'pexpiretime', 'touch'])

/** Each command's handler, looked up once (the handlers run from this array), the keys the batch names, and whether heads will do. */
function planBatch(commands: readonly FramedCommand[]): { resolved: Array<DataCommand | undefined>; keys: Buffer[]; heads: boolean } {
  const keys: Buffer[] = []
  const resolved = new Array<DataCommand | undefined>(commands.length)
  let heads = true
  for (let i = 0; i < commands.length; i++) {
    const argv = commands[i].argv
    const known = commands[i].command
    const command = known !== undefined && 'run' in known ? known as DataCommand : dataCommands.get(argv[0].toString('latin1').toLowerCase())
    resolved[i] = command
    if (command === undefined) continue
    pushKeysOf(command, argv, keys)
    heads &&= HEADS_SUFFICE.has(command.name)
  }
  return { resolved, keys, heads }
}

/** The members the batch's commands name (DataCommand.memberArgs), in one RocksDB read; how many. */
function prefetchMembers(ctx: ExecContext, commands: readonly FramedCommand[], resolved: Array<DataCommand | undefined>): number {
  let memberKeys: Buffer[] | null = null
  for (let i = 0; i < commands.length; i++) {
    const argv = commands[i].argv
    const spec = argv.length > 1 ? resolved[i]?.memberArgs?.(argv) : undefined
    if (spec != null) Collection.memberKeysOf(ctx, argv, spec, memberKeys ??= [])
  }
  if (memberKeys === null || memberKeys.length === 0) return 0
  ctx.prefetchMembers(memberKeys)
  return memberKeys.length
}

/**
 * Where batches encode their replies, reused: a batch allocates no ArrayBuffer of its own for
 * them. Young ArrayBuffers are what a scavenge spends half its pause sweeping, and at a fixed
 * 30k GET/s a batch holds ~2 commands, so each one's protos, ends and output were several per
 * request (docs/performance.md). The output goes through scratch on the main thread only: its
 * copy is a slice of Node's Buffer pool there, while a worker posts its bytes to the main thread
 * (posting a pool slice would copy the whole pool), so the addon makes a worker's buffer directly.
 */
const scratch = { protos: new Uint8Array(256), ends: new Uint32Array(256), out: isMainThread ? Buffer.allocUnsafeSlow(64 * 1024) : Buffer.alloc(0) }

function encodeBatch(commands: readonly FramedCommand[], replies: Reply[], rest: Omit<BatchResult, 'out' | 'ends' | 'raw'>): BatchResult {
  const n = commands.length
  if (n > scratch.protos.length) {
    scratch.protos = new Uint8Array(n * 2)
    scratch.ends = new Uint32Array(n * 2)
  }
  const { protos, ends } = scratch
  let raw: Array<Reply | undefined> | null = null
  for (let i = 0; i < n; i++) {
    const proto = commands[i].proto
    if (proto === 0) (raw ??= new Array(n))[i] = replies[i]
    // SET's reply, and many others': the encoder writes it without reading the object.
    protos[i] = proto !== 0 && replies[i] === OK ? PROTO_OK : proto
  }
  const encoded = encodeBatchReplies(replies, protos, ends, scratch.out)
  // The result owns copies of `out` and `ends`: the next batch reuses the scratch, and these may
  // outlive this one (the group commit holds them). A short `ends` copy lives on V8's heap.
  return { out: typeof encoded === 'number' ? pooledCopy(scratch.out, encoded) : encoded, ends: ends.slice(0, n), raw, ...rest }
}

/**
 * One reply encoded in `proto` (2 or 3) into a slice of Node's Buffer pool, on the main thread:
 * the addon's encodeReply makes each encoding an ArrayBuffer of its own, whose allocation and
 * sweep cost a transaction's EXEC more than its encoding (docs/performance.md, twenty-fifth round).
 */
export function encodePooled(reply: Reply, proto: 2 | 3): Buffer {
  scratch.protos[0] = proto
  const encoded = encodeBatchReplies([reply], scratch.protos, scratch.ends, scratch.out)
  return typeof encoded === 'number' ? pooledCopy(scratch.out, encoded) : encoded
}

/** The first `length` bytes of `from`, copied into a slice of Node's Buffer pool: no ArrayBuffer of its own. */
function pooledCopy(from: Buffer, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  from.copy(out, 0, 0, length)
  return out
}
