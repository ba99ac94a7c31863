#!/usr/bin/env bash
# Builds libgameye and the C tests, starts the emulator on an ephemeral
# loopback port, and runs each C test program against it under valgrind.
# Outside CI a missing valgrind means the tests run without it (said loudly);
# under CI=true it is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
profile_dir="$root/target/debug"
out="$root/target/c-tests"
mkdir -p "$out"

cargo build --quiet -p gameye-ffi -p gameye-emulator

cc=${CC:-cc}
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -g -I include "$src" \
        -L "$profile_dir" -Wl,-rpath,"$profile_dir" -lgameye -lpthread -o "$out/$name"
done

port_file="$out/emulator.port"
rm -f "$port_file"
"$profile_dir/gameye-emulator" --port 0 --port-file "$port_file" \
    --config tests/emulator-config.json > "$out/emulator.log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    [ -s "$port_file" ] && break
    sleep 0.1
done
[ -s "$port_file" ] || { echo "emulator did not start:"; cat "$out/emulator.log"; exit 1; }
export GAMEYE_TEST_BASE_URL="http://127.0.0.1:$(cat "$port_file")"

runner=()
if command -v valgrind > /dev/null; then
    runner=(valgrind --leak-check=full --errors-for-leak-kinds=definite
            --error-exitcode=1 --track-origins=yes)
elif [ "${CI:-}" = "true" ]; then
    echo "valgrind is required under CI (apt-get install valgrind)" >&2
    exit 1
else
    echo "!!! SKIPPING valgrind: not installed; running the C tests without it !!!" >&2
fi

status=0
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    echo "== $name${runner:+ (under valgrind)}"
    "${runner[@]}" "$out/$name" || status=1
done
exit $status
