#!/usr/bin/env node
'use strict'
// Store.getMany in one process, for each checkout given (its dist/lib/storage/store.js), on a
// store of its own holding 100k `meta` rows (16-byte keys, 40-byte values, all in the
// memtable): ns per call for 1, 2 and 32 random keys of the 100k, and for 2 keys of a hot 10.
// Rounds alternate between the checkouts; the machine's noise is shared.
//   node bench/tools/store-read.js /work/old /work/main
//   CACHE_SIZE=65536 node bench/tools/store-read.js ...   (a 16 KiB record cache: every random read misses)
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const N = 100_000
const CALLS = 200_000
const ROUNDS = Number(process.env.ROUNDS || 3)
const checkouts = process.argv.slice(2)
if (checkouts.length === 0) {
  console.error('usage: store-read.js CHECKOUT...')
  process.exit(2)
}

const keys = Array.from({ length: N }, (_, i) => Buffer.from(`key:${String(i).padStart(12, '0')}`))
const value = Buffer.alloc(40, 1)
const cases = {
  'random 1': (i) => [keys[(i * 7919) % N]],
  'random 2': (i) => [keys[(i * 7919) % N], keys[(i * 104729) % N]],
  'hot 2': (i) => [keys[i % 10], keys[(i + 3) % 10]],
  // A pipelined batch's size: its lookups may overlap.
  'random 32': (i) => Array.from({ length: 32 }, (_, j) => keys[((i * 32 + j) * 7919) % N]),
}

async function main() {
  const stores = []
  for (const dir of checkouts) {
    const { Store } = require(path.resolve(dir, 'dist/lib/storage/store.js'))
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-store-read-'))
    const store = await Store.open(data, process.env.CACHE_SIZE ? { cacheSize: Number(process.env.CACHE_SIZE) } : {})
    for (let i = 0; i < N; i += 1000) store.write(keys.slice(i, i + 1000).map((key) => ({ column: 'meta', key, value })), false)
    stores.push({ dir, store, data })
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { dir, store } of stores) {
      const line = []
      for (const [name, pick] of Object.entries(cases)) {
        let found = 0
        const t0 = process.hrtime.bigint()
        for (let i = 0; i < CALLS; i++) found += store.getMany('meta', pick(i)).length
        const ns = Number(process.hrtime.bigint() - t0) / CALLS
        if (found === 0) throw new Error('nothing read')
        line.push(`${name} ${ns.toFixed(0)} ns`)
      }
      console.log(`round ${round} ${dir}: ${line.join(', ')}`)
    }
  }
  for (const { store, data } of stores) {
    await store.close()
    fs.rmSync(data, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
