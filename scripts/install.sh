#!/usr/bin/env bash
# Installs libgameye (the C SDK) under a prefix:
#
#   <prefix>/include/gameye.h
#   <prefix>/lib/libgameye.so.X.Y.Z            the shared library, SONAME libgameye.so.X
#   <prefix>/lib/libgameye.so.X -> ...         (for 0.x: libgameye.so.0.Y, as cargo-c does)
#   <prefix>/lib/libgameye.so -> ...           the link-time name
#   <prefix>/lib/libgameye.a                   the static library
#   <prefix>/lib/pkgconfig/gameye.pc
#   <prefix>/lib/cmake/gameye/gameyeConfig.cmake, gameyeConfigVersion.cmake
#
# usage: scripts/install.sh [--prefix DIR] [--release|--debug] [--no-build|--build-only]
#
#   --prefix DIR   where to install (default /usr/local); DESTDIR is honoured
#                  (files go to $DESTDIR$prefix, paths inside them name $prefix)
#   --release      install the release build (the default)
#   --debug        install the debug build
#   --no-build     do not run cargo: install what the last build step staged in
#                  target/<profile>/install-stage (e.g. build as yourself, then
#                  `sudo scripts/install.sh --no-build`)
#   --build-only   run the build step (and stage) but install nothing
#
# The build step runs `cargo rustc -p gameye-ffi --crate-type cdylib` with the
# linker flag -Wl,-soname,<SONAME>, copies that library to the stage, then runs
# `cargo build -p gameye-ffi`, which links target/<profile>/libgameye.so again
# without a SONAME (so -L target/<profile> -lgameye keeps working in the tree)
# and makes libgameye.a. Only gameye-ffi itself is compiled twice; its
# dependencies come from the usual cache.
set -euo pipefail

usage() { # usage STATUS: the help text, on stdout for 0, else on stderr
    local text
    text=$(sed -n '/^# usage:/,/^# *--build-only/p' "$0" | sed 's/^# \{0,1\}//')
    if [ "$1" = 0 ]; then echo "$text"; else echo "$text" >&2; fi
    exit "$1"
}

prefix=/usr/local
profile=release
build=1
install=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || usage 2; prefix=$2; shift ;;
        --prefix=*) prefix=${1#--prefix=} ;;
        --release) profile=release ;;
        --debug) profile=debug ;;
        --no-build) build=0 ;;
        --build-only) install=0 ;;
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
stage="$root/target/$profile/install-stage"

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
    out="$root/target/$profile"

    echo "== building libgameye $version ($profile), SONAME $soname"
    # The shared library alone, with its SONAME (link args reach only this crate).
    cargo rustc "${cargo_profile[@]}" -p gameye-ffi --lib --crate-type cdylib \
        -- -C "link-arg=-Wl,-soname,$soname"
    rm -rf "$stage.tmp"
    mkdir -p "$stage.tmp/lib" "$stage.tmp/include"
    cp "$out/libgameye.so" "$stage.tmp/lib/libgameye.so.$version"
    got=$(readelf_soname "$stage.tmp/lib/libgameye.so.$version")
    if [ "$got" != "$soname" ]; then
        echo "install.sh: the built library has SONAME '${got}', want '$soname'" >&2
        exit 1
    fi
    # The normal build: every crate type, the in-tree .so back without SONAME.
    cargo build "${cargo_profile[@]}" -p gameye-ffi
    cp "$out/libgameye.a" "$stage.tmp/lib/libgameye.a"
    cp include/gameye.h "$stage.tmp/include/gameye.h"
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

install -d -m 0755 "$dest/include" "$libdir" "$libdir/pkgconfig" "$libdir/cmake/gameye"
put 0644 "$stage/include/gameye.h" "$dest/include/gameye.h"
put 0755 "$stage/lib/libgameye.so.$version" "$libdir/libgameye.so.$version"
link "libgameye.so.$version" "$libdir/$soname"
link "$soname" "$libdir/libgameye.so"
put 0644 "$stage/lib/libgameye.a" "$libdir/libgameye.a"
subst gameye.pc.in "$libdir/pkgconfig/gameye.pc"
subst gameyeConfig.cmake.in "$libdir/cmake/gameye/gameyeConfig.cmake"
subst gameyeConfigVersion.cmake.in "$libdir/cmake/gameye/gameyeConfigVersion.cmake"

echo "installed libgameye $version ($profile build, SONAME $soname) into $dest:"
printf '  %s\n' "${installed[@]}"
if [ -z "${DESTDIR:-}" ] && [ "$(id -u)" = 0 ] && command -v ldconfig > /dev/null; then
    case "$prefix" in
        /usr|/usr/local) ldconfig || true ;;
    esac
fi
