// Builds and runs test/native/record-cache.test.cc: the record cache's protocol, one
// interleaving at a time (the threaded test is test/integration/record-cache.test.ts).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.join(__dirname, '..', '..', '..')

describe('record cache protocol (C++)', function () {
  this.timeout(120_000)

  it('refuses stale fills and racing writers\' values, drops deletes, keeps its budget', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-record-cache-'))
    try {
      const exe = path.join(dir, 'record-cache-test')
      const build = spawnSync('g++', ['-std=c++20', '-O1', '-I', path.join(ROOT, 'native/src/store'), path.join(ROOT, 'test/native/record-cache.test.cc'), '-o', exe], { encoding: 'utf8' })
      assert.equal(build.status, 0, build.stderr)
      const run = spawnSync(exe, { encoding: 'utf8' })
      assert.equal(run.status, 0, run.stderr)
      assert.match(run.stdout, /all interleavings hold/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
