//! cjson.decode: JSON text to Lua values, as lua_cjson.c reads it. JSON null is cjson.null
//! (a NULL light userdata); numbers are whatever C's strtod reads (so `+1`, `0x10`, `007`,
//! `nan` and `-Infinity` pass unless decode_invalid_numbers is off); `\uXXXX` escapes become
//! UTF-8 (surrogate pairs joined); other bytes pass as they are. The text ends at its first
//! NUL, as a C string does. Errors name the token found and its 1-based position.

use std::os::raw::{c_char, c_int};
use std::ptr;

use mlua::ffi;

use super::super::{arg_error, check_bytes, raise, raise_fmt, state, strtod::strtod, State};
use super::Config;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    String,
    Number,
    Boolean,
    Null,
    Colon,
    Comma,
    End,
    Whitespace,
    /// Starts a string, a number or a literal: read further.
    Unknown,
    Error,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ObjBegin => "T_OBJ_BEGIN",
            Kind::ObjEnd => "T_OBJ_END",
            Kind::ArrBegin => "T_ARR_BEGIN",
            Kind::ArrEnd => "T_ARR_END",
            Kind::String => "T_STRING",
            Kind::Number => "T_NUMBER",
            Kind::Boolean => "T_BOOLEAN",
            Kind::Null => "T_NULL",
            Kind::Colon => "T_COLON",
            Kind::Comma => "T_COMMA",
            Kind::End => "T_END",
            Kind::Whitespace => "T_WHITESPACE",
            Kind::Unknown => "T_UNKNOWN",
            Kind::Error => "T_ERROR",
        }
    }

    fn of(b: u8) -> Kind {
        match b {
            b'{' => Kind::ObjBegin,
            b'}' => Kind::ObjEnd,
            b'[' => Kind::ArrBegin,
            b']' => Kind::ArrEnd,
            b',' => Kind::Comma,
            b':' => Kind::Colon,
            0 => Kind::End,
            b' ' | b'\t' | b'\n' | b'\r' => Kind::Whitespace,
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'"' | b'+' | b'-' | b'0'..=b'9' => Kind::Unknown,
            _ => Kind::Error,
        }
    }
}

#[derive(Clone, Copy)]
struct Token {
    kind: Kind,
    /// 0-based: where the token starts, or where its error is.
    index: usize,
    number: f64,
    boolean: bool,
    error: &'static str,
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    depth: c_int,
    cfg: &'a mut Config,
}

pub unsafe extern "C-unwind" fn decode(l: State) -> c_int {
    let cfg = state::<Config>(l);
    if ffi::lua_gettop(l) != 1 {
        arg_error(l, 1, b"expected 1 argument");
    }
    let data = check_bytes(l, 1);
    // Only the first character is sure to be ASCII, but that is enough to tell.
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        raise(l, b"JSON parser does not support UTF-16 or UTF-32");
    }
    let mut p = Parser { data, pos: 0, depth: 0, cfg };
    let token = p.next_token();
    p.value(l, token);
    let token = p.next_token();
    if token.kind != Kind::End {
        p.fail(l, "the end", token);
    }
    1
}

impl Parser<'_> {
    /// The byte at `i`; past the end the C string's terminating NUL.
    fn byte(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn token(&self, kind: Kind, index: usize) -> Token {
        Token { kind, index, number: 0.0, boolean: false, error: "" }
    }

    fn error(&self, message: &'static str) -> Token {
        Token { error: message, ..self.token(Kind::Error, self.pos) }
    }

    unsafe fn fail(&self, l: State, expected: &str, token: Token) -> ! {
        let found = if token.kind == Kind::Error { token.error } else { token.kind.name() };
        raise_fmt(l, format_args!("Expected {} but found {} at character {}", expected, found, token.index + 1))
    }

    fn next_token(&mut self) -> Token {
        let mut kind = Kind::of(self.byte(self.pos));
        while kind == Kind::Whitespace {
            self.pos += 1;
            kind = Kind::of(self.byte(self.pos));
        }
        match kind {
            Kind::Error => return self.error("invalid token"),
            Kind::End => return self.token(Kind::End, self.pos),
            Kind::Unknown => {}
            _ => {
                self.pos += 1;
                return self.token(kind, self.pos - 1);
            }
        }
        let start = self.pos;
        let rest = &self.data[start.min(self.data.len())..];
        let ch = self.byte(start);
        if ch == b'"' {
            self.string()
        } else if ch == b'-' || ch.is_ascii_digit() {
            if !self.cfg.decode_invalid_numbers && self.is_invalid_number() {
                return self.error("invalid number");
            }
            self.number()
        } else if rest.starts_with(b"true") || rest.starts_with(b"false") {
            let boolean = ch == b't';
            self.pos += if boolean { 4 } else { 5 };
            Token { boolean, ..self.token(Kind::Boolean, start) }
        } else if rest.starts_with(b"null") {
            self.pos += 4;
            self.token(Kind::Null, start)
        } else if self.cfg.decode_invalid_numbers && self.is_invalid_number() {
            // (Only "numbers" strict JSON refuses reach strtod here: inf, nan, '+'...; any
            // other word is an invalid token, not an invalid number.)
            self.number()
        } else {
            self.error("invalid token")
        }
    }

    /// Text strtod reads that strict JSON does not: '+', hex, leading zeros, inf, nan.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        if self.byte(p) == b'+' {
            return true;
        }
        if self.byte(p) == b'-' {
            p += 1;
        }
        let b = self.byte(p);
        if b == b'0' {
            let next = self.byte(p + 1);
            return next | 0x20 == b'x' || next.is_ascii_digit();
        }
        // (A signed char in lua_cjson.c: bytes from 0x80 count as "<= '9'" too.)
        if (b as i8) <= b'9' as i8 {
            return false;
        }
        let word = [b | 0x20, self.byte(p + 1) | 0x20, self.byte(p + 2) | 0x20];
        &word == b"inf" || &word == b"nan"
    }

    fn number(&mut self) -> Token {
        match strtod(&self.data[self.pos.min(self.data.len())..]) {
            Some((number, len)) => {
                let start = self.pos;
                self.pos += len;
                Token { number, ..self.token(Kind::Number, start) }
            }
            None => self.error("invalid number"),
        }
    }

    /// A string token; its bytes are left in cfg.string.
    fn string(&mut self) -> Token {
        let start = self.pos;
        self.pos += 1;
        self.cfg.string.clear();
        loop {
            let ch = self.byte(self.pos);
            match ch {
                b'"' => break,
                0 => return self.error("unexpected end of string"),
                b'\\' => {
                    let unescaped = match self.byte(self.pos + 1) {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b't' => b'\t',
                        b'n' => b'\n',
                        b'f' => 12,
                        b'r' => b'\r',
                        b'u' => {
                            if !self.unicode_escape() {
                                return self.error("invalid unicode escape code");
                            }
                            continue;
                        }
                        _ => return self.error("invalid escape code"),
                    };
                    self.cfg.string.push(unescaped);
                    self.pos += 2;
                }
                _ => {
                    self.cfg.string.push(ch);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        self.token(Kind::String, start)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        (0..4).try_fold(0u32, |v, i| Some(v << 4 | (self.byte(at + i) as char).to_digit(16)?))
    }

    /// `\uXXXX` at pos (a UTF-16 unit; a high surrogate must be followed by `\u` and a low
    /// one), appended as UTF-8. False on an invalid escape.
    fn unicode_escape(&mut self) -> bool {
        let mut codepoint = match self.hex4(self.pos + 2) {
            Some(c) => c,
            None => return false,
        };
        let mut len = 6;
        if codepoint & 0xF800 == 0xD800 {
            if codepoint & 0x400 != 0 || self.byte(self.pos + 6) != b'\\' || self.byte(self.pos + 7) != b'u' {
                return false;
            }
            let low = match self.hex4(self.pos + 8) {
                Some(low) if low & 0xFC00 == 0xDC00 => low,
                _ => return false,
            };
            codepoint = (((codepoint & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        let mut utf8 = [0u8; 4];
        let bytes = char::from_u32(codepoint).map(|c| c.encode_utf8(&mut utf8).len()).unwrap_or(0);
        self.cfg.string.extend_from_slice(&utf8[..bytes]);
        self.pos += len;
        true
    }

    unsafe fn value(&mut self, l: State, token: Token) {
        match token.kind {
            Kind::String => {
                ffi::lua_pushlstring(l, self.cfg.string.as_ptr() as *const c_char, self.cfg.string.len());
            }
            Kind::Number => ffi::lua_pushnumber(l, token.number),
            Kind::Boolean => ffi::lua_pushboolean(l, token.boolean as c_int),
            Kind::ObjBegin => self.object(l),
            Kind::ArrBegin => self.array(l),
            Kind::Null => ffi::lua_pushlightuserdata(l, ptr::null_mut()),
            _ => self.fail(l, "value", token),
        }
    }

    /// One level deeper, with room for `slots` stack values.
    unsafe fn descend(&mut self, l: State, slots: c_int) {
        self.depth += 1;
        if self.depth > self.cfg.decode_max_depth || ffi::lua_checkstack(l, slots) == 0 {
            raise_fmt(l, format_args!("Found too many nested data structures ({}) at character {}", self.depth, self.pos));
        }
    }

    unsafe fn object(&mut self, l: State) {
        self.descend(l, 3);
        ffi::lua_createtable(l, 0, 0);
        let mut token = self.next_token();
        if token.kind != Kind::ObjEnd {
            loop {
                if token.kind != Kind::String {
                    self.fail(l, "object key string", token);
                }
                ffi::lua_pushlstring(l, self.cfg.string.as_ptr() as *const c_char, self.cfg.string.len());
                token = self.next_token();
                if token.kind != Kind::Colon {
                    self.fail(l, "colon", token);
                }
                let value = self.next_token();
                self.value(l, value);
                ffi::lua_rawset(l, -3);
                token = self.next_token();
                if token.kind == Kind::ObjEnd {
                    break;
                }
                if token.kind != Kind::Comma {
                    self.fail(l, "comma or object end", token);
                }
                token = self.next_token();
            }
        }
        self.depth -= 1;
    }

    unsafe fn array(&mut self, l: State) {
        self.descend(l, 2);
        ffi::lua_createtable(l, 0, 0);
        let mut token = self.next_token();
        let mut i: c_int = 1;
        if token.kind != Kind::ArrEnd {
            loop {
                self.value(l, token);
                ffi::lua_rawseti_(l, -2, i);
                token = self.next_token();
                if token.kind == Kind::ArrEnd {
                    break;
                }
                if token.kind != Kind::Comma {
                    self.fail(l, "comma or array end", token);
                }
                token = self.next_token();
                i = i.wrapping_add(1);
            }
        }
        self.depth -= 1;
    }
}
