#!/usr/bin/env node
'use strict'
// npm install hook, in the manner of node-gyp-build: when a prebuilt addon for
// this platform (or an earlier source build) loads, there is nothing to do;
// otherwise build from source with cargo, and fail clearly without it.

const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const target = `${process.platform}-${process.arch}`
const candidates = [
  path.join(ROOT, 'prebuilds', target, 'marekvs.node'),
  path.join(ROOT, 'build', 'Release', 'marekvs.node'),
]

const { addonLoads } = require('./addon-loads')

function loads(file) {
  return fs.existsSync(file) ? addonLoads(file) : 'not found'
}

const failures = []
for (const file of candidates) {
  const why = loads(file)
  if (why === null) process.exit(0)
  failures.push(`${path.relative(ROOT, file)}: ${why}`)
}

console.log(`marekvs: no usable native addon for ${target} (${failures.join('; ')}); building from source with cargo`)
const { buildNative, hasCargo } = require('./build-native')
if (!hasCargo()) {
  console.error(
    `marekvs: cannot build the native addon: cargo (Rust) is not on PATH.\n` +
      `  There is no prebuilt binary for ${target}. Install Rust (https://rustup.rs or your\n` +
      `  package manager), then run "npm rebuild marekvs".`,
  )
  process.exit(1)
}
try {
  const r = buildNative()
  const why = loads(r.out)
  if (why !== null) throw new Error(`the built addon does not load: ${why}`)
  console.log(`marekvs: native addon built from source in ${(r.ms / 1000).toFixed(1)} s`)
} catch (err) {
  console.error(`marekvs: native build failed: ${err.message}`)
  process.exit(1)
}
