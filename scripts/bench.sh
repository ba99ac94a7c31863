#!/usr/bin/env bash
# Builds everything and runs every benchmark of BENCHMARKS.md against local
# emulators on loopback (and, for https, nginx with TLS on loopback), then
# prints the table (figure, baseline, ratio, target) as markdown and writes it
# to target/bench/results.md.
#
# usage: scripts/bench.sh [--smoke] [--release|--debug] [--only LIST]
#   (default)  full run: release builds, real counts (about 5 minutes of
#              benchmarks plus the builds); for a quiet machine
#   --smoke    every benchmark program once with tiny counts (a few seconds
#              of benchmarks): checks that each program works, and exits
#              non-zero if any fails; figures mean nothing. Uses the debug
#              builds (those scripts/test.sh makes) unless --release.
#   --no-build use the library, emulator and Python wheel already built (by
#              an earlier run of this script): for several runs of one build
#              while the sources change; the C programs are still compiled
#   --only     comma-separated subset of: c-seq,py-seq,c-async,py-async,
#              client,size,wrk,criterion, and the https groups (issue 18)
#              c-tls,c-tls-first,c-tls-reconnect,py-tls
#
# Outside CI a benchmark whose tool is missing (wrk, libcurl headers, cc,
# cargo-bloat, nginx, openssl) is skipped with a loud notice; under CI=true
# it is a failure. Each benchmark group gets a fresh emulator
# (benches/emulator-bench.json: an image without ports, capacity
# 10,000,000), stopped when done; the https groups share one nginx (static
# 201 answers, a test CA made here), stopped when done. Every loop is
# bounded; traffic goes to 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=full
profile=
only=all
no_build=0
args=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) mode=smoke ;;
        --release) profile=release ;;
        --no-build) no_build=1 ;;
        --debug) profile=debug ;;
        --only) only=$2; shift ;;
        --only=*) only=${1#--only=} ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$profile" ] || profile=$([ $mode = smoke ] && echo debug || echo release)
cargo_profile=()
[ "$profile" = release ] && cargo_profile=(--release)

if [ $mode = smoke ]; then
    SEQ_N=40 SEQ_WARMUP=5 ASYNC_N=50 ASYNC_ROUNDS=1 RTT_N=20 RTT_ROUNDS=1 CLIENT_N=5
    PY_N=30 PY_WARMUP=3 PY_ASYNC_N=50 PY_ASYNC_ROUNDS=1 WRK_SECONDS=1
    CRITERION_ARGS=(--warm-up-time 0.01 --measurement-time 0.02 --sample-size 10)
    TLS_N=40 TLS_WARMUP=5 RECONNECT_N=10 FIRST_RUNS=2 PY_TLS_N=30 PY_TLS_WARMUP=3
    PY_ASYNC_TLS_N=20 PY_ASYNC_TLS_ROUNDS=1
else
    SEQ_N=${SEQ_N:-5000} SEQ_WARMUP=${SEQ_WARMUP:-500}
    ASYNC_N=${ASYNC_N:-1000} ASYNC_ROUNDS=${ASYNC_ROUNDS:-7} CLIENT_N=${CLIENT_N:-200}
    RTT_N=${RTT_N:-1000} RTT_ROUNDS=${RTT_ROUNDS:-2}
    PY_N=${PY_N:-3000} PY_WARMUP=${PY_WARMUP:-300}
    PY_ASYNC_N=${PY_ASYNC_N:-1000} PY_ASYNC_ROUNDS=${PY_ASYNC_ROUNDS:-5}
    WRK_SECONDS=${WRK_SECONDS:-10}
    CRITERION_ARGS=(--warm-up-time 1 --measurement-time 3)
    TLS_N=${TLS_N:-5000} TLS_WARMUP=${TLS_WARMUP:-500}
    RECONNECT_N=${RECONNECT_N:-1000} FIRST_RUNS=${FIRST_RUNS:-30}
    PY_TLS_N=${PY_TLS_N:-3000} PY_TLS_WARMUP=${PY_TLS_WARMUP:-300}
    PY_ASYNC_TLS_N=${PY_ASYNC_TLS_N:-1000} PY_ASYNC_TLS_ROUNDS=${PY_ASYNC_TLS_ROUNDS:-3}
fi
export BENCH_IMAGE=bench
# No __pycache__ next to the benchmark scripts.
export PYTHONDONTWRITEBYTECODE=1

out="$root/target/bench"
bin="$out/bin-$profile"
logs="$out/logs"
libdir="$root/target/$profile"
mkdir -p "$out" "$bin" "$logs"
rm -f "$out"/{raw,skips,failures,steps,meta,bloat,sections}.txt "$out/results.md" "$out/summary.md"
touch "$out"/{raw,skips,failures,steps}.txt

wants() { [ "$only" = all ] || [[ ",$only," == *",$1,"* ]]; }
fail() { echo "FAILED: $*" >&2; echo "$*" >> "$out/failures.txt"; }
skip() { echo "$*" >> "$out/skips.txt"; }

# require_tool TOOL PART: true when TOOL exists; otherwise a failure under
# CI=true, or a loud skip.
require_tool() {
    if command -v "$1" > /dev/null; then
        return 0
    fi
    if [ "${CI:-}" = "true" ]; then
        fail "$1 is required under CI ($2)"
        return 1
    fi
    echo "!!!!!!!! SKIPPED: $1 is not installed; $2 did not run !!!!!!!!" >&2
    skip "$2 (no $1)"
    return 1
}

# ---- emulators ----------------------------------------------------------

emulator_pid=
stop_emulator() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        emulator_pid=
    fi
}
trap 'stop_emulator; stop_nginx' EXIT
# The sequential latency benchmarks pin the emulator to CPU 1 and the
# program under test to CPU 0, as if the server were another machine:
# unpinned, the scheduler sometimes puts both on one core and sometimes not,
# and latencies move 4x between runs. Throughput benchmarks (concurrency,
# wrk) leave everything unpinned: they are about using both cores.
# BENCH_PIN=same puts the server on CPU 0 with the program instead: no
# cross-CPU wake-up in a round trip (on this project's VM about 40 µs each
# way when the other CPU idles), so a latency is the CPU cost of both ends.
server_pin=()
client_pin=()
if [ "$mode" = full ] && command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
    server_pin=(taskset -c 1)
    client_pin=(taskset -c 0)
    [ "${BENCH_PIN:-split}" = same ] && server_pin=(taskset -c 0)
fi

# Starts a fresh emulator (stopping the previous one) and sets $base_url.
# With "pinned" as argument it runs on CPU 1 only (see above).
start_emulator() {
    stop_emulator
    local port_file="$out/emulator.port"
    local pin=()
    [ "${1:-}" = pinned ] && pin=("${server_pin[@]}")
    rm -f "$port_file"
    "${pin[@]}" "$libdir/gameye-emulator" --port 0 --port-file "$port_file" --control \
        --config "$root/benches/emulator-bench.json" > "$out/emulator.log" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 100); do
        [ -s "$port_file" ] && break
        sleep 0.05
    done
    if [ ! -s "$port_file" ]; then
        cat "$out/emulator.log" >&2
        fail "the emulator did not start"
        return 1
    fi
    base_url="http://127.0.0.1:$(cat "$port_file")"
}

# ---- nginx with TLS (the https groups, issue 18) ---------------------------

# One nginx (on CPU 1 in full runs, as the emulator of the latency runs)
# answering every POST /session with a static 201 in the shape the emulator
# gives (Session::decode_created reads it; bench_curl checks "host"), on four
# ports of 127.0.0.1 picked free here:
#   $nginx_http       plain http, kept alive (the side-by-side plain rows)
#   $nginx_https      https, kept alive
#   $nginx_close      https, the connection closed after each answer
#                     (keepalive_requests 1), sessions resumable (cache, tickets)
#   $nginx_close_full https, closed after each answer, nothing resumable (no
#                     session cache, no tickets): every connect a full handshake
# Keep-alive: keepalive_requests 1000000, so one connection carries a run.
# The certificates: an ECDSA P-256 test CA and a server certificate for IP
# 127.0.0.1 it signed, made with the openssl CLI in $tls_dir; the clients
# trust $tls_ca (ca_bundle_path, CURLOPT_CAINFO, verify=).
nginx_pid=
nginx_ok=
tls_dir="$out/tls"
tls_ca="$tls_dir/ca.pem"
stop_nginx() {
    if [ -n "$nginx_pid" ]; then
        kill "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
        nginx_pid=
    fi
}

# wait_port PORT: true once 127.0.0.1:PORT accepts (5 s at most).
wait_port() {
    for _ in $(seq 100); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# start_nginx: starts nginx once (later calls return how that went); false,
# with a failure or a loud skip recorded, when it cannot run.
start_nginx() {
    if [ -n "$nginx_ok" ]; then
        [ "$nginx_ok" = yes ]
        return
    fi
    nginx_ok=no
    require_tool nginx "the https benchmarks (apt: nginx)" || return 1
    require_tool openssl "the https benchmarks' test certificates" || return 1
    rm -rf "$tls_dir"
    mkdir -p "$tls_dir/tmp"
    if ! (
        cd "$tls_dir"
        openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -keyout ca.key -out ca.pem -days 2 -subj "/CN=gameye bench test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
        printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile server.ext -out server.pem
    ) > "$logs/tls-certs.log" 2>&1; then
        cat "$logs/tls-certs.log" >&2
        fail "making the test certificates failed"
        return 1
    fi
    local ports
    # Four free ports: bound together (so they differ), then released.
    ports=$(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
    read -r nginx_http nginx_https nginx_close nginx_close_full <<< "$ports"
    local answer='{"id":"bench-nginx","host":"127.0.0.1","ports":[]}'
    local location="location = /session { default_type application/json; return 201 '$answer'; }"
    cat > "$tls_dir/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $tls_dir/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tls_dir/tmp/body;
    proxy_temp_path $tls_dir/tmp/proxy;
    fastcgi_temp_path $tls_dir/tmp/fastcgi;
    uwsgi_temp_path $tls_dir/tmp/uwsgi;
    scgi_temp_path $tls_dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    ssl_certificate $tls_dir/server.pem;
    ssl_certificate_key $tls_dir/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    server { listen 127.0.0.1:$nginx_http; $location }
    server {
        listen 127.0.0.1:$nginx_https ssl;
        ssl_session_cache shared:bench:1m;
        $location
    }
    server {
        listen 127.0.0.1:$nginx_close ssl;
        keepalive_requests 1;
        ssl_session_cache shared:bench:1m;
        ssl_session_tickets on;
        $location
    }
    server {
        listen 127.0.0.1:$nginx_close_full ssl;
        keepalive_requests 1;
        ssl_session_cache off;
        ssl_session_tickets off;
        $location
    }
}
NGINX
    "${server_pin[@]}" nginx -p "$tls_dir" -e "$tls_dir/error.log" -c "$tls_dir/nginx.conf" \
        > "$logs/nginx.log" 2>&1 &
    nginx_pid=$!
    local port
    for port in $nginx_http $nginx_https $nginx_close $nginx_close_full; do
        if ! wait_port "$port"; then
            cat "$logs/nginx.log" "$tls_dir/error.log" >&2 || true
            fail "nginx did not start (port $port)"
            stop_nginx
            return 1
        fi
    done
    nginx_ok=yes
}

# ---- running one benchmark program --------------------------------------

pin_next=()
# run_pinned NAME CMD...: as run, with the program on CPU 0 (see above).
run_pinned() {
    pin_next=("${client_pin[@]}")
    run "$@"
    local status=$?
    pin_next=()
    return $status
}

# run NAME CMD...: runs one benchmark program, keeps its output in
# target/bench/logs/NAME.*, collects its RESULT and SKIP lines, and records
# a failure when it exits non-zero or reports nothing.
run() {
    local name=$1
    shift
    echo "== $name: $*" >&2
    local start=$SECONDS status=ok
    if "${pin_next[@]}" "$@" > "$logs/$name.out" 2> >(tee "$logs/$name.err" >&2); then
        if ! grep -q '^RESULT \|^SKIP ' "$logs/$name.out"; then
            fail "$name reported no figure"
            status=failed
        fi
    else
        fail "$name exited with status $?"
        status=failed
    fi
    grep '^RESULT ' "$logs/$name.out" | cut -d' ' -f2- >> "$out/raw.txt" || true
    grep '^SKIP ' "$logs/$name.out" | cut -d' ' -f2- >> "$out/skips.txt" || true
    echo "$name $((SECONDS - start)) $status" >> "$out/steps.txt"
}

# ---- build ---------------------------------------------------------------

build_start=$SECONDS
echo "== building ($profile)" >&2
if [ $no_build = 1 ]; then
    for f in "$libdir/libgameye.so" "$libdir/gameye-emulator"; do
        [ -e "$f" ] || { echo "--no-build: $f is missing; run once without it" >&2; exit 2; }
    done
else
    cargo build --quiet "${cargo_profile[@]}" -p gameye-ffi -p gameye-emulator
    # The shared library as it ships (scripts/install.sh): linked with cdylib as
    # gameye-ffi's only crate type, which lets LTO drop what the rlib would
    # export: smaller, and fewer instructions per call (BENCHMARKS.md, size).
    cargo rustc --quiet "${cargo_profile[@]}" -p gameye-ffi --lib --crate-type cdylib
fi

have_cc=0
have_curl=0
if require_tool cc "the C benchmarks"; then
    have_cc=1
    if require_tool curl-config "the libcurl baselines (apt: libcurl4-openssl-dev)"; then
        have_curl=1
    fi
fi
cflags=(-std=c11 -O2 -Wall -Wextra -I "$root/include")
# shellcheck disable=SC2054 # commas belong to -Wl
link_gameye=(-L "$libdir" -Wl,-rpath,"$libdir" -lgameye -lpthread)
if [ $have_cc = 1 ]; then
    for prog in bench_create bench_async; do
        cc "${cflags[@]}" "benches/c/$prog.c" "${link_gameye[@]}" -o "$bin/$prog"
    done
    if [ $have_curl = 1 ]; then
        # shellcheck disable=SC2046
        cc "${cflags[@]}" -DWITH_CURL $(curl-config --cflags) benches/c/bench_first_call.c \
            "${link_gameye[@]}" $(curl-config --libs) -o "$bin/bench_first_call"
    else
        cc "${cflags[@]}" benches/c/bench_first_call.c "${link_gameye[@]}" -o "$bin/bench_first_call"
    fi
    if [ $have_curl = 1 ]; then
        # shellcheck disable=SC2046
        cc "${cflags[@]}" $(curl-config --cflags) benches/c/bench_curl.c $(curl-config --libs) \
            -o "$bin/bench_curl"
        # shellcheck disable=SC2046
        cc "${cflags[@]}" -DWITH_CURL $(curl-config --cflags) benches/c/bench_client_cost.c \
            "${link_gameye[@]}" $(curl-config --libs) -o "$bin/bench_client_cost"
    else
        cc "${cflags[@]}" benches/c/bench_client_cost.c "${link_gameye[@]}" -o "$bin/bench_client_cost"
    fi
fi

venv="$root/target/bench-venv"
have_py=0
if (wants py-seq || wants py-async || wants py-tls) && require_tool python3 "the Python benchmarks"; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
    "$venv/bin/python" -c 'import requests, httpx' 2> /dev/null || "${pip[@]}" requests httpx
    # The wheel is a release build (maturin's default), as users get it.
    if [ $no_build = 0 ] || ! "$venv/bin/python" -c 'import gameye' 2> /dev/null; then
        "${pip[@]}" --force-reinstall --no-deps ./bindings/python
    fi
    have_py=1
fi
echo "build $((SECONDS - build_start)) ok" >> "$out/steps.txt"

# ---- metadata --------------------------------------------------------------

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "command: scripts/bench.sh${args[*]:+ ${args[*]}}"
    echo "mode: $mode"
    echo "profile: $profile (C library and emulator; the Python wheel is always release)"
    echo "build: $([ $no_build = 1 ] && echo 'reused (--no-build)' || echo 'made by this run'), libgameye.so sha256 $(sha256sum "$libdir/libgameye.so" | cut -c1-12)"
    echo "machine: $(nproc) cores, $(uname -sr)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "pinning: ${server_pin[*]:-none} for the servers of the latency runs, ${client_pin[*]:-none} for their programs (BENCH_PIN=${BENCH_PIN:-split})"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
} > "$out/meta.txt"

# ---- 1. C sequential: libgameye vs libcurl ----------------------------------

if wants c-seq && [ $have_cc = 1 ]; then
    start_emulator pinned && run_pinned c-gameye-seq "$bin/bench_create" "$base_url" "$SEQ_N" "$SEQ_WARMUP"
    if [ $have_curl = 1 ]; then
        start_emulator pinned && run_pinned c-curl-seq "$bin/bench_curl" "$base_url" "$SEQ_N" "$SEQ_WARMUP"
    fi
fi

# ---- 2. Python sequential: gameye vs requests vs httpx ----------------------

if wants py-seq && [ $have_py = 1 ]; then
    for lib in gameye requests httpx; do
        start_emulator pinned && run_pinned "py-$lib-seq" "$venv/bin/python" benches/python/bench_sequential.py \
            "$base_url" --n "$PY_N" --warmup "$PY_WARMUP" --libs "$lib"
    done
fi

# ---- 3. Concurrency ---------------------------------------------------------

# On loopback, then with 5 ms of server latency injected by the emulator
# (image bench-rtt), as a network round trip would add: that is where
# concurrency pays, and where sequential calls cost what they cost for real.
if wants c-async && [ $have_cc = 1 ]; then
    start_emulator && run c-async "$bin/bench_async" "$base_url" "$ASYNC_N" "$ASYNC_ROUNDS"
    start_emulator && run c-async-rtt env BENCH_IMAGE=bench-rtt \
        "$bin/bench_async" "$base_url" "$RTT_N" "$RTT_ROUNDS" c.async_rtt
fi
if wants py-async && [ $have_py = 1 ]; then
    start_emulator && run py-async "$venv/bin/python" benches/python/bench_async.py \
        "$base_url" --n "$PY_ASYNC_N" --rounds "$PY_ASYNC_ROUNDS"
    start_emulator && run py-async-rtt env BENCH_IMAGE=bench-rtt "$venv/bin/python" \
        benches/python/bench_async.py "$base_url" --n "$RTT_N" --rounds "$RTT_ROUNDS" --key py.async_rtt
fi

# ---- 4. Cost of a client ------------------------------------------------------

if wants client && [ $have_cc = 1 ]; then
    start_emulator && run client-gameye "$bin/bench_client_cost" gameye "$base_url" "$CLIENT_N"
    if [ $have_curl = 1 ]; then
        run client-curl "$bin/bench_client_cost" curl "$base_url" "$CLIENT_N"
    fi
fi

# ---- 8. https against nginx with TLS, beside plain http (issue 18) -----------

# C sequential creates on one kept-alive connection, libgameye and libcurl,
# over plain http and over https to the same nginx. libgameye's https run
# also checks that no handshake happens after the warm-up (one connection).
if wants c-tls && [ $have_cc = 1 ] && start_nginx; then
    run_pinned c-gameye-nginx env BENCH_KEY=nginx \
        "$bin/bench_create" "http://127.0.0.1:$nginx_http" "$TLS_N" "$TLS_WARMUP"
    if [ $have_curl = 1 ]; then
        run_pinned c-curl-nginx env BENCH_KEY=nginx \
            "$bin/bench_curl" "http://127.0.0.1:$nginx_http" "$TLS_N" "$TLS_WARMUP"
    fi
    run_pinned c-gameye-tls env BENCH_KEY=tls BENCH_CA="$tls_ca" BENCH_EXPECT_HANDSHAKE=none \
        "$bin/bench_create" "https://127.0.0.1:$nginx_https" "$TLS_N" "$TLS_WARMUP"
    if [ $have_curl = 1 ]; then
        run_pinned c-curl-tls env BENCH_KEY=tls BENCH_CA="$tls_ca" \
            "$bin/bench_curl" "https://127.0.0.1:$nginx_https" "$TLS_N" "$TLS_WARMUP"
    fi
fi
# A process's first call (client creation, connect, handshake, one create),
# each run a fresh process; the median of FIRST_RUNS.
if wants c-tls-first && [ $have_cc = 1 ] && start_nginx; then
    run_pinned c-gameye-first env BENCH_CA="$tls_ca" \
        "$bin/bench_first_call" gameye "https://127.0.0.1:$nginx_https" "$FIRST_RUNS"
    run_pinned c-gameye-first-http env BENCH_KEY=first_call_http \
        "$bin/bench_first_call" gameye "http://127.0.0.1:$nginx_http" "$FIRST_RUNS"
    if [ $have_curl = 1 ]; then
        run_pinned c-curl-first env BENCH_CA="$tls_ca" \
            "$bin/bench_first_call" curl "https://127.0.0.1:$nginx_https" "$FIRST_RUNS"
        run_pinned c-curl-first-http env BENCH_KEY=first_call_http \
            "$bin/bench_first_call" curl "http://127.0.0.1:$nginx_http" "$FIRST_RUNS"
    fi
fi
# Reconnects: every create on a new connection (the server closes each after
# its answer, as it closes an idle one), resumed TLS sessions against full
# handshakes (a server that cannot resume). libgameye's runs check which
# handshakes its debug log reports.
if wants c-tls-reconnect && [ $have_cc = 1 ] && start_nginx; then
    reconnect_warmup=$((RECONNECT_N / 10 + 1))
    run_pinned c-gameye-reconnect env BENCH_KEY=reconnect BENCH_CA="$tls_ca" \
        BENCH_EXPECT_HANDSHAKE=resumed \
        "$bin/bench_create" "https://127.0.0.1:$nginx_close" "$RECONNECT_N" "$reconnect_warmup"
    run_pinned c-gameye-reconnect-full env BENCH_KEY=reconnect_full BENCH_CA="$tls_ca" \
        BENCH_EXPECT_HANDSHAKE=full \
        "$bin/bench_create" "https://127.0.0.1:$nginx_close_full" "$RECONNECT_N" "$reconnect_warmup"
    if [ $have_curl = 1 ]; then
        run_pinned c-curl-reconnect env BENCH_KEY=reconnect BENCH_CA="$tls_ca" \
            "$bin/bench_curl" "https://127.0.0.1:$nginx_close" "$RECONNECT_N" "$reconnect_warmup"
        run_pinned c-curl-reconnect-full env BENCH_KEY=reconnect_full BENCH_CA="$tls_ca" \
            "$bin/bench_curl" "https://127.0.0.1:$nginx_close_full" "$RECONNECT_N" "$reconnect_warmup"
    fi
fi
# Python: gameye against requests (and httpx) over https, and gameye and
# requests over plain http to the same nginx; an awaited create against a
# blocking one, both timed in the same process and rounds
# (bench_async.py --with-blocking), over https and plain http.
if wants py-tls && [ $have_py = 1 ] && start_nginx; then
    for lib in gameye requests httpx; do
        run_pinned "py-$lib-tls" "$venv/bin/python" benches/python/bench_sequential.py \
            "https://127.0.0.1:$nginx_https" --n "$PY_TLS_N" --warmup "$PY_TLS_WARMUP" --libs "$lib" \
            --ca "$tls_ca" --key tls
    done
    for lib in gameye requests; do
        run_pinned "py-$lib-nginx" "$venv/bin/python" benches/python/bench_sequential.py \
            "http://127.0.0.1:$nginx_http" --n "$PY_TLS_N" --warmup "$PY_TLS_WARMUP" --libs "$lib" \
            --key nginx
    done
    run_pinned py-async-tls "$venv/bin/python" benches/python/bench_async.py \
        "https://127.0.0.1:$nginx_https" --n "$PY_ASYNC_TLS_N" --rounds "$PY_ASYNC_TLS_ROUNDS" \
        --key py.async_tls --ca "$tls_ca" --with-blocking --sequential-only
    run_pinned py-async-nginx "$venv/bin/python" benches/python/bench_async.py \
        "http://127.0.0.1:$nginx_http" --n "$PY_ASYNC_TLS_N" --rounds "$PY_ASYNC_TLS_ROUNDS" \
        --key py.async_nginx --with-blocking --sequential-only
fi
stop_nginx

# ---- 5. Size --------------------------------------------------------------------

# size_result KEY FILE: the size of FILE in MB (10^6 bytes).
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.4f", b / 1e6 }'; }
if wants size; then
    size_start=$SECONDS
    size_status=ok
    strip -o "$out/libgameye.stripped.so" "$libdir/libgameye.so"
    echo "size.gameye_so $(size_mb "$out/libgameye.stripped.so") MB" >> "$out/raw.txt"
    size -A "$out/libgameye.stripped.so" | awk 'NR > 2 && $2 > 0 { print }' | sort -k2 -n -r \
        | head -8 > "$out/sections.txt"
    # gameye.dll as scripts/dist.sh ships it (linked alone, stripped with
    # --strip-unneeded); a release cross build, so full runs only.
    if [ $mode = full ] && [ "$profile" = release ]; then
        win=x86_64-pc-windows-gnu
        if ! rustup target list --installed 2>/dev/null | grep -qx "$win"; then
            if [ "${CI:-}" = "true" ]; then
                fail "the Rust target $win is required under CI (gameye.dll size)"
            else
                echo "!!!!!!!! SKIPPED: rustup target $win is not installed; gameye.dll size not measured !!!!!!!!" >&2
                skip "gameye.dll size (no rustup target $win)"
            fi
        elif require_tool x86_64-w64-mingw32-strip "gameye.dll size (apt: gcc-mingw-w64-x86-64)"; then
            if cargo rustc --quiet --release --target "$win" -p gameye-ffi --lib --crate-type cdylib \
                && x86_64-w64-mingw32-strip --strip-unneeded -o "$out/gameye.stripped.dll" \
                    "$root/target/$win/release/gameye.dll"; then
                echo "size.gameye_dll $(size_mb "$out/gameye.stripped.dll") MB" >> "$out/raw.txt"
            else
                fail "building or stripping gameye.dll failed"
                size_status=failed
            fi
        fi
    fi
    # The baseline: libcurl with its TLS and HTTP/2 libraries, as Debian ships them.
    curl_stack=0
    for lib in libcurl.so.4 libssl.so.3 libcrypto.so.3 libnghttp2.so.14; do
        path=$( (ldconfig -p 2>/dev/null || true) | awk -v l="$lib" '$1 == l && /x86-64|64bit/ { print $NF; exit }')
        if [ -n "$path" ]; then
            curl_stack=$((curl_stack + $(stat -c %s "$(readlink -f "$path")")))
        else
            curl_stack=0
            break
        fi
    done
    if [ "$curl_stack" -gt 0 ]; then
        awk -v b="$curl_stack" 'BEGIN { printf "size.curl_stack %.4f MB\n", b / 1e6 }' >> "$out/raw.txt"
    else
        skip "size baseline (libcurl, libssl, libcrypto, libnghttp2 not all installed)"
    fi
    if [ $have_cc = 1 ]; then
        cc -std=c11 -O2 -Wl,--gc-sections benches/c/hello_size.c -o "$bin/hello_plain"
        cc -std=c11 -O2 -Wl,--gc-sections -DWITH_GAMEYE -I include benches/c/hello_size.c \
            "$libdir/libgameye.a" -lpthread -ldl -lm -o "$bin/hello_gameye"
        strip "$bin/hello_plain" "$bin/hello_gameye"
        plain=$(stat -c %s "$bin/hello_plain")
        static=$(stat -c %s "$bin/hello_gameye")
        awk -v a="$static" -v b="$plain" 'BEGIN { printf "size.static_added %.4f MB\n", (a - b) / 1e6 }' \
            >> "$out/raw.txt"
        # The statically linked program must work, not only link.
        start_emulator && if ! "$bin/hello_gameye" "$base_url" > "$logs/hello_gameye.out"; then
            fail "the statically linked hello program failed"
            size_status=failed
        fi
    fi
    echo "size $((SECONDS - size_start)) $size_status" >> "$out/steps.txt"

    if [ $mode = full ]; then
        bloat_start=$SECONDS
        if ! command -v cargo-bloat > /dev/null; then
            echo "== installing cargo-bloat from crates.io" >&2
            cargo install --quiet --locked cargo-bloat || true
        fi
        if require_tool cargo-bloat "the cargo bloat listing"; then
            # cargo bloat takes only bin/cdylib crates, and gameye-ffi is also a
            # staticlib and rlib: measure a cdylib shim that re-exports it, in
            # its own workspace (same lock file, the same release profile with
            # its per-package opt-levels) and target dir, so nothing of the
            # main build is touched.
            shim="$out/bloat-shim"
            mkdir -p "$shim/src"
            cat > "$shim/Cargo.toml" <<EOF
[package]
name = "gameye-bloat-shim"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
gameye-ffi = { path = "$root/gameye-ffi" }

$(awk '/^\[/ { keep = ($0 ~ /^\[profile\.release/) } keep' Cargo.toml)

[workspace]
EOF
            echo 'pub use gameye::*;' > "$shim/src/lib.rs"
            cp Cargo.lock "$shim/Cargo.lock"
            if (cd "$shim" && cargo bloat --release --crates -n 15 --target-dir "$out/bloat-target") \
                > "$logs/bloat.out" 2> "$logs/bloat.err"; then
                grep -v '^ *Compiling\|^ *Finished\|^ *Analyzing\|^$\|^Note:' "$logs/bloat.out" > "$out/bloat.txt" || true
            else
                cat "$logs/bloat.err" >&2
                fail "cargo bloat failed"
            fi
        fi
        echo "bloat $((SECONDS - bloat_start)) ok" >> "$out/steps.txt"
    fi
fi

# ---- 6. The emulator under wrk ------------------------------------------------

# wrk_run NAME KEY ARGS...: runs wrk, checks it saw no errors, records
# Requests/sec and the 99% latency.
wrk_run() {
    local name=$1 key=$2
    shift 2
    run_wrk() {
        wrk -t2 -c64 -d"${WRK_SECONDS}s" --latency "$@" > "$logs/$name.txt" || return 1
        cat "$logs/$name.txt" >&2
        if grep -q 'Non-2xx or 3xx responses' "$logs/$name.txt"; then
            echo "wrk saw error responses" >&2
            return 1
        fi
        awk -v key="$key" '
            /Requests\/sec:/ { printf "RESULT wrk.%s.rps %s requests/s\n", key, $2 }
            $1 == "99%" {
                v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
                f = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : (unit == "m") ? v * 60000 : v
                printf "RESULT wrk.%s.p99 %.4f ms\n", key, f
            }' "$logs/$name.txt"
    }
    run "$name" run_wrk "$@"
}
if wants wrk && require_tool wrk "the emulator benchmark under wrk"; then
    start_emulator && wrk_run wrk-post post -s benches/wrk/post-session.lua "$base_url/session"
    start_emulator && wrk_run wrk-floor floor "$base_url/_emulator/sessions/count"
fi
stop_emulator

# ---- 7. Criterion: the core's hot path -------------------------------------------

if wants criterion; then
    crit_profile=()
    [ "$profile" = debug ] && crit_profile=(--profile dev)
    export CRITERION_HOME="$out/criterion-$mode"
    run_criterion() {
        cargo bench --quiet "${crit_profile[@]}" -p gameye-core --bench hot_path -- \
            "${CRITERION_ARGS[@]}" --noplot >&2 || return 1
        for est in "$CRITERION_HOME"/*/*/new/estimates.json; do
            python3 - "$est" <<'EOF'
import json, sys
path = sys.argv[1]
parts = path.split("/")
with open(path) as f:
    median = json.load(f)["median"]["point_estimate"]
print(f"RESULT crit.{parts[-4]}.{parts[-3]} {median:.4f} ns")
EOF
        done
    }
    run criterion run_criterion
fi

# ---- the table ----------------------------------------------------------------------

python3 benches/report.py "$out"
echo
echo "(written to target/bench/results.md, the table at a glance to target/bench/summary.md;"
echo " logs in target/bench/logs/)"
if [ -s "$out/failures.txt" ]; then
    echo "benchmark failures:" >&2
    cat "$out/failures.txt" >&2
    exit 1
fi
