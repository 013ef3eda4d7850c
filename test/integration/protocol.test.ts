// Bad input and abusive clients against a real server process: protocol errors close only
// the offending connection, with Redis's wording; nothing crashes; other clients carry on.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { connect } from 'node:net'
import { Marekvs, startMarekvs } from '../support/servers'
import { encodeCommand, RawClient } from '../support/resp'

describe('protocol and bad input', function () {
  this.timeout(180000)
  let server: Marekvs
  before(async () => {
    server = await startMarekvs()
  })
  after(async () => {
    assert.equal(await server.stop(), 0, server.output())
  })

  const protocolErrors: Array<[string, string]> = [
    ['*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*2000000\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\r\nx3\r\nfoo\r\n', "ERR Protocol error: expected '$', got 'x'"],
    ['*1\r\n$-5\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$999999999999\r\n', 'ERR Protocol error: invalid bulk length'],
    ['SET "a b\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ]
  for (const [bytes, message] of protocolErrors) {
    it(`answers ${JSON.stringify(bytes)} with "${message}" and closes`, async () => {
      const client = await RawClient.connect(server.port)
      client.sendRaw(bytes)
      assert.deepEqual(await client.read(), { type: 'error', value: message })
      assert.ok(await client.closedByServer(), 'connection should be closed after a protocol error')
    })
  }

  it('runs the commands before a protocol error, then answers it', async () => {
    const client = await RawClient.connect(server.port)
    client.sendRaw('*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$1\r\n1\r\n*x\r\n')
    assert.deepEqual(await client.read(), { type: 'status', value: 'OK' })
    assert.deepEqual(await client.read(), { type: 'error', value: 'ERR Protocol error: invalid multibulk length' })
    const other = await RawClient.connect(server.port)
    assert.deepEqual(await other.call('GET', 'before'), { type: 'bulk', value: '1' })
    other.close()
  })

  it('accepts inline commands and a command split into single bytes', async () => {
    const client = await RawClient.connect(server.port)
    client.sendRaw('SET inline "hello world"\r\n')
    assert.deepEqual(await client.read(), { type: 'status', value: 'OK' })
    const bytes = Buffer.from('*2\r\n$3\r\nGET\r\n$6\r\ninline\r\n')
    for (const byte of bytes) {
      client.sendRaw(Buffer.from([byte]))
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.deepEqual(await client.read(), { type: 'bulk', value: 'hello world' })
    client.close()
  })

  it('answers inline lines of empty arguments as unknown commands', async () => {
    const client = await RawClient.connect(server.port)
    client.sendRaw("''\r\n'' ''\r\n")
    assert.deepEqual(await client.read(), { type: 'error', value: "ERR unknown command '', with args beginning with: " })
    assert.deepEqual(await client.read(), { type: 'error', value: "ERR unknown command '', with args beginning with: '' " })
    assert.deepEqual(await client.call('PING'), { type: 'status', value: 'PONG' })
    client.close()
  })

  it('keeps arguments held across reads intact while other clients send (reads share one buffer)', async () => {
    const holder = await RawClient.connect(server.port)
    const other = await RawClient.connect(server.port)
    assert.deepEqual(await holder.call('MULTI'), { type: 'status', value: 'OK' })
    // MULTI holds these arguments until EXEC, many reads later.
    assert.deepEqual(await holder.call('SET', 'held:a', 'the value of a'), { type: 'status', value: 'QUEUED' })
    for (let i = 0; i < 20; i++) assert.deepEqual(await other.call('SET', `filler:${i}`, randomBytes(30_000).toString('hex')), { type: 'status', value: 'OK' })
    assert.deepEqual(await holder.call('SET', 'held:b', 'the value of b'), { type: 'status', value: 'QUEUED' })
    assert.deepEqual(await holder.call('EXEC'), { type: 'array', value: [{ type: 'status', value: 'OK' }, { type: 'status', value: 'OK' }] })
    assert.deepEqual(await other.call('MGET', 'held:a', 'held:b'), { type: 'array', value: [{ type: 'bulk', value: 'the value of a' }, { type: 'bulk', value: 'the value of b' }] })
    holder.close()
    other.close()
  })

  it('answers a deep pipeline in order', async () => {
    const client = await RawClient.connect(server.port)
    const parts: string[] = []
    for (let i = 0; i < 2000; i++) parts.push(`*3\r\n$3\r\nSET\r\n$${String(i).length + 2}\r\np:${i}\r\n$${String(i).length}\r\n${i}\r\n`, `*2\r\n$3\r\nGET\r\n$${String(i).length + 2}\r\np:${i}\r\n`)
    client.sendRaw(parts.join(''))
    for (let i = 0; i < 2000; i++) {
      assert.deepEqual(await client.read(), { type: 'status', value: 'OK' })
      assert.deepEqual(await client.read(), { type: 'bulk', value: String(i) })
    }
    client.close()
  })

  it('survives random garbage from many clients and keeps serving', async () => {
    for (let round = 0; round < 50; round++) {
      const client = await RawClient.connect(server.port)
      client.sendRaw(randomBytes(1 + (round * 97) % 4096))
      client.close()
    }
    const client = await RawClient.connect(server.port)
    assert.deepEqual(await client.call('PING'), { type: 'status', value: 'PONG' })
    client.close()
    assert.equal(server.proc.exitCode, null)
  })

  it('limits unauthenticated clients to small requests when requirepass is set', async () => {
    const guarded = await startMarekvs({ env: { MAREKVS_REQUIREPASS: 'secret' } })
    try {
      const client = await RawClient.connect(guarded.port)
      assert.deepEqual(await client.call('GET', 'k'), { type: 'error', value: 'NOAUTH Authentication required.' })
      client.sendRaw('*20\r\n')
      assert.deepEqual(await client.read(), { type: 'error', value: 'ERR Protocol error: unauthenticated multibulk length' })
      assert.ok(await client.closedByServer())
    } finally {
      await guarded.stop()
    }
  })

  it('stops reading from a client that pipelines without reading, without growing without bound', async () => {
    const client = await RawClient.connect(server.port)
    client.socket.pause()
    const value = 'x'.repeat(64 * 1024)
    await new Promise<void>((resolve) => client.socket.write(Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n${value}\r\n`), () => resolve()))
    const get = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n')
    // ~3 GB of replies requested; the server must push back instead of buffering them.
    let written = 0
    const deadline = Date.now() + 3000
    while (Date.now() < deadline && written < 50000) {
      if (!client.socket.write(get)) await Promise.race([new Promise((resolve) => client.socket.once('drain', resolve)), new Promise((resolve) => setTimeout(resolve, 200))])
      written++
    }
    const other = await RawClient.connect(server.port)
    assert.deepEqual(await other.call('PING'), { type: 'status', value: 'PONG' })
    other.close()
    client.close()
    const rssMb = Number((await import('node:fs')).readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024
    assert.ok(rssMb < 1024, `server RSS ${rssMb} MB`)
  })

  /** The chunks a raw connection receives for `commands` sent in one write, until `expected` bytes came. */
  async function chunksOf(commands: string[][], expected: string): Promise<Buffer[]> {
    const socket = connect(server.port, '127.0.0.1')
    try {
      await once(socket, 'connect')
      const chunks: Buffer[] = []
      let received = 0
      const done = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        received += chunk.length
        if (received >= expected.length) resolve()
      }))
      socket.write(Buffer.concat(commands.map(encodeCommand)))
      await done
      assert.equal(Buffer.concat(chunks).toString(), expected)
      return chunks
    } finally {
      socket.destroy()
    }
  }

  it('answers a pipelined MULTI ... EXEC in one write, as Redis writes a turn\'s replies (and PING before a GET)', async () => {
    // One write holds while the EXEC runs inline, which stops for a while after slow reads (a
    // GC pause in one, on a loaded machine: engine/inline-policy.ts). So reads are warmed first,
    // and each round has three tries; replies written apart come as two chunks every time.
    const client = await RawClient.connect(server.port)
    for (let i = 0; i < 200; i++) await client.call('GET', 'tx:warm')
    client.close()
    let counter = 0
    for (let round = 0; round < 5; round++) {
      const tries: number[] = []
      for (let attempt = 0; attempt < 3 && tries.at(-1) !== 1; attempt++) {
        counter++
        tries.push((await chunksOf([['MULTI'], ['SET', 'tx:a', 'v'], ['INCR', 'tx:n'], ['EXEC']], `+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:${counter}\r\n`)).length)
      }
      assert.equal(tries.at(-1), 1, `round ${round}: ${tries.join(', ')} chunks`)
    }
    const tries: number[] = []
    for (let attempt = 0; attempt < 3 && tries.at(-1) !== 1; attempt++) tries.push((await chunksOf([['PING'], ['GET', 'tx:a']], '+PONG\r\n$1\r\nv\r\n')).length)
    assert.equal(tries.at(-1), 1, `PING then GET: ${tries.join(', ')} chunks`)
  })

  it('writes the replies ready before a blocked command without waiting for it', async () => {
    const socket = connect(server.port, '127.0.0.1')
    try {
      await once(socket, 'connect')
      socket.write(Buffer.concat([encodeCommand(['PING']), encodeCommand(['BLPOP', 'protocol:empty', '0'])]))
      const [chunk] = (await once(socket, 'data')) as [Buffer]
      assert.equal(chunk.toString(), '+PONG\r\n')
    } finally {
      socket.destroy()
    }
  })

  it('resumes parsed commands held back by a full output buffer once it drains', async () => {
    const client = await RawClient.connect(server.port)
    try {
      await client.call('SET', 'big100k', 'x'.repeat(100 * 1024))
      client.socket.pause()
      client.sendRaw(Buffer.concat(Array.from({ length: 1500 }, () => encodeCommand(['GET', 'big100k']))))
      await new Promise((resolve) => setTimeout(resolve, 1000))
      client.socket.resume()
      for (let i = 0; i < 1500; i++) assert.equal((await client.read()).type, 'bulk')
    } finally {
      client.close()
    }
  })
})
