use std::path::PathBuf;
use std::process::Command;

fn main() {
    napi_build::setup();
    // 80-bit long double arithmetic and formatting for INCRBYFLOAT (Rust has
    // no f80): strtold and snprintf("%.17Lf") from the C library, as Redis does.
    cc::Build::new().file("src/float.c").opt_level(2).compile("marekvs_float");
    println!("cargo:rerun-if-changed=src/float.c");

    // The store's RocksDB calls (src/store/rocks.cc), compiled against the headers that
    // @nxtedition/rocksdb ships; the symbols resolve at load time against its addon.
    let include = rocksdb_include();
    cc::Build::new()
        .cpp(true)
        .file("src/store/rocks.cc")
        .include(&include)
        .flag("-std=c++20")
        .define("ROCKSDB_PLATFORM_POSIX", None)
        .define("ROCKSDB_LIB_IO_POSIX", None)
        .opt_level(2)
        .compile("marekvs_rocks");
    println!("cargo:rerun-if-changed=src/store/rocks.cc");
    println!("cargo:rerun-if-changed=src/store/record_cache.h");
    println!("cargo:rerun-if-changed=src/store/entry_table.h");
    println!("cargo:rerun-if-changed=src/store/read_helpers.h");
    println!("cargo:rerun-if-changed=src/store/batched_reads.h");
    println!("cargo:rerun-if-changed=src/store/write_queue.h");
}

/// deps/rocksdb/rocksdb/include of the @nxtedition/rocksdb that Node resolves from this
/// package (a sibling in node_modules once installed), unless MAREKVS_ROCKSDB_INCLUDE says.
fn rocksdb_include() -> PathBuf {
    println!("cargo:rerun-if-env-changed=MAREKVS_ROCKSDB_INCLUDE");
    if let Ok(dir) = std::env::var("MAREKVS_ROCKSDB_INCLUDE") {
        return PathBuf::from(dir);
    }
    let package_root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let out = Command::new("node")
        .current_dir(&package_root)
        .args(["-p", "require('path').dirname(require.resolve('@nxtedition/rocksdb/package.json'))"])
        .output()
        .expect("marekvs: node is needed to find @nxtedition/rocksdb's headers");
    if !out.status.success() {
        panic!("marekvs: cannot find @nxtedition/rocksdb (npm install first): {}", String::from_utf8_lossy(&out.stderr));
    }
    let dir = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()).join("deps/rocksdb/rocksdb/include");
    if !dir.join("rocksdb/db.h").exists() {
        panic!("marekvs: no RocksDB headers at {}", dir.display());
    }
    dir
}
