// The data side of MULTI/EXEC/WATCH: two internal commands that clients cannot name.
//
// `marekvs|exec nwatch (key hlc live)* (argc arg*)*` runs a whole transaction of data commands
// as one command: on one shard when all its keys (watched ones included) live there, else on
// the main thread with the shards paused (the engine decides from movableKeys). One command in
// one batch commits in one RocksDB write: atomic on this node. `marekvs|exec-fast` is the same
// for a transaction of cheap commands only: flagged `fast`, it may run inline on the main
// thread as they may (engine/inline-policy.ts).
// `marekvs|stamps key...` reads the versions WATCH remembers (fast too: records only).
import { NIL_ARRAY } from '../core/reply'
import type { ExecContext } from '../engine/exec-context'
import { runOne } from '../engine/run-one'
import { DataCommand, keysOf } from './types'

export const EXEC_COMMAND = 'marekvs|exec'
export const EXEC_FAST_COMMAND = 'marekvs|exec-fast'
export const STAMPS_COMMAND = 'marekvs|stamps'

export interface Watch {
  readonly key: Buffer
  readonly hlc: bigint
  /** Live (existing, unexpired) when watched: its expiry since then aborts EXEC too, as Redis 7. */
  readonly live: boolean
}

/** A transaction as one internal command; `fast` when every command of it is cheap. */
export function encodeExec(watches: Iterable<Watch>, commands: Buffer[][], fast: boolean): Buffer[] {
  const argv: Buffer[] = [Buffer.from(fast ? EXEC_FAST_COMMAND : EXEC_COMMAND)]
  const list = [...watches]
  argv.push(Buffer.from(String(list.length)))
  for (const watch of list) argv.push(watch.key, Buffer.from(watch.hlc.toString()), Buffer.from(watch.live ? '1' : '0'))
  for (const command of commands) argv.push(Buffer.from(String(command.length)), ...command)
  return argv
}

interface Transaction {
  readonly watches: Watch[]
  readonly commands: Buffer[][]
}

/**
 * The last transaction decoded, by its argv: the engine asks for its keys (movableKeys), whether
 * it reads any keys (anyKeys), then runs it, each on the same argv; it is decoded once. Run
 * drops it, so a large transaction is not kept until the next one.
 */
let lastArgv: Buffer[] | null = null
let lastDecoded: Transaction | null = null

function decoded(argv: Buffer[]): Transaction {
  if (argv !== lastArgv) {
    lastDecoded = decodeExec(argv)
    lastArgv = argv
  }
  return lastDecoded!
}

function decodeExec(argv: Buffer[]): Transaction {
  const count = Number(argv[1].toString('latin1'))
  const watches: Watch[] = []
  let at = 2
  for (let i = 0; i < count; i++, at += 3) {
    watches.push({ key: argv[at], hlc: BigInt(argv[at + 1].toString('latin1')), live: argv[at + 2][0] === 0x31 })
  }
  const commands: Buffer[][] = []
  while (at < argv.length) {
    const argc = Number(argv[at].toString('latin1'))
    commands.push(argv.slice(at + 1, at + 1 + argc))
    at += 1 + argc
  }
  return { watches, commands }
}

/** True when a watched key changed (written, deleted, or expired) since WATCH read it. */
export function watchBroken(ctx: ExecContext, watches: readonly Watch[]): boolean {
  for (const watch of watches) {
    const now = ctx.stamp(watch.key)
    if (now.hlc !== watch.hlc || (watch.live && !now.live)) return true
  }
  return false
}

export function transactionCommands(lookup: (name: string) => DataCommand | undefined): DataCommand[] {
  const commandOf = (argv: Buffer[]): DataCommand | undefined => lookup(argv[0].toString('latin1').toLowerCase())
  const exec: DataCommand = {
    name: EXEC_COMMAND, arity: -2, flags: ['internal'], firstKey: 0, lastKey: 0, step: 0, group: 'transactions', summary: '', since: '',
    movableKeys: (argv) => {
      const { watches, commands } = decoded(argv)
      const keys = watches.map((watch) => watch.key)
      for (const command of commands) {
        const found = commandOf(command)
        if (found !== undefined) keys.push(...keysOf(found, command))
      }
      return keys
    },
    anyKeys: (argv) => decoded(argv).commands.some((command) => commandOf(command)?.anyKeys?.(command) === true),
    run: (ctx, argv) => {
      const { watches, commands } = decoded(argv)
      lastArgv = lastDecoded = null
      if (watchBroken(ctx, watches)) return NIL_ARRAY
      return commands.map((command) => runOne(ctx, commandOf(command), command))
    },
  }
  const execFast: DataCommand = { ...exec, name: EXEC_FAST_COMMAND, flags: ['internal', 'fast'] }
  const stamps: DataCommand = {
    name: STAMPS_COMMAND, arity: -2, flags: ['internal', 'fast'], firstKey: 1, lastKey: -1, step: 1, group: 'transactions', summary: '', since: '',
    run: (ctx, argv) => argv.slice(1).map((key) => {
      const stamp = ctx.stamp(key)
      return [stamp.hlc.toString(), stamp.live ? 1 : 0]
    }),
  }
  return [exec, execFast, stamps]
}
