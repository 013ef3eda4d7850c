//! C's `printf("%.<precision>g", d)` as glibc writes it, for cjson's numbers (`%.14g` by
//! default). Rust's exact formatting (`{:.*e}`) rounds as glibc does (the exact binary value,
//! ties to even), so only %g's layout is done here.

use std::fmt::Write;

use super::StackText;

pub fn push_g(out: &mut Vec<u8>, d: f64, precision: usize) {
    if d.is_nan() {
        out.extend_from_slice(if d.is_sign_negative() { b"-nan" } else { b"nan" });
        return;
    }
    if d.is_sign_negative() {
        out.push(b'-');
    }
    let a = d.abs();
    if a.is_infinite() {
        out.extend_from_slice(b"inf");
        return;
    }
    let precision = precision.clamp(1, 17);
    // Whole numbers of at most `precision` digits print as they are (the common case).
    if a.fract() == 0.0 && a < 10f64.powi(precision as i32) {
        let mut digits = StackText::<24>::new();
        let _ = write!(digits, "{}", a as u64);
        out.extend_from_slice(digits.as_bytes());
        return;
    }
    // The `precision` significant digits, rounded once: "d.ddde<exponent>".
    let mut sci = StackText::<40>::new();
    let _ = write!(sci, "{:.*e}", precision - 1, a);
    let sci = sci.as_bytes();
    let e = sci.iter().position(|&b| b == b'e').unwrap_or(sci.len());
    let exponent: i32 = std::str::from_utf8(&sci[(e + 1).min(sci.len())..]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut digits = StackText::<24>::new();
    digits.push_bytes(&sci[..1]);
    digits.push_bytes(&sci[2.min(e)..e]);
    let digits = digits.as_bytes();
    if exponent < -4 || exponent >= precision as i32 {
        // d.ddd without trailing zeros, then e±XX (two digits at least).
        out.push(digits[0]);
        push_fraction(out, &digits[1..]);
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let mut text = StackText::<8>::new();
        let _ = write!(text, "{:02}", exponent.unsigned_abs());
        out.extend_from_slice(text.as_bytes());
    } else if exponent >= 0 {
        let point = exponent as usize + 1;
        out.extend_from_slice(&digits[..point]);
        push_fraction(out, &digits[point..]);
    } else {
        // 0.000ddd: the same digits, after -exponent - 1 zeros.
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (-exponent - 1) as usize, b'0');
        let end = digits.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
        out.extend_from_slice(&digits[..end]);
    }
}

/// "." and the digits without their trailing zeros; nothing when none is left (as %g).
fn push_fraction(out: &mut Vec<u8>, digits: &[u8]) {
    let end = digits.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
    if end > 0 {
        out.push(b'.');
        out.extend_from_slice(&digits[..end]);
    }
}
