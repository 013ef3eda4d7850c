//! Lua values to MessagePack, with lua_cmsgpack.c's choices: a number that is a whole int64
//! is an integer in the smallest form, else a float when the float holds it exactly, else a
//! double; a table whose keys are exactly 1..n is an array, any other a map; strings are
//! str (fixstr, str8, str16, str32), never bin; what MessagePack lacks (functions, nil,
//! cjson.null...) is nil, and so is a table nested 16 deep (cycles end there).

use mlua::ffi;

use super::super::{c_double_to_i32, c_double_to_i64, Scratch, State};

const MAX_NESTING: u32 = 16;

/// Encode the value at the top of the stack, and pop it.
pub unsafe fn value(l: State, out: &mut Scratch, level: u32) {
    match ffi::lua_type(l, -1) {
        ffi::LUA_TSTRING => {
            let mut len = 0usize;
            let p = ffi::lua_tolstring(l, -1, &mut len);
            string(&mut out.buf, std::slice::from_raw_parts(p as *const u8, len));
            out.checkpoint(l);
        }
        ffi::LUA_TBOOLEAN => out.buf.push(if ffi::lua_toboolean(l, -1) != 0 { 0xc3 } else { 0xc2 }),
        ffi::LUA_TNUMBER => number(&mut out.buf, ffi::lua_tonumber(l, -1)),
        ffi::LUA_TTABLE if level < MAX_NESTING => {
            table(l, out, level);
            out.checkpoint(l);
        }
        _ => out.buf.push(0xc0),
    }
    ffi::lua_pop(l, 1);
}

fn string(buf: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        buf.push(0xa0 | len as u8);
    } else if len <= 0xff {
        buf.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        buf.push(0xda);
        buf.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        buf.push(0xdb);
        buf.extend_from_slice(&(len as u32).to_be_bytes());
    }
    buf.extend_from_slice(s);
}

fn number(buf: &mut Vec<u8>, n: f64) {
    let i = c_double_to_i64(n);
    if !n.is_infinite() && i as f64 == n {
        integer(buf, i);
    } else if (n as f32) as f64 == n {
        buf.push(0xca);
        buf.extend_from_slice(&(n as f32).to_be_bytes());
    } else {
        buf.push(0xcb);
        buf.extend_from_slice(&n.to_be_bytes());
    }
}

fn integer(buf: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            buf.push(n as u8);
        } else if n <= 0xff {
            buf.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            buf.push(0xcd);
            buf.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            buf.push(0xce);
            buf.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            buf.push(0xcf);
            buf.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        buf.push(n as i8 as u8);
    } else if n >= -128 {
        buf.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        buf.push(0xd1);
        buf.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2147483648 {
        buf.push(0xd2);
        buf.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        buf.push(0xd3);
        buf.extend_from_slice(&n.to_be_bytes());
    }
}

/// A header of one of the two collection families (fix, 16-bit, 32-bit lengths).
fn header(buf: &mut Vec<u8>, len: usize, fix: u8, wide: u8) {
    if len <= 15 {
        buf.push(fix | len as u8);
    } else if len <= 0xffff {
        buf.push(wide);
        buf.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        buf.push(wide + 1);
        buf.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

unsafe fn table(l: State, out: &mut Scratch, level: u32) {
    match array_length(l) {
        Some(len) => {
            header(&mut out.buf, len, 0x90, 0xdc);
            ffi::luaL_checkstack_(l, 1, c"in function mp_encode_lua_table_as_array".as_ptr());
            for i in 1..=len {
                ffi::lua_rawgeti_(l, -1, i as i32);
                value(l, out, level + 1);
            }
        }
        None => {
            ffi::luaL_checkstack_(l, 3, c"in function mp_encode_lua_table_as_map".as_ptr());
            let mut len = 0usize;
            ffi::lua_pushnil(l);
            while ffi::lua_next(l, -2) != 0 {
                ffi::lua_pop(l, 1);
                len += 1;
            }
            header(&mut out.buf, len, 0x80, 0xde);
            ffi::lua_pushnil(l);
            while ffi::lua_next(l, -2) != 0 {
                ffi::lua_pushvalue(l, -2);
                value(l, out, level + 1);
                value(l, out, level + 1);
            }
        }
    }
}

/// n when the table's keys are exactly the numbers 1..n (n may be 0: an empty table is an
/// empty array), None otherwise. Keys past INT_MAX make a map, as in lua_cmsgpack.c.
unsafe fn array_length(l: State) -> Option<usize> {
    ffi::luaL_checkstack_(l, 2, c"in function table_is_an_array".as_ptr());
    let top = ffi::lua_gettop(l);
    let (mut count, mut max) = (0i32, 0i32);
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_pop(l, 1);
        let n = ffi::lua_tonumber(l, -1);
        if ffi::lua_type(l, -1) != ffi::LUA_TNUMBER || n <= 0.0 || c_double_to_i32(n) as f64 != n {
            ffi::lua_settop(l, top);
            return None;
        }
        max = max.max(n as i32);
        count = count.wrapping_add(1);
    }
    (max == count).then_some(count as usize)
}
