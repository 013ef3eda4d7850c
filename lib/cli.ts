// marekvs-server: configuration from the environment, a node with its listeners, signals.
import { parseConfig } from './config'
import { hostFacts } from './embed'
import { log } from './log'
import { MarekNode } from './node'

export async function main(): Promise<void> {
  const result = parseConfig(process.env, hostFacts())
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
