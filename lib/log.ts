// A small leveled logger, configured like the Rust original: RUST_LOG picks the
// level, CONFIG SET loglevel changes it live.
//
// Output is one line per message on stderr, in the shape tracing-subscriber
// prints, so operators' log pipelines keep working:
//   2026-11-21T12:00:00.000Z  INFO marekvs: message key=value ...
//
// Checking the level is one numeric compare against `log.threshold`. A hot
// path that would allocate its fields guards the call:
//   if (log.threshold >= Level.debug) log.debug('batch', { n })

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** Numeric levels: a message is written when its level <= the threshold. */
export const Level = { off: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 } as const

export const LOG_LEVELS: ReadonlyArray<LogLevel> = ['off', 'error', 'warn', 'info', 'debug', 'trace']

export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

const LEVEL_BY_NUMBER: ReadonlyArray<LogLevel> = LOG_LEVELS
// Right-aligned to five columns, as tracing-subscriber does.
const LABEL_BY_NUMBER: ReadonlyArray<string> = ['', 'ERROR', ' WARN', ' INFO', 'DEBUG', 'TRACE']

function isLogLevel (word: string): word is LogLevel {
  return (LOG_LEVELS as ReadonlyArray<string>).includes(word)
}

// ---------------------------------------------------------------------------
// RUST_LOG

export type RustLogResult = { ok: true; level: LogLevel } | { ok: false; error: string }

/** Does a RUST_LOG target name this program (`marekvs`, `marekvs_core`, `marekvs::shard`)? */
function isOurTarget (target: string): boolean {
  return target === 'marekvs' || target.startsWith('marekvs_') || target.startsWith('marekvs::')
}

/**
 * Reads what operators put in RUST_LOG: a bare level (`info`), or
 * comma-separated directives (`marekvs=debug,warn`, `marekvs_cluster=trace`).
 *
 * One logger serves the whole program, so:
 * - directives for a `marekvs`/`marekvs_*`/`marekvs::*` target win; when several
 *   name our crates, the most verbose one applies (it shows all that was asked);
 *   a bare `marekvs` target means everything (trace), as in env_logger;
 * - otherwise the last bare level applies; none at all means `info`;
 * - directives for other targets (`hyper=warn`) are accepted and ignored;
 * - an unknown level word, or a bare word that is neither a level nor our
 *   target, is an error (env_logger would read `debgu` as a target and
 *   silently log nothing more).
 * Levels are case-insensitive. An env_logger `/regex` suffix is ignored.
 */
export function parseRustLog (text: string): RustLogResult {
  const expected = "expected a level (error, warn, info, debug, trace, off) or directives like 'marekvs=debug,warn'"
  let spec = text.trim()
  const slash = spec.indexOf('/')
  if (slash >= 0) spec = spec.slice(0, slash)
  let bare: LogLevel | null = null
  let ours: LogLevel | null = null
  for (const raw of spec.split(',')) {
    const directive = raw.trim()
    if (directive === '') continue
    const eq = directive.lastIndexOf('=')
    let target: string
    let level: LogLevel
    if (eq < 0) {
      const word = directive.toLowerCase()
      if (isLogLevel(word)) {
        bare = word
        continue
      }
      if (!isOurTarget(directive)) return { ok: false, error: `${expected}, got unknown level '${directive}'` }
      target = directive
      level = 'trace'
    } else {
      target = directive.slice(0, eq).trim()
      const word = directive.slice(eq + 1).trim().toLowerCase()
      if (target === '' || /\s/.test(target)) return { ok: false, error: `${expected}, got directive '${directive}'` }
      if (!isLogLevel(word)) return { ok: false, error: `${expected}, got unknown level '${directive.slice(eq + 1).trim()}' in '${directive}'` }
      level = word
    }
    if (isOurTarget(target) && (ours === null || Level[level] > Level[ours])) ours = level
  }
  return { ok: true, level: ours ?? bare ?? DEFAULT_LOG_LEVEL }
}

// ---------------------------------------------------------------------------
// Redis `loglevel` (CONFIG GET / CONFIG SET)

/** Redis's word for our level, as CONFIG GET loglevel shows it. */
export function redisLogLevelOf (level: LogLevel): string {
  switch (level) {
    case 'off': return 'nothing'
    case 'error': return 'warning' // Redis has no error-only level; warning is the closest
    case 'warn': return 'warning'
    case 'info': return 'notice'
    case 'debug': return 'verbose'
    case 'trace': return 'debug'
  }
}

/**
 * Our level for a CONFIG SET loglevel word, case-insensitive, or null.
 * Redis words first, so `debug` means Redis's debug (our trace); our own
 * words `error`, `warn`, `info`, `trace`, `off` are accepted too.
 */
export function levelFromRedis (word: string): LogLevel | null {
  switch (word.toLowerCase()) {
    case 'nothing': return 'off'
    case 'warning': return 'warn'
    case 'notice': return 'info'
    case 'verbose': return 'debug'
    case 'debug': return 'trace'
    case 'off': return 'off'
    case 'error': return 'error'
    case 'warn': return 'warn'
    case 'info': return 'info'
    case 'trace': return 'trace'
    default: return null
  }
}

/**
 * The reply to a bad CONFIG SET loglevel. Redis 7.0 lists
 * `debug, verbose, notice, warning`; 7.2 added `nothing`, which we accept, so
 * we list it as 7.2 does.
 */
export const REDIS_LOGLEVEL_ERROR =
  "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing"

// ---------------------------------------------------------------------------
// The logger

export type LogFields = Record<string, unknown>
export type LogSink = (line: string) => void

const stderrSink: LogSink = (line) => { process.stderr.write(line) }

// A bare value when it cannot be misread, else a JSON string: the line stays
// one line and `key=value` pairs stay splittable whatever the value holds.
function formatValue (value: unknown): string {
  switch (typeof value) {
    case 'number': case 'bigint': case 'boolean': return String(value)
    case 'undefined': return 'undefined'
    case 'string': return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value)
    default:
      if (value === null) return 'null'
      if (value instanceof Error) return JSON.stringify(value.message)
      if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('latin1'))
      try {
        return JSON.stringify(value) ?? String(value)
      } catch {
        return JSON.stringify(String(value))
      }
  }
}

function formatLine (levelNumber: number, msg: string, fields: LogFields | undefined): string {
  let line = `${new Date().toISOString()} ${LABEL_BY_NUMBER[levelNumber]} marekvs: ${msg.replace(/[\r\n]+/g, ' ')}`
  if (fields !== undefined) {
    for (const key in fields) line += ` ${key}=${formatValue(fields[key])}`
  }
  return line + '\n'
}

class Logger {
  /** The current level as a number (see `Level`); compare against it to skip work. */
  threshold: number = Level[DEFAULT_LOG_LEVEL]
  private sink: LogSink = stderrSink

  get level (): LogLevel { return LEVEL_BY_NUMBER[this.threshold] }

  setLevel (level: LogLevel): void {
    if (!isLogLevel(level)) throw new TypeError(`log.setLevel: unknown level ${String(level)}`)
    this.threshold = Level[level]
  }

  enabled (level: Exclude<LogLevel, 'off'>): boolean { return Level[level] <= this.threshold }

  /** Where lines go (stderr by default); tests and embedders may redirect them. Null restores stderr. */
  setSink (sink: LogSink | null): void { this.sink = sink ?? stderrSink }

  error (msg: string, fields?: LogFields): void { if (this.threshold >= 1) this.sink(formatLine(1, msg, fields)) }
  warn (msg: string, fields?: LogFields): void { if (this.threshold >= 2) this.sink(formatLine(2, msg, fields)) }
  info (msg: string, fields?: LogFields): void { if (this.threshold >= 3) this.sink(formatLine(3, msg, fields)) }
  debug (msg: string, fields?: LogFields): void { if (this.threshold >= 4) this.sink(formatLine(4, msg, fields)) }
  trace (msg: string, fields?: LogFields): void { if (this.threshold >= 5) this.sink(formatLine(5, msg, fields)) }
}

/** The process-wide logger. */
export const log = new Logger()
