// A load generator of our own, for what redis-benchmark cannot do: a GET/SET
// mix over a keyspace, transactions (MULTI; INCR; EXPIRE; EXEC), a fixed-rate
// (open-loop) latency run, and a fast bulk load. Plain net sockets, RESP
// pipelined per connection, N connections, one process. Keys are redis-benchmark's -r names (key:000000000042), so a
// keyspace loaded here serves redis-benchmark too and vice versa.
//
//   node dist/bench/loadgen.js --port 6379 --mode mixed --keyspace 1000000 --duration-ms 10000
//   node dist/bench/loadgen.js --port 6379 --mode multi --keyspace 100000 --duration-ms 10000
//   node dist/bench/loadgen.js --port 6379 --mode fixed --rate 20000 --duration-ms 10000
//   node dist/bench/loadgen.js --port 6379 --mode load --keyspace 20000000 --value-bytes 100
//
// prints one JSON LoadgenResult on stdout; progress and errors go to stderr.
//
// Fixed rate without coordinated omission: request i is due at
// start + i / rate whatever happened before it, and its latency is measured
// from that intended time, not from when it was written. A server (or client)
// stall then shows as the latency of every request that should have gone out
// during it, as a user arriving at that rate would see, instead of being
// hidden by a client that simply waited (Gil Tene's coordinated omission;
// wrk2 does the same).
import { spawn } from 'node:child_process'
import * as net from 'node:net'
import { performance } from 'node:perf_hooks'
import { Histogram } from './histogram'

/** multi: as mixed, each request a transaction, MULTI; INCR counter:<n>; EXPIRE counter:<n> 60; EXEC. */
export type LoadgenMode = 'mixed' | 'multi' | 'fixed' | 'load'

export interface LoadgenOptions {
  host: string
  port: number
  mode: LoadgenMode
  connections: number
  /** mixed, multi and load: requests (multi: transactions; load: SETs) in flight per connection. */
  pipeline: number
  /** mixed and fixed: the share of GETs, the rest SETs (0.9 = 90:10; 1 = GETs only). */
  getRatio: number
  /** Keys key:000000000000 .. keyspace-1 (multi: counter:...); load writes all of them. */
  keyspace: number
  valueBytes: number
  /** mixed and fixed: measured duration, after the warm-up. */
  durationMs: number
  warmupMs: number
  /** fixed: requests per second, over all connections. */
  rate: number
  seed: number
}

export const DEFAULTS: LoadgenOptions = {
  host: '127.0.0.1', port: 6379, mode: 'mixed', connections: 50, pipeline: 1, getRatio: 0.9,
  keyspace: 1_000_000, valueBytes: 3, durationMs: 10_000, warmupMs: 0, rate: 10_000, seed: 1,
}

export interface LatencySummaryUs { count: number; p50: number; p90: number; p99: number; p999: number; max: number; mean: number }

export interface LoadgenResult {
  mode: LoadgenMode
  /** Replies received in the measured window (multi: transactions answered; load: keys written). */
  ops: number
  elapsedMs: number
  opsPerS: number
  gets: number
  /** SETs sent (multi: transactions). */
  sets: number
  /** GET replies with a value, and nil ones. */
  hits: number
  misses: number
  errors: number
  firstError: string | null
  /** Replies per whole second of the measured window. */
  perSecond: number[]
  /** fixed: latency from each request's intended send time. */
  latencyUs?: LatencySummaryUs
  /** fixed: how late the client wrote each request after its intended time (its own share of latencyUs). */
  sendLagUs?: LatencySummaryUs
  /** fixed: latency from each request's actual write (latencyUs less the client's send lag). */
  serviceUs?: LatencySummaryUs
  /** fixed: requests still unanswered DRAIN_MS after the last was due (recorded with the latency they had by then). */
  unanswered?: number
  /** fixed: the rate asked for. */
  rate?: number
}

// ---------------------------------------------------------------------------
// Commands and replies

const KEY_DIGITS = 12 // redis-benchmark's -r key names: key:%012d
const CRLF = 0x0d0a

function keyHeader(command: 'GET' | 'SET'): string {
  return `*${command === 'GET' ? 2 : 3}\r\n$3\r\n${command}\r\n$${4 + KEY_DIGITS}\r\nkey:`
}
const GET_HEAD = Buffer.from(keyHeader('GET'))
const SET_HEAD = Buffer.from(keyHeader('SET'))
export const GET_BYTES = GET_HEAD.length + KEY_DIGITS + 2

export function setBytes(valueBytes: number): number {
  return SET_HEAD.length + KEY_DIGITS + 2 + `$${valueBytes}\r\n`.length + valueBytes + 2
}

export function keyName(index: number): string {
  return `key:${String(index).padStart(KEY_DIGITS, '0')}`
}

function writeDigits(buf: Buffer, offset: number, index: number): void {
  for (let i = offset + KEY_DIGITS - 1; i >= offset; i--) {
    buf[i] = 0x30 + (index % 10)
    index = Math.floor(index / 10)
  }
}

/** Append `GET key:<index>` at offset; returns the new offset. */
export function encodeGet(buf: Buffer, offset: number, index: number): number {
  GET_HEAD.copy(buf, offset)
  offset += GET_HEAD.length
  writeDigits(buf, offset, index)
  buf.writeUInt16BE(CRLF, offset + KEY_DIGITS)
  return offset + KEY_DIGITS + 2
}

/** Append `SET key:<index> <value>` at offset; returns the new offset. */
export function encodeSet(buf: Buffer, offset: number, index: number, value: Buffer): number {
  SET_HEAD.copy(buf, offset)
  offset += SET_HEAD.length
  writeDigits(buf, offset, index)
  buf.writeUInt16BE(CRLF, offset + KEY_DIGITS)
  offset += KEY_DIGITS + 2
  offset += buf.write(`$${value.length}\r\n`, offset, 'latin1')
  value.copy(buf, offset)
  buf.writeUInt16BE(CRLF, offset + value.length)
  return offset + value.length + 2
}

/** Append `MULTI; INCR counter:<index>; EXPIRE counter:<index> 60; EXEC` at offset; returns the new offset. */
export function encodeTransaction(buf: Buffer, offset: number, index: number): number {
  const key = `counter:${String(index).padStart(KEY_DIGITS, '0')}`
  const text = `*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$${key.length}\r\n${key}\r\n` +
    `*3\r\n$6\r\nEXPIRE\r\n$${key.length}\r\n${key}\r\n$2\r\n60\r\n*1\r\n$4\r\nEXEC\r\n`
  return offset + buf.write(text, offset, 'latin1')
}
export const TRANSACTION_BYTES = encodeTransaction(Buffer.alloc(256), 0, 0)
/** What a transaction is answered: +OK, +QUEUED, +QUEUED, then EXEC's array. */
const TRANSACTION_REPLIES = 4

/**
 * Counts complete replies in a stream of simple strings, errors, integers,
 * bulk strings (what GET and SET answer) and arrays of them (EXEC's), across
 * chunk boundaries. An array counts once, when its last element is in.
 */
export class ReplyCounter {
  hits = 0
  misses = 0
  errors = 0
  firstError: string | null = null
  /** Bytes of a bulk body (with its CRLF) still to skip. */
  private bodyLeft = 0
  /** The start of a line split across chunks. */
  private partial: Buffer | null = null
  /** Elements still to come of each array being read, the innermost last. */
  private readonly open: number[] = []

  /** An element or a whole reply is in: 1 when that completes a top-level reply. */
  private complete(): number {
    while (this.open.length > 0) {
      if (--this.open[this.open.length - 1] > 0) return 0
      this.open.pop()
    }
    return 1
  }

  /** Consume a chunk; returns how many replies it completed. */
  feed(chunk: Buffer): number {
    let data = chunk
    if (this.partial !== null) {
      data = Buffer.concat([this.partial, chunk])
      this.partial = null
    }
    let done = 0
    let at = 0
    const end = data.length
    while (at < end) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, end - at)
        this.bodyLeft -= take
        at += take
        if (this.bodyLeft === 0) { this.hits++; done += this.complete() }
        continue
      }
      const nl = data.indexOf(0x0a, at)
      if (nl < 0) {
        this.partial = data.subarray(at)
        break
      }
      const type = data[at]
      if (type === 0x24) { // $: bulk string
        const length = parseInt(data.toString('latin1', at + 1, nl - 1), 10)
        if (length < 0) { this.misses++; done += this.complete() } else this.bodyLeft = length + 2
      } else if (type === 0x2b || type === 0x3a) { // + and :
        done += this.complete()
      } else if (type === 0x2d) { // -
        this.errors++
        this.firstError ??= data.toString('latin1', at + 1, nl - 1)
        done += this.complete()
      } else if (type === 0x2a) { // *: an array (EXEC's), complete at once when empty or nil
        const length = parseInt(data.toString('latin1', at + 1, nl - 1), 10)
        if (length > 0) this.open.push(length)
        else done += this.complete()
      } else {
        throw new Error(`loadgen: unexpected reply type '${String.fromCharCode(type)}' (only GET, SET and transaction replies are expected)`)
      }
      at = nl + 1
    }
    return done
  }
}

// ---------------------------------------------------------------------------
// Randomness and values

/** mulberry32: a small seeded generator, so two servers get the same key sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const VALUE_POOL_BYTES = 1 << 16

/**
 * Random printable bytes; values are slices of it at varying offsets, so
 * RocksDB's compression sees data about as compressible as real values of
 * random text, not runs of one byte.
 */
function valuePool(valueBytes: number, random: () => number): Buffer {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  const pool = Buffer.alloc(VALUE_POOL_BYTES + valueBytes)
  for (let i = 0; i < pool.length; i++) pool[i] = alphabet.charCodeAt(Math.floor(random() * alphabet.length))
  return pool
}

function valueAt(pool: Buffer, valueBytes: number, index: number): Buffer {
  const offset = Math.imul(index, 2654435761) >>> 16 // spread neighbouring keys across the pool
  return pool.subarray(offset, offset + valueBytes)
}

// ---------------------------------------------------------------------------
// Fixed-rate scheduling

/**
 * When each request of a fixed-rate run is due: request i at
 * startUs + i * 1e6 / rate, for i while that is before endUs. Pure: the
 * caller supplies the clock.
 */
export class FixedRateSchedule {
  /** The index of the next request not yet taken. */
  next = 0

  constructor(readonly ratePerS: number, readonly startUs: number, readonly endUs: number) {
    if (!(ratePerS > 0)) throw new RangeError(`rate ${ratePerS} must be positive`)
  }

  intendedUs(index: number): number {
    return this.startUs + (index * 1e6) / this.ratePerS
  }

  /** Take every request due by nowUs (intended time <= nowUs, before endUs); returns how many, ending at `next`. */
  take(nowUs: number): number {
    const first = this.next
    while (this.intendedUs(this.next) <= nowUs && this.intendedUs(this.next) < this.endUs) this.next++
    return this.next - first
  }

  /** Every request has been taken. */
  done(): boolean {
    return this.intendedUs(this.next) >= this.endUs
  }

  /** Microseconds from nowUs until the next request is due (<= 0: already due). */
  untilNextUs(nowUs: number): number {
    return this.intendedUs(this.next) - nowUs
  }
}

/**
 * Intended and actual send times of the requests in flight on one
 * connection, oldest first (replies come in order).
 */
export class InFlight {
  /** Pairs: intended, sent. */
  private times = new Float64Array(2048)
  private head = 0
  private tail = 0

  get size(): number {
    return (this.tail - this.head) / 2
  }

  push(intendedUs: number, sentUs: number): void {
    if (this.tail === this.times.length) {
      // Compact, and grow if more than half is in use.
      const live = this.times.slice(this.head, this.tail)
      if (live.length * 2 > this.times.length) this.times = new Float64Array(this.times.length * 2)
      this.times.set(live)
      this.tail -= this.head
      this.head = 0
    }
    this.times[this.tail++] = intendedUs
    this.times[this.tail++] = sentUs
  }

  /**
   * The oldest `count` requests were answered at nowUs: record each one's
   * latency from its intended time (not from its send) into `latency`, and
   * from its actual send into `service` if given. Returns how many were
   * recorded: those intended at or after recordFromUs (earlier ones are the
   * warm-up).
   */
  complete(count: number, nowUs: number, latency: Histogram, recordFromUs: number, service?: Histogram): number {
    if (count > this.size) throw new Error(`loadgen: ${count} replies for ${this.size} requests in flight`)
    let recorded = 0
    for (let i = 0; i < count; i++) {
      const intended = this.times[this.head++]
      const sent = this.times[this.head++]
      if (intended >= recordFromUs) {
        latency.record(nowUs - intended)
        service?.record(nowUs - sent)
        recorded++
      }
    }
    return recorded
  }
}

// ---------------------------------------------------------------------------
// Runs

const CONNECT_TIMEOUT_MS = 10_000
/** fixed: how long to wait for the replies still due after the last request was sent. */
const DRAIN_MS = 10_000
/** Bound on one connection's unwritten output: a server that stops reading fails the run rather than exhausting memory. */
const WRITE_BUFFER_MAX = 64 * 1024 * 1024

/** fixed: below this wait, tick() sleeps in slices instead of setting a timer (which wakes ~1 ms late). */
const TIMER_SLACK_US = 2_000
/** fixed: the longest sleep between two polls of the sockets, so the latest a reply can be timestamped. */
const SLEEP_SLICE_US = 100
const sleeper = new Int32Array(new SharedArrayBuffer(4))

const nowUs = () => performance.now() * 1000

function connect(options: LoadgenOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options.port, options.host)
    socket.setNoDelay(true)
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`loadgen: no connection within ${CONNECT_TIMEOUT_MS} ms`)) }, CONNECT_TIMEOUT_MS)
    socket.once('connect', () => { clearTimeout(timer); resolve(socket) })
    socket.once('error', (err) => { clearTimeout(timer); reject(err) })
  })
}

function summary(h: Histogram): LatencySummaryUs {
  return { count: h.count, p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), p999: h.percentile(99.9), max: h.max, mean: h.mean() }
}

/** Writes GETs and SETs in the configured mix, drawing keys uniformly at random. */
class Mix {
  private random: () => number
  private pool: Buffer
  private scratch: Buffer
  gets = 0
  sets = 0

  constructor(private options: LoadgenOptions) {
    this.random = rng(options.seed)
    this.pool = valuePool(options.valueBytes, rng(options.seed ^ 0x5eed))
    this.scratch = Buffer.alloc(Math.max(GET_BYTES, setBytes(options.valueBytes)) * 64)
  }

  /** `count` commands as one buffer (one write). */
  commands(count: number): Buffer {
    const perCommand = Math.max(GET_BYTES, setBytes(this.options.valueBytes))
    if (this.scratch.length < perCommand * count) this.scratch = Buffer.alloc(perCommand * count * 2)
    let offset = 0
    for (let i = 0; i < count; i++) {
      const key = Math.floor(this.random() * this.options.keyspace)
      if (this.random() < this.options.getRatio) {
        offset = encodeGet(this.scratch, offset, key)
        this.gets++
      } else {
        offset = encodeSet(this.scratch, offset, key, valueAt(this.pool, this.options.valueBytes, key))
        this.sets++
      }
    }
    // A copy: the socket may hold the buffer after write() returns.
    return Buffer.from(this.scratch.subarray(0, offset))
  }
}

/** Transactions for the multi mode: each is four commands, answered by four replies. */
class Transactions {
  private random: () => number
  private scratch = Buffer.alloc(TRANSACTION_BYTES * 64)
  readonly gets = 0
  /** Transactions sent (each a write). */
  sets = 0

  constructor(private options: LoadgenOptions) {
    this.random = rng(options.seed)
  }

  commands(count: number): Buffer {
    if (this.scratch.length < TRANSACTION_BYTES * count) this.scratch = Buffer.alloc(TRANSACTION_BYTES * count * 2)
    let offset = 0
    for (let i = 0; i < count; i++) offset = encodeTransaction(this.scratch, offset, Math.floor(this.random() * this.options.keyspace))
    this.sets += count
    return Buffer.from(this.scratch.subarray(0, offset))
  }
}

/** The replies of all connections: one parser per connection (a reply may be split across its chunks). */
class Replies {
  readonly counters: ReplyCounter[]

  constructor(connections: number) {
    this.counters = Array.from({ length: connections }, () => new ReplyCounter())
  }

  get hits(): number { return this.counters.reduce((sum, c) => sum + c.hits, 0) }
  get misses(): number { return this.counters.reduce((sum, c) => sum + c.misses, 0) }
  get errors(): number { return this.counters.reduce((sum, c) => sum + c.errors, 0) }
  get firstError(): string | null { return this.counters.find((c) => c.firstError !== null)?.firstError ?? null }
}

async function openAll(options: LoadgenOptions): Promise<net.Socket[]> {
  const sockets = await Promise.all(Array.from({ length: options.connections }, () => connect(options)))
  return sockets
}

function checkBacklog(socket: net.Socket): void {
  if (socket.writableLength > WRITE_BUFFER_MAX) throw new Error(`loadgen: over ${WRITE_BUFFER_MAX} bytes unwritten on one connection: the server stopped reading`)
}

/**
 * Closed loop: each connection keeps `pipeline` requests in flight, replacing each as it is
 * answered; a request is a GET or SET, or in multi mode a transaction of four replies.
 */
export async function runMixed(options: LoadgenOptions): Promise<LoadgenResult> {
  const sockets = await openAll(options)
  const transactions = options.mode === 'multi'
  const mix = transactions ? new Transactions(options) : new Mix(options)
  const repliesPerRequest = transactions ? TRANSACTION_REPLIES : 1
  /** Replies of each connection toward its next answered request. */
  const owed = new Array<number>(sockets.length).fill(0)
  const counter = new Replies(sockets.length)
  let completed = 0
  let running = true
  let failure = null as Error | null
  const per: number[] = []
  let measuredFrom = 0
  let ops = 0
  let elapsedMs = 0
  await new Promise<void>((resolve) => {
    const finish = (err: Error | null) => {
      if (!running) return
      running = false
      failure = err
      resolve()
    }
    sockets.forEach((socket, c) => {
      socket.on('data', (chunk: Buffer) => {
        try {
          owed[c] += counter.counters[c].feed(chunk)
        } catch (err) {
          return finish(err as Error)
        }
        const n = Math.floor(owed[c] / repliesPerRequest)
        owed[c] -= n * repliesPerRequest
        completed += n
        if (running && n > 0) {
          socket.write(mix.commands(n))
          try { checkBacklog(socket) } catch (err) { finish(err as Error) }
        }
      })
      socket.on('error', (err) => finish(err))
      socket.on('close', () => finish(new Error('loadgen: the server closed a connection')))
      socket.write(mix.commands(options.pipeline))
    })
    setTimeout(() => {
      measuredFrom = completed
      let last = completed
      const t0 = nowUs()
      const second = setInterval(() => { per.push(completed - last); last = completed }, 1000)
      setTimeout(() => {
        clearInterval(second)
        elapsedMs = (nowUs() - t0) / 1000
        ops = completed - measuredFrom
        finish(null)
      }, options.durationMs)
    }, options.warmupMs)
  })
  for (const socket of sockets) socket.destroy()
  if (failure !== null) throw failure
  if (counter.errors > 0) throw new Error(`loadgen: ${counter.errors} error replies, the first: ${counter.firstError}`)
  return {
    mode: options.mode, ops, elapsedMs, opsPerS: ops / (elapsedMs / 1000), gets: mix.gets, sets: mix.sets, hits: counter.hits, misses: counter.misses,
    errors: counter.errors, firstError: counter.firstError, perSecond: per,
  }
}

/**
 * Open loop at a fixed rate: request i goes out on connection i mod N at
 * start + i / rate (or as soon after as the event loop wakes), and its
 * latency counts from that intended time.
 */
export async function runFixedRate(options: LoadgenOptions): Promise<LoadgenResult> {
  const sockets = await openAll(options)
  const mix = new Mix(options)
  const counter = new Replies(sockets.length)
  const inFlight = sockets.map(() => new InFlight())
  const latency = new Histogram()
  const sendLag = new Histogram()
  const service = new Histogram()
  const start = nowUs() + 10_000 // a moment to get the timers going
  const recordFrom = start + options.warmupMs * 1000
  const schedule = new FixedRateSchedule(options.rate, start, recordFrom + options.durationMs * 1000)
  const perSecond: number[] = []
  let completed = 0
  let failure = null as Error | null
  let unanswered = 0
  await new Promise<void>((resolve) => {
    let finished = false
    let last = 0
    const second = setInterval(() => { perSecond.push(completed - last); last = completed }, 1000)
    const finish = (err: Error | null) => {
      if (finished) return
      finished = true
      failure ??= err
      clearTimeout(tickTimer)
      clearTimeout(drainTimer)
      clearInterval(second)
      resolve()
    }
    // send() writes every request due by now, after every chunk of replies
    // and from tick(). Node's timers wake a millisecond or more late, which
    // would add up to that to every latency; so when the next request is due
    // within TIMER_SLACK_US, tick() sleeps (Atomics.wait: a futex, no CPU)
    // until then, at most SLEEP_SLICE_US, and lets the event loop poll the
    // sockets in between (setImmediate). A reply that arrives during a sleep
    // is timestamped late by at most that slice. The send-lag histogram shows
    // how close to their time requests went out.
    const batches: number[] = new Array(sockets.length).fill(0)
    let tickTimer: NodeJS.Timeout | undefined
    let drainTimer: NodeJS.Timeout | undefined
    let draining = false
    const send = (now: number) => {
      const count = schedule.take(now)
      for (let i = schedule.next - count; i < schedule.next; i++) {
        const c = i % sockets.length
        const intended = schedule.intendedUs(i)
        inFlight[c].push(intended, now)
        batches[c]++
        if (intended >= recordFrom) sendLag.record(now - intended)
      }
      for (let c = 0; count > 0 && c < sockets.length; c++) {
        if (batches[c] === 0) continue
        sockets[c].write(mix.commands(batches[c]))
        batches[c] = 0
        checkBacklog(sockets[c])
      }
      if (schedule.done() && !draining) {
        draining = true
        clearTimeout(tickTimer)
        drainTimer = setTimeout(() => {
          // Still unanswered: recorded with the latency they have so far, a lower bound.
          const at = nowUs()
          for (const q of inFlight) {
            unanswered += q.size
            q.complete(q.size, at, latency, recordFrom, service)
          }
          finish(null)
        }, DRAIN_MS)
      }
      if (draining && inFlight.every((q) => q.size === 0)) finish(null)
    }
    const tick = () => {
      try {
        send(nowUs())
      } catch (err) {
        return finish(err as Error)
      }
      if (draining || finished) return
      const untilUs = schedule.untilNextUs(nowUs())
      if (untilUs > TIMER_SLACK_US) {
        tickTimer = setTimeout(tick, Math.floor((untilUs - TIMER_SLACK_US) / 1000))
      } else {
        if (untilUs > 0) Atomics.wait(sleeper, 0, 0, Math.min(untilUs, SLEEP_SLICE_US) / 1000)
        setImmediate(tick)
      }
    }
    sockets.forEach((socket, c) => {
      socket.on('data', (chunk: Buffer) => {
        const now = nowUs()
        try {
          const n = counter.counters[c].feed(chunk)
          completed += inFlight[c].complete(n, now, latency, recordFrom, service)
          if (!finished) send(now)
        } catch (err) {
          return finish(err as Error)
        }
      })
      socket.on('error', (err) => finish(err))
      socket.on('close', () => finish(new Error('loadgen: the server closed a connection')))
    })
    tickTimer = setTimeout(tick, Math.max(0, Math.floor((start - nowUs()) / 1000)))
  })
  for (const socket of sockets) socket.destroy()
  if (failure !== null) throw failure
  if (counter.errors > 0) throw new Error(`loadgen: ${counter.errors} error replies, the first: ${counter.firstError}`)
  const elapsedMs = options.durationMs
  return {
    mode: 'fixed', ops: latency.count, elapsedMs, opsPerS: latency.count / (elapsedMs / 1000),
    gets: mix.gets, sets: mix.sets, hits: counter.hits, misses: counter.misses, errors: counter.errors,
    firstError: counter.firstError, perSecond, latencyUs: summary(latency), sendLagUs: summary(sendLag),
    serviceUs: summary(service),
    unanswered, rate: options.rate,
  }
}

/**
 * SET key:0 .. key:<keyspace-1> to values of valueBytes: each connection
 * takes the next `pipeline` keys, writes them as one batch and takes more
 * when all are answered. Key order is ascending, as a bulk import would be.
 */
export async function runLoad(options: LoadgenOptions): Promise<LoadgenResult> {
  const sockets = await openAll(options)
  const pool = valuePool(options.valueBytes, rng(options.seed ^ 0x5eed))
  const perCommand = setBytes(options.valueBytes)
  const counter = new Replies(sockets.length)
  let next = 0
  let written = 0
  const t0 = nowUs()
  const perSecond: number[] = []
  let last = 0
  const second = setInterval(() => {
    perSecond.push(written - last)
    last = written
    if (perSecond.length % 30 === 0) process.stderr.write(`loadgen: ${written} of ${options.keyspace} keys, ${Math.round((written / options.keyspace) * 100)} %\n`)
  }, 1000)
  try {
    await new Promise<void>((resolve, reject) => {
      let open = sockets.length
      let failed = false
      const fail = (err: Error) => { if (!failed) { failed = true; reject(err) } }
      sockets.forEach((socket, c) => {
        let pending = 0
        const send = () => {
          if (next >= options.keyspace) {
            if (--open === 0) resolve()
            return
          }
          const end = Math.min(options.keyspace, next + options.pipeline)
          const buf = Buffer.alloc(perCommand * (end - next))
          let offset = 0
          for (; next < end; next++, pending++) offset = encodeSet(buf, offset, next, valueAt(pool, options.valueBytes, next))
          socket.write(buf.subarray(0, offset))
        }
        socket.on('data', (chunk: Buffer) => {
          let n: number
          try {
            n = counter.counters[c].feed(chunk)
          } catch (err) {
            return fail(err as Error)
          }
          if (counter.counters[c].errors > 0) return fail(new Error(`loadgen: load: ${counter.firstError}`))
          pending -= n
          written += n
          if (pending === 0) send()
        })
        socket.on('error', fail)
        socket.on('close', () => { if (pending > 0 || next < options.keyspace) fail(new Error('loadgen: the server closed a connection during the load')) })
        send()
      })
    })
  } finally {
    clearInterval(second)
    for (const socket of sockets) socket.destroy()
  }
  const elapsedMs = (nowUs() - t0) / 1000
  return {
    mode: 'load', ops: written, elapsedMs, opsPerS: written / (elapsedMs / 1000), gets: 0, sets: written,
    hits: 0, misses: 0, errors: counter.errors, firstError: counter.firstError, perSecond,
  }
}

export function runLoadgen(options: LoadgenOptions): Promise<LoadgenResult> {
  switch (options.mode) {
    case 'mixed':
    case 'multi': return runMixed(options)
    case 'fixed': return runFixedRate(options)
    case 'load': return runLoad(options)
  }
}

// ---------------------------------------------------------------------------
// Command line

const FLAGS: Record<string, keyof LoadgenOptions> = {
  '--host': 'host', '--port': 'port', '--mode': 'mode', '--connections': 'connections', '--pipeline': 'pipeline',
  '--get-ratio': 'getRatio', '--keyspace': 'keyspace', '--value-bytes': 'valueBytes', '--duration-ms': 'durationMs',
  '--warmup-ms': 'warmupMs', '--rate': 'rate', '--seed': 'seed',
}

/** Flags to options; unknown flags and bad numbers are errors. */
export function parseFlags(argv: string[]): LoadgenOptions {
  const options: Record<string, unknown> = { ...DEFAULTS }
  for (let i = 0; i < argv.length; i += 2) {
    const name = FLAGS[argv[i]]
    if (name === undefined || i + 1 >= argv.length) throw new Error(`loadgen: unknown flag or missing value '${argv[i]}' (flags: ${Object.keys(FLAGS).join(' ')})`)
    const raw = argv[i + 1]
    if (name === 'host') options.host = raw
    else if (name === 'mode') {
      if (raw !== 'mixed' && raw !== 'multi' && raw !== 'fixed' && raw !== 'load') throw new Error(`loadgen: --mode is mixed, multi, fixed or load, not '${raw}'`)
      options.mode = raw
    } else {
      const value = Number(raw)
      if (!Number.isFinite(value) || value < 0) throw new Error(`loadgen: ${argv[i]} wants a non-negative number, not '${raw}'`)
      options[name] = value
    }
  }
  return options as unknown as LoadgenOptions
}

/** The flags that reproduce `options` (for spawning this file as a child process). */
export function toFlags(options: LoadgenOptions): string[] {
  return Object.entries(FLAGS).flatMap(([flag, name]) => [flag, String(options[name])])
}

if (require.main === module) {
  Promise.resolve().then(() => runLoadgen(parseFlags(process.argv.slice(2)))).then(
    (res) => { process.stdout.write(`${JSON.stringify(res)}\n`) },
    (err) => { process.stderr.write(`${(err as Error).message}\n`); process.exit(1) },
  )
}

/**
 * Run loadgen as a child process (as redis-benchmark is one): its event loop,
 * heap and GC are its own, and a sleeping tick (Atomics.wait) blocks nothing
 * else. Resolves with the result, or with an error message (a value, so one
 * failed run fails its row, not the suite). Progress lines go to `progress`.
 */
export function spawnLoadgen(options: LoadgenOptions, timeoutMs: number, progress: (line: string) => void): Promise<LoadgenResult | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [__filename, ...toFlags(options)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (chunk) => { stdout += chunk })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
      for (const line of chunk.toString().split('\n')) if (line.startsWith('loadgen: ') && line.includes(' keys, ')) progress(line)
    })
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('error', (err) => { clearTimeout(timer); resolve(`loadgen: ${err.message}`) })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (timedOut) return resolve(`loadgen: no result within ${Math.round(timeoutMs / 1000)} s`)
      if (code !== 0) return resolve(stderr.trim().split('\n').pop() ?? `loadgen exited with code ${code}`)
      try {
        resolve(JSON.parse(stdout) as LoadgenResult)
      } catch {
        resolve(`loadgen: unreadable output '${stdout.slice(0, 100)}'`)
      }
    })
  })
}
