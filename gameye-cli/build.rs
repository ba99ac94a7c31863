//! Links the `gameye` binary with a GNU build id on Linux, by which the
//! `.debug` file that scripts/dist.sh ships beside it is matched to it (gdb,
//! perf, debuginfod); zig's linker, which links the glibc 2.17 release
//! build, writes none unless asked.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux") {
        println!("cargo:rustc-link-arg-bins=-Wl,--build-id=sha1");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
