#!/usr/bin/env node
'use strict'
// `npm run prebuild` (also run by prepack): release build of the addon,
// stripped, at prebuilds/<platform>-<arch>/marekvs.node, the first path
// lib/native.ts tries. The binaries are not committed (see prebuilds/README.md).

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { buildNative } = require('./build-native')
const { addonLoads } = require('./addon-loads')

const ROOT = path.join(__dirname, '..')
const target = `${process.platform}-${process.arch}`
const out = path.join(ROOT, 'prebuilds', target, 'marekvs.node')

try {
  const r = buildNative()
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const tmp = `${out}.tmp-${process.pid}`
  fs.copyFileSync(r.artifact, tmp)
  // Debug symbols are most of the file; a prebuild does not need them.
  const strip = spawnSync('strip', process.platform === 'darwin' ? ['-x', tmp] : ['--strip-unneeded', tmp], { stdio: 'inherit' })
  if (strip.error || strip.status !== 0) console.warn('marekvs: strip not available or failed; the prebuild keeps its symbols')
  fs.renameSync(tmp, out)
  // A prebuild that does not load is worse than none: check it now.
  const why = addonLoads(out)
  if (why !== null) throw new Error(`${out} was built but does not load: ${why}`)
  const kib = Math.round(fs.statSync(out).size / 1024)
  console.log(`marekvs: prebuild ${path.relative(ROOT, out)} (${kib} KiB)`)
} catch (err) {
  console.error(`marekvs: prebuild failed: ${err.message}`)
  process.exit(1)
}
