// The WAL syncer (lib/storage/wal-sync.ts, the addon's syncWalFiles): which files it syncs, on a
// real RocksDB directory and on a made-up one, and its errors.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { syncWalFiles } from '../../lib/native'
import { Store } from '../../lib/storage/store'
import { WalSync } from '../../lib/storage/wal-sync'
import { tempDir } from '../support/servers'

describe('WAL sync beside RocksDB', () => {
  let dir: string
  beforeEach(() => {
    dir = tempDir('marekvs-wal-')
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('syncs exactly the <digits>.log files of a directory', async () => {
    for (const name of ['000007.log', '000012.log', 'LOG', 'LOG.old.1700000000', '000009.sst', 'MANIFEST-000005', 'x1.log', '.log']) {
      writeFileSync(path.join(dir, name), 'x')
    }
    mkdirSync(path.join(dir, '000013.log.d'))
    assert.deepEqual((await syncWalFiles(dir, [])).sort(), ['000007.log', '000012.log'])
  })

  it('finds the live WAL files of an open RocksDB database', async () => {
    const store = await Store.open(path.join(dir, 'db'))
    try {
      store.write([{ column: 'meta', key: Buffer.from('k'), value: Buffer.from('v') }], false)
      const wal = readdirSync(store.location).filter((name) => name.endsWith('.log') && name !== 'LOG')
      assert.ok(wal.length >= 1, `RocksDB keeps a WAL file: ${readdirSync(store.location).join(' ')}`)
      assert.deepEqual((await syncWalFiles(store.location, [])).sort(), wal.sort())
    } finally {
      await store.close()
    }
  })

  it('fsyncs the directory only when a WAL file is new (strace)', function () {
    if (spawnSync('strace', ['-V']).status !== 0) throw new Error('strace is required for this test (apt-get install strace)')
    writeFileSync(path.join(dir, '000001.log'), 'x')
    const native = path.join(__dirname, '..', '..', 'lib', 'native')
    /** The fsync and fdatasync calls of one syncWalFiles(dir, known) in a process of its own. */
    const syncCalls = (known: string[]): string[] => {
      const trace = path.join(dir, 'trace')
      const script = `require(${JSON.stringify(native)}).syncWalFiles(${JSON.stringify(dir)}, ${JSON.stringify(known)})`
      const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, '-e', script], { encoding: 'utf8' })
      assert.equal(run.status, 0, run.stderr)
      return readFileSync(trace, 'utf8').split('\n').map((line) => /\b(fsync|fdatasync)\(/.exec(line)?.[1]).filter((call): call is string => call !== undefined)
    }
    assert.deepEqual(syncCalls([]).sort(), ['fdatasync', 'fsync'], 'a new file: its data, then its directory entry')
    assert.deepEqual(syncCalls(['000001.log']), ['fdatasync'], 'a known file needs no directory sync')
  })

  it('rejects with the path when the directory is gone', async () => {
    const sync = new WalSync(path.join(dir, 'missing'))
    await assert.rejects(sync.sync(), /cannot list .*missing: No such file or directory/)
  })
})
