// List commands against redis-server 7.0 and marekvs: same scripts, same replies.
import fc from 'fast-check'
import { compareReplies, Diff, diffSuite, Model, runPipelined, runSteps, serverPair, Step } from '../support/diff'
import type { Decoded } from '../support/resp'

const elements = (n: number, prefix = 'e'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

const key = fc.constantFrom('l1', 'l2')
const element = fc.constantFrom('a', 'b', 'c', '1')
const index = fc.integer({ min: -6, max: 6 }).map(String)
/**
 * The model tests' commands: 2 keys and 4 values, so pivots, repeated matches and rotations are
 * common; pushes weigh more and carry up to 4 elements so lists grow past a few elements.
 */
const listCommand = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), key).chain((head) => fc.array(element, { minLength: 1, maxLength: 4 }).map((items) => [...head, ...items])) },
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.constantFrom('0', '1', '2', '5')),
  fc.tuple(fc.constant('LINSERT'), key, fc.constantFrom('BEFORE', 'AFTER'), element, element),
  fc.tuple(fc.constant('LREM'), key, fc.constantFrom('-2', '-1', '0', '1', '2'), element),
  fc.tuple(fc.constant('LSET'), key, index, element),
  fc.tuple(fc.constant('LTRIM'), key, index, index),
  fc.tuple(fc.constant('LRANGE'), key, index, index),
  { weight: 2, arbitrary: fc.tuple(fc.constant('LRANGE'), key, fc.constant('0'), fc.constant('-1')) },
  fc.tuple(fc.constant('LINDEX'), key, index),
  fc.tuple(fc.constant('LMOVE'), key, key, fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('LEFT', 'RIGHT')),
  fc.tuple(fc.constant('LLEN'), key),
  fc.tuple(fc.constant('DEL'), key),
) as fc.Arbitrary<Step>

/** Exported: shard-path.test.ts runs it again with every command on the shard threads. */
export const listsSuite = (diff: Diff, model: Model): void => {
  diff('LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE', [
    ['LPUSH', 'l', 'a', 'b', 'c'], ['RPUSH', 'l', 'x', 'y'], ['LRANGE', 'l', '0', '-1'], ['LLEN', 'l'], ['LLEN', 'nokey'],
    ['LPUSHX', 'nokey', 'a'], ['RPUSHX', 'nokey', 'a', 'b'], ['EXISTS', 'nokey'], ['LPUSHX', 'l', 'p1', 'p2'], ['RPUSHX', 'l', 'r1'],
    ['LRANGE', 'l', '0', '-1'], ['LPUSH', 'l'], ['RPUSH', 'n', '1', '2', '', '-3', '10000000000000000000000'], ['LRANGE', 'n', '0', '-1'],
    ['TYPE', 'n'], ['LPUSH', 'l', 'a', 'a'], ['LLEN', 'l'],
  ])

  diff('LRANGE indexes', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['LRANGE', 'l', '0', '0'], ['LRANGE', 'l', '1', '3'], ['LRANGE', 'l', '-2', '-1'], ['LRANGE', 'l', '-100', '100'],
    ['LRANGE', 'l', '3', '1'], ['LRANGE', 'l', '5', '10'], ['LRANGE', 'l', '-1', '-2'], ['LRANGE', 'l', '2', '-3'], ['LRANGE', 'l', '0', '-6'],
    ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'], ['LRANGE', 'l', 'x', '1'], ['LRANGE', 'l', '0', '1.5'], ['LRANGE', 'nokey', '0', '-1'],
    ['LRANGE', 'nokey', 'x', '1'], ['LRANGE', 'l', '9223372036854775808', '1'],
  ])

  diff('LPOP and RPOP, with and without a count', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '2'], ['RPOP', 'l', '0'], ['LPOP', 'l', '0'], ['LRANGE', 'l', '0', '-1'],
    ['RPUSH', 'l', 'x', 'y'], ['RPOP', 'l', '2'], ['RPOP', 'l', '10'], ['EXISTS', 'l'], ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '1'], ['RPOP', 'l', '0'],
    ['LPOP', 'l', '-1'], ['RPOP', 'l', 'x'], ['LPOP', 'l', '1', '2'], ['RPUSH', 'l', 'z'], ['LPOP', 'l', '-1'], ['LPOP', 'l', '9223372036854775807'], ['EXISTS', 'l'],
    ['RPUSH', 'l', 'z'], ['RPOP', 'l', '1'], ['EXISTS', 'l'],
  ])

  diff('nil shapes in RESP3', [
    ['LPOP', 'nokey'], ['RPOP', 'nokey', '1'], ['LPOP', 'nokey', '0'], ['LINDEX', 'nokey', '0'], ['LPOS', 'nokey', 'a'], ['LPOS', 'nokey', 'a', 'COUNT', '0'],
    ['LMPOP', '1', 'nokey', 'LEFT'], ['LMOVE', 'nokey', 'd', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'nokey', 'd'], ['RPUSH', 'l', 'a'], ['LINDEX', 'l', '5'],
    ['LPOS', 'l', 'z'], ['LPOS', 'l', 'z', 'COUNT', '2'], ['LRANGE', 'l', '3', '4'], ['LPOP', 'l', '0'], ['LMPOP', '1', 'l', 'RIGHT'],
  ], { proto: 3 })

  diff('LINDEX and LSET', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd'], ['LINDEX', 'l', '0'], ['LINDEX', 'l', '3'], ['LINDEX', 'l', '-1'], ['LINDEX', 'l', '-4'], ['LINDEX', 'l', '4'], ['LINDEX', 'l', '-5'],
    ['LINDEX', 'l', 'x'], ['LINDEX', 'nokey', 'x'], ['LINDEX', 'nokey', '0'], ['LSET', 'l', '0', 'A'], ['LSET', 'l', '-1', 'D'], ['LSET', 'l', '2', 'C'],
    ['LRANGE', 'l', '0', '-1'], ['LSET', 'l', '4', 'x'], ['LSET', 'l', '-5', 'x'], ['LSET', 'l', 'x', 'y'], ['LSET', 'nokey', '0', 'x'], ['LSET', 'nokey', 'x', 'x'],
    ['LINDEX', 'l', '9223372036854775807'], ['LINDEX', 'l', '-9223372036854775808'], ['LSET', 'l', '1', ''], ['LINDEX', 'l', '1'],
  ])

  diff('LINSERT', [
    ['LINSERT', 'nokey', 'BEFORE', 'a', 'x'], ['EXISTS', 'nokey'], ['RPUSH', 'l', 'a', 'b', 'c', 'b'], ['LINSERT', 'l', 'BEFORE', 'b', 'x'], ['LINSERT', 'l', 'AFTER', 'b', 'y'],
    ['LINSERT', 'l', 'before', 'a', 'first'], ['LINSERT', 'l', 'after', 'b', 'z'], ['LINSERT', 'l', 'AFTER', 'c', 'after-c'], ['LINSERT', 'l', 'AFTER', 'b', 'm'],
    ['LRANGE', 'l', '0', '-1'], ['LINSERT', 'l', 'BEFORE', 'nope', 'x'], ['LINSERT', 'l', 'MIDDLE', 'a', 'x'], ['LINSERT', 'nokey', 'MIDDLE', 'a', 'x'],
    ['LINSERT', 'l', 'AFTER', 'b', 'last'], ['RPUSH', 'l', 'tail'], ['LINSERT', 'l', 'AFTER', 'tail', 'after-tail'], ['LPUSH', 'l', 'head'],
    ['LINSERT', 'l', 'BEFORE', 'head', 'before-head'], ['LRANGE', 'l', '0', '-1'], ['LLEN', 'l'],
  ])

  // Every insert lands in the same gap, so positions need ever longer fractions; both sides of the gap.
  const sameSpot: Step[] = [['RPUSH', 'l', 'left', 'right']]
  for (let i = 0; i < 150; i++) sameSpot.push(['LINSERT', 'l', 'AFTER', 'left', `a${i}`])
  for (let i = 0; i < 150; i++) sameSpot.push(['LINSERT', 'l', 'BEFORE', 'right', `b${i}`])
  for (let i = 0; i < 60; i++) sameSpot.push(['LINSERT', 'l', 'BEFORE', i % 2 === 0 ? 'a0' : 'b0', `c${i}`])
  sameSpot.push(['LRANGE', 'l', '0', '-1'], ['LLEN', 'l'], ['LINDEX', 'l', '151'], ['LRANGE', 'l', '140', '170'])
  diff('many LINSERTs at the same spot', sameSpot)

  diff('LINSERT between integers far apart, after pops', [
    ['RPUSH', 'l', 'a', 'b', 'c'], ['LPUSH', 'l', 'z'], ['RPOP', 'l'], ['LPOP', 'l'], ['LINSERT', 'l', 'AFTER', 'a', 'x'], ['LINSERT', 'l', 'BEFORE', 'a', 'y'],
    ['RPUSH', 'l', 'c'], ['LINSERT', 'l', 'BEFORE', 'c', 'w'], ['LRANGE', 'l', '0', '-1'], ['LREM', 'l', '0', 'x'], ['LINSERT', 'l', 'AFTER', 'a', 'x2'], ['LRANGE', 'l', '0', '-1'],
  ])

  diff('LREM', [
    ['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a'], ['LREM', 'l', '2', 'a'], ['LRANGE', 'l', '0', '-1'], ['LREM', 'l', '-1', 'a'], ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '0', 'b'], ['LRANGE', 'l', '0', '-1'], ['LREM', 'l', '0', 'zz'], ['LREM', 'l', 'x', 'a'], ['LREM', 'nokey', '0', 'a'], ['LREM', 'nokey', 'x', 'a'],
    ['LREM', 'l', '-9223372036854775808', 'a'], ['LRANGE', 'l', '0', '-1'], ['LREM', 'l', '100', 'c'], ['EXISTS', 'l'],
  ])

  diff('LTRIM', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'], ['LTRIM', 'l', '1', '-2'], ['LRANGE', 'l', '0', '-1'], ['LTRIM', 'l', '-3', '100'], ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '0', '0'], ['LRANGE', 'l', '0', '-1'], ['LTRIM', 'l', 'x', '0'], ['LTRIM', 'nokey', '0', '1'], ['LTRIM', 'nokey', 'x', '1'], ['EXISTS', 'nokey'],
    ['LTRIM', 'l', '1', '0'], ['EXISTS', 'l'], ['RPUSH', 'l', 'a', 'b'], ['LTRIM', 'l', '5', '10'], ['EXISTS', 'l'], ['RPUSH', 'l', 'a', 'b'], ['LTRIM', 'l', '0', '-1'],
    ['LRANGE', 'l', '0', '-1'], ['LTRIM', 'l', '-1', '-2'], ['EXISTS', 'l'],
  ])

  diff('LPOS', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a'], ['LPOS', 'l', 'a'], ['LPOS', 'l', 'c'], ['LPOS', 'l', 'z'], ['LPOS', 'l', 'a', 'RANK', '2'], ['LPOS', 'l', 'a', 'RANK', '-1'],
    ['LPOS', 'l', 'a', 'RANK', '-2'], ['LPOS', 'l', 'a', 'RANK', '4'], ['LPOS', 'l', 'a', 'COUNT', '0'], ['LPOS', 'l', 'a', 'COUNT', '2'], ['LPOS', 'l', 'a', 'COUNT', '2', 'RANK', '2'],
    ['LPOS', 'l', 'a', 'COUNT', '0', 'RANK', '-1'], ['LPOS', 'l', 'b', 'MAXLEN', '1'], ['LPOS', 'l', 'b', 'MAXLEN', '2'], ['LPOS', 'l', 'a', 'COUNT', '0', 'MAXLEN', '4'],
    ['LPOS', 'l', 'a', 'RANK', '-1', 'MAXLEN', '1'], ['LPOS', 'l', 'c', 'RANK', '-1', 'MAXLEN', '2'], ['LPOS', 'l', 'a', 'RANK', '0'], ['LPOS', 'l', 'a', 'COUNT', '-1'],
    ['LPOS', 'l', 'a', 'MAXLEN', '-1'], ['LPOS', 'l', 'a', 'RANK', 'x'], ['LPOS', 'l', 'a', 'COUNT', 'x'], ['LPOS', 'l', 'a', 'MAXLEN', 'x'], ['LPOS', 'l', 'a', 'RANK'],
    ['LPOS', 'l', 'a', 'FOO', '1'], ['LPOS', 'nokey', 'a', 'RANK', '0'], ['LPOS', 'nokey', 'a', 'COUNT', '1'], ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'], ['LPOS', 'l', 'a', 'rank', '1', 'count', '1', 'maxlen', '0'],
  ])

  diff('LMOVE and RPOPLPUSH', [
    ['RPUSH', 's', 'a', 'b', 'c'], ['LMOVE', 's', 'd', 'LEFT', 'RIGHT'], ['LMOVE', 's', 'd', 'RIGHT', 'LEFT'], ['LRANGE', 's', '0', '-1'], ['LRANGE', 'd', '0', '-1'],
    ['LMOVE', 's', 'd', 'left', 'left'], ['EXISTS', 's'], ['LMOVE', 'd', 'd', 'LEFT', 'RIGHT'], ['LRANGE', 'd', '0', '-1'], ['LMOVE', 'd', 'd', 'RIGHT', 'LEFT'],
    ['LRANGE', 'd', '0', '-1'], ['LMOVE', 'd', 'd', 'LEFT', 'LEFT'], ['LMOVE', 'd', 'd', 'RIGHT', 'RIGHT'], ['LRANGE', 'd', '0', '-1'], ['RPOPLPUSH', 'd', 'e'],
    ['RPOPLPUSH', 'd', 'd'], ['LRANGE', 'd', '0', '-1'], ['LRANGE', 'e', '0', '-1'], ['LMOVE', 'nokey', 'd', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'nokey', 'd'],
    ['LMOVE', 's', 'd', 'UP', 'LEFT'], ['LMOVE', 'd', 'e', 'LEFT', 'DOWN'], ['LMOVE', 'nokey', 'e', 'UP', 'LEFT'], ['SET', 'str', 'x'], ['LMOVE', 'd', 'str', 'LEFT', 'LEFT'],
    ['RPOPLPUSH', 'd', 'str'], ['LMOVE', 'str', 'd', 'LEFT', 'LEFT'], ['LMOVE', 'nokey', 'str', 'LEFT', 'LEFT'], ['LRANGE', 'd', '0', '-1'], ['RPUSH', 'one', 'x'],
    ['LMOVE', 'one', 'one', 'LEFT', 'RIGHT'], ['LRANGE', 'one', '0', '-1'], ['RPOPLPUSH', 'one', 'two'], ['EXISTS', 'one'], ['LRANGE', 'two', '0', '-1'],
  ])

  diff('LMPOP', [
    ['RPUSH', 'a', '1', '2', '3'], ['RPUSH', 'b', 'x', 'y'], ['LMPOP', '2', 'nokey', 'a', 'LEFT'], ['LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '5'], ['LMPOP', '2', 'a', 'b', 'left', 'count', '1'],
    ['LMPOP', '1', 'b', 'LEFT', 'COUNT', '10'], ['EXISTS', 'b'], ['LMPOP', '2', 'a', 'b', 'LEFT'], ['LMPOP', '0', 'a', 'LEFT'], ['LMPOP', '-1', 'a', 'LEFT'], ['LMPOP', 'x', 'a', 'LEFT'],
    ['LMPOP', '5', 'a', 'LEFT'], ['LMPOP', '2', 'a', 'LEFT'], ['LMPOP', '1', 'a', 'UP'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '-1'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'], ['LMPOP', '1', 'a', 'LEFT', 'FOO'],
    ['LMPOP', '1', 'a'], ['SET', 'str', 'v'], ['RPUSH', 'c', 'z'], ['LMPOP', '2', 'str', 'c', 'LEFT'], ['LMPOP', '2', 'c', 'str', 'LEFT'], ['LMPOP', '2', 'nokey', 'str', 'LEFT'],
    ['LMPOP', '99999999999999999999', 'a', 'LEFT'], ['LMPOP', '9223372036854775807', 'a', 'LEFT'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '9223372036854775807'],
  ])

  diff('LMPOP in RESP3', [['RPUSH', 'a', '1', '2'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1'], ['LMPOP', '1', 'nokey', 'LEFT']], { proto: 3 })

  diff('errors: wrong arity and WRONGTYPE with strings, hashes and sets', [
    ['SET', 'str', 'v'], ['HSET', 'h', 'f', 'v'], ['SADD', 's', 'm'],
    ...['str', 'h', 's'].flatMap((key): Step[] => [
      ['LPUSH', key, 'a'], ['RPUSH', key, 'a'], ['LPUSHX', key, 'a'], ['RPUSHX', key, 'a'], ['LPOP', key], ['RPOP', key, '2'], ['LPOP', key, '-1'], ['LLEN', key],
      ['LRANGE', key, '0', '-1'], ['LRANGE', key, 'x', '1'], ['LINDEX', key, '0'], ['LINDEX', key, 'x'], ['LSET', key, '0', 'v'], ['LSET', key, 'x', 'v'],
      ['LINSERT', key, 'BEFORE', 'a', 'b'], ['LINSERT', key, 'MIDDLE', 'a', 'b'], ['LREM', key, '0', 'a'], ['LREM', key, 'x', 'a'], ['LTRIM', key, '0', '1'],
      ['LPOS', key, 'a'], ['LPOS', key, 'a', 'RANK', '0'], ['LMOVE', key, 'd', 'LEFT', 'LEFT'], ['RPOPLPUSH', key, 'd'], ['LMPOP', '1', key, 'LEFT'],
    ]),
    ['RPUSH', 'l', 'a'], ['GET', 'l'], ['HGET', 'l', 'f'], ['SADD', 'l', 'x'], ['SCARD', 'l'], ['INCR', 'l'], ['TYPE', 'l'], ['OBJECT', 'ENCODING', 'nokey'],
    ['LPUSH', 'l'], ['LLEN'], ['LLEN', 'l', 'x'], ['LRANGE', 'l', '0'], ['LINSERT', 'l', 'BEFORE', 'a'], ['LMOVE', 'l', 'l', 'LEFT'], ['RPOPLPUSH', 'l'], ['LMPOP', '1'],
    ['LPOS', 'l'], ['LSET', 'l', '0'], ['LREM', 'l', '0'], ['LTRIM', 'l', '0'], ['LINDEX', 'l'],
  ])

  diff('COMMAND GETKEYS of list commands', [
    ['COMMAND', 'GETKEYS', 'lmpop', '2', 'a', 'b', 'LEFT'], ['COMMAND', 'GETKEYS', 'lmpop', '1', 'a', 'RIGHT', 'COUNT', '2'], ['COMMAND', 'GETKEYS', 'lmove', 'a', 'b', 'LEFT', 'RIGHT'],
    ['COMMAND', 'GETKEYS', 'rpoplpush', 'a', 'b'], ['COMMAND', 'GETKEYS', 'lpush', 'a', 'x', 'y'], ['COMMAND', 'GETKEYS', 'linsert', 'a', 'BEFORE', 'p', 'x'],
  ])

  diff('LPUSH then RPOP keeps FIFO order', [
    ['LPUSH', 'q', '1', '2', '3'], ['LPUSH', 'q', '4'], ['RPOP', 'q'], ['RPOP', 'q'], ['LPUSH', 'q', '5', '6'], ['RPOP', 'q', '3'], ['RPOP', 'q'], ['LPOP', 'q'],
    ['RPUSH', 'q', 'a'], ['LPUSH', 'q', 'b'], ['RPUSH', 'q', 'c'], ['LPOP', 'q', '5'],
  ])

  const big = elements(1000)
  diff('a large list: LRANGE and LINDEX from both ends, LTRIM, LREM, LSET', [
    ['RPUSH', 'big', ...big], ['LLEN', 'big'], ['LINDEX', 'big', '0'], ['LINDEX', 'big', '1'], ['LINDEX', 'big', '499'], ['LINDEX', 'big', '500'], ['LINDEX', 'big', '998'],
    ['LINDEX', 'big', '-1'], ['LINDEX', 'big', '-500'], ['LINDEX', 'big', '-501'], ['LINDEX', 'big', '-1000'], ['LINDEX', 'big', '1000'], ['LRANGE', 'big', '0', '9'],
    ['LRANGE', 'big', '-10', '-1'], ['LRANGE', 'big', '490', '510'], ['LRANGE', 'big', '100', '900'], ['LRANGE', 'big', '995', '2000'], ['LRANGE', 'big', '0', '-1'],
    ['LSET', 'big', '700', 'seven-hundred'], ['LSET', 'big', '-800', 'two-hundred'], ['LINDEX', 'big', '700'], ['LINDEX', 'big', '200'], ['LPOS', 'big', 'e900'],
    ['LPOS', 'big', 'e900', 'RANK', '-1'], ['LPOS', 'big', 'e5', 'MAXLEN', '5'], ['LINSERT', 'big', 'AFTER', 'e899', 'new'], ['LINDEX', 'big', '900'], ['LINDEX', 'big', '-101'],
    ['LREM', 'big', '0', 'new'], ['LTRIM', 'big', '100', '-101'], ['LLEN', 'big'], ['LINDEX', 'big', '0'], ['LINDEX', 'big', '-1'], ['LRANGE', 'big', '395', '405'],
    ['LTRIM', 'big', '-300', '-1'], ['LRANGE', 'big', '0', '-1'], ['LPOP', 'big', '150'], ['RPOP', 'big', '100'], ['LRANGE', 'big', '0', '-1'],
    ['LPUSH', 'big', ...big], ['LRANGE', 'big', '990', '1010'], ['LINDEX', 'big', '-51'], ['LTRIM', 'big', '1', '0'], ['EXISTS', 'big'],
  ])

  diff('RENAME, COPY and expiry of lists', [
    ['RPUSH', 'l', 'a', 'b', 'c'], ['RENAME', 'l', 'm'], ['LRANGE', 'm', '0', '-1'], ['EXISTS', 'l'], ['COPY', 'm', 'n'], ['RPOP', 'n'], ['LPUSH', 'n', 'z'],
    ['LRANGE', 'm', '0', '-1'], ['LRANGE', 'n', '0', '-1'], ['LINSERT', 'n', 'AFTER', 'a', 'x'], ['LRANGE', 'n', '0', '-1'], ['LPUSH', 'm', 'y'], ['LRANGE', 'm', '0', '-1'],
    ['RENAME', 'm', 'n'], ['LRANGE', 'n', '0', '-1'], ['COPY', 'n', 'n2', 'REPLACE'], ['LLEN', 'n2'], ['PEXPIRE', 'n', '40'], ['LLEN', 'n'], ['__sleep', '100'],
    ['LLEN', 'n'], ['LRANGE', 'n', '0', '-1'], ['RPUSH', 'n', 'fresh'], ['LRANGE', 'n', '0', '-1'], ['TTL', 'n'], ['EXPIRE', 'n2', '100'], ['LPUSH', 'n2', 'k'], ['TTL', 'n2'],
    ['LPOP', 'n2', '10'], ['TTL', 'n2'],
  ])

  model('random list command sequences', listCommand, { runs: 200, maxCommands: 40 })
}

diffSuite('lists', listsSuite)

// Longer random scripts than model() makes, each ending with both lists whole, sent one command
// at a time and all at once: written at once, they reach marekvs in one batch, where later
// commands read the members earlier ones wrote through the batch overlay.
describe('differential: lists, long scripts, sequential and pipelined (one batch)', function () {
  this.timeout(180000)
  const servers = serverPair()

  async function pipelined(port: number, steps: Step[]): Promise<Decoded[]> {
    await runSteps(port, [['FLUSHALL']])
    return runPipelined(port, steps)
  }

  async function sequential(port: number, steps: Step[]): Promise<Array<Decoded | null>> {
    await runSteps(port, [['FLUSHALL']])
    return runSteps(port, steps)
  }

  async function check(steps: Step[], run: (port: number, steps: Step[]) => Promise<Array<Decoded | null>>): Promise<void> {
    const expected = await run(servers.redis.port, steps)
    const actual = await run(servers.marekvs.port, steps)
    compareReplies(steps, expected, actual)
  }

  it('a list emptied and refilled, rotated, moved, in one batch', () => check([
    ['RPUSH', 'l', 'a', 'b', 'c'], ['LPOP', 'l', '3'], ['EXISTS', 'l'], ['RPUSH', 'l', 'x'], ['LINSERT', 'l', 'BEFORE', 'x', 'w'], ['LRANGE', 'l', '0', '-1'],
    ['LMOVE', 'l', 'l', 'LEFT', 'RIGHT'], ['LRANGE', 'l', '0', '-1'], ['DEL', 'l'], ['RPUSH', 'l', 'q'], ['LRANGE', 'l', '0', '-1'], ['LMOVE', 'l', 'm', 'LEFT', 'LEFT'],
    ['RPUSH', 'big', ...elements(500)], ['LTRIM', 'big', '10', '-10'], ['LINDEX', 'big', '-1'], ['LREM', 'big', '0', 'e100'], ['LSET', 'big', '250', 'x'],
    ['LRANGE', 'big', '245', '255'], ['LLEN', 'big'], ['LMPOP', '2', 'l', 'big', 'RIGHT', 'COUNT', '3'],
  ], pipelined))

  const whole: Step[] = [['LRANGE', 'l1', '0', '-1'], ['LRANGE', 'l2', '0', '-1']]
  const script = fc.array(listCommand, { minLength: 20, maxLength: 80 }).map((steps) => [...steps, ...whole])
  it('random scripts, one command at a time', async () => {
    await fc.assert(fc.asyncProperty(script, (steps) => check(steps, sequential)), { numRuns: 150 })
  })
  it('random scripts in one batch', async () => {
    await fc.assert(fc.asyncProperty(script, (steps) => check(steps, pipelined)), { numRuns: 150 })
  })
})
