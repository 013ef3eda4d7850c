fn main() {
    napi_build::setup();
    // 80-bit long double arithmetic and formatting for INCRBYFLOAT (Rust has
    // no f80): strtold and snprintf("%.17Lf") from the C library, as Redis does.
    cc::Build::new().file("src/float.c").opt_level(2).compile("marekvs_float");
    println!("cargo:rerun-if-changed=src/float.c");
}
