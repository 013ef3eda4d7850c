// Clients blocked in BLPOP, BZPOPMIN, BLMOVE, XREAD BLOCK...: one attempt through the engine;
// when it finds nothing the client waits on its keys until a batch reports that one of them
// gained elements (Engine.onReady), then its command is tried again. Waiters on a key are
// retried in the order they blocked, and the engine runs those retries in that order, so the
// first client to block is served first. A timeout answers the command's timeout reply.
// The first attempt may name another argv for its retries (ExecContext.retryArgv): XREAD BLOCK
// pins `$` to the IDs it meant when the command arrived, so a retry never re-reads it later.
import { encodeReply } from '../native'
import type { Reply } from '../core/reply'
import type { DataCommand } from '../commands/types'
import { keysOf } from '../commands/types'
import type { Engine } from '../engine/engine'
import type { Session } from './session'

type Finish = (reply: Buffer | Reply) => void

const TIMER_MAX_MS = 2 ** 31 - 1

interface Waiter {
  readonly session: Session
  readonly command: DataCommand
  /** What each retry runs: the client's argv, or what the first attempt asked for (ExecContext.retryArgv). */
  readonly argv: Buffer[]
  readonly proto: 0 | 2 | 3
  readonly keys: string[]
  readonly finish: Finish
  timer: NodeJS.Timeout | null
  /** A retry is in the engine now. */
  retrying: boolean
  /** A key became ready again while retrying: retry once more if this retry finds nothing. */
  again: boolean
  /** The timeout passed while retrying: answer it unless the retry took something. */
  expired: boolean
}

export class BlockingRegistry {
  private readonly byKey = new Map<string, Waiter[]>()
  private readonly bySession = new Map<Session, Waiter>()
  /** Sessions closed while their first attempt was still running: they must not start waiting. */
  private readonly closed = new WeakSet<Session>()

  constructor(private readonly engine: Engine) {
    engine.onReady = (keys) => this.ready(keys)
  }

  /** Clients waiting now (INFO blocked_clients). */
  get blockedCount(): number {
    return this.bySession.size
  }

  /** Run a blocking command: answer at once when it took something, else wait. */
  run(session: Session, command: DataCommand, argv: Buffer[], proto: 0 | 2 | 3, finish: Finish): void {
    const timeoutMs = command.blocking!.timeoutMs(argv)
    this.engine.submit({
      command, argv, proto,
      done: (reply, retryArgv = argv) => {
        if (timeoutMs === null || !this.isEmptyReply(command, proto, reply)) finish(reply)
        else this.wait({ session, command, argv: retryArgv, proto, keys: keysOf(command, retryArgv).map((key) => key.toString('latin1')), finish, timer: null, retrying: false, again: false, expired: false }, timeoutMs)
      },
    })
  }

  /** A closed session stops waiting. */
  forget(session: Session): void {
    this.closed.add(session)
    const waiter = this.bySession.get(session)
    if (waiter !== undefined) this.remove(waiter)
  }

  private wait(waiter: Waiter, timeoutMs: number): void {
    if (this.closed.has(waiter.session)) return
    this.bySession.set(waiter.session, waiter)
    for (const key of waiter.keys) {
      const list = this.byKey.get(key)
      if (list === undefined) this.byKey.set(key, [waiter])
      else if (!list.includes(waiter)) list.push(waiter)
    }
    if (timeoutMs > 0) this.arm(waiter, Date.now() + timeoutMs)
  }

  /** Node's timers fire at once past 2^31-1 ms (~24.8 days): longer timeouts re-arm until the deadline. */
  private arm(waiter: Waiter, deadline: number): void {
    const delay = deadline - Date.now()
    waiter.timer = setTimeout(() => (delay > TIMER_MAX_MS ? this.arm(waiter, deadline) : this.expire(waiter)), Math.min(delay, TIMER_MAX_MS))
  }

  private ready(keys: string[]): void {
    for (const key of keys) {
      const list = this.byKey.get(key)
      if (list !== undefined) for (const waiter of [...list]) this.retry(waiter)
    }
  }

  private retry(waiter: Waiter): void {
    if (waiter.retrying) {
      waiter.again = true
      return
    }
    waiter.retrying = true
    waiter.again = false
    this.engine.submit({
      command: waiter.command, argv: waiter.argv, proto: waiter.proto,
      done: (reply) => {
        waiter.retrying = false
        if (!this.isEmptyReply(waiter.command, waiter.proto, reply)) {
          // Taken: answer even if the timeout passed meanwhile, or the element would be lost.
          this.remove(waiter)
          waiter.finish(reply)
        } else if (waiter.expired) {
          this.remove(waiter)
          this.answerTimeout(waiter)
        } else if (waiter.again && this.bySession.get(waiter.session) === waiter) {
          this.retry(waiter)
        }
      },
    })
  }

  private expire(waiter: Waiter): void {
    waiter.timer = null
    if (waiter.retrying) {
      waiter.expired = true
      return
    }
    this.remove(waiter)
    this.answerTimeout(waiter)
  }

  private answerTimeout(waiter: Waiter): void {
    const reply = waiter.command.blocking!.timeoutReply
    waiter.finish(waiter.proto === 0 ? reply : encodeReply(reply, waiter.proto))
  }

  private remove(waiter: Waiter): void {
    if (waiter.timer !== null) clearTimeout(waiter.timer)
    waiter.timer = null
    if (this.bySession.get(waiter.session) === waiter) this.bySession.delete(waiter.session)
    for (const key of waiter.keys) {
      const list = this.byKey.get(key)
      if (list === undefined) continue
      const at = list.indexOf(waiter)
      if (at >= 0) list.splice(at, 1)
      if (list.length === 0) this.byKey.delete(key)
    }
  }

  /** The attempt found nothing to take. */
  private isEmptyReply(command: DataCommand, proto: 0 | 2 | 3, reply: Buffer | Reply): boolean {
    const timeoutReply = command.blocking!.emptyReply
    if (proto === 0) {
      // Values from a shard arrive structured-cloned: compare shapes, not identities.
      if (reply === null || timeoutReply === null) return reply === timeoutReply
      return typeof reply === 'object' && !Buffer.isBuffer(reply) && (reply as { t?: string }).t === (timeoutReply as { t?: string }).t && (reply as { t?: string }).t === 'nilarray'
    }
    return Buffer.isBuffer(reply) && reply.equals(encodeReply(timeoutReply, proto))
  }
}
