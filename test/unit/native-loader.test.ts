// The loader's order and its failure message (every path tried, and why).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { nativeCandidates } from '../../lib/native'

const NATIVE_JS = path.join(__dirname, '..', '..', 'lib', 'native.js')

describe('native loader', () => {
  it('tries the override, then the prebuild, then build/Release', () => {
    const root = path.join(__dirname, '..', '..', '..')
    assert.deepEqual(nativeCandidates({ MAREKVS_NATIVE_PATH: '/x/y.node' }), [
      '/x/y.node',
      path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'marekvs.node'),
      path.join(root, 'build', 'Release', 'marekvs.node'),
    ])
    assert.equal(nativeCandidates({}).length, 2)
  })

  it('names every path it tried when none loads', () => {
    // A package root with the compiled loader and no addon at all.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-loader-'))
    try {
      fs.mkdirSync(path.join(root, 'dist', 'lib'), { recursive: true })
      fs.copyFileSync(NATIVE_JS, path.join(root, 'dist', 'lib', 'native.js'))
      const bogus = path.join(root, 'bogus.node')
      fs.writeFileSync(bogus, 'not an addon')
      const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'dist', 'lib', 'native.js'))})`], {
        encoding: 'utf8',
        env: { ...process.env, MAREKVS_NATIVE_PATH: bogus },
      })
      assert.notEqual(r.status, 0)
      assert.match(r.stderr, /cannot load the native addon; tried:/)
      const bogusLine = r.stderr.split('\n').find((l) => l.includes(`${bogus}: `))
      assert.ok(bogusLine && !bogusLine.endsWith('not found'), r.stderr) // the loader's own reason
      assert.ok(r.stderr.includes(`${path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'marekvs.node')}: not found`), r.stderr)
      assert.ok(r.stderr.includes(`${path.join(root, 'build', 'Release', 'marekvs.node')}: not found`), r.stderr)
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  })
})
