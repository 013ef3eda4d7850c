// With inline batches on (the default), most commands of the differential suites run on the
// main thread (lib/engine/inline-policy.ts), scripts and transactions of cheap commands among them. These suites run again with
// MAREKVS_INLINE_BATCHES=off, so every data command takes the shard-thread path, and with
// `cold`, so string commands read their records ahead on other threads and then run on the
// main thread, as while reads come from the disk: every path must answer as Redis does.
import { diffSuite } from '../support/diff'
import { hashesSuite } from './diff-hashes.test'
import { scriptingSuite } from './diff-scripting.test'
import { listsSuite } from './diff-lists.test'
import { stringsSuite } from './diff-strings.test'
import { transactionsSuite } from './diff-transactions.test'

const SHARDS_ONLY = { MAREKVS_INLINE_BATCHES: 'off' }
const READ_AHEAD = { MAREKVS_INLINE_BATCHES: 'cold' }

diffSuite('strings on the shard threads', stringsSuite, SHARDS_ONLY)
diffSuite('lists on the shard threads', listsSuite, SHARDS_ONLY)
diffSuite('hashes on the shard threads', hashesSuite, SHARDS_ONLY)
diffSuite('scripting on the shard threads', scriptingSuite, SHARDS_ONLY)
diffSuite('transactions on the shard threads', transactionsSuite, SHARDS_ONLY)
diffSuite('strings read ahead, as while reads are cold', stringsSuite, READ_AHEAD)
diffSuite('lists beside string commands read ahead', listsSuite, READ_AHEAD)
