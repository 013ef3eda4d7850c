//! The 19-byte record envelope, big-endian:
//! `flags u8 | hlc u64 | origin u16 | expire_at_ms u64` (0 = no expiry).

pub const ENVELOPE_BYTES: usize = 19;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    pub flags: u8,
    pub hlc: u64,
    pub origin: u16,
    pub expire_at_ms: u64,
}

pub fn write(env: &Envelope, out: &mut [u8; ENVELOPE_BYTES]) {
    out[0] = env.flags;
    out[1..9].copy_from_slice(&env.hlc.to_be_bytes());
    out[9..11].copy_from_slice(&env.origin.to_be_bytes());
    out[11..19].copy_from_slice(&env.expire_at_ms.to_be_bytes());
}

/// None when the record is shorter than an envelope.
pub fn read(record: &[u8]) -> Option<Envelope> {
    let b = record.get(..ENVELOPE_BYTES)?;
    let mut hlc = [0u8; 8];
    hlc.copy_from_slice(&b[1..9]);
    let mut exp = [0u8; 8];
    exp.copy_from_slice(&b[11..19]);
    Some(Envelope {
        flags: b[0],
        hlc: u64::from_be_bytes(hlc),
        origin: u16::from_be_bytes([b[9], b[10]]),
        expire_at_ms: u64::from_be_bytes(exp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = Envelope { flags: 3, hlc: 0x0102030405060708, origin: 0xabcd, expire_at_ms: 42 };
        let mut b = [0u8; ENVELOPE_BYTES];
        write(&e, &mut b);
        assert_eq!(b[1], 1);
        assert_eq!(read(&b), Some(e));
        assert_eq!(read(&b[..18]), None);
    }
}
