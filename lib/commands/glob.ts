// Redis's glob matcher (stringmatchlen of Redis 7.0 util.c), byte for byte: KEYS, SCAN MATCH
// and, later, PSUBSCRIBE and CONFIG GET read patterns through it.
//
//   *        any run of bytes (but see below: never the empty rest of a non-empty string)
//   ?        one byte
//   [abc]    one of; [^abc] none of; [a-z] a range (ends swapped when reversed); \x inside [] is x
//   \x       x literally
//
// Quirks kept on purpose, because a Redis user sees them:
// - bytes compare as C's signed `char`, so a range like [a-\xff] is [\xff-a] (0xff is -1);
// - an unterminated `[` ends the class at the end of the pattern;
// - `*` is tried only against non-empty rests of the string; trailing stars are skipped once
//   the string is used up. So "*" does not match the empty string here: KEYS and SCAN
//   special-case the pattern "*" before calling this (see matchesAll).
//
// Redis recurses once per `*` and prunes with `skipLongerMatches` (CVE-2022-36021). That
// pruning makes the recursion equivalent to the classic loop that backtracks to the most
// recent star only, which is what this does: no recursion, so no pattern can exhaust the
// stack, and the work is O(pattern × string). test/unit/glob.test.ts checks it against a
// literal recursive port.

/** True for the pattern "*": KEYS and SCAN then skip matching (and so return the empty key). */
export function matchesAll(pattern: Buffer): boolean {
  return pattern.length === 1 && pattern[0] === 0x2a
}

const STAR = 0x2a
const QUESTION = 0x3f
const OPEN = 0x5b
const CLOSE = 0x5d
const CARET = 0x5e
const BACKSLASH = 0x5c
const DASH = 0x2d

/** C's `char` on x86/arm64 Linux builds of Redis: signed. */
function signed(byte: number): number {
  return byte > 127 ? byte - 256 : byte
}

/** C locale tolower on a signed char. */
function lowerChar(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c
}

export function globMatch(pattern: Buffer, string: Buffer, nocase = false): boolean {
  const plen = pattern.length
  const slen = string.length
  // The C code reads the NUL terminator past the end; at() does the same.
  const at = (i: number): number => (i < plen ? pattern[i] : 0)
  const same = (a: number, b: number): boolean => (nocase ? lowerChar(a) === lowerChar(b) : a === b)
  let p = 0
  let s = 0
  // The most recent star: the pattern index after it, and the next string index to try it at.
  let starP = -1
  let starS = 0

  for (;;) {
    let failed = false
    // One segment: as the C loop body, until the pattern or the string runs out, a mismatch, or a star.
    while (p < plen && s < slen) {
      const c = pattern[p]
      if (c === STAR) {
        while (p < plen && at(p + 1) === STAR) p++
        if (p === plen - 1) return true
        // Try the rest at s first; later at s+1, s+2... while the string is non-empty.
        starP = p + 1
        starS = s + 1
        p = starP
        continue
      }
      if (c === QUESTION) {
        s++
      } else if (c === OPEN) {
        p++
        const not = at(p) === CARET
        if (not) p++
        let match = false
        for (;;) {
          if (at(p) === BACKSLASH && plen - p >= 2) {
            p++
            if (pattern[p] === string[s]) match = true
          } else if (at(p) === CLOSE) {
            break
          } else if (p >= plen) {
            p--
            break
          } else if (plen - p >= 3 && pattern[p + 1] === DASH) {
            let start = signed(pattern[p])
            let end = signed(pattern[p + 2])
            let ch = signed(string[s])
            if (start > end) [start, end] = [end, start]
            if (nocase) {
              start = lowerChar(start)
              end = lowerChar(end)
              ch = lowerChar(ch)
            }
            p += 2
            if (ch >= start && ch <= end) match = true
          } else if (same(pattern[p], string[s])) {
            match = true
          }
          p++
        }
        if (not) match = !match
        if (!match) {
          failed = true
          break
        }
        s++
      } else {
        if (c === BACKSLASH && plen - p >= 2) p++
        if (!same(pattern[p], string[s])) {
          failed = true
          break
        }
        s++
      }
      p++
      if (s === slen) {
        while (at(p) === STAR && p < plen) p++
        break
      }
    }
    if (!failed && p >= plen && s === slen) return true
    // The segment after the last star failed here: move that star one byte further, while the
    // rest of the string it would hand on is non-empty (Redis's `while (stringLen)`).
    if (starP < 0 || starS >= slen) return false
    p = starP
    s = starS++
  }
}
