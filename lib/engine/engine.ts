// The engine of one node: the RocksDB database, the shared clock, one shard worker pool per
// shard, and the dispatcher that batches commands per shard per event-loop turn.
//
// Ordering: every shard runs its commands in arrival order, one batch in flight at a time.
// A command that needs more than one shard (keys on several shards, or the whole keyspace)
// is a barrier: commands that arrived before it finish, commands after it wait, it runs on
// the main thread directly against RocksDB, then the waiting commands are released in order.
// A single node therefore answers exactly as a single Redis, whatever the shard count.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { Piscina } from 'piscina'
import { SharedHlc } from '../core/clock'
import { error, Reply } from '../core/reply'
import type { CommandInfo, DataCommand } from '../commands/types'
import { isSingleKey, keysOf } from '../commands/types'
import type { Config } from '../config'
import { log } from '../log'
import { encodeReply, partitionOf } from '../native'
import { FramedCommand, packFrame } from '../shard/frame'
import type { ShardTask, ShardWorkerData } from '../shard/worker'
import { FORMAT_VERSION, prefixEnd, SYS_FORMAT, SYS_HLC_PREFIX, SYS_NODE_ID, SYS_SCRIPT_PREFIX } from '../storage/layout'
import { WalSync } from '../storage/wal-sync'
import { Store } from '../storage/store'
import { KeyspaceCounters, KeyspaceStats } from './keyspace-stats'
import { ExecContext, ScriptNode } from './exec-context'
import { InlinePolicy, traitsOf } from './inline-policy'
import { setRoutingStore } from '../commands/scripting'
import { KeyCounts } from './key-counts'
import { BatchResult, batchReads, runBatch } from './run-batch'
import { GroupCommit } from './group-commit'
import { indexRecordsOnce } from './sweep'

/** A node-wide command (KEYS, SCAN, DBSIZE, FLUSHALL...): runs on the main thread with every shard quiet. */
export interface NodeCommand extends CommandInfo {
  readonly runNode: (node: NodeContext, argv: Buffer[]) => Reply | Promise<Reply>
}

export interface NodeContext {
  readonly store: Store
  /** The main thread's writer, for commands that change keys. */
  readonly ctx: ExecContext
  readonly nowMs: number
  /** Run one data command here (committed on its own) and return its reply: EXEC's mixed transactions. */
  runData(argv: Buffer[]): Reply
}

/** What an exclusive task (Engine.exclusive) is, to the barrier machinery. */
const EXCLUSIVE_INFO = { name: 'exec', arity: -1, flags: [], firstKey: 0, lastKey: 0, step: 0, group: 'transactions', summary: '', since: '' }

export interface Submission {
  readonly command: DataCommand | NodeCommand
  readonly argv: Buffer[]
  /** 2 or 3: the reply arrives encoded; 0: as a value (embedding). */
  readonly proto: 0 | 2 | 3
  /**
   * `retryArgv`: what a blocking command that found nothing asks its retries to run
   * (ExecContext.retryArgv); `endMs`: performance.now() when its batch ended, read once for all
   * of a batch's replies.
   */
  readonly done: (reply: Buffer | Reply, retryArgv?: Buffer[], endMs?: number) => void
}

export type EngineConfig = Pick<Config, 'dataDir' | 'nodeId' | 'shards' | 'fsync' | 'logLevel' | 'inlineBatches' | 'compression'>

interface Lane {
  readonly pool: Piscina
  queue: Submission[]
  inflight: boolean
  sweepDue: boolean
  /**
   * Read-only batches of this lane reading ahead now (Engine.mayReadBeside). While there are any,
   * they are all the lane has in flight: another read-only one may start beside them, and
   * anything else waits for them all.
   */
  reading: number
  /** Bumped by every read-ahead batch of the lane that wrote (a read deletes the expired keys it meets). */
  writeEpoch: number
}

const SWEEP_INTERVAL_MS = 100
/**
 * Batches reading ahead at once, node-wide. Each holds a thread of libuv's pool for its disk
 * reads; marekvs-server sizes the pool at one more than the cores (lib/cli.ts), so on two cores
 * the fourth waits for a thread, which cost less than a fourth thread (docs/performance.md).
 */
const READ_AHEADS_MAX = 4
const WAL_SYNC_INTERVAL_MS = 1000
/** With every shard paused, a script on the main thread may touch any key. */
const OWNS_ALL = (): boolean => true

export class Engine {
  private readonly lanes: Lane[]
  private flushScheduled = false
  /** The barrier command now waiting or running, and what arrived after it. */
  private barrier: Submission | null = null
  private held: Submission[] = []
  /** Batches reading ahead now (readAheadThenRun), over every lane. */
  private readAheads = 0
  private readonly timers: NodeJS.Timeout[] = []
  private closed = false
  /** Set once close() has finished every batch: nothing more is sent to the workers. */
  private drained = false
  private readonly readyAfterBarrier: string[] = []
  /** The retry argv the barrier's data command left (Submission.done). */
  private barrierRetryArgv: Buffer[] | undefined = undefined
  /** Whether the barrier's data commands wrote (unsynced: its reply waits for the group commit). */
  private barrierWrote = false
  /** Scripts' time budget in thread CPU ms, live (CONFIG SET lua-time-limit): every batch carries it. */
  scriptTimeLimitMs = 20
  /** Bumped by SCRIPT FLUSH: every thread's Lua host forgets its compiled scripts when it sees a new one. */
  scriptEpoch = 0
  /** Bumped when function libraries change (librariesChanged): every thread's Lua host reloads them when it sees a new one. */
  functionEpoch = 0
  /** Node-wide services for scripts that run with every shard paused (PUBLISH); set by the node. */
  scriptNode: ScriptNode | null = null
  /** Told, after the replies of the batch that did it, which keys gained elements (BLPOP & co wake on it). */
  onReady: (keys: string[]) => void = () => {}
  private readonly inline: InlinePolicy
  private readonly walSync: WalSync
  /** Under MAREKVS_FSYNC=always: the replies waiting for a WAL sync. */
  private readonly groupCommit: GroupCommit | null = null
  /**
   * RocksDB write batches, the write commands they carried, and WAL syncs (under
   * MAREKVS_FSYNC=always, one for every batch written while the sync before it ran; one a
   * second under everysec): INFO persistence, so a benchmark can tell how many writes share one sync.
   */
  readonly writes = { batches: 0, commands: 0, syncs: 0 }
  /** Keyspace hits and misses and expired keys, summed over every writer (INFO stats). */
  readonly keyspace: KeyspaceCounters

  private constructor(
    readonly config: EngineConfig,
    readonly store: Store,
    private readonly mainCtx: ExecContext,
    hlc: SharedHlc,
    /** Counts failed RocksDB writes (INFO, /metrics). */
    private readonly onStorageError: () => void,
  ) {
    this.keyspace = new KeyspaceCounters(mainCtx.keyspace.buffer)
    const data: Omit<ShardWorkerData, 'shard'> = {
      handle: store.handle, hlcBuffer: hlc.buffer, countsBuffer: mainCtx.counts.buffer, keyspaceBuffer: mainCtx.keyspace.buffer, nodeId: config.nodeId, shards: config.shards, logLevel: config.logLevel,
    }
    this.lanes = []
    for (let shard = 0; shard < config.shards; shard++) {
      const pool = new Piscina({
        filename: path.join(__dirname, '..', 'shard', 'worker.js'),
        minThreads: 1,
        maxThreads: 1,
        idleTimeout: Infinity,
        // The worker's event loop must run between tasks: RocksDB iterators release their
        // bookkeeping on nextTick, which 'sync' atomics would starve.
        atomics: 'disabled',
        workerData: { ...data, shard },
      })
      this.lanes.push({ pool, queue: [], inflight: false, sweepDue: false, reading: 0, writeEpoch: 0 })
    }
    this.inline = new InlinePolicy(config.inlineBatches)
    mainCtx.onScriptRun = (named, micros) => this.inline.slowScripts.note(named, micros)
    this.walSync = new WalSync(store.handle.handle, (request, err) => this.walSynced(request, err))
    if (config.fsync === 'always') this.groupCommit = new GroupCommit(() => this.walSync.request())
    this.timers.push(setInterval(() => this.markSweepDue(), SWEEP_INTERVAL_MS))
    if (config.fsync === 'everysec') this.timers.push(setInterval(() => this.walSync.request(), WAL_SYNC_INTERVAL_MS))
    for (const timer of this.timers) timer.unref()
  }

  static async open(config: EngineConfig, onStorageError: () => void = () => {}): Promise<Engine> {
    mkdirSync(config.dataDir, { recursive: true })
    const store = await Store.open(path.join(config.dataDir, 'rocksdb'), { compression: config.compression, queueWrites: config.fsync !== 'always' })
    try {
      checkIdentity(store, config.nodeId)
    } catch (err) {
      await store.close()
      throw err
    }
    clearScripts(store)
    const indexed = indexRecordsOnce(store)
    if (indexed > 0) log.info('indexed the expiry times and tombstones of a data dir from before their index', { records: indexed })
    const hlc = SharedHlc.create(highWaterHlc(store))
    const counts = KeyCounts.load(store)
    setRoutingStore(store)
    const keyspace = new KeyspaceStats(KeyspaceStats.buffer(config.shards), 0)
    const engine = new Engine(config, store, new ExecContext(store, hlc, config.nodeId, 'main', counts, keyspace), hlc, onStorageError)
    // Start every worker now, so a broken install fails at open and not on the first command.
    await Promise.all(engine.lanes.map((lane) => lane.pool.run({ frame: null, nowMs: Date.now(), sweep: false, scriptTimeLimitMs: 0, scriptEpoch: 0, functionEpoch: 0 })))
    return engine
  }

  get shards(): number {
    return this.lanes.length
  }

  submit(submission: Submission): void {
    if (this.closed) {
      submission.done(this.finish(submission, error('ERR server is shutting down')))
      return
    }
    if (this.barrier !== null) {
      this.held.push(submission)
      return
    }
    const lane = this.laneOf(submission)
    if (lane === null) {
      this.barrier = submission
      this.scheduleFlush()
      return
    }
    lane.queue.push(submission)
    this.scheduleFlush()
  }

  /**
   * Run `task` on the main thread with every shard quiet, in order with every other submission:
   * EXEC of a transaction that holds node-wide or connection commands.
   */
  exclusive(task: (node: NodeContext) => Reply | Promise<Reply>): Promise<Reply> {
    return new Promise((resolve) => {
      this.submit({ command: { ...EXCLUSIVE_INFO, runNode: task }, argv: [], proto: 0, done: (reply) => resolve(reply as Reply) })
    })
  }

  /** Finish in-flight work, sync the WAL, stop the workers, close RocksDB. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const timer of this.timers) clearInterval(timer)
    while (this.barrier !== null || this.lanes.some((lane) => lane.inflight || lane.queue.length > 0) || this.groupCommit?.idle === false) {
      this.flush()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    this.drained = true
    await Promise.all(this.lanes.map((lane) => lane.pool.destroy()))
    this.store.syncWal(Date.now())
    this.walSync.close()
    await this.store.close()
  }

  /** The shard lane of a single-shard data command, or null for a barrier. */
  private laneOf(submission: Submission): Lane | null {
    if (!('run' in submission.command)) return null
    const command = submission.command
    const argv = submission.argv
    if (command.anyKeys?.(argv) === true) return null
    // One key (GET, SET, LPUSH...): no array of keys to build.
    if (isSingleKey(command)) {
      return argv.length > command.firstKey ? this.lanes[partitionOf(argv[command.firstKey]) % this.lanes.length] : this.lanes[0]
    }
    const keys = keysOf(command, argv)
    if (keys.length === 0) return this.lanes[0]
    const shard = partitionOf(keys[0]) % this.lanes.length
    for (let i = 1; i < keys.length; i++) if (partitionOf(keys[i]) % this.lanes.length !== shard) return null
    return this.lanes[shard]
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      this.flush()
    })
  }

  private flush(): void {
    // A flush scheduled before close() drained must not reach pools being destroyed.
    if (this.drained) return
    if (this.barrier === null) this.runInline()
    for (const lane of this.lanes) {
      if (!lane.inflight && this.hasWork(lane)) this.start(lane)
      else if (this.mayReadBeside(lane)) this.readAheadThenRun(lane)
    }
    this.tryRunBarrier()
  }

  /**
   * A lane's next batch: read ahead, then run here, while reads are cold and it reads only
   * records; on its shard otherwise, and when the lane's sweep is due (it runs on the shard,
   * with the batch: a lane never idle would starve it otherwise).
   */
  private start(lane: Lane): void {
    const readAhead = lane.queue.length > 0 && !lane.sweepDue && this.inline.readAhead
    if (readAhead && lane.queue.every((submission) => traitsOf(submission.command).recordsOnly)) this.readAheadThenRun(lane)
    else this.send(lane)
  }

  /**
   * Read a batch's records on libuv's pool (its reads in flight together: native/src/store/
   * batched_reads.h), then run it here. A shard would wait for the same reads one after another,
   * and the hand-off to it and back costs more than the batch's own JS (docs/performance.md,
   * eleventh round). The lane is busy meanwhile: nothing but other read-only batches of the lane
   * (mayReadBeside) runs before it, and if one of those wrote, this one reads its records again.
   */
  private readAheadThenRun(lane: Lane): void {
    const batch = lane.queue
    lane.queue = []
    lane.inflight = true
    const readOnly = batch.every((submission) => !traitsOf(submission.command).write)
    if (readOnly) lane.reading++
    this.readAheads++
    const done = (result: BatchResult | null, failure?: Reply): void => {
      this.readAheads--
      if (readOnly && --lane.reading > 0) this.readBesideDone(lane, batch, result, failure)
      else this.complete(lane, batch, result, failure)
    }
    const epoch = lane.writeEpoch
    const { keys, heads } = batchReads(batch)
    this.mainCtx.readAheadAsync(keys, heads).then(
      (preread) => {
        // A batch of the lane that ran meanwhile wrote: the records read may be older than that.
        const result = runBatch(this.mainCtx, batch, Date.now(), lane.writeEpoch === epoch ? preread : null)
        if (result.wrote) lane.writeEpoch++
        done(result)
      },
      (err: Error) => {
        log.error('storage read failed', { error: err.message })
        this.onStorageError()
        done(null, error(`ERR storage error: ${err.message}`))
      },
    )
  }

  /**
   * Whether the lane's queue may start reading ahead beside the read-only batches it has in
   * flight: it reads only (a write must not overtake reads sent before it, nor they it), and
   * reads only records. The disk then serves more reads at once than one batch per lane has:
   * on two cores, two lanes (docs/performance.md, twelfth round).
   */
  private mayReadBeside(lane: Lane): boolean {
    return lane.reading > 0 && lane.queue.length > 0 && !lane.sweepDue && this.barrier === null && this.readAheads < READ_AHEADS_MAX &&
      this.inline.readAhead && lane.queue.every((submission) => {
        const traits = traitsOf(submission.command)
        return traits.recordsOnly && !traits.write
      })
  }

  /** A read-only batch done while others of its lane still read: the lane stays busy with them. */
  private readBesideDone(lane: Lane, batch: Submission[], result: BatchResult | null, failure?: Reply): void {
    this.settle(batch, result, failure)
    for (const other of this.lanes) if (this.mayReadBeside(other)) this.readAheadThenRun(other)
  }

  /** Background work (the sweep) waits while a barrier does, or it could starve the barrier. */
  private hasWork(lane: Lane): boolean {
    return lane.queue.length > 0 || (this.barrier === null && lane.sweepDue)
  }

  private send(lane: Lane): void {
    const batch = lane.queue
    lane.queue = []
    lane.inflight = true
    const frame = batch.length > 0 ? packFrame(batch) : null
    const background = this.barrier === null
    const task: ShardTask = {
      frame, nowMs: Date.now(), sweep: background && lane.sweepDue,
      scriptTimeLimitMs: this.scriptTimeLimitMs, scriptEpoch: this.scriptEpoch, functionEpoch: this.functionEpoch,
    }
    if (background) lane.sweepDue = false
    lane.pool.run(task, frame === null ? {} : { transferList: [frame.buffer as ArrayBuffer] }).then(
      (result: BatchResult | null) => this.complete(lane, batch, result),
      (err: Error) => {
        log.error('shard task failed', { error: err.stack })
        const reply = error(`ERR shard failure: ${err.message}`)
        this.complete(lane, batch, null, reply)
      },
    )
  }

  /**
   * Batches of cheap commands run here, on the main thread, every idle lane's in one RocksDB
   * write, when the hand-off to a shard thread would cost more than the work (inline-policy.ts).
   * A lane with a batch in flight keeps its order: its queue waits for it.
   */
  private runInline(): void {
    const maxArgs = this.inline.maxArgs
    let args = 0
    let batch: Submission[] | null = null
    for (const lane of this.lanes) {
      if (lane.inflight || lane.queue.length === 0) continue
      const laneArgs = this.inlineArgs(lane.queue)
      if (laneArgs < 0 || args + laneArgs > maxArgs) continue
      args += laneArgs
      batch = batch === null ? lane.queue : batch.concat(lane.queue)
      lane.queue = []
    }
    if (batch === null) return
    this.syncScriptState()
    // Its lanes are idle, the others may be running: a script reaches its own shard's keys only, as on the shard.
    this.mainCtx.owns = this.ownsInline
    this.settle(batch, runBatch(this.mainCtx, batch, Date.now()))
  }

  /** Whether a script running inline may touch `key`: on the shard of `home`, the first key it declared. */
  private readonly ownsInline = (key: Buffer, home: Buffer | null): boolean =>
    home !== null && partitionOf(key) % this.lanes.length === partitionOf(home) % this.lanes.length

  /** The arguments of a batch the main thread may run itself, or -1. */
  private inlineArgs(batch: Submission[]): number {
    let args = 0
    for (const submission of batch) {
      const traits = traitsOf(submission.command)
      if (!traits.cheap && !(traits.script && this.fastScript(submission.argv))) return -1
      args += submission.argv.length
    }
    return args
  }

  /** Whether the script or function argv names is not known to be slow (inline-policy.ts, SlowScripts). */
  private fastScript(argv: Buffer[]): boolean {
    return argv.length > 1 && !this.inline.slowScripts.has(argv[1])
  }

  /** Function libraries were stored or deleted (FUNCTION LOAD, DELETE...): every thread reloads them, and their functions are measured anew. */
  librariesChanged(): void {
    this.functionEpoch++
    this.inline.slowScripts.clear()
  }

  /** Scripts kept on their shards because their runs proved slow (INFO). */
  get slowScripts(): number {
    return this.inline.slowScripts.count
  }

  /** The live script budget and epochs, for scripts about to run on the main thread. */
  private syncScriptState(): void {
    this.mainCtx.scriptTimeLimitMs = this.scriptTimeLimitMs
    this.mainCtx.scriptEpoch = this.scriptEpoch
    this.mainCtx.functionEpoch = this.functionEpoch
  }

  private complete(lane: Lane, batch: Submission[], result: BatchResult | null, failure?: Reply): void {
    lane.inflight = false
    this.settle(batch, result, failure)
    // Work that waited behind a sweep may be cheap enough to run inline: the next flush decides.
    if (this.barrier === null && lane.queue.length > 0 && this.inline.maxArgs > 0 && this.inlineArgs(lane.queue) >= 0) this.scheduleFlush()
    else if (this.hasWork(lane)) this.start(lane)
    else this.tryRunBarrier()
  }

  /** A batch has run: deliver its replies, under MAREKVS_FSYNC=always once what it saw and wrote is synced. */
  private settle(batch: Submission[], result: BatchResult | null, failure?: Reply): void {
    if (result?.storageError) this.onStorageError()
    if (result) this.inline.reads.note(result.readKeys, result.readMicros)
    if (result?.wrote) this.countWrites(batch.reduce((n, submission) => n + (traitsOf(submission.command).write ? 1 : 0), 0))
    if (this.groupCommit === null) this.deliver(batch, result, failure)
    else this.groupCommit.after(result?.wrote === true, (syncFailure) => this.deliver(batch, result, failure ?? syncFailure))
  }

  /** Hand each submission its reply, then wake the clients blocked on keys the batch fed. */
  private deliver(batch: Submission[], result: BatchResult | null, failure?: Reply): void {
    // A worker's replies arrive as a plain Uint8Array: a Buffer again. An inline batch's are one.
    const out = result === null ? null : asBuffer(result.out)
    const endMs = performance.now()
    for (let i = 0; i < batch.length; i++) {
      const submission = batch[i]
      if (failure !== undefined || result === null) submission.done(this.finish(submission, failure ?? error('ERR shard returned no reply')), undefined, endMs)
      else if (submission.proto === 0) submission.done(result.raw![i] ?? null, retryArgvOf(result, i), endMs)
      else submission.done(out!.subarray(i === 0 ? 0 : result.ends[i - 1], result.ends[i]), retryArgvOf(result, i), endMs)
    }
    if (result?.ready) this.onReady(result.ready)
  }

  private tryRunBarrier(): void {
    const barrier = this.barrier
    if (barrier === null || this.lanes.some((lane) => lane.inflight || lane.queue.length > 0)) return
    // Mark every lane busy so nothing else starts while the barrier runs.
    for (const lane of this.lanes) lane.inflight = true
    this.runOnMain(barrier).then(
      (reply) => this.releaseBarrier(barrier, reply),
      (err: Error) => {
        log.error('node command failed', { command: barrier.command.name, error: err.stack })
        this.releaseBarrier(barrier, this.finish(barrier, error(`ERR ${err.message}`)))
      },
    )
  }

  private async runOnMain(submission: Submission): Promise<Buffer | Reply> {
    const nowMs = Date.now()
    this.syncScriptState()
    // Every shard is paused: any key.
    this.mainCtx.owns = OWNS_ALL
    if ('runNode' in submission.command) {
      const runData = (argv: Buffer[]): Reply => this.runDataOnMain({ argv, proto: 0 }, Date.now()) as Reply
      const reply = await submission.command.runNode({ store: this.store, ctx: this.mainCtx, nowMs, runData }, submission.argv)
      this.barrierRetryArgv = undefined
      return this.finish(submission, reply)
    }
    return this.runDataOnMain(submission, nowMs)
  }

  private runDataOnMain(command: FramedCommand, nowMs: number): Buffer | Reply {
    this.mainCtx.scriptNode = this.scriptNode
    let result: BatchResult
    try {
      result = runBatch(this.mainCtx, [command], nowMs)
    } finally {
      this.mainCtx.scriptNode = null
    }
    if (result.storageError) this.onStorageError()
    if (result.wrote) {
      this.countWrites(1)
      this.barrierWrote = true
    }
    // Waiters are retried after the barrier's reply: they queue behind it anyway.
    if (result.ready) this.readyAfterBarrier.push(...result.ready)
    this.barrierRetryArgv = retryArgvOf(result, 0)
    return command.proto === 0 ? result.raw![0] ?? null : result.out
  }

  private releaseBarrier(barrier: Submission, reply: Buffer | Reply): void {
    for (const lane of this.lanes) lane.inflight = false
    this.barrier = null
    const retryArgv = this.barrierRetryArgv
    this.barrierRetryArgv = undefined
    const wrote = this.barrierWrote
    this.barrierWrote = false
    const ready = this.readyAfterBarrier.splice(0)
    const release = (syncFailure?: Reply): void => {
      barrier.done(syncFailure === undefined ? reply : this.finish(barrier, syncFailure), retryArgv)
      if (ready.length > 0) this.onReady(ready)
    }
    // Like a shard's batch: its reply waits for a sync after what it wrote, or after the
    // unsynced writes it may have read.
    if (this.groupCommit === null) release()
    else this.groupCommit.after(wrote, release)
    const held = this.held
    this.held = []
    for (const submission of held) this.submit(submission)
    this.scheduleFlush()
  }

  private countWrites(commands: number): void {
    this.writes.batches++
    this.writes.commands += commands
  }

  /** A reply value in the shape the submitter asked for. */
  private finish(submission: Submission, reply: Reply): Buffer | Reply {
    return submission.proto === 0 ? reply : encodeReply(reply, submission.proto)
  }

  private markSweepDue(): void {
    for (const lane of this.lanes) lane.sweepDue = true
    this.scheduleFlush()
  }

  /** A WAL sync is done: replies that waited for it go out (`always`); a failure is a storage error. */
  private walSynced(request: number, err: Error | null): void {
    this.writes.syncs++
    if (err === null) {
      this.groupCommit?.synced(request)
      return
    }
    log.error('WAL sync failed', { error: err.message })
    this.onStorageError()
    this.groupCommit?.synced(request, error(`ERR storage error: ${err.message}`))
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function retryArgvOf(result: BatchResult, index: number): Buffer[] | undefined {
  return result.retryArgv?.[index]?.map((arg) => Buffer.from(arg, 'latin1'))
}

/** Record the format and node id in a new data dir; refuse one that belongs to another. */
function checkIdentity(store: Store, nodeId: number): void {
  const [format, owner] = store.getMany('sys', [SYS_FORMAT, SYS_NODE_ID])
  if (format === undefined && owner === undefined) {
    store.write([
      { column: 'sys', key: SYS_FORMAT, value: Buffer.from(String(FORMAT_VERSION)) },
      { column: 'sys', key: SYS_NODE_ID, value: Buffer.from(String(nodeId)) },
    ], true)
    return
  }
  if (format?.toString() !== String(FORMAT_VERSION)) {
    throw new Error(`data directory has format ${format?.toString() ?? 'unknown'}, this build reads format ${FORMAT_VERSION}`)
  }
  if (owner?.toString() !== String(nodeId)) {
    throw new Error(`data directory belongs to node ${owner?.toString() ?? 'unknown'}, not MAREKVS_NODE_ID=${nodeId}; per-origin counters would be corrupted`)
  }
}

/** Script bodies (`script/<sha>`) do not outlive the node, as Redis's script cache: clients re-send them after NOSCRIPT. */
export function clearScripts(store: Store): void {
  const end = prefixEnd(SYS_SCRIPT_PREFIX)
  for (;;) {
    const rows = store.scan('sys', SYS_SCRIPT_PREFIX, end, 1024)
    if (rows.length === 0) return
    store.write(rows.map((row) => ({ column: 'sys' as const, key: row.key, value: null })), false)
  }
}

/** The highest HLC any writer stamped before: the new clock starts above it. */
function highWaterHlc(store: Store): bigint {
  const end = Buffer.from(SYS_HLC_PREFIX)
  end[end.length - 1]++
  let high = 0n
  for (const { value } of store.scan('sys', SYS_HLC_PREFIX, end, 1024)) {
    const hlc = value.readBigUInt64BE(0)
    if (hlc > high) high = hlc
  }
  return high
}
