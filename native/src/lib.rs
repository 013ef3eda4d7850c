//! marekvs native addon (napi-rs). Everything here is per call or per object:
//! no Rust globals, so every worker thread that loads the addon gets its own
//! independent copy of any state.
//!
//! Layout: `resp/` (request parser, reply encoder), `hlc` (timestamp
//! arithmetic), `hash` (XXH3 partitions), `wal` (WAL syncing off the JS thread),
//! `float` (INCRBYFLOAT in 80-bit long double, via float.c), `lua` (the EVAL host: one Lua 5.1
//! VM per LuaHost object, so per thread).

use napi::bindgen_prelude::{BigInt, Buffer, Either, TypedArrayType, Uint32Array};
use napi::{Env, Error, JsBuffer, JsBufferValue, JsFunction, JsTypedArray, JsTypedArrayValue, JsUnknown, NapiRaw, Result, Status};
use napi_derive::napi;

mod float;
mod hash;
mod hlc;
mod lua;
mod resp;
mod store;
mod wal;

use resp::parse::{FeedOut, Parser};

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(Status::InvalidArg, msg.into())
}

/// A JS number that must be an integer in [0, max].
fn uint_arg(x: f64, name: &str, max: u64) -> Result<u64> {
    if !x.is_finite() || x.fract() != 0.0 || x < 0.0 || x > max as f64 {
        return Err(invalid(format!("{} must be an integer in [0, {}], got {}", name, max, x)));
    }
    Ok(x as u64)
}

/// A JS bigint that must fit in u64.
fn u64_arg(b: &BigInt, name: &str) -> Result<u64> {
    let (signed, v, lossless) = b.get_u64();
    if signed || !lossless {
        return Err(invalid(format!("{} must be a bigint in [0, 2^64)", name)));
    }
    Ok(v)
}

const SAFE_INT_MAX: u64 = (1 << 53) - 1;

// Arguments on the hot paths are borrowed for the call as JsBuffer / JsTypedArray: napi-rs's
// `Buffer` and `Uint32Array` arguments each create and delete a napi reference (a V8 global
// handle), which cost more than partitionOf's hashing (docs/performance.md).

/// The bytes of a Buffer (or any Uint8Array) argument, valid for this call.
fn bytes_arg(buf: JsBuffer, name: &str) -> Result<JsBufferValue> {
    buf.into_value().map_err(|_| invalid(format!("{} must be a Buffer", name)))
}

/// The bytes of each Buffer of an array argument, valid for this call.
fn list_arg(list: Vec<JsBuffer>, name: &str) -> Result<Vec<JsBufferValue>> {
    list.into_iter().map(|buf| bytes_arg(buf, name)).collect()
}

/// A typed array argument of type `kind`, valid for this call.
fn typed_arg(arr: JsTypedArray, kind: TypedArrayType, name: &str) -> Result<JsTypedArrayValue> {
    let wrong = || invalid(format!("{} must be a {:?}Array", name, kind));
    let value = arr.into_value().map_err(|_| wrong())?;
    if value.typedarray_type != kind {
        return Err(wrong());
    }
    Ok(value)
}

// ---------------------------------------------------------------- RESP parser

/// State bits in feed's result (the low three; the word count is the rest).
const FEED_STALLED: i64 = 1;
const FEED_ERROR: i64 = 2;
const FEED_BUFFERED: i64 = 4;

/// The native half of lib/native.ts's RequestParser. `feed` writes command
/// descriptions (see resp/parse.rs) into `meta`; the JS half slices Buffers.
#[napi]
pub struct NativeRequestParser {
    parser: Parser,
    out: FeedOut,
}

#[napi]
impl NativeRequestParser {
    #[napi(constructor)]
    pub fn new(max_bulk_len: Option<f64>) -> Result<Self> {
        let max = match max_bulk_len {
            Some(n) => uint_arg(n, "maxBulkLen", SAFE_INT_MAX)? as i64,
            None => resp::parse::DEFAULT_MAX_BULK,
        };
        Ok(NativeRequestParser { parser: Parser::new(max), out: FeedOut::default() })
    }

    /// Parse a chunk. Returns the number of meta words written into `meta` times 8, plus the
    /// parser's state after the chunk (FEED_STALLED, FEED_ERROR, FEED_BUFFERED), so the caller
    /// needs no getter call per chunk; negative when the words do not fit (fetch them with
    /// takeMeta).
    #[napi(catch_unwind, ts_args_type = "chunk: Buffer, meta: Uint32Array")]
    pub fn feed(&mut self, chunk: JsBuffer, meta: JsTypedArray) -> Result<i64> {
        let chunk = bytes_arg(chunk, "chunk")?;
        let mut meta = typed_arg(meta, TypedArrayType::Uint32, "meta")?;
        if chunk.len() >= u32::MAX as usize {
            return Err(invalid("chunk must be smaller than 4 GiB"));
        }
        self.parser.feed(&chunk, &mut self.out);
        let n = self.out.meta.len();
        let state = if self.parser.stalled { FEED_STALLED } else { 0 }
            | if self.parser.error.is_some() { FEED_ERROR } else { 0 }
            | if self.parser.buffered_bytes() > 0 { FEED_BUFFERED } else { 0 };
        let packed = n as i64 * 8 + state;
        let dst: &mut [u32] = meta.as_mut();
        if n <= dst.len() {
            dst[..n].copy_from_slice(&self.out.meta);
            Ok(packed)
        } else {
            Ok(-packed)
        }
    }

    /// The meta words of the last feed, when they did not fit.
    #[napi]
    pub fn take_meta(&mut self) -> Uint32Array {
        Uint32Array::new(std::mem::take(&mut self.out.meta))
    }

    /// The bytes that the last feed's PENDING-backed commands point into.
    #[napi]
    pub fn take_pending_backing(&mut self) -> Option<Buffer> {
        self.out.pending_backing.take().map(Buffer::from)
    }

    /// The unescaped arguments of the last feed's inline commands.
    #[napi]
    pub fn take_inline_backing(&mut self) -> Option<Buffer> {
        if self.out.inline_backing.is_empty() {
            return None;
        }
        Some(Buffer::from(std::mem::take(&mut self.out.inline_backing)))
    }

    #[napi(getter)]
    pub fn error(&self) -> Option<String> {
        self.parser.error.clone()
    }

    #[napi(getter)]
    pub fn buffered_bytes(&self) -> f64 {
        self.parser.buffered_bytes() as f64
    }

    #[napi(getter)]
    pub fn stalled(&self) -> bool {
        self.parser.stalled
    }

    #[napi]
    pub fn set_authenticated(&mut self, authenticated: bool) {
        self.parser.authenticated = authenticated;
    }

    #[napi]
    pub fn set_max_bulk_len(&mut self, bytes: f64) -> Result<()> {
        self.parser.set_max_bulk(uint_arg(bytes, "maxBulkLen", SAFE_INT_MAX)? as i64);
        Ok(())
    }
}

/// Redis's sdssplitargs, as the parser splits inline commands: the arguments of `line`, or
/// null for unbalanced quotes. FUNCTION LOAD splits a library's `#!` line with it.
#[napi]
pub fn split_args(line: Buffer) -> Option<Vec<Buffer>> {
    let mut scratch = Vec::new();
    let mut bounds = Vec::new();
    resp::parse::split_args(&line, &mut scratch, &mut bounds).ok()?;
    Some(bounds.chunks(2).map(|b| Buffer::from(scratch[b[0] as usize..b[1] as usize].to_vec())).collect())
}

// --------------------------------------------------------------- RESP encoder

fn proto3(proto: u32) -> Result<bool> {
    match proto {
        2 => Ok(false),
        3 => Ok(true),
        _ => Err(invalid(format!("proto must be 2 or 3, got {}", proto))),
    }
}

/// Small replies are copied into a V8-owned Buffer; large ones hand their
/// Vec over without a copy.
fn to_buffer(env: &Env, out: Vec<u8>) -> Result<JsBuffer> {
    if out.len() < 64 * 1024 {
        Ok(env.create_buffer_copy(&out)?.into_raw())
    } else {
        Ok(env.create_buffer_with_data(out)?.into_raw())
    }
}

#[napi(catch_unwind)]
pub fn encode_replies(env: Env, replies: JsUnknown, proto: u32) -> Result<JsBuffer> {
    let mut enc = resp::encode::Encoder::new(env.raw(), proto3(proto)?)?;
    // SAFETY: replies is a live value of this call.
    let arr = unsafe { replies.raw() };
    let mut is_array = false;
    // SAFETY: as above.
    unsafe { napi::sys::napi_is_array(env.raw(), arr, &mut is_array) };
    if !is_array {
        return Err(invalid("encodeReplies takes an array of replies"));
    }
    let mut len = 0u32;
    // SAFETY: arr is an array.
    unsafe { napi::sys::napi_get_array_length(env.raw(), arr, &mut len) };
    for i in 0..len {
        let mut item = std::ptr::null_mut();
        // SAFETY: i < len.
        let status = unsafe { napi::sys::napi_get_element(env.raw(), arr, i, &mut item) };
        if status != napi::sys::Status::napi_ok {
            return Err(invalid("cannot read a reply"));
        }
        enc.push(item, 0)?;
    }
    to_buffer(&env, enc.out)
}

/// `protos[i]` of a reply that is lib/core/reply.ts's OK (lib/native.ts's PROTO_OK): written as
/// `+OK`, the same in RESP2 and RESP3, without reading the value. An object reply costs the
/// encoder some seven N-API calls, ~200 ns for an OK (docs/performance.md, fourteenth round).
const PROTO_OK: u8 = 4;

/// A batch's replies back to back: reply i in protocol protos[i] (2 or 3, or PROTO_OK), none
/// when protos[i] is 0 (an embedded caller takes the value itself); ends[i] is where it ends.
/// `protos` and `ends` may be longer than `replies` (reused scratch): only their first entries
/// count. The bytes go into `into` when they fit, and the call returns their length; otherwise it
/// returns a Buffer of their own. A batch then costs the caller no ArrayBuffer
/// (lib/engine/run-batch.ts).
#[napi(catch_unwind, ts_args_type = "replies: unknown, protos: Uint8Array, ends: Uint32Array, into: Buffer", ts_return_type = "number | Buffer")]
pub fn encode_batch(env: Env, replies: JsUnknown, protos: JsTypedArray, ends: JsTypedArray, into: JsBuffer) -> Result<Either<u32, JsBuffer>> {
    let protos = typed_arg(protos, TypedArrayType::Uint8, "protos")?;
    let protos: &[u8] = protos.as_ref();
    let mut ends = typed_arg(ends, TypedArrayType::Uint32, "ends")?;
    let ends: &mut [u32] = ends.as_mut();
    let mut into = bytes_arg(into, "into")?;
    let mut enc = resp::encode::Encoder::new(env.raw(), false)?;
    // SAFETY: replies is a live value of this call.
    let arr = unsafe { replies.raw() };
    let mut n = 0u32;
    // SAFETY: as above; a value that is not an array fails here.
    if unsafe { napi::sys::napi_get_array_length(env.raw(), arr, &mut n) } != napi::sys::Status::napi_ok {
        return Err(invalid("encodeBatch takes an array of replies"));
    }
    let n = n as usize;
    if protos.len() < n || ends.len() < n {
        return Err(invalid("encodeBatch: protos and ends shorter than the replies"));
    }
    for i in 0..n {
        if protos[i] == PROTO_OK {
            enc.out.extend_from_slice(b"+OK\r\n");
        } else if protos[i] != 0 {
            enc.set_resp3(proto3(protos[i] as u32)?);
            let mut item = std::ptr::null_mut();
            // SAFETY: arr is this call's array argument; a missing element reads as undefined, which push rejects.
            let status = unsafe { napi::sys::napi_get_element(env.raw(), arr, i as u32, &mut item) };
            if status != napi::sys::Status::napi_ok {
                return Err(invalid("cannot read a reply"));
            }
            enc.push(item, 0)?;
        }
        ends[i] = u32::try_from(enc.out.len()).map_err(|_| invalid("encodeBatch: replies over 4 GiB"))?;
    }
    let len = enc.out.len();
    if len <= into.len() {
        into[..len].copy_from_slice(&enc.out);
        return Ok(Either::A(len as u32));
    }
    Ok(Either::B(to_buffer(&env, enc.out)?))
}

#[napi(catch_unwind)]
pub fn encode_reply(env: Env, reply: JsUnknown, proto: u32) -> Result<JsBuffer> {
    let mut enc = resp::encode::Encoder::new(env.raw(), proto3(proto)?)?;
    // SAFETY: reply is a live value of this call.
    enc.push(unsafe { reply.raw() }, 0)?;
    to_buffer(&env, enc.out)
}

// ------------------------------------------------------------------------ HLC

#[napi]
pub fn hlc_pack(physical_ms: f64, logical: f64) -> Result<BigInt> {
    let p = uint_arg(physical_ms, "physicalMs", hlc::PHYSICAL_MAX)?;
    let l = uint_arg(logical, "logical", hlc::LOGICAL_MAX)?;
    Ok(BigInt::from(hlc::pack(p, l).unwrap_or(0)))
}

#[napi]
pub fn hlc_physical(hlc: BigInt) -> Result<f64> {
    Ok(hlc::physical(u64_arg(&hlc, "hlc")?) as f64)
}

#[napi]
pub fn hlc_logical(hlc: BigInt) -> Result<f64> {
    Ok(hlc::logical(u64_arg(&hlc, "hlc")?) as f64)
}

#[napi]
pub fn hlc_next(prev: BigInt, physical_ms: f64) -> Result<BigInt> {
    let prev = u64_arg(&prev, "prev")?;
    let now = uint_arg(physical_ms, "physicalMs", hlc::PHYSICAL_MAX)?;
    hlc::next(prev, now).map(BigInt::from).ok_or_else(|| Error::from_reason("HLC overflow"))
}

#[napi(object)]
pub struct HlcUpdate {
    pub hlc: BigInt,
    pub rejected: bool,
}

#[napi]
pub fn hlc_update(prev: BigInt, remote: BigInt, physical_ms: f64, max_drift_ms: f64) -> Result<HlcUpdate> {
    let prev = u64_arg(&prev, "prev")?;
    let remote = u64_arg(&remote, "remote")?;
    let now = uint_arg(physical_ms, "physicalMs", hlc::PHYSICAL_MAX)?;
    let drift = uint_arg(max_drift_ms, "maxDriftMs", SAFE_INT_MAX)?;
    let (v, rejected) = hlc::update(prev, remote, now, drift).ok_or_else(|| Error::from_reason("HLC overflow"))?;
    Ok(HlcUpdate { hlc: BigInt::from(v), rejected })
}

// ------------------------------------------------------------------ hashing

#[napi]
pub const PARTITIONS: u32 = hash::PARTITIONS as u32;

#[napi(ts_args_type = "key: Buffer")]
pub fn partition_of(key: JsBuffer) -> Result<u32> {
    Ok(hash::partition_of(&bytes_arg(key, "key")?) as u32)
}

#[napi]
pub fn xxh3(data: Buffer) -> BigInt {
    BigInt::from(hash::xxh3(&data))
}

// -------------------------------------------------------------------- float

/// INCRBYFLOAT: `current` null means the key is missing (0).
#[napi(catch_unwind)]
pub fn incr_by_float(current: Option<Buffer>, increment: Buffer) -> Result<String> {
    let cur: &[u8] = match &current {
        Some(b) => b,
        None => b"0",
    };
    float::incr_by_float(cur, &increment).map_err(Error::from_reason)
}

/// Redis's double reply text (`%.17g`, inf, -inf, nan).
#[napi]
pub fn format_double(d: f64) -> String {
    let mut out = Vec::with_capacity(32);
    float::push_double_text(&mut out, d);
    String::from_utf8(out).unwrap_or_default()
}

// ---------------------------------------------------------------------- Lua

/// One Lua VM (lua/mod.rs) for the thread that creates it: EVAL and its family.
#[napi]
pub struct LuaHost {
    host: lua::Host,
    aborted: bool,
    last_run_cpu_micros: f64,
}

fn check_napi(status: napi::sys::napi_status, what: &str) -> std::result::Result<(), String> {
    if status == napi::sys::Status::napi_ok {
        Ok(())
    } else {
        Err(format!("N-API call failed: {}", what))
    }
}

/// Run the JS `call(packed, count, flags)` inside its own handle scope and encode its reply as
/// RESP. The call's arguments come packed in one Buffer: `count` u32 LE lengths, then the bytes
/// (lib/native.ts unpacks them into views). A Buffer per argument cost an external backing
/// store apiece, a tenth of the thread in EVALSHA of a small script (docs/performance.md).
fn call_js(env: napi::sys::napi_env, call: napi::sys::napi_value, mode: u32, argv: &[&[u8]], resp3: bool) -> std::result::Result<Vec<u8>, String> {
    use napi::sys;
    let mut scope = std::ptr::null_mut();
    // SAFETY: env is the live env of LuaHost::run; every value below lives in this scope.
    check_napi(unsafe { sys::napi_open_handle_scope(env, &mut scope) }, "open scope")?;
    let result = (|| {
        let head = 4 * argv.len();
        let total = head + argv.iter().map(|arg| arg.len()).sum::<usize>();
        let mut packed = std::ptr::null_mut();
        let mut data = std::ptr::null_mut();
        // SAFETY: a new Buffer of `total` bytes, all written below before JS sees it.
        check_napi(unsafe { sys::napi_create_buffer(env, total, &mut data, &mut packed) }, "buffer")?;
        if total > 0 {
            // SAFETY: data points to the `total` bytes of the Buffer just created.
            let out = unsafe { std::slice::from_raw_parts_mut(data as *mut u8, total) };
            let mut at = head;
            for (i, arg) in argv.iter().enumerate() {
                out[4 * i..4 * i + 4].copy_from_slice(&(arg.len() as u32).to_le_bytes());
                out[at..at + arg.len()].copy_from_slice(arg);
                at += arg.len();
            }
        }
        let mut count = std::ptr::null_mut();
        // SAFETY: plain number creation.
        check_napi(unsafe { sys::napi_create_uint32(env, argv.len() as u32, &mut count) }, "count")?;
        let mut mode_value = std::ptr::null_mut();
        // Bit 3 tells JS the script's protocol (redis.setresp), for replies shaped by it.
        let flags = mode | if resp3 { 8 } else { 0 };
        // SAFETY: plain number creation.
        check_napi(unsafe { sys::napi_create_uint32(env, flags, &mut mode_value) }, "mode")?;
        let mut undefined = std::ptr::null_mut();
        // SAFETY: as above.
        check_napi(unsafe { sys::napi_get_undefined(env, &mut undefined) }, "undefined")?;
        let args = [packed, count, mode_value];
        let mut reply = std::ptr::null_mut();
        // SAFETY: call is the JS function passed to run; args are values of this scope.
        let status = unsafe { sys::napi_call_function(env, undefined, call, 3, args.as_ptr(), &mut reply) };
        if status != sys::Status::napi_ok {
            let mut exception = std::ptr::null_mut();
            // SAFETY: clears the pending exception so the script can be aborted cleanly.
            unsafe { sys::napi_get_and_clear_last_exception(env, &mut exception) };
            return Err("the redis.call callback threw".to_string());
        }
        let mut enc = resp::encode::Encoder::new(env, resp3).map_err(|e| e.reason.clone())?;
        enc.push(reply, 0).map_err(|e| format!("bad reply from a command called by a script: {}", e.reason))?;
        Ok(enc.out)
    })();
    // SAFETY: closes the scope opened above.
    unsafe { sys::napi_close_handle_scope(env, scope) };
    result
}

fn tagged(env: &Env, tag: &str, v: JsUnknown) -> Result<JsUnknown> {
    let mut obj = env.create_object()?;
    obj.set_named_property("t", env.create_string(tag)?)?;
    obj.set_named_property("v", v)?;
    Ok(obj.into_unknown())
}

fn js_string(env: &Env, bytes: &[u8]) -> Result<JsUnknown> {
    Ok(env.create_string(&String::from_utf8_lossy(bytes))?.into_unknown())
}

fn out_array(env: &Env, items: &[lua::Out]) -> Result<JsUnknown> {
    let mut arr = env.create_array_with_length(items.len())?;
    for (i, item) in items.iter().enumerate() {
        arr.set_element(i as u32, out_to_js(env, item)?)?;
    }
    Ok(arr.into_unknown())
}

/// A script's reply as the Reply values of lib/core/reply.ts.
fn out_to_js(env: &Env, out: &lua::Out) -> Result<JsUnknown> {
    use lua::Out;
    Ok(match out {
        Out::Bulk(b) => env.create_buffer_copy(b)?.into_raw().into_unknown(),
        Out::Int(i) => {
            if i.unsigned_abs() <= SAFE_INT_MAX {
                env.create_double(*i as f64)?.into_unknown()
            } else {
                env.create_bigint_from_i64(*i)?.into_unknown()?
            }
        }
        Out::Null => env.get_null()?.into_unknown(),
        Out::Status(s) => tagged(env, "status", js_string(env, s)?)?,
        Out::Error(s) => tagged(env, "error", js_string(env, s)?)?,
        Out::Bool(b) => tagged(env, "bool", env.get_boolean(*b)?.into_unknown())?,
        Out::Double(d) => tagged(env, "double", env.create_double(*d)?.into_unknown())?,
        Out::BigNumber(s) => tagged(env, "bignum", js_string(env, s)?)?,
        Out::Verbatim(format, s) => {
            let mut obj = env.create_object()?;
            obj.set_named_property("t", env.create_string("verbatim")?)?;
            obj.set_named_property("format", js_string(env, format)?)?;
            obj.set_named_property("v", js_string(env, s)?)?;
            obj.into_unknown()
        }
        Out::Array(items) => out_array(env, items)?,
        Out::Map(items) => tagged(env, "map", out_array(env, items)?)?,
        Out::Set(items) => tagged(env, "set", out_array(env, items)?)?,
    })
}

#[napi]
impl LuaHost {
    /// `memoryLimitBytes`: the VM's allocation limit (scripts past it are aborted).
    #[napi(constructor)]
    pub fn new(memory_limit_bytes: f64) -> Result<Self> {
        let limit = uint_arg(memory_limit_bytes, "memoryLimitBytes", SAFE_INT_MAX)? as usize;
        let host = lua::Host::new(limit).map_err(Error::from_reason)?;
        Ok(LuaHost { host, aborted: false, last_run_cpu_micros: 0.0 })
    }

    #[napi(js_name = "sha1hex")]
    pub fn sha1hex(&self, data: Buffer) -> String {
        lua::sha1_hex(&data)
    }

    #[napi]
    pub fn has(&self, sha: String) -> bool {
        self.host.has(&sha)
    }

    /// `#!lua flags=no-writes` on a loaded script.
    #[napi]
    pub fn no_writes(&self, sha: String) -> bool {
        self.host.no_writes(&sha)
    }

    /// Compile `body` as script `sha`: null, or the error reply's text.
    #[napi(catch_unwind)]
    pub fn load(&mut self, sha: String, body: Buffer) -> Option<String> {
        self.host.load(&sha, &body).err()
    }

    #[napi]
    pub fn flush(&mut self) {
        self.host.flush()
    }

    #[napi(getter)]
    pub fn used_memory(&self) -> f64 {
        self.host.used_memory() as f64
    }

    /// Whether the last run was stopped by the host (time, memory, stack, a callback failure):
    /// the caller then undoes everything the script wrote.
    #[napi(getter)]
    pub fn aborted(&self) -> bool {
        self.aborted
    }

    /// The CPU time of this thread the last run (or FCALL) spent in µs, the commands it called
    /// included: unlike its wall time, not stretched when the OS gives the thread's CPU to another.
    /// A run under 100 µs of wall time reports that wall time, an upper bound (lua/budget.rs).
    #[napi(getter)]
    pub fn last_run_cpu_micros(&self) -> f64 {
        self.last_run_cpu_micros
    }

    /// Run loaded script `sha`. `call(packed, count, flags)` runs one redis.call, its `count`
    /// arguments packed as `call_js` says (flags & 7: 0 call, 1 pcall, 2 acl_check_cmd, 3 log;
    /// flags & 8: the script uses RESP3), and returns its Reply. Returns the script's Reply.
    #[napi(catch_unwind, ts_args_type = "sha: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: (packed: Buffer, count: number, mode: number) => unknown")]
    pub fn run(&mut self, env: Env, sha: String, keys: Vec<JsBuffer>, args: Vec<JsBuffer>, time_limit_ms: f64, call: JsFunction) -> Result<JsUnknown> {
        let limit = uint_arg(time_limit_ms, "timeLimitMs", SAFE_INT_MAX)?;
        let (keys, args) = (list_arg(keys, "keys")?, list_arg(args, "args")?);
        let keys: Vec<&[u8]> = keys.iter().map(|b| &b[..]).collect();
        let args: Vec<&[u8]> = args.iter().map(|b| &b[..]).collect();
        let outcome = self.host.run(&sha, &keys, &args, limit, &mut js_callback(&env, &call));
        self.aborted = outcome.abort.is_some();
        self.last_run_cpu_micros = self.host.take_run_cpu().as_secs_f64() * 1e6;
        out_to_js(&env, &outcome.reply)
    }

    /// Run a function library's body (FUNCTION LOAD): the functions it registered, as
    /// `{name, description, flags}` objects, or the error reply's text. With `install`, they
    /// become that library's functions in this VM. `call` serves redis.log, as in run.
    #[napi(catch_unwind, ts_args_type = "body: Buffer, install: string | null, call: (packed: Buffer, count: number, mode: number) => unknown")]
    pub fn load_library(&mut self, env: Env, body: Buffer, install: Option<String>, call: JsFunction) -> Result<JsUnknown> {
        let infos = match self.host.load_library(&body, install.as_deref(), &mut js_callback(&env, &call)) {
            Ok(infos) => infos,
            Err(text) => return Ok(env.create_string(&text)?.into_unknown()),
        };
        let mut arr = env.create_array_with_length(infos.len())?;
        for (i, info) in infos.iter().enumerate() {
            let mut obj = env.create_object()?;
            obj.set_named_property("name", env.create_string(&info.name)?)?;
            match &info.description {
                Some(d) => obj.set_named_property("description", env.create_buffer_copy(d)?.into_raw())?,
                None => obj.set_named_property("description", env.get_null()?)?,
            }
            let mut flags = env.create_array_with_length(info.flags.len())?;
            for (j, flag) in info.flags.iter().enumerate() {
                flags.set_element(j as u32, env.create_string(flag)?)?;
            }
            obj.set_named_property("flags", flags)?;
            arr.set_element(i as u32, obj)?;
        }
        Ok(arr.into_unknown())
    }

    /// Forget a library's functions in this VM.
    #[napi]
    pub fn remove_library(&mut self, name: String) {
        self.host.remove_library(&name)
    }

    /// FCALL: run function `name` of installed library `library`, as run runs a script.
    #[napi(catch_unwind, ts_args_type = "library: string, name: string, keys: Buffer[], args: Buffer[], timeLimitMs: number, call: (packed: Buffer, count: number, mode: number) => unknown")]
    pub fn run_function(&mut self, env: Env, library: String, name: String, keys: Vec<JsBuffer>, args: Vec<JsBuffer>, time_limit_ms: f64, call: JsFunction) -> Result<JsUnknown> {
        let limit = uint_arg(time_limit_ms, "timeLimitMs", SAFE_INT_MAX)?;
        let (keys, args) = (list_arg(keys, "keys")?, list_arg(args, "args")?);
        let keys: Vec<&[u8]> = keys.iter().map(|b| &b[..]).collect();
        let args: Vec<&[u8]> = args.iter().map(|b| &b[..]).collect();
        let outcome = self.host.run_function(&library, &name, &keys, &args, limit, &mut js_callback(&env, &call));
        self.aborted = outcome.abort.is_some();
        self.last_run_cpu_micros = self.host.take_run_cpu().as_secs_f64() * 1e6;
        out_to_js(&env, &outcome.reply)
    }
}

/// The JS `call(argv, flags)` of a run, as the host's redis.call callback.
fn js_callback(env: &Env, call: &JsFunction) -> impl FnMut(u32, &[&[u8]], bool) -> std::result::Result<Vec<u8>, String> {
    let raw_env = env.raw();
    // SAFETY: call is a live value of the napi call that lends it; the host drops the callback
    // before that call returns.
    let raw_call = unsafe { call.raw() };
    move |mode: u32, argv: &[&[u8]], resp3: bool| call_js(raw_env, raw_call, mode, argv, resp3)
}
