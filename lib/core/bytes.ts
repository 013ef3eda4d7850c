// Byte-order comparison of short keys in JS. Buffer.compare is a call into Node's C++ that
// checks and unwraps both views first: ~8 % of the event loop under pipelined LPOP, where a
// pop's walk compares storage keys of ~30 bytes a dozen times (docs/performance.md,
// twenty-sixth round). A loop over the bytes costs less for keys this short.

/** Negative, zero or positive as `a` sorts before, with or after `b` (Buffer.compare's order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i]
    if (d !== 0) return d
  }
  return a.length - b.length
}
