//! Lua BitOp 1.0.2 (lua_bit.c): 32-bit operations on Lua numbers. Arguments become 32 bits as
//! BitOp's `barg` does (the low word of d + 2^52 + 2^51, so 2^32 + 5 is 5 and 1.5 rounds to
//! 2), and results are signed 32-bit numbers.

use std::os::raw::c_int;

use mlua::ffi;

use super::{set_functions, State};

pub unsafe fn open(l: State) {
    ffi::lua_createtable(l, 0, 12);
    set_functions(
        l,
        ffi::lua_gettop(l),
        &[
            (c"tobit", tobit),
            (c"bnot", bnot),
            (c"band", band),
            (c"bor", bor),
            (c"bxor", bxor),
            (c"lshift", lshift),
            (c"rshift", rshift),
            (c"arshift", arshift),
            (c"rol", rol),
            (c"ror", ror),
            (c"bswap", bswap),
            (c"tohex", tohex),
        ],
        None,
    );
}

/// Argument `index` as 32 bits; a non-number fails as BitOp's `luaL_typerror` does.
unsafe fn arg(l: State, index: c_int) -> u32 {
    let bits = (ffi::lua_tonumber(l, index) + 6755399441055744.0).to_bits() as u32;
    if bits == 0 && ffi::lua_isnumber(l, index) == 0 {
        ffi::luaL_typerror(l, index, c"number".as_ptr());
    }
    bits
}

unsafe fn ret(l: State, bits: u32) -> c_int {
    ffi::lua_pushnumber(l, bits as i32 as f64);
    1
}

unsafe extern "C-unwind" fn tobit(l: State) -> c_int {
    ret(l, arg(l, 1))
}

unsafe extern "C-unwind" fn bnot(l: State) -> c_int {
    ret(l, !arg(l, 1))
}

/// band, bor, bxor: the first argument folded with the others, last to second.
unsafe fn fold(l: State, op: fn(u32, u32) -> u32) -> c_int {
    let mut bits = arg(l, 1);
    let mut i = ffi::lua_gettop(l);
    while i > 1 {
        bits = op(bits, arg(l, i));
        i -= 1;
    }
    ret(l, bits)
}

unsafe extern "C-unwind" fn band(l: State) -> c_int {
    fold(l, |a, b| a & b)
}

unsafe extern "C-unwind" fn bor(l: State) -> c_int {
    fold(l, |a, b| a | b)
}

unsafe extern "C-unwind" fn bxor(l: State) -> c_int {
    fold(l, |a, b| a ^ b)
}

/// Shifts and rotations take the count modulo 32.
unsafe fn shift(l: State, op: fn(u32, u32) -> u32) -> c_int {
    let bits = arg(l, 1);
    let n = arg(l, 2) & 31;
    ret(l, op(bits, n))
}

unsafe extern "C-unwind" fn lshift(l: State) -> c_int {
    shift(l, |b, n| b << n)
}

unsafe extern "C-unwind" fn rshift(l: State) -> c_int {
    shift(l, |b, n| b >> n)
}

unsafe extern "C-unwind" fn arshift(l: State) -> c_int {
    shift(l, |b, n| ((b as i32) >> n) as u32)
}

unsafe extern "C-unwind" fn rol(l: State) -> c_int {
    shift(l, u32::rotate_left)
}

unsafe extern "C-unwind" fn ror(l: State) -> c_int {
    shift(l, u32::rotate_right)
}

unsafe extern "C-unwind" fn bswap(l: State) -> c_int {
    ret(l, arg(l, 1).swap_bytes())
}

/// tohex(x [, n]): n hex digits (default 8, at most 8), upper case when n is negative.
unsafe extern "C-unwind" fn tohex(l: State) -> c_int {
    let mut bits = arg(l, 1);
    let n = if ffi::lua_isnone(l, 2) != 0 { 8 } else { arg(l, 2) as i32 };
    // BitOp 1.0.2 negates INT_MIN into itself and overruns its buffer (Redis 7.0's crash,
    // fixed in 7.2.6 as here: INT_MIN counts as INT_MIN + 1).
    let n = n.max(i32::MIN + 1);
    let digits: &[u8; 16] = if n < 0 { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let width = n.unsigned_abs().min(8) as usize;
    let mut buf = [0u8; 8];
    for slot in buf[..width].iter_mut().rev() {
        *slot = digits[(bits & 15) as usize];
        bits >>= 4;
    }
    ffi::lua_pushlstring(l, buf.as_ptr() as *const _, width);
    1
}
