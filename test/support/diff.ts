// Differential tests: the same script of commands against a real redis-server and a real
// marekvs, replies decoded with their exact RESP types and compared.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Decoded, encodeCommand, RawClient } from './resp'
import { Marekvs, ServerProcess, startMarekvs, startRedis } from './servers'

/** A command, or ['__sleep', ms] to wait between steps. */
export type Step = ReadonlyArray<string | Buffer>

export interface DiffOptions {
  /** Step indexes whose array replies are compared as sorted multisets (unordered replies). */
  sorted?: number[]
  /** Step indexes whose reply is [cursor, items] with items compared as a sorted multiset (HSCAN...). */
  sortedItems?: number[]
  /** Step indexes compared by reply type (and array length) only (random or time-dependent replies). */
  typeOnly?: number[]
  /** Step indexes whose integer replies may differ by 2 or 2% (TTLs). */
  approx?: number[]
  /** Speak RESP3 (HELLO 3 first, its reply not compared). */
  proto?: 2 | 3
  /** Applied to both servers' replies before they are compared (orders that Redis leaves to its hash tables). */
  normalize?: (reply: Decoded, step: Step) => Decoded
}

export type Diff = (title: string, steps: Step[], options?: DiffOptions) => void

export async function runSteps(port: number, steps: Step[], proto: 2 | 3 = 2): Promise<Array<Decoded | null>> {
  const client = await RawClient.connect(port)
  try {
    if (proto === 3) await client.call('HELLO', '3')
    const replies: Array<Decoded | null> = []
    for (const step of steps) {
      if (step[0] === '__sleep') {
        await new Promise((resolve) => setTimeout(resolve, Number(step[1])))
        replies.push(null)
      } else {
        replies.push(await client.call(...step))
      }
    }
    return replies
  } finally {
    client.close()
  }
}

/** Every step written at once, so marekvs runs them in one batch (through its batch overlay). */
export async function runPipelined(port: number, steps: Step[], proto: 2 | 3 = 2): Promise<Decoded[]> {
  const client = await RawClient.connect(port)
  try {
    if (proto === 3) await client.call('HELLO', '3')
    client.sendRaw(Buffer.concat(steps.map((step) => encodeCommand(step))))
    const replies: Decoded[] = []
    for (let i = 0; i < steps.length; i++) replies.push(await client.read())
    return replies
  } finally {
    client.close()
  }
}

export interface ServerPair {
  readonly redis: ServerProcess
  readonly marekvs: Marekvs
}

/** A redis-server and a marekvs for the enclosing describe block: started before its tests, stopped after them. */
export function serverPair(marekvsEnv: Record<string, string> = {}): ServerPair {
  const pair = {} as { redis: ServerProcess; marekvs: Marekvs }
  before(async () => {
    ;[pair.redis, pair.marekvs] = await Promise.all([startRedis(), startMarekvs({ env: marekvsEnv })])
  })
  after(async () => {
    await Promise.all([pair.redis?.stop(), pair.marekvs?.stop()])
  })
  return pair
}

function canonical(reply: Decoded): string {
  return JSON.stringify(reply, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value))
}

function sortedReply(reply: Decoded): Decoded {
  if ('value' in reply && Array.isArray(reply.value)) {
    return { ...reply, value: [...reply.value].sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0)) } as Decoded
  }
  return reply
}

function sortedItems(reply: Decoded): Decoded {
  if ('value' in reply && Array.isArray(reply.value) && reply.value.length === 2) {
    return { ...reply, value: [reply.value[0], sortedReply(reply.value[1])] } as Decoded
  }
  return reply
}

function shapeOf(reply: Decoded): unknown {
  return 'value' in reply && Array.isArray(reply.value) ? { type: reply.type, length: reply.value.length } : { type: reply.type }
}

export function compareReplies(steps: Step[], expected: Array<Decoded | null>, actual: Array<Decoded | null>, options: DiffOptions = {}): void {
  const normalize = options.normalize ?? ((reply: Decoded) => reply)
  for (let i = 0; i < steps.length; i++) {
    if (expected[i] === null || actual[i] === null) continue
    const want = normalize(expected[i]!, steps[i])
    const got = normalize(actual[i]!, steps[i])
    const where = `step ${i}: ${steps[i].map(String).join(' ').slice(0, 200)}`
    if (options.typeOnly?.includes(i)) {
      assert.deepEqual(shapeOf(got), shapeOf(want), where)
    } else if (options.approx?.includes(i) && want.type === 'int' && got.type === 'int') {
      const slack = want.value < 0n ? 0n : 2n + want.value / 50n
      const delta = got.value > want.value ? got.value - want.value : want.value - got.value
      assert.ok(delta <= slack, `${where}: ${got.value} not within ${slack} of ${want.value}`)
    } else if (options.sorted?.includes(i)) {
      assert.deepEqual(sortedReply(got), sortedReply(want), where)
    } else if (options.sortedItems?.includes(i)) {
      assert.deepEqual(sortedItems(got), sortedItems(want), where)
    } else {
      assert.deepEqual(got, want, where)
    }
  }
}

/**
 * A mocha suite with one redis-server and one marekvs for all its cases; each case starts
 * from FLUSHALL on both and must get the same replies from both.
 */
/** Replays random command sequences against both servers (a model-based test with redis-server as the model). */
export type Model = (title: string, commands: fc.Arbitrary<Step>, options?: ModelOptions) => void

export interface ModelOptions {
  /** Commands whose array replies are unordered. */
  unordered?: (step: Step) => boolean
  /** Commands compared by reply type only (random replies). */
  random?: (step: Step) => boolean
  runs?: number
  maxCommands?: number
  proto?: 2 | 3
}

export function diffSuite(name: string, body: (diff: Diff, model: Model) => void, marekvsEnv: Record<string, string> = {}): void {
  describe(`differential: ${name}`, function () {
    this.timeout(60000)
    const servers = serverPair(marekvsEnv)
    const check = async (steps: Step[], options: DiffOptions): Promise<void> => {
      const { redis, marekvs } = servers
      await Promise.all([runSteps(redis.port, [['FLUSHALL']]), runSteps(marekvs.port, [['FLUSHALL']])])
      const [expected, actual] = await Promise.all([
        runSteps(redis.port, steps, options.proto),
        runSteps(marekvs.port, steps, options.proto),
      ])
      compareReplies(steps, expected, actual, options)
    }
    const diff: Diff = (title, steps, options = {}) => {
      it(title, () => check(steps, options))
    }
    const model: Model = (title, commands, options = {}) => {
      it(title, async () => {
        const indexes = (steps: Step[], pick?: (step: Step) => boolean): number[] =>
          pick === undefined ? [] : steps.flatMap((step, i) => (pick(step) ? [i] : []))
        await fc.assert(fc.asyncProperty(fc.array(commands, { minLength: 1, maxLength: options.maxCommands ?? 30 }), (steps) =>
          check(steps, { proto: options.proto, sorted: indexes(steps, options.unordered), typeOnly: indexes(steps, options.random) })), { numRuns: options.runs ?? 40 })
      }).timeout(180000)
    }
    body(diff, model)
  })
}

/** What several clients saw in one scenario (each client is closed afterwards). */
export type Scenario = (clients: RawClient[]) => Promise<unknown[]>

/**
 * Scenarios with several clients (blocking commands, pub/sub-like interplay): each runs on every
 * server in turn, on fresh connections after FLUSHALL, and every server must give the same result.
 */
export function scenarioRunner(servers: () => ReadonlyArray<{ readonly port: number }>): (title: string, clients: number, body: Scenario) => void {
  return (title, clients, body) => {
    it(title, async () => {
      const seen: unknown[][] = []
      for (const server of servers()) {
        const connected = await Promise.all(Array.from({ length: clients }, () => RawClient.connect(server.port)))
        try {
          await connected[0].call('FLUSHALL')
          seen.push(await body(connected))
        } finally {
          for (const client of connected) client.close()
        }
      }
      for (const other of seen.slice(1)) assert.deepEqual(other, seen[0])
    })
  }
}
