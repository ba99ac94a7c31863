#!/usr/bin/env bash
# Runs every test of the project: formatting and lints, the Rust tests, the
# C tests under valgrind, and the Python tests (in a virtualenv it makes).
# This is the README's test command, and .ci/run calls it.
#
# Outside CI a part whose tool is missing is skipped with a loud notice;
# under CI=true a missing tool is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

results=()
record() { results+=("$1"); }
missing() {
    if [ "${CI:-}" = "true" ]; then
        echo "error: $1 is required under CI" >&2
        exit 1
    fi
    echo "!!!!!!!! SKIPPED: $1 is not installed; $2 did not run !!!!!!!!" >&2
    record "SKIPPED $2 (no $1)"
}
section() { printf '\n===== %s =====\n' "$1"; }

section "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
record "ok fmt + clippy"

section "TLS is rustls only"
if cargo tree --workspace -i openssl-sys > /dev/null 2>&1; then
    echo "openssl-sys is in the dependency tree:" >&2
    cargo tree --workspace -i openssl-sys >&2
    exit 1
fi
echo "cargo tree -i openssl-sys: not in the tree"
record "ok no openssl-sys"

section "Rust tests"
cargo test --workspace --exclude gameye-python
record "ok Rust tests"

section "C tests"
if command -v cc > /dev/null; then
    tests/c/run.sh
    record "ok C tests"
else
    missing "a C compiler (cc)" "the C tests"
fi

section "Python tests"
venv="$root/target/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip maturin pytest pytest-asyncio
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
cargo build --quiet -p gameye-emulator
GAMEYE_EMULATOR_BIN="$root/target/debug/gameye-emulator" "$venv/bin/python" -m pytest -q tests/python
record "ok Python tests"

section "summary"
printf '%s\n' "${results[@]}"
