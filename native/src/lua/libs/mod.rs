//! The libraries Redis 7.0 gives scripts besides its own: `cjson`, `cmsgpack`, `bit` and
//! `struct`, behaving as Redis's C versions (deps/lua/src/lua_*.c) do. They are written against
//! the Lua C API, as those are, so that argument checks, coercions and error texts come from
//! Lua itself: luaL_argerror names the function as the script called it, luaL_where gives the
//! script's line, and `pcall(cjson.decode, ...)` sees the same message as in Redis.
//!
//! Lua raises errors with longjmp, which skips Rust destructors. So no frame here owns a value
//! with a destructor while it calls into Lua: output buffers live in a state userdata that Lua
//! collects (see `push_state`), frames only borrow them, and messages are formatted on the
//! stack (`StackText`).

use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_int};
use std::ptr;

use mlua::ffi;

/// `(int64_t)d` as x86-64 computes it (out of range, NaN included, is INT64_MIN).
use super::lua_number_to_i64 as c_double_to_i64;

mod bit;
mod cjson;
mod cmsgpack;
mod printf_g;
mod strtod;
mod structlib;
#[cfg(test)]
mod tests;

pub type State = *mut ffi::lua_State;
type Entry = (&'static CStr, ffi::lua_CFunction);

/// Push a table holding the four libraries by their global names. `memory_limit` is the VM's:
/// the encoders' buffers (outside Lua's allocator) may not grow past it.
///
/// # Safety
/// `l` is a live Lua state with room for a few stack slots; call in protected mode.
pub unsafe fn open(l: State, memory_limit: usize) {
    ffi::lua_createtable(l, 0, 4);
    cjson::open(l, memory_limit);
    ffi::lua_setfield(l, -2, c"cjson".as_ptr());
    cmsgpack::open(l, memory_limit);
    ffi::lua_setfield(l, -2, c"cmsgpack".as_ptr());
    bit::open(l);
    ffi::lua_setfield(l, -2, c"bit".as_ptr());
    structlib::open(l, memory_limit);
    ffi::lua_setfield(l, -2, c"struct".as_ptr());
}

/// Set `entries` as fields of the table at `table`, each a C closure over the value at
/// `upvalue` (a state userdata) when there is one. Both indexes are absolute.
unsafe fn set_functions(l: State, table: c_int, entries: &[Entry], upvalue: Option<c_int>) {
    for (name, f) in entries {
        match upvalue {
            Some(index) => {
                ffi::lua_pushvalue(l, index);
                ffi::lua_pushcclosure(l, *f, 1);
            }
            None => ffi::lua_pushcfunction(l, *f),
        }
        ffi::lua_setfield(l, table, name.as_ptr());
    }
}

unsafe fn set_string(l: State, key: &CStr, value: &CStr) {
    ffi::lua_pushstring(l, value.as_ptr());
    ffi::lua_setfield(l, -2, key.as_ptr());
}

/// Push a full userdata holding `make()`, dropped when Lua collects it. `make` runs after
/// the allocation (which may longjmp) so that nothing is lost if it fails; its value must not
/// own heap memory yet (empty Vecs), so a failure while the metatable is set leaks nothing.
unsafe fn push_state<T>(l: State, make: impl FnOnce() -> T) -> *mut T {
    let p = ffi::lua_newuserdata(l, std::mem::size_of::<T>()) as *mut T;
    p.write(make());
    ffi::lua_createtable(l, 0, 1);
    ffi::lua_pushcfunction(l, drop_state::<T>);
    ffi::lua_setfield(l, -2, c"__gc".as_ptr());
    ffi::lua_setmetatable(l, -2);
    p
}

unsafe extern "C-unwind" fn drop_state<T>(l: State) -> c_int {
    let p = ffi::lua_touserdata(l, 1) as *mut T;
    if !p.is_null() {
        ptr::drop_in_place(p);
    }
    0
}

/// The state userdata of the running C closure (its first upvalue).
///
/// # Safety
/// Only from a function registered by `set_functions` over a `push_state::<T>` userdata; the
/// userdata outlives the call (the closure holds it), and no other borrow of it is live (the
/// libraries never call back into Lua code that could re-enter them).
unsafe fn state<'a, T>(l: State) -> &'a mut T {
    &mut *(ffi::lua_touserdata(l, ffi::lua_upvalueindex(1)) as *mut T)
}

/// An output buffer outside Lua's allocator, which encoders fill without running a Lua
/// instruction: they call `checkpoint` after each string and table.
struct Scratch {
    buf: Vec<u8>,
    memory_limit: usize,
    checkpoints: u32,
}

impl Scratch {
    fn new(memory_limit: usize) -> Scratch {
        Scratch { buf: Vec::new(), memory_limit, checkpoints: 0 }
    }

    /// Past the VM's memory limit, raise Lua's own memory error ("not enough memory", which
    /// aborts the script as any allocation past the limit does): the result could never be
    /// pushed, and a table that holds one long string (or table) many times would otherwise make
    /// the buffer grow without bound. Every so often, stop the script if its time budget is
    /// spent (the count hook cannot: no Lua instruction runs here).
    unsafe fn checkpoint(&mut self, l: State) {
        if self.buf.len() > self.memory_limit {
            // An allocation larger than the limit fails in the VM's allocator.
            ffi::lua_newuserdata(l, self.buf.len());
            ffi::lua_pop(l, 1);
        }
        self.checkpoints = self.checkpoints.wrapping_add(1);
        if self.checkpoints & 1023 == 0 && super::budget_spent(l) {
            super::stop_script(l);
        }
    }

    unsafe fn push(&self, l: State) {
        ffi::lua_pushlstring(l, self.buf.as_ptr() as *const c_char, self.buf.len());
    }
}

/// Text formatted on the stack, cut at N bytes (messages are short).
pub struct StackText<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackText<N> {
    pub fn new() -> Self {
        StackText { buf: [0; N], len: 0 }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn push_bytes(&mut self, bytes: &[u8]) {
        let room = N - 1 - self.len.min(N - 1);
        let take = bytes.len().min(room);
        self.buf[self.len..self.len + take].copy_from_slice(&bytes[..take]);
        self.len += take;
    }

    /// NUL-terminated (one byte is always kept for it).
    fn as_c_str(&mut self) -> *const c_char {
        self.buf[self.len] = 0;
        self.buf.as_ptr() as *const c_char
    }
}

impl<const N: usize> fmt::Write for StackText<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_bytes(s.as_bytes());
        Ok(())
    }
}

fn text(args: fmt::Arguments) -> StackText<256> {
    let mut t = StackText::new();
    let _ = fmt::write(&mut t, args);
    t
}

/// luaL_error: the message with the calling script's position.
unsafe fn raise(l: State, message: &[u8]) -> ! {
    ffi::luaL_where(l, 1);
    ffi::lua_pushlstring(l, message.as_ptr() as *const c_char, message.len());
    ffi::lua_concat(l, 2);
    ffi::lua_error(l)
}

unsafe fn raise_fmt(l: State, args: fmt::Arguments) -> ! {
    let t = text(args);
    raise(l, t.as_bytes())
}

/// luaL_argerror: "bad argument #n to '<name>' (message)".
unsafe fn arg_error(l: State, narg: c_int, message: &[u8]) -> ! {
    let mut t = StackText::<256>::new();
    t.push_bytes(message);
    ffi::luaL_argerror(l, narg, t.as_c_str());
    ffi::lua_error(l)
}

/// The bytes of the string (or number, converted in place) at `index`, or Lua's argument error.
unsafe fn check_bytes<'a>(l: State, index: c_int) -> &'a [u8] {
    let mut len = 0usize;
    let p = ffi::luaL_checklstring(l, index, &mut len);
    std::slice::from_raw_parts(p as *const u8, len)
}

/// As C code sees a Lua string through `const char *`: up to its first NUL.
fn c_string(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

/// `(int)d` as x86-64 computes it: out of range (NaN included) is INT_MIN.
fn c_double_to_i32(d: f64) -> i32 {
    if d > -2147483649.0 && d < 2147483648.0 {
        d as i32
    } else {
        i32::MIN
    }
}

/// `(uint64_t)d` as gcc compiles it on x86-64: below 2^63 (NaN included) as (int64_t)d, else
/// (int64_t)(d - 2^63) with the top bit flipped.
fn c_double_to_u64(d: f64) -> u64 {
    const TWO_63: f64 = (1u64 << 63) as f64;
    if d >= TWO_63 {
        (c_double_to_i64(d - TWO_63) as u64) ^ (1 << 63)
    } else {
        c_double_to_i64(d) as u64
    }
}
