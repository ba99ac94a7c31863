#!/usr/bin/env bash
# Runs every example this machine can run, as scripts/test.sh's "examples"
# section: the C game loop, the whole match (C++ server, Python matchmaker
# and bots), the Rust example, and mypy --strict on the Python example.
# Needs the gameye Python package in target/venv (scripts/test.sh installs
# it; PYTHON=... names another interpreter). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
python="${PYTHON:-$root/target/venv/bin/python}"

# timed NAME COMMAND...: runs one example and says how long it took.
timed() {
    local name=$1 start
    shift
    printf '\n--- %s ---\n' "$name"
    start=$(date +%s)
    "$@"
    echo "--- $name: ok ($(($(date +%s) - start)) s) ---"
}

# One SDK install for the C and C++ examples.
timed "install the SDK into target/examples/prefix" install_sdk
export EXAMPLES_SDK_INSTALLED=1
timed "examples/c: the non-blocking API in a game loop" "$root/examples/c/run.sh"
timed "examples/match: a whole match" "$root/examples/match/run.sh"
timed "examples/rust: cargo run --example place_match" \
    cargo run --quiet -p gameye-core --example place_match
# From the example's folder, so that "from bots import Bot" resolves; the
# cache goes under target/, not into the example.
mypy_match() (
    cd "$root/examples/match"
    "$python" -m mypy --strict --cache-dir "$work/mypy-cache" matchmaker.py bots.py
)
timed "mypy --strict examples/match" mypy_match
