// The state of one batch of commands on one writer (a shard worker, or the main thread while
// the shards are paused): prefetch the keys the batch names in one read, let handlers read and
// write through an overlay synchronously, then commit everything in one RocksDB write batch.
import { hlcPhysical, partitionOf } from '../native'
import { decodeEnvelope, encodeRecord, ENVELOPE_BYTES } from '../storage/envelope'
import { compareBytes } from '../core/bytes'
import { SharedHlc } from '../core/clock'
import { FLAG_HEAD, FLAG_TOMBSTONE, gcKey, hlcKey, isCollectionType, memberPrefix, memberPrefixLength, metaKey, SYS_EXPIRY_PREFIX, SYS_TOMBSTONE_PREFIX, timeIndexKey, TYPE_MASK, TYPE_STREAM } from '../storage/layout'
import { isExpired, Rec } from '../storage/record'
import type { KeyspaceStats } from './keyspace-stats'
import { RangeReader, Row, Store, WriteOp } from '../storage/store'
import type { KeyCounts } from './key-counts'

/** What a script running with every shard paused may call beyond the data commands. */
export interface ScriptNode {
  /** PUBLISH: deliver now; the number of receivers. */
  publish(channel: Buffer, message: Buffer): number
}

interface Entry {
  readonly storageKey: Buffer
  readonly pid: number
  /** Current physical state: null for missing or tombstoned. May be expired. */
  rec: Rec | null
  /** Collection versions this batch ended (deleted, replaced, expired): their members are purged later. */
  dead: Buffer[] | null
  /**
   * HLC of the current state: stored, or reserved by this batch's last write (0n: never
   * written); null until first needed, then read from `stored` (hlcOf). Reads never need it,
   * and the BigInt cost a GET ~100 bytes of garbage.
   */
  hlc: bigint | null
  /** The record as read, when there was one: where `hlc` comes from. */
  stored: Buffer | null
  dirty: boolean
  /** As stored: the record's expiry (0: none) and, for a tombstone, its HLC's physical ms (0: not a tombstone). Their index entries follow the record. */
  storedExpireAtMs: number
  storedTombstoneMs: number
}

/** A collection member as handlers see it: its flags (type nibble) and payload. */
export interface Member {
  readonly flags: number
  readonly payload: Buffer
}

export interface MemberRow extends Member {
  /** The full members-CF key. */
  readonly key: Buffer
}

/** A batch's records read before it began (ExecContext.readAheadAsync). */
export interface Preread {
  /** By key (latin1): the record as stored, undefined when there is none. */
  readonly records: Map<string, Buffer | undefined>
  /** What reading them cost, in µs of reading. */
  readonly micros: number
}

/** What WATCH remembers of a key: the version of its record and whether it was live. */
export interface KeyStamp {
  readonly hlc: bigint
  readonly live: boolean
}

interface MemberWrite {
  readonly key: Buffer
  /** null deletes the member. */
  readonly member: Member | null
}

const EMPTY = Buffer.alloc(0)
/** Free range readers kept per direction for the rest of a batch (ExecContext.members). */
const FREE_READERS_MAX = 4
/**
 * Walks that expect at most this many rows (LPOP, ZPOPMIN, ZRANGE 0 0...) share the batch's
 * readers (a seek ~4 µs, against ~10 µs for a query); longer ones read by queries of their own
 * (Store.iterate), each row ~10-20 % faster than from a reused iterator (docs/performance.md).
 */
const SHARED_READER_ROWS = 16

/** The id of the collection version a member storage key belongs to (its members prefix, latin1). */
function writePrefix(key: Buffer): string {
  return key.toString('latin1', 0, versionPrefixLength(key))
}

export class ExecContext {
  nowMs = 0
  private entries = new Map<string, Entry>()
  /**
   * The keys the batch was prefetched with, and their entries: handlers look their keys up by
   * the same Buffers, mostly in that order, so `entry` finds them here by identity, without the
   * latin1 id and its hashing that the map costs (docs/performance.md, fourteenth round).
   */
  private batchKeys: readonly Buffer[] = []
  private batchEntries: Entry[] = []
  /** Where in batchKeys the next lookup is expected. */
  private batchAt = 0
  private countDeltas = new Map<number, number>()
  /** Member writes of this batch by storage key (latin1), read back by later commands. */
  private memberWrites = new Map<string, MemberWrite>()
  /**
   * The keys of those writes per collection version (its members prefix, latin1): a walk finds
   * the writes in its range by binary search. Scanning every write of the batch instead made a
   * script of n pops O(n²) (4000 LPOPs took ~1 s); keeping them sorted on every write made one
   * SADD of 200k members O(n²). So new keys wait in `pending` until a walk needs them sorted.
   */
  private memberWriteKeys = new Map<string, { sorted: Buffer[]; pending: Buffer[] }>()
  /**
   * Keys of member writes not yet in memberWriteKeys: grouped by the next walk, so that a batch
   * that never walks (HSET, ZADD, SADD) spends no collection-prefix id on each write.
   */
  private ungroupedWriteKeys: Buffer[] = []
  /** Members this batch read, ahead (prefetchMembers) or by key, by storage key (latin1): as stored, undefined when missing. */
  private memberReads = new Map<string, Buffer | undefined>()
  /** Keys whose lists, sorted sets or streams gained elements: blocked clients may proceed. */
  readonly readyKeys: Buffer[] = []
  /** This batch's range readers over `members`, free for the next range read (by direction), and every one made: closed when the batch ends. */
  private readonly freeReaders: [RangeReader[], RangeReader[]] = [[], []]
  private readonly readers: RangeReader[] = []
  /** How to undo this batch's changes, newest last: a command that throws is rolled back (rollbackTo). */
  private readonly undo: Array<() => void> = []
  /**
   * The running command's reply protocol (0: values for the embedding API), for the few replies
   * whose shape differs beyond what the encoder does by itself (XREAD: an array of [key, entries]
   * pairs in RESP2, a map in RESP3). Set by runBatch before each command.
   */
  proto: 0 | 2 | 3 = 2
  /**
   * Set by a blocking command whose attempt found nothing: the argv its retries run instead of
   * the client's (XREAD's `$` resolved to the IDs it meant when received). runBatch reports it.
   */
  retryArgv: Buffer[] | null = null
  /** Scripts' time budget in thread CPU ms (MAREKVS_SCRIPT_TIME_LIMIT_MS, CONFIG SET lua-time-limit), set per batch. */
  scriptTimeLimitMs = 20
  /** Bumped by SCRIPT FLUSH: a writer whose Lua host saw another epoch forgets its compiled scripts. */
  scriptEpoch = 0
  /** Bumped when function libraries change (FUNCTION LOAD...): a writer that sees another epoch reloads them (commands/functions.ts). */
  functionEpoch = 0
  /**
   * Whether a script whose first declared key is `home` may touch `key` here: on a shard, the
   * shard's own partitions (a script that reaches for another shard's key is stopped); on the
   * main thread, inline, `home`'s shard's (the engine sets it); with the shards paused, every key.
   */
  owns: (key: Buffer, home: Buffer | null) => boolean = () => true
  /**
   * Told each script's (and function's) CPU time in µs, with the argument that names it (EVAL's
   * body, EVALSHA's sha, FCALL's function): set on the main thread, which keeps slow ones off it.
   */
  onScriptRun: ((named: Buffer, micros: number) => void) | null = null
  /** Set by runOne while a read-only command runs: its lookups count as INFO's keyspace hits and misses, as Redis's lookupKeyRead. */
  countLookups = false
  /** Set while a script may reach node-wide services: on the main thread, with every shard paused. */
  scriptNode: ScriptNode | null = null

  constructor(
    readonly store: Store,
    private readonly clock: SharedHlc,
    /** This node's id: the origin stamped on every record it writes. */
    readonly origin: number,
    /** Names this writer's HLC high-water record (`hlc/<writer>`). */
    private readonly writer: string,
    /** The node's live-key counts per partition, shared by every writer. */
    readonly counts: KeyCounts,
    /** This writer's INFO counters: lookups by read commands, expired keys deleted. */
    readonly keyspace: KeyspaceStats,
  ) {}

  begin(nowMs: number): void {
    this.closeReaders()
    this.nowMs = nowMs
    // New Maps per batch, never clear(): this context lives in V8's old space, and there
    // clear() and every rehash put the Map's new table in old space too. The tables it drops
    // keep pointing at the batch's young objects, and a scavenge counts every such pointer as
    // live until the next mark-compact, so each batch's entries, keys and values were promoted:
    // 1.3 MB per scavenge, 5 ms pauses, p99 ×8 at a fixed 25k GET/s (docs/performance.md).
    // A Map still empty is kept: a new one costs an allocation, and an emptied one (a command
    // rolled back) points at little.
    this.entries = new Map()
    this.batchKeys = []
    this.batchEntries = []
    this.batchAt = 0
    if (this.countDeltas.size > 0) this.countDeltas = new Map()
    if (this.memberWrites.size > 0) this.memberWrites = new Map()
    if (this.memberWriteKeys.size > 0) this.memberWriteKeys = new Map()
    if (this.ungroupedWriteKeys.length > 0) this.ungroupedWriteKeys = []
    if (this.memberReads.size > 0) this.memberReads = new Map()
    this.readyKeys.length = 0
    this.undo.length = 0
  }

  /** A point to roll back to: taken before each command runs. */
  mark(): number {
    return this.undo.length
  }

  /** Undo every change made since `mark` (a handler that threw must not half-apply). */
  rollbackTo(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!()
  }

  /**
   * Read every key in one RocksDB call; later reads of them hit the overlay. `preread`: the
   * keys' records as read before the batch began (readAheadAsync); keys it lacks are read here.
   * `heads`: the batch's commands want little of a large record but its envelope (HeadRec).
   */
  prefetch(keys: Buffer[], preread: Preread | null = null, heads = false): void {
    this.batchKeys = keys
    this.batchEntries = new Array<Entry>(keys.length)
    this.batchAt = 0
    this.load(keys, preread, this.batchEntries, heads)
  }

  /** Put `keys`' entries in the overlay, reading the records of those not there yet; each key's entry into `into` at its index. */
  private load(keys: readonly Buffer[], preread: Preread | null, into: Entry[] | null, heads = false): void {
    // New entries go into the overlay first (a key named twice is read once), then get their records.
    const fresh: Entry[] = []
    const ids: string[] = []
    const storageKeys: Buffer[] = []
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      const id = key.toString('latin1')
      const known = this.entries.get(id)
      if (known !== undefined) {
        if (into !== null) into[i] = known
        continue
      }
      const pid = partitionOf(key)
      const entry: Entry = { storageKey: metaKey(pid, key), pid, rec: null, dead: null, hlc: 0n, stored: null, dirty: false, storedExpireAtMs: 0, storedTombstoneMs: 0 }
      this.entries.set(id, entry)
      if (into !== null) into[i] = entry
      if (preread?.records.has(id)) {
        this.applyStored(entry, preread.records.get(id))
        continue
      }
      fresh.push(entry)
      ids.push(id)
      storageKeys.push(entry.storageKey)
    }
    if (fresh.length === 0) return
    const stored = this.readAhead('meta', storageKeys, this.entries, ids, heads)
    for (let i = 0; i < fresh.length; i++) this.applyStored(fresh[i], stored[i])
  }

  /** A fresh entry's state from its stored record (undefined: none; a head: a HeadRec). */
  private applyStored(entry: Entry, raw: Buffer | undefined): void {
    if (raw === undefined) return
    const envelope = decodeEnvelope(raw)
    entry.hlc = null
    entry.stored = raw
    if (envelope.flags & FLAG_TOMBSTONE) {
      entry.storedTombstoneMs = hlcPhysical(hlcOf(entry))
    } else {
      const type = envelope.flags & TYPE_MASK
      entry.rec = envelope.flags & FLAG_HEAD ? new HeadRec(type, envelope.expireAtMs, raw, this.store, entry.storageKey) : { type, expireAtMs: envelope.expireAtMs, payload: raw.subarray(ENVELOPE_BYTES) }
      entry.storedExpireAtMs = envelope.expireAtMs
    }
  }

  /**
   * Read the records of `keys` (a batch's, as runBatch names them) on a thread of libuv's
   * pool, for a batch that runs once they are in (Engine, cold reads). The engine holds their
   * lane meanwhile, for all but other read-only batches; if one of those wrote (a read deletes the
   * expired keys it meets), the batch runs without what was read here.
   */
  async readAheadAsync(keys: Buffer[], heads = false): Promise<Preread> {
    const ids: string[] = []
    const storageKeys: Buffer[] = []
    for (const key of keys) {
      ids.push(key.toString('latin1'))
      storageKeys.push(metaKey(partitionOf(key), key))
    }
    const { values, micros } = await this.store.getManyAsync('meta', storageKeys, heads)
    const records = new Map<string, Buffer | undefined>()
    for (let i = 0; i < ids.length; i++) records.set(ids[i], values[i])
    return { records, micros }
  }

  /** The record at `key` if it exists and has not expired; an expired one is deleted on the way, as Redis's lazy expiry. */
  get(key: Buffer): Rec | null {
    const entry = this.entry(key)
    let rec = entry.rec
    if (rec !== null && isExpired(rec, this.nowMs)) {
      this.keyspace.expired()
      this.remove(entry)
      rec = null
    }
    if (this.countLookups) this.keyspace.lookup(rec !== null)
    return rec
  }

  put(key: Buffer, rec: Rec): void {
    const entry = this.entry(key)
    this.saveEntry(entry)
    if (entry.rec === null) this.addCount(entry.pid, 1)
    noteDeadVersion(entry, rec)
    entry.rec = rec
    this.touch(entry)
  }

  /** The version WATCH compares: any write to the key, a DEL or an expiry changes it. */
  stamp(key: Buffer): KeyStamp {
    const entry = this.entry(key)
    return { hlc: hlcOf(entry), live: entry.rec !== null && !isExpired(entry.rec, this.nowMs) }
  }

  /** A fresh HLC, unique on this node: new collection versions, element ids. */
  newVersion(): bigint {
    return this.clock.reserve(1, this.nowMs)
  }

  /** A key whose list, sorted set or stream gained elements in this batch. */
  signalReady(key: Buffer): void {
    this.readyKeys.push(key)
    this.undo.push(() => this.readyKeys.pop())
  }

  /** The record a prefetched key had when the batch read it, or as the batch left it; expired or not. No RocksDB read. */
  peek(key: Buffer): Rec | null {
    return this.entries.get(key.toString('latin1'))?.rec ?? null
  }

  /** Read members ahead in one RocksDB call (runBatch, DataCommand.memberArgs); later reads of them need none. */
  prefetchMembers(storageKeys: Buffer[]): void {
    const wanted: Buffer[] = []
    const ids: string[] = []
    for (const key of storageKeys) {
      const id = key.toString('latin1')
      if (this.memberReads.has(id)) continue
      this.memberReads.set(id, undefined)
      wanted.push(key)
      ids.push(id)
    }
    const stored = this.readAhead('members', wanted, this.memberReads, ids)
    for (let i = 0; i < ids.length; i++) if (stored[i] !== undefined) this.memberReads.set(ids[i], stored[i])
  }

  /**
   * One RocksDB read for keys whose places (`ids`) the caller already reserved in `overlay`:
   * if the read fails, the places go again, or they would pass for missing keys.
   */
  private readAhead(column: 'meta' | 'members', keys: Buffer[], overlay: Map<string, unknown>, ids: string[], heads = false): Array<Buffer | undefined> {
    try {
      return this.store.getMany(column, keys, heads)
    } catch (err) {
      for (const id of ids) overlay.delete(id)
      throw err
    }
  }

  getMember(storageKey: Buffer): Member | null {
    const id = storageKey.toString('latin1')
    const written = this.memberWrites.get(id)
    if (written !== undefined) return written.member
    if (this.memberReads.has(id)) return decodeMember(this.memberReads.get(id))
    const stored = this.store.get('members', storageKey)
    // A script's HGET then HSET of one field, say, reads it once.
    this.memberReads.set(id, stored)
    return decodeMember(stored)
  }

  /** Several members in one RocksDB read. */
  getMembers(storageKeys: Buffer[]): Array<Member | null> {
    const out = new Array<Member | null>(storageKeys.length)
    const missing: number[] = []
    const missingIds: string[] = []
    for (let i = 0; i < storageKeys.length; i++) {
      const id = storageKeys[i].toString('latin1')
      const written = this.memberWrites.get(id)
      if (written !== undefined) out[i] = written.member
      else if (this.memberReads.has(id)) out[i] = decodeMember(this.memberReads.get(id))
      else {
        missing.push(i)
        missingIds.push(id)
      }
    }
    const stored = this.store.getMany('members', missing.map((i) => storageKeys[i]))
    for (let j = 0; j < missing.length; j++) {
      out[missing[j]] = decodeMember(stored[j])
      this.memberReads.set(missingIds[j], stored[j])
    }
    return out
  }

  putMember(storageKey: Buffer, flags: number, payload: Buffer): void {
    this.writeMember({ key: storageKey, member: { flags, payload } })
  }

  /** Members are deleted physically: replication will carry removals as effects (docs/consistency.md). */
  deleteMember(storageKey: Buffer): void {
    this.writeMember({ key: storageKey, member: null })
  }

  private writeMember(write: MemberWrite): void {
    const id = write.key.toString('latin1')
    const before = this.memberWrites.get(id)
    this.memberWrites.set(id, write)
    if (before !== undefined) {
      this.undo.push(() => this.memberWrites.set(id, before))
      return
    }
    this.ungroupedWriteKeys.push(write.key)
    this.undo.push(() => {
      this.memberWrites.delete(id)
      // Undone newest first: the key is the last ungrouped one, or, if a walk has grouped it
      // since, the last pending one of its group, unless that walk has sorted it in.
      const ungrouped = this.ungroupedWriteKeys
      if (ungrouped.length > 0 && ungrouped[ungrouped.length - 1] === write.key) {
        ungrouped.pop()
        return
      }
      const group = this.memberWriteKeys.get(writePrefix(write.key))!
      if (group.pending.length > 0 && group.pending[group.pending.length - 1] === write.key) group.pending.pop()
      else group.sorted.splice(lowerBound(group.sorted, write.key), 1)
    })
  }

  /** The write keys of one collection version in key order (ungrouped and pending ones sorted in first). */
  private sortedWriteKeys(prefix: string): Buffer[] {
    if (this.ungroupedWriteKeys.length > 0) {
      for (const key of this.ungroupedWriteKeys) {
        const keyPrefix = writePrefix(key)
        let keys = this.memberWriteKeys.get(keyPrefix)
        if (keys === undefined) this.memberWriteKeys.set(keyPrefix, (keys = { sorted: [], pending: [] }))
        keys.pending.push(key)
      }
      this.ungroupedWriteKeys.length = 0
    }
    const group = this.memberWriteKeys.get(prefix)
    if (group === undefined) return []
    const { sorted, pending } = group
    if (pending.length === 0) return sorted
    if (pending.length * 16 < sorted.length) {
      for (const key of pending) sorted.splice(lowerBound(sorted, key), 0, key)
    } else {
      for (const key of pending) sorted.push(key)
      sorted.sort(Buffer.compare)
    }
    pending.length = 0
    return sorted
  }

  /** This batch's member writes in [gte, lt), in key order. */
  private memberWritesIn(gte: Buffer, lt: Buffer): MemberWrite[] {
    const writes: MemberWrite[] = []
    const length = versionPrefixLength(gte)
    if (length <= gte.length && length <= lt.length && gte.compare(lt, 0, length, 0, length) === 0) {
      // The range lies within one collection version (as every walk's does): search its keys.
      const keys = this.sortedWriteKeys(writePrefix(gte))
      for (let i = lowerBound(keys, gte); i < keys.length && compareBytes(keys[i], lt) < 0; i++) writes.push(this.memberWrites.get(keys[i].toString('latin1'))!)
      return writes
    }
    for (const write of this.memberWrites.values()) {
      if (Buffer.compare(write.key, gte) >= 0 && Buffer.compare(write.key, lt) < 0) writes.push(write)
    }
    return writes.sort((a, b) => Buffer.compare(a.key, b.key))
  }

  /** Members in [gte, lt), in key order or reversed, this batch's writes included. */
  *members(gte: Buffer, lt: Buffer, reverse = false, firstPage?: number): Generator<MemberRow> {
    const overlay = this.memberWritesIn(gte, lt)
    if (reverse) overlay.reverse()
    const order = reverse ? -1 : 1
    // Rows this batch deleted are still stored, and the walk reads past them: the first page
    // counts them too (the second pop from a list in one batch reads the row the first one took).
    let page = firstPage
    if (page !== undefined) for (const write of overlay) if (write.member === null) page++
    if (firstPage === undefined || firstPage > SHARED_READER_ROWS) {
      yield* this.merged(this.store.iterate('members', gte, lt, reverse, page), overlay, order)
      return
    }
    // A reader of this range no other walk of this batch is using (nested walks, as SINTER's, take one each).
    const free = this.freeReaders[reverse ? 1 : 0]
    const at = free.findIndex((reader) => reader.covers(gte, lt))
    const reader = at >= 0 ? free.splice(at, 1)[0] : this.newReader(gte, lt, reverse)
    try {
      yield* this.merged(reader.rows(gte, lt, page), overlay, order)
    } finally {
      free.push(reader)
      // A batch that walks many collections keeps the last few readers, not one per collection.
      if (free.length > FREE_READERS_MAX) this.closeReader(free.shift()!)
    }
  }

  private closeReader(reader: RangeReader): void {
    reader.close()
    this.readers.splice(this.readers.indexOf(reader), 1)
  }

  /** Stored rows with this batch's writes to them merged in (`overlay`, sorted in the walk's order). */
  private *merged(stored: Iterable<Row>, overlay: MemberWrite[], order: number): Generator<MemberRow> {
    let next = 0
    for (const row of stored) {
      // Overlay keys before this row come first; one equal to it replaces it.
      while (next < overlay.length && order * compareBytes(overlay[next].key, row.key) < 0) {
        const write = overlay[next++]
        if (write.member !== null) yield { key: write.key, ...write.member }
      }
      if (next < overlay.length && compareBytes(overlay[next].key, row.key) === 0) {
        const write = overlay[next++]
        if (write.member !== null) yield { key: write.key, ...write.member }
        continue
      }
      const member = decodeMember(row.value)!
      yield { key: row.key, flags: member.flags, payload: member.payload }
    }
    for (; next < overlay.length; next++) {
      const write = overlay[next]
      if (write.member !== null) yield { key: write.key, ...write.member }
    }
  }

  private newReader(gte: Buffer, lt: Buffer, reverse: boolean): RangeReader {
    const reader = this.store.rangeReader('members', gte, lt, reverse)
    this.readers.push(reader)
    return reader
  }

  /** No reader outlives its batch (an iterator sees the store as it was when made), nor pins RocksDB's memtables while the node idles. */
  private closeReaders(): void {
    for (const reader of this.readers) reader.close()
    this.readers.length = 0
    this.freeReaders[0].length = 0
    this.freeReaders[1].length = 0
  }

  /** The keys this batch changed, with their record now (null: deleted): KEYS inside a script. */
  *changedKeys(): Generator<{ key: Buffer; rec: Rec | null }> {
    for (const entry of this.entries.values()) {
      if (!entry.dirty) continue
      const rec = entry.rec === null || isExpired(entry.rec, this.nowMs) ? null : entry.rec
      yield { key: entry.storageKey.subarray(2), rec }
    }
  }

  /** Live keys of the node as this batch sees them: DBSIZE inside a script. */
  liveKeys(): number {
    let delta = 0
    for (const change of this.countDeltas.values()) delta += change
    return this.counts.total() + delta
  }

  /** Tombstone the key. Returns whether it existed (unexpired), as DEL counts. */
  delete(key: Buffer): boolean {
    const entry = this.entry(key)
    if (entry.rec === null) return false
    const existed = !isExpired(entry.rec, this.nowMs)
    if (!existed) this.keyspace.expired()
    // Clients blocked in XREADGROUP on a deleted stream are answered an error, as Redis 7.0.
    if (existed && entry.rec.type === TYPE_STREAM) this.signalReady(key)
    this.remove(entry)
    return existed
  }

  private remove(entry: Entry): void {
    this.saveEntry(entry)
    this.addCount(entry.pid, -1)
    noteDeadVersion(entry, null)
    entry.rec = null
    this.touch(entry)
  }

  /** Remember an entry's state before a change, for rollbackTo. */
  private saveEntry(entry: Entry): void {
    const { rec, hlc, dirty } = entry
    const dead = entry.dead === null ? -1 : entry.dead.length
    this.undo.push(() => {
      entry.rec = rec
      entry.hlc = hlc
      entry.dirty = dirty
      if (dead < 0) entry.dead = null
      else entry.dead!.length = dead
    })
  }

  private touch(entry: Entry): void {
    entry.hlc = this.clock.reserve(1, this.nowMs)
    entry.dirty = true
  }

  /**
   * Write the batch, unsynced (the WAL is synced beside RocksDB: storage/wal-sync.ts): every
   * changed record stamped with a fresh HLC, key counts, the HLC mark. Returns whether anything was written.
   */
  commit(): boolean {
    this.closeReaders()
    const ops: WriteOp[] = []
    let high = 0n
    for (const entry of this.entries.values()) {
      if (!entry.dirty) continue
      const rec = entry.rec
      const hlc = hlcOf(entry)
      if (hlc > high) high = hlc
      const value = rec === null
        ? encodeRecord({ flags: FLAG_TOMBSTONE, hlc, origin: this.origin, expireAtMs: 0 }, EMPTY)
        : encodeRecord({ flags: rec.type, hlc, origin: this.origin, expireAtMs: rec.expireAtMs }, rec.payload)
      ops.push({ column: 'meta', key: entry.storageKey, value })
      indexTimes(ops, entry, rec === null ? 0 : rec.expireAtMs, rec === null ? hlcPhysical(hlc) : 0)
      for (const version of entry.dead ?? []) ops.push({ column: 'sys', key: gcKey(memberPrefix(entry.pid, entry.storageKey.subarray(2), version)), value: EMPTY })
    }
    if (this.memberWrites.size > 0) {
      const hlc = this.clock.reserve(1, this.nowMs)
      if (hlc > high) high = hlc
      // Members of one batch share one HLC: they are ordered by their collection's meta record.
      for (const write of this.memberWrites.values()) {
        const member = write.member
        const value = member === null ? null : encodeRecord({ flags: member.flags, hlc, origin: this.origin, expireAtMs: 0 }, member.payload)
        ops.push({ column: 'members', key: write.key, value })
      }
    }
    if (ops.length === 0) return false
    const counts = this.counts.stage(this.countDeltas, ops)
    const mark = Buffer.allocUnsafe(8)
    mark.writeBigUInt64BE(high, 0)
    ops.push({ column: 'sys', key: hlcKey(this.writer), value: mark })
    this.store.write(ops, false)
    this.counts.apply(counts)
    return true
  }

  private entry(key: Buffer): Entry {
    // The key the batch names next, or the one just looked up again (SET reads, then writes).
    const at = this.batchAt
    if (at < this.batchKeys.length && this.batchKeys[at] === key) {
      this.batchAt = at + 1
      return this.batchEntries[at]
    }
    if (at > 0 && this.batchKeys[at - 1] === key) return this.batchEntries[at - 1]
    const id = key.toString('latin1')
    const found = this.entries.get(id)
    if (found !== undefined) return found
    this.load([key], null, null)
    return this.entries.get(id)!
  }

  private addCount(pid: number, delta: number): void {
    this.countDeltas.set(pid, (this.countDeltas.get(pid) ?? 0) + delta)
    this.undo.push(() => this.countDeltas.set(pid, this.countDeltas.get(pid)! - delta))
  }
}

/**
 * A large record read as its head (Store.getMany's `heads`): its type and expiry, the payload
 * read from RocksDB the first time it is asked for. A batch of SETs reads heads; a command of
 * it that wants the old value after all (SET ... GET) still gets it, one read later.
 */
class HeadRec implements Rec {
  private whole: Buffer | null = null

  constructor(readonly type: number, readonly expireAtMs: number, private readonly head: Buffer, private readonly store: Store, private readonly storageKey: Buffer) {}

  get payload(): Buffer {
    if (this.whole === null) {
      // This writer alone writes the key, and its batch has not committed: the record is the one
      // the head came from.
      const raw = this.store.get('meta', this.storageKey)
      if (raw === undefined || raw[0] !== (this.head[0] & ~FLAG_HEAD) || raw.compare(this.head, 1, ENVELOPE_BYTES, 1, ENVELOPE_BYTES) !== 0) {
        throw new Error('record changed since its head was read')
      }
      this.whole = raw.subarray(ENVELOPE_BYTES)
    }
    return this.whole
  }
}

/** An entry's HLC, read from its stored record the first time it is needed. */
function hlcOf(entry: Entry): bigint {
  if (entry.hlc === null) entry.hlc = entry.stored!.readBigUInt64BE(1)
  return entry.hlc
}

/** Keep the expiry and tombstone indexes in step with a record rewritten with `expireAtMs` and `tombstoneMs` (0: none). */
function indexTimes(ops: WriteOp[], entry: Entry, expireAtMs: number, tombstoneMs: number): void {
  const userKey = entry.storageKey.subarray(2)
  if (entry.storedExpireAtMs !== expireAtMs) {
    if (entry.storedExpireAtMs !== 0) ops.push({ column: 'sys', key: timeIndexKey(SYS_EXPIRY_PREFIX, entry.pid, entry.storedExpireAtMs, userKey), value: null })
    if (expireAtMs !== 0) ops.push({ column: 'sys', key: timeIndexKey(SYS_EXPIRY_PREFIX, entry.pid, expireAtMs, userKey), value: EMPTY })
  }
  if (entry.storedTombstoneMs !== tombstoneMs) {
    if (entry.storedTombstoneMs !== 0) ops.push({ column: 'sys', key: timeIndexKey(SYS_TOMBSTONE_PREFIX, entry.pid, entry.storedTombstoneMs, userKey), value: null })
    if (tombstoneMs !== 0) ops.push({ column: 'sys', key: timeIndexKey(SYS_TOMBSTONE_PREFIX, entry.pid, tombstoneMs, userKey), value: EMPTY })
  }
  // What is stored now, should this context commit again before it begins anew.
  entry.storedExpireAtMs = expireAtMs
  entry.storedTombstoneMs = tombstoneMs
}

/** Bytes of a members key up to and including its collection version: [pid u16][key len u32][key][version u64] (layout.ts); more than its length for a shorter buffer. */
function versionPrefixLength(key: Buffer): number {
  return key.length < 6 ? Infinity : memberPrefixLength(key.readUInt32BE(2))
}

/** The first index of `keys` (sorted) whose key is at or after `key`. */
function lowerBound(keys: Buffer[], key: Buffer): number {
  let low = 0
  let high = keys.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (compareBytes(keys[mid], key) < 0) low = mid + 1
    else high = mid
  }
  return low
}

function decodeMember(stored: Buffer | undefined): Member | null {
  if (stored === undefined) return null
  return { flags: stored[0], payload: stored.subarray(ENVELOPE_BYTES) }
}

/** Before `entry` changes to `next`: remember the collection version that change ends, if any. */
function noteDeadVersion(entry: Entry, next: Rec | null): void {
  const before = entry.rec
  if (before === null || !isCollectionType(before.type)) return
  // The version is the payload's first 8 bytes; a stored payload is never changed in place.
  const version = before.payload.subarray(0, 8)
  if (next !== null && isCollectionType(next.type) && next.payload.compare(version, 0, 8, 0, 8) === 0) return
  ;(entry.dead ??= []).push(version)
}
