// A collection (hash, set, sorted set, list, stream) as handlers see it: one meta record at the
// key ([version u64][size u64][type-specific tail]) and one RocksDB record per member under
// [pid][key len][key][version][tag][sub-key] (DESIGN.md §5). Every single-member read or write
// is a point operation; ranges are iterators; DEL is O(1) (a new key gets a new version, and the
// members of the old one are purged in the background, engine/sweep.ts gcStep).
import { randomBytes } from 'node:crypto'
import { ErrorReply, Errors, Reply } from '../core/reply'
import type { ExecContext, Member } from '../engine/exec-context'
import { lastPosition, MemberArgs } from './types'
import { partitionOf } from '../native'
import { memberPrefix, memberPrefixLength, memberStorageKey, prefixEnd, TYPE_STREAM } from '../storage/layout'
import type { Rec } from '../storage/record'

/** Sub-key tags: the members themselves, and a sorted set's score index. */
export const TAG_MEMBER = 0x00
export const TAG_SCORE = 0x01

const META_HEAD = 16

export interface SubRow extends Member {
  /** The sub-key after the tag byte. */
  readonly sub: Buffer
}

export class Collection {
  /** The key's partition and its members' prefix, made when first needed: opening reads neither. */
  private partition = -1
  private prefixBytes: Buffer | null = null

  private constructor(
    private readonly ctx: ExecContext,
    readonly key: Buffer,
    readonly type: number,
    /** The collection's version as stored: 8 bytes, big-endian (no BigInt on the hot path). */
    private readonly version: Buffer,
    /** Members (hash fields, set members, list elements...). Changed by handlers, written by save(). */
    public size: number,
    public expireAtMs: number,
    /** The type-specific tail of the meta record (list ends, stream state). */
    public extra: Buffer,
  ) {}

  private get pid(): number {
    if (this.partition < 0) this.partition = partitionOf(this.key)
    return this.partition
  }

  private get prefix(): Buffer {
    return (this.prefixBytes ??= memberPrefix(this.pid, this.key, this.version))
  }

  /** The collection at `key`, null when there is none, WRONGTYPE when the key holds another type. */
  static open(ctx: ExecContext, key: Buffer, type: number): Collection | null | ErrorReply {
    const rec = ctx.get(key)
    if (rec === null) return null
    if (rec.type !== type) return Errors.wrongType
    return Collection.of(ctx, key, rec)
  }

  /** As open, but a missing key yields a new empty collection (written by save() once it has members). */
  static openOrCreate(ctx: ExecContext, key: Buffer, type: number, extra: Buffer = EMPTY): Collection | ErrorReply {
    const found = Collection.open(ctx, key, type)
    if (found !== null) return found
    return new Collection(ctx, key, type, newVersionBytes(ctx), 0, 0, extra)
  }

  /** The collection a live record of a collection type describes. */
  static of(ctx: ExecContext, key: Buffer, rec: Rec): Collection {
    const payload = rec.payload
    // A stored record is never changed in place: the views stay valid.
    return new Collection(ctx, key, rec.type, payload.subarray(0, 8), payload.readUInt32BE(8) * 2 ** 32 + payload.readUInt32BE(12), rec.expireAtMs, payload.subarray(META_HEAD))
  }

  /**
   * Write the meta record, or delete the key when the collection is empty (as Redis). A stream
   * is the exception, as in Redis: it outlives its last entry (XDEL, XTRIM, XGROUP CREATE MKSTREAM).
   */
  save(): void {
    if (this.size === 0 && this.type !== TYPE_STREAM) {
      this.ctx.delete(this.key)
      return
    }
    const payload = Buffer.allocUnsafe(META_HEAD + this.extra.length)
    this.version.copy(payload, 0, 0, 8)
    payload.writeUInt32BE(Math.floor(this.size / 2 ** 32), 8)
    payload.writeUInt32BE(this.size >>> 0, 12)
    this.extra.copy(payload, META_HEAD)
    this.ctx.put(this.key, { type: this.type, expireAtMs: this.expireAtMs, payload })
  }

  /**
   * The storage keys of the members `spec` names in argv, for the collection at argv[1] as the
   * batch has it so far; none when the key holds no such collection. Reads nothing, changes
   * nothing (no lazy expiry): runBatch calls it before the commands run.
   */
  static memberKeysOf(ctx: ExecContext, argv: Buffer[], spec: MemberArgs, into: Buffer[]): void {
    const rec = ctx.peek(argv[1])
    if (rec === null || rec.type !== spec.type) return
    const collection = Collection.of(ctx, argv[1], rec)
    const last = lastPosition(spec.last, argv.length)
    for (let i = spec.first; i <= last; i += spec.step) into.push(collection.memberKey(spec.tag, argv[i]))
  }

  memberKey(tag: number, sub: Buffer): Buffer {
    return memberStorageKey(this.pid, this.key, this.version, tag, sub)
  }

  get(tag: number, sub: Buffer): Member | null {
    return this.ctx.getMember(this.memberKey(tag, sub))
  }

  getMany(tag: number, subs: Buffer[]): Array<Member | null> {
    return this.ctx.getMembers(subs.map((sub) => this.memberKey(tag, sub)))
  }

  put(tag: number, sub: Buffer, flags: number, payload: Buffer): void {
    this.ctx.putMember(this.memberKey(tag, sub), flags, payload)
  }

  delete(tag: number, sub: Buffer): void {
    this.ctx.deleteMember(this.memberKey(tag, sub))
  }

  /**
   * Rows of one tag with sub-keys in [from, to) (null: unbounded), in order or reversed.
   * `firstPage`: how many rows the caller expects to take (Store.iterate).
   */
  *range(tag: number, from: Buffer | null = null, to: Buffer | null = null, reverse = false, firstPage?: number): Generator<SubRow> {
    const start = memberPrefixLength(this.key.length) + 1
    const gte = this.memberKey(tag, from ?? EMPTY)
    const lt = to === null ? prefixEnd(this.memberKey(tag, EMPTY)) : this.memberKey(tag, to)
    for (const row of this.ctx.members(gte, lt, reverse, firstPage)) yield { sub: row.key.subarray(start), flags: row.flags, payload: row.payload }
  }

  /**
   * A member of one tag near a random point between its first and last sub-key: O(log n), not
   * uniform (members after large gaps are likelier). random-members.ts reads small collections whole instead.
   */
  randomRow(tag: number): SubRow | null {
    let first: SubRow | null = null
    let last: SubRow | null = null
    for (const row of this.range(tag, null, null, false, 1)) { first = row; break }
    for (const row of this.range(tag, null, null, true, 1)) { last = row; break }
    if (first === null || last === null) return null
    let common = 0
    while (common < first.sub.length && common < last.sub.length && first.sub[common] === last.sub[common]) common++
    // The point shares the common prefix; its next byte lies between the ends' bytes there.
    const low = common < first.sub.length ? first.sub[common] : 0
    const high = common < last.sub.length ? last.sub[common] : 0
    const point = Buffer.concat([first.sub.subarray(0, common), Buffer.from([low + Math.floor(Math.random() * (high - low + 1))]), randomBytes(8)])
    for (const row of this.range(tag, point, null, false, 1)) return row
    return first
  }

  /** Copy every member to a new collection at `key` with this one's size, tail and expiry (RENAME, COPY). */
  copyTo(key: Buffer): Collection {
    const copy = new Collection(this.ctx, key, this.type, newVersionBytes(this.ctx), this.size, this.expireAtMs, this.extra)
    const start = memberPrefixLength(this.key.length)
    for (const row of this.ctx.members(this.prefix, prefixEnd(this.prefix))) {
      const rest = row.key.subarray(start)
      this.ctx.putMember(Buffer.concat([copy.prefix, rest]), row.flags, row.payload)
    }
    copy.save()
    return copy
  }
}

const EMPTY = Buffer.alloc(0)

/** A fresh collection version (an HLC, unique on this node), as stored. */
function newVersionBytes(ctx: ExecContext): Buffer {
  const out = Buffer.allocUnsafe(8)
  out.writeBigUInt64BE(ctx.newVersion(), 0)
  return out
}

/**
 * Whether each sub-key a command names is named for the first time: a command that names a
 * member twice acts on it once. A command that names one member (the common case) keeps no set.
 */
export class FirstNamed {
  private readonly seen: Set<string> | null

  constructor(count: number) {
    this.seen = count > 1 ? new Set() : null
  }

  /** True the first time `sub` is asked about. */
  first(sub: Buffer): boolean {
    if (this.seen === null) return true
    const id = sub.toString('latin1')
    if (this.seen.has(id)) return false
    this.seen.add(id)
    return true
  }
}

/** HLEN, SCARD, ZCARD, LLEN: the size in the meta record, 0 for a missing key. */
export function sizeCommand(type: number): (ctx: ExecContext, argv: Buffer[]) => Reply {
  return (ctx, argv) => {
    const found = Collection.open(ctx, argv[1], type)
    if (found === null || isErrorReply(found)) return found ?? 0
    return found.size
  }
}

/** Open, or the WRONGTYPE error as the reply: `if ('t' in c) return c`. */
export function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && (value as ErrorReply).t === 'error'
}
