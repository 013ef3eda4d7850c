// marekvs: a Redis-compatible, disk-native key-value database.
export { open, Database, ReplyError } from './embed'
export type { OpenOptions, Argument, Value } from './embed'
export { parseConfig, configFromOptions, ENV_VARS } from './config'
export type { Config } from './config'
