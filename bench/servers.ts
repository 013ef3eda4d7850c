// Start and stop the two servers under test, read their CPU time, and load a
// keyspace into them. Each server runs in its own temp dir on a free loopback port.
import { spawn, ChildProcess, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Profile } from './workloads'

export type ServerKind = 'redis' | 'marekvs'

export interface Server {
  kind: ServerKind
  port: number
  dataDir: string
  child: ChildProcess
  /** Set once the process has exited (code or signal), so a dead server is noticed between runs. */
  exited: string | null
  /** The tail of its stderr/stdout, for error messages. */
  log: string[]
}

const START_TIMEOUT_MS = 30_000 // RocksDB open and worker start-up on a slow disk
const STOP_TIMEOUT_MS = 15_000 // marekvs lets clients finish, then closes RocksDB
const LOG_LINES_MAX = 50
const CLK_TCK = clockTicks()

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

export interface StartOptions {
  kind: ServerKind
  profile: Profile
  /** Repository root: marekvs runs as `node bin/marekvs-server` from there. */
  repoRoot: string
  /** Extra node flags for marekvs, e.g. ['--cpu-prof']. */
  nodeArgs?: string[]
  /** Extra environment for marekvs, over the bench's own settings. */
  env?: Record<string, string>
}

export async function startServer(options: StartOptions): Promise<Server> {
  const port = await freePort()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `marekvs-bench-${options.kind}-`))
  let child: ChildProcess
  if (options.kind === 'redis') {
    child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
      '--appendonly', 'yes', '--appendfsync', options.profile.redisAppendfsync, '--save', '',
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
  } else {
    const [meshPort, gossipPort] = [await freePort(), await freePort()]
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'bin/marekvs-server'], {
      cwd: options.repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        MAREKVS_DATA_DIR: dataDir,
        MAREKVS_RESP_ADDR: `127.0.0.1:${port}`,
        MAREKVS_MESH_ADDR: `127.0.0.1:${meshPort}`,
        MAREKVS_GOSSIP_ADDR: `127.0.0.1:${gossipPort}`,
        MAREKVS_METRICS_ADDR: 'off',
        MAREKVS_FSYNC: options.profile.marekvsFsync,
        RUST_LOG: 'warn',
        ...options.env,
      },
    })
  }
  const server: Server = { kind: options.kind, port, dataDir, child, exited: null, log: [] }
  const keep = (chunk: Buffer) => {
    server.log.push(...chunk.toString().split('\n').filter((line) => line.trim() !== ''))
    if (server.log.length > LOG_LINES_MAX) server.log.splice(0, server.log.length - LOG_LINES_MAX)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  child.on('exit', (code, signal) => { server.exited = signal ?? `exit code ${code}` })
  child.on('error', (err) => { server.exited = err.message })
  try {
    await waitForPing(server)
  } catch (err) {
    await stopServer(server)
    throw err
  }
  return server
}

async function waitForPing(server: Server): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (server.exited !== null) throw new Error(`${server.kind} exited while starting (${server.exited}): ${server.log.slice(-5).join(' | ')}`)
    if (await pingOnce(server.port)) return
    if (Date.now() > deadline) throw new Error(`${server.kind} did not answer PING within ${START_TIMEOUT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let input = ''
    const done = (ok: boolean) => { socket.destroy(); resolve(ok) }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'))
    socket.on('data', (chunk) => {
      input += chunk.toString()
      if (input.includes('\r\n')) done(input.startsWith('+PONG'))
    })
  })
}

/** SIGTERM, then SIGKILL after a grace period; removes the data dir. Never throws. */
export async function stopServer(server: Server): Promise<void> {
  if (server.exited === null) {
    const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()))
    server.child.kill('SIGTERM')
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref())
    if (await Promise.race([exited, timer]) === 'timeout') {
      server.child.kill('SIGKILL')
      await exited
    }
  }
  fs.rmSync(server.dataDir, { recursive: true, force: true })
}

/**
 * User plus system CPU seconds of the whole process so far: /proc/<pid>/stat
 * of the main thread counts every thread of the process (marekvs's shard
 * workers and RocksDB's background threads included).
 */
export function cpuSeconds(server: Server): number {
  const stat = fs.readFileSync(`/proc/${server.child.pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11]) // field 14 overall
  const stime = Number(fields[12]) // field 15
  return (utime + stime) / CLK_TCK
}

const LOAD_BATCH = 2000 // commands per write; bounds the memory of one round trip

/**
 * SET key:000000000000 .. key:<count-1> (redis-benchmark's -r key names) to a
 * value of valueBytes, in pipelined batches. Rejects on the first error reply.
 */
export function loadKeyspace(port: number, count: number, valueBytes: number): Promise<void> {
  const value = 'x'.repeat(valueBytes)
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let next = 0
    let pending = 0
    let carry = ''
    const fail = (err: Error) => { socket.destroy(); reject(err) }
    const sendBatch = () => {
      const parts: string[] = []
      const end = Math.min(count, next + LOAD_BATCH)
      for (; next < end; next++) {
        const key = `key:${String(next).padStart(12, '0')}`
        parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`)
      }
      pending = parts.length
      socket.write(parts.join(''))
    }
    socket.setTimeout(60_000, () => fail(new Error('keyspace load: no reply for 60 s')))
    socket.on('error', fail)
    socket.on('connect', sendBatch)
    socket.on('data', (chunk) => {
      // SET replies are one line each (+OK or -ERR ...).
      const lines = (carry + chunk.toString()).split('\r\n')
      carry = lines.pop()!
      for (const line of lines) {
        if (line.startsWith('-')) return fail(new Error(`keyspace load: ${line.slice(1)}`))
        pending--
      }
      if (pending > 0) return
      if (next < count) return sendBatch()
      socket.end()
      resolve()
    })
  })
}
