// The native addon (native/, Rust via napi-rs): loader and typed interface.
//
// Load order, as better-sqlite3 and node-gyp-build do it:
//   1. MAREKVS_NATIVE_PATH, when set (tests and experiments only)
//   2. prebuilds/<platform>-<arch>/marekvs.node (shipped in the npm package)
//   3. build/Release/marekvs.node (`npm run build:native`, or the source build
//      that scripts/install.js runs when no prebuild loads)
// A failure names every path tried and why each failed.
//
// The addon's RocksDB calls (native/src/store/) link against no RocksDB of their own: their
// symbols resolve against @nxtedition/rocksdb's addon, which is loaded first with RTLD_GLOBAL
// (loadRocksDbSymbols; docs/native.md, "RocksDB").
//
// The addon keeps no global state: each worker thread that imports this module
// loads its own instance.

import * as os from 'node:os'
import * as path from 'node:path'
import type { Reply } from './core/reply'

export interface ParserOptions {
  /** proto-max-bulk-len; default 512 MiB. */
  maxBulkLen?: number
}

export interface RequestParser {
  /**
   * Feed socket bytes. Returns every complete command now available, each as
   * its argv. Arguments are views into `chunk` (when the command lies inside
   * it) or into Buffers the parser handed over and never touches again: the
   * caller must not mutate or reuse `chunk` while the commands are alive.
   * Partial input is kept for the next feed. After a protocol error, `error`
   * is set, the commands before it are still returned, and later feeds
   * return [].
   */
  feed(chunk: Buffer): Buffer[][]
  /** Redis's message without the leading '-', e.g. 'ERR Protocol error: invalid multibulk length', or null. */
  readonly error: string | null
  /** Bytes buffered but not yet returned as commands (for client-query-buffer-limit). */
  readonly bufferedBytes: number
  /**
   * True when an unauthenticated limit (multibulk count > 10, bulk > 16384)
   * was hit by a command that follows others in the same feed. Redis would run
   * those earlier commands first (one may be AUTH), so the parser stops there
   * instead of failing: run the returned commands, then call
   * `feed(Buffer.alloc(0))` to go on with the authentication state they left.
   */
  readonly stalled: boolean
  /** Before AUTH Redis limits multibulk count to 10 and bulk length to 16384. */
  setAuthenticated(authenticated: boolean): void
  setMaxBulkLen(bytes: number): void
}

// HLC: u64 = physical_ms << 16 | logical.
export interface HlcUpdate {
  hlc: bigint
  rejected: boolean
}

/** The native half of RequestParser (native/src/lib.rs). */
interface NativeRequestParser {
  /** Meta words written × 8 + the FEED_* state bits; negative when they did not fit `meta` (takeMeta). */
  feed(chunk: Buffer, meta: Uint32Array): number
  takeMeta(): Uint32Array
  takePendingBacking(): Buffer | null
  takeInlineBacking(): Buffer | null
  readonly error: string | null
  readonly bufferedBytes: number
  readonly stalled: boolean
  setAuthenticated(authenticated: boolean): void
  setMaxBulkLen(bytes: number): void
}

/**
 * One Lua 5.1 VM (native/src/lua/): the EVAL host of the thread that creates it. Never share
 * one between threads; each shard worker and the main thread create their own.
 */
export interface LuaHost {
  /** SHA1 of `data` in lower-case hex (script ids, redis.sha1hex). */
  sha1hex(data: Buffer): string
  has(sha: string): boolean
  /** Whether loaded script `sha` declared `#!lua flags=no-writes`. */
  noWrites(sha: string): boolean
  /** Compile `body` as script `sha`: null, or the whole error reply text (`ERR Error compiling script ...`). */
  load(sha: string, body: Buffer): string | null
  /** Forget every compiled script. */
  flush(): void
  readonly usedMemory: number
  /**
   * Run loaded script `sha` with KEYS and ARGV; a script that has made its thread spend
   * `timeLimitMs` of CPU time (time off the CPU does not count: docs/scripting.md), or that is
   * still running `timeLimitMs` + 200 ms after it started, is stopped. `call(argv, flags)` runs what the script asks (flags & 7: LUA_CALL,
   * LUA_PCALL, LUA_CHECK for redis.acl_check_cmd, LUA_LOG with argv [level, message]; flags & 8:
   * the script switched to RESP3) and returns the Reply. Returns the script's Reply; `aborted` then says whether the host stopped
   * it (time, memory, stack overflow), in which case its writes must be undone.
   */
  run(sha: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: ScriptCallback): Reply
  readonly aborted: boolean
  /** The CPU time of this thread the last run (or FCALL) spent in µs, the commands it called included; its wall time if under 100 µs (reading the CPU clock is a system call); 0 when it did not run. */
  readonly lastRunCpuMicros: number
  /**
   * Run a function library's body (its code from the newline that ends the `#!lua` line) with
   * Redis's loading API: the functions it registered, or the whole error reply text
   * (`ERR Error compiling function: ...`, `ERR Error registering functions: ...`). With
   * `install`, they become that library's functions in this VM, replacing its previous ones;
   * with null nothing is kept. `call` serves redis.log, as in run.
   */
  loadLibrary(body: Buffer, install: string | null, call: ScriptCallback): RegisteredFunction[] | string
  removeLibrary(name: string): void
  /** FCALL: run function `name` of installed library `library` as run runs a script (`aborted` likewise). */
  runFunction(library: string, name: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: ScriptCallback): Reply
}

/** A function a library registered (redis.register_function). */
export interface RegisteredFunction {
  readonly name: string
  readonly description: Buffer | null
  /** Redis's flag names (`no-writes`, `allow-oom`...), in Redis's order. */
  readonly flags: readonly string[]
}

/** One RocksDB database (native/src/store/): see lib/storage/store.ts. */
export interface RocksStore {
  readonly handle: bigint
  readonly openIterators: number
  close(): void
  getMany(cf: number, keys: Buffer[], slab: Buffer, offset: number, lens: Int32Array, heads: boolean): number | Buffer
  getManyAsync(cf: number, keys: Buffer[], heads: boolean): Promise<Buffer>
  write(count: number, cfs: Uint8Array, keys: Buffer[], values: Array<Buffer | null>, sync: boolean): void
  query(cf: number, gte: Buffer, lt: Buffer, reverse: boolean, limit: number, lens: Int32Array): Buffer
  iterator(cf: number, gte: Buffer, lt: Buffer, reverse: boolean): RocksIterator
  deleteRange(cf: number, gte: Buffer, lt: Buffer): void
  intProperty(name: string, allColumns: boolean): number | null
  compactForTesting(cf: number): void
}

/**
 * RocksDB's WAL synced on a thread of its own (native/src/wal.rs): see lib/storage/wal-sync.ts.
 * Built with a store's handle and `onSynced(request, error)`, which hears, on the event loop, that
 * every write that returned before request number `request` is durable, or the error that kept it
 * from being.
 */
export interface WalSyncer {
  /** Ask for a sync that begins after every write that has returned; the request's number (1, 2, ...). Throws after close. */
  request(): number
  /** Whether the event loop stays alive for reports due (it does not while none is). */
  hold(due: boolean): void
  /** Finish the syncs asked for, then end the thread; their reports still come. */
  close(): void
}

export interface RocksIterator {
  read(target: Buffer | null, limit: number, lens: Int32Array): Buffer
  close(): void
}

interface RocksStoreClass {
  open(path: string, names: string[], cacheBytes: number[], memtableBudgets: number[], reads: number[], recordCacheBytes: number[], compress: boolean, queueWrites: boolean): RocksStore
  attach(handle: bigint): RocksStore
}

interface Binding {
  RocksStore: RocksStoreClass
  coldReadsForTesting(mode: 'auto' | 'batched' | 'split'): void
  writeDelayForTesting(micros: number): void
  batchedReads(): { available: boolean; submitted: number }
  LuaHost: new (memoryLimitBytes: number) => NativeLuaHost
  NativeRequestParser: new (maxBulkLen?: number) => NativeRequestParser
  encodeReplies(replies: Reply[], proto: 2 | 3): Buffer
  encodeBatch(replies: Reply[], protos: Uint8Array, ends: Uint32Array, into: Buffer): number | Buffer
  encodeReply(reply: Reply, proto: 2 | 3): Buffer
  hlcPack(physicalMs: number, logical: number): bigint
  hlcPhysical(hlc: bigint): number
  hlcLogical(hlc: bigint): number
  hlcNext(prev: bigint, physicalMs: number): bigint
  hlcUpdate(prev: bigint, remote: bigint, physicalMs: number, maxDriftMs: number): HlcUpdate
  PARTITIONS: number
  WalSyncer: new (store: bigint, onSynced: (request: number, error: string | null) => void) => WalSyncer
  partitionOf(key: Buffer): number
  xxh3(data: Buffer): bigint
  incrByFloat(current: Buffer | null, increment: Buffer): string
  formatDouble(d: number): string
  splitArgs(line: Buffer): Buffer[] | null
}

/** The package root: this file runs as dist/lib/native.js. */
const PACKAGE_ROOT = path.join(__dirname, '..', '..')

/** Where the addon may be, in the order tried. */
export function nativeCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths: string[] = []
  if (env.MAREKVS_NATIVE_PATH) paths.push(path.resolve(env.MAREKVS_NATIVE_PATH))
  paths.push(path.join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'marekvs.node'))
  paths.push(path.join(PACKAGE_ROOT, 'build', 'Release', 'marekvs.node'))
  return paths
}

/**
 * Load @nxtedition/rocksdb's addon (the file its own loader, node-gyp-build, picks) with its
 * symbols global, so that ours resolve against it. Loading it again from another thread, or
 * after the package's own require, finds the same library.
 */
function loadRocksDbSymbols(): void {
  const dir = path.dirname(require.resolve('@nxtedition/rocksdb/package.json'))
  const nodeGypBuild = require(require.resolve('node-gyp-build', { paths: [dir] })) as { path(dir: string): string }
  const { RTLD_LAZY, RTLD_GLOBAL } = os.constants.dlopen as { RTLD_LAZY: number; RTLD_GLOBAL: number }
  process.dlopen({ exports: {} }, nodeGypBuild.path(dir), RTLD_LAZY | RTLD_GLOBAL)
}

function load(): Binding {
  const failures: string[] = []
  try {
    loadRocksDbSymbols()
  } catch (err) {
    failures.push(`@nxtedition/rocksdb (its RocksDB, which the addon links to): ${String((err as Error).message).split('\n')[0]}`)
  }
  for (const p of nativeCandidates()) {
    try {
      return require(p) as Binding
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const why = e.code === 'MODULE_NOT_FOUND' ? 'not found' : String(e.message).split('\n')[0]
      failures.push(`${p}: ${why}`)
    }
  }
  throw new Error(
    `marekvs: cannot load the native addon; tried:\n  ${failures.join('\n  ')}\n` +
      `Build it with "npm run build:native" (needs Rust/cargo), or reinstall the package.`,
  )
}

const binding = load()

export const PARTITIONS = 4096 as const
if (binding.PARTITIONS !== PARTITIONS) {
  throw new Error('marekvs: native addon does not match lib/native.ts (rebuild it with "npm run build:native")')
}

// ------------------------------------------------------------- RESP parser

// Header word of a command in the meta array: argc | backing << 30.
const ARGC_MASK = 0x3fffffff
const BACKING_CHUNK = 0
const BACKING_PENDING = 1

/**
 * Command descriptions from the native side land here. One array per module
 * instance (per worker) is enough: feed is synchronous and its meta is read
 * before anything else can feed. 64 Ki words covers a 16 KiB socket read of
 * tiny commands; more falls back to a fresh array from the addon.
 */
const sharedMeta = new Uint32Array(64 * 1024)

const NO_BYTES = Buffer.alloc(0)

/** State bits in the low three bits of the native feed's result (native/src/lib.rs); the word count is the rest. */
const FEED_STALLED = 1
const FEED_ERROR = 2
const FEED_BUFFERED = 4

class RequestParserImpl implements RequestParser {
  private readonly native: NativeRequestParser
  /** The parser's state after the last feed: the getters below skip a native call when they can. */
  private state = 0

  constructor(options: ParserOptions = {}) {
    this.native = new binding.NativeRequestParser(options.maxBulkLen)
  }

  feed(chunk: Buffer): Buffer[][] {
    const native = this.native
    let packed = native.feed(chunk, sharedMeta)
    let meta: Uint32Array = sharedMeta
    if (packed < 0) {
      meta = native.takeMeta()
      packed = -packed
    }
    // Arithmetic, not bit operations: the word count may pass 2^28.
    this.state = packed % 8
    const words = (packed - this.state) / 8
    const commands: Buffer[][] = []
    let pending: Buffer | null = null
    let inline: Buffer | null = null
    let i = 0
    while (i < words) {
      const header = meta[i++]
      const argc = header & ARGC_MASK
      const kind = header >>> 30
      let backing: Buffer
      if (kind === BACKING_CHUNK) {
        backing = chunk
      } else if (kind === BACKING_PENDING) {
        // The native side hands over no buffer when every argument is empty (e.g. `'' ''`).
        backing = pending ??= native.takePendingBacking() ?? NO_BYTES
      } else {
        backing = inline ??= native.takeInlineBacking() ?? NO_BYTES
      }
      const argv = new Array<Buffer>(argc)
      for (let a = 0; a < argc; a++) {
        argv[a] = backing.subarray(meta[i], meta[i + 1])
        i += 2
      }
      commands.push(argv)
    }
    return commands
  }

  get error(): string | null {
    return (this.state & FEED_ERROR) === 0 ? null : this.native.error
  }

  get bufferedBytes(): number {
    return (this.state & FEED_BUFFERED) === 0 ? 0 : this.native.bufferedBytes
  }

  get stalled(): boolean {
    return (this.state & FEED_STALLED) !== 0
  }

  setAuthenticated(authenticated: boolean): void {
    this.native.setAuthenticated(authenticated)
  }

  setMaxBulkLen(bytes: number): void {
    this.native.setMaxBulkLen(bytes)
  }
}

export const RequestParser: new (options?: ParserOptions) => RequestParser = RequestParserImpl

/** Redis's sdssplitargs (inline commands' quoting rules); null for unbalanced quotes. */
export const splitArgs: (line: Buffer) => Buffer[] | null = binding.splitArgs

// ------------------------------------------------------------ RESP encoder

/** Encode replies for one connection in one native call; proto is 2 or 3. */
export const encodeReplies: (replies: Reply[], proto: 2 | 3) => Buffer = binding.encodeReplies
export const encodeReply: (reply: Reply, proto: 2 | 3) => Buffer = binding.encodeReply
/**
 * A batch's replies back to back: reply i in protocol protos[i], or no bytes when protos[i] is 0
 * (a value for the embedding API), or `+OK` unread when it is PROTO_OK; ends[i] receives where
 * reply i ends (`protos` and `ends` may be longer than `replies`: reused scratch). The bytes go
 * into `into` when they fit (the result is their length), or else into a Buffer of their own (the
 * result).
 */
export const encodeBatch: (replies: Reply[], protos: Uint8Array, ends: Uint32Array, into: Buffer) => number | Buffer = binding.encodeBatch
/** encodeBatch's protos[i] for a reply that is `OK` (core/reply.ts), in either protocol: the encoder writes `+OK` without reading it (native/src/lib.rs's PROTO_OK). */
export const PROTO_OK = 4

// -------------------------------------------------------------------- HLC

export const hlcPack: (physicalMs: number, logical: number) => bigint = binding.hlcPack
export const hlcPhysical: (hlc: bigint) => number = binding.hlcPhysical
export const hlcLogical: (hlc: bigint) => number = binding.hlcLogical
/** The next timestamp strictly greater than prev: max(prev + 1, pack(physicalMs, 0)). */
export const hlcNext: (prev: bigint, physicalMs: number) => bigint = binding.hlcNext
/**
 * Receive a remote timestamp: the result is > prev and > remote, unless the
 * remote's physical part is more than maxDriftMs ahead of physicalMs; then it
 * is not adopted and the result is { hlc: hlcNext(prev, physicalMs), rejected: true }.
 */
export const hlcUpdate: (prev: bigint, remote: bigint, physicalMs: number, maxDriftMs: number) => HlcUpdate =
  binding.hlcUpdate

// -------------------------------------------------------------------- WAL

export const WalSyncer: new (store: bigint, onSynced: (request: number, error: string | null) => void) => WalSyncer = binding.WalSyncer

// ------------------------------------------------------------- partitions

/** pid = XXH3-64(hash tag or key) mod 4096, hash tags as in Redis Cluster. */
export const partitionOf: (key: Buffer) => number = binding.partitionOf
/**
 * Tests only: read every batch of two keys or more as one that went to the disk lately, warm or
 * not: 'batched' as such batches read here (native/src/store/batched_reads.h, io_uring), 'split'
 * across the read helpers (read_helpers.h: where io_uring is not to be had); 'auto' undoes it.
 */
export const coldReadsForTesting: (mode: 'auto' | 'batched' | 'split') => void = binding.coldReadsForTesting
/** Tests only: hold each queued write this many µs before it goes to RocksDB (0 undoes it). */
export const writeDelayForTesting: (micros: number) => void = binding.writeDelayForTesting
/** Whether cold batches submit their reads together on this machine, and how many reads the process has submitted so. */
export const batchedReads: () => { available: boolean; submitted: number } = binding.batchedReads
/** XXH3-64, seed 0. */
export const xxh3: (data: Buffer) => bigint = binding.xxh3

// ------------------------------------------------------------------ float

/**
 * INCRBYFLOAT as Redis 7 computes it (80-bit long double). `current` null
 * means the key does not exist (0). Throws Error('ERR value is not a valid
 * float') or Error('ERR increment would produce NaN or Infinity').
 */
export const incrByFloat: (current: Buffer | null, increment: Buffer) => string = binding.incrByFloat
/** A double as Redis 7.0 prints it in replies: `%.17g`, `inf`, `-inf`, `nan`. */
export const formatDouble: (d: number) => string = binding.formatDouble

// -------------------------------------------------------------------- Lua

export const LUA_CALL = 0
export const LUA_PCALL = 1
export const LUA_CHECK = 2
export const LUA_LOG = 3

export const RocksStore: RocksStoreClass = binding.RocksStore

/** What a script asks for (redis.call and the like): its arguments, and the flags LuaHost.run describes. */
export type ScriptCallback = (argv: Buffer[], flags: number) => Reply

/** The addon's side of the callback: the arguments packed in one Buffer, `count` u32 LE lengths then the bytes. */
type PackedCallback = (packed: Buffer, count: number, flags: number) => Reply

type NativeLuaHost = Omit<LuaHost, 'run' | 'loadLibrary' | 'runFunction'> & {
  run(sha: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: PackedCallback): Reply
  loadLibrary(body: Buffer, install: string | null, call: PackedCallback): RegisteredFunction[] | string
  runFunction(library: string, name: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: PackedCallback): Reply
}

/** The arguments of a packed call, as views of the one Buffer the addon made (native/src/lib.rs, call_js). */
function unpackArgs(packed: Buffer, count: number): Buffer[] {
  const argv = new Array<Buffer>(count)
  let at = 4 * count
  for (let i = 0; i < count; i++) {
    const end = at + packed.readUInt32LE(4 * i)
    argv[i] = packed.subarray(at, end)
    at = end
  }
  return argv
}

function unpacking(call: ScriptCallback): PackedCallback {
  return (packed, count, flags) => call(unpackArgs(packed, count), flags)
}

/** The addon's VM behind the LuaHost interface: callbacks get their arguments unpacked. */
class UnpackingLuaHost implements LuaHost {
  private readonly vm: NativeLuaHost

  constructor(memoryLimitBytes: number) {
    this.vm = new binding.LuaHost(memoryLimitBytes)
  }

  sha1hex(data: Buffer): string {
    return this.vm.sha1hex(data)
  }

  has(sha: string): boolean {
    return this.vm.has(sha)
  }

  noWrites(sha: string): boolean {
    return this.vm.noWrites(sha)
  }

  load(sha: string, body: Buffer): string | null {
    return this.vm.load(sha, body)
  }

  flush(): void {
    this.vm.flush()
  }

  get usedMemory(): number {
    return this.vm.usedMemory
  }

  get aborted(): boolean {
    return this.vm.aborted
  }

  get lastRunCpuMicros(): number {
    return this.vm.lastRunCpuMicros
  }

  run(sha: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: ScriptCallback): Reply {
    return this.vm.run(sha, keys, args, timeLimitMs, unpacking(call))
  }

  loadLibrary(body: Buffer, install: string | null, call: ScriptCallback): RegisteredFunction[] | string {
    return this.vm.loadLibrary(body, install, unpacking(call))
  }

  removeLibrary(name: string): void {
    this.vm.removeLibrary(name)
  }

  runFunction(library: string, name: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: ScriptCallback): Reply {
    return this.vm.runFunction(library, name, keys, args, timeLimitMs, unpacking(call))
  }
}

export const LuaHost: new (memoryLimitBytes: number) => LuaHost = UnpackingLuaHost
