// marekvs-server: configuration from the environment, a node with its listeners, signals.
import { parseConfig } from './config'
import { hostFacts } from './embed'
import { log } from './log'
import { MarekNode } from './node'

/**
 * libuv's thread pool size for a server on `cpus` cores: one more than the cores, unless the
 * environment sets one. The pool reads the records of batches whose reads go to the disk, and
 * syncs the WAL. On two cores, three threads read ~4 % more cold GETs a second than libuv's
 * default four, at ~5 % less CPU each: fewer threads to wake and to switch between
 * (docs/performance.md, thirteenth round).
 */
export function threadPoolSize(env: NodeJS.ProcessEnv, cpus: number): string {
  return env.UV_THREADPOOL_SIZE ?? String(cpus + 1)
}

export async function main(): Promise<void> {
  const host = hostFacts()
  // Read by libuv when the pool first starts: nothing has queued work on it yet.
  process.env.UV_THREADPOOL_SIZE = threadPoolSize(process.env, host.cpus)
  const result = parseConfig(process.env, host)
  if (!result.ok) {
    for (const message of result.errors) process.stderr.write(`marekvs-server: ${message}\n`)
    process.exit(2)
  }
  const config = result.config
  let node: MarekNode
  try {
    node = await MarekNode.open(config)
    await node.listen()
  } catch (err) {
    process.stderr.write(`marekvs-server: cannot start: ${(err as Error).message}\n`)
    process.exit(1)
  }
  node.onStopped = () => process.exit(0)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info(`received ${signal}`)
      node.shutdown()
    })
  }
}
