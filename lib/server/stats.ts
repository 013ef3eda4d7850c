// Server counters: plain mutable numbers the connection and dispatch code
// bump on the hot path. No allocation per command (a command's entry is made
// once, the first time it runs), no prom-client here: the metrics registry
// and INFO read these when asked.

/**
 * Upper bounds of the latency buckets in microseconds: a 1-2-5 series from
 * 10 µs to 1 s. A command slower than 1 s lands in the overflow bucket.
 */
export const LATENCY_BOUNDS_USEC: ReadonlyArray<number> = Object.freeze([
  10, 20, 50, 100, 200, 500,
  1_000, 2_000, 5_000, 10_000, 20_000, 50_000,
  100_000, 200_000, 500_000, 1_000_000
])

/** Distinct command names tracked. Redis has ~240 commands; the dispatcher
 * records only names from its table, and this bounds the map (and the
 * metric's label cardinality) if it ever does not. */
export const COMMAND_NAMES_MAX = 1024
/** Where calls beyond COMMAND_NAMES_MAX distinct names are counted. */
export const OTHER_COMMAND = 'other'

export interface CommandStat { calls: number; usec: number; failed: number }

export class ServerStats {
  /** Commands processed (INFO total_commands_processed). */
  totalCommands = 0
  /** Connections accepted (INFO total_connections_received). */
  totalConnections = 0
  /** Connections refused at the maxclients limit (INFO rejected_connections). */
  rejectedConnections = 0
  /** Open client connections: a gauge, not reset by reset(). */
  connectedClients = 0
  netInputBytes = 0
  netOutputBytes = 0
  /** RocksDB reads or writes that failed. */
  storageErrors = 0
  /** Per command (lowercase name, `config|get` for subcommands): INFO commandstats. */
  readonly commands = new Map<string, CommandStat>()
  /** Counts per latency bucket: index i counts durations <= LATENCY_BOUNDS_USEC[i]
   * (and above the previous bound); the last slot counts the rest. Not cumulative. */
  readonly latencyBuckets = new Float64Array(LATENCY_BOUNDS_USEC.length + 1)
  /** Sum of all recorded durations, µs. */
  latencySumUsec = 0

  /** One command ran: `usec` its duration, `failed` whether it replied with an error. */
  recordCommand (name: string, usec: number, failed: boolean): void {
    let stat = this.commands.get(name)
    if (stat === undefined) stat = this.addCommand(name)
    stat.calls++
    stat.usec += usec
    if (failed) stat.failed++
    this.totalCommands++
    this.latencySumUsec += usec
    this.latencyBuckets[bucketOf(usec)]++
  }

  private addCommand (name: string): CommandStat {
    if (this.commands.size >= COMMAND_NAMES_MAX) {
      const other = this.commands.get(OTHER_COMMAND)
      if (other !== undefined) return other
    }
    const stat = { calls: 0, usec: 0, failed: 0 }
    this.commands.set(this.commands.size >= COMMAND_NAMES_MAX ? OTHER_COMMAND : name, stat)
    return stat
  }

  /** Total commands that replied with an error. */
  failedCommands (): number {
    let n = 0
    for (const s of this.commands.values()) n += s.failed
    return n
  }

  /** CONFIG RESETSTAT: every counter back to zero; connectedClients is a
   * gauge of what is open now and stays. */
  reset (): void {
    this.totalCommands = 0
    this.totalConnections = 0
    this.rejectedConnections = 0
    this.netInputBytes = 0
    this.netOutputBytes = 0
    this.storageErrors = 0
    this.commands.clear()
    this.latencyBuckets.fill(0)
    this.latencySumUsec = 0
  }
}

/** The bucket index for a duration: a short scan, no allocation. */
export function bucketOf (usec: number): number {
  const bounds = LATENCY_BOUNDS_USEC
  const n = bounds.length
  // Most commands are fast: scanning from the bottom ends early.
  for (let i = 0; i < n; i++) {
    if (usec <= bounds[i]) return i
  }
  return n
}
