// The order of versions (DESIGN.md §5): `(hlc, origin)` lexicographic. One node's HLC never
// repeats (its high-water mark is persisted), so two different writes never share a version;
// every merge in lib/merge/ orders writes by this function and nothing else (never wall clock).

export interface Version {
  /** physical_ms << 16 | logical */
  readonly hlc: bigint
  /** The node id of the writer (MAREKVS_NODE_ID). */
  readonly origin: number
}

/** Smaller than every version a node stamps: "never written". */
export const ZERO_VERSION: Version = Object.freeze({ hlc: 0n, origin: 0 })

/** Negative, zero or positive as a is older than, the same as, or newer than b. */
export function compareVersions(a: Version, b: Version): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  return a.origin - b.origin
}

export function isNewer(a: Version, b: Version): boolean {
  return compareVersions(a, b) > 0
}

export function maxVersion(a: Version, b: Version): Version {
  return compareVersions(a, b) >= 0 ? a : b
}

/** A Map key for a version (tags of the OR-set), and the inverse. */
export function versionKey(v: Version): string {
  return `${v.hlc.toString(16)}/${v.origin}`
}

export function versionOfKey(key: string): Version {
  const slash = key.indexOf('/')
  return { hlc: BigInt('0x' + key.slice(0, slash)), origin: Number(key.slice(slash + 1)) }
}
