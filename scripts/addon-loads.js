'use strict'
// Whether an addon file loads, checked in a child process so a broken binary cannot take the
// caller down. The marekvs addon links against the RocksDB of @nxtedition/rocksdb's addon, so
// the child loads that one first with its symbols global, as lib/native.ts does.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')

const PROGRAM = `
const os = require('node:os')
const path = require('node:path')
const [root, file] = process.argv.slice(1)
const dir = path.dirname(require.resolve('@nxtedition/rocksdb/package.json', { paths: [root] }))
const nodeGypBuild = require(require.resolve('node-gyp-build', { paths: [dir] }))
process.dlopen({ exports: {} }, nodeGypBuild.path(dir), os.constants.dlopen.RTLD_LAZY | os.constants.dlopen.RTLD_GLOBAL)
require(file)
`

/** null when `file` loads; otherwise why not (the error's first line). */
function addonLoads(file) {
  const r = spawnSync(process.execPath, ['-e', PROGRAM, ROOT, file], { encoding: 'utf8' })
  if (r.status === 0) return null
  return (r.stderr || '').split('\n').find((l) => /Error/.test(l)) || `exit ${r.status}`
}

module.exports = { addonLoads }
