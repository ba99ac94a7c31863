#!/usr/bin/env bash
# Runs schemathesis (PyPI, version 4) against the emulator with Gameye's spec
# (../shared/spec/gameye-session-api.yaml beside the checkout) plus our overlay
# (overlay.py), in every phase: examples, coverage, fuzzing, stateful. Any
# failure or warning fails the run (schemathesis.toml).
#
# Then, when SDK_REQUEST_LOGS names a folder of request logs (the test
# command gives each layer's tests its own, LAYER.jsonl), checks every request
# the SDK sent in those tests against the spec, layer by layer
# (validate_requests.py).
#
# The spec sits outside the repository: without it (a user's clone) this is
# skipped loudly; under CI=true it must be there.
#   CONTRACT_MAX_EXAMPLES  cases per operation and phase (default: the config's 60)
#   CONTRACT_SEED          schemathesis seed (default: a random one, printed)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
here=tests/contract
spec="${GAMEYE_SPEC:-$root/../shared/spec/gameye-session-api.yaml}"
if [ ! -f "$spec" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "error: the spec $spec is required under CI (schemathesis contract run)" >&2
        exit 1
    fi
    echo "!!!!!!!! SKIPPED: no spec at $spec; the schemathesis contract run did not run !!!!!!!!" >&2
    exit 0
fi

out="$root/target/contract"
mkdir -p "$out"
venv="$root/target/contract-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
cargo build --quiet -p gameye-emulator

"$venv/bin/python" "$here/overlay.py" "$spec" "$out/spec.json"

rm -f "$out/port"
# Not into the SDK's request log: these requests are schemathesis's.
env -u GAMEYE_EMULATOR_LOG_REQUESTS "$root/target/debug/gameye-emulator" --port 0 --port-file "$out/port" \
    --config "$here/emulator.json" > "$out/emulator.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    [ -s "$out/port" ] && break
    sleep 0.1
done
if [ ! -s "$out/port" ]; then
    echo "emulator did not start:" >&2
    cat "$out/emulator.log" >&2
    exit 1
fi
url="http://127.0.0.1:$(cat "$out/port")"
"$venv/bin/python" "$here/seed.py" "$url" gameye-emulator-token 24

# run_schemathesis PHASES LOG [ARGS...]: one schemathesis run, its output
# also in LOG. schemathesis exits non-zero on any failure, error or (by the
# config) warning, and so does this.
run_schemathesis() {
    local phases=$1 log=$2
    shift 2
    local args=(--config-file "$here/schemathesis.toml" run "$out/spec.json" --url "$url"
                --phases "$phases" --report junit --report-dir "$out/report" --request-timeout 10 "$@")
    [ -n "${CONTRACT_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$CONTRACT_MAX_EXAMPLES")
    "$venv/bin/schemathesis" "${args[@]}" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    if [ "$status" != 0 ]; then
        echo "schemathesis failed (exit $status); the log: $log" >&2
        exit "$status"
    fi
}
# all_links_covered LOG: the stateful phase followed every link of the overlay.
all_links_covered() {
    local line covered selected
    line=$(grep -oE 'API Links: +[0-9]+ covered / [0-9]+ selected' "$1") || return 1
    read -r covered selected < <(sed -E 's/[^0-9]+/ /g' <<< "$line")
    [ "$covered" = "$selected" ]
}

seed=()
[ -n "${CONTRACT_SEED:-}" ] && seed=(--seed "$CONTRACT_SEED")
run_schemathesis examples,coverage,fuzzing,stateful "$out/schemathesis.log" "${seed[@]}"
# Which links a stateful scenario follows is random; a run that missed one
# is run once more with a fresh seed (every phase: a stateful-only run
# replays a few cached scenarios and stops), and that run must cover them all.
if ! all_links_covered "$out/schemathesis.log"; then
    echo "== the stateful phase left links unfollowed; one more run"
    run_schemathesis examples,coverage,fuzzing,stateful "$out/schemathesis-again.log"
    if ! all_links_covered "$out/schemathesis-again.log"; then
        echo "the stateful phase left links unfollowed in both runs" >&2
        exit 1
    fi
fi
# The summary's last line, for the record (TESTING.md).
grep -E '^=+ .* in [0-9.]+s =+$' "$out/schemathesis.log" | tail -1

if [ -n "${SDK_REQUEST_LOGS:-}" ]; then
    echo "== the SDK's requests in every layer's tests so far, against the spec"
    "$venv/bin/python" "$here/validate_requests.py" --partial "${SDK_REQUEST_LOGS_PARTIAL:-}" \
        "$spec" "$SDK_REQUEST_LOGS"/*.jsonl
fi
