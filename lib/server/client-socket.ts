// Client sockets that read into one buffer shared by every connection. Node's own reads
// allocate 64 KiB per read, shrink it to the bytes read, wrap it in an ArrayBuffer and push it
// through a Readable stream; reading into a reused buffer and copying the bytes into Node's
// buffer pool cost 14 % less CPU per unpipelined GET (docs/performance.md, tenth round).
import net from 'node:net'

/** Node's own read size. One buffer serves every socket: a read's bytes are copied out before the next read. */
const sharedReadBuffer = Buffer.allocUnsafeSlow(64 * 1024)

interface HandleHolder {
  _handle: unknown
}

/**
 * A socket that a listener created with `pauseOnConnect` accepted, made over to hand each read
 * to `onData` as its own Buffer. The accepted socket never read; it gives up its handle, so
 * destroying it closes nothing, and the new socket takes the handle over ('end', 'close',
 * pause() and resume() work as on any socket). Node offers the shared buffer (`onread`) only
 * to sockets it constructs, hence the handle's hand-over.
 */
export function adoptAccepted(accepted: net.Socket, onData: (chunk: Buffer) => void): net.Socket {
  const handle = (accepted as unknown as HandleHolder)._handle
  ;(accepted as unknown as HandleHolder)._handle = null
  accepted.destroy()
  const onread: net.OnReadOpts = {
    buffer: sharedReadBuffer,
    callback(bytes: number): boolean {
      // The parser keeps views of its input: they must not see the next read. A small copy is a slice of Node's pool.
      const chunk = Buffer.allocUnsafe(bytes)
      sharedReadBuffer.copy(chunk, 0, 0, bytes)
      onData(chunk)
      return true
    },
  }
  return new net.Socket({ handle, readable: true, writable: true, onread } as net.SocketConstructorOpts)
}
