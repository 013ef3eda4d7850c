// While reads are cold, a lane's read-only batches read ahead beside each other (Engine.
// mayReadBeside). A GET that meets an expired key deletes it, so a read-only batch can write:
// one that read its records before another batch of its lane wrote must read them again, or it
// deletes the key a second time (DBSIZE and expired_keys would count it twice).
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { Marekvs, startMarekvs } from '../support/servers'

describe('read-only batches reading ahead beside each other', function () {
  this.timeout(60_000)
  let server: Marekvs
  before(async () => {
    // One lane, so every batch reads beside the others of the same lane.
    server = await startMarekvs({ env: { MAREKVS_INLINE_BATCHES: 'cold', MAREKVS_SHARDS: '1' } })
  })
  after(async () => {
    await server?.stop()
  })

  it('expire each key met expired once, however many batches read it at once', async () => {
    const setup = new Redis(server.port)
    const keys = 300
    const phases = 6
    const kept = setup.pipeline()
    for (let i = 0; i < keys; i++) kept.set(`kept:${i}`, `v${i}`)
    await kept.exec()
    const clients = Array.from({ length: 20 }, () => new Redis(server.port))
    try {
      // Each phase's keys expire before its reads: the first batches to meet one delete it.
      for (let phase = 0; phase < phases; phase++) {
        const writes = setup.pipeline()
        for (let i = 0; i < keys; i++) writes.set(`gone:${phase}:${i}`, 'x', 'PX', 20)
        await writes.exec()
        await new Promise((resolve) => setTimeout(resolve, 40))
        await Promise.all(clients.map(async (client, c) => {
          const reads = client.pipeline()
          const names: string[] = []
          // Each client in its own order, so the lane's batches overlap on the same keys.
          for (let i = 0; i < keys * 2; i++) {
            const n = (i * 7 + c * 13) % keys
            names.push(i % 2 === 0 ? `gone:${phase}:${n}` : `kept:${n}`)
          }
          for (const name of names) reads.get(name)
          const replies = await reads.exec()
          replies!.forEach(([err, value], i) => {
            assert.equal(err, null)
            assert.equal(value, names[i].startsWith('gone:') ? null : `v${names[i].slice(5)}`, names[i])
          })
        }))
        assert.equal(await setup.dbsize(), keys, `phase ${phase}`)
      }
      const stats = await setup.info('stats')
      assert.match(stats, new RegExp(`expired_keys:${keys * phases}\r\n`))
    } finally {
      for (const client of clients) client.disconnect()
      setup.disconnect()
    }
  })
})
