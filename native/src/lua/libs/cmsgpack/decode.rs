//! MessagePack to Lua values, as lua_cmsgpack.c decodes (Lua 5.1 on 64 bits): integers
//! become numbers (uint64 through a signed int64, so 2^64-1 is -1), str and the old raw
//! types become strings; bin, ext and the reserved byte are a bad format; nesting is bounded by
//! the Lua stack ("too many return values at once...").

use std::os::raw::c_char;

use mlua::ffi;

use super::super::State;

pub enum Failure {
    MissingBytes,
    BadFormat,
}

pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The next `n` bytes, consumed.
    fn take(&mut self, n: usize) -> Result<&'a [u8], Failure> {
        if self.left() < n {
            return Err(Failure::MissingBytes);
        }
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn uint(&mut self, n: usize) -> Result<u64, Failure> {
        Ok(self.take(n)?.iter().fold(0u64, |v, &b| v << 8 | b as u64))
    }
}

/// Decode one value and leave it on the stack.
pub unsafe fn value(l: State, c: &mut Cursor) -> Result<(), Failure> {
    if c.left() == 0 {
        return Err(Failure::MissingBytes);
    }
    ffi::luaL_checkstack_(l, 1, c"too many return values at once; use unpack_one or unpack_limit instead.".as_ptr());
    let tag = c.data[c.pos];
    c.pos += 1;
    body(l, c, tag)
}

unsafe fn body(l: State, c: &mut Cursor, tag: u8) -> Result<(), Failure> {
    match tag {
        0x00..=0x7f => ffi::lua_pushinteger(l, tag as ffi::lua_Integer),
        0xe0..=0xff => ffi::lua_pushinteger(l, tag as i8 as ffi::lua_Integer),
        0xcc => ffi::lua_pushinteger(l, c.uint(1)? as ffi::lua_Integer),
        0xcd => ffi::lua_pushinteger(l, c.uint(2)? as ffi::lua_Integer),
        0xce => ffi::lua_pushinteger(l, c.uint(4)? as ffi::lua_Integer),
        0xcf => ffi::lua_pushinteger(l, c.uint(8)? as i64 as ffi::lua_Integer),
        0xd0 => ffi::lua_pushinteger(l, c.uint(1)? as u8 as i8 as ffi::lua_Integer),
        0xd1 => ffi::lua_pushinteger(l, c.uint(2)? as u16 as i16 as ffi::lua_Integer),
        0xd2 => ffi::lua_pushinteger(l, c.uint(4)? as u32 as i32 as ffi::lua_Integer),
        0xd3 => ffi::lua_pushnumber(l, c.uint(8)? as i64 as f64),
        0xc0 => ffi::lua_pushnil(l),
        0xc2 => ffi::lua_pushboolean(l, 0),
        0xc3 => ffi::lua_pushboolean(l, 1),
        0xca => ffi::lua_pushnumber(l, f32::from_bits(c.uint(4)? as u32) as f64),
        0xcb => ffi::lua_pushnumber(l, f64::from_bits(c.uint(8)?)),
        0xa0..=0xbf => string(l, c, (tag & 0x1f) as usize)?,
        0xd9 => {
            let len = c.uint(1)? as usize;
            string(l, c, len)?
        }
        0xda => {
            let len = c.uint(2)? as usize;
            string(l, c, len)?
        }
        0xdb => {
            let len = c.uint(4)? as usize;
            string(l, c, len)?
        }
        0x90..=0x9f => array(l, c, (tag & 0xf) as usize)?,
        0xdc => {
            let len = c.uint(2)? as usize;
            array(l, c, len)?
        }
        0xdd => {
            let len = c.uint(4)? as usize;
            array(l, c, len)?
        }
        0x80..=0x8f => map(l, c, (tag & 0xf) as usize)?,
        0xde => {
            let len = c.uint(2)? as usize;
            map(l, c, len)?
        }
        0xdf => {
            let len = c.uint(4)? as usize;
            map(l, c, len)?
        }
        _ => return Err(Failure::BadFormat),
    }
    Ok(())
}

unsafe fn string(l: State, c: &mut Cursor, len: usize) -> Result<(), Failure> {
    let bytes = c.take(len)?;
    ffi::lua_pushlstring(l, bytes.as_ptr() as *const c_char, bytes.len());
    Ok(())
}

unsafe fn array(l: State, c: &mut Cursor, len: usize) -> Result<(), Failure> {
    ffi::lua_createtable(l, 0, 0);
    ffi::luaL_checkstack_(l, 1, c"in function mp_decode_to_lua_array".as_ptr());
    for index in 1..=len {
        ffi::lua_pushnumber(l, index as f64);
        value(l, c)?;
        ffi::lua_settable(l, -3);
    }
    Ok(())
}

unsafe fn map(l: State, c: &mut Cursor, len: usize) -> Result<(), Failure> {
    ffi::lua_createtable(l, 0, 0);
    for _ in 0..len {
        value(l, c)?;
        value(l, c)?;
        // A nil or NaN key fails here as in Redis ("table index is nil").
        ffi::lua_settable(l, -3);
    }
    Ok(())
}
