import assert from 'node:assert/strict'
import { globMatch, matchesAll } from '../../lib/commands/glob'

/**
 * A literal port of Redis 7.0's recursive stringmatchlen_impl (util.c), NUL-terminated reads
 * included, as the reference the loop in lib/commands/glob.ts must agree with.
 */
function reference(pattern: Buffer, string: Buffer, nocase: boolean): boolean {
  const pz = Buffer.concat([pattern, Buffer.from([0])])
  const sz = Buffer.concat([string, Buffer.from([0])])
  const sc = (b: number): number => (b > 127 ? b - 256 : b)
  const low = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c)
  const skip = { v: false }
  function impl(p: number, plen: number, s: number, slen: number): boolean {
    while (plen && slen) {
      switch (pz[p]) {
        case 0x2a: {
          while (plen && pz[p + 1] === 0x2a) { p++; plen-- }
          if (plen === 1) return true
          while (slen) {
            if (impl(p + 1, plen - 1, s, slen)) return true
            if (skip.v) return false
            s++; slen--
          }
          skip.v = true
          return false
        }
        case 0x3f:
          s++; slen--
          break
        case 0x5b: {
          p++; plen--
          const not = pz[p] === 0x5e
          if (not) { p++; plen-- }
          let match = false
          for (;;) {
            if (pz[p] === 0x5c && plen >= 2) {
              p++; plen--
              if (pz[p] === sz[s]) match = true
            } else if (pz[p] === 0x5d) {
              break
            } else if (plen === 0) {
              p--; plen++
              break
            } else if (plen >= 3 && pz[p + 1] === 0x2d) {
              let start = sc(pz[p]); let end = sc(pz[p + 2]); let c = sc(sz[s])
              if (start > end) [start, end] = [end, start]
              if (nocase) { start = low(start); end = low(end); c = low(c) }
              p += 2; plen -= 2
              if (c >= start && c <= end) match = true
            } else if (nocase ? low(pz[p]) === low(sz[s]) : pz[p] === sz[s]) {
              match = true
            }
            p++; plen--
          }
          if (not) match = !match
          if (!match) return false
          s++; slen--
          break
        }
        default:
          if (pz[p] === 0x5c && plen >= 2) { p++; plen-- }
          if (nocase ? low(pz[p]) !== low(sz[s]) : pz[p] !== sz[s]) return false
          s++; slen--
      }
      p++; plen--
      if (slen === 0) {
        while (pz[p] === 0x2a) { p++; plen-- }
        break
      }
    }
    return plen === 0 && slen === 0
  }
  return impl(0, pattern.length, 0, string.length)
}

const m = (pattern: string, string: string, nocase = false): boolean => globMatch(Buffer.from(pattern, 'latin1'), Buffer.from(string, 'latin1'), nocase)

describe('glob (Redis stringmatchlen)', () => {
  it('matches the documented forms', () => {
    assert.equal(m('h?llo', 'hello'), true)
    assert.equal(m('h?llo', 'hllo'), false)
    assert.equal(m('h*llo', 'hllo'), true)
    assert.equal(m('h*llo', 'heeeello'), true)
    assert.equal(m('h[ae]llo', 'hallo'), true)
    assert.equal(m('h[ae]llo', 'hillo'), false)
    assert.equal(m('h[^e]llo', 'hallo'), true)
    assert.equal(m('h[^e]llo', 'hello'), false)
    assert.equal(m('h[a-b]llo', 'hbllo'), true)
    assert.equal(m('h[a-b]llo', 'hcllo'), false)
    assert.equal(m('h[b-a]llo', 'hallo'), true, 'reversed ranges are swapped')
    assert.equal(m('h\\*llo', 'h*llo'), true)
    assert.equal(m('h\\*llo', 'hello'), false)
    assert.equal(m('[\\]]', ']'), true)
    assert.equal(m('a*', 'a'), true)
    assert.equal(m('a**', 'a'), true)
    assert.equal(m('*a', 'a'), true)
    assert.equal(m('*', 'anything'), true)
  })

  it('keeps Redis quirks', () => {
    assert.equal(m('*', ''), false, 'a star never matches the empty string: KEYS special-cases "*"')
    assert.equal(m('', ''), true)
    assert.equal(m('[abc', 'a'), true, 'an unterminated class ends at the end of the pattern')
    assert.equal(m('[abc', 'd'), false)
    assert.equal(m('\\', '\\'), true, 'a trailing backslash is literal')
    assert.equal(m('[a-\xff]', '\x80'), false, '0xff is -1 as a signed char: [a-\\xff] is [-1..97]')
    assert.equal(m('[a-\xff]', '\xff'), true)
    assert.equal(m('[a-\xff]', '0'), true)
    assert.equal(m('[a-\xff]', 'b'), false)
    assert.equal(m('HELLO', 'hello', true), true)
    assert.equal(m('HELLO', 'hello'), false)
    assert.equal(matchesAll(Buffer.from('*')), true)
    assert.equal(matchesAll(Buffer.from('**')), false)
  })

  it('finishes quickly on patterns that are exponential for naive backtracking', () => {
    const pattern = Buffer.from('*a'.repeat(30) + 'b')
    const string = Buffer.from('a'.repeat(5000))
    const start = Date.now()
    assert.equal(globMatch(pattern, string), false)
    assert.ok(Date.now() - start < 1000)
    // Deep star nesting does not exhaust the stack (there is no recursion).
    assert.equal(globMatch(Buffer.from('*a'.repeat(50_000)), Buffer.from('a'.repeat(50_000))), true)
  })

  it('agrees with a literal port of the recursive original on random inputs', () => {
    // A small alphabet so that patterns and strings interact; a seeded LCG keeps failures reproducible.
    let seed = 12345
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const patternBytes = [0x61, 0x62, 0x41, 0x2a, 0x3f, 0x5b, 0x5d, 0x5e, 0x2d, 0x5c, 0xff, 0x00]
    const stringBytes = [0x61, 0x62, 0x41, 0x2a, 0x5d, 0x2d, 0xff, 0x00, 0x5c]
    for (let n = 0; n < 200_000; n++) {
      const pattern = Buffer.from(Array.from({ length: rand(9) }, () => patternBytes[rand(patternBytes.length)]))
      const string = Buffer.from(Array.from({ length: rand(8) }, () => stringBytes[rand(stringBytes.length)]))
      const nocase = rand(4) === 0
      const want = reference(pattern, string, nocase)
      assert.equal(globMatch(pattern, string, nocase), want, `pattern ${JSON.stringify(pattern.toString('latin1'))} string ${JSON.stringify(string.toString('latin1'))} nocase ${nocase}`)
    }
  })
})
