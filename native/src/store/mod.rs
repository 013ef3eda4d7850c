//! lib/storage/store.ts's RocksDB: napi classes over rocks.cc's C ABI. A read copies its
//! values into the caller's slab (one ArrayBuffer per many reads, as Node's Buffer pool does)
//! instead of a Buffer per value, and a write takes its ops as parallel arrays: no options
//! objects to read per call (docs/performance.md, "Our own RocksDB calls").

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};

use napi::bindgen_prelude::{AsyncTask, BigInt, Either, TypedArrayType};
use napi::{Env, Error, JsBuffer, JsObject, JsTypedArray, JsUnknown, Result, Status, Task, ValueType};
use napi_derive::napi;

use crate::{bytes_arg, invalid, typed_arg};

#[repr(C)]
struct Column {
    name: *const c_char,
    cache_bytes: u64,
    memtable_budget: u64,
    reads: c_int,
    record_cache_bytes: u64,
}

extern "C" {
    fn mkv_error() -> *const c_char;
    fn mkv_out_bytes() -> *const u8;
    fn mkv_out_size() -> usize;
    fn mkv_out_lens() -> *const i64;
    fn mkv_out_count() -> usize;
    fn mkv_open(path: *const c_char, columns: *const Column, count: usize, compress: c_int, queue_writes: c_int) -> *mut c_void;
    fn mkv_retain(db: *mut c_void);
    fn mkv_release(db: *mut c_void);
    fn mkv_close(db: *mut c_void) -> c_int;
    fn mkv_get_many(db: *mut c_void, cf: u32, count: usize, keys: *const *const u8, key_lens: *const usize, heads: c_int) -> c_int;
    fn mkv_last_read_ns() -> f64;
    fn mkv_cold_reads_for_testing(mode: c_int);
    fn mkv_write_delay_for_testing(micros: u32);
    fn mkv_batched_reads_available() -> c_int;
    fn mkv_batched_reads_submitted() -> u64;
    fn mkv_compact_for_testing(db: *mut c_void, cf: u32) -> c_int;
    fn mkv_write(
        db: *mut c_void,
        count: usize,
        cfs: *const u8,
        keys: *const *const u8,
        key_lens: *const usize,
        values: *const *const u8,
        value_lens: *const usize,
        sync: c_int,
    ) -> c_int;
    fn mkv_query(db: *mut c_void, cf: u32, gte: *const u8, gte_len: usize, lt: *const u8, lt_len: usize, reverse: c_int, limit: u32) -> c_int;
    fn mkv_iter_open(db: *mut c_void, cf: u32, gte: *const u8, gte_len: usize, lt: *const u8, lt_len: usize, reverse: c_int) -> *mut c_void;
    fn mkv_iter_read(iter: *mut c_void, target: *const u8, target_len: usize, limit: u32) -> c_int;
    fn mkv_iter_close(iter: *mut c_void);
    fn mkv_delete_range(db: *mut c_void, cf: u32, gte: *const u8, gte_len: usize, lt: *const u8, lt_len: usize) -> c_int;
    fn mkv_open_iterators(db: *mut c_void) -> usize;
    fn mkv_sync_wal(db: *mut c_void) -> c_int;
    fn mkv_int_property(db: *mut c_void, name: *const c_char, all_columns: c_int, value: *mut u64) -> c_int;
}

fn last_error() -> Error {
    // SAFETY: mkv_error returns this thread's last error text, NUL-terminated.
    let text = unsafe { CStr::from_ptr(mkv_error()) }.to_string_lossy().into_owned();
    Error::new(Status::GenericFailure, text)
}

fn check(rc: c_int) -> Result<c_int> {
    if rc < 0 {
        Err(last_error())
    } else {
        Ok(rc)
    }
}

/// This thread's last output: its bytes and lengths.
fn output() -> (&'static [u8], &'static [i64]) {
    // SAFETY: thread-local buffers of rocks.cc, unchanged until this thread's next mkv_ call,
    // and every caller here is done with them before that.
    unsafe {
        let bytes = if mkv_out_size() == 0 { &[][..] } else { std::slice::from_raw_parts(mkv_out_bytes(), mkv_out_size()) };
        let lens = if mkv_out_count() == 0 { &[][..] } else { std::slice::from_raw_parts(mkv_out_lens(), mkv_out_count()) };
        (bytes, lens)
    }
}

/// Rows of the last query or iterator read into `lens` ([rows, ended, klen, vlen, ...]) and one Buffer of their bytes.
fn rows_out(env: &Env, lens: JsTypedArray, ended: bool) -> Result<JsBuffer> {
    let mut lens = typed_arg(lens, TypedArrayType::Int32, "lens")?;
    let lens: &mut [i32] = lens.as_mut();
    let (bytes, row_lens) = output();
    if lens.len() < 2 + row_lens.len() {
        return Err(invalid("lens too short for the rows read"));
    }
    lens[0] = (row_lens.len() / 2) as i32;
    lens[1] = ended as i32;
    for (slot, len) in lens[2..].iter_mut().zip(row_lens) {
        *slot = *len as i32;
    }
    Ok(env.create_buffer_copy(bytes)?.into_raw())
}

/// A pointer to `bytes` that is never null: RocksDB asserts that a Slice's data is set, and an
/// empty Buffer's may not be.
fn data(bytes: &[u8]) -> *const u8 {
    if bytes.is_empty() {
        EMPTY.as_ptr()
    } else {
        bytes.as_ptr()
    }
}

static EMPTY: [u8; 1] = [0];

/// Pointers and lengths of the byte strings a call passes to rocks.cc, borrowed from live
/// Buffers for the call. One per thread, reused: a call allocates nothing once warm.
#[derive(Default)]
struct Args {
    key_ptrs: Vec<*const u8>,
    key_lens: Vec<usize>,
    value_ptrs: Vec<*const u8>,
    value_lens: Vec<usize>,
}

thread_local! {
    static ARGS: RefCell<Args> = RefCell::default();
}

/// Run `f` with this thread's Args, emptied.
fn with_args<T>(f: impl FnOnce(&mut Args) -> Result<T>) -> Result<T> {
    ARGS.with(|args| {
        // Only a call re-entered from JS while reading its arguments (an array with getters)
        // could find them taken; refuse it rather than panic.
        let mut args = args.try_borrow_mut().map_err(|_| invalid("store call re-entered while reading its arguments"))?;
        args.key_ptrs.clear();
        args.key_lens.clear();
        args.value_ptrs.clear();
        args.value_lens.clear();
        f(&mut args)
    })
}

/// The bytes of each Buffer in a JS array, into `ptrs` and `lens`.
fn buffers(list: &JsObject, count: u32, name: &str, ptrs: &mut Vec<*const u8>, lens: &mut Vec<usize>) -> Result<()> {
    for i in 0..count {
        let value = bytes_arg(list.get_element::<JsBuffer>(i)?, name)?;
        ptrs.push(data(&value));
        lens.push(value.len());
    }
    Ok(())
}

/// Read every batch of two keys or more as a batch that went to the disk lately (rocks.cc):
/// "batched" as such batches read here, "split" across the read helpers (as where io_uring is
/// not to be had), "auto" only when they did. Tests reach the cold paths without a cold disk.
#[napi(ts_args_type = "mode: 'auto' | 'batched' | 'split'")]
pub fn cold_reads_for_testing(mode: String) -> Result<()> {
    let mode = match mode.as_str() {
        "auto" => 0,
        "batched" => 1,
        "split" => 2,
        _ => return Err(invalid("mode is auto, batched or split")),
    };
    // SAFETY: sets an atomic.
    unsafe { mkv_cold_reads_for_testing(mode) };
    Ok(())
}

/// Hold each queued write this many µs before it goes to RocksDB (rocks.cc; 0 undoes it): tests
/// read while writes are certainly still queued.
#[napi]
pub fn write_delay_for_testing(micros: u32) {
    // SAFETY: sets an atomic.
    unsafe { mkv_write_delay_for_testing(micros) };
}

/// Whether cold batches submit their reads together on this machine (io_uring), and how many
/// reads the process has submitted so (native/src/store/batched_reads.h).
#[napi(object)]
pub struct BatchedReads {
    pub available: bool,
    pub submitted: f64,
}

#[napi]
pub fn batched_reads() -> BatchedReads {
    // SAFETY: read a flag and an atomic counter.
    unsafe { BatchedReads { available: mkv_batched_reads_available() != 0, submitted: mkv_batched_reads_submitted() as f64 } }
}

/// A database pointer a task carries to libuv's pool; it holds a reference (mkv_retain).
struct DbRef(*mut c_void);

// SAFETY: rocks.cc's calls may run on any thread; the reference keeps the database alive.
unsafe impl Send for DbRef {}

impl Drop for DbRef {
    fn drop(&mut self) {
        // SAFETY: released once, for the mkv_retain that made this reference.
        unsafe { mkv_release(self.0) }
    }
}

/// RocksStore::get_many_async's read: keys back to back and their lengths.
pub struct ReadAhead {
    db: DbRef,
    cf: u32,
    keys: Vec<u8>,
    lens: Vec<usize>,
    heads: bool,
}

impl Task for ReadAhead {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> Result<Vec<u8>> {
        let mut ptrs = Vec::with_capacity(self.lens.len());
        let mut at = 0;
        for &len in &self.lens {
            ptrs.push(data(&self.keys[at..at + len]));
            at += len;
        }
        // SAFETY: the key bytes live in this task for the call; the reference keeps the database.
        check(unsafe { mkv_get_many(self.db.0, self.cf, self.lens.len(), ptrs.as_ptr(), self.lens.as_ptr(), c_int::from(self.heads)) })?;
        let (bytes, value_lens) = output();
        let mut out = Vec::with_capacity(8 + 4 * value_lens.len() + bytes.len());
        // SAFETY: reads this thread's last read cost.
        out.extend_from_slice(&unsafe { mkv_last_read_ns() }.to_le_bytes());
        for &len in value_lens {
            out.extend_from_slice(&(len as i32).to_le_bytes());
        }
        out.extend_from_slice(bytes);
        Ok(out)
    }

    fn resolve(&mut self, env: Env, output: Vec<u8>) -> Result<JsBuffer> {
        Ok(env.create_buffer_with_data(output)?.into_raw())
    }
}

/// A reference to a database by its handle, for syncing its WAL from a thread of its own (wal.rs).
pub struct WalOwner(DbRef);

/// The database a RocksStore's `handle` names, with a reference taken on it.
fn retain_handle(handle: BigInt) -> Result<*mut c_void> {
    let (signed, ptr, lossless) = handle.get_u64();
    if signed || !lossless || ptr == 0 {
        return Err(invalid("not a store handle"));
    }
    let db = ptr as *mut c_void;
    // SAFETY: handles come from `handle` of a RocksStore that is still open (lib/storage/store.ts).
    unsafe { mkv_retain(db) };
    Ok(db)
}

impl WalOwner {
    pub fn from_handle(handle: BigInt) -> Result<Self> {
        Ok(WalOwner(DbRef(retain_handle(handle)?)))
    }

    /// Make every write that returned before this call durable (rocks.cc's mkv_sync_wal): the
    /// error text when that failed, or when a queued write did.
    pub fn sync_wal(&self) -> std::result::Result<(), String> {
        // SAFETY: the reference keeps the database.
        check(unsafe { mkv_sync_wal(self.0 .0) }).map(|_| ()).map_err(|e| e.reason)
    }
}

/// One RocksDB database, opened here or attached by handle to one another thread opened.
#[napi]
pub struct RocksStore {
    db: *mut c_void,
    owner: bool,
}

#[napi]
impl RocksStore {
    /// Open (creating if missing) the database at `path` with these column families: per
    /// column, its block cache bytes, memtable budget, how it is read (0: by range, 1: by key
    /// too, 2: by key on every command; rocks.cc), and
    /// the bytes of its record cache (0: none; record_cache.h); `compress`: ZSTD for the deeper
    /// levels' files, or no compression anywhere (MAREKVS_COMPRESSION); `queue_writes`: writes
    /// return once queued for a thread of their own (rocks.cc), or land on the caller's.
    #[napi(factory)]
    pub fn open(path: String, names: Vec<String>, cache_bytes: Vec<f64>, memtable_budgets: Vec<f64>, reads: Vec<u32>, record_cache_bytes: Vec<f64>, compress: bool, queue_writes: bool) -> Result<Self> {
        let n = names.len();
        if cache_bytes.len() != n || memtable_budgets.len() != n || reads.len() != n || record_cache_bytes.len() != n {
            return Err(invalid("one cache size, memtable budget, way of reading and record cache size per column"));
        }
        let path = CString::new(path).map_err(|_| invalid("path contains a NUL byte"))?;
        let c_names = names.into_iter().map(CString::new).collect::<std::result::Result<Vec<_>, _>>().map_err(|_| invalid("column name contains a NUL byte"))?;
        let columns: Vec<Column> = (0..n)
            .map(|i| Column { name: c_names[i].as_ptr(), cache_bytes: cache_bytes[i] as u64, memtable_budget: memtable_budgets[i] as u64, reads: reads[i] as c_int, record_cache_bytes: record_cache_bytes[i] as u64 })
            .collect();
        // SAFETY: the strings and columns outlive the call.
        let db = unsafe { mkv_open(path.as_ptr(), columns.as_ptr(), n, compress as c_int, queue_writes as c_int) };
        if db.is_null() {
            return Err(last_error());
        }
        Ok(RocksStore { db, owner: true })
    }

    /// Attach to a database another thread of this process opened (its `handle`).
    #[napi(factory)]
    pub fn attach(handle: BigInt) -> Result<Self> {
        Ok(RocksStore { db: retain_handle(handle)?, owner: false })
    }

    #[napi(getter)]
    pub fn handle(&self) -> BigInt {
        BigInt::from(self.db as u64)
    }

    /// Iterators open on this database, from every thread.
    #[napi(getter)]
    pub fn open_iterators(&self) -> u32 {
        // SAFETY: self.db stays valid until this object's release.
        unsafe { mkv_open_iterators(self.db) as u32 }
    }

    /// The owner closes the database for every thread; an attached store only lets go of it.
    #[napi]
    pub fn close(&mut self) -> Result<()> {
        if self.owner {
            // SAFETY: self.db stays valid until this object's release.
            check(unsafe { mkv_close(self.db) })?;
        }
        Ok(())
    }

    /// The values of `keys` in column `cf`: `lens[i]` is value i's length, -1 when missing. The
    /// values go back to back into `slab` from `offset` when they fit, and the call returns
    /// their length; otherwise it returns a Buffer of their own. `heads`: a large record's head
    /// will do where the record cache has one (record_cache.h), flagged FLAG_HEAD.
    #[napi(ts_args_type = "cf: number, keys: Buffer[], slab: Buffer, offset: number, lens: Int32Array, heads: boolean", ts_return_type = "number | Buffer")]
    pub fn get_many(&self, env: Env, cf: u32, keys: JsObject, slab: JsBuffer, offset: u32, lens: JsTypedArray, heads: bool) -> Result<Either<u32, JsBuffer>> {
        let count = keys.get_array_length()?;
        let mut lens = typed_arg(lens, TypedArrayType::Int32, "lens")?;
        let lens: &mut [i32] = lens.as_mut();
        if lens.len() < count as usize {
            return Err(invalid("lens shorter than keys"));
        }
        with_args(|args| {
            buffers(&keys, count, "key", &mut args.key_ptrs, &mut args.key_lens)?;
            // SAFETY: the key bytes are borrowed from live Buffers for this call.
            check(unsafe { mkv_get_many(self.db, cf, count as usize, args.key_ptrs.as_ptr(), args.key_lens.as_ptr(), c_int::from(heads)) })
        })?;
        let (bytes, value_lens) = output();
        for (slot, len) in lens.iter_mut().zip(value_lens) {
            *slot = *len as i32;
        }
        let mut slab = bytes_arg(slab, "slab")?;
        let start = offset as usize;
        if start <= slab.len() && bytes.len() <= slab.len() - start {
            slab[start..start + bytes.len()].copy_from_slice(bytes);
            return Ok(Either::A(bytes.len() as u32));
        }
        Ok(Either::B(env.create_buffer_copy(bytes)?.into_raw()))
    }

    /// `get_many` on a thread of libuv's pool, for a batch that waits for its reads without
    /// holding the calling thread (lib/engine/engine.ts, cold reads). Resolves with one Buffer:
    /// the read's cost in ns of reading (f64), each value's length (i32, -1 when missing), then
    /// the values back to back; little-endian.
    #[napi(ts_args_type = "cf: number, keys: Buffer[], heads: boolean", ts_return_type = "Promise<Buffer>")]
    pub fn get_many_async(&self, cf: u32, keys: JsObject, heads: bool) -> Result<AsyncTask<ReadAhead>> {
        let count = keys.get_array_length()?;
        let mut bytes = Vec::new();
        let mut lens = Vec::with_capacity(count as usize);
        for i in 0..count {
            let key = bytes_arg(keys.get_element::<JsBuffer>(i)?, "key")?;
            bytes.extend_from_slice(&key);
            lens.push(key.len());
        }
        // The task holds a reference: the database outlives it even if this object goes first.
        // SAFETY: self.db stays valid until this object's release.
        unsafe { mkv_retain(self.db) };
        Ok(AsyncTask::new(ReadAhead { db: DbRef(self.db), cf, keys: bytes, lens, heads }))
    }

    /// Apply `count` ops atomically: op i puts `values[i]` at `keys[i]` in column `cfs[i]`, or
    /// deletes the key when `values[i]` is null. Queued for RocksDB (native/src/store/rocks.cc):
    /// reads see it at once; with `sync` (the WAL synced first) or a value too large to pin in
    /// the record cache, returns when it has landed.
    #[napi(ts_args_type = "count: number, cfs: Uint8Array, keys: Buffer[], values: Array<Buffer | null>, sync: boolean")]
    pub fn write(&self, count: u32, cfs: JsTypedArray, keys: JsObject, values: JsObject, sync: bool) -> Result<()> {
        let cfs = typed_arg(cfs, TypedArrayType::Uint8, "cfs")?;
        let cfs: &[u8] = cfs.as_ref();
        if cfs.len() < count as usize {
            return Err(invalid("cfs shorter than count"));
        }
        with_args(|args| {
            buffers(&keys, count, "key", &mut args.key_ptrs, &mut args.key_lens)?;
            for i in 0..count {
                let value = values.get_element::<JsUnknown>(i)?;
                if value.get_type()? == ValueType::Null {
                    args.value_ptrs.push(std::ptr::null());
                    args.value_lens.push(0);
                } else {
                    // SAFETY: a JsUnknown read from the array, checked by into_value below.
                    let value = bytes_arg(unsafe { value.cast::<JsBuffer>() }, "value")?;
                    args.value_ptrs.push(data(&value));
                    args.value_lens.push(value.len());
                }
            }
            // SAFETY: every pointer borrows a live Buffer (or a static byte) for this call.
            check(unsafe {
                mkv_write(self.db, count as usize, cfs.as_ptr(), args.key_ptrs.as_ptr(), args.key_lens.as_ptr(), args.value_ptrs.as_ptr(), args.value_lens.as_ptr(), sync as c_int)
            })
        })?;
        Ok(())
    }

    /// Up to `limit` rows of [gte, lt), from `lt` down when reversed: their bytes in one Buffer,
    /// `lens` = [rows, 1, key length, value length, ...].
    #[napi(ts_args_type = "cf: number, gte: Buffer, lt: Buffer, reverse: boolean, limit: number, lens: Int32Array")]
    pub fn query(&self, env: Env, cf: u32, gte: JsBuffer, lt: JsBuffer, reverse: bool, limit: u32, lens: JsTypedArray) -> Result<JsBuffer> {
        let gte = bytes_arg(gte, "gte")?;
        let lt = bytes_arg(lt, "lt")?;
        // SAFETY: the bounds are borrowed from live Buffers for this call.
        check(unsafe { mkv_query(self.db, cf, data(&gte), gte.len(), data(&lt), lt.len(), reverse as c_int, limit) })?;
        rows_out(&env, lens, true)
    }

    /// An iterator over [gte, lt) of column `cf`, for repeated seeks.
    #[napi(ts_args_type = "cf: number, gte: Buffer, lt: Buffer, reverse: boolean")]
    pub fn iterator(&self, cf: u32, gte: JsBuffer, lt: JsBuffer, reverse: bool) -> Result<RocksIterator> {
        let gte = bytes_arg(gte, "gte")?;
        let lt = bytes_arg(lt, "lt")?;
        // SAFETY: as in query.
        let it = unsafe { mkv_iter_open(self.db, cf, data(&gte), gte.len(), data(&lt), lt.len(), reverse as c_int) };
        if it.is_null() {
            return Err(last_error());
        }
        Ok(RocksIterator { it })
    }

    /// Delete [gte, lt) of column `cf` as one range tombstone.
    #[napi(ts_args_type = "cf: number, gte: Buffer, lt: Buffer")]
    pub fn delete_range(&self, cf: u32, gte: JsBuffer, lt: JsBuffer) -> Result<()> {
        let gte = bytes_arg(gte, "gte")?;
        let lt = bytes_arg(lt, "lt")?;
        // SAFETY: as in query.
        check(unsafe { mkv_delete_range(self.db, cf, data(&gte), gte.len(), data(&lt), lt.len()) })?;
        Ok(())
    }

    /// An integer RocksDB property (e.g. `rocksdb.estimate-num-keys`): summed over the column
    /// families with `all_columns`, else the default column's (DB-wide properties); null when
    /// RocksDB has none by that name.
    #[napi]
    pub fn int_property(&self, name: String, all_columns: bool) -> Result<Option<f64>> {
        let name = CString::new(name).map_err(|_| invalid("name contains a NUL byte"))?;
        let mut value: u64 = 0;
        // SAFETY: name and value outlive the call.
        if check(unsafe { mkv_int_property(self.db, name.as_ptr(), all_columns as c_int, &mut value) })? == 0 {
            return Ok(None);
        }
        Ok(Some(value as f64))
    }

    /// Flush column `cf` and compact it to its last level, so that tests read SST files.
    #[napi]
    pub fn compact_for_testing(&self, cf: u32) -> Result<()> {
        // SAFETY: a call on this object's database.
        check(unsafe { mkv_compact_for_testing(self.db, cf) })?;
        Ok(())
    }
}

impl Drop for RocksStore {
    fn drop(&mut self) {
        // SAFETY: this object holds one reference, released once.
        unsafe { mkv_release(self.db) }
    }
}

/// An iterator of RocksStore.iterator. It holds its database open until closed or collected.
#[napi]
pub struct RocksIterator {
    it: *mut c_void,
}

#[napi]
impl RocksIterator {
    /// Seek to `target` (null: read on), then up to `limit` rows: their bytes in one Buffer,
    /// `lens` = [rows, 1 when the range ended, key length, value length, ...].
    #[napi(ts_args_type = "target: Buffer | null, limit: number, lens: Int32Array")]
    pub fn read(&self, env: Env, target: Option<JsBuffer>, limit: u32, lens: JsTypedArray) -> Result<JsBuffer> {
        if self.it.is_null() {
            return Err(Error::new(Status::GenericFailure, "iterator is closed".to_owned()));
        }
        let target = target.map(|t| bytes_arg(t, "target")).transpose()?;
        let (ptr, len) = match &target {
            Some(t) => (data(t), t.len()),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: the target is borrowed from a live Buffer for this call.
        let ended = check(unsafe { mkv_iter_read(self.it, ptr, len, limit) })? == 1;
        rows_out(&env, lens, ended)
    }

    #[napi]
    pub fn close(&mut self) {
        if !self.it.is_null() {
            // SAFETY: closed once; the pointer is cleared.
            unsafe { mkv_iter_close(self.it) };
            self.it = std::ptr::null_mut();
        }
    }
}

impl Drop for RocksIterator {
    fn drop(&mut self) {
        self.close();
    }
}
