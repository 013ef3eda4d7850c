// Reply values: what command handlers return, before they meet the wire.
//
// Plain JS values carry the common cases without allocation:
//   Buffer        bulk string
//   string        bulk string (UTF-8)
//   number        integer (must be a safe integer)
//   bigint        integer beyond 2^53
//   null          nil (RESP2 `$-1`, RESP3 `_`)
//   Array         array of replies
// Tagged objects carry the rest. The native encoder (native/src/resp/encode.rs)
// and the embedding API (lib/embed/shape.ts) read exactly these shapes.

export type Reply =
  | Buffer
  | string
  | number
  | bigint
  | null
  | Reply[]
  | StatusReply
  | ErrorReply
  | DoubleReply
  | MapReply
  | SetReply
  | NilArrayReply
  | BoolReply
  | VerbatimReply
  | PushReply
  | BigNumberReply
  | PairsReply
  | SeveralReplies

export interface StatusReply { readonly t: 'status'; readonly v: string }
/** `v` is the whole message including its prefix, e.g. `ERR syntax error`. */
export interface ErrorReply { readonly t: 'error'; readonly v: string }
/** RESP3 `,`; RESP2 renders it as a bulk string formatted as Redis does (`%.17g`). */
export interface DoubleReply { readonly t: 'double'; readonly v: number }
/** RESP3 `%` with `v` as [k1, v1, k2, v2, ...]; RESP2 renders a flat array. */
export interface MapReply { readonly t: 'map'; readonly v: Reply[] }
/** RESP3 `~`; RESP2 renders an array. */
export interface SetReply { readonly t: 'set'; readonly v: Reply[] }
/** RESP2 `*-1`; RESP3 `_`. */
export interface NilArrayReply { readonly t: 'nilarray' }
/** RESP3 `#t`/`#f`; RESP2 renders `:1`/`:0`. */
export interface BoolReply { readonly t: 'bool'; readonly v: boolean }
/** RESP3 `=` with a 3-letter format (`txt`); RESP2 renders a bulk string. */
export interface VerbatimReply { readonly t: 'verbatim'; readonly format: string; readonly v: string }
/** RESP3 `>`; RESP2 renders an array (pub/sub messages). */
export interface PushReply { readonly t: 'push'; readonly v: Reply[] }
/** `v` as [a1, b1, a2, b2, ...]: RESP2 a flat array, RESP3 an array of [a, b] arrays (WITHSCORES, WITHVALUES). */
export interface PairsReply { readonly t: 'pairs'; readonly v: Reply[] }
/** RESP3 `(`; RESP2 renders a bulk string. */
export interface BigNumberReply { readonly t: 'bignum'; readonly v: string }
/**
 * Several replies to one command, written one after another (SUBSCRIBE a b confirms each
 * channel; PUBLISH to one's own channel delivers the message before the count). Only
 * connection commands return it, only at the top level; the dispatcher encodes each.
 */
export interface SeveralReplies { readonly t: 'several'; readonly v: Reply[] }

export function status(v: string): StatusReply {
  return { t: 'status', v }
}

export function error(v: string): ErrorReply {
  return { t: 'error', v }
}

export function double(v: number): DoubleReply {
  return { t: 'double', v }
}

export function map(v: Reply[]): MapReply {
  return { t: 'map', v }
}

export function set(v: Reply[]): SetReply {
  return { t: 'set', v }
}

export function verbatim(v: string): VerbatimReply {
  return { t: 'verbatim', format: 'txt', v }
}

export function push(v: Reply[]): PushReply {
  return { t: 'push', v }
}

export function pairs(v: Reply[]): PairsReply {
  return { t: 'pairs', v }
}

export function several(v: Reply[]): SeveralReplies {
  return { t: 'several', v }
}

export function bool(v: boolean): BoolReply {
  return { t: 'bool', v }
}

// Shared frozen replies: the hot path never allocates these.
export const OK: StatusReply = Object.freeze(status('OK'))
export const PONG: StatusReply = Object.freeze(status('PONG'))
export const NIL_ARRAY: NilArrayReply = Object.freeze({ t: 'nilarray' as const })

export function isError(r: Reply): r is ErrorReply {
  return r !== null && typeof r === 'object' && !Array.isArray(r) && !Buffer.isBuffer(r) && (r as ErrorReply).t === 'error'
}

export function isSeveral(r: Reply): r is SeveralReplies {
  return r !== null && typeof r === 'object' && !Array.isArray(r) && !Buffer.isBuffer(r) && (r as SeveralReplies).t === 'several'
}

// Errors with Redis's exact wording, shared by every command family.
export const Errors = Object.freeze({
  syntax: error('ERR syntax error'),
  notInteger: error('ERR value is not an integer or out of range'),
  notFloat: error('ERR value is not a valid float'),
  wrongType: error('WRONGTYPE Operation against a key holding the wrong kind of value'),
  noSuchKey: error('ERR no such key'),
  overflow: error('ERR increment or decrement would overflow'),
  noAuth: error('NOAUTH Authentication required.'),
  invalidExpire: (cmd: string) => error(`ERR invalid expire time in '${cmd.toLowerCase()}' command`),
  wrongArity: (cmd: string) => error(`ERR wrong number of arguments for '${cmd.toLowerCase()}' command`),
})
