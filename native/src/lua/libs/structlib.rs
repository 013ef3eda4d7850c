//! Roberto Ierusalimschy's struct library (struct.c 1.4) as Redis 7.0 vendors it
//! (lua_struct.c, with Redis's overflow checks): pack, unpack and size, for the sizes of
//! x86-64 Linux (short 2, int 4, long and size_t 8, native order little-endian, maximal
//! alignment 8).
//!
//! Format: `<` `>` byte order, `![n]` alignment, `x` padding, `b/B h/H l/L T i/In` integers
//! (signed/unsigned), `f` `d` floats, `cn` n chars (`c0`: the whole string when packing, the
//! previous number as length when unpacking), `s` zero-terminated string, ` ` ignored.

use std::os::raw::{c_char, c_int};

use mlua::ffi;

use super::{
    arg_error, c_double_to_i64, c_double_to_u64, c_string, check_bytes, push_state, raise, raise_fmt, set_functions, state, Scratch,
    StackText, State,
};

/// Largest integral size (`i32`).
const MAX_INT_SIZE: i32 = 32;
/// Default of `!`: the alignment of a double.
const MAX_ALIGN: i32 = 8;

pub unsafe fn open(l: State, memory_limit: usize) {
    ffi::lua_createtable(l, 0, 3);
    let table = ffi::lua_gettop(l);
    push_state(l, || Scratch::new(memory_limit));
    set_functions(l, table, &[(c"pack", pack), (c"unpack", unpack), (c"size", size)], Some(table + 1));
    ffi::lua_pop(l, 1);
}

#[derive(Clone, Copy, PartialEq)]
enum Endian {
    Big,
    Little,
}

struct Header {
    endian: Endian,
    align: usize,
}

impl Header {
    fn new() -> Header {
        Header { endian: Endian::Little, align: 1 }
    }
}

/// A format string being read, as C reads it (up to its first NUL).
struct Format<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Format<'_> {
    fn next(&mut self) -> Option<u8> {
        let b = self.bytes.get(self.pos).copied();
        self.pos += 1;
        b
    }

    /// The number written after an option, or `default`.
    unsafe fn number(&mut self, l: State, default: i32) -> i32 {
        let mut n: i32 = 0;
        let mut any = false;
        while let Some(&b) = self.bytes.get(self.pos).filter(|b| b.is_ascii_digit()) {
            let digit = (b - b'0') as i32;
            if n > i32::MAX / 10 || n * 10 > i32::MAX - digit {
                raise(l, b"integral size overflow");
            }
            n = n * 10 + digit;
            self.pos += 1;
            any = true;
        }
        if any {
            n
        } else {
            default
        }
    }
}

/// The bytes an option takes (0 for the control options).
unsafe fn option_size(l: State, opt: u8, fmt: &mut Format) -> usize {
    match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' => 4,
        b'x' => 1,
        b'c' => fmt.number(l, 1) as usize,
        b'i' | b'I' => {
            let size = fmt.number(l, 4);
            if size > MAX_INT_SIZE {
                raise_fmt(l, format_args!("integral size {} is larger than limit of {}", size, MAX_INT_SIZE));
            }
            size as usize
        }
        _ => 0,
    }
}

/// Padding before an item of `size` bytes at offset `len` (sizes need not be powers of two:
/// `i3` aligns as struct.c computes it).
fn padding(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size.wrapping_sub(len & (size - 1))) & (size - 1)
}

unsafe fn control(l: State, opt: u8, fmt: &mut Format, h: &mut Header) {
    match opt {
        b' ' => {}
        b'>' => h.endian = Endian::Big,
        b'<' => h.endian = Endian::Little,
        b'!' => {
            let a = fmt.number(l, MAX_ALIGN);
            if a <= 0 || a & (a - 1) != 0 {
                raise_fmt(l, format_args!("alignment {} is not a power of 2", a));
            }
            h.align = a as usize;
        }
        _ => {
            let mut msg = StackText::<64>::new();
            msg.push_bytes(b"invalid format option '");
            msg.push_bytes(&[opt]);
            msg.push_bytes(b"'");
            arg_error(l, 1, msg.as_bytes());
        }
    }
}

fn is_integer(opt: u8) -> bool {
    matches!(opt, b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I')
}

/// `size` bytes of `value` in `endian` order (past 8 bytes: zeros, as struct.c shifts them in).
fn put_integer(out: &mut Vec<u8>, value: u64, endian: Endian, size: usize) {
    let at = out.len();
    out.resize(at + size, 0);
    let mut v = value;
    for i in 0..size {
        let slot = if endian == Endian::Little { at + i } else { at + size - 1 - i };
        out[slot] = (v & 0xff) as u8;
        v = v.checked_shr(8).unwrap_or(0);
    }
}

unsafe extern "C-unwind" fn pack(l: State) -> c_int {
    let scratch = state::<Scratch>(l);
    let mut fmt = Format { bytes: c_string(check_bytes(l, 1)), pos: 0 };
    let mut h = Header::new();
    let mut arg: c_int = 2;
    let mut total: usize = 0;
    scratch.buf.clear();
    // struct.c pushes a mark here: a missing argument reads as nil, not "no value".
    ffi::lua_pushnil(l);
    while let Some(opt) = fmt.next() {
        let mut size = option_size(l, opt, &mut fmt);
        let pad = padding(total, &h, opt, size);
        total += pad;
        scratch.buf.resize(scratch.buf.len() + pad, 0);
        match opt {
            _ if is_integer(opt) => {
                let n = ffi::luaL_checknumber(l, arg);
                arg += 1;
                let value = if n < 0.0 { c_double_to_i64(n) as u64 } else { c_double_to_u64(n) };
                put_integer(&mut scratch.buf, value, h.endian, size);
            }
            b'x' => scratch.buf.push(0),
            b'f' => {
                let f = ffi::luaL_checknumber(l, arg) as f32;
                arg += 1;
                scratch.buf.extend_from_slice(&if h.endian == Endian::Big { f.to_be_bytes() } else { f.to_le_bytes() });
            }
            b'd' => {
                let d = ffi::luaL_checknumber(l, arg);
                arg += 1;
                scratch.buf.extend_from_slice(&if h.endian == Endian::Big { d.to_be_bytes() } else { d.to_le_bytes() });
            }
            b'c' | b's' => {
                let s = check_bytes(l, arg);
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                // (struct.c names the argument after the string: its counter has moved on.)
                if s.len() < size {
                    arg_error(l, arg, b"string too short");
                }
                scratch.buf.extend_from_slice(&s[..size]);
                if opt == b's' {
                    scratch.buf.push(0);
                    size += 1;
                }
                scratch.checkpoint(l);
            }
            _ => control(l, opt, &mut fmt, &mut h),
        }
        total += size;
    }
    scratch.push(l);
    1
}

/// An integer of `size` bytes: unsigned, or sign-extended from its top bit as struct.c does
/// (for sizes past 8 its shift count wraps modulo 64 on x86-64).
fn get_integer(bytes: &[u8], endian: Endian, signed: bool, size: usize) -> f64 {
    let mut v: u64 = 0;
    for i in 0..size {
        let b = if endian == Endian::Big { bytes[i] } else { bytes[size - 1 - i] };
        v = v << 8 | b as u64;
    }
    if !signed {
        return v as f64;
    }
    let mask = u64::MAX << ((size * 8).wrapping_sub(1) & 63);
    if v & mask != 0 {
        v |= mask;
    }
    v as i64 as f64
}

unsafe extern "C-unwind" fn unpack(l: State) -> c_int {
    let mut fmt = Format { bytes: c_string(check_bytes(l, 1)), pos: 0 };
    let data = check_bytes(l, 2);
    // An unsigned size_t in Redis: a negative offset passes this check and is out of the
    // data (too short) below.
    let start = ffi::luaL_optinteger(l, 3, 1) as usize;
    if start == 0 {
        arg_error(l, 3, b"offset must be 1 or greater");
    }
    let mut pos = start - 1;
    let mut h = Header::new();
    let mut results: c_int = 0;
    while let Some(opt) = fmt.next() {
        let mut size = option_size(l, opt, &mut fmt);
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        let fits = |pos: usize, size: usize| size <= data.len() && pos <= data.len() - size;
        if !fits(pos, size) {
            arg_error(l, 2, b"data string too short");
        }
        ffi::luaL_checkstack_(l, 2, c"too many results".as_ptr());
        let item = &data[pos..pos + size];
        match opt {
            _ if is_integer(opt) => {
                ffi::lua_pushnumber(l, get_integer(item, h.endian, opt.is_ascii_lowercase(), size));
                results += 1;
            }
            b'x' => {}
            b'f' => {
                let raw: [u8; 4] = [item[0], item[1], item[2], item[3]];
                let f = if h.endian == Endian::Big { f32::from_be_bytes(raw) } else { f32::from_le_bytes(raw) };
                ffi::lua_pushnumber(l, f as f64);
                results += 1;
            }
            b'd' => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(item);
                let d = if h.endian == Endian::Big { f64::from_be_bytes(raw) } else { f64::from_le_bytes(raw) };
                ffi::lua_pushnumber(l, d);
                results += 1;
            }
            b'c' => {
                if size == 0 {
                    // The length is the number unpacked just before.
                    if results == 0 || ffi::lua_isnumber(l, -1) == 0 {
                        raise(l, b"format 'c0' needs a previous size");
                    }
                    size = c_double_to_u64(ffi::lua_tonumber(l, -1)) as usize;
                    ffi::lua_pop(l, 1);
                    results -= 1;
                    if !fits(pos, size) {
                        arg_error(l, 2, b"data string too short");
                    }
                }
                ffi::lua_pushlstring(l, data[pos..].as_ptr() as *const c_char, size);
                results += 1;
            }
            b's' => {
                let end = match data[pos..].iter().position(|&b| b == 0) {
                    Some(end) => end,
                    None => raise(l, b"unfinished string in data"),
                };
                ffi::lua_pushlstring(l, data[pos..].as_ptr() as *const c_char, end);
                size = end + 1;
                results += 1;
            }
            _ => control(l, opt, &mut fmt, &mut h),
        }
        pos = pos.wrapping_add(size);
    }
    ffi::lua_pushinteger(l, pos.wrapping_add(1) as isize as ffi::lua_Integer);
    results + 1
}

/// size(fmt): the bytes `pack(fmt, ...)` makes, for formats of fixed size.
unsafe extern "C-unwind" fn size(l: State) -> c_int {
    let mut fmt = Format { bytes: c_string(check_bytes(l, 1)), pos: 0 };
    let mut h = Header::new();
    let mut pos: usize = 0;
    while let Some(opt) = fmt.next() {
        let size = option_size(l, opt, &mut fmt);
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        if opt == b's' {
            arg_error(l, 1, b"option 's' has no fixed size");
        } else if opt == b'c' && size == 0 {
            arg_error(l, 1, b"option 'c0' has no fixed size");
        }
        // Unknown letters count for nothing here (struct.c only checks the other bytes).
        if !opt.is_ascii_alphanumeric() {
            control(l, opt, &mut fmt, &mut h);
        }
        pos = pos.wrapping_add(size);
    }
    ffi::lua_pushinteger(l, pos as isize as ffi::lua_Integer);
    1
}
