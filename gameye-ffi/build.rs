//! Generates the C header with cbindgen into OUT_DIR on every build. A unit
//! test compares it with the checked-in `include/gameye.h`; set
//! `GAMEYE_WRITE_HEADER=1` to write the fresh header there instead.
//!
//! For a windows-gnu target it also links a VERSIONINFO resource into
//! gameye.dll (see `versioninfo`); for Linux, a GNU build id into the .so.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("gameye.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can generate the header");
    bindings.write_to_file(&out);
    if std::env::var_os("GAMEYE_WRITE_HEADER").is_some_and(|v| v == "1") {
        bindings.write_to_file(crate_dir.join("../include/gameye.h"));
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=GAMEYE_WRITE_HEADER");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "windows" && target_env == "gnu" {
        versioninfo(out.parent().expect("OUT_DIR/gameye.h has a parent"));
    }
    if target_os == "linux" {
        // A GNU build id, by which the shipped .debug file (scripts/dist.sh)
        // is matched to the library; zig's linker (the glibc 2.17 release
        // build) writes none unless asked.
        println!("cargo:rustc-link-arg-cdylib=-Wl,--build-id=sha1");
    }
}

/// Compiles a VERSIONINFO resource (product, file version = the crate's,
/// company, copyright) with mingw's windres and links it into the DLL only,
/// so Explorer's Details tab and installers see what version gameye.dll is.
/// windres comes with the mingw linker (binutils-mingw-w64), so no crate is
/// needed; WINDRES names another one.
fn versioninfo(out_dir: &Path) {
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let numbers: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let (major, minor, patch) = (numbers[0], numbers[1], numbers[2]);
    let description = std::env::var("CARGO_PKG_DESCRIPTION").unwrap_or_default();
    let authors = std::env::var("CARGO_PKG_AUTHORS").unwrap_or_default();
    let rc = out_dir.join("gameye.rc");
    std::fs::write(
        &rc,
        format!(
            r#"#include <winver.h>
1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_DLL
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "{authors}"
      VALUE "FileDescription", "{description}"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "gameye"
      VALUE "LegalCopyright", "Copyright (c) {authors}. MIT OR Apache-2.0"
      VALUE "OriginalFilename", "gameye.dll"
      VALUE "ProductName", "Gameye SDK (libgameye)"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
        ),
    )
    .expect("OUT_DIR is writable");
    let obj = out_dir.join("gameye-versioninfo.o");
    println!("cargo:rerun-if-env-changed=WINDRES");
    let windres = std::env::var("WINDRES").unwrap_or_else(|_| {
        let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
        let prefix = if arch == "x86" { "i686" } else { arch.as_str() };
        format!("{prefix}-w64-mingw32-windres")
    });
    let status = Command::new(&windres)
        .arg(&rc)
        .arg("-O")
        .arg("coff")
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap_or_else(|e| {
            panic!("{windres} (binutils-mingw-w64) compiles gameye.dll's VERSIONINFO: {e}")
        });
    assert!(status.success(), "{windres} failed on {}", rc.display());
    println!("cargo:rustc-link-arg-cdylib={}", obj.display());
}
