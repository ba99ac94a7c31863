# Shared by the examples' run.sh scripts; source it. Gives:
#   $root               the checkout
#   require_tool TOOL PART   (tests/lib/tools.sh: under CI=true a missing tool fails)
#   install_sdk         installs the SDK (debug build) into $sdk_prefix, once per run
#   start_emulator [CONFIG]  starts target/debug/gameye-emulator (with CONFIG, else its
#                       defaults) on a free loopback port, exports GAMEYE_BASE_URL,
#                       stops it on exit
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/tests/lib/tools.sh"
work="$root/target/examples"
sdk_prefix="$work/prefix"
mkdir -p "$work"

# install_sdk: the C/C++ SDK as a studio gets it (scripts/install.sh), so the
# examples build against the installed CMake package, not the source tree.
# examples/run.sh sets EXAMPLES_SDK_INSTALLED after installing once.
install_sdk() {
    if [ "${EXAMPLES_SDK_INSTALLED:-}" != 1 ]; then
        "$root/scripts/install.sh" --debug --prefix "$sdk_prefix" > "$work/install.log" 2>&1 ||
            { cat "$work/install.log" >&2; return 1; }
    fi
}

emulator_pid=
stop_emulator() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        emulator_pid=
    fi
}

# start_emulator [CONFIG]: waits at most 10 s for the emulator to listen.
start_emulator() {
    local port_file="$work/emulator-port.$$"
    rm -f "$port_file"
    cargo build --quiet -p gameye-emulator
    "$root/target/debug/gameye-emulator" --port 0 --port-file "$port_file" \
        ${1:+--config "$1"} > "$port_file.log" 2>&1 &
    emulator_pid=$!
    trap stop_emulator EXIT
    for _ in $(seq 100); do
        [ -s "$port_file" ] && break
        sleep 0.1
    done
    if [ ! -s "$port_file" ]; then
        echo "the emulator did not start:" >&2
        cat "$port_file.log" >&2
        return 1
    fi
    export GAMEYE_BASE_URL="http://127.0.0.1:$(cat "$port_file")"
    rm -f "$port_file" "$port_file.log"
}
