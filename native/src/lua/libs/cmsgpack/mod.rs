//! lua-cmsgpack 0.4.0 as Redis 7.0 vendors it (lua_cmsgpack.c): MessagePack for Lua 5.1.
//! `pack(...)` encodes each argument and concatenates them; `unpack(s)` returns every value
//! of the stream, `unpack_one(s [, offset])` and `unpack_limit(s, limit [, offset])` return
//! the next offset (-1 at the end) before the values.

use std::os::raw::c_int;

use mlua::ffi;

use super::{arg_error, check_bytes, push_state, raise, raise_fmt, set_functions, state, Scratch, State};

mod decode;
mod encode;

pub unsafe fn open(l: State, memory_limit: usize) {
    ffi::lua_createtable(l, 0, 8);
    let table = ffi::lua_gettop(l);
    push_state(l, || Scratch::new(memory_limit));
    set_functions(
        l,
        table,
        &[(c"pack", pack), (c"unpack", unpack), (c"unpack_one", unpack_one), (c"unpack_limit", unpack_limit)],
        Some(table + 1),
    );
    ffi::lua_pop(l, 1);
    super::set_string(l, c"_NAME", c"cmsgpack");
    super::set_string(l, c"_VERSION", c"lua-cmsgpack 0.4.0");
    super::set_string(l, c"_COPYRIGHT", c"Copyright (C) 2012, Salvatore Sanfilippo");
    super::set_string(l, c"_DESCRIPTION", c"MessagePack C implementation for Lua");
}

unsafe extern "C-unwind" fn pack(l: State) -> c_int {
    let scratch = state::<Scratch>(l);
    let count = ffi::lua_gettop(l);
    if count == 0 {
        arg_error(l, 0, b"MessagePack pack needs input.");
    }
    if ffi::lua_checkstack(l, count) == 0 {
        arg_error(l, 0, b"Too many arguments for MessagePack pack.");
    }
    scratch.buf.clear();
    for i in 1..=count {
        ffi::lua_pushvalue(l, i);
        encode::value(l, scratch, 0);
    }
    scratch.push(l);
    1
}

unsafe extern "C-unwind" fn unpack(l: State) -> c_int {
    unpack_stream(l, 0, 0)
}

unsafe extern "C-unwind" fn unpack_one(l: State) -> c_int {
    let offset = ffi::luaL_optinteger(l, 2, 0);
    ffi::lua_pop(l, ffi::lua_gettop(l) - 1);
    unpack_stream(l, 1, offset)
}

unsafe extern "C-unwind" fn unpack_limit(l: State) -> c_int {
    let limit = ffi::luaL_checkinteger(l, 2);
    let offset = ffi::luaL_optinteger(l, 3, 0);
    ffi::lua_pop(l, ffi::lua_gettop(l) - 1);
    unpack_stream(l, limit, offset)
}

/// mp_unpack_full: up to `limit` values from `offset` of the string argument (limit and offset
/// both 0: every value, and no offset returned: so `unpack_limit(s, 0)` is `unpack(s)`).
unsafe fn unpack_stream(l: State, limit: i64, offset: i64) -> c_int {
    let data = check_bytes(l, 1);
    let whole = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        // (Redis prints the input's length where it means the limit.)
        raise_fmt(l, format_args!("Invalid request to unpack with offset of {} and limit of {}.", offset as i32, data.len() as i32));
    }
    if offset as u64 > data.len() as u64 {
        raise_fmt(l, format_args!("Start offset {} greater than input length {}.", offset as i32, data.len() as i32));
    }
    let limit = if whole { i32::MAX as i64 } else { limit };
    let mut cursor = decode::Cursor::new(&data[offset as usize..]);
    let mut count: c_int = 0;
    while cursor.left() > 0 && (count as i64) < limit {
        match decode::value(l, &mut cursor) {
            Ok(()) => count += 1,
            Err(decode::Failure::MissingBytes) => raise(l, b"Missing bytes in input."),
            Err(decode::Failure::BadFormat) => raise(l, b"Bad data format in input."),
        }
    }
    if !whole {
        ffi::luaL_checkstack_(l, 1, c"in function mp_unpack_full".as_ptr());
        let next = if cursor.left() == 0 { -1 } else { (data.len() - cursor.left()) as ffi::lua_Integer };
        ffi::lua_pushinteger(l, next);
        ffi::lua_insert(l, 2);
        count += 1;
    }
    count
}
