// Stream commands against redis-server 7.0 and marekvs: same scripts, same replies. Scripts use
// explicit IDs wherever a reply would show a time-based one; time-dependent values (idle times,
// seen and delivery times) and Redis's radix-tree sizes are masked, auto IDs compared by type.
import fc from 'fast-check'
import { compareReplies, diffSuite, runSteps, scenarioRunner, Step } from '../support/diff'
import type { Decoded } from '../support/resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from '../support/servers'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
/** XADD key <i+1>-1 f <i> for i < n: a stream of n entries with known IDs. */
const fill = (key: string, n: number, from = 1): Step[] => range(n).map((i) => ['XADD', key, `${from + i}-1`, 'f', String(i)])

// ------------------------------------------------------------ masking time-dependent values

const MASKED_KEYS = new Set(['idle', 'seen-time', 'radix-tree-keys', 'radix-tree-nodes'])
const ID = /^\d+-\d+$/
const ZERO: Decoded = { type: 'int', value: 0n }

/**
 * Zero what depends on the clock or on Redis's internals: values after the keys above (RESP2
 * flat maps and RESP3 maps alike), the delivery time in PEL rows [id, consumer, time, count]
 * (XPENDING, XINFO FULL) and [id, time, count] (a consumer's PEL in XINFO FULL).
 */
function mask(reply: Decoded): Decoded {
  if (!('value' in reply) || !Array.isArray(reply.value)) return reply
  const items = reply.value.map(mask)
  for (let i = 0; i + 1 < items.length; i++) {
    const item = items[i]
    if (item.type === 'bulk' && MASKED_KEYS.has(item.value) && items[i + 1].type === 'int') items[i + 1] = ZERO
  }
  const first = items[0]
  const isId = first !== undefined && first.type === 'bulk' && ID.test(first.value)
  if (isId && items.length === 4 && items[1].type === 'bulk' && items[2].type === 'int' && items[3].type === 'int') items[2] = ZERO
  if (isId && items.length === 3 && items[1].type === 'int' && items[2].type === 'int') items[1] = ZERO
  return { ...reply, value: items } as Decoded
}

diffSuite('streams', (diff, model) => {
  diff('XADD with explicit IDs, XLEN, XRANGE', [
    ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '1-2', 'b', '2', 'c', '3'], ['XADD', 's', '5', 'x', 'y'], ['XADD', 's', '5-3', 'f', 'v'],
    ['XLEN', 's'], ['XRANGE', 's', '-', '+'], ['XLEN', 'nokey'], ['TYPE', 's'], ['OBJECT', 'ENCODING', 's'],
    ['XADD', 's', '5-3', 'f', 'v'], ['XADD', 's', '5-2', 'f', 'v'], ['XADD', 's', '4', 'f', 'v'], ['XADD', 's', '0-0', 'f', 'v'], ['XADD', 'n', '0', 'f', 'v'],
    ['XADD', 'n', '0-0', 'f', 'v'], ['EXISTS', 'n'], ['XADD', 's', 'abc', 'f', 'v'], ['XADD', 's', '1-x', 'f', 'v'], ['XADD', 's', '-1', 'f', 'v'],
    ['XADD', 's', '6', 'f'], ['XADD', 's', '6', 'f', 'v', 'g'], ['XADD', 's', '*', 'f'], ['XADD', 's', 'MAXLEN', '5', '6', 'f'],
    ['XADD', 's', '18446744073709551615-18446744073709551615', 'f', 'v'], ['XADD', 's', '*', 'f', 'v'], ['XADD', 's', '7-*', 'f', 'v'],
    ['XADD', 'big', '18446744073709551615-18446744073709551614', 'a', 'b'], ['XADD', 'big', '18446744073709551615-*', 'a', 'b'],
    ['XADD', 'big', '18446744073709551615-*', 'a', 'b'], ['XRANGE', 'big', '-', '+'],
  ])

  diff('XADD <ms>-*, NOMKSTREAM, odd IDs', [
    ['XADD', 's', '5-*', 'a', '1'], ['XADD', 's', '5-*', 'a', '2'], ['XADD', 's', '6-*', 'a', '3'], ['XADD', 's', '5-*', 'a', '4'],
    ['XADD', 'z', '0-*', 'a', '1'], ['XRANGE', 'z', '-', '+'], ['XRANGE', 's', '-', '+'],
    ['XADD', 'nokey', 'NOMKSTREAM', '1-1', 'a', '1'], ['EXISTS', 'nokey'], ['XADD', 's', 'NOMKSTREAM', '7-1', 'a', '1'], ['XADD', 's', 'nomkstream', '*', 'a'],
    ['XADD', 's', '+00010', 'a', '1'], ['XADD', 's', '11-+5', 'a', '1'], ['XADD', 's', ' 12', 'a', '1'], ['XADD', 's', '-', 'a', '1'], ['XADD', 's', '+', 'a', '1'],
    ['XADD', 's', '13-', 'a', '1'], ['XADD', 's', '-13', 'a', '1'], ['XADD', 's', '14-1-1', 'a', '1'], ['XADD', 's', '18446744073709551616', 'a', '1'],
    ['XADD', 's', '99-*', 'a'], ['XRANGE', 's', '-', '+'],
  ])

  diff('auto IDs (compared by type)', [
    ['XADD', 's', '*', 'a', '1'], ['XADD', 's', '*', 'a', '2'], ['XLEN', 's'], ['XADD', 's', 'MAXLEN', '1', '*', 'a', '3'], ['XLEN', 's'],
  ], { typeOnly: [0, 1, 3] })

  diff('XADD and XTRIM: MAXLEN and MINID, exact', [
    ...fill('s', 10), ['XTRIM', 's', 'MAXLEN', '7'], ['XRANGE', 's', '-', '+'], ['XTRIM', 's', 'MAXLEN', '=', '5'], ['XTRIM', 's', 'MAXLEN', '100'],
    ['XTRIM', 's', 'MINID', '7'], ['XRANGE', 's', '-', '+'], ['XTRIM', 's', 'MINID', '=', '8-1'], ['XADD', 's', 'MAXLEN', '2', '20-1', 'a', 'b'],
    ['XRANGE', 's', '-', '+'], ['XADD', 's', 'MINID', '20', '21-1', 'a', 'b'], ['XRANGE', 's', '-', '+'], ['XTRIM', 's', 'MAXLEN', '0'], ['XLEN', 's'],
    ['EXISTS', 's'], ['XINFO', 'STREAM', 's'], ['XTRIM', 'nokey', 'MAXLEN', '0'],
  ])

  diff('approximate trimming removes whole nodes only', [
    ...fill('s', 250), ['XTRIM', 's', 'MAXLEN', '~', '10'], ['XLEN', 's'], ['XTRIM', 's', 'MAXLEN', '~', '10'], ['XLEN', 's'], ['XRANGE', 's', '-', '+', 'COUNT', '2'],
    ...fill('m', 150), ['XTRIM', 'm', 'MINID', '~', '120'], ['XLEN', 'm'], ['XTRIM', 'm', 'MINID', '~', '101-1'], ['XLEN', 'm'], ['XTRIM', 'm', 'MINID', '~', '102'], ['XLEN', 'm'],
    ...fill('l', 350), ['XTRIM', 'l', 'MAXLEN', '~', '0', 'LIMIT', '150'], ['XLEN', 'l'], ['XTRIM', 'l', 'MAXLEN', '~', '0', 'LIMIT', '0'], ['XLEN', 'l'],
    ['XADD', 'l', 'MAXLEN', '~', '0', '1000-1', 'a', 'b'], ['XLEN', 'l'], ['XTRIM', 'l', 'MAXLEN', '~', '0'], ['XLEN', 'l'], ['EXISTS', 'l'],
    ...fill('d', 120), ['XDEL', 'd', '1-1', '2-1', '3-1'], ['XTRIM', 'd', 'MAXLEN', '~', '20'], ['XLEN', 'd'], ['XTRIM', 'd', 'MAXLEN', '20'], ['XLEN', 'd'],
    ['XRANGE', 'd', '-', '+', 'COUNT', '1'],
  ])

  diff('trimming option errors', [
    ['XADD', 's', '1-1', 'a', 'b'], ['XTRIM', 's'], ['XTRIM', 's', 'MAXLEN'], ['XTRIM', 's', 'FOO', '1'], ['XTRIM', 's', 'MAXLEN', '-1'], ['XTRIM', 's', 'MAXLEN', 'x'],
    ['XTRIM', 's', 'MAXLEN', '1', 'MINID', '1'], ['XTRIM', 's', 'MINID', 'x'], ['XTRIM', 's', 'MAXLEN', '1', 'LIMIT', '10'], ['XTRIM', 's', 'LIMIT', '10'],
    ['XTRIM', 's', 'LIMIT', '0'], ['XTRIM', 's', 'MAXLEN', '~', '1', 'LIMIT', '-1'], ['XTRIM', 's', 'MAXLEN', '~', '1', 'LIMIT', 'x'], ['XTRIM', 's', 'MAXLEN', '~'],
    ['XADD', 's', 'MAXLEN', '-1', '*', 'a', 'b'], ['XADD', 's', 'LIMIT', '5', '*', 'a', 'b'], ['XADD', 's', 'MAXLEN', '5', 'LIMIT', '5', '*', 'a', 'b'],
    ['XADD', 's', 'MINID', '0', 'MAXLEN', '1', '*', 'a', 'b'], ['XADD', 's', 'MAXLEN', '~', 'x', '*', 'a', 'b'], ['XTRIM', 's', 'MAXLEN', '=', '0', 'extra'],
    ['XTRIM', 'nokey', 'FOO'], ['XLEN', 's'], ['SET', 'str', 'x'], ['XTRIM', 'str', 'MAXLEN', '0'], ['XTRIM', 'str', 'FOO'],
  ])

  diff('XRANGE and XREVRANGE: COUNT, exclusive ends, errors', [
    ...fill('s', 6), ['XADD', 's', '3-5', 'g', 'h'], ['XRANGE', 's', '2', '3'], ['XRANGE', 's', '2-1', '3-1'], ['XRANGE', 's', '(2-1', '(3-5'],
    ['XRANGE', 's', '-', '+', 'COUNT', '2'], ['XRANGE', 's', '-', '+', 'COUNT', '0'], ['XRANGE', 's', '-', '+', 'COUNT', '-1'], ['XRANGE', 's', '-', '+', 'count', '1', 'COUNT', '3'],
    ['XREVRANGE', 's', '+', '-'], ['XREVRANGE', 's', '+', '-', 'COUNT', '2'], ['XREVRANGE', 's', '(5-1', '(1-1'], ['XREVRANGE', 's', '3', '3'],
    ['XRANGE', 's', '5', '2'], ['XRANGE', 's', '(-', '+'], ['XRANGE', 's', '-', '(+'], ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'],
    ['XRANGE', 's', '-', '(0-0'], ['XRANGE', 's', '(0', '(1-2'], ['XRANGE', 's', 'x', '+'], ['XRANGE', 's', '-', 'y'], ['XRANGE', 's', '-', '+', 'COUNT'],
    ['XRANGE', 's', '-', '+', 'COUNT', 'x'], ['XRANGE', 's', '-', '+', 'FOO', '1'], ['XRANGE', 'nokey', '-', '+'], ['XRANGE', 'nokey', 'x', '+'],
    ['XRANGE', 'nokey', '-', '+', 'COUNT', '0'], ['XREVRANGE', 'nokey', '+', '-'], ['XRANGE', 's', '(', '+'], ['XRANGE', 's', '((1', '+'],
  ])

  diff('nil and empty shapes in RESP3', [
    ['XRANGE', 'nokey', '-', '+'], ['XADD', 's', '1-1', 'a', 'b'], ['XRANGE', 's', '-', '+', 'COUNT', '0'], ['XREAD', 'STREAMS', 's', '$'],
    ['XREAD', 'STREAMS', 's', 'nokey', '0', '0'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', 's', '0', '0'], ['XADD', 'nokey', 'NOMKSTREAM', '*', 'a', 'b'],
    ['XINFO', 'STREAM', 's'],
  ], { proto: 3 })

  diff('XDEL', [
    ...fill('s', 5), ['XDEL', 's', '2-1', '2-1', '9-9', '4-1'], ['XRANGE', 's', '-', '+'], ['XDEL', 's', '1-1'], ['XINFO', 'STREAM', 's'], ['XDEL', 's', 'x'],
    ['XDEL', 's', '3-1', 'x'], ['XLEN', 's'], ['XDEL', 'nokey', 'x'], ['XDEL', 's', '3-1', '5-1'], ['XLEN', 's'], ['EXISTS', 's'], ['XINFO', 'STREAM', 's'],
    ['XADD', 's', '5-1', 'a', 'b'], ['XADD', 's', '6-1', 'a', 'b'], ['XRANGE', 's', '-', '+'], ['XDEL', 's', '-'], ['XDEL', 's', '+'], ['XDEL', 's', '6'],
  ])

  diff('XREAD without blocking', [
    ...fill('a', 3), ...fill('b', 2, 10), ['XREAD', 'STREAMS', 'a', '0'], ['XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0'], ['XREAD', 'STREAMS', 'a', 'b', '2-1', '10-1'],
    ['XREAD', 'STREAMS', 'a', '$'], ['XREAD', 'STREAMS', 'a', 'nokey', '0', '0'], ['XREAD', 'STREAMS', 'a', '3-1'], ['XREAD', 'COUNT', '0', 'STREAMS', 'a', '1'],
    ['XREAD', 'COUNT', '-5', 'STREAMS', 'a', '1'], ['XREAD', 'streams', 'a', '(1'], ['XREAD', 'STREAMS', 'a'], ['XREAD', 'STREAMS', 'a', 'b', '0'],
    ['XREAD', 'STREAMS', 'a', '>'], ['XREAD', 'STREAMS', 'a', 'x'], ['XREAD', 'COUNT', 'x', 'STREAMS', 'a', '0'], ['XREAD', 'FOO', 'STREAMS', 'a', '0'],
    ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 'a', '0'], ['XREAD', 'NOACK', 'STREAMS', 'a', '0'], ['XREAD', 'COUNT', '1', 'a', '0'], ['XREAD', 'BLOCK', 'x', 'STREAMS', 'a', '0'],
    ['XREAD', 'BLOCK', '-1', 'STREAMS', 'a', '0'], ['XREAD', 'BLOCK', '10', 'STREAMS', 'a', '0'], ['XREAD', 'BLOCK', '9223372036854775807', 'STREAMS', 'a', '0'],
    ['XREAD', 'STREAMS', 'a', '18446744073709551615-18446744073709551615'], ['XREAD', 'COUNT', '1', 'STREAMS', 'STREAMS', 'a', '0'],
    ['XREAD', 'BLOCK', '20', 'STREAMS', 'a', '$'], ['XREAD', 'BLOCK', '20', 'STREAMS', 'nokey', '$'],
  ])

  diff('XREAD in RESP3: a map of streams', [
    ...fill('a', 3), ...fill('b', 2, 10), ['XREAD', 'STREAMS', 'a', 'b', '0', '0'], ['XREAD', 'COUNT', '1', 'STREAMS', 'b', 'a', '0', '2'], ['XREAD', 'STREAMS', 'a', '$'],
    ['XREAD', 'BLOCK', '20', 'STREAMS', 'a', '$'],
  ], { proto: 3 })

  diff('XGROUP CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP', [
    ...fill('s', 3), ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', 'g2', '$'], ['XGROUP', 'CREATE', 's', 'g3', '2-1', 'ENTRIESREAD', '2'],
    ['XINFO', 'GROUPS', 's'], ['XGROUP', 'CREATE', 'nokey', 'g', '0'], ['XGROUP', 'CREATE', 'nokey', 'g', '$', 'MKSTREAM'], ['XLEN', 'nokey'], ['TYPE', 'nokey'],
    ['XINFO', 'GROUPS', 'nokey'], ['XGROUP', 'CREATE', 's', 'g4', 'x'], ['XGROUP', 'CREATE', 's', 'g4', '-'], ['XGROUP', 'CREATE', 's', 'g4', '0', 'FOO'],
    ['XGROUP', 'CREATE', 's', 'g4', '0', 'ENTRIESREAD', '-2'], ['XGROUP', 'CREATE', 's', 'g4', '0', 'ENTRIESREAD', 'x'], ['XGROUP', 'CREATE', 's', 'g4', '0', 'MKSTREAM', 'ENTRIESREAD', '1', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 's'], ['XGROUP', 'SETID', 's', 'g1', '2-1'], ['XGROUP', 'SETID', 's', 'g1', '$', 'ENTRIESREAD', '3'], ['XGROUP', 'SETID', 's', 'nog', '0'],
    ['XGROUP', 'SETID', 's', 'g2', '-'], ['XGROUP', 'SETID', 's', 'g2', 'x'], ['XGROUP', 'SETID', 's', 'g2', '0', 'FOO', '1'], ['XGROUP', 'SETID', 's', 'g2', '0', 'ENTRIESREAD'],
    ['XINFO', 'GROUPS', 's'], ['XGROUP', 'CREATECONSUMER', 's', 'g1', 'c1'], ['XGROUP', 'CREATECONSUMER', 's', 'g1', 'c1'], ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'c1'],
    ['XGROUP', 'DELCONSUMER', 's', 'g1', 'c1'], ['XGROUP', 'DELCONSUMER', 's', 'g1', 'c1'], ['XGROUP', 'DELCONSUMER', 's', 'nog', 'c1'],
    ['XGROUP', 'DESTROY', 's', 'g2'], ['XGROUP', 'DESTROY', 's', 'g2'], ['XGROUP', 'DESTROY', 'nokey2', 'g2'], ['XINFO', 'STREAM', 's'], ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'HELP'], ['XGROUP', 'help', 'x'], ['XGROUP', 'FOO'], ['XGROUP'], ['XGROUP', 'DESTROY', 's'], ['XGROUP', 'CREATE', 's', 'g9', '0', 'MKSTREAM', 'ENTRIESREAD', '1', 'x'],
    ['SET', 'str', 'x'], ['XGROUP', 'CREATE', 'str', 'g', '0'], ['XGROUP', 'CREATE', 'str', 'g', '0', 'MKSTREAM'], ['XGROUP', 'CREATE', 's', 'a\x00b', '0'], ['XGROUP', 'CREATE', 's', 'a', '0'],
    ['XGROUP', 'CREATE', 's', 'ab', '0'], ['XGROUP', 'CREATE', 's', 'B', '0'], ['XINFO', 'GROUPS', 's'],
  ])

  diff('XREADGROUP: new entries, history, NOACK, errors', [
    ...fill('s', 4), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '1-1'], ['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'dave', 'NOACK', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'erin', 'STREAMS', 's', '>'],
    ['XPENDING', 's', 'g'], ['XINFO', 'GROUPS', 's'], ['XDEL', 's', '1-1'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '18446744073709551615-18446744073709551615'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '$'], ['XREADGROUP', 'GROUP', 'nog', 'alice', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 'nokey', '>'],
    ['XREADGROUP', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', 'x'],
    ['XREADGROUP', 'GROUP', 'g', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '10', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '10', 'STREAMS', 's', '0'],
    ['XGROUP', 'SETID', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g'], ['XINFO', 'GROUPS', 's'],
    ['SET', 'str', 'x'], ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 'str', '>'],
  ])

  diff('XREADGROUP in RESP3', [
    ...fill('s', 2), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>'],
    ['XDEL', 's', '1-1'], ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '0'], ['XPENDING', 's', 'g'], ['XACK', 's', 'g', '1-1', '2-1'], ['XPENDING', 's', 'g'],
  ], { proto: 3 })

  diff('XACK and XPENDING summary', [
    ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XPENDING', 's', 'g'], ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g'], ['XACK', 's', 'g', '1-1', '1-1', '9-9', '4-1'], ['XPENDING', 's', 'g'],
    ['XACK', 's', 'g', 'x'], ['XACK', 's', 'g', '2-1', 'x'], ['XACK', 's', 'nog', 'x'], ['XACK', 'nokey', 'g', 'x'], ['XPENDING', 's', 'nog'], ['XPENDING', 'nokey', 'g'],
    ['XACK', 's', 'g', '2-1', '3-1', '5-1'], ['XPENDING', 's', 'g'], ['XINFO', 'GROUPS', 's'], ['SET', 'str', 'x'], ['XACK', 'str', 'g', '1-1'], ['XPENDING', 'str', 'g'],
  ])

  diff('XINFO STREAM, GROUPS, HELP and errors', [
    ['XINFO', 'STREAM', 'nokey'], ['XINFO', 'GROUPS', 'nokey'], ['XINFO', 'CONSUMERS', 'nokey', 'g'], ...fill('s', 3), ['XINFO', 'STREAM', 's'],
    ['XINFO', 'STREAM', 's', 'FULL'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'], ['XINFO', 'STREAM', 's', 'FOO'], ['XINFO', 'STREAM', 's', 'FULL', 'FOO', '1'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT'],
    ['XINFO', 'CONSUMERS', 's', 'nog'], ['XINFO', 'HELP'], ['XINFO', 'HELP', 'x'], ['XINFO', 'FOO', 's'], ['XINFO', 'STREAM'], ['XINFO', 'GROUPS', 's', 'x'],
    ['XINFO', 'CONSUMERS', 's'], ['XINFO'], ['SET', 'str', 'x'], ['XINFO', 'STREAM', 'str'], ['XINFO', 'GROUPS', 's'],
  ])

  diff('lag and entries-read through deletions', [
    ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'h', '$'], ['XGROUP', 'CREATE', 's', 'i', '3-1'], ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'], ['XINFO', 'GROUPS', 's'], ['XDEL', 's', '4-1'], ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'i', 'c', 'STREAMS', 's', '>'], ['XINFO', 'GROUPS', 's'],
    ['XDEL', 's', '1-1'], ['XINFO', 'GROUPS', 's'], ['XTRIM', 's', 'MAXLEN', '0'], ['XINFO', 'GROUPS', 's'], ['XADD', 's', '9-1', 'a', 'b'], ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'SETID', 's', 'h', '0', 'ENTRIESREAD', '0'], ['XINFO', 'GROUPS', 's'], ['XINFO', 'STREAM', 's'],
  ])

  diff('WRONGTYPE against other types', [
    ['SET', 'str', 'x'], ['LPUSH', 'l', 'a'], ['XADD', 's', '1-1', 'a', 'b'], ['XADD', 'str', '*', 'a', 'b'], ['XADD', 'l', '1-1', 'a', 'b'], ['XLEN', 'str'],
    ['XRANGE', 'l', '-', '+'], ['XREVRANGE', 'str', '+', '-'], ['XDEL', 'str', '1-1'], ['XREAD', 'STREAMS', 's', 'str', '0', '0'], ['XREAD', 'STREAMS', 'l', '$'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'], ['XCLAIM', 'str', 'g', 'c', '0', '1-1'], ['XAUTOCLAIM', 'str', 'g', 'c', '0', '0'],
    ['XINFO', 'GROUPS', 'str'], ['XINFO', 'CONSUMERS', 'l', 'g'], ['LPUSH', 's', 'a'], ['GET', 's'], ['SADD', 's', 'a'], ['HSET', 's', 'a', 'b'], ['ZADD', 's', '1', 'a'],
    ['XADD', 'str', 'NOMKSTREAM', '*', 'a', 'b'], ['XGROUP', 'DESTROY', 'str', 'g'], ['XGROUP', 'HELP'],
  ])

  diff('keyspace: TYPE, SCAN TYPE, RENAME, COPY, DEL, EXPIRE', [
    ...fill('s', 3), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'], ['SET', 'x', 'y'],
    ['SCAN', '0', 'TYPE', 'stream'], ['RENAME', 's', 't'], ['EXISTS', 's'], ['XRANGE', 't', '-', '+'], ['XPENDING', 't', 'g'], ['XINFO', 'STREAM', 't'],
    ['COPY', 't', 'u'], ['XADD', 'u', '9-9', 'a', 'b'], ['XLEN', 't'], ['XLEN', 'u'], ['XPENDING', 'u', 'g'], ['XINFO', 'GROUPS', 'u'], ['DEL', 't'], ['EXISTS', 't'],
    ['XLEN', 't'], ['XADD', 't', '1-1', 'a', 'b'], ['XINFO', 'STREAM', 't'], ['PEXPIRE', 'u', '50'], ['__sleep', '120'], ['EXISTS', 'u'], ['XLEN', 'u'],
    ['XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM'], ['XTRIM', 'e', 'MAXLEN', '0'], ['EXISTS', 'e'], ['RENAME', 'e', 'f'], ['XINFO', 'GROUPS', 'f'], ['OBJECT', 'ENCODING', 'f'],
    ['SCAN', '0', 'TYPE', 'STREAM'],
  ], { sortedItems: [6, 33] })

  diff('MULTI with stream commands', [
    ['MULTI'], ['XADD', 's', '1-1', 'a', 'b'], ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'], ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], ['XADD', 's', '1-1', 'a', 'b'], ['XLEN', 's'], ['EXEC'],
  ])

  // ---------------------------------------------------------------- model-based

  const key = fc.constantFrom('s1', 's2')
  const id = fc.integer({ min: 0, max: 12 }).map((ms) => `${ms}`)
  const streamCommand = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(key, fc.integer({ min: 1, max: 40 }), fc.constantFrom('a', 'b')).map(([k, ms, f]): Step => ['XADD', k, `${ms}-*`, f, String(ms)]) },
    fc.tuple(key, id, id).map(([k, a, b]): Step => ['XDEL', k, `${a}-0`, `${b}-1`]),
    fc.tuple(key, fc.integer({ min: 0, max: 6 })).map(([k, n]): Step => ['XTRIM', k, 'MAXLEN', String(n)]),
    fc.tuple(key, id).map(([k, ms]): Step => ['XTRIM', k, 'MINID', ms]),
    fc.tuple(key, id, id).map(([k, a, b]): Step => ['XRANGE', k, a, b]),
    fc.tuple(key).map(([k]): Step => ['XRANGE', k, '-', '+']),
    fc.tuple(key).map(([k]): Step => ['XLEN', k]),
    fc.tuple(key, fc.constantFrom('g', 'h'), fc.constantFrom('0', '$', '5')).map(([k, g, at]): Step => ['XGROUP', 'CREATE', k, g, at, 'MKSTREAM']),
    { weight: 3, arbitrary: fc.tuple(key, fc.constantFrom('g', 'h'), fc.constantFrom('c1', 'c2'), fc.constantFrom('1', '2', '0'), fc.constantFrom('>', '>', '0')).map(([k, g, c, n, at]): Step => ['XREADGROUP', 'GROUP', g, c, 'COUNT', n, 'STREAMS', k, at]) },
    fc.tuple(key, fc.constantFrom('g', 'h'), id, id).map(([k, g, a, b]): Step => ['XACK', k, g, `${a}-0`, `${b}-1`]),
    fc.tuple(key, fc.constantFrom('g', 'h')).map(([k, g]): Step => ['XPENDING', k, g]),
    fc.tuple(key).map(([k]): Step => ['DEL', k]),
  )
  model('random stream scripts over two keys', streamCommand, { runs: 60, maxCommands: 40 })
})

// -------------------------------------------------------------------- masked and multi-client

describe('differential: streams, time-dependent replies and blocking', function () {
  this.timeout(120000)
  const servers: Array<ServerProcess | Marekvs> = []
  before(async () => {
    servers.push(await startRedis(), await startMarekvs())
  })
  after(() => Promise.all(servers.map((server) => server.stop())))

  /** Run steps on both servers (FLUSHALL first), mask clock-dependent values, compare. */
  function masked(title: string, steps: Step[], proto: 2 | 3 = 2, typeOnly: number[] = []): void {
    it(title, async () => {
      const seen: Array<Array<Decoded | null>> = []
      for (const server of servers) {
        await runSteps(server.port, [['FLUSHALL']])
        seen.push((await runSteps(server.port, steps, proto)).map((reply) => (reply === null ? null : mask(reply))))
      }
      compareReplies(steps, seen[0], seen[1], { typeOnly })
    })
  }

  masked('XPENDING extended form: ranges, COUNT, IDLE, consumer filter', [
    ...fill('s', 6), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '3', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g', '-', '+', '10'], ['XPENDING', 's', 'g', '-', '+', '2'],
    ['XPENDING', 's', 'g', '(2-1', '(5-1', '10'], ['XPENDING', 's', 'g', '-', '+', '10', 'b'], ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
    ['XPENDING', 's', 'g', '-', '+', '0'], ['XPENDING', 's', 'g', '-', '+', '-3'], ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10', 'a'],
    ['XPENDING', 's', 'g', 'IDLE', '100000', '-', '+', '10'], ['__sleep', '20'], ['XPENDING', 's', 'g', 'IDLE', '5', '-', '+', '10'], ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '10'],
    ['XPENDING', 's', 'g', 'IDLE', '10', '-', '+'], ['XPENDING', 's', 'g', '-', '+'], ['XPENDING', 's', 'g', '-'], ['XPENDING', 's', 'g', '-', '+', 'x'],
    ['XPENDING', 's', 'g', 'x', '+', '1'], ['XPENDING', 's', 'g', '-', '+', '1', 'a', 'b'], ['XPENDING', 's', 'g', 'IDLE', '1', '-', '+', '1', 'a', 'b'],
    ['XPENDING', 's', 'nog', '-', '+', '1'], ['XPENDING', 's', 'g', '(18446744073709551615-18446744073709551615', '+', '1'], ['XPENDING', 's', 'g', '-', '(0-0', '1'],
  ])

  masked('XCLAIM: idle threshold, IDLE/TIME, RETRYCOUNT, FORCE, JUSTID, LASTID, deleted entries', [
    ...fill('s', 6), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '4', 'STREAMS', 's', '>'], ['__sleep', '30'],
    ['XCLAIM', 's', 'g', 'b', '0', '1-1'], ['XCLAIM', 's', 'g', 'b', '3600000', '2-1'], ['XCLAIM', 's', 'g', 'b', '10', '2-1', 'JUSTID'],
    ['XCLAIM', 's', 'g', 'c', '0', '3-1', 'RETRYCOUNT', '7', 'IDLE', '5000'], ['XPENDING', 's', 'g', '-', '+', '10'], ['XCLAIM', 's', 'g', 'c', '0', '4-1', 'TIME', '1'],
    ['XCLAIM', 's', 'g', 'c', '0', '5-1'], ['XCLAIM', 's', 'g', 'c', '0', '5-1', 'FORCE'], ['XCLAIM', 's', 'g', 'd', '0', '6-1', '9-9', 'FORCE', 'JUSTID'],
    ['XPENDING', 's', 'g', '-', '+', '10'], ['XDEL', 's', '1-1'], ['XCLAIM', 's', 'g', 'c', '0', '1-1', '2-1'], ['XPENDING', 's', 'g'],
    ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'LASTID', '6-1'], ['XINFO', 'GROUPS', 's'], ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'LASTID', '3-1'], ['XINFO', 'GROUPS', 's'],
    ['XCLAIM', 's', 'g', 'c', 'x', '2-1'], ['XCLAIM', 's', 'g', 'c', '-5', '2-1'], ['XCLAIM', 's', 'g', 'c', '0', 'FOO'], ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'IDLE', 'x'],
    ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'TIME', 'x'], ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'RETRYCOUNT', 'x'], ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'LASTID', 'x'],
    ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'IDLE'], ['XCLAIM', 's', 'nog', 'c', '0', '2-1'], ['XCLAIM', 'nokey', 'g', 'c', '0', '2-1'], ['XCLAIM', 's', 'g', 'c', '0', '2-1', 'FORCE', '3-1'],
    ['XCLAIM', 's', 'g', 'c', '0', 'FORCE'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XPENDING', 's', 'g'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'], ['XPENDING', 's', 'g'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
  ])

  masked('XAUTOCLAIM: cursor, COUNT, JUSTID, deleted IDs', [
    ...fill('s', 8), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>'], ['XDEL', 's', '2-1', '5-1'],
    ['XAUTOCLAIM', 's', 'g', 'b', '0', '0', 'COUNT', '3'], ['XAUTOCLAIM', 's', 'g', 'b', '0', '4-1', 'COUNT', '2', 'JUSTID'], ['XAUTOCLAIM', 's', 'g', 'b', '0', '(6-1'],
    ['XAUTOCLAIM', 's', 'g', 'c', '3600000', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '1'], ['XPENDING', 's', 'g', '-', '+', '10'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', 'x'], ['XAUTOCLAIM', 's', 'g', 'c', 'x', '0'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', 'x'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'FOO'], ['XAUTOCLAIM', 's', 'nog', 'c', '0', '0'], ['XAUTOCLAIM', 'nokey', 'g', 'c', '0', '0'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', '(18446744073709551615-18446744073709551615'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '-', 'COUNT', '1000'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
  ])

  for (const proto of [2, 3] as const) {
    masked(`XINFO STREAM FULL, GROUPS and CONSUMERS (RESP${proto})`, [
      ...fill('s', 4), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'h', '$'], ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '>'], ['XGROUP', 'CREATECONSUMER', 's', 'h', 'z'], ['XINFO', 'STREAM', 's'], ['XINFO', 'STREAM', 's', 'FULL'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1'], ['XINFO', 'GROUPS', 's'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'h'], ['XINFO', 'HELP'],
      ['XPENDING', 's', 'g', '-', '+', '5'], ['XPENDING', 's', 'g'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '1'],
    ], proto)
  }

  // -------------------------------------------------------------- blocking, several clients

  const scenario = scenarioRunner(() => servers)

  scenario('XREAD BLOCK is served by XADD', 2, async ([a, b]) => {
    a.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '0'])
    await sleep(100)
    const added = await b.call('XADD', 's', '1-1', 'f', 'v')
    return [added, await a.read()]
  })

  scenario('$ means entries added after the command arrived, even across retries', 3, async ([a, b, writer]) => {
    await writer.call('XADD', 's', '1-1', 'old', 'x')
    a.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '$'])
    await sleep(100)
    // Another stream's key wakes nobody here; a second XADD after a first retry must still be seen as new.
    b.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 'other', 's', '$', '$'])
    await sleep(100)
    const first = await writer.call('XADD', 's', '2-1', 'new', 'y')
    const gotA = await a.read()
    const gotB = await b.read()
    return [first, gotA, gotB, await writer.call('XREAD', 'STREAMS', 's', '$')]
  })

  scenario('XREAD $ on a missing key, then the stream is created', 2, async ([a, b]) => {
    a.send(['XREAD', 'COUNT', '1', 'BLOCK', '5000', 'STREAMS', 'nokey', '$'])
    await sleep(100)
    await b.call('XADD', 'nokey', '3-1', 'a', '1', 'b', '2')
    await b.call('XADD', 'nokey', '3-2', 'a', '1')
    return [await a.read()]
  })

  scenario('XREAD BLOCK: served in blocking order, each with the new entries', 4, async ([a, b, c, writer]) => {
    a.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '$'])
    await sleep(50)
    b.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '0'])
    await sleep(50)
    c.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 'x', 's', '0', '$'])
    await sleep(50)
    await writer.call('XADD', 's', '5-1', 'a', '1')
    return [await a.read(), await b.read(), await c.read()]
  })

  scenario('XREAD BLOCK times out with a nil array; BLOCK 0 waits until served', 2, async ([a, b]) => {
    const started = Date.now()
    const reply = await a.call('XREAD', 'BLOCK', '200', 'STREAMS', 's', '$')
    const elapsed = Date.now() - started
    a.send(['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'])
    await sleep(300)
    await b.call('XADD', 's', '1-1', 'k', 'v')
    return [reply, elapsed >= 150 && elapsed < 2000, await a.read()]
  })

  scenario('XREADGROUP BLOCK with >: one consumer per new entry, first come first served', 4, async ([a, b, c, writer]) => {
    await writer.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
    a.send(['XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '5000', 'STREAMS', 's', '>'])
    await sleep(50)
    b.send(['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'BLOCK', '5000', 'STREAMS', 's', '>'])
    await sleep(50)
    c.send(['XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'BLOCK', '5000', 'STREAMS', 's', '>'])
    await sleep(50)
    await writer.call('XADD', 's', '1-1', 'job', '1')
    const gotA = await a.read()
    await writer.call('XADD', 's', '2-1', 'job', '2')
    const gotB = await b.read()
    await writer.call('XADD', 's', '3-1', 'job', '3')
    return [gotA, gotB, await c.read(), await writer.call('XPENDING', 's', 'g'), await writer.call('XINFO', 'GROUPS', 's')].map((reply) => mask(reply as Decoded))
  })

  scenario('XREADGROUP BLOCK: a destroyed group or a deleted stream answers an error', 3, async ([a, b, writer]) => {
    await writer.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
    await writer.call('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM')
    a.send(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '5000', 'STREAMS', 's', '>'])
    b.send(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '5000', 'STREAMS', 't', '>'])
    await sleep(100)
    const destroyed = await writer.call('XGROUP', 'DESTROY', 's', 'g')
    const deleted = await writer.call('DEL', 't')
    return [destroyed, await a.read(), deleted, await b.read()]
  })

  scenario('XGROUP SETID does not wake a blocked XREADGROUP; a timeout answers nil', 2, async ([a, writer]) => {
    await writer.call('XADD', 's', '1-1', 'a', '1')
    await writer.call('XGROUP', 'CREATE', 's', 'g', '$')
    a.send(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '300', 'STREAMS', 's', '>'])
    await sleep(100)
    return [await writer.call('XGROUP', 'SETID', 's', 'g', '0'), await a.read(), await writer.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '100', 'STREAMS', 's', '>')]
  })

  scenario('inside MULTI XREAD BLOCK does not block', 1, async ([a]) => {
    return [await a.call('MULTI'), await a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), await a.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'),
      await a.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'), await a.call('EXEC')]
  })

  scenario('XADD inside MULTI wakes a blocked reader when EXEC commits; pipelined commands wait', 2, async ([a, b]) => {
    a.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '$'])
    a.send(['XLEN', 's'])
    await sleep(100)
    await b.call('MULTI')
    await b.call('XADD', 's', '1-1', 'a', '1')
    await b.call('XADD', 's', '1-2', 'a', '2')
    return [await b.call('EXEC'), await a.read(), await a.read()]
  })

  scenario('RESP3: a map when served, null on timeout', 2, async ([a, b]) => {
    await a.call('HELLO', '3')
    a.send(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '$'])
    await sleep(100)
    await b.call('XADD', 's', '7-7', 'x', 'y')
    const served = await a.read()
    return [served, await a.call('XREAD', 'BLOCK', '50', 'STREAMS', 's', '$'), await a.call('XREADGROUP', 'GROUP', 'nog', 'c', 'BLOCK', '50', 'STREAMS', 's', '>')]
  })

  scenario('a client that disconnects while blocked in XREADGROUP takes nothing', 2, async ([a, b]) => {
    await b.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
    a.send(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'])
    await sleep(100)
    a.close()
    await sleep(100)
    await b.call('XADD', 's', '1-1', 'a', '1')
    await sleep(100)
    return [await b.call('XPENDING', 's', 'g')]
  })
})
