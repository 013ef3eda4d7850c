//! The number text routines against the C library they stand for, and the libraries inside a
//! real Host (their behaviour against redis-server is test/integration/diff-scripting-libs).

use std::ffi::CString;
use std::os::raw::{c_char, c_int};

use super::printf_g::push_g;
use super::strtod::strtod;
use crate::lua::{sha1_hex, Abort, Host, Out};

extern "C" {
    fn snprintf(buf: *mut c_char, len: usize, format: *const c_char, ...) -> c_int;
    #[link_name = "strtod"]
    fn c_strtod(s: *const c_char, end: *mut *mut c_char) -> f64;
}

/// xorshift64*: reproducible inputs without a crate.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn c_printf_g(d: f64, precision: usize) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let format = CString::new(format!("%.{}g", precision)).unwrap();
    // SAFETY: buf has 64 bytes; %g of a double with precision <= 17 needs fewer.
    let n = unsafe { snprintf(buf.as_mut_ptr() as *mut c_char, buf.len(), format.as_ptr(), d) };
    buf[..n as usize].to_vec()
}

fn rust_printf_g(d: f64, precision: usize) -> Vec<u8> {
    let mut out = Vec::new();
    push_g(&mut out, d, precision);
    out
}

#[test]
fn printf_g_writes_what_glibc_writes() {
    let special = [
        0.0,
        -0.0,
        1.0,
        0.1,
        0.5,
        2.5,
        1e-5,
        1e-4,
        123456789012345678.0,
        1e14,
        1e15,
        99999999999999.5,
        5e-324,
        f64::MAX,
        f64::INFINITY,
        -f64::INFINITY,
        f64::NAN,
        -f64::NAN,
        0.125,
        1.0 / 3.0,
    ];
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut values: Vec<f64> = special.to_vec();
    for _ in 0..20000 {
        values.push(f64::from_bits(random.next()));
        // Short decimals, where ties and carries happen, and whole numbers of every length.
        values.push((random.below(2_000_000) as f64 - 1e6) / 10f64.powi(random.below(12) as i32));
        values.push((random.next() >> random.below(64)) as f64);
    }
    for d in values {
        for precision in 1..=17 {
            assert_eq!(rust_printf_g(d, precision), c_printf_g(d, precision), "%.{}g of {:e} ({:#x})", precision, d, d.to_bits());
        }
    }
}

fn c_strtod_of(text: &[u8]) -> Option<(u64, usize)> {
    let s = CString::new(text).unwrap();
    let mut end: *mut c_char = std::ptr::null_mut();
    // SAFETY: s is NUL-terminated; end receives a pointer into it.
    let v = unsafe { c_strtod(s.as_ptr(), &mut end) };
    let used = end as usize - s.as_ptr() as usize;
    (used > 0).then_some((v.to_bits(), used))
}

#[test]
fn strtod_reads_what_glibc_reads() {
    let mut cases: Vec<Vec<u8>> = [
        "0",
        "-0",
        "+1",
        "1.",
        ".5",
        "-.5e-3",
        "1e",
        "1e+",
        "1e+5x",
        "0x",
        "0x.",
        "0x.8",
        "0x1p",
        "0x1p-3",
        "0X1.8P+1",
        "0x1.fffffffffffff8p0",
        "0x1.fffffffffffff7ffffp0",
        "0x1.00000000000008p0",
        "0x1.000000000000080001p0",
        "0x1p-1074",
        "0x1p-1075",
        "0x1.8p-1075",
        "0x1p-1080",
        "0x1p1023",
        "0x1.fffffffffffffp1023",
        "0x1.fffffffffffff8p1023",
        "0x1p99999999999999999999",
        "0x1p-99999999999999999999",
        "0x123456789abcdef0123456789",
        "0x.00000000000000000000001",
        "inf",
        "-Infinity",
        "infinit",
        "INFINITY",
        "nan",
        "-nan",
        "NaN(123)",
        "nan(",
        "nan(1",
        "1e400",
        "1e-400",
        "2.4703282292062328e-324",
        "007",
        "1.5.5",
        "-",
        "+-1",
        "- 1",
        "e5",
        ".",
        "0e99999999999999999999",
        "123456789012345678901234567890",
        "4.9406564584124654e-324",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let mut random = Random(0xD1B5_4A32_D192_ED03);
    let alphabet = b"0123456789abcdefxXpP.eE+-";
    for _ in 0..20000 {
        let mut s = match random.below(3) {
            0 => b"0x".to_vec(),
            1 => b"-".to_vec(),
            _ => Vec::new(),
        };
        for _ in 0..random.below(30) {
            s.push(alphabet[random.below(alphabet.len() as u64) as usize]);
        }
        cases.push(s);
    }
    for case in cases {
        let ours = strtod(&case).map(|(v, used)| (v.to_bits(), used));
        let theirs = c_strtod_of(&case);
        // NaN payloads ("nan(123)") are not kept: compare NaNs by sign.
        let normalize = |r: Option<(u64, usize)>| {
            r.map(|(bits, used)| if f64::from_bits(bits).is_nan() { (bits & (1 << 63) | 0x7ff8 << 48, used) } else { (bits, used) })
        };
        assert_eq!(normalize(ours), normalize(theirs), "strtod({:?})", String::from_utf8_lossy(&case));
    }
}

fn run_within(body: &str, time_limit_ms: u64) -> (Out, Option<Abort>) {
    let mut host = Host::new(64 * 1024 * 1024).unwrap();
    let sha = sha1_hex(body.as_bytes());
    host.load(&sha, body.as_bytes()).unwrap();
    let mut call = |_mode: u32, _argv: &[&[u8]], _resp3: bool| Ok(b"+OK\r\n".to_vec());
    let outcome = host.run(&sha, &[], &[], time_limit_ms, &mut call);
    (outcome.reply, outcome.abort)
}

fn run(body: &str) -> (Out, Option<Abort>) {
    run_within(body, 5000)
}

fn bulk(s: &str) -> Out {
    Out::Bulk(s.as_bytes().to_vec())
}

#[test]
fn libraries_are_read_only_globals() {
    for lib in ["cjson", "cmsgpack", "bit", "struct"] {
        let body = format!("{}.x = 1", lib);
        let want =
            format!("ERR user_script:1: Attempt to modify a readonly table script: {}, on @user_script:1.", sha1_hex(body.as_bytes()));
        assert_eq!(run(&body).0, Out::Error(want.into_bytes()));
    }
    assert_eq!(run("local c = cjson.new() c.x = 5 return c.x").0, Out::Int(5));
}

#[test]
fn libraries_round_trip() {
    assert_eq!(run("return cjson.encode(cjson.decode('{\"a\":[1,2.5,\"x\",null,true]}'))").0, bulk("{\"a\":[1,2.5,\"x\",null,true]}"));
    assert_eq!(run("return cjson.encode({1, 1/3, -0.0, 1e300})").0, bulk("[1,0.33333333333333,-0,1e+300]"));
    assert_eq!(
        run("local a, b, c = cmsgpack.unpack(cmsgpack.pack(-33, 'hi', {1, {x = 2}})) return {a, b, c[2].x}").0,
        Out::Array(vec![Out::Int(-33), bulk("hi"), Out::Int(2)])
    );
    assert_eq!(
        run("return {bit.band(-1, 0xff), bit.tohex(-1, -4), bit.rol(1, 33)}").0,
        Out::Array(vec![Out::Int(255), bulk("FFFF"), Out::Int(2)])
    );
    assert_eq!(run("return {struct.unpack('>hc0', struct.pack('>hc0', 3, 'abc'))}").0, Out::Array(vec![bulk("abc"), Out::Int(6)]));
}

#[test]
fn encoders_stop_at_the_memory_limit() {
    // 100 references to one 1 MB string: 100 MB of output from a small table.
    let table = "local s = string.rep('x', 1024 * 1024) local t = {} for i = 1, 100 do t[i] = s end ";
    for call in ["cjson.encode(t)", "cmsgpack.pack(t)", "struct.pack(string.rep('c0', 100), unpack(t))"] {
        let (_, abort) = run(&format!("{} return #{}", table, call));
        assert_eq!(abort, Some(Abort::Memory), "{}", call);
    }
    // Tables of numbers that hold each other many times over: the output grows as 100^4.
    let nested = "local t = {} for i = 1, 100 do t[i] = i end for level = 1, 3 do local u = {} for i = 1, 100 do u[i] = t end t = u end ";
    for call in ["cjson.encode(t)", "cmsgpack.pack(t)"] {
        let (_, abort) = run(&format!("{} return #{}", nested, call));
        assert_eq!(abort, Some(Abort::Memory), "{}", call);
    }
    // The VM serves the next script.
    assert_eq!(run("return #cjson.encode({string.rep('x', 1000)})").0, Out::Int(1004));
}

#[test]
fn encoders_stop_at_the_time_budget() {
    // 100^4 numbers to write (seconds of work in one library call), under a 50 ms budget.
    let nested = "local t = {} for i = 1, 100 do t[i] = i end for level = 1, 3 do local u = {} for i = 1, 100 do u[i] = t end t = u end ";
    for call in ["cjson.encode(t)", "cmsgpack.pack(t)"] {
        // (Run to its end, the call would fail for memory instead.)
        let (_, abort) = run_within(&format!("{} return #{}", nested, call), 50);
        assert_eq!(abort, Some(Abort::Timeout), "{}", call);
    }
}

#[test]
fn deep_nesting_fails_cleanly() {
    let (reply, _) = run("local ok, e = pcall(cmsgpack.unpack, string.rep('\\145', 6000) .. '\\1') return e");
    assert_eq!(reply, bulk("stack overflow (in function mp_decode_to_lua_array)"));
    let (reply, _) =
        run("local c = cjson.new() c.decode_max_depth(100000) local ok, e = pcall(c.decode, string.rep('[', 100000)) return e");
    assert!(matches!(reply, Out::Bulk(ref b) if b.starts_with(b"Found too many nested data structures")), "{:?}", reply);
    let (reply, _) = run(
        "local c = cjson.new() c.encode_max_depth(100000) local t = {} local x = t for i = 1, 100000 do x[1] = {} x = x[1] end local ok, e = pcall(c.encode, t) return e",
    );
    assert!(matches!(reply, Out::Bulk(ref b) if b.starts_with(b"Cannot serialise, excessive nesting")), "{:?}", reply);
}
