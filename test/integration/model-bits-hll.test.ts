// Model-based differential test: random sequences of bitmap, bit field and HyperLogLog
// commands on a few shared keys, against redis-server 7.0 (the model) and marekvs; every
// reply must be the same. A failure prints fast-check's seed and path to replay it.
import fc from 'fast-check'
import { compareReplies, runSteps, serverPair, Step } from '../support/diff'

const key = fc.constantFrom('a', 'b', 'h')
const smallInt = fc.integer({ min: -20, max: 40 }).map(String)
const offset = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 130 }).map(String) },
  // Not 2^32-1: a 512 MB string in every run would be too slow.
  { weight: 1, arbitrary: fc.constantFrom('-1', '4294967296', 'x', '8000') },
)
const unit = fc.constantFrom('BYTE', 'BIT', 'bit')
const element = fc.constantFrom('x', 'y', 'z', 'w', 'v', 'u', '', 'long-element-name', '1', '2')

const fieldType = fc.oneof(
  fc.integer({ min: 1, max: 64 }).map((bits) => `i${bits}`),
  fc.integer({ min: 1, max: 63 }).map((bits) => `u${bits}`),
  { weight: 1, arbitrary: fc.constantFrom('u64', 'i0', 'x8') },
)
const fieldOffset = fc.oneof(fc.integer({ min: 0, max: 100 }).map(String), fc.integer({ min: 0, max: 12 }).map((n) => `#${n}`))
const int64 = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
)
const fieldOp: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fieldType, fieldOffset).map(([t, o]) => ['GET', t, o]),
  fc.tuple(fieldType, fieldOffset, int64).map(([t, o, v]) => ['SET', t, o, v]),
  fc.tuple(fieldType, fieldOffset, int64).map(([t, o, v]) => ['INCRBY', t, o, v]),
  fc.constantFrom('WRAP', 'SAT', 'FAIL').map((w) => ['OVERFLOW', w]),
)

const command: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(key, offset, fc.constantFrom('0', '1')).map(([k, o, v]) => ['SETBIT', k, o, v]) },
  { weight: 2, arbitrary: fc.tuple(key, offset).map(([k, o]) => ['GETBIT', k, o]) },
  {
    weight: 2,
    arbitrary: fc.tuple(key, fc.option(fc.tuple(smallInt, smallInt, fc.option(unit)))).map(([k, range]) =>
      range === null ? ['BITCOUNT', k] : ['BITCOUNT', k, range[0], range[1], ...(range[2] === null ? [] : [range[2]])]),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(key, fc.constantFrom('0', '1'), fc.array(smallInt, { maxLength: 2 }), fc.option(unit)).map(([k, bit, range, u]) =>
      ['BITPOS', k, bit, ...range, ...(range.length === 2 && u !== null ? [u] : [])]),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom('BITFIELD', 'BITFIELD_RO'), key, fc.array(fieldOp, { minLength: 1, maxLength: 3 }))
      .map(([name, k, ops]) => [name, k, ...ops.flat()]),
  },
  { weight: 4, arbitrary: fc.tuple(key, fc.array(element, { maxLength: 5 })).map(([k, els]) => ['PFADD', k, ...els]) },
  { weight: 2, arbitrary: fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => ['PFCOUNT', ...keys]) },
  { weight: 1, arbitrary: fc.tuple(key, key).map(([a, b]) => ['PFMERGE', a, b]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('AND', 'OR', 'XOR', 'NOT'), key, key, key).map(([op, d, a, b]) => (op === 'NOT' ? ['BITOP', op, d, a] : ['BITOP', op, d, a, b])) },
  { weight: 2, arbitrary: key.map((k) => ['GET', k]) },
  { weight: 1, arbitrary: key.map((k) => ['DEL', k]) },
)

describe('model: random bitmap and HyperLogLog commands, redis-server vs marekvs', function () {
  this.timeout(120000)
  const servers = serverPair()

  it('50 runs of 30 commands give the same replies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 30, maxLength: 30 }), async (steps) => {
        await Promise.all([runSteps(servers.redis.port, [['FLUSHALL']]), runSteps(servers.marekvs.port, [['FLUSHALL']])])
        const [expected, actual] = await Promise.all([runSteps(servers.redis.port, steps), runSteps(servers.marekvs.port, steps)])
        compareReplies(steps, expected, actual)
      }),
      { numRuns: 50 },
    )
  })
})
