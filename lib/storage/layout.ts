// The storage layout of DESIGN.md §5: column families, key encodings and record types.
//
// meta    [pid u16 BE][user key]                                -> envelope + payload (strings, counters, collection metadata)
// members [pid][key len u32 BE][key][version u64][tag u8][sub-key] -> envelope + payload (collection members)
// sys     node-local bookkeeping: format, node id, HLC high-water marks, per-partition key counts,
//         `gc/<members prefix>` for member ranges of deleted collection versions still to purge,
//         the expiry and tombstone indexes (`x/`, `t/`: what the sweep has to visit),
//         script bodies and function libraries

export const COLUMN_FAMILIES = ['default', 'meta', 'members', 'sys'] as const

/** Bump when the on-disk layout changes incompatibly; a data dir with another value refuses to open. */
export const FORMAT_VERSION = 1

export const SYS_FORMAT = Buffer.from('format')
export const SYS_NODE_ID = Buffer.from('node-id')
/** `hlc/<writer>`: the highest HLC a writer (a shard, or the main thread) has stamped. */
export const SYS_HLC_PREFIX = Buffer.from('hlc/')
/** `cnt/<pid u16 BE>`: live (non-tombstone) records of the partition, as i64 BE. */
export const SYS_COUNT_PREFIX = Buffer.from('cnt/')
/** Written with sync:true at shutdown (Store.syncWal), which syncs the WAL up to it. */
export const SYS_SYNC_TICK = Buffer.from('sync-tick')
/**
 * `script/<sha1 hex>`: the body of a script EVAL or SCRIPT LOAD has seen, so that EVALSHA finds it
 * on any shard. Cleared when the node starts (scripts do not survive a restart, as in Redis).
 */
export const SYS_SCRIPT_PREFIX = Buffer.from('script/')

export function scriptKey(sha: string): Buffer {
  return Buffer.concat([SYS_SCRIPT_PREFIX, Buffer.from(sha, 'latin1')])
}

/**
 * `function/<library name>`: a function library's code as FUNCTION LOAD took it. Libraries
 * persist (unlike scripts, as in Redis); every thread's Lua VM loads them from here.
 */
export const SYS_FUNCTION_PREFIX = Buffer.from('function/')

/** (Library names are letters, digits and underscores.) */
export function functionKey(library: string): Buffer {
  return Buffer.concat([SYS_FUNCTION_PREFIX, Buffer.from(library, 'latin1')])
}

// Envelope flags: bit 0 marks a tombstone, the high nibble the value's type.
export const FLAG_TOMBSTONE = 0x01
/**
 * Never stored: set by a read that let the record cache answer with a record's head, its
 * envelope without the payload (Store.getMany's `heads`; native/src/store/record_cache.h).
 */
export const FLAG_HEAD = 0x08
export const TYPE_MASK = 0xf0
export const TYPE_STRING = 0x10
/** A string holding a PN-counter: i64 base, then (u16 origin, i64 total)* (DESIGN.md §6). */
export const TYPE_COUNTER = 0x20

// Collections: the meta record's payload starts with [version u64][size u64] (collection.ts).
export const TYPE_HASH = 0x30
export const TYPE_SET = 0x40
export const TYPE_ZSET = 0x50
export const TYPE_LIST = 0x60
export const TYPE_STREAM = 0x70

export function isCollectionType(type: number): boolean {
  return type >= TYPE_HASH
}

/** `gc/<members prefix>`: the members of one dead collection version, purged in the background. */
export const SYS_GC_PREFIX = Buffer.from('gc/')

/**
 * `x/<pid u16 BE><expire-at ms u64 BE><user key>`: one entry per record with a TTL, written in
 * the same RocksDB batch as the record. The sweep reads the entries that are due instead of
 * every record: a node of millions of keys without TTLs sweeps nothing.
 */
export const SYS_EXPIRY_PREFIX = Buffer.from('x/')
/** `t/<pid u16 BE><HLC physical ms u64 BE><user key>`: one entry per tombstone, for its purge after the grace period. */
export const SYS_TOMBSTONE_PREFIX = Buffer.from('t/')
/** Present once the indexes above cover every record: a data dir from before them is indexed when it opens. */
export const SYS_TIME_INDEXED = Buffer.from('time-indexed')

const U32 = 0x1_0000_0000

/** Write a non-negative safe integer (a time in ms) as u64 big-endian, without a BigInt. */
export function writeUInt64Number(out: Buffer, value: number, offset: number): void {
  out.writeUInt32BE(Math.floor(value / U32), offset)
  out.writeUInt32BE(value % U32, offset + 4)
}

/** A u64 big-endian that holds a safe integer (a time in ms), as a number. */
export function readUInt64Number(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * U32 + buf.readUInt32BE(offset + 4)
}

/** An entry of the expiry or tombstone index. */
export function timeIndexKey(prefix: Buffer, pid: number, ms: number, userKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + 10 + userKey.length)
  prefix.copy(out, 0)
  out.writeUInt16BE(pid, prefix.length)
  writeUInt64Number(out, ms, prefix.length + 2)
  userKey.copy(out, prefix.length + 10)
  return out
}

/** Where one partition's entries of an index start. */
export function timeIndexStart(prefix: Buffer, pid: number): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + 2)
  prefix.copy(out, 0)
  out.writeUInt16BE(pid, prefix.length)
  return out
}

/** The partition, time and user key of an index entry. */
export function parseTimeIndexKey(prefix: Buffer, key: Buffer): { pid: number; ms: number; userKey: Buffer } {
  return { pid: key.readUInt16BE(prefix.length), ms: readUInt64Number(key, prefix.length + 2), userKey: key.subarray(prefix.length + 10) }
}

/** Tombstones older than this are purged by the sweep. Longer than any repair window. */
export const TOMBSTONE_GC_GRACE_MS = 60 * 60 * 1000

export function metaKey(pid: number, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + key.length)
  out.writeUInt16BE(pid, 0)
  key.copy(out, 2)
  return out
}

export function userKeyOf(metaKeyBytes: Buffer): Buffer {
  return metaKeyBytes.subarray(2)
}

/** The meta-CF key range of one partition (pid < 4096, so pid + 1 always fits a u16). */
export function partitionRange(pid: number): { gte: Buffer; lt: Buffer } {
  const gte = Buffer.allocUnsafe(2)
  gte.writeUInt16BE(pid, 0)
  const lt = Buffer.allocUnsafe(2)
  lt.writeUInt16BE(pid + 1, 0)
  return { gte, lt }
}

export function countKey(pid: number): Buffer {
  const out = Buffer.allocUnsafe(SYS_COUNT_PREFIX.length + 2)
  SYS_COUNT_PREFIX.copy(out, 0)
  out.writeUInt16BE(pid, SYS_COUNT_PREFIX.length)
  return out
}

export function hlcKey(writer: string): Buffer {
  return Buffer.concat([SYS_HLC_PREFIX, Buffer.from(writer)])
}

/** The members-CF prefix of one version of a collection: [pid][key len][key][version], the version as its 8 stored bytes. */
export function memberPrefix(pid: number, key: Buffer, version: Buffer): Buffer {
  return prefixWithRoom(pid, key, version, 0)
}

/** A member's storage key: its collection version's prefix, then [tag][sub-key]. */
export function memberStorageKey(pid: number, key: Buffer, version: Buffer, tag: number, sub: Buffer): Buffer {
  const out = prefixWithRoom(pid, key, version, 1 + sub.length)
  const at = out.length - sub.length
  out[at - 1] = tag
  sub.copy(out, at)
  return out
}

/** The length of memberPrefix for a key of `keyLength` bytes. */
export function memberPrefixLength(keyLength: number): number {
  return 2 + 4 + keyLength + 8
}

/** memberPrefix with `room` bytes after it for the caller to fill. */
function prefixWithRoom(pid: number, key: Buffer, version: Buffer, room: number): Buffer {
  const out = Buffer.allocUnsafe(memberPrefixLength(key.length) + room)
  out.writeUInt16BE(pid, 0)
  out.writeUInt32BE(key.length, 2)
  key.copy(out, 6)
  version.copy(out, 6 + key.length, 0, 8)
  return out
}

/** The smallest key greater than every key that starts with `prefix` (an exclusive range end). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i]++
      return end.subarray(0, i + 1)
    }
  }
  throw new Error('prefixEnd: prefix of 0xff bytes only')
}

export function gcKey(prefix: Buffer): Buffer {
  return Buffer.concat([SYS_GC_PREFIX, prefix])
}
