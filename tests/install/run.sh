#!/usr/bin/env bash
# Tests the install step: installs libgameye (debug build, sharing the cache
# of the other tests) with scripts/install.sh into target/install-test/prefix,
# builds tests/install/app.c against that tree with pkg-config (shared and
# static) and with CMake (gameye::gameye and gameye::gameye_static), runs each
# program against the emulator, and checks the layout, the SONAME, that the
# shared programs load the installed library, that the tree still works after
# being moved, the CMake version rules and a DESTDIR install.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
require_tool pkg-config "the install tests (tests/install)" || exit 0
require_tool cmake "the install tests (tests/install)" || exit 0
require_tool make "the install tests' CMake builds (tests/install)" || exit 0
require_tool readelf "the install tests (tests/install)" || exit 0
cd "$root"

cc=${CC:-cc}
work="$root/target/install-test"
prefix="$work/prefix"
moved="$work/moved"
rm -rf "$work"
mkdir -p "$work/logs" "$work/bin"
unset LD_LIBRARY_PATH DESTDIR
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

passed=0
failed=0
# check NAME COMMAND...: runs COMMAND with its output in a log, shown on failure.
check() {
    local name=$1 log
    shift
    log="$work/logs/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_').log"
    if "$@" > "$log" 2>&1; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name (log: $log)" >&2
        sed 's/^/    | /' "$log" >&2
        failed=$((failed + 1))
    fi
}
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}

major=$(sed -n 's/^#define GAMEYE_VERSION_MAJOR \([0-9]*\)$/\1/p' include/gameye.h)
minor=$(sed -n 's/^#define GAMEYE_VERSION_MINOR \([0-9]*\)$/\1/p' include/gameye.h)
patch=$(sed -n 's/^#define GAMEYE_VERSION_PATCH \([0-9]*\)$/\1/p' include/gameye.h)
version="$major.$minor.$patch"
if [ "$major" != 0 ]; then
    soname="libgameye.so.$major"
    incompatible="$((major + 1))"
elif [ "$minor" != 0 ]; then
    soname="libgameye.so.0.$minor"
    incompatible="0.$((minor + 1))"
else
    soname="libgameye.so.0.0.$patch"
    incompatible="0.0.$((patch + 1))"
fi

# --- install -------------------------------------------------------------------

cargo build --quiet -p gameye-emulator
check "scripts/install.sh --debug --prefix target/install-test/prefix" \
    scripts/install.sh --debug --prefix "$prefix"
if [ "$failed" != 0 ]; then
    summary || exit 1
fi

layout() {
    local f ok=0
    for f in include/gameye.h "lib/libgameye.so.$version" lib/libgameye.a \
             lib/pkgconfig/gameye.pc lib/cmake/gameye/gameyeConfig.cmake \
             lib/cmake/gameye/gameyeConfigVersion.cmake; do
        if [ -f "$prefix/$f" ]; then echo "have $f"; else echo "missing $f"; ok=1; fi
    done
    [ "$(readlink "$prefix/lib/$soname")" = "libgameye.so.$version" ] || { echo "bad link $soname"; ok=1; }
    [ "$(readlink "$prefix/lib/libgameye.so")" = "$soname" ] || { echo "bad link libgameye.so"; ok=1; }
    cmp "$prefix/include/gameye.h" include/gameye.h || ok=1
    ls -lR "$prefix"
    return $ok
}
check "layout: include/, lib/ with $soname links, pkgconfig/, cmake/" layout

# (Output is captured before grep -q: with pipefail, a writer killed by
# SIGPIPE when grep -q stops reading early would fail the pipeline.)
has_soname() {
    local dyn
    dyn=$(readelf -d "$prefix/lib/libgameye.so.$version") || return 1
    echo "$dyn"
    grep -q "(SONAME) *Library soname: \[$soname\]" <<< "$dyn"
}
check "readelf -d: SONAME is $soname" has_soname

in_tree_plain() { # the in-tree library stays SONAME-less (README's -L target/debug use)
    local dyn
    dyn=$(readelf -d "$root/target/debug/libgameye.so") || return 1
    ! grep '(SONAME)' <<< "$dyn"
}
check "target/debug/libgameye.so is left without SONAME" in_tree_plain

pc() { # pc ARGS...: pkg-config's answer without the blank pkgconf may append
    local out
    out=$(pkg-config "$@") || return 1
    out=${out%"${out##*[! ]}"}
    printf '%s\n' "$out"
}
pc_fields() {
    local got
    got=$(pc --modversion gameye) && echo "modversion $got" && [ "$got" = "$version" ] &&
    got=$(pc --variable=prefix gameye) && echo "prefix $got" && [ "$got" = "$prefix" ] &&
    got=$(pc --cflags gameye) && echo "cflags $got" && [ "$got" = "-I$prefix/include" ] &&
    got=$(pc --libs gameye) && echo "libs $got" && [ "$got" = "-L$prefix/lib -lgameye" ] &&
    got=$(pc --static --libs gameye) && echo "static libs $got" &&
        [ "$got" = "-L$prefix/lib -lgameye -lpthread -ldl -lm" ]
}
check "pkg-config: version $version, prefix, cflags, libs" pc_fields

check "cmake: gameyeConfigVersion.cmake compatibility rules" \
    cmake -DTEMPLATE="$root/packaging/gameyeConfigVersion.cmake.in" \
    -DINSTALLED="$prefix/lib/cmake/gameye/gameyeConfigVersion.cmake" \
    -DWORK="$work/version-check" -P tests/install/version_check.cmake

# --- build the programs --------------------------------------------------------

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g)

needs() { # needs EXE LIB: EXE's dynamic section lists LIB
    local dyn
    dyn=$(readelf -d "$1") || return 1
    grep NEEDED <<< "$dyn"
    grep -q "(NEEDED) *Shared library: \[$2\]" <<< "$dyn"
}
needs_no_gameye() { # needs_no_gameye EXE: EXE does not load any libgameye
    local dyn
    dyn=$(readelf -d "$1") || return 1
    grep NEEDED <<< "$dyn"
    ! grep -q 'NEEDED.*libgameye' <<< "$dyn"
}

build_pc_shared() {
    # shellcheck disable=SC2046 # pkg-config output is meant to be split
    "$cc" "${cflags[@]}" tests/install/app.c $(pkg-config --cflags --libs gameye) \
        -Wl,-rpath,"$(pkg-config --variable=libdir gameye)" -o "$work/bin/app-pkgconfig" &&
    needs "$work/bin/app-pkgconfig" "$soname"
}
check "pkg-config: build app (shared, rpath to the tree)" build_pc_shared

build_pc_static() {
    local libs
    libs=$(pkg-config --static --libs gameye) || return 1
    # -lgameye would pick libgameye.so when both exist: name the archive.
    libs=${libs/-lgameye/-l:libgameye.a}
    echo "libs: $libs"
    # shellcheck disable=SC2046,SC2086
    "$cc" "${cflags[@]}" tests/install/app.c $(pkg-config --cflags gameye) $libs \
        -o "$work/bin/app-pkgconfig-static" &&
    needs_no_gameye "$work/bin/app-pkgconfig-static"
}
check "pkg-config --static: build app against libgameye.a" build_pc_static

cmake_build() { # cmake_build PREFIX BUILD_DIR: configures and builds tests/install
    cmake -S tests/install -B "$2" -DCMAKE_PREFIX_PATH="$1" \
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
        -DGAMEYE_REQUIRED_VERSION="$major.$minor" -DCMAKE_BUILD_TYPE=Debug &&
    grep -qx "gameye_DIR:PATH=$1/lib/cmake/gameye" "$2/CMakeCache.txt" &&
    cmake --build "$2" -j 2 &&
    needs "$2/app" "$soname" &&
    needs_no_gameye "$2/app_static"
}
check "cmake: find_package(gameye $major.$minor CONFIG), build app + app_static" \
    cmake_build "$prefix" "$work/cmake"

cmake_refuses() { # asking for the next incompatible version must fail
    ! cmake -S tests/install -B "$work/cmake-incompatible" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DGAMEYE_REQUIRED_VERSION="$incompatible"
}
check "cmake: find_package(gameye $incompatible) refuses $version" cmake_refuses

destdir_install() {
    local stage="$work/destdir" f
    DESTDIR="$stage" scripts/install.sh --debug --no-build --prefix /opt/gameye || return 1
    for f in include/gameye.h "lib/libgameye.so.$version" "lib/$soname" lib/libgameye.so \
             lib/libgameye.a lib/pkgconfig/gameye.pc lib/cmake/gameye/gameyeConfig.cmake; do
        [ -e "$stage/opt/gameye/$f" ] || { echo "missing $f"; return 1; }
    done
    grep -qx 'prefix=/opt/gameye' "$stage/opt/gameye/lib/pkgconfig/gameye.pc" || return 1
    if grep -rlF "$stage" "$stage/opt/gameye/lib/pkgconfig" "$stage/opt/gameye/lib/cmake"; then
        echo "DESTDIR leaked into the files above"
        return 1
    fi
    rm -rf "$stage"
}
check "DESTDIR=… install.sh --no-build --prefix /opt/gameye" destdir_install

# --- run them against the emulator ---------------------------------------------

start_emulator

loads_from() { # loads_from EXE DIR: the dynamic loader takes libgameye from DIR
    local line path
    line=$(ldd "$1" | grep libgameye) || { echo "ldd: $1 does not load libgameye"; return 1; }
    echo "ldd: $line"
    path=$(printf '%s\n' "$line" | sed -n 's/.*=> \(.*\) (0x.*/\1/p')
    [ -n "$path" ] && [ "$(dirname "$(realpath "$path")")" = "$(realpath "$2")" ]
}
run_app() { # run_app EXE [LIBDIR]: runs EXE (from LIBDIR's libgameye when given)
    if [ $# -ge 2 ]; then loads_from "$1" "$2" || return 1; fi
    local out status=0
    out=$("$1") || status=$?
    echo "$out"
    [ "$status" = 0 ] || { echo "$1 exited with status $status"; return 1; }
    grep -q '^libgameye .*: session ' <<< "$out"
}
check "run pkg-config app (loads $soname from the prefix)" \
    run_app "$work/bin/app-pkgconfig" "$prefix/lib"
check "run pkg-config static app" run_app "$work/bin/app-pkgconfig-static"
check "run cmake app (gameye::gameye, loads from the prefix)" \
    run_app "$work/cmake/app" "$prefix/lib"
check "run cmake app_static (gameye::gameye_static)" run_app "$work/cmake/app_static"

# The tree is relocatable: move it (nothing may still point at the old place),
# then build and run against the new location.
relocated() {
    mv "$prefix" "$moved" &&
    cmake_build "$moved" "$work/cmake-moved" &&
    run_app "$work/cmake-moved/app" "$moved/lib" &&
    run_app "$work/cmake-moved/app_static"
}
check "moved tree: cmake build and run from the new place" relocated

summary
