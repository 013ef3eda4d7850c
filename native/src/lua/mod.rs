//! The Lua host for EVAL: one Lua 5.1 VM (mlua, vendored sources) per `Host`, and one `Host`
//! per thread that runs scripts (each shard worker, and the main thread for scripts that run
//! with the shards paused). Nothing here knows about N-API: `run` takes the callback that
//! executes `redis.call` and answers RESP bytes, and returns the script's reply as an `Out`
//! tree (lib.rs turns both into JS values). Behaviour is Redis 7.0's (script_lua.c, eval.c),
//! checked against a real redis-server by test/integration/diff-scripting.test.ts.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use mlua::{ChunkMode, Function, Lua, LuaOptions, MultiValue, StdLib, Table, Value};

mod budget;
mod library;
mod libs;
mod reply;

pub use reply::Out;

/// What `redis.call` and friends ask of the callback (the first argument of `I.call`).
pub const MODE_CALL: u32 = 0;
#[allow(dead_code)]
pub const MODE_PCALL: u32 = 1;
/// redis.acl_check_cmd: answer whether the command exists (no ACLs here: always allowed).
pub const MODE_CHECK: u32 = 2;
/// redis.log: argv is [level, message].
pub const MODE_LOG: u32 = 3;

/// Lua instructions between two looks at the clock: about 20-100 µs of Lua, so a script stops
/// within that much of its budget, for about 20 ns per check.
const HOOK_INSTRUCTIONS: i32 = 10_000;
/// Compiled scripts kept per VM; past it the cache is emptied (bodies stay in RocksDB).
const SCRIPTS_MAX: usize = 10_000;
/// Table nesting converted into a reply; deeper (or a table that contains itself) becomes
/// Redis's "reached lua stack limit" error. Below the encoder's 512.
const REPLY_DEPTH_MAX: u32 = 400;

const VERSION: &str = "7.0.15";
const VERSION_NUM: u32 = 0x07000f;

const SANDBOX: &str = include_str!("sandbox.lua");
/// Registry key of the `Budget` pointer the count hook reads.
const HOOK_KEY: &[u8] = b"marekvs.hook\0";

/// Why a script was stopped by the host rather than finishing (its writes are then undone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    Timeout,
    Memory,
    StackOverflow,
    Internal,
}

pub struct RunOutcome {
    pub reply: Out,
    pub abort: Option<Abort>,
}

struct Script {
    func: Function,
    /// `#!lua flags=no-writes`: runs as EVAL_RO does.
    no_writes: bool,
}

/// The run's time budget, read by the count hook through the registry (light userdata): no
/// Rust globals.
type HookState = budget::Budget;

pub struct Host {
    lua: Lua,
    scripts: HashMap<String, Script>,
    /// What scripts see as their globals (a read-only proxy of `globals`).
    env: Table,
    /// The real globals behind `env`: KEYS and ARGV are set here.
    globals: Table,
    /// `run(f)`: xpcall(f, __redis__err__handler).
    runner: Function,
    /// The script's protocol for redis.call replies and booleans (redis.setresp).
    resp3: Rc<Cell<bool>>,
    hook: Box<HookState>,
    run_state: Rc<RunState>,
    memory_limit: usize,
    libraries: library::Libraries,
}

/// What redis.call runs: the JS side's callback (see Host::run).
type CallFn = dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>;

/// The running script's callback, set by Host::run for its duration only.
struct RunState {
    call: Cell<Option<*mut CallFn>>,
    failure: Cell<Option<Abort>>,
}

/// A second handle on the Box'ed HookState, for the redis.call function (the Box outlives the VM's functions).
fn hook_handle(hook: &HookState) -> *const HookState {
    hook as *const HookState
}

/// `I.call(mode, ...)`: what redis.call, redis.pcall, redis.acl_check_cmd and redis.log run.
/// Answers (value, raise): the sandbox raises the value when asked to.
fn command_function(lua: &Lua, run: Rc<RunState>, resp3: Rc<Cell<bool>>, hook: *const HookState) -> mlua::Result<Function> {
    lua.create_function(move |lua, values: MultiValue| {
        // SAFETY: the HookState is boxed in the Host, which owns the VM and so this function.
        let hook = unsafe { &*hook };
        let mut it = values.into_iter();
        let mode = match it.next() {
            Some(Value::Integer(m)) => m as u32,
            Some(Value::Number(m)) => m as u32,
            _ => MODE_CALL,
        };
        let rest: Vec<Value> = it.collect();
        let raise = mode == MODE_CALL || mode == MODE_CHECK;
        if rest.is_empty() {
            let t = err_table(lua, b"ERR Please specify at least one argument for this redis lib call")?;
            return Ok((Value::Table(t), raise));
        }
        let mut bytes: Vec<Vec<u8>> = Vec::with_capacity(rest.len());
        for v in &rest {
            let mut b = Vec::new();
            if !arg_bytes(v, &mut b) {
                let t = err_table(lua, b"ERR Lua redis lib command arguments must be strings or integers")?;
                return Ok((Value::Table(t), raise));
            }
            bytes.push(b);
        }
        if hook.expired() {
            return Err(mlua::Error::runtime("Script killed: time limit"));
        }
        let call = match run.call.get() {
            Some(call) => call,
            None => return Err(mlua::Error::runtime("redis.call/pcall can only be called inside a script invocation")),
        };
        let argv: Vec<&[u8]> = bytes.iter().map(|b| &b[..]).collect();
        // SAFETY: set by Host::run for the duration of the run that is calling us (see there).
        let resp = match unsafe { (*call)(mode, &argv, resp3.get()) } {
            Ok(resp) => resp,
            Err(msg) => {
                run.failure.set(Some(Abort::Internal));
                return Err(mlua::Error::runtime(msg));
            }
        };
        if mode == MODE_LOG {
            return Ok((Value::Nil, false));
        }
        let mut pos = 0;
        let value = reply::resp_to_lua(lua, &resp, &mut pos, 0)?;
        let is_error = resp.first() == Some(&b'-');
        if mode == MODE_CHECK && !is_error {
            return Ok((Value::Boolean(true), false));
        }
        Ok((value, raise && is_error))
    })
}

/// Lua's 5.1 count hook: past the deadline, stop the script.
unsafe extern "C-unwind" fn count_hook(state: *mut mlua::lua_State, _ar: *mut mlua::ffi::lua_Debug) {
    if budget_spent(state) {
        stop_script(state);
    }
}

/// Whether the running script is past its time budget (then marked so: Host::run aborts it).
/// Library calls that run long without a Lua instruction (libs/) ask too.
unsafe fn budget_spent(state: *mut mlua::lua_State) -> bool {
    mlua::ffi::lua_getfield(state, mlua::ffi::LUA_REGISTRYINDEX, HOOK_KEY.as_ptr() as *const _);
    let hook = mlua::ffi::lua_touserdata(state, -1) as *const HookState;
    mlua::ffi::lua_pop(state, 1);
    if hook.is_null() {
        return false;
    }
    // SAFETY: the pointer is the Host's boxed HookState, alive as long as the VM.
    let hook = &*hook;
    hook.expired()
}

/// Raise, and fire the hook on every instruction from now on, so that a pcall that catches the
/// error cannot keep the script running. The caller holds nothing with a destructor.
unsafe fn stop_script(state: *mut mlua::lua_State) -> ! {
    mlua::ffi::lua_sethook(state, Some(count_hook), mlua::ffi::LUA_MASKCOUNT, 1);
    mlua::ffi::lua_pushstring(state, c"Script killed: time limit".as_ptr());
    mlua::ffi::lua_error(state)
}

/// `raising(impl)`'s C closure: calls impl(...) -> raise, results... and raises `raise` when
/// set: `true` raises the next value as it is, a string gets the caller's position (as
/// luaL_error), a table is raised as it is. Being a C function, the script's frame stays on the
/// stack even when the script tail-calls it, so errors point at the script's line as Redis's do.
unsafe extern "C-unwind" fn raising_trampoline(state: *mut mlua::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    let n = ffi::lua_gettop(state);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
    ffi::lua_insert(state, 1);
    ffi::lua_call(state, n, ffi::LUA_MULTRET);
    let results = ffi::lua_gettop(state);
    if results == 0 {
        return 0;
    }
    match ffi::lua_type(state, 1) {
        ffi::LUA_TNIL => results - 1,
        ffi::LUA_TBOOLEAN if ffi::lua_toboolean(state, 1) == 0 => results - 1,
        ffi::LUA_TBOOLEAN => {
            ffi::lua_settop(state, 2);
            ffi::lua_error(state)
        }
        ffi::LUA_TSTRING => {
            ffi::lua_settop(state, 1);
            ffi::luaL_where(state, 1);
            ffi::lua_insert(state, 1);
            ffi::lua_concat(state, 2);
            ffi::lua_error(state)
        }
        _ => {
            ffi::lua_settop(state, 1);
            ffi::lua_error(state)
        }
    }
}

/// `I.raising(impl)`: the C closure of raising_trampoline over impl.
unsafe extern "C-unwind" fn make_raising(state: *mut mlua::lua_State) -> std::os::raw::c_int {
    mlua::ffi::lua_settop(state, 1);
    mlua::ffi::lua_pushcclosure(state, raising_trampoline, 1);
    1
}

/// raising_trampoline for redis.call and friends: number arguments first become strings as
/// Redis formats them (`%.17g`, so 0.1 is 0.10000000000000001 and 0/0 is -nan), here on the
/// raw stack where the exact double is still there (mlua would read -0 and 1e-20 as integer 0).
unsafe extern "C-unwind" fn command_trampoline(state: *mut mlua::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    let n = ffi::lua_gettop(state);
    for i in 1..=n {
        if ffi::lua_type(state, i) == ffi::LUA_TNUMBER {
            let mut buf = [0u8; 64];
            let len = crate::float::format_double_c(ffi::lua_tonumber(state, i), &mut buf);
            ffi::lua_pushlstring(state, buf.as_ptr() as *const _, len);
            ffi::lua_replace(state, i);
        }
    }
    raising_trampoline(state)
}

/// `I.raising_command(impl)`: the C closure of command_trampoline over impl.
unsafe extern "C-unwind" fn make_raising_command(state: *mut mlua::lua_State) -> std::os::raw::c_int {
    mlua::ffi::lua_settop(state, 1);
    mlua::ffi::lua_pushcclosure(state, command_trampoline, 1);
    1
}

pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

/// Redis's luaPushErrorBuff: "-CODE msg" keeps CODE, anything else gets ERR; the message is
/// trimmed of CR/LF at both ends.
pub fn error_text(raw: &[u8]) -> Vec<u8> {
    let s = if raw.first() == Some(&b'-') { &raw[1..] } else { raw };
    let (code, msg): (&[u8], &[u8]) = match s.iter().position(|&b| b == b' ') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (b"ERR", s),
    };
    let is_crlf = |b: &u8| *b == b'\r' || *b == b'\n';
    let start = msg.iter().position(|b| !is_crlf(b)).unwrap_or(msg.len());
    let end = msg.iter().rposition(|b| !is_crlf(b)).map_or(start, |i| i + 1);
    let mut out = Vec::with_capacity(code.len() + 1 + end - start);
    out.extend_from_slice(code);
    out.push(b' ');
    out.extend_from_slice(&msg[start..end.max(start)]);
    out
}

/// Redis 7.0's shebang (`#!lua flags=no-writes,...`): the no-writes flag, or the error reply.
fn parse_shebang(body: &[u8]) -> Result<bool, String> {
    let line_end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let line = String::from_utf8_lossy(&body[..line_end]);
    let mut parts = line.split(' ').filter(|p| !p.is_empty());
    let engine = parts.next().unwrap_or("");
    if engine != "#!lua" {
        return Err(format!("ERR Unexpected engine in script shebang: {}", engine));
    }
    let mut no_writes = false;
    for part in parts {
        match part.strip_prefix("flags=") {
            Some(flags) => {
                for flag in flags.split(',').filter(|f| !f.is_empty()) {
                    match flag {
                        "no-writes" => no_writes = true,
                        "allow-oom" | "allow-stale" | "no-cluster" | "allow-cross-slot-keys" => {}
                        other => return Err(format!("ERR Unexpected flag in script shebang: {}", other)),
                    }
                }
            }
            None => return Err(format!("ERR Unknown lua shebang option: {}", part)),
        }
    }
    Ok(no_writes)
}

/// `(long long)d` as x86-64 computes it: out of range (NaN included) is LLONG_MIN.
fn lua_number_to_i64(d: f64) -> i64 {
    if d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 {
        d as i64
    } else {
        i64::MIN
    }
}

/// redis.call's argument conversion: strings as they are, numbers as `%.17g`.
fn arg_bytes(v: &Value, out: &mut Vec<u8>) -> bool {
    match v {
        Value::String(s) => {
            out.extend_from_slice(&s.as_bytes());
            true
        }
        Value::Integer(i) => {
            crate::float::push_double_text(out, *i as f64);
            true
        }
        Value::Number(n) => {
            crate::float::push_double_text(out, *n);
            true
        }
        _ => false,
    }
}

impl Host {
    pub fn new(memory_limit: usize) -> Result<Host, String> {
        Host::build(memory_limit).map_err(|e| format!("cannot start the Lua VM: {}", e))
    }

    fn build(memory_limit: usize) -> mlua::Result<Host> {
        // SAFETY: `debug` is loaded only for the sandbox's error handler, which keeps
        // debug.getinfo in a local; scripts never see the library.
        let lua = unsafe {
            Lua::unsafe_new_with(StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG, LuaOptions::default())
        };
        let resp3 = Rc::new(Cell::new(false));
        let hook = Box::new(HookState::new());
        let rng = Rc::new(Cell::new(RAND48_INIT));
        let internal = lua.create_table()?;
        let run_state = Rc::new(RunState { call: Cell::new(None), failure: Cell::new(None) });
        internal.set("call", command_function(&lua, run_state.clone(), resp3.clone(), hook_handle(&hook))?)?;
        internal.set(
            "sha1hex",
            lua.create_function(|lua, v: Value| {
                let hex = match &v {
                    Value::String(s) => sha1_hex(&s.as_bytes()),
                    Value::Integer(_) | Value::Number(_) => match lua.coerce_string(v.clone())? {
                        Some(s) => sha1_hex(&s.as_bytes()),
                        None => sha1_hex(b""),
                    },
                    _ => sha1_hex(b""),
                };
                Ok(hex)
            })?,
        )?;
        let r = resp3.clone();
        internal.set(
            "setresp",
            lua.create_function(move |_, n: i64| {
                r.set(n == 3);
                Ok(())
            })?,
        )?;
        let g = rng.clone();
        internal.set(
            "rand",
            lua.create_function(move |_, ()| {
                let (next, out) = rand48_next(g.get());
                g.set(next);
                Ok(out as f64)
            })?,
        )?;
        let g = rng.clone();
        internal.set(
            "srand",
            lua.create_function(move |_, seed: i64| {
                g.set(rand48_seed(seed as i32));
                Ok(())
            })?,
        )?;
        // SAFETY: make_raising only builds a closure from its one argument.
        internal.set("raising", unsafe { lua.create_c_function(make_raising)? })?;
        // SAFETY: as above.
        internal.set("raising_command", unsafe { lua.create_c_function(make_raising_command)? })?;
        // SAFETY: libs::open only builds tables and closures, leaving one table on the stack.
        let libs: Table = unsafe { lua.exec_raw((), |state| libs::open(state, memory_limit))? };
        internal.set("libs", libs)?;
        internal.set("version", VERSION)?;
        internal.set("version_num", VERSION_NUM)?;
        let sandbox = lua.load(SANDBOX).set_name("=marekvs").set_mode(ChunkMode::Text).into_function()?;
        let (env, globals, runner, internals): (Table, Table, Function, Table) = sandbox.call((internal.clone(), lua.globals()))?;
        let libraries = library::setup(&lua, internals)?;
        let hook_ptr = &*hook as *const HookState as *mut std::ffi::c_void;
        // SAFETY: stores a pointer to the boxed HookState; the Box lives as long as the VM.
        unsafe {
            lua.exec_raw::<()>((), |state| {
                mlua::ffi::lua_pushlightuserdata(state, hook_ptr);
                mlua::ffi::lua_setfield(state, mlua::ffi::LUA_REGISTRYINDEX, HOOK_KEY.as_ptr() as *const _);
            })?;
        }
        lua.gc_collect()?;
        lua.set_memory_limit(memory_limit)?;
        Ok(Host { lua, scripts: HashMap::new(), env, globals, runner, resp3, hook, run_state, memory_limit, libraries })
    }

    pub fn has(&self, sha: &str) -> bool {
        self.scripts.contains_key(sha)
    }

    /// `#!lua flags=no-writes`; false for an unknown sha.
    pub fn no_writes(&self, sha: &str) -> bool {
        self.scripts.get(sha).is_some_and(|s| s.no_writes)
    }

    pub fn flush(&mut self) {
        self.scripts.clear();
        self.collect();
    }

    /// A full GC. The collector itself allocates, so it runs with the limit lifted: a VM at its
    /// limit (a script aborted for memory) could not free anything otherwise.
    fn collect(&self) {
        let _ = self.lua.set_memory_limit(0);
        let _ = self.lua.gc_collect();
        let _ = self.lua.gc_collect();
        let _ = self.lua.set_memory_limit(self.memory_limit);
    }

    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }

    /// Compile `body` under `sha`; the error is the whole reply text, as Redis words it.
    pub fn load(&mut self, sha: &str, body: &[u8]) -> Result<(), String> {
        if self.scripts.contains_key(sha) {
            return Ok(());
        }
        let mut source = body.to_vec();
        let mut no_writes = false;
        if body.starts_with(b"#!") {
            no_writes = parse_shebang(body)?;
            // The shebang line becomes a comment: line numbers stay those of the body.
            source[0] = b'-';
            source[1] = b'-';
        }
        let func = self
            .lua
            .load(&source[..])
            .set_name("@user_script")
            .set_mode(ChunkMode::Text)
            .set_environment(self.env.clone())
            .into_function()
            .map_err(|e| match e {
                mlua::Error::SyntaxError { message, .. } => format!("ERR Error compiling script (new function): {}", message),
                mlua::Error::MemoryError(_) => "ERR Error compiling script (new function): not enough memory".to_string(),
                other => format!("ERR Error compiling script (new function): {}", other),
            })?;
        if self.scripts.len() >= SCRIPTS_MAX {
            self.flush();
        }
        self.scripts.insert(sha.to_string(), Script { func, no_writes });
        Ok(())
    }

    /// Run a loaded script. `call(mode, argv, resp3)` runs one redis.call and answers its reply
    /// in RESP (3 when `resp3`), or a message that aborts the script (a bug on the JS side).
    pub fn run(
        &mut self,
        sha: &str,
        keys: &[&[u8]],
        args: &[&[u8]],
        time_limit_ms: u64,
        call: &mut dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>,
    ) -> RunOutcome {
        let func = match self.scripts.get(sha) {
            Some(s) => s.func.clone(),
            None => return RunOutcome { reply: Out::Error(b"NOSCRIPT No matching script. Please use EVAL.".to_vec()), abort: None },
        };
        let globals = self.globals.clone();
        self.execute(func, sha, &globals, keys, args, time_limit_ms, call)
    }

    /// The CPU time of this thread the last run or FCALL spent, the commands it called included
    /// (zero when it did not run: NOSCRIPT); once per run.
    pub fn take_run_cpu(&self) -> Duration {
        self.hook.take_spent()
    }

    /// Run `func` under the error handler, `call` serving its redis.call, within the budget.
    /// KEYS and ARGV are set in `target` (the globals for a script, the slot a function's
    /// arguments are taken from for FCALL); `label` names the script in errors (sha, function).
    fn execute(
        &mut self,
        func: Function,
        label: &str,
        target: &Table,
        keys: &[&[u8]],
        args: &[&[u8]],
        time_limit_ms: u64,
        call: &mut dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>,
    ) -> RunOutcome {
        self.resp3.set(false);
        self.run_state.failure.set(None);
        self.hook.start(Duration::from_millis(time_limit_ms));
        let result = self.with_call(call, |host| host.begin(target, keys, args).and_then(|()| host.runner.call::<(bool, Value)>(func)));
        self.hook.stop();
        let timed_out = self.hook.fired();
        let failure = self.run_state.failure.get();
        let outcome = match result {
            _ if timed_out => self.aborted(Abort::Timeout, time_limit_ms),
            _ if failure.is_some() => self.aborted(failure.unwrap(), time_limit_ms),
            Err(mlua::Error::MemoryError(_)) => self.aborted(Abort::Memory, time_limit_ms),
            Err(e) => RunOutcome { reply: Out::Error(format!("ERR Error running script {}, {}", label, e).into_bytes()), abort: Some(Abort::Internal) },
            Ok((true, value)) => RunOutcome { reply: reply::lua_to_out(&value, self.resp3.get(), 0), abort: None },
            Ok((false, value)) => self.error_outcome(&value, label),
        };
        self.end(target);
        if outcome.abort.is_some() || self.lua.used_memory() > self.memory_limit / 2 {
            self.collect();
        }
        outcome
    }

    /// Lend `call` to redis.call (and redis.log) while `body` runs.
    fn with_call<T>(&mut self, call: &mut dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>, body: impl FnOnce(&mut Self) -> T) -> T {
        // SAFETY: the callback's lifetime is erased only while `body` runs: it is cleared below
        // before `call` can go out of scope, and a script cannot start another run (EVAL, FCALL
        // and FUNCTION are refused inside scripts), so nothing else reads it.
        let erased: *mut CallFn = unsafe { std::mem::transmute::<&mut dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>, *mut CallFn>(call) };
        self.run_state.call.set(Some(erased));
        let out = body(self);
        self.run_state.call.set(None);
        out
    }

    /// Set KEYS and ARGV in `target` and re-arm the count hook, in one protected call (mlua
    /// would make one per table and per string, which costs more than a small script).
    fn begin(&self, target: &Table, keys: &[&[u8]], args: &[&[u8]]) -> mlua::Result<()> {
        // SAFETY: the closure only pushes and stores values; a memory error longjmps out of it
        // with nothing to drop (slices only).
        unsafe {
            self.lua.exec_raw::<()>(target.clone(), |state| {
                use mlua::ffi;
                for (name, items) in [(b"KEYS\0", keys), (b"ARGV\0", args)] {
                    ffi::lua_pushstring(state, name.as_ptr() as *const _);
                    ffi::lua_createtable(state, items.len() as std::os::raw::c_int, 0);
                    for (i, item) in items.iter().enumerate() {
                        ffi::lua_pushlstring(state, item.as_ptr() as *const _, item.len());
                        ffi::lua_rawseti(state, -2, (i + 1) as i64);
                    }
                    ffi::lua_rawset(state, 1);
                }
                ffi::lua_sethook(state, Some(count_hook), ffi::LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
            })
        }
    }

    /// Drop KEYS and ARGV (large arguments must not stay alive in the VM until the next run).
    fn end(&self, target: &Table) {
        // SAFETY: as in begin.
        let _ = unsafe {
            self.lua.exec_raw::<()>(target.clone(), |state| {
                use mlua::ffi;
                for name in [b"KEYS\0", b"ARGV\0"] {
                    ffi::lua_pushstring(state, name.as_ptr() as *const _);
                    ffi::lua_pushnil(state);
                    ffi::lua_rawset(state, 1);
                }
            })
        };
    }

    fn aborted(&self, abort: Abort, time_limit_ms: u64) -> RunOutcome {
        let text = match abort {
            Abort::Timeout => format!(
                "ERR Script killed: it ran longer than the script time limit ({} ms, lua-time-limit) and nothing it wrote was applied",
                time_limit_ms
            ),
            Abort::Memory => format!(
                "ERR Script aborted: it used more than the scripting memory limit ({} MB) and nothing it wrote was applied",
                self.memory_limit / (1024 * 1024)
            ),
            Abort::StackOverflow => "ERR Script aborted: stack overflow, and nothing it wrote was applied".to_string(),
            Abort::Internal => "ERR Script aborted: internal error in redis.call, and nothing it wrote was applied".to_string(),
        };
        RunOutcome { reply: Out::Error(text.into_bytes()), abort: Some(abort) }
    }

    /// The reply to a script that raised an error (luaCallFunction's error branch).
    fn error_outcome(&self, value: &Value, label: &str) -> RunOutcome {
        match value {
            Value::Table(t) => {
                let msg: Option<Vec<u8>> = match t.get::<Value>("err") {
                    Ok(Value::String(s)) => Some(s.as_bytes().to_vec()),
                    Ok(Value::Integer(i)) => Some(i.to_string().into_bytes()),
                    Ok(Value::Number(n)) => Some(lua_number_text(n).into_bytes()),
                    _ => None,
                };
                let msg = msg.unwrap_or_else(|| b"ERR unknown error".to_vec());
                let stack_overflow = contains(&msg, b"stack overflow");
                let source: Option<String> = match t.get::<Value>("source") {
                    Ok(Value::String(s)) => Some(s.to_string_lossy().to_string()),
                    _ => None,
                };
                let line: Option<String> = match t.get::<Value>("line") {
                    Ok(Value::Integer(i)) => Some(i.to_string()),
                    Ok(Value::Number(n)) => Some(lua_number_text(n)),
                    Ok(Value::String(s)) => Some(s.to_string_lossy().to_string()),
                    _ => None,
                };
                let mut text = msg;
                if let (Some(source), Some(line)) = (source, line) {
                    text.extend_from_slice(format!(" script: {}, on {}:{}.", label, source, line).as_bytes());
                }
                RunOutcome { reply: Out::Error(text), abort: if stack_overflow { Some(Abort::StackOverflow) } else { None } }
            }
            Value::String(s) if &s.as_bytes()[..] == b"not enough memory" => self.aborted(Abort::Memory, 0),
            other => {
                let msg = match other {
                    Value::String(s) => s.to_string_lossy().to_string(),
                    _ => "execution failure".to_string(),
                };
                let msg: String = msg.chars().take(100).collect();
                RunOutcome { reply: Out::Error(format!("ERR Error running script {}, {}", label, msg).into_bytes()), abort: None }
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// How Lua 5.1's tostring prints a number (%.14g).
fn lua_number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e14 {
        format!("{}", n as i64)
    } else {
        format!("{}", n)
    }
}

fn err_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("err", lua.create_string(text)?)?;
    Ok(t)
}

// Redis's rand48 (src/rand.c): the same sequence on every platform.
const RAND48_INIT: u64 = 0x1234_ABCD_330E;
const RAND48_MASK: u64 = (1 << 48) - 1;

fn rand48_next(x: u64) -> (u64, i32) {
    let next = (x.wrapping_mul(0x5_DEEC_E66D).wrapping_add(0xB)) & RAND48_MASK;
    (next, (next >> 17) as i32)
}

fn rand48_seed(seed: i32) -> u64 {
    ((seed as u32 as u64) << 16) | 0x330E
}

#[cfg(test)]
mod tests;
