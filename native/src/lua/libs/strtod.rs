//! C's `strtod` as glibc reads a number in the "C" locale, for cjson's decoder (which accepts
//! whatever strtod does: `+1`, `0x1p4`, `-Infinity`, `nan`, leading zeros...). Decimal text
//! goes to Rust's parser, which rounds correctly as glibc does; hex floats are rounded here.

/// The number at the start of `s` (which does not start with white space) and the bytes it
/// took, or None where strtod would convert nothing.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let (negative, sign_len) = match s.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let (value, len) = unsigned(&s[sign_len..])?;
    Some((if negative { -value } else { value }, sign_len + len))
}

fn unsigned(s: &[u8]) -> Option<(f64, usize)> {
    if starts_with_ignore_case(s, b"inf") {
        let len = if starts_with_ignore_case(s, b"infinity") { 8 } else { 3 };
        return Some((f64::INFINITY, len));
    }
    if starts_with_ignore_case(s, b"nan") {
        // "nan(chars)" is one token; without the closing parenthesis only "nan" is.
        let mut len = 3;
        if s.get(3) == Some(&b'(') {
            let chars = s[4..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
            if s.get(4 + chars) == Some(&b')') {
                len = 5 + chars;
            }
        }
        return Some((f64::NAN, len));
    }
    if s.len() > 2 && s[0] == b'0' && (s[1] | 0x20) == b'x' {
        if let Some((value, len)) = hex(&s[2..]) {
            return Some((value, 2 + len));
        }
    }
    decimal(s)
}

fn starts_with_ignore_case(s: &[u8], word: &[u8]) -> bool {
    s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word)
}

fn count(s: &[u8], from: usize, accept: impl Fn(u8) -> bool) -> usize {
    s.get(from..).map_or(0, |rest| rest.iter().take_while(|&&b| accept(b)).count())
}

/// The length of an exponent ([+-]digits) at `from`, after its letter; 0 when there is none.
fn exponent_len(s: &[u8], from: usize) -> usize {
    let sign = matches!(s.get(from), Some(b'+') | Some(b'-')) as usize;
    let digits = count(s, from + sign, |b| b.is_ascii_digit());
    if digits == 0 {
        0
    } else {
        sign + digits
    }
}

fn decimal(s: &[u8]) -> Option<(f64, usize)> {
    let int_digits = count(s, 0, |b| b.is_ascii_digit());
    let mut len = int_digits;
    let mut frac_digits = 0;
    if s.get(len) == Some(&b'.') {
        frac_digits = count(s, len + 1, |b| b.is_ascii_digit());
        if int_digits + frac_digits > 0 {
            len += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(s.get(len), Some(b'e') | Some(b'E')) {
        let e = exponent_len(s, len + 1);
        if e > 0 {
            len += 1 + e;
        }
    }
    let text = std::str::from_utf8(&s[..len]).ok()?;
    text.parse::<f64>().ok().map(|value| (value, len))
}

/// A hex float after "0x": hex digits with an optional point, then an optional binary
/// exponent ("p-3"). Correctly rounded (ties to even), as glibc.
fn hex(s: &[u8]) -> Option<(f64, usize)> {
    let mut mantissa: u64 = 0;
    // Binary exponent of `mantissa`'s last bit, and whether bits past its 64 were not all zero.
    let mut exponent: i64 = 0;
    let mut sticky = false;
    let mut digits = 0;
    let mut len = 0;
    let mut after_point = false;
    while let Some(&b) = s.get(len) {
        if b == b'.' && !after_point {
            after_point = true;
            len += 1;
            continue;
        }
        let digit = match (b as char).to_digit(16) {
            Some(d) => d as u64,
            None => break,
        };
        digits += 1;
        len += 1;
        if mantissa >> 60 == 0 {
            mantissa = mantissa << 4 | digit;
            if after_point {
                exponent -= 4;
            }
        } else {
            sticky |= digit != 0;
            if !after_point {
                exponent += 4;
            }
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(len), Some(b'p') | Some(b'P')) {
        let e = exponent_len(s, len + 1);
        if e > 0 {
            let text = std::str::from_utf8(&s[len + 1..len + 1 + e]).unwrap_or("0");
            // Past ±100000 every value is 0 or infinity already.
            let p: i64 = text.parse().unwrap_or(if text.starts_with('-') { -100_000 } else { 100_000 });
            exponent += p.clamp(-100_000, 100_000);
            len += 1 + e;
        }
    }
    Some((scale(mantissa, exponent, sticky), len))
}

/// mantissa × 2^exponent (+ a sliver when `sticky`), rounded to the nearest double.
fn scale(mantissa: u64, exponent: i64, sticky: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let lead = mantissa.leading_zeros() as i64;
    let m = mantissa << lead;
    // value = m × 2^(e2 - 63): m's top bit has weight 2^e2.
    let e2 = exponent + 63 - lead;
    if e2 > 1023 {
        return f64::INFINITY;
    }
    // Bits of m dropped: 11 for a normal double, more below the normal range.
    let shift = if e2 >= -1022 { 11 } else { 11 + (-1022 - e2) };
    if shift > 64 {
        return 0.0;
    }
    let (kept, rest) = if shift == 64 { (0, m) } else { (m >> shift, m & ((1u64 << shift) - 1)) };
    let half = 1u64 << (shift - 1);
    let up = rest > half || (rest == half && (sticky || kept & 1 == 1));
    let mut kept = kept + up as u64;
    let mut e2 = e2;
    if e2 >= -1022 {
        if kept == 1 << 53 {
            kept >>= 1;
            e2 += 1;
            if e2 > 1023 {
                return f64::INFINITY;
            }
        }
        f64::from_bits(((e2 + 1023) as u64) << 52 | (kept & ((1 << 52) - 1)))
    } else {
        // Subnormal: the bits are the significand; rounding up to 2^52 lands on the smallest
        // normal, whose bit pattern is the same number.
        f64::from_bits(kept)
    }
}
