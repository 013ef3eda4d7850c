//! Conversions between Redis replies and Lua values, as Redis 7.0's script_lua.c does them:
//! a redis.call reply (RESP bytes, in the script's protocol) into a Lua value, and the
//! script's return value into a reply tree (`Out`) that lib.rs hands to JS.

use mlua::{Lua, Table, Value};

use super::{error_text, lua_number_to_i64, REPLY_DEPTH_MAX};

/// A reply, in the shapes of lib/core/reply.ts.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Bulk(Vec<u8>),
    Int(i64),
    Null,
    Status(Vec<u8>),
    /// The whole message, code included (`ERR ...`).
    Error(Vec<u8>),
    Bool(bool),
    Double(f64),
    BigNumber(Vec<u8>),
    Verbatim(Vec<u8>, Vec<u8>),
    Array(Vec<Out>),
    /// Keys and values alternate.
    Map(Vec<Out>),
    Set(Vec<Out>),
}

fn bad(msg: &str) -> mlua::Error {
    mlua::Error::runtime(format!("malformed reply from redis.call: {}", msg))
}

fn line<'a>(buf: &'a [u8], pos: &mut usize) -> mlua::Result<&'a [u8]> {
    let start = *pos;
    let end = buf[start..].windows(2).position(|w| w == b"\r\n").map(|i| start + i).ok_or_else(|| bad("no CRLF"))?;
    *pos = end + 2;
    Ok(&buf[start..end])
}

fn int(text: &[u8]) -> mlua::Result<i64> {
    std::str::from_utf8(text).ok().and_then(|s| s.parse::<i64>().ok()).ok_or_else(|| bad("bad integer"))
}

fn bulk<'a>(buf: &'a [u8], pos: &mut usize, len: i64) -> mlua::Result<&'a [u8]> {
    let len = usize::try_from(len).map_err(|_| bad("bad length"))?;
    let start = *pos;
    if start + len + 2 > buf.len() {
        return Err(bad("short bulk"));
    }
    *pos = start + len + 2;
    Ok(&buf[start..start + len])
}

fn one_field(lua: &Lua, key: &str, value: Value) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set(key, value)?;
    Ok(Value::Table(t))
}

/// One RESP2/RESP3 reply at `buf[*pos..]` as the Lua value Redis gives scripts.
pub fn resp_to_lua(lua: &Lua, buf: &[u8], pos: &mut usize, depth: u32) -> mlua::Result<Value> {
    if depth > 600 {
        return Err(bad("nested too deeply"));
    }
    let kind = *buf.get(*pos).ok_or_else(|| bad("empty"))?;
    *pos += 1;
    let head = line(buf, pos)?;
    Ok(match kind {
        b'+' => one_field(lua, "ok", Value::String(lua.create_string(head)?))?,
        b'-' => one_field(lua, "err", Value::String(lua.create_string(error_text(head))?))?,
        b':' => Value::Number(int(head)? as f64),
        b'$' => {
            let len = int(head)?;
            if len < 0 {
                Value::Boolean(false)
            } else {
                Value::String(lua.create_string(bulk(buf, pos, len)?)?)
            }
        }
        b'*' | b'>' => {
            let len = int(head)?;
            if len < 0 {
                Value::Boolean(false)
            } else {
                let t = lua.create_table_with_capacity(len as usize, 0)?;
                for i in 0..len {
                    let v = resp_to_lua(lua, buf, pos, depth + 1)?;
                    t.raw_set(i + 1, v)?;
                }
                Value::Table(t)
            }
        }
        b'_' => Value::Nil,
        b'#' => Value::Boolean(head == b"t"),
        b',' => {
            let text = std::str::from_utf8(head).map_err(|_| bad("bad double"))?;
            let d = match text {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" => f64::NAN,
                _ => text.parse::<f64>().map_err(|_| bad("bad double"))?,
            };
            one_field(lua, "double", Value::Number(d))?
        }
        b'(' => one_field(lua, "big_number", Value::String(lua.create_string(head)?))?,
        b'=' => {
            let body = bulk(buf, pos, int(head)?)?;
            if body.len() < 4 {
                return Err(bad("short verbatim"));
            }
            let inner = lua.create_table()?;
            inner.raw_set("string", lua.create_string(&body[4..])?)?;
            inner.raw_set("format", lua.create_string(&body[..3])?)?;
            one_field(lua, "verbatim_string", Value::Table(inner))?
        }
        b'%' => {
            let len = int(head)?;
            let t = lua.create_table()?;
            for _ in 0..len {
                let k = resp_to_lua(lua, buf, pos, depth + 1)?;
                let v = resp_to_lua(lua, buf, pos, depth + 1)?;
                if !k.is_nil() {
                    t.raw_set(k, v)?;
                }
            }
            one_field(lua, "map", Value::Table(t))?
        }
        b'~' => {
            let len = int(head)?;
            let t = lua.create_table()?;
            for _ in 0..len {
                let k = resp_to_lua(lua, buf, pos, depth + 1)?;
                if !k.is_nil() {
                    t.raw_set(k, true)?;
                }
            }
            one_field(lua, "set", Value::Table(t))?
        }
        _ => return Err(bad("unknown type")),
    })
}

/// CR and LF would break a status or error line: Redis maps them to spaces.
fn one_line(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect()
}

fn raw_string(t: &Table, key: &str) -> Option<Vec<u8>> {
    match t.raw_get::<Value>(key) {
        Ok(Value::String(s)) => Some(s.as_bytes().to_vec()),
        _ => None,
    }
}

/// The script's return value as a reply (luaReplyToRedisReply). `resp3` is the script's
/// protocol (redis.setresp), which decides what booleans become.
pub fn lua_to_out(v: &Value, resp3: bool, depth: u32) -> Out {
    match v {
        Value::String(s) => Out::Bulk(s.as_bytes().to_vec()),
        Value::Boolean(b) => match (resp3, *b) {
            (false, true) => Out::Int(1),
            (false, false) => Out::Null,
            (true, b) => Out::Bool(b),
        },
        Value::Integer(i) => Out::Int(*i),
        Value::Number(n) => Out::Int(lua_number_to_i64(*n)),
        Value::Table(t) => table_to_out(t, resp3, depth),
        _ => Out::Null,
    }
}

fn table_to_out(t: &Table, resp3: bool, depth: u32) -> Out {
    if depth >= REPLY_DEPTH_MAX {
        return Out::Error(b"ERR reached lua stack limit".to_vec());
    }
    if let Some(err) = raw_string(t, "err") {
        // The message as Redis reads it (a getfield, so a number would do too).
        let msg = match t.get::<Value>("err") {
            Ok(Value::String(s)) => s.as_bytes().to_vec(),
            _ => err,
        };
        let mut end = msg.len();
        while end > 0 && (msg[end - 1] == b'\r' || msg[end - 1] == b'\n') {
            end -= 1;
        }
        return Out::Error(one_line(&msg[..end]));
    }
    if let Some(ok) = raw_string(t, "ok") {
        return Out::Status(one_line(&ok));
    }
    if let Ok(Value::Number(d)) = t.raw_get::<Value>("double") {
        return Out::Double(d);
    }
    if let Ok(Value::Integer(i)) = t.raw_get::<Value>("double") {
        return Out::Double(i as f64);
    }
    if let Some(big) = raw_string(t, "big_number") {
        return Out::BigNumber(one_line(&big));
    }
    if let Ok(Value::Table(verbatim)) = t.raw_get::<Value>("verbatim_string") {
        if let (Some(format), Some(text)) = (raw_string(&verbatim, "format"), raw_string(&verbatim, "string")) {
            return Out::Verbatim(format, text);
        }
    }
    if let Ok(Value::Table(map)) = t.raw_get::<Value>("map") {
        let mut items = Vec::new();
        for (k, v) in map.pairs::<Value, Value>().flatten() {
            items.push(lua_to_out(&k, resp3, depth + 1));
            items.push(lua_to_out(&v, resp3, depth + 1));
        }
        return Out::Map(items);
    }
    if let Ok(Value::Table(set)) = t.raw_get::<Value>("set") {
        let mut items = Vec::new();
        for (k, _) in set.pairs::<Value, Value>().flatten() {
            items.push(lua_to_out(&k, resp3, depth + 1));
        }
        return Out::Set(items);
    }
    let mut items = Vec::new();
    let mut j: i64 = 1;
    loop {
        match t.raw_get::<Value>(j) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(lua_to_out(&v, resp3, depth + 1)),
        }
        j += 1;
    }
    Out::Array(items)
}
