// CRC-64/Jones as Redis computes it (crc64.c): reflected, polynomial 0xad93d23594c935a9, initial
// value 0, no final xor. An RDB file ends with it, little-endian, over every byte before it.
//
// JS has no fast 64-bit integer, so the register is two 32-bit halves and the table is split
// the same way: one table step per byte, no BigInt on the way.

// The reflected polynomial (bit-reversed 0xad93d23594c935a9), as high and low halves.
const POLY_HI = 0x95ac9329
const POLY_LO = 0xac4bc9b5

const TABLE_HI = new Uint32Array(256)
const TABLE_LO = new Uint32Array(256)
for (let i = 0; i < 256; i++) {
  let hi = 0
  let lo = i
  for (let bit = 0; bit < 8; bit++) {
    const odd = lo & 1
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
    hi = hi >>> 1
    if (odd) {
      hi = (hi ^ POLY_HI) >>> 0
      lo = (lo ^ POLY_LO) >>> 0
    }
  }
  TABLE_HI[i] = hi
  TABLE_LO[i] = lo
}

/** A running CRC-64/Jones: feed bytes with update, read the value with value(). */
export class Crc64 {
  private hi = 0
  private lo = 0

  update(bytes: Uint8Array): void {
    let hi = this.hi
    let lo = this.lo
    for (let i = 0; i < bytes.length; i++) {
      const index = (lo ^ bytes[i]) & 0xff
      lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]) >>> 0
      hi = ((hi >>> 8) ^ TABLE_HI[index]) >>> 0
    }
    this.hi = hi
    this.lo = lo
  }

  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo)
  }
}

export function crc64(bytes: Uint8Array): bigint {
  const crc = new Crc64()
  crc.update(bytes)
  return crc.value()
}
