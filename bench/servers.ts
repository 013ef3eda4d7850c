// Start and stop the two servers under test, read their CPU time, and load a
// keyspace into them. Each server runs in its own temp dir on a free loopback port.
import { spawn, ChildProcess, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Profile } from './workloads'

export type ServerKind = 'redis' | 'marekvs'

/** What the suite sets for every marekvs it starts; other MAREKVS_* settings come from its own environment. */
const SET_BY_SUITE = new Set(['MAREKVS_DATA_DIR', 'MAREKVS_RESP_ADDR', 'MAREKVS_MESH_ADDR', 'MAREKVS_GOSSIP_ADDR', 'MAREKVS_METRICS_ADDR', 'MAREKVS_FSYNC'])

/** The MAREKVS_* settings marekvs inherits from `env` (the suite's environment), by name: recorded with the results. */
export function inheritedMarekvsEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const inherited: Record<string, string> = {}
  for (const name of Object.keys(env).sort()) {
    const value = env[name]
    if (name.startsWith('MAREKVS_') && !SET_BY_SUITE.has(name) && value !== undefined && value !== '') inherited[name] = value
  }
  return inherited
}

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

/**
 * Waits until the server's process uses under `share` of a core over a window of `windowMs`
 * (marekvs: its compactions are done; Redis: its AOF rewrite), or `timeoutMs` passed.
 * Returns the seconds waited and whether it went quiet.
 */
export async function waitQuiet(server: Server, share = 0.05, windowMs = 2000, timeoutMs = 600_000): Promise<{ seconds: number; quiet: boolean }> {
  const start = Date.now()
  for (;;) {
    const before = cpuSeconds(server)
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const busy = (cpuSeconds(server) - before) / (windowMs / 1000)
    const seconds = (Date.now() - start) / 1000
    if (busy < share) return { seconds, quiet: true }
    if (Date.now() - start > timeoutMs) return { seconds, quiet: false }
  }
}

/** Resident and peak resident set size of the process, from /proc/<pid>/status (all threads). */
export function memoryBytes(server: Server): { rssBytes: number; hwmBytes: number } {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssBytes: kib('VmRSS') * 1024, hwmBytes: kib('VmHWM') * 1024 }
}

/** The page cache, system-wide (Cached in /proc/meminfo). */
export function pageCacheBytes(): number {
  const meminfo = fs.readFileSync('/proc/meminfo', 'utf8')
  return Number(/^Cached:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? NaN) * 1024
}

/**
 * sync, then drop the page cache (and dentries and inodes), so the next reads
 * come from the disk. Needs root and a writable /proc/sys (not in every
 * container). Returns null on success, else why not. Note: it drops the
 * whole machine's cache, not only the servers'.
 */
export function dropPageCache(): string | null {
  try {
    execFileSync('sync')
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3')
    return null
  } catch (err) {
    return (err as Error).message.split('\n')[0]
  }
}

/** SCRIPT LOAD `script` into a server (redis-cli, from redis-tools). */
/** marekvs's write commands and WAL syncs so far (INFO persistence); null for Redis. */
export function walStats(server: Server): { commands: number; syncs: number } | null {
  if (server.kind !== 'marekvs') return null
  const info = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), 'INFO', 'persistence'], { encoding: 'utf8' })
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN)
  return { commands: field('marekvs_write_commands'), syncs: field('marekvs_wal_syncs') }
}

export function scriptLoad(server: Server, script: string): void {
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), 'SCRIPT', 'LOAD', script], { stdio: ['ignore', 'pipe', 'pipe'] })
}
