//! cjson.encode: Lua values to JSON text, as lua_cjson.c writes it. Numbers are `%.14g`
//! (the precision setting); strings escape `"` `\` `/`, control characters and DEL, and pass
//! other bytes as they are (no UTF-8 check); a table is an array when its keys are all
//! positive integers (holes become null, unless the array is "excessively sparse"), else an
//! object; an empty table is `{}`; nil and cjson.null are null.

use std::os::raw::c_int;

use mlua::ffi;

use super::super::{arg_error, c_double_to_i32, printf_g, raise_fmt, state, State};
use super::{Config, InvalidNumbers};

pub unsafe extern "C-unwind" fn encode(l: State) -> c_int {
    let cfg = state::<Config>(l);
    if ffi::lua_gettop(l) != 1 {
        arg_error(l, 1, b"expected 1 argument");
    }
    cfg.out.buf.clear();
    value(l, cfg, 0);
    cfg.out.push(l);
    if !cfg.keep_buffer {
        cfg.out.buf = Vec::new();
    }
    1
}

/// "Cannot serialise <type of the value at index>: <reason>".
unsafe fn refuse(l: State, index: c_int, reason: &str) -> ! {
    let type_name = std::ffi::CStr::from_ptr(ffi::lua_typename(l, ffi::lua_type(l, index))).to_str().unwrap_or("?");
    raise_fmt(l, format_args!("Cannot serialise {}: {}", type_name, reason))
}

/// Append the value at the top of the stack (left there).
unsafe fn value(l: State, cfg: &mut Config, depth: c_int) {
    match ffi::lua_type(l, -1) {
        ffi::LUA_TSTRING => string(l, cfg, -1),
        ffi::LUA_TNUMBER => number(l, cfg, -1),
        ffi::LUA_TBOOLEAN => {
            let word: &[u8] = if ffi::lua_toboolean(l, -1) != 0 { b"true" } else { b"false" };
            cfg.out.buf.extend_from_slice(word);
        }
        ffi::LUA_TTABLE => {
            let depth = depth + 1;
            if depth > cfg.encode_max_depth || ffi::lua_checkstack(l, 3) == 0 {
                raise_fmt(l, format_args!("Cannot serialise, excessive nesting ({})", depth));
            }
            let len = array_length(l, cfg);
            if len > 0 {
                array(l, cfg, depth, len);
            } else {
                object(l, cfg, depth);
            }
            cfg.out.checkpoint(l);
        }
        ffi::LUA_TNIL => cfg.out.buf.extend_from_slice(b"null"),
        ffi::LUA_TLIGHTUSERDATA if ffi::lua_touserdata(l, -1).is_null() => cfg.out.buf.extend_from_slice(b"null"),
        _ => refuse(l, -1, "type not supported"),
    }
}

/// JSON's escape for each byte that needs one (the rest are written as they are).
fn escape(b: u8) -> Option<&'static [u8]> {
    const CONTROL: [&[u8]; 32] = [
        b"\\u0000", b"\\u0001", b"\\u0002", b"\\u0003", b"\\u0004", b"\\u0005", b"\\u0006", b"\\u0007", b"\\b", b"\\t", b"\\n", b"\\u000b",
        b"\\f", b"\\r", b"\\u000e", b"\\u000f", b"\\u0010", b"\\u0011", b"\\u0012", b"\\u0013", b"\\u0014", b"\\u0015", b"\\u0016",
        b"\\u0017", b"\\u0018", b"\\u0019", b"\\u001a", b"\\u001b", b"\\u001c", b"\\u001d", b"\\u001e", b"\\u001f",
    ];
    match b {
        0..=31 => Some(CONTROL[b as usize]),
        b'"' => Some(b"\\\""),
        b'/' => Some(b"\\/"),
        b'\\' => Some(b"\\\\"),
        127 => Some(b"\\u007f"),
        _ => None,
    }
}

unsafe fn string(l: State, cfg: &mut Config, index: c_int) {
    let mut len = 0usize;
    let p = ffi::lua_tolstring(l, index, &mut len);
    let s = std::slice::from_raw_parts(p as *const u8, len);
    let buf = &mut cfg.out.buf;
    buf.reserve(len + 2);
    buf.push(b'"');
    // Runs of bytes that need no escape are copied whole.
    let mut run = 0;
    for (i, &b) in s.iter().enumerate() {
        if let Some(e) = escape(b) {
            buf.extend_from_slice(&s[run..i]);
            buf.extend_from_slice(e);
            run = i + 1;
        }
    }
    buf.extend_from_slice(&s[run..]);
    buf.push(b'"');
    cfg.out.checkpoint(l);
}

unsafe fn number(l: State, cfg: &mut Config, index: c_int) {
    let n = ffi::lua_tonumber(l, index);
    if !n.is_finite() {
        match cfg.encode_invalid_numbers {
            InvalidNumbers::Off => refuse(l, index, "must not be NaN or Inf"),
            // (lua_cjson.c spells NaN itself: printf could write "-nan".)
            InvalidNumbers::On if n.is_nan() => return cfg.out.buf.extend_from_slice(b"nan"),
            InvalidNumbers::On => {}
            InvalidNumbers::Null => return cfg.out.buf.extend_from_slice(b"null"),
        }
    }
    printf_g::push_g(&mut cfg.out.buf, n, cfg.precision as usize);
}

/// lua_array_length: the largest key when every key is a positive integer, else -1 (an
/// object). It is an int in lua_cjson.c: a key past INT_MAX becomes INT_MIN there, which
/// makes the table an object too. Too sparse (see encode_sparse_array): an object or an error.
unsafe fn array_length(l: State, cfg: &Config) -> c_int {
    let (mut max, mut items) = (0 as c_int, 0 as c_int);
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        let k = ffi::lua_tonumber(l, -2);
        if ffi::lua_type(l, -2) == ffi::LUA_TNUMBER && k != 0.0 && k.floor() == k && k >= 1.0 {
            if k > max as f64 {
                max = c_double_to_i32(k);
            }
            items = items.wrapping_add(1);
            ffi::lua_pop(l, 1);
            continue;
        }
        ffi::lua_pop(l, 2);
        return -1;
    }
    if cfg.sparse_ratio > 0 && max > items.wrapping_mul(cfg.sparse_ratio) && max > cfg.sparse_safe {
        if !cfg.sparse_convert {
            refuse(l, -1, "excessively sparse array");
        }
        return -1;
    }
    max
}

unsafe fn array(l: State, cfg: &mut Config, depth: c_int, len: c_int) {
    cfg.out.buf.push(b'[');
    for i in 1..=len {
        if i > 1 {
            cfg.out.buf.push(b',');
        }
        ffi::lua_rawgeti_(l, -1, i);
        value(l, cfg, depth);
        ffi::lua_pop(l, 1);
    }
    cfg.out.buf.push(b']');
}

unsafe fn object(l: State, cfg: &mut Config, depth: c_int) {
    cfg.out.buf.push(b'{');
    let mut first = true;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        if !first {
            cfg.out.buf.push(b',');
        }
        first = false;
        match ffi::lua_type(l, -2) {
            ffi::LUA_TNUMBER => {
                cfg.out.buf.push(b'"');
                number(l, cfg, -2);
                cfg.out.buf.extend_from_slice(b"\":");
            }
            ffi::LUA_TSTRING => {
                string(l, cfg, -2);
                cfg.out.buf.push(b':');
            }
            _ => refuse(l, -2, "table key must be a number or string"),
        }
        value(l, cfg, depth);
        ffi::lua_pop(l, 1);
    }
    cfg.out.buf.push(b'}');
}
