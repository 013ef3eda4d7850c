//! WAL syncing beside RocksDB (lib/storage/wal-sync.ts): one job on libuv's thread pool lists
//! RocksDB's WAL files, fdatasyncs each, and fsyncs the directory when a file is new to the
//! caller, so a sync costs one trip to the pool and no RocksDB write queue.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::Path;

/// RocksDB's WAL file names: `<digits>.log`.
pub fn is_wal_file(name: &str) -> bool {
    name.strip_suffix(".log").is_some_and(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
}

/// Sync every WAL file in `dir`, and `dir` itself when one is missing from `known`. Returns the
/// WAL files synced. A file that vanishes between the listing and its sync is skipped: RocksDB
/// deletes a WAL only once its writes are in synced SST files.
pub fn sync_wal_files(dir: &str, known: &[String]) -> Result<Vec<String>, String> {
    let fail = |what: &str, path: &Path, err: std::io::Error| format!("{} {}: {}", what, path.display(), err);
    let dir_path = Path::new(dir);
    let mut names = Vec::new();
    for entry in fs::read_dir(dir_path).map_err(|e| fail("cannot list", dir_path, e))? {
        let entry = entry.map_err(|e| fail("cannot list", dir_path, e))?;
        if let Some(name) = entry.file_name().to_str() {
            if is_wal_file(name) {
                names.push(name.to_owned());
            }
        }
    }
    let mut synced = Vec::with_capacity(names.len());
    let mut new_file = false;
    for name in names {
        let path = dir_path.join(&name);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(fail("cannot open", &path, e)),
        };
        file.sync_data().map_err(|e| fail("cannot sync", &path, e))?;
        new_file |= !known.contains(&name);
        synced.push(name);
    }
    if new_file {
        File::open(dir_path).and_then(|d| d.sync_all()).map_err(|e| fail("cannot sync", dir_path, e))?;
    }
    Ok(synced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_wal_file("000012.log"));
        assert!(!is_wal_file("LOG"));
        assert!(!is_wal_file(".log"));
        assert!(!is_wal_file("LOG.old.1700000000"));
        assert!(!is_wal_file("000012.sst"));
        assert!(!is_wal_file("x12.log"));
    }
}
