//! Hybrid logical clock arithmetic: `u64 = physical_ms << 16 | logical`.
//! Pure functions; the shared clock state lives in JS (SharedArrayBuffer).

/// Physical time has 48 bits: milliseconds until about the year 10889.
pub const PHYSICAL_MAX: u64 = (1 << 48) - 1;
pub const LOGICAL_MAX: u64 = 0xffff;

pub fn pack(physical_ms: u64, logical: u64) -> Option<u64> {
    if physical_ms > PHYSICAL_MAX || logical > LOGICAL_MAX {
        return None;
    }
    Some(physical_ms << 16 | logical)
}

pub fn physical(hlc: u64) -> u64 {
    hlc >> 16
}

pub fn logical(hlc: u64) -> u64 {
    hlc & LOGICAL_MAX
}

/// The next timestamp strictly greater than `prev`: max(prev + 1, pack(now, 0)).
/// A logical overflow carries into the physical part, which keeps the order.
/// None only when the clock would pass u64::MAX.
pub fn next(prev: u64, physical_ms: u64) -> Option<u64> {
    let wall = pack(physical_ms, 0)?;
    Some(prev.checked_add(1)?.max(wall))
}

/// Receive a remote timestamp (Kulkarni et al., in packed form: the max of
/// prev + 1, remote + 1 and the wall clock is exactly the paper's l/c rule).
/// A remote whose physical part is more than `max_drift_ms` ahead of our wall
/// clock is not adopted: we tick our own clock and report the rejection.
pub fn update(prev: u64, remote: u64, physical_ms: u64, max_drift_ms: u64) -> Option<(u64, bool)> {
    let local = next(prev, physical_ms)?;
    if physical(remote) > physical_ms.saturating_add(max_drift_ms) {
        return Some((local, true));
    }
    Some((local.max(remote.checked_add(1)?), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_and_update() {
        let a = pack(1000, 5).unwrap();
        assert_eq!(next(a, 999), Some(a + 1));
        assert_eq!(next(a, 1001), pack(1001, 0));
        let r = pack(1500, 7).unwrap();
        assert_eq!(update(a, r, 1000, 1000), Some((r + 1, false)));
        assert_eq!(update(a, r, 1000, 100), Some((a + 1, true)));
        assert_eq!(next(u64::MAX, 0), None);
        assert_eq!(pack(1 << 48, 0), None);
    }
}
