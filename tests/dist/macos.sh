# Sourced by tests/dist/run.sh (its check, extract, $dist, $work, $version):
# the macOS universal artifacts (universal2-apple-darwin), built on Linux with
# cargo-zigbuild and llvm-lipo. Nothing here can run a Mach-O file, so
# tests/dist/check_macho.py reads them as macOS's loader would:
#
#   - the C SDK's libgameye.dylib, the CLI, the wheel's extension and the
#     Unity and Unreal copies of the dylib: arm64 + x86_64, minimum macOS 11
#     or lower, only macOS's own libraries linked, a code signature whose
#     page hashes match; the dylib: install name @rpath/libgameye.dylib and
#     exactly the header's functions exported;
#   - the static libgameye.a: both architectures, the header's functions
#     defined in each, no LLVM bitcode;
#   - the SDK's CMake and pkg-config files name the files it ships;
#   - each check fails on a wrong input (tests/dist/test_check_macho.py:
#     a thin arm64 file, another install name, a Homebrew library, minos 12,
#     a changed page, a function the header adds).

mac=universal2-apple-darwin
macho() { python3 "$root/tests/dist/check_macho.py" "$@"; }
mac_sdk_archive="$dist/gameye-sdk-$version-$mac.tar.gz"
# (check returns 0 after a failure too: each block tests for its file itself.)
check "macOS universal SDK archive exists" test -f "$mac_sdk_archive"
if [ -f "$mac_sdk_archive" ]; then
    extract "$mac_sdk_archive" "$work/macos"
    mac_sdk="$work/macos/gameye-sdk-$version-$mac"
    check "macOS SDK: libgameye.dylib: arm64+x86_64, @rpath install name, the header's exports, system libs, minos <= 11, signed" \
        macho image "$mac_sdk/lib/libgameye.dylib" --install-name @rpath/libgameye.dylib --header include/gameye.h
    check "macOS SDK: libgameye.a: arm64+x86_64, the header's functions in each, no bitcode" \
        macho archive "$mac_sdk/lib/libgameye.a" --header include/gameye.h
    mac_sdk_files() { # the CMake config and gameye.pc name the shipped files
        local libs
        grep -F 'lib/libgameye.dylib' "$mac_sdk/lib/cmake/gameye/gameyeConfig.cmake" &&
        grep -F '@rpath/libgameye.dylib' "$mac_sdk/lib/cmake/gameye/gameyeConfig.cmake" &&
        grep -F 'lib/libgameye.a' "$mac_sdk/lib/cmake/gameye/gameyeConfig.cmake" &&
        test -f "$mac_sdk/include/gameye.h" && test -f "$mac_sdk/include/gameye.hpp" &&
        read -r libs < <(PKG_CONFIG_PATH="$mac_sdk/lib/pkgconfig" pkg-config --libs gameye) && echo "$libs" &&
        [ "$(realpath "$(sed -n 's/^-L\([^ ]*\) .*/\1/p' <<< "$libs")")" = "$(realpath "$mac_sdk/lib")" ] &&
        grep -q -- '-lgameye$' <<< "$libs"
    }
    check "macOS SDK: gameyeConfig.cmake and gameye.pc name its dylib, static library and headers" mac_sdk_files
    check "macOS checks fail on wrong inputs: thin, install name, Homebrew lib, minos 12, changed page, extra export" \
        env GAMEYE_MACHO_DYLIB="$mac_sdk/lib/libgameye.dylib" GAMEYE_MACHO_STATIC="$mac_sdk/lib/libgameye.a" \
        python3 "$root/tests/dist/test_check_macho.py" -v
fi

mac_cli="$dist/gameye-cli-$version-$mac.tar.gz"
check "macOS universal CLI archive exists" test -f "$mac_cli"
if [ -f "$mac_cli" ]; then
    extract "$mac_cli" "$work/macos-cli"
    check "macOS CLI: gameye is an arm64+x86_64 program, system libs, minos <= 11, signed" \
        macho image "$work/macos-cli/gameye-cli-$version-$mac/gameye" --kind execute
fi

mac_wheel=("$dist"/gameye-"$version"-cp39-abi3-macosx_*universal2*.whl)
check "macOS universal2 wheel exists" test ${#mac_wheel[@]} = 1
if [ ${#mac_wheel[@]} = 1 ]; then
    mkdir -p "$work/macos-wheel"
    python3 -m zipfile -e "${mac_wheel[0]}" "$work/macos-wheel"
    check "macOS wheel: _gameye.abi3.so: arm64+x86_64, PyInit__gameye, system libs only, minos <= 11, signed" \
        macho image "$work/macos-wheel/gameye/_gameye.abi3.so" --kind dylib --export PyInit__gameye
    # The wheel's tag promises a macOS version: no older than the binary's.
    check "macOS wheel: every macosx platform tag names macOS 11.0 or lower" python3 -c '
import re, sys
tags = sys.argv[1][:-len(".whl")].split("-")[-1].split(".")
versions = [tuple(map(int, re.match(r"macosx_(\d+)_(\d+)_", t).groups())) for t in tags]
print(tags, versions)
sys.exit(0 if versions and max(versions) <= (11, 0) else 1)' "$(basename "${mac_wheel[0]}")"
fi
# The wheels' shared metadata claims macOS only while a macOS wheel ships.
claims_macos() {
    local w
    for w in "$dist"/*.whl; do
        python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); m = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")][0]; print(z.read(m).decode())' \
            "$w" | grep -qx 'Classifier: Operating System :: MacOS' && return 0
    done
    return 1
}
if claims_macos; then
    check "wheels: the MacOS classifier is backed by a macOS wheel in dist/" test ${#mac_wheel[@]} = 1
fi

# The engine packages (extracted by run.sh before this file) ship the SDK's
# universal dylib whenever it was built.
if [ -f "$mac_sdk_archive" ]; then
    for pkg in upm unreal; do
        mac_copy=$(find "$work/$pkg" -name libgameye.dylib 2> /dev/null | head -n 1)
        check "$pkg package: has the universal libgameye.dylib (both slices, @rpath, exports, signed)" \
            macho image "${mac_copy:-$work/$pkg: no libgameye.dylib}" \
            --install-name @rpath/libgameye.dylib --header include/gameye.h
    done
fi
