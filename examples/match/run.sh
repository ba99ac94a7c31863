#!/usr/bin/env bash
# A whole match on this machine, no token and no network: installs the SDK,
# builds the C++ arena server against it, starts the emulator with
# emulator.json (its "arena" image runs that server), then runs the Python
# matchmaker, whose bots play the match. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_tool cmake "the match example (examples/match)" || exit 0
require_tool c++ "the match example (examples/match)" || exit 0
here="$root/examples/match"
python="${PYTHON:-$root/target/venv/bin/python}"
if ! "$python" -c "import gameye" 2> /dev/null; then
    echo "examples/match needs the gameye Python package in $python" >&2
    echo "(scripts/test.sh installs it into target/venv; or: pip install ./bindings/python)" >&2
    exit 1
fi

install_sdk
# emulator.json runs the server from this build directory.
build="$work/match-build"
cmake -S "$here/server" -B "$build" -DCMAKE_PREFIX_PATH="$sdk_prefix" \
    -DCMAKE_BUILD_TYPE=Release > "$work/match-cmake.log" ||
    { cat "$work/match-cmake.log" >&2; exit 1; }
cmake --build "$build" > "$work/match-build.log" || { cat "$work/match-build.log" >&2; exit 1; }

start_emulator "$here/emulator.json"
echo "emulator at $GAMEYE_BASE_URL"
# Bounded: a hung match fails instead of stalling the test command. (-B: no
# __pycache__ in the example's folder.)
timeout 120 "$python" -B "$here/matchmaker.py" --base-url "$GAMEYE_BASE_URL"
