//! Lua CJSON 2.1.0 as Redis 7.0 vendors it (lua_cjson.c): `cjson.encode`, `cjson.decode`,
//! their settings and `cjson.new()`. Each cjson table has its own settings (a `Config` every
//! function of the table holds as upvalue); they last as long as the VM, as in Redis.

use std::os::raw::{c_char, c_int};
use std::ptr;

use mlua::ffi;

use super::{arg_error, push_state, set_functions, set_string, state, text, Scratch, State};

mod decode;
mod encode;

/// encode_invalid_numbers: refuse NaN and infinities, write them (`nan`, `inf`), or write null.
#[derive(Clone, Copy, PartialEq)]
enum InvalidNumbers {
    Off = 0,
    On = 1,
    Null = 2,
}

struct Config {
    sparse_convert: bool,
    sparse_ratio: c_int,
    sparse_safe: c_int,
    encode_max_depth: c_int,
    decode_max_depth: c_int,
    encode_invalid_numbers: InvalidNumbers,
    decode_invalid_numbers: bool,
    /// `%.<precision>g` for numbers, 1..=14.
    precision: c_int,
    /// encode_keep_buffer: keep the output buffer's memory between calls.
    keep_buffer: bool,
    out: Scratch,
    /// A decoded string's bytes, while unescaping.
    string: Vec<u8>,
}

impl Config {
    fn new(memory_limit: usize) -> Config {
        Config {
            sparse_convert: false,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: InvalidNumbers::Off,
            decode_invalid_numbers: true,
            precision: 14,
            keep_buffer: true,
            out: Scratch::new(memory_limit),
            string: Vec::new(),
        }
    }
}

pub unsafe fn open(l: State, memory_limit: usize) {
    ffi::lua_createtable(l, 0, 13);
    let table = ffi::lua_gettop(l);
    push_state(l, || Config::new(memory_limit));
    set_functions(
        l,
        table,
        &[
            (c"encode", encode::encode),
            (c"decode", decode::decode),
            (c"encode_sparse_array", encode_sparse_array),
            (c"encode_max_depth", encode_max_depth),
            (c"decode_max_depth", decode_max_depth),
            (c"encode_number_precision", encode_number_precision),
            (c"encode_keep_buffer", encode_keep_buffer),
            (c"encode_invalid_numbers", encode_invalid_numbers),
            (c"decode_invalid_numbers", decode_invalid_numbers),
            (c"new", new),
        ],
        Some(table + 1),
    );
    ffi::lua_pop(l, 1);
    ffi::lua_pushlightuserdata(l, ptr::null_mut());
    ffi::lua_setfield(l, -2, c"null".as_ptr());
    set_string(l, c"_NAME", c"cjson");
    set_string(l, c"_VERSION", c"2.1.0");
}

/// cjson.new(): another cjson table, with its own settings (the defaults).
unsafe extern "C-unwind" fn new(l: State) -> c_int {
    let memory_limit = state::<Config>(l).out.memory_limit;
    open(l, memory_limit);
    1
}

/// The settings functions take at most `count` arguments (missing ones read as nil, "keep").
unsafe fn settings<'a>(l: State, count: c_int) -> &'a mut Config {
    if ffi::lua_gettop(l) > count {
        arg_error(l, count + 1, b"found too many arguments");
    }
    while ffi::lua_gettop(l) < count {
        ffi::lua_pushnil(l);
    }
    state::<Config>(l)
}

/// An integer setting in [min, max] (an error names argument 1 whatever `index` is, as
/// lua_cjson.c does); pushes the value in force.
unsafe fn integer_option(l: State, index: c_int, setting: &mut c_int, min: c_int, max: c_int) {
    if ffi::lua_isnil(l, index) == 0 {
        let value = ffi::luaL_checkinteger(l, index) as c_int;
        if value < min || value > max {
            arg_error(l, 1, text(format_args!("expected integer between {} and {}", min, max)).as_bytes());
        }
        *setting = value;
    }
    ffi::lua_pushinteger(l, *setting as ffi::lua_Integer);
}

/// A setting among `names` (NULL-terminated), or a boolean for 0 and `bool_true`; pushes the
/// value in force, as a boolean when it is one of those two.
unsafe fn enum_option(l: State, index: c_int, setting: &mut c_int, names: &[*const c_char], bool_true: c_int) {
    if ffi::lua_isnil(l, index) == 0 {
        *setting = if ffi::lua_isboolean(l, index) != 0 {
            ffi::lua_toboolean(l, index) * bool_true
        } else {
            ffi::luaL_checkoption(l, index, ptr::null(), names.as_ptr())
        };
    }
    if *setting == 0 || *setting == bool_true {
        ffi::lua_pushboolean(l, *setting);
    } else {
        ffi::lua_pushstring(l, names[*setting as usize]);
    }
}

/// An on/off setting ("off", "on" or a boolean).
unsafe fn bool_option(l: State, index: c_int, setting: &mut bool) {
    let names = [c"off".as_ptr(), c"on".as_ptr(), ptr::null()];
    let mut value = *setting as c_int;
    enum_option(l, index, &mut value, &names, 1);
    *setting = value != 0;
}

/// encode_sparse_array([convert [, ratio [, safe]]]): tables with holes are arrays unless the
/// largest index is above `safe` and above `ratio` × the element count; then they are objects
/// when `convert`, else an error.
unsafe extern "C-unwind" fn encode_sparse_array(l: State) -> c_int {
    let cfg = settings(l, 3);
    bool_option(l, 1, &mut cfg.sparse_convert);
    integer_option(l, 2, &mut cfg.sparse_ratio, 0, c_int::MAX);
    integer_option(l, 3, &mut cfg.sparse_safe, 0, c_int::MAX);
    3
}

unsafe extern "C-unwind" fn encode_max_depth(l: State) -> c_int {
    let cfg = settings(l, 1);
    integer_option(l, 1, &mut cfg.encode_max_depth, 1, c_int::MAX);
    1
}

unsafe extern "C-unwind" fn decode_max_depth(l: State) -> c_int {
    let cfg = settings(l, 1);
    integer_option(l, 1, &mut cfg.decode_max_depth, 1, c_int::MAX);
    1
}

unsafe extern "C-unwind" fn encode_number_precision(l: State) -> c_int {
    let cfg = settings(l, 1);
    integer_option(l, 1, &mut cfg.precision, 1, 14);
    1
}

unsafe extern "C-unwind" fn encode_keep_buffer(l: State) -> c_int {
    let cfg = settings(l, 1);
    bool_option(l, 1, &mut cfg.keep_buffer);
    if !cfg.keep_buffer {
        cfg.out.buf = Vec::new();
    }
    1
}

/// encode_invalid_numbers(false | true | "off" | "on" | "null").
unsafe extern "C-unwind" fn encode_invalid_numbers(l: State) -> c_int {
    let cfg = settings(l, 1);
    let names = [c"off".as_ptr(), c"on".as_ptr(), c"null".as_ptr(), ptr::null()];
    let mut value = cfg.encode_invalid_numbers as c_int;
    enum_option(l, 1, &mut value, &names, 1);
    cfg.encode_invalid_numbers = match value {
        0 => InvalidNumbers::Off,
        1 => InvalidNumbers::On,
        _ => InvalidNumbers::Null,
    };
    1
}

/// decode_invalid_numbers: accept what strtod reads (hex, inf, nan, leading zeros, '+').
unsafe extern "C-unwind" fn decode_invalid_numbers(l: State) -> c_int {
    let cfg = settings(l, 1);
    bool_option(l, 1, &mut cfg.decode_invalid_numbers);
    1
}
