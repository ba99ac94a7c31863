# Shared by the cross-language test runners (tests/*/run.sh); source it.
# Gives: $root, start_emulator, require_tool, and $memcheck (the valgrind
# command line, empty when valgrind is skipped outside CI).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export GAMEYE_LIB_DIR="$root/target/debug"

# Starts target/debug/gameye-emulator on an ephemeral loopback port with
# tests/emulator-config.json and its control endpoint, exports
# GAMEYE_TEST_BASE_URL, and stops it on exit. Calling it again replaces the
# running emulator with a fresh one (tests that change faults get their own).
emulator_pid=
start_emulator() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    local out="$root/target/test-emulator"
    mkdir -p "$out"
    local port_file
    port_file=$(mktemp "$out/port.XXXXXX")
    rm -f "$port_file"
    "$root/target/debug/gameye-emulator" --port 0 --port-file "$port_file" --control \
        --config "$root/tests/emulator-config.json" > "$port_file.log" 2>&1 &
    emulator_pid=$!
    trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
        [ -s "$port_file" ] && break
        sleep 0.1
    done
    if [ ! -s "$port_file" ]; then
        echo "emulator did not start:" >&2
        cat "$port_file.log" >&2
        exit 1
    fi
    export GAMEYE_TEST_BASE_URL="http://127.0.0.1:$(cat "$port_file")"
}

source "$root/tests/lib/tools.sh"

memcheck=()
if require_tool valgrind "valgrind checks"; then
    memcheck=(valgrind --leak-check=full --errors-for-leak-kinds=definite
              --error-exitcode=1 --track-origins=yes)
fi
