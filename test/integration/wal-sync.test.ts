// The WAL syncer (lib/storage/wal-sync.ts, the addon's WalSyncer): on a real RocksDB database,
// what it syncs (strace), how it reports requests, and its errors.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { Store } from '../../lib/storage/store'
import { WalSync } from '../../lib/storage/wal-sync'
import { inTempDir, syncWalOnce } from '../support/store'

/** A WalSync of `store` whose reports the test reads, in the order they came. */
function recording(store: Store): { sync: WalSync; reports: Array<{ request: number; err: Error | null }>; next: () => Promise<void> } {
  const reports: Array<{ request: number; err: Error | null }> = []
  let wake = (): void => {}
  const sync = new WalSync(store.handle.handle, (request, err) => {
    reports.push({ request, err })
    wake()
  })
  const next = (): Promise<void> => new Promise((resolve) => {
    wake = resolve
  })
  return { sync, reports, next }
}

describe('WAL sync beside RocksDB', () => {
  it('a request fdatasyncs the live WAL file, and its directory the first time (strace)', async function () {
    if (spawnSync('strace', ['-V']).status !== 0) throw new Error('strace is required for this test (apt-get install strace)')
    await inTempDir(async (dir) => {
      // Between two fdatasyncs of a marker file: what one WalSync request syncs, or, without
      // one, what nothing does.
      const script = (requests: number): string => `
        const fs = require('node:fs')
        const { Store } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'storage', 'store'))})
        const { syncWalOnce } = require(${JSON.stringify(path.join(__dirname, '..', 'support', 'store'))})
        ;(async () => {
          const store = await Store.open(${JSON.stringify(path.join(dir, `db${requests}`))})
          const marker = fs.openSync(${JSON.stringify(path.join(dir, 'marker'))}, 'w')
          fs.fdatasyncSync(marker)
          for (let i = 0; i < ${requests}; i++) {
            store.write([{ column: 'meta', key: Buffer.from('k' + i), value: Buffer.from('v') }], false)
            await syncWalOnce(store)
          }
          fs.fdatasyncSync(marker)
          await store.close()
        })()`
      const synced = (requests: number): string[] => {
        const trace = path.join(dir, `trace${requests}`)
        const run = spawnSync('strace', ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, '-e', script(requests)], { encoding: 'utf8' })
        assert.equal(run.status, 0, run.stderr)
        const calls = readFileSync(trace, 'utf8').split('\n').map((line) => /\b(fsync|fdatasync)\(\d+<([^>]*)>/.exec(line)).filter((m) => m !== null)
        const marks = calls.flatMap((m, i) => (m[2].endsWith('marker') ? [i] : []))
        assert.equal(marks.length, 2, 'both marker syncs traced')
        return calls.slice(marks[0] + 1, marks[1]).map((m) => `${m[1]} ${path.basename(m[2]).replace(/^\d+\.log$/, '<n>.log')}`)
      }
      assert.deepEqual(synced(0), [], 'nothing syncs the WAL unasked')
      assert.deepEqual(synced(2), ['fdatasync <n>.log', 'fsync db2', 'fdatasync <n>.log'], 'a new WAL file: its data, then its directory entry; then its data alone')
    })
  })

  it('reports every request, in order; requests asked while a sync runs share the next', async () => {
    await inTempDir(async (dir) => {
      const store = await Store.open(path.join(dir, 'db'))
      const { sync, reports, next } = recording(store)
      try {
        store.write([{ column: 'meta', key: Buffer.from('k'), value: Buffer.from('v') }], false)
        assert.equal(sync.request(), 1)
        await next()
        assert.deepEqual(reports, [{ request: 1, err: null }])
        // Asked for while one runs, they share the next: the reports may skip numbers, never go back.
        const asked = [sync.request(), sync.request(), sync.request()]
        assert.deepEqual(asked, [2, 3, 4])
        while (reports[reports.length - 1].request < 4) await next()
        const numbers = reports.map((r) => r.request)
        assert.deepEqual([...numbers].sort((a, b) => a - b), numbers)
        assert.equal(new Set(numbers).size, numbers.length)
        assert.ok(reports.length <= 4, `${reports.length} reports for 4 requests`)
        assert.ok(reports.every((r) => r.err === null))
      } finally {
        sync.close()
        await store.close()
      }
    })
  })

  it('close syncs what was asked before it ends, and the report still comes', async () => {
    await inTempDir(async (dir) => {
      const store = await Store.open(path.join(dir, 'db'))
      const { sync, reports, next } = recording(store)
      const reported = next()
      sync.request()
      sync.close()
      await reported
      assert.deepEqual(reports, [{ request: 1, err: null }])
      assert.throws(() => sync.request(), /the WAL syncer is closed/)
      await store.close()
    })
  })

  it('reports the error when the store is closed', async () => {
    await inTempDir(async (dir) => {
      const store = await Store.open(path.join(dir, 'db'))
      const { sync, reports, next } = recording(store)
      await store.close()
      const reported = next()
      sync.request()
      await reported
      sync.close()
      assert.equal(reports[0].request, 1)
      assert.match(reports[0].err?.message ?? '', /database is closed/)
    })
  })

  it('a column written once does not keep old WAL files past the memtables\' budget', async function () {
    this.timeout(120_000)
    await inTempDir(async (dir) => {
      const location = path.join(dir, 'db')
      const store = await Store.open(location)
      try {
        // `members` gets one write, in the first WAL file; then 320 MiB go to `meta`. RocksDB's
        // default cap would keep every file since (four times the memtables, ~890 MiB); the
        // store's cap is the columns' memtable budgets, 148 MiB.
        store.write([{ column: 'members', key: Buffer.from('once'), value: Buffer.from('v') }], false)
        const value = Buffer.alloc(256 * 1024, 'x')
        for (let i = 0; i < 1280; i++) store.write([{ column: 'meta', key: Buffer.from(`big${i}`), value }], false)
        await syncWalOnce(store)
        // Obsolete files go in the background (a file listed may be gone by its stat): wait up to 10 s for them.
        const walBytes = (): number => readdirSync(location)
          .filter((f) => f.endsWith('.log'))
          .reduce((sum, f) => sum + (statSync(path.join(location, f), { throwIfNoEntry: false })?.size ?? 0), 0)
        const limit = 200 * 1024 * 1024
        const deadline = Date.now() + 10_000
        while (walBytes() >= limit && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
        assert.ok(walBytes() < limit, `WAL files hold ${Math.round(walBytes() / 1024 / 1024)} MiB`)
        assert.deepEqual(store.get('members', Buffer.from('once')), Buffer.from('v'), 'the early write is kept, flushed')
      } finally {
        await store.close()
      }
    })
  })

  it('a store handle is required', () => {
    assert.throws(() => new WalSync(0n, () => {}), /not a store handle/)
  })
})
