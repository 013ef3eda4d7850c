// LZF decompression (liblzf's lzf_d.c format), as Redis uses it for RDB strings: RDB files, FUNCTION DUMP payloads.
//
// The stream is a run of items, each starting with a control byte:
//   000LLLLL                 a literal run of L+1 bytes follows
//   LLLooooo [L] oooooooo    a back-reference: length 2 + (L, or 7 + the next byte when L is 7),
//                            from (o + 1) bytes back in the output

export class LzfError extends Error {}

/** `input` decompressed into exactly `outputLength` bytes; anything else is corrupt input. */
export function lzfDecompress(input: Uint8Array, outputLength: number): Buffer {
  const out = Buffer.allocUnsafe(outputLength)
  let ip = 0
  let op = 0
  while (ip < input.length) {
    const ctrl = input[ip++]
    if (ctrl < 32) {
      const length = ctrl + 1
      if (ip + length > input.length) throw new LzfError('LZF literal runs past the input')
      if (op + length > outputLength) throw new LzfError('LZF output longer than declared')
      out.set(input.subarray(ip, ip + length), op)
      ip += length
      op += length
      continue
    }
    let length = ctrl >>> 5
    let ref = op - ((ctrl & 0x1f) << 8) - 1
    if (length === 7) {
      if (ip >= input.length) throw new LzfError('LZF back-reference cut short')
      length += input[ip++]
    }
    if (ip >= input.length) throw new LzfError('LZF back-reference cut short')
    ref -= input[ip++]
    length += 2
    if (ref < 0) throw new LzfError('LZF back-reference before the start of the output')
    if (op + length > outputLength) throw new LzfError('LZF output longer than declared')
    // Byte by byte: a reference may overlap the bytes it produces (a repeated run).
    for (let i = 0; i < length; i++) out[op++] = out[ref++]
  }
  if (op !== outputLength) throw new LzfError(`LZF output is ${op} bytes, ${outputLength} declared`)
  return out
}
