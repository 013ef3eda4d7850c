// The embedding API: the engine in-process, no port.
//   const db = await open({ dataDir: './data' })
//   await db.call('SET', 'k', 'v')   // 'OK'
//   await db.close()
import os from 'node:os'
import { configFromOptions, HostFacts } from '../config'
import { MarekNode, InternalSession } from '../node'
import { ReplyError, shape, Value } from './shape'

export { ReplyError }
export type { Value }

/** The settings of the environment variables, camel-cased (dataDir, shards, fsync, requirepass...). */
export type OpenOptions = Record<string, unknown>

export type Argument = string | Buffer | number | bigint

export class Database {
  private readonly session: InternalSession
  private closed = false

  /** @internal */
  constructor(private readonly node: MarekNode) {
    this.session = new InternalSession(node.newClientId(), true)
  }

  /** Run a command; bulk strings come back as strings. Error replies reject with ReplyError. */
  call(command: string, ...args: Argument[]): Promise<Value> {
    return this.run(command, args, false)
  }

  /** As call, with bulk strings as Buffers. */
  callBuffer(command: string, ...args: Argument[]): Promise<Value> {
    return this.run(command, args, true)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.node.stop()
  }

  private async run(command: string, args: Argument[], asBuffers: boolean): Promise<Value> {
    if (this.closed) throw new Error('database is closed')
    const argv = [Buffer.from(command), ...args.map(toBuffer)]
    const value = shape(await this.node.call(argv, this.session), asBuffers)
    if (value instanceof ReplyError) throw value
    return value
  }
}

function toBuffer(arg: Argument): Buffer {
  if (Buffer.isBuffer(arg)) return arg
  if (typeof arg === 'string') return Buffer.from(arg)
  if (typeof arg === 'number' || typeof arg === 'bigint') return Buffer.from(String(arg))
  throw new TypeError(`command arguments must be strings, Buffers or numbers, got ${typeof arg}`)
}

export function hostFacts(): HostFacts {
  return { hostname: os.hostname(), cpus: os.availableParallelism(), interfaces: os.networkInterfaces() as HostFacts['interfaces'] }
}

export async function open(options: OpenOptions = {}): Promise<Database> {
  const result = configFromOptions({ metricsAddr: null, ...options }, hostFacts())
  if (!result.ok) throw new Error(`invalid options: ${result.errors.join('; ')}`)
  const node = await MarekNode.open(result.config)
  node.startReplication()
  return new Database(node)
}
