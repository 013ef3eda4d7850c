//! INCRBYFLOAT in 80-bit long double, and Redis's `%.17g` double formatting.
//! The arithmetic lives in `float.c` (Rust has no `f80`); this is the safe face.

use std::os::raw::{c_char, c_long};

extern "C" {
    fn marekvs_incrbyfloat(
        cur: *const u8,
        cur_len: usize,
        incr: *const u8,
        incr_len: usize,
        out: *mut c_char,
        out_cap: usize,
    ) -> c_long;
    fn marekvs_format_double(d: f64, out: *mut c_char, cap: usize) -> usize;
}

/// Redis's MAX_LONG_DOUBLE_CHARS: the longest long double text it produces
/// (LDBL_MAX printed with `%.17Lf` is about 4951 bytes).
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

pub const ERR_NOT_FLOAT: &str = "ERR value is not a valid float";
pub const ERR_NAN_INF: &str = "ERR increment would produce NaN or Infinity";

/// current + increment as Redis 7's INCRBYFLOAT: the new value's text, or the
/// Redis error message.
pub fn incr_by_float(current: &[u8], increment: &[u8]) -> Result<String, &'static str> {
    let mut out = vec![0u8; MAX_LONG_DOUBLE_CHARS];
    // SAFETY: both inputs are valid slices; out has out.len() writable bytes and
    // the C side writes at most out_cap bytes including its NUL.
    let n = unsafe {
        marekvs_incrbyfloat(
            current.as_ptr(),
            current.len(),
            increment.as_ptr(),
            increment.len(),
            out.as_mut_ptr() as *mut c_char,
            out.len(),
        )
    };
    match n {
        -1 => Err(ERR_NOT_FLOAT),
        n if n <= 0 => Err(ERR_NAN_INF),
        n => {
            out.truncate(n as usize);
            // snprintf of a number writes ASCII only.
            Ok(String::from_utf8(out).unwrap_or_default())
        }
    }
}

/// Append a double as Redis 7.0's addReplyDouble text: `%.17g`, with
/// `inf`/`-inf`/`nan` spelled out.
/// C's `%.17g` exactly (glibc's `-nan` included), into a stack buffer: no allocation, so it is
/// safe inside a Lua C function that may raise. Returns the length written.
pub fn format_double_c(d: f64, buf: &mut [u8; 64]) -> usize {
    // SAFETY: buf has 64 writable bytes; %.17g of any double needs < 32.
    let n = unsafe { marekvs_format_double(d, buf.as_mut_ptr() as *mut c_char, buf.len()) };
    n.min(buf.len())
}

pub fn push_double_text(out: &mut Vec<u8>, d: f64) {
    if d.is_nan() {
        out.extend_from_slice(b"nan");
    } else if d.is_infinite() {
        out.extend_from_slice(if d > 0.0 { b"inf" } else { b"-inf" });
    } else {
        let mut buf = [0u8; 64];
        // SAFETY: buf has 64 writable bytes; %.17g of a finite double needs < 32.
        let n = unsafe { marekvs_format_double(d, buf.as_mut_ptr() as *mut c_char, buf.len()) };
        out.extend_from_slice(&buf[..n.min(buf.len())]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_like_redis() {
        assert_eq!(incr_by_float(b"10.5", b"0.1").unwrap(), "10.6");
        assert_eq!(incr_by_float(b"0", b"abc"), Err(ERR_NOT_FLOAT));
        assert_eq!(incr_by_float(b"inf", b"1"), Err(ERR_NAN_INF));
    }

    #[test]
    fn formats_doubles() {
        let mut v = Vec::new();
        push_double_text(&mut v, 1.0);
        assert_eq!(v, b"1");
        v.clear();
        push_double_text(&mut v, 0.1);
        assert_eq!(v, b"0.10000000000000001");
    }
}
