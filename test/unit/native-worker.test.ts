// The addon loads in worker threads, each with its own instance (no Rust
// globals shared between environments), and survives a worker's exit.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { partitionOf, RequestParser } from '../../lib/native'

const NATIVE_JS = path.join(__dirname, '..', '..', 'lib', 'native.js')

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const native = require(workerData.nativeJs)
const parser = new native.RequestParser()
// Leave a partial command buffered: parser state lives in this environment only.
const first = parser.feed(Buffer.from('*2\\r\\n$4\\r\\nECHO\\r\\n$5\\r\\nhel'))
const second = parser.feed(Buffer.from('lo\\r\\n'))
parentPort.postMessage({
  first: first.length,
  argv: second[0].map((b) => b.toString()),
  pid: native.partitionOf(Buffer.from('{user1000}.following')),
  reply: native.encodeReplies([{ t: 'status', v: 'OK' }, 7], 2).toString(),
  float: native.incrByFloat(Buffer.from('10.5'), Buffer.from('0.1')),
})
`

function runWorker(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { nativeJs: NATIVE_JS } })
    w.once('message', (m) => {
      resolve(m as Record<string, unknown>)
      void w.terminate()
    })
    w.once('error', reject)
  })
}

describe('native addon in worker threads', () => {
  it('loads and works in several workers at once', async () => {
    const main = new RequestParser()
    main.feed(Buffer.from('*1\r\n$4\r\nPI'))
    const results = await Promise.all([runWorker(), runWorker(), runWorker()])
    for (const r of results) {
      assert.deepEqual(r, {
        first: 0,
        argv: ['ECHO', 'hello'],
        pid: partitionOf(Buffer.from('user1000')),
        reply: '+OK\r\n:7\r\n',
        float: '10.6',
      })
    }
    // The main thread's parser was untouched by the workers, which have exited.
    assert.deepEqual(main.feed(Buffer.from('NG\r\n')).map((a) => a.map(String)), [['PING']])
  })
})
