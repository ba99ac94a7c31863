#!/usr/bin/env bash
# Builds game_loop.c against the installed SDK (CMake package) and runs it
# against the emulator (its default config: europe, my-game). Exits non-zero
# on any failure.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_tool cmake "the C example (examples/c)" || exit 0
require_tool cc "the C example (examples/c)" || exit 0
install_sdk
build="$work/c-build"
cmake -S "$root/examples/c" -B "$build" -DCMAKE_PREFIX_PATH="$sdk_prefix" > "$work/c-cmake.log" ||
    { cat "$work/c-cmake.log" >&2; exit 1; }
cmake --build "$build" > "$work/c-build.log" || { cat "$work/c-build.log" >&2; exit 1; }
start_emulator
timeout 60 "$build/game_loop" "$GAMEYE_BASE_URL"
