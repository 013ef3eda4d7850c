#!/usr/bin/env node
'use strict'
// encodeRecord (every written record's envelope) in one process, for each checkout given (its
// dist/lib/storage/envelope.js): ns per call for a 3-byte and a 100-byte payload. Rounds
// alternate between the checkouts; the machine's noise is shared.
//   node bench/tools/encode-record.js /work/old /work/main
const path = require('node:path')

const CALLS = 2_000_000
const ROUNDS = Number(process.env.ROUNDS || 3)
const checkouts = process.argv.slice(2)
if (checkouts.length === 0) {
  console.error('usage: encode-record.js CHECKOUT...')
  process.exit(2)
}

const encoders = checkouts.map((dir) => require(path.resolve(dir, 'dist/lib/storage/envelope.js')).encodeRecord)
const payloads = { '3 B': Buffer.from('xyz'), '100 B': Buffer.alloc(100, 7) }
const HLC = 0x0190a1b2c3d40000n

for (let round = 0; round < ROUNDS; round++) {
  for (const [name, payload] of Object.entries(payloads)) {
    const line = encoders.map((encode, c) => {
      let bytes = 0
      const start = process.hrtime.bigint()
      for (let i = 0; i < CALLS; i++) bytes += encode({ flags: 1, hlc: HLC + BigInt(i & 7), origin: 3, expireAtMs: 0 }, payload).length
      const ns = Number(process.hrtime.bigint() - start) / CALLS
      if (bytes !== CALLS * (19 + payload.length)) throw new Error('wrong record length')
      return `${checkouts[c]} ${ns.toFixed(1)} ns`
    })
    console.log(`round ${round + 1}, ${name}: ${line.join(' | ')}`)
  }
}
