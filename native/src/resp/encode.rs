//! Reply encoder: walks the JS reply values (the shapes of lib/core/reply.ts)
//! and writes RESP2 or RESP3 bytes exactly as Redis 7.0 does. One native call
//! encodes a whole batch of replies for one connection.

use napi::sys;
use napi::{Error, Result, Status};
use std::ptr;

use crate::float::push_double_text;

/// Deepest reply nesting accepted; deeper is a programmer error (and would
/// otherwise risk the native stack).
const MAX_DEPTH: u32 = 512;

/// Append `n` in decimal.
pub fn push_int(out: &mut Vec<u8>, n: i128) {
    let mut buf = [0u8; 48];
    let mut i = buf.len();
    let neg = n < 0;
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    out.extend_from_slice(&buf[i..]);
}

/// `<prefix><n>\r\n`
pub fn push_header(out: &mut Vec<u8>, prefix: u8, n: usize) {
    out.push(prefix);
    push_int(out, n as i128);
    out.extend_from_slice(b"\r\n");
}

pub fn push_bulk(out: &mut Vec<u8>, data: &[u8]) {
    push_header(out, b'$', data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// `+`/`-` lines: a '\r' or '\n' inside would break the protocol, so they
/// become spaces, as Redis does for formatted error replies.
pub fn push_line(out: &mut Vec<u8>, prefix: u8, text: &[u8]) {
    out.push(prefix);
    out.extend(text.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
    out.extend_from_slice(b"\r\n");
}

pub fn push_double(out: &mut Vec<u8>, d: f64, resp3: bool) {
    if resp3 {
        out.push(b',');
        push_double_text(out, d);
        out.extend_from_slice(b"\r\n");
    } else {
        let mut text = Vec::with_capacity(32);
        push_double_text(&mut text, d);
        push_bulk(out, &text);
    }
}

fn type_error(msg: String) -> Error {
    Error::new(Status::InvalidArg, msg)
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), "N-API call failed while encoding a reply".to_string()))
    }
}

pub struct Encoder {
    env: sys::napi_env,
    resp3: bool,
    pub out: Vec<u8>,
}

/// Property names as NUL-terminated C strings: napi_get_named_property looks
/// them up as internalized strings, cheaper than creating keys per call.
const KEY_T: &[u8] = b"t\0";
const KEY_V: &[u8] = b"v\0";
const KEY_FORMAT: &[u8] = b"format\0";

impl Encoder {
    pub fn new(env: sys::napi_env, resp3: bool) -> Result<Self> {
        Ok(Encoder { env, resp3, out: Vec::with_capacity(256) })
    }

    /// The protocol of the replies pushed from now on (a batch mixes clients of both).
    pub fn set_resp3(&mut self, resp3: bool) {
        self.resp3 = resp3;
    }

    fn get(&self, obj: sys::napi_value, key: &[u8]) -> Result<sys::napi_value> {
        let mut v = ptr::null_mut();
        // SAFETY: obj is an object value of this call's scope; key ends in NUL.
        check(unsafe { sys::napi_get_named_property(self.env, obj, key.as_ptr() as *const _, &mut v) })?;
        Ok(v)
    }

    fn type_of(&self, v: sys::napi_value) -> Result<i32> {
        let mut t = 0;
        // SAFETY: v is a value of this call's scope.
        check(unsafe { sys::napi_typeof(self.env, v, &mut t) })?;
        Ok(t)
    }

    /// Append a JS string's UTF-8 bytes as a bulk (or a line when `line` is set).
    fn push_string(&mut self, v: sys::napi_value, line: Option<u8>) -> Result<()> {
        // Short strings (most replies) need one call into a stack buffer.
        let mut small = [0u8; 256];
        let mut len = 0usize;
        // SAFETY: small has small.len() bytes; N-API writes at most that, NUL included.
        check(unsafe { sys::napi_get_value_string_utf8(self.env, v, small.as_mut_ptr() as *mut _, small.len(), &mut len) })?;
        // A truncated copy leaves fewer than 4 bytes free (it stops at a
        // character boundary); anything shorter is the whole string.
        if len + 4 < small.len() {
            match line {
                Some(p) => push_line(&mut self.out, p, &small[..len]),
                None => push_bulk(&mut self.out, &small[..len]),
            }
            return Ok(());
        }
        // SAFETY: a null buffer asks only for the length.
        check(unsafe { sys::napi_get_value_string_utf8(self.env, v, ptr::null_mut(), 0, &mut len) })?;
        let mut buf = vec![0u8; len + 1];
        let mut got = 0usize;
        // SAFETY: buf has len + 1 bytes for the string and its NUL.
        check(unsafe { sys::napi_get_value_string_utf8(self.env, v, buf.as_mut_ptr() as *mut _, buf.len(), &mut got) })?;
        buf.truncate(got);
        match line {
            Some(p) => push_line(&mut self.out, p, &buf),
            None => push_bulk(&mut self.out, &buf),
        }
        Ok(())
    }

    fn string_value(&self, v: sys::napi_value) -> Result<Vec<u8>> {
        let mut len = 0usize;
        // SAFETY: as in push_string.
        check(unsafe { sys::napi_get_value_string_utf8(self.env, v, ptr::null_mut(), 0, &mut len) })?;
        let mut buf = vec![0u8; len + 1];
        let mut got = 0usize;
        // SAFETY: buf has len + 1 bytes.
        check(unsafe { sys::napi_get_value_string_utf8(self.env, v, buf.as_mut_ptr() as *mut _, buf.len(), &mut got) })?;
        buf.truncate(got);
        Ok(buf)
    }

    fn string_prop(&self, obj: sys::napi_value, key: &[u8], what: &str) -> Result<Vec<u8>> {
        let v = self.get(obj, key)?;
        if self.type_of(v)? != sys::ValueType::napi_string {
            return Err(type_error(format!("reply of type '{}' needs a string", what)));
        }
        self.string_value(v)
    }

    fn push_number(&mut self, v: sys::napi_value) -> Result<()> {
        let mut d = 0f64;
        // SAFETY: v is a number.
        check(unsafe { sys::napi_get_value_double(self.env, v, &mut d) })?;
        // Integers only: a fraction here is a handler bug, never silently cut.
        if !d.is_finite() || d.fract() != 0.0 || d.abs() >= 9.223372036854775807e18 {
            return Err(type_error(format!("integer reply must be an integer, got {}", d)));
        }
        self.out.push(b':');
        push_int(&mut self.out, d as i64 as i128);
        self.out.extend_from_slice(b"\r\n");
        Ok(())
    }

    fn push_bigint(&mut self, v: sys::napi_value) -> Result<()> {
        let mut sign = 0i32;
        let mut count = 0usize;
        // SAFETY: null sign and words pointers ask for the word count only.
        check(unsafe { sys::napi_get_value_bigint_words(self.env, v, ptr::null_mut(), &mut count, ptr::null_mut()) })?;
        if count > 2 {
            return Err(type_error("integer reply does not fit in 128 bits".to_string()));
        }
        let mut words = [0u64; 2];
        let mut n = 2usize;
        // SAFETY: words holds 2 u64, n says so.
        check(unsafe { sys::napi_get_value_bigint_words(self.env, v, &mut sign, &mut n, words.as_mut_ptr()) })?;
        let mag = (words[1] as u128) << 64 | words[0] as u128;
        if mag > i128::MAX as u128 {
            return Err(type_error("integer reply does not fit in 128 bits".to_string()));
        }
        let val = if sign != 0 { -(mag as i128) } else { mag as i128 };
        self.out.push(b':');
        push_int(&mut self.out, val);
        self.out.extend_from_slice(b"\r\n");
        Ok(())
    }

    fn array_items(&mut self, arr: sys::napi_value, depth: u32) -> Result<()> {
        let len = self.array_len(arr)?;
        for i in 0..len {
            let mut item = ptr::null_mut();
            // SAFETY: arr is an array and i < its length.
            check(unsafe { sys::napi_get_element(self.env, arr, i, &mut item) })?;
            self.push(item, depth + 1)?;
        }
        Ok(())
    }

    fn array_len(&self, arr: sys::napi_value) -> Result<u32> {
        let mut len = 0u32;
        // SAFETY: arr was checked to be an array by the caller.
        check(unsafe { sys::napi_get_array_length(self.env, arr, &mut len) })?;
        Ok(len)
    }

    fn is_array(&self, v: sys::napi_value) -> Result<bool> {
        let mut r = false;
        // SAFETY: v is a value of this call's scope.
        check(unsafe { sys::napi_is_array(self.env, v, &mut r) })?;
        Ok(r)
    }

    /// An aggregate (`*`, `%`, `~`, `>`) whose items are `v` of a tagged object.
    fn push_aggregate(&mut self, obj: sys::napi_value, tag: &[u8], depth: u32) -> Result<()> {
        let items = self.get(obj, KEY_V)?;
        if !self.is_array(items)? {
            return Err(type_error(format!("reply of type '{}' needs an array", String::from_utf8_lossy(tag))));
        }
        let len = self.array_len(items)? as usize;
        let (prefix, n) = match (tag, self.resp3) {
            (b"map", true) => (b'%', len / 2),
            (b"map", false) => (b'*', len),
            (b"set", true) => (b'~', len),
            (b"push", true) => (b'>', len),
            _ => (b'*', len),
        };
        if (tag == b"map" || tag == b"pairs") && len % 2 != 0 {
            return Err(type_error(format!("{} reply needs an even number of items", String::from_utf8_lossy(tag))));
        }
        if tag == b"pairs" && self.resp3 {
            // Redis 7's RESP3 shape for WITHSCORES/WITHVALUES: an array of [member, score] arrays.
            push_header(&mut self.out, b'*', len / 2);
            for i in 0..len as u32 / 2 {
                push_header(&mut self.out, b'*', 2);
                for j in 0..2 {
                    let mut item = ptr::null_mut();
                    // SAFETY: items is an array and 2i + j < its length.
                    check(unsafe { sys::napi_get_element(self.env, items, 2 * i + j, &mut item) })?;
                    self.push(item, depth + 2)?;
                }
            }
            return Ok(());
        }
        push_header(&mut self.out, prefix, n);
        self.array_items(items, depth)
    }

    pub fn push(&mut self, v: sys::napi_value, depth: u32) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(type_error("reply nested too deeply".to_string()));
        }
        match self.type_of(v)? {
            sys::ValueType::napi_string => self.push_string(v, None),
            sys::ValueType::napi_number => self.push_number(v),
            sys::ValueType::napi_bigint => self.push_bigint(v),
            sys::ValueType::napi_null => {
                self.out.extend_from_slice(if self.resp3 { b"_\r\n" } else { b"$-1\r\n" });
                Ok(())
            }
            sys::ValueType::napi_object => self.push_object(v, depth),
            t => Err(type_error(format!("not a reply value (napi_valuetype {})", t))),
        }
    }

    fn push_object(&mut self, v: sys::napi_value, depth: u32) -> Result<()> {
        let mut is_buf = false;
        // SAFETY: v is an object of this call's scope.
        check(unsafe { sys::napi_is_buffer(self.env, v, &mut is_buf) })?;
        if is_buf {
            let mut data = ptr::null_mut();
            let mut len = 0usize;
            // SAFETY: v is a Buffer; data/len describe its bytes for this call.
            check(unsafe { sys::napi_get_buffer_info(self.env, v, &mut data, &mut len) })?;
            let bytes: &[u8] = if len == 0 || data.is_null() {
                &[]
            } else {
                // SAFETY: N-API guarantees data points at len readable bytes.
                unsafe { std::slice::from_raw_parts(data as *const u8, len) }
            };
            push_bulk(&mut self.out, bytes);
            return Ok(());
        }
        if self.is_array(v)? {
            let len = self.array_len(v)?;
            push_header(&mut self.out, b'*', len as usize);
            return self.array_items(v, depth);
        }
        let t = self.get(v, KEY_T)?;
        let mut tag = [0u8; 16];
        let mut len = 0usize;
        // SAFETY: tag has 16 bytes; longer tags are truncated and then unknown.
        // A non-string `t` fails here with napi_string_expected.
        let status = unsafe { sys::napi_get_value_string_utf8(self.env, t, tag.as_mut_ptr() as *mut _, tag.len(), &mut len) };
        if status != sys::Status::napi_ok {
            return Err(type_error("not a reply value (object without a string 't')".to_string()));
        }
        let tag = &tag[..len];
        let resp3 = self.resp3;
        match tag {
            b"status" => {
                let s = self.get(v, KEY_V)?;
                self.push_string(s, Some(b'+'))
            }
            b"error" => {
                let s = self.get(v, KEY_V)?;
                self.push_string(s, Some(b'-'))
            }
            b"nilarray" => {
                self.out.extend_from_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" });
                Ok(())
            }
            b"bool" => {
                let b = self.get(v, KEY_V)?;
                let mut r = false;
                // SAFETY: napi_get_value_bool fails (and we report it) on a non-boolean.
                check(unsafe { sys::napi_get_value_bool(self.env, b, &mut r) })?;
                self.out.extend_from_slice(match (resp3, r) {
                    (true, true) => b"#t\r\n",
                    (true, false) => b"#f\r\n",
                    (false, true) => b":1\r\n",
                    (false, false) => b":0\r\n",
                });
                Ok(())
            }
            b"double" => {
                let d = self.get(v, KEY_V)?;
                let mut x = 0f64;
                // SAFETY: fails (reported) on a non-number.
                check(unsafe { sys::napi_get_value_double(self.env, d, &mut x) })?;
                push_double(&mut self.out, x, resp3);
                Ok(())
            }
            b"bignum" => {
                let s = self.string_prop(v, KEY_V, "bignum")?;
                if resp3 {
                    push_line(&mut self.out, b'(', &s);
                } else {
                    push_bulk(&mut self.out, &s);
                }
                Ok(())
            }
            b"verbatim" => {
                let text = self.string_prop(v, KEY_V, "verbatim")?;
                if resp3 {
                    let format = self.string_prop(v, KEY_FORMAT, "verbatim")?;
                    if format.len() != 3 {
                        return Err(type_error("verbatim format must be 3 bytes".to_string()));
                    }
                    push_header(&mut self.out, b'=', text.len() + 4);
                    self.out.extend_from_slice(&format);
                    self.out.push(b':');
                    self.out.extend_from_slice(&text);
                    self.out.extend_from_slice(b"\r\n");
                } else {
                    push_bulk(&mut self.out, &text);
                }
                Ok(())
            }
            b"map" | b"set" | b"push" | b"pairs" => self.push_aggregate(v, tag, depth),
            _ => Err(type_error(format!("unknown reply type '{}'", String::from_utf8_lossy(tag)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives() {
        let mut o = Vec::new();
        push_int(&mut o, -9223372036854775808);
        push_int(&mut o, 0);
        assert_eq!(o, b"-92233720368547758080");
        o.clear();
        push_line(&mut o, b'-', b"ERR a\r\nb");
        assert_eq!(o, b"-ERR a  b\r\n");
        o.clear();
        push_double(&mut o, 1.5, false);
        assert_eq!(o, b"$3\r\n1.5\r\n");
    }
}
