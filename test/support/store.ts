// A real RocksDB Store on a fresh temporary directory, for the tests of one describe block.
import { rmSync } from 'node:fs'
import path from 'node:path'
import { Store } from '../../lib/storage/store'
import { WalSync } from '../../lib/storage/wal-sync'
import { tempDir } from './servers'

/** Registers before/after hooks in the calling describe block: `holder.store` is open during its tests, closed and deleted after. */
export function tempStore(): { readonly store: Store } {
  const holder = { store: undefined as unknown as Store, dir: '' }
  before(async () => {
    holder.dir = tempDir()
    holder.store = await Store.open(path.join(holder.dir, 'rocksdb'))
  })
  after(async () => {
    await holder.store.close()
    rmSync(holder.dir, { recursive: true, force: true })
  })
  return holder
}

/** Runs `body` on a fresh temporary directory, deleted after it whatever happened. */
export async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('marekvs-store-')
  try {
    await body(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One WAL sync of `store` (lib/storage/wal-sync.ts), asked for now: resolves once it is done, rejects with its error. */
export function syncWalOnce(store: Store): Promise<void> {
  return new Promise((resolve, reject) => {
    const sync = new WalSync(store.handle.handle, (_request, err) => (err === null ? resolve() : reject(err)))
    sync.request()
    sync.close()
  })
}
