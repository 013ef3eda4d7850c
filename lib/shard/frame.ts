// The batch a shard receives per turn, packed into one transferable buffer:
//   u32 count, then per command: u8 proto (0 = reply as values, 2, 3), u32 argc, (u32 len, bytes)*
// One copy of the arguments, no structured clone of Buffer views, one transfer.

export interface FramedCommand {
  readonly proto: 0 | 2 | 3
  readonly argv: Buffer[]
  /** The command argv[0] names, when the sender already looked it up (not carried in a frame). */
  readonly command?: object
}

export function packFrame(commands: readonly FramedCommand[]): Buffer {
  let size = 4
  for (const { argv } of commands) {
    size += 5
    for (const arg of argv) size += 4 + arg.length
  }
  const frame = Buffer.allocUnsafeSlow(size)
  let at = frame.writeUInt32LE(commands.length, 0)
  for (const { proto, argv } of commands) {
    at = frame.writeUInt8(proto, at)
    at = frame.writeUInt32LE(argv.length, at)
    for (const arg of argv) {
      at = frame.writeUInt32LE(arg.length, at)
      at += arg.copy(frame, at)
    }
  }
  return frame
}

/** Views into `frame`; nothing is copied. */
export function unpackFrame(frame: Buffer): FramedCommand[] {
  const count = frame.readUInt32LE(0)
  const commands: FramedCommand[] = new Array(count)
  let at = 4
  for (let c = 0; c < count; c++) {
    const proto = frame[at] as 0 | 2 | 3
    const argc = frame.readUInt32LE(at + 1)
    at += 5
    const argv: Buffer[] = new Array(argc)
    for (let i = 0; i < argc; i++) {
      const length = frame.readUInt32LE(at)
      argv[i] = frame.subarray(at + 4, at + 4 + length)
      at += 4 + length
    }
    commands[c] = { proto, argv }
  }
  return commands
}
