// Partition hashing: the Rust XXH3 agrees with xxhash-addon (the TypeScript
// side's hash) on shared vectors and on random keys, hash tags included.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { XXHash3 } from 'xxhash-addon'
import { partitionOf, PARTITIONS, xxh3 } from '../../lib/native'

// test/vectors/partition.json: { key (hex), xxh3 (decimal), pid } made with
// xxhash-addon's XXHash3.hash (big-endian digest), keys covering every XXH3
// length class (0, 1-3, 4-8, 9-16, 17-128, 129-240, > 240) and hash tags.
const VECTORS = path.join(__dirname, '..', '..', '..', 'test', 'vectors', 'partition.json')

interface Vector { key: string; xxh3: string; pid: number }

/** Reference: Redis Cluster's hash tag rule, in JS. */
function hashTag(key: Buffer): Buffer {
  const open = key.indexOf(0x7b)
  if (open < 0) return key
  const close = key.indexOf(0x7d, open + 1)
  if (close < 0 || close === open + 1) return key
  return key.subarray(open + 1, close)
}

function addonXxh3(data: Buffer): bigint {
  return XXHash3.hash(data).readBigUInt64BE(0)
}

describe('native partitions', () => {
  it('matches the shared vectors', () => {
    const vectors = JSON.parse(fs.readFileSync(VECTORS, 'utf8')) as Vector[]
    assert.ok(vectors.length >= 40)
    for (const v of vectors) {
      const key = Buffer.from(v.key, 'hex')
      assert.equal(xxh3(key).toString(), v.xxh3, `xxh3 of ${v.key}`)
      assert.equal(partitionOf(key), v.pid, `pid of ${v.key}`)
      assert.equal(addonXxh3(key).toString(), v.xxh3, 'xxhash-addon still agrees')
    }
  })

  it('hashes only the tag, as Redis Cluster does', () => {
    const same = (a: string, b: string) => assert.equal(partitionOf(Buffer.from(a)), partitionOf(Buffer.from(b)), `${a} ~ ${b}`)
    same('{user1000}.following', 'user1000')
    same('{user1000}.following', '{user1000}.followers')
    same('foo{{bar}}zap', '{bar')
    same('foo{bar}{zap}', 'bar')
    const whole = (k: string) => assert.equal(partitionOf(Buffer.from(k)), Number(addonXxh3(Buffer.from(k)) % 4096n), k)
    whole('foo{}{bar}')
    whole('{}x')
    whole('foo{bar')
    whole('}{')
  })

  it('agrees with xxhash-addon on random keys', () => {
    const key = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => new TextEncoder().encode(`${a}{${b}}${c}`)),
    )
    fc.assert(
      fc.property(key, (bytes) => {
        const k = Buffer.from(bytes)
        assert.equal(xxh3(k), addonXxh3(k))
        const pid = partitionOf(k)
        assert.equal(pid, Number(addonXxh3(hashTag(k)) % BigInt(PARTITIONS)))
        assert.ok(pid >= 0 && pid < PARTITIONS)
      }),
      { numRuns: 2000 },
    )
  })

  it('hashes a view by its own bytes, and refuses what is not bytes', () => {
    const backing = Buffer.from('xxxxx{user1000}.followingyyyy')
    const view = backing.subarray(5, 25)
    assert.equal(partitionOf(view), partitionOf(Buffer.from(view.toString('latin1'), 'latin1')))
    assert.equal(partitionOf(new Uint8Array(view) as Buffer), partitionOf(view))
    assert.throws(() => partitionOf('user1000' as unknown as Buffer), /key must be a Buffer/)
    assert.throws(() => partitionOf(42 as unknown as Buffer), /key must be a Buffer/)
  })
})
