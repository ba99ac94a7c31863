#!/usr/bin/env bash
# Runs every test of the project: formatting and lints, the Rust tests
# (unit, integration, property, fault matrix), the C tests under valgrind and
# under ASan+UBSan with the load test, loom, the C tests under TSan, the C++
# tests, the Unreal plugin against engine stand-ins, the C# and install
# tests, the Python tests (in a virtualenv it makes), the docs site
# (scripts/docs.sh, tests/docs/run.sh), schemathesis against
# the emulator and the SDK's requests against the spec (tests/contract), the
# examples (examples/run.sh), the cross targets, the release artifacts,
# every benchmark program on a small count, and a bounded fuzz run.
# This is the README's test command, and .ci/run calls it.
#
# Outside CI a part whose tool is missing is skipped with a loud notice;
# under CI=true a missing tool is a failure.
#   FUZZ_SECONDS  seconds per fuzz target (default: 60 under CI, 10 otherwise; 0 skips)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# ---- contract: the emulators of every layer's tests below log each request
# into one file per layer (request_log LAYER); the contract section checks
# the SDK's requests against the spec, layer by layer ----
export SDK_REQUEST_LOGS="$root/target/contract/sdk-requests"
rm -rf "$SDK_REQUEST_LOGS"
mkdir -p "$SDK_REQUEST_LOGS"
# Layers whose tests need not send every operation: the install tests check
# the packaging with one create. Every other layer's tests must send each one.
export SDK_REQUEST_LOGS_PARTIAL="install"
# request_log LAYER: the emulators started from here on log into LAYER's
# file. It is made empty at once, so a layer whose tests sent nothing fails
# the check instead of going unseen.
request_log() {
    export GAMEYE_EMULATOR_LOG_REQUESTS="$SDK_REQUEST_LOGS/$1.jsonl"
    : > "$GAMEYE_EMULATOR_LOG_REQUESTS"
}
# ---- end contract ----

results=()
record() { results+=("$1"); }
# section NAME: a heading with the time since the start, and the previous
# section's length in the summary (where CI's minutes go).
started=$SECONDS
section_name= section_start=$SECONDS
timings=()
section() {
    [ -z "$section_name" ] || timings+=("$(printf '%4ds  %s' $((SECONDS - section_start)) "$section_name")")
    section_name=$1 section_start=$SECONDS
    printf '\n===== %s ===== (at %dm%02ds)\n' "$1" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60))
}

# ---- side by side: long, CPU-bound stages that share nothing with the
# tests (the release artifacts, the docs site) run in the background, niced, while the
# foreground stages mostly wait on valgrind, sockets and timeouts; it is
# awaited where its results are tested. Its output goes to a log, shown
# when it is awaited. Any exit kills what is still running. ----
bg_dir="$root/target/test-background"
rm -rf "$bg_dir"
mkdir -p "$bg_dir"
declare -A bg_pid
# in_background NAME COMMAND...: starts COMMAND (niced) with its output in NAME's log.
in_background() {
    local name=$1
    shift
    echo "(in the background: $name, log $bg_dir/$name.log)"
    setsid nice -n 10 "$@" > "$bg_dir/$name.log" 2>&1 < /dev/null &
    bg_pid[$name]=$!
}
# await NAME: waits for NAME, prints its log, and fails if it failed.
await() {
    local rc=0 t0=$SECONDS
    wait "${bg_pid[$1]}" || rc=$?
    unset "bg_pid[$1]"
    echo "(awaited $1 for $((SECONDS - t0))s; its log follows)"
    cat "$bg_dir/$1.log"
    [ "$rc" = 0 ] || { echo "$1 failed (exit $rc)" >&2; exit "$rc"; }
}
stop_background() {
    local p
    # setsid made each its own process group: kill cargo and all with it.
    for p in "${bg_pid[@]}"; do kill -- "-$p" 2> /dev/null || true; done
}
trap stop_background EXIT
# prune DIR...: under CI only, removes build dirs that no later stage uses
# (a CI machine's disk may be small) and prints the space left. Outside CI
# they stay, as caches for the next run.
prune() {
    [ "${CI:-}" = "true" ] || return 0
    rm -rf "$@"
    df -h "$root" | tail -n 1 | awk '{print "disk: " $4 " free after pruning"}'
}
source tests/lib/tools.sh
# has TOOL PART: require_tool, recording a skip in the summary.
has() {
    require_tool "$1" "$2" && return 0
    record "SKIPPED $2 (no $1)"
    return 1
}

section "binding surface: every core endpoint in C, C++, C# and Python, every config key in every layer"
# The endpoint table api/ENDPOINTS.md: its generated parts (the overview,
# tests/c/endpoints.g.h) are current; the generator's own tests first.
python3 -W error scripts/gen_endpoints_test.py
python3 scripts/gen_endpoints.py --check
python3 tests/surface/check.py
python3 tests/surface/export_names.py
record "ok binding surface"

section "C# interop generated from gameye.h (scripts/gen_csharp.py)"
python3 scripts/gen_csharp.py --check
python3 -W error scripts/gen_csharp_test.py
record "ok C# interop matches gameye.h"

# The release artifacts build from the start, beside every stage below (the
# longest part of the run); their tests run near the end (await dist).
# GAMEYE_DIST_QUICK: the targets whose sizes are not measured build without
# LTO; GAMEYE_DIST_PRUNE: each target's cargo output goes once packed
# (scripts/dist.sh says more).
dist_wanted=0
if has cmake "the release artifacts" && has python3 "the release artifacts"; then
    dist_wanted=1
    # Its own cargo folder: no waiting on the tests' locks (the cross stage
    # builds its targets in target/ as before).
    in_background dist env CARGO_TARGET_DIR="$root/target/dist-build" GAMEYE_DIST_QUICK=1 GAMEYE_DIST_PRUNE=1 scripts/dist.sh
fi

section "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
record "ok fmt + clippy"
# No import circles between modules, no function over 100 lines (the
# checker's own tests first).
python3 -W error scripts/check_imports_test.py
python3 scripts/check_imports.py
record "ok import graph + function lengths"
# Every header function is swept by tests/c/test_every_function.c, and every
# promise it documents has a row in TESTING.md naming its test.
python3 tests/promises/check.py
record "ok every promise of gameye.h mapped to a test"

section "TLS is rustls only"
if cargo tree --workspace -i openssl-sys > /dev/null 2>&1; then
    echo "openssl-sys is in the dependency tree:" >&2
    cargo tree --workspace -i openssl-sys >&2
    exit 1
fi
echo "cargo tree -i openssl-sys: not in the tree"
record "ok no openssl-sys"

section "Rust tests"
request_log rust
cargo test --workspace --exclude gameye-python
record "ok Rust tests"

if has cc "the C tests"; then
    section "C tests (valgrind)"
    request_log c
    tests/c/run.sh
    record "ok C tests"
    section "C tests and load test (ASan + UBSan)"
    request_log c-asan
    tests/sanitize/run.sh
    record "ok sanitizers + load"
    prune "$root/target/sanitize-tests"
fi

# ---- lifetimes (issue 9): loom model checks; the C tests under ThreadSanitizer ----
section "loom model checks (operations, queues, write gate, log streams, eager tasks)"
# Its own target dir: the cfg changes every crate's flags. No preemption
# bound: the full exploration takes a few seconds.
RUSTFLAGS="--cfg gameye_loom" CARGO_TARGET_DIR="$root/target/loom" \
    cargo test -p gameye-ffi -p gameye-core --release --lib loom
record "ok loom model checks"
prune "$root/target/loom"
if has clang "the ThreadSanitizer run"; then
    section "C tests (ThreadSanitizer)"
    request_log c-tsan
    tests/sanitize/tsan.sh
    record "ok C tests under TSan"
    prune "$root/target/tsan-tests"
fi
# ---- end lifetimes ----

if has c++ "the C++ tests"; then
    section "C++ tests"
    request_log cpp
    tests/cpp/run.sh
    record "ok C++ tests"
fi

if has c++ "the Unreal plugin check"; then
    section "Unreal plugin against engine stand-ins (not Unreal itself)"
    tests/unreal/run.sh
    record "ok Unreal plugin (stand-ins, not Unreal)"
fi

if has mono "the C# tests" && has mcs "the C# tests"; then
    section "C# tests (mono)"
    request_log csharp
    tests/csharp/run.sh
    record "ok C# tests"
fi

if has cmake "the install tests" && has pkg-config "the install tests"; then
    section "install tree (pkg-config, CMake)"
    request_log install
    tests/install/run.sh
    record "ok install tests"
fi

section "Python tests"
# The stub is generated from the Rust sources: it must be what they give.
python3 scripts/gen_pyi.py --check
python3 -W error scripts/gen_pyi_test.py
request_log python
venv="$root/target/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip maturin pytest pytest-asyncio mypy
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
# gameye-hostile: tests/python/test_hostile.py finds it beside the emulator.
cargo build --quiet -p gameye-emulator -p gameye-hostile
GAMEYE_EMULATOR_BIN="$root/target/debug/gameye-emulator" "$venv/bin/python" -m pytest -q tests/python
record "ok Python tests"

# ---- docs site (scripts/docs.sh, tests/docs/run.sh) ----
# Built with warnings as errors (mkdocs --strict, Doxygen, rustdoc -D
# warnings), every internal link checked, then opened in headless Chromium
# (pages render, search, a screenshot: target/site-artifacts/quickstart.png).
# It runs in the background beside the stages below; awaited before the
# benchmarks.
docs_wanted=0
if has doxygen "the docs site" && has mcs "the docs site"; then
    docs_wanted=1
    in_background docs bash -c 'scripts/docs.sh && tests/docs/run.sh'
fi
# ---- end docs site ----

# ---- contract: schemathesis against the emulator (tests/contract) ----
section "contract: schemathesis against the emulator, every phase"
if [ -f "$root/../shared/spec/gameye-session-api.yaml" ] || [ "${CI:-}" = "true" ]; then
    tests/contract/run.sh
    record "ok schemathesis contract run + the SDK's requests against the spec"
else
    tests/contract/run.sh # says SKIPPED loudly
    record "SKIPPED schemathesis contract run (no ../shared/spec beside the checkout)"
fi
# Benchmarks and fuzzing need no request log (and wrk would fill it).
unset GAMEYE_EMULATOR_LOG_REQUESTS SDK_REQUEST_LOGS SDK_REQUEST_LOGS_PARTIAL
# ---- end contract ----

# ---- examples (examples/run.sh): a whole match (C++ server, Python
# matchmaker and bots), the C game loop, the Rust example, mypy --strict on
# the Python; uses target/venv from the Python tests ----
section "examples: a whole match, the C game loop, Rust, mypy --strict"
examples/run.sh
record "ok examples"
prune "$root/target/examples"
# ---- end examples ----
# ---- cross targets (tests/cross/run.sh) ----
# Windows x64 under Wine and Linux arm64 under qemu-user: the C tests, the
# CLI, and the emulator's session processes on Windows. The runner applies
# the missing-tool rule per target (mingw/wine, aarch64 gcc/qemu, rustup
# targets).
section "cross targets (Windows x64 under Wine, Linux arm64 under qemu)"
tests/cross/run.sh
record "ok cross targets (see its output for any SKIPPED target)"
# ---- end cross targets ----

if [ "$docs_wanted" = 1 ]; then
    section "docs site: build (warnings as errors), links, coverage, headless Chromium (built in the background)"
    await docs
    record "ok docs site (screenshot: target/site-artifacts/quickstart.png)"
    prune "$root/target/docs-stage" "$root/target/docs-csharp"
fi

section "benchmarks (smoke: each program on a small count)"
scripts/bench.sh --smoke
# BENCHMARKS.md opens with the table the run above printed last
# (target/bench/summary.md): the same rows, anchors, targets and commands
# (benches/report.py GLANCE).
python3 benches/report.py --check BENCHMARKS.md target/bench/summary.md
record "ok benchmark smoke"

fuzz_seconds=${FUZZ_SECONDS:-$([ "${CI:-}" = "true" ] && echo 60 || echo 10)}
if [ "$fuzz_seconds" != 0 ]; then
    section "fuzzing (${fuzz_seconds}s per target)"
    scripts/fuzz.sh "$fuzz_seconds"
    record "ok fuzzing ${fuzz_seconds}s per target"
fi

# The release artifacts last: their background build is the run's longest
# part, so everything else runs before it is awaited.
# --- release artifacts (scripts/dist.sh, tests/dist/run.sh) ------------------
if [ "$dist_wanted" = 1 ]; then
    section "release artifacts: scripts/dist.sh (built in the background), then tests/dist/run.sh"
    await dist
    tests/dist/run.sh
    record "ok release artifacts (dist/) and their tests"
    prune "$root/target/dist-build" "$root/target/dist-work" "$root/target/dist-test" "$root/dist"
fi
# -----------------------------------------------------------------------------

section "summary"
printf '%s\n' "${results[@]}"
echo
echo "seconds per section (total $((SECONDS - started))s):"
printf '%s\n' "${timings[@]}"
