#!/usr/bin/env bash
# The cross targets, built and tested on this Linux x86_64 machine:
#
# Windows x64 (x86_64-pc-windows-gnu, mingw-w64), run under Wine:
#   - builds gameye.dll, its import library libgameye.dll.a, the static
#     libgameye.a, gameye.exe (the CLI) and gameye-emulator.exe;
#   - the C tests (tests/c/test_*.c), cross-compiled against the DLL, pass
#     against the emulator running natively on 127.0.0.1; one of them also
#     linked statically against libgameye.a;
#   - gameye.exe creates, lists, gets and stops sessions against that
#     emulator, and runs `--emulator` (the emulator inside the .exe);
#   - gameye-emulator.exe runs session processes (tests/cross/fixtures/tree.c,
#     a process tree): stopping a session ends the whole tree; a child left
#     behind by a main process that exited is ended; killing the emulator
#     ends the tree (its job object is "kill on job close").
# Linux arm64 (aarch64-unknown-linux-gnu), run under qemu-user:
#   - builds libgameye.so, libgameye.a and the CLI;
#   - the C tests, cross-compiled against libgameye.so, pass against the
#     native emulator; one of them also linked statically against libgameye.a;
#   - the CLI creates, lists and stops sessions, and runs `--emulator`.
#
# CROSS_PROFILE=release|debug (default release: the binaries that ship, which
# scripts/dist.sh then packs without building again). CROSS_TARGETS="windows
# arm64" picks targets. Missing tools: tests/lib/tools.sh's rule.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$root/tests/cross/lib.sh"
cd "$root"

profile=${CROSS_PROFILE:-release}
targets=${CROSS_TARGETS:-windows arm64}
cargo_profile=()
[ "$profile" = release ] && cargo_profile=(--release)
out="$root/target/cross"
mkdir -p "$out" target/c-tests   # the C tests save artifacts under target/c-tests

win_emulator_pid=
cleanup() {
    stop_test_emulators
    if [ -n "$win_emulator_pid" ]; then
        kill -9 "$win_emulator_pid" 2> /dev/null || true
    fi
    if command -v wineserver > /dev/null; then
        cross_wine_stop
    fi
}
# start_emulator (tests/lib/common.sh) sets its own EXIT trap; keep ours.
# The https one too (test_tls): the cross-built TLS layer (rustls, the
# socket writes) against a native server.
native_emulator() {
    start_emulator
    start_tls_emulator
    trap cleanup EXIT
}
trap cleanup EXIT

# Native: the emulator every cross-built program talks to.
cargo build --quiet -p gameye-emulator

status=0
fail() {
    echo "FAIL: $*" >&2
    status=1
}

# json_field FIELD: reads JSON on stdin, prints .FIELD ("" when absent).
json_field() {
    python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"
}

# check_cli NAME RUNNER... : the CLI (run through RUNNER, e.g. wine X.exe)
# against the native emulator: create, list, get, stop; then --emulator.
check_cli() {
    local name=$1
    shift
    native_emulator
    local cli=("$@" --base-url "$GAMEYE_TEST_BASE_URL" --token gameye-emulator-token)
    local id="cross-$name-$$"
    local created listed got stopped after
    echo "== $name CLI: create, list, get, stop"
    if ! created=$("${cli[@]}" session create --location europe --image nginx --id "$id" --label by=cross); then
        fail "$name CLI: session create"
        return
    fi
    [ "$(json_field id <<< "$created")" = "$id" ] || fail "$name CLI: create printed $created"
    listed=$("${cli[@]}" session list --output table) || fail "$name CLI: session list"
    grep -q "^$id .*running" <<< "$(tr -d '\r' <<< "$listed")" || fail "$name CLI: list lacks $id: $listed"
    got=$("${cli[@]}" session get "$id") || fail "$name CLI: session get"
    [ "$(json_field status <<< "$got")" = running ] || fail "$name CLI: get printed $got"
    stopped=$("${cli[@]}" session stop "$id") || fail "$name CLI: session stop"
    [ "$(json_field outcome <<< "$stopped")" = stopped ] || fail "$name CLI: stop printed $stopped"
    after=$("${cli[@]}" session get "$id") || fail "$name CLI: session get after stop"
    [ "$(json_field status <<< "$after")" = exited ] || fail "$name CLI: after stop: $after"
    # An error is an exit status, not a crash: an unknown session is 404.
    local rc=0
    "${cli[@]}" session get no-such-session > /dev/null 2>&1 || rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "$name CLI: get of a missing session exited $rc"
    echo "== $name CLI: --emulator (the emulator inside the CLI)"
    created=$("$@" session create --emulator --location europe --image nginx) ||
        fail "$name CLI: create --emulator"
    [ -n "$(json_field id <<< "$created")" ] || fail "$name CLI --emulator printed $created"
}

# run_c_tests NAME DIR RUNNER...: each C test program in DIR against a fresh
# native emulator, through RUNNER (a command: `timeout` runs it).
run_c_tests() {
    local name=$1 dir=$2
    shift 2
    local exe
    for exe in "$dir"/test_*; do
        native_emulator
        echo "== $name $(basename "$exe")"
        timeout 900 "$@" "$exe" || fail "$name $(basename "$exe")"
    done
}

c_flags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -I include)

# The C test programs on every target, all but test_hostile (its server is
# a native program the test starts itself; the hostile behaviours are the
# same bytes on every target, and Wine's sockets would test Wine). test_placement sends real
# ICMP echo to loopback: on Windows through IcmpSendEcho2 (Wine implements it
# with the host's ICMP sockets), on arm64 through the same sockets as on
# x86_64 (qemu-user passes the system calls through); both need the ICMP
# permission the native run has (CI runs as root).
cross_c_tests=(test_async test_endpoints test_every_function test_fault_matrix test_http_promises
               test_lifetimes test_logging test_placement test_session_create test_sweep test_tls)

# ---------------------------------------------------------------- Windows x64
windows() {
    local t=$CROSS_WINDOWS_TARGET
    local bin="$root/target/$t/$profile"
    echo "== Windows x64: cargo build ${cargo_profile[*]} --target $t"
    cargo build --quiet "${cargo_profile[@]}" --target "$t" -p gameye-ffi -p gameye-cli -p gameye-emulator
    local f
    for f in gameye.dll libgameye.dll.a libgameye.a gameye.exe gameye-emulator.exe; do
        [ -s "$bin/$f" ] || fail "Windows: $bin/$f was not built"
    done
    cross_setup_wine

    # The C tests: against the DLL through its import library; the winpthreads
    # and libgcc runtime linked statically so only gameye.dll sits beside them.
    local tests="$out/windows-tests"
    rm -rf "$tests"
    mkdir -p "$tests"
    local src name
    for name in "${cross_c_tests[@]}"; do
        src=tests/c/$name.c
        "$CROSS_WINDOWS_CC" "${c_flags[@]}" "$src" "$bin/libgameye.dll.a" -lws2_32 -liphlpapi \
            -static -lpthread -o "$tests/$name.exe"
    done
    cp "$bin/gameye.dll" "$tests/"
    # The static library: the system libraries rustc reports for it
    # (`--print native-static-libs`), as the CMake package lists them.
    local static="$out/windows-static"
    rm -rf "$static"
    mkdir -p "$static"
    "$CROSS_WINDOWS_CC" "${c_flags[@]}" tests/c/test_session_create.c "$bin/libgameye.a" \
        -lws2_32 -lbcrypt -luserenv -lntdll -ladvapi32 -lkernel32 \
        -static -lpthread -o "$static/test_session_create_static.exe"
    run_c_tests "Windows" "$tests" wine
    run_c_tests "Windows (static libgameye.a)" "$static" wine

    check_cli "Windows" cross_wine_run "$bin/gameye.exe"
    windows_emulator "$bin"
}

# beat FILE: the counter a tree.exe process last wrote ("" if none yet).
beat() { tr -d '\r\n' < "$1" 2> /dev/null || true; }

# wait_beats STATE FILE...: waits (at most 15 s) until every FILE is being
# written ("alive": it changes within 400 ms) or none is ("dead": unchanged
# for 1 s); fails the test otherwise.
wait_beats() {
    local want=$1
    shift
    local f before changed
    for _ in $(seq 15); do
        declare -A before=()
        for f in "$@"; do before[$f]=$(beat "$f"); done
        if [ "$want" = alive ]; then sleep 0.4; else sleep 1; fi
        changed=0
        for f in "$@"; do
            [ -n "$(beat "$f")" ] && [ "$(beat "$f")" != "${before[$f]}" ] && changed=$((changed + 1))
        done
        if [ "$want" = alive ] && [ "$changed" = $# ]; then return 0; fi
        if [ "$want" = dead ] && [ "$changed" = 0 ]; then return 0; fi
    done
    fail "Windows emulator: expected $* to be $want"
}

# gameye-emulator.exe under Wine running real session processes.
windows_emulator() {
    local bin=$1
    local dir="$out/windows-emulator"
    rm -rf "$dir"
    mkdir -p "$dir/sessions"
    "$CROSS_WINDOWS_CC" -std=c11 -O1 -Wall -Wextra -Werror tests/cross/fixtures/tree.c -static \
        -o "$dir/tree.exe"
    python3 - "$(winepath -w "$dir/tree.exe")" "$(winepath -w "$dir/sessions")" \
        > "$dir/config.json" << 'EOF'
import json, sys
tree, sessions = sys.argv[1:]
json.dump({
    "tokens": [{"token": "gameye-emulator-token"}],
    "locations": [{"id": "local", "ips": ["127.0.0.1"]}],
    "images": [
        {"name": "tree", "command": [tree, "serve"]},
        {"name": "orphan", "command": [tree, "orphan"]},
    ],
    "sessions_dir": sessions,
    "stop_grace_ms": 1000,
}, sys.stdout)
EOF
    echo "== Windows: gameye-emulator.exe runs session process trees"
    wine "$bin/gameye-emulator.exe" --port 0 --port-file "$(winepath -w "$dir/port")" \
        --config "$(winepath -w "$dir/config.json")" > "$dir/emulator.log" 2>&1 &
    win_emulator_pid=$!
    for _ in $(seq 200); do
        [ -s "$dir/port" ] && break
        sleep 0.1
    done
    if [ ! -s "$dir/port" ]; then
        fail "gameye-emulator.exe did not start: $(cat "$dir/emulator.log")"
        return
    fi
    local cli=(cross_wine_run "$bin/gameye.exe" --base-url "http://127.0.0.1:$(cat "$dir/port")"
               --token gameye-emulator-token)

    # Stopping a session ends its main process and the child it started.
    "${cli[@]}" session create --location local --image tree --id tree1 > /dev/null ||
        fail "create the tree session"
    local s
    for _ in $(seq 100); do
        s=$(echo "$dir"/sessions/tree1-*)
        [ -e "$s/parent.beat" ] && [ -e "$s/child.beat" ] && break
        sleep 0.1
    done
    wait_beats alive "$s/parent.beat" "$s/child.beat"
    "${cli[@]}" session stop tree1 > /dev/null || fail "stop the tree session"
    wait_beats dead "$s/parent.beat" "$s/child.beat"
    local log
    log=$("${cli[@]}" logs tree1 | tr -d '\r') || fail "logs of the tree session"
    grep -q "parent started" <<< "$log" || fail "the session log lacks the process's output: $log"
    # Wine (headless) gives the emulator no console, so CTRL_BREAK cannot be
    # sent and the stop goes straight to TerminateJobObject; the log says so.
    # (On Windows with a console, CTRL_BREAK comes first.)
    grep -Eq "parent got CTRL_BREAK|cannot ask the process to stop" <<< "$log" ||
        fail "the session log does not say how the process was stopped: $log"

    # A main process that exits leaves no child behind.
    "${cli[@]}" session create --location local --image orphan --id orphan1 > /dev/null ||
        fail "create the orphan session"
    local state=""
    for _ in $(seq 100); do
        state=$("${cli[@]}" session get orphan1 | json_field status)
        [ "$state" = exited ] && break
        sleep 0.1
    done
    [ "$state" = exited ] || fail "the orphan session did not end: $state"
    s=$(echo "$dir"/sessions/orphan1-*)
    [ -e "$s/child.beat" ] || fail "the orphan's child never ran"
    wait_beats dead "$s/child.beat"

    # Killing the emulator outright ends its sessions' trees: the job closes.
    "${cli[@]}" session create --location local --image tree --id tree2 > /dev/null ||
        fail "create the second tree session"
    for _ in $(seq 100); do
        s=$(echo "$dir"/sessions/tree2-*)
        [ -e "$s/parent.beat" ] && [ -e "$s/child.beat" ] && break
        sleep 0.1
    done
    wait_beats alive "$s/parent.beat" "$s/child.beat"
    kill -9 "$win_emulator_pid"
    wait "$win_emulator_pid" 2> /dev/null || true
    win_emulator_pid=
    wait_beats dead "$s/parent.beat" "$s/child.beat"
}

# ---------------------------------------------------------------- Linux arm64
arm64() {
    local t=$CROSS_ARM64_TARGET
    local bin="$root/target/$t/$profile"
    echo "== Linux arm64: cargo build ${cargo_profile[*]} --target $t"
    cargo build --quiet "${cargo_profile[@]}" --target "$t" -p gameye-ffi -p gameye-cli
    local f
    for f in libgameye.so libgameye.a gameye; do
        [ -s "$bin/$f" ] || fail "arm64: $bin/$f was not built"
    done
    local tests="$out/arm64-tests"
    rm -rf "$tests"
    mkdir -p "$tests"
    local src name
    for name in "${cross_c_tests[@]}"; do
        src=tests/c/$name.c
        "$CROSS_ARM64_CC" "${c_flags[@]}" "$src" -L "$bin" -Wl,-rpath,"$bin" -lgameye -lpthread \
            -o "$tests/$name"
    done
    local static="$out/arm64-static"
    rm -rf "$static"
    mkdir -p "$static"
    "$CROSS_ARM64_CC" "${c_flags[@]}" tests/c/test_session_create.c "$bin/libgameye.a" \
        -lpthread -ldl -lm -o "$static/test_session_create_static"
    run_c_tests "arm64" "$tests" qemu-aarch64 -L "$CROSS_ARM64_SYSROOT"
    run_c_tests "arm64 (static libgameye.a)" "$static" qemu-aarch64 -L "$CROSS_ARM64_SYSROOT"
    check_cli "arm64" cross_qemu_arm64_run "$bin/gameye"
}

for target in $targets; do
    case "$target" in
        windows) if cross_require_windows "the Windows x64 cross tests"; then windows; fi ;;
        arm64) if cross_require_arm64 "the Linux arm64 cross tests"; then arm64; fi ;;
        *) echo "unknown target $target (windows, arm64)" >&2; exit 2 ;;
    esac
done
exit $status
