// Server commands: TIME, ROLE, SHUTDOWN, MONITOR.
import { error, Errors, OK } from '../../core/reply'
import { replicaRole } from '../../migration/status'
import type { ConnCommand, ConnHandler } from '../session'
import { conn } from './util'

// TIME
const time: ConnHandler = () => {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000))
  return [String(micros / 1_000_000n), String(micros % 1_000_000n)]
}

// ROLE
const role: ConnHandler = (services) => (services.replication === null ? ['master', 0, []] : replicaRole(services.replication))

export interface ShutdownOptions { save: boolean | null; now: boolean; force: boolean; abort: boolean }

/** SHUTDOWN's flags as Redis 7.0 reads them: SAVE and NOSAVE exclude each other, ABORT stands alone. */
export function parseShutdown(args: Buffer[]): ShutdownOptions | null {
  const options: ShutdownOptions = { save: null, now: false, force: false, abort: false }
  let nosave = false
  for (const arg of args) {
    const word = arg.toString().toLowerCase()
    if (word === 'nosave') nosave = true
    else if (word === 'save') options.save = true
    else if (word === 'now') options.now = true
    else if (word === 'force') options.force = true
    else if (word === 'abort') options.abort = true
    else return null
  }
  if (nosave && options.save === true) return null
  if (nosave) options.save = false
  if (options.abort && args.length > 1) return null
  return options
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
const shutdown: ConnHandler = (services, session, argv) => {
  const options = parseShutdown(argv.slice(1))
  if (options === null) return Errors.syntax
  // marekvs never delays a shutdown (no RDB save to wait for), so there is nothing to abort.
  if (options.abort) return error('ERR No shutdown in progress.')
  // Every write is already in RocksDB; the engine's close syncs the WAL, so SAVE and NOSAVE
  // both stop cleanly. Redis answers nothing: the client sees its connection close.
  session.kill()
  services.shutdown()
  return OK
}

// MONITOR
const monitor: ConnHandler = (services, session) => {
  session.monitoring = true
  services.monitors.add(session)
  return OK
}

export const serverCommands: ConnCommand[] = [
  conn('time', 1, ['loading', 'stale', 'fast'], 'server', 'Return the current server time', '2.6.0', time),
  conn('role', 1, ['noscript', 'loading', 'stale', 'fast'], 'server', 'Return the role of the instance in the context of replication', '2.8.12', role),
  conn('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no-multi', 'allow-busy'], 'server', 'Synchronously save the dataset to disk and then shut down the server', '1.0.0', shutdown),
  conn('monitor', 1, ['admin', 'noscript', 'loading', 'stale'], 'server', 'Listen for all requests received by the server in real time', '1.0.0', monitor),
]
