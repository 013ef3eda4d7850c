// A full disk: RocksDB's write error becomes an error reply and a metric; the node keeps
// serving reads and PING, and nothing it acknowledged is lost. Needs root (a small tmpfs).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { RawClient } from '../support/resp'
import { startMarekvs, tempDir } from '../support/servers'

describe('disk full', function () {
  this.timeout(180000)

  it('answers writes with a storage error, counts them, keeps serving', async () => {
    const mountPoint = tempDir('marekvs-tiny-')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint])
    try {
      const server = await startMarekvs({ dataDir: `${mountPoint}/data` })
      try {
        const client = await RawClient.connect(server.port)
        const value = randomBytes(1024 * 1024)
        let acknowledged = 0
        let failure = null
        for (let i = 0; i < 64 && failure === null; i++) {
          const reply = await client.call('SET', `k${i}`, value)
          if (reply.type === 'status') acknowledged++
          else failure = reply
        }
        assert.ok(failure !== null && failure.type === 'error', 'a 24 MB disk must fill up')
        assert.match(failure.value, /^ERR storage error: .*No space left on device/)
        assert.deepEqual(await client.call('PING'), { type: 'status', value: 'PONG' })
        assert.deepEqual(await client.call('STRLEN', 'k0'), { type: 'int', value: BigInt(value.length) })
        assert.deepEqual(await client.call('EXISTS', `k${acknowledged - 1}`), { type: 'int', value: 1n })
        const info = await client.call('INFO', 'persistence')
        assert.ok(info.type === 'bulk' && /marekvs_storage_errors:[1-9]/.test(info.value), 'INFO counts the failed write')
        client.close()
      } finally {
        await server.stop('SIGKILL')
      }
    } finally {
      execFileSync('umount', [mountPoint])
      rmSync(mountPoint, { recursive: true, force: true })
    }
  })
})
