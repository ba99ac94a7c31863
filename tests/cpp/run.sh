#!/usr/bin/env bash
# Builds libgameye, compiles the C++ wrapper's tests (bindings/cpp) with
# ${CXX:-c++} (and also with clang++ / without exceptions and RTTI when those
# compilers are there), starts the emulator on an ephemeral loopback port (and
# a second one serving https with a test CA, for test_https_every_operation),
# and runs the test program against them under valgrind.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$root"
out="$root/target/cpp-tests"
mkdir -p "$out"

cargo build --quiet -p gameye-ffi -p gameye-emulator

cxx=${CXX:-c++}
flags=(-std=c++17 -Wall -Wextra -Werror -pedantic -g -I include -I bindings/cpp/include)
link=(-L "$GAMEYE_LIB_DIR" -Wl,-rpath,"$GAMEYE_LIB_DIR" -lgameye -lpthread)

# The header on its own, as an engine would build it: no exceptions, no RTTI.
echo '#include "gameye.hpp"' | "$cxx" "${flags[@]}" -fno-exceptions -fno-rtti -x c++ -fsyntax-only -
"$cxx" "${flags[@]}" -fno-exceptions -fno-rtti -fsyntax-only tests/cpp/test_gameye.cpp
if [ "$(basename "$cxx")" != clang++ ] && command -v clang++ > /dev/null; then
    clang++ "${flags[@]}" -fsyntax-only tests/cpp/test_gameye.cpp
fi

"$cxx" "${flags[@]}" tests/cpp/test_gameye.cpp "${link[@]}" -o "$out/test_gameye"

start_emulator
start_tls_emulator

echo "== test_gameye${memcheck:+ (under valgrind)}"
"${memcheck[@]}" "$out/test_gameye"

# Placing sessions near players (ping, choose, create near): its own program.
"$cxx" "${flags[@]}" -fno-exceptions -fno-rtti -fsyntax-only tests/cpp/test_placement.cpp
"$cxx" "${flags[@]}" tests/cpp/test_placement.cpp "${link[@]}" -o "$out/test_placement"
start_emulator
echo "== test_placement${memcheck:+ (under valgrind)}"
"${memcheck[@]}" "$out/test_placement"
