//! The WAL syncer (lib/storage/wal-sync.ts): a thread of its own that syncs RocksDB's WAL
//! (rocks.cc's mkv_sync_wal, DB::SyncWAL outside RocksDB's write queue) whenever a sync is
//! asked for, and tells the event loop, through a threadsafe function, up to which request it
//! synced. A sync starts as soon as the last one returns if anything was asked meanwhile, without
//! waiting for the event loop to see the last one's end: under MAREKVS_FSYNC=always, that wait
//! made each sync cycle 2-3 times the fdatasync's own ~150 µs (docs/performance.md,
//! seventeenth and eighteenth rounds).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use napi::bindgen_prelude::BigInt;
use napi::threadsafe_function::{ErrorStrategy, ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Error, Result};
use napi_derive::napi;

use crate::store::WalOwner;

/// Called with (request, error): every write that returned before `request()` gave that number
/// is durable, unless `error` (the sync's, or a queued write's) says otherwise.
type OnSynced = ThreadsafeFunction<(f64, Option<String>), ErrorStrategy::Fatal>;

#[derive(Default)]
struct Shared {
    /// The last request's number.
    requested: AtomicU64,
    /// The thread waits on `wake`: a request must wake it.
    sleeping: AtomicBool,
    /// Set by `close`: the thread ends once it has synced every request.
    stopping: Mutex<bool>,
    wake: Condvar,
}

#[napi]
pub struct WalSyncer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// The thread's reports, held here to keep the event loop alive while one is due (`hold`).
    on_synced: OnSynced,
}

#[napi]
impl WalSyncer {
    /// A syncer of the WAL of the store `store` names (a RocksStore's handle).
    #[napi(constructor, ts_args_type = "store: bigint, onSynced: (request: number, error: string | null) => void")]
    pub fn new(env: Env, store: BigInt, mut on_synced: OnSynced) -> Result<Self> {
        let owner = WalOwner::from_handle(store)?;
        // Nothing is due yet: an idle syncer does not keep the process alive.
        on_synced.unref(&env)?;
        let shared = Arc::new(Shared::default());
        let looped = Arc::clone(&shared);
        let reports = on_synced.clone();
        let thread = std::thread::Builder::new()
            .name("mkv-walsync".into())
            .spawn(move || run(&looped, &owner, &reports))
            .map_err(|e| Error::from_reason(format!("cannot start the WAL sync thread: {}", e)))?;
        Ok(WalSyncer { shared, thread: Some(thread), on_synced })
    }

    /// Whether the event loop stays alive for the reports to come: while a request awaits its
    /// report, and not after (lib/storage/wal-sync.ts keeps count).
    #[napi]
    pub fn hold(&mut self, env: Env, due: bool) -> Result<()> {
        if due {
            self.on_synced.refer(&env)
        } else {
            self.on_synced.unref(&env)
        }
    }

    /// Ask for a sync that begins after every write that returned before this call; its number.
    /// After `close` no thread is left to sync it, nor to report it: an error.
    #[napi]
    pub fn request(&self) -> Result<f64> {
        if self.thread.is_none() {
            return Err(Error::from_reason("the WAL syncer is closed"));
        }
        let number = self.shared.requested.fetch_add(1, SeqCst) + 1;
        // SeqCst on both sides: the thread either sees this request before it sleeps, or is seen
        // sleeping here, and then the notify under the lock cannot fall before its wait.
        if self.shared.sleeping.load(SeqCst) {
            let _guard = self.shared.stopping.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.wake.notify_one();
        }
        Ok(number as f64)
    }

    /// Sync what was asked, report it, and end the thread.
    #[napi]
    pub fn close(&mut self) {
        self.stop();
    }
}

impl WalSyncer {
    fn stop(&mut self) {
        if let Some(thread) = self.thread.take() {
            *self.shared.stopping.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.shared.wake.notify_one();
            let _ = thread.join();
        }
    }
}

impl Drop for WalSyncer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(shared: &Shared, owner: &WalOwner, on_synced: &OnSynced) {
    let mut synced = 0;
    loop {
        let target = shared.requested.load(SeqCst);
        if target == synced {
            let mut stopping = shared.stopping.lock().unwrap_or_else(|e| e.into_inner());
            shared.sleeping.store(true, SeqCst);
            while shared.requested.load(SeqCst) == synced && !*stopping {
                stopping = shared.wake.wait(stopping).unwrap_or_else(|e| e.into_inner());
            }
            shared.sleeping.store(false, SeqCst);
            if *stopping && shared.requested.load(SeqCst) == synced {
                return;
            }
            continue;
        }
        // Every write before request `target` returned before the load above: this sync covers it.
        let outcome = owner.sync_wal().err();
        synced = target;
        on_synced.call((target as f64, outcome), ThreadsafeFunctionCallMode::NonBlocking);
    }
}
