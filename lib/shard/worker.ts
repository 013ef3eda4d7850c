// A shard worker (one Piscina pool of one thread per shard). It attaches to the node's RocksDB by
// handle and to the node's HLC by SharedArrayBuffer, then runs one batch per task.
import { workerData } from 'node:worker_threads'
import { SharedHlc } from '../core/clock'
import { KeyspaceStats } from '../engine/keyspace-stats'
import { ExecContext } from '../engine/exec-context'
import { KeyCounts } from '../engine/key-counts'
import { BatchResult, runBatch } from '../engine/run-batch'
import { gcStep, newSweepCursor, sweepStep } from '../engine/sweep'
import { log } from '../log'
import { partitionOf } from '../native'
import { Store } from '../storage/store'
import { unpackFrame } from './frame'

export interface ShardWorkerData {
  handle: unknown
  hlcBuffer: SharedArrayBuffer
  /** The node's live-key counts (engine/key-counts.ts). */
  countsBuffer: SharedArrayBuffer
  /** INFO's keyspace counters: this shard writes slot shard + 1 (keyspace-stats.ts). */
  keyspaceBuffer: SharedArrayBuffer
  nodeId: number
  shard: number
  shards: number
  logLevel: string
}

export interface ShardTask {
  /** A packed frame (shard/frame.ts), or null for a task that only sweeps. */
  frame: Buffer | null
  nowMs: number
  sweep: boolean
  /** The live script budget (CONFIG SET lua-time-limit), SCRIPT FLUSH epoch and function libraries' epoch, per batch. */
  scriptTimeLimitMs: number
  scriptEpoch: number
  functionEpoch: number
}

async function start(): Promise<(task: ShardTask) => BatchResult | null> {
  const data = workerData as ShardWorkerData
  log.setLevel(data.logLevel as never)
  const store = await Store.open(data.handle)
  const ctx = new ExecContext(store, new SharedHlc(data.hlcBuffer), data.nodeId, `shard-${data.shard}`, new KeyCounts(data.countsBuffer), new KeyspaceStats(data.keyspaceBuffer, data.shard + 1))
  // A script running here may touch its own shard's keys only (commands/scripting.ts).
  ctx.owns = (key) => partitionOf(key) % data.shards === data.shard
  const own = { shard: data.shard, shards: data.shards }
  const cursor = newSweepCursor(own)
  return (task: ShardTask) => {
    ctx.scriptTimeLimitMs = task.scriptTimeLimitMs
    ctx.scriptEpoch = task.scriptEpoch
    ctx.functionEpoch = task.functionEpoch
    if (task.sweep) {
      sweepStep(ctx, own, cursor, task.nowMs)
      if (data.shard === 0) gcStep(store)
    }
    const result = task.frame === null
      ? null
      : runBatch(ctx, unpackFrame(Buffer.from(task.frame.buffer, task.frame.byteOffset, task.frame.byteLength)), task.nowMs)
    return result
  }
}

module.exports = start()
