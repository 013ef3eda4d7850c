// Builds and runs the C++ tests of native/src/store's headers (test/native/*.test.cc): the
// record cache's protocol, one interleaving at a time (the threaded test is
// test/integration/record-cache.test.ts), and the write queue's thread.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.join(__dirname, '..', '..', '..')

/** Build test/native/<name>.test.cc, run it (at most `timeoutMs`: a lost wake-up hangs), and return its output. */
function buildAndRun(name: string, timeoutMs: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `marekvs-${name}-`))
  try {
    const exe = path.join(dir, name)
    const source = path.join(ROOT, 'test/native', `${name}.test.cc`)
    const build = spawnSync('g++', ['-std=c++20', '-O1', '-pthread', '-I', path.join(ROOT, 'native/src/store'), source, '-o', exe], { encoding: 'utf8' })
    assert.equal(build.status, 0, build.stderr)
    const run = spawnSync(exe, { encoding: 'utf8', timeout: timeoutMs })
    assert.equal(run.signal, null, `${name} did not finish within ${timeoutMs} ms`)
    assert.equal(run.status, 0, run.stderr)
    return run.stdout
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe('native store headers (C++)', function () {
  this.timeout(120_000)

  it('record cache: refuses stale fills and racing writers\' values, drops deletes, keeps its budget', () => {
    assert.match(buildAndRun('record-cache', 60_000), /all interleavings hold/)
  })

  it('write queue: lands jobs in order, waiters apply what they wait for, full queues, sleeps and stop', () => {
    assert.match(buildAndRun('write-queue', 30_000), /write queue holds/)
  })
})
