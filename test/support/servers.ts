// Real server processes for integration tests: marekvs (bin/marekvs-server) and redis-server,
// each on a free loopback port with a temporary data directory.
import { ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { RawClient } from './resp'

export const ROOT = path.resolve(__dirname, '..', '..', '..')
export const SERVER_BIN = path.join(ROOT, 'bin', 'marekvs-server')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

export function tempDir(prefix = 'marekvs-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix))
}

async function waitForPing(port: number, proc: ChildProcess, output: () => string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} before it was ready:\n${output()}`)
    try {
      const client = await RawClient.connect(port)
      try {
        const reply = await client.call('PING')
        if (reply.type === 'status' || reply.type === 'error') return
      } finally {
        client.close()
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw new Error(`server on port ${port} not ready in ${timeoutMs} ms:\n${output()}`)
}

export interface ServerProcess {
  readonly port: number
  readonly proc: ChildProcess
  /** stdout and stderr so far. */
  output(): string
  /** Signal (default SIGTERM) and wait for the exit; resolves to the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export interface Marekvs extends ServerProcess {
  readonly dataDir: string
  readonly metricsPort: number
  readonly env: Record<string, string>
}

export interface MarekvsOptions {
  env?: Record<string, string>
  /** Reuse a data directory (restart tests); a fresh temp dir otherwise, removed by stop(). */
  dataDir?: string
  /** Serve metrics on a free loopback port (off otherwise). */
  metrics?: boolean
  /** Wrap the node in another command, e.g. ['strace', '-f', ...]. */
  wrapper?: string[]
  port?: number
}

function track(proc: ChildProcess): () => string {
  let text = ''
  proc.stdout?.on('data', (chunk) => (text += chunk))
  proc.stderr?.on('data', (chunk) => (text += chunk))
  return () => text
}

/**
 * Servers run in a process group of their own, signalled as a whole: a wrapper such as strace
 * would otherwise exit on SIGTERM and leave the server running.
 */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal)
  } catch {
    proc.kill(signal)
  }
}

function exitOf(proc: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode)
  return new Promise((resolve) => {
    const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 15000)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
    killGroup(proc, signal)
  })
}

export async function startMarekvs(options: MarekvsOptions = {}): Promise<Marekvs> {
  // A port found free can be taken before the server listens on it (another freePort of a
  // concurrent start, a client's ephemeral port): start again on fresh ports when one we chose was.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options)
    } catch (err) {
      const taken = /listen EADDRINUSE: address already in use 127\.0\.0\.1:(\d+)/.exec(String((err as Error).message))
      const ours = taken !== null && (err as PortTaken).chosen.includes(Number(taken[1]))
      if (!ours || attempt === 3) throw err
    }
  }
}

type PortTaken = Error & { chosen: number[] }

async function startOnce(options: MarekvsOptions): Promise<Marekvs> {
  const port = options.port ?? await freePort()
  const metricsPort = options.metrics ? await freePort() : 0
  const chosen = [options.port === undefined ? port : -1, metricsPort || -1]
  const ownDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? tempDir()
  const env: Record<string, string> = {
    MAREKVS_DATA_DIR: dataDir,
    MAREKVS_RESP_ADDR: `127.0.0.1:${port}`,
    MAREKVS_METRICS_ADDR: options.metrics ? `127.0.0.1:${metricsPort}` : 'off',
    RUST_LOG: 'warn',
    ...options.env,
  }
  const command = [...(options.wrapper ?? []), process.execPath, SERVER_BIN]
  const proc = spawn(command[0], command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const output = track(proc)
  try {
    await waitForPing(port, proc, output)
  } catch (err) {
    killGroup(proc, 'SIGKILL')
    if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    throw Object.assign(err as Error, { chosen })
  }
  return {
    port, metricsPort, dataDir, proc, env, output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const code = await exitOf(proc, signal)
      if (ownDir) rmSync(dataDir, { recursive: true, force: true })
      return code
    },
  }
}

let redisAvailable: boolean | undefined

export function hasRedisServer(): boolean {
  redisAvailable ??= spawnSync('redis-server', ['--version']).status === 0
  return redisAvailable
}

/** `port`: a fixed one (restart tests); a free one otherwise. */
export async function startRedis(args: string[] = [], port?: number): Promise<ServerProcess> {
  port ??= await freePort()
  const dir = tempDir('redis-test-')
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const output = track(proc)
  await waitForPing(port, proc, output)
  return {
    port, proc, output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const code = await exitOf(proc, signal)
      rmSync(dir, { recursive: true, force: true })
      return code
    },
  }
}
