#!/usr/bin/env node
'use strict'
// Build the Rust addon (native/) in release mode and install it at
// build/Release/marekvs.node (or --out PATH). Used by `npm run build:native`,
// by scripts/install.js when no prebuild loads, by binding.gyp, and by
// scripts/prebuild.js.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const CRATE_DIR = path.join(ROOT, 'native')
const LIB_NAME = 'marekvs_native'
const DEFAULT_OUT = path.join(ROOT, 'build', 'Release', 'marekvs.node')

function hasCargo() {
  const r = spawnSync('cargo', ['--version'], { encoding: 'utf8' })
  return r.status === 0
}

/** cargo build --release; returns the path of the built cdylib. */
function cargoBuild() {
  const r = spawnSync(
    'cargo',
    ['build', '--release', '--locked', '--message-format=json-render-diagnostics', '--manifest-path', path.join(CRATE_DIR, 'Cargo.toml')],
    { cwd: CRATE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 },
  )
  if (r.error) throw new Error(`cannot run cargo: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`cargo build failed (exit ${r.status})`)
  // The artifact's name differs per platform (.so, .dylib, .dll): ask cargo.
  let artifact = null
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const msg = JSON.parse(line)
    if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === LIB_NAME) {
      artifact = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || artifact
    }
  }
  if (!artifact) throw new Error('cargo build succeeded but reported no cdylib artifact')
  return artifact
}

/**
 * Copy to a temporary name then rename: a process that has the old addon
 * loaded keeps its mapping instead of seeing the file change under it.
 */
function install(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  const tmp = `${to}.tmp-${process.pid}`
  fs.copyFileSync(from, tmp)
  fs.renameSync(tmp, to)
}

function buildNative(out = DEFAULT_OUT) {
  if (!hasCargo()) {
    throw new Error('cargo (Rust) was not found on PATH: install Rust from your package manager or rustup, then retry')
  }
  const started = Date.now()
  const artifact = cargoBuild()
  install(artifact, out)
  return { artifact, out, ms: Date.now() - started }
}

module.exports = { buildNative, hasCargo, install, DEFAULT_OUT }

if (require.main === module) {
  const i = process.argv.indexOf('--out')
  const out = i >= 0 ? path.resolve(process.argv[i + 1]) : DEFAULT_OUT
  try {
    const r = buildNative(out)
    console.log(`marekvs: native addon built in ${(r.ms / 1000).toFixed(1)} s -> ${path.relative(process.cwd(), r.out) || r.out}`)
    // lib/native.ts loads the prebuild first: an older one would hide this
    // build. It is a build output (git-ignored), so drop it and say so.
    const prebuilt = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'marekvs.node')
    if (out === DEFAULT_OUT && fs.existsSync(prebuilt) && fs.statSync(prebuilt).mtimeMs < fs.statSync(out).mtimeMs) {
      fs.rmSync(prebuilt)
      console.log(`marekvs: removed the older ${path.relative(ROOT, prebuilt)}, which would load first ("npm run prebuild" makes a new one)`)
    }
  } catch (err) {
    console.error(`marekvs: ${err.message}`)
    process.exit(1)
  }
}
