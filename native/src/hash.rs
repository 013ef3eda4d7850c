//! Partition hashing: pid = XXH3-64(hash tag or key) mod 4096.

use xxhash_rust::xxh3::xxh3_64;

pub const PARTITIONS: u64 = 4096;

/// The bytes Redis Cluster would hash: between the first '{' and the first '}'
/// after it, when that span is non-empty; otherwise the whole key.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    let Some(open) = key.iter().position(|&b| b == b'{') else {
        return key;
    };
    match key[open + 1..].iter().position(|&b| b == b'}') {
        Some(len) if len > 0 => &key[open + 1..open + 1 + len],
        _ => key,
    }
}

pub fn xxh3(data: &[u8]) -> u64 {
    xxh3_64(data)
}

pub fn partition_of(key: &[u8]) -> u16 {
    (xxh3_64(hash_tag(key)) % PARTITIONS) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"{}x"), b"{}x");
        assert_eq!(hash_tag(b"foo{bar"), b"foo{bar");
        assert_eq!(xxh3(b""), 0x2d06800538d394c2);
    }
}
