// lib/merge/ is pure (STYLE.md "Boundaries"): no IO, no clock, no native addon at run time. The
// compiled modules may require only each other, the layout constants and the argument parser.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const ALLOWED = new Set(['../storage/layout', '../commands/args'])

describe('lib/merge purity', () => {
  it('requires no IO module, no addon and no clock', () => {
    const dir = join(__dirname, '../../lib/merge')
    const files = readdirSync(dir).filter((f) => f.endsWith('.js'))
    assert.ok(files.length >= 7)
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8')
      for (const [, name] of source.matchAll(/require\("([^"]+)"\)/g)) assert.ok(name.startsWith('./') || ALLOWED.has(name), `${file} requires ${name}`)
      assert.doesNotMatch(source, /Date\.now|Math\.random|process\./, file)
    }
  })
})
