# Shared by the cross-language test runners (tests/*/run.sh); source it.
# Gives: $root, start_emulator, start_tls_emulator, require_tool, and
# $memcheck (the valgrind command line, empty when valgrind is skipped
# outside CI).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export GAMEYE_LIB_DIR="$root/target/debug"

# Stops the emulators started below; run on exit.
emulator_pid=
tls_emulator_pid=
stop_test_emulators() {
    local pid
    for pid in $emulator_pid $tls_emulator_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# wait_for_port_file FILE: waits (10 s at most) for the emulator writing
# FILE.log to write its port into FILE; exits the script if it never does.
wait_for_port_file() {
    for _ in $(seq 100); do
        [ -s "$1" ] && break
        sleep 0.1
    done
    if [ ! -s "$1" ]; then
        echo "emulator did not start:" >&2
        cat "$1.log" >&2
        exit 1
    fi
}

# Starts target/debug/gameye-emulator on an ephemeral loopback port with
# tests/emulator-config.json and its control endpoint, exports
# GAMEYE_TEST_BASE_URL, and stops it on exit. Calling it again replaces the
# running emulator with a fresh one (tests that change faults get their own).
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
    trap stop_test_emulators EXIT
    wait_for_port_file "$port_file"
    export GAMEYE_TEST_BASE_URL="http://127.0.0.1:$(cat "$port_file")"
}

# The same over https: a second emulator (beside start_emulator's) serving
# https only, with a new test CA (--tls-test-ca). Exports
# GAMEYE_TEST_TLS_BASE_URL (https://127.0.0.1:PORT) and GAMEYE_TEST_CA (the
# CA's PEM file, for a client's ca_bundle_path); stops it on exit. Calling
# it again replaces it with a fresh one, with a new CA.
start_tls_emulator() {
    if [ -n "$tls_emulator_pid" ]; then
        kill "$tls_emulator_pid" 2>/dev/null || true
        wait "$tls_emulator_pid" 2>/dev/null || true
    fi
    local out="$root/target/test-emulator"
    mkdir -p "$out"
    local port_file
    port_file=$(mktemp "$out/tls-port.XXXXXX")
    rm -f "$port_file"
    # The CA is written before the port file, so it is there once that is.
    "$root/target/debug/gameye-emulator" --port 0 --port-file "$port_file" --control \
        --config "$root/tests/emulator-config.json" --tls-test-ca "$port_file.ca" \
        > "$port_file.log" 2>&1 &
    tls_emulator_pid=$!
    trap stop_test_emulators EXIT
    wait_for_port_file "$port_file"
    export GAMEYE_TEST_TLS_BASE_URL="https://127.0.0.1:$(cat "$port_file")"
    export GAMEYE_TEST_CA="$port_file.ca/ca.pem"
}

source "$root/tests/lib/tools.sh"

memcheck=()
if require_tool valgrind "valgrind checks"; then
    # The suppressions cover one report of rustls itself over https (see
    # the file); a deep stack lets them see rustls beneath the socket call.
    memcheck=(valgrind --leak-check=full --errors-for-leak-kinds=definite
              --error-exitcode=1 --track-origins=yes --num-callers=40
              --suppressions="$root/tests/lib/valgrind-rustls.supp")
fi
