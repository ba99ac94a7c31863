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

args=(--config-file "$here/schemathesis.toml" run "$out/spec.json" --url "$url"
      --phases examples,coverage,fuzzing,stateful --report junit
      --report-dir "$out/report" --request-timeout 10)
[ -n "${CONTRACT_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$CONTRACT_MAX_EXAMPLES")
[ -n "${CONTRACT_SEED:-}" ] && args+=(--seed "$CONTRACT_SEED")
# schemathesis exits non-zero on any failure, error or (by the config) warning.
"$venv/bin/schemathesis" "${args[@]}" 2>&1 | tee "$out/schemathesis.log"
status=${PIPESTATUS[0]}
if [ "$status" != 0 ]; then
    echo "schemathesis failed (exit $status); the log: $out/schemathesis.log" >&2
    exit "$status"
fi
# The summary's last line, for the record (TESTING.md).
grep -E '^=+ .* in [0-9.]+s =+$' "$out/schemathesis.log" | tail -1

if [ -n "${SDK_REQUEST_LOGS:-}" ]; then
    echo "== the SDK's requests in every layer's tests so far, against the spec"
    "$venv/bin/python" "$here/validate_requests.py" --partial "${SDK_REQUEST_LOGS_PARTIAL:-}" \
        "$spec" "$SDK_REQUEST_LOGS"/*.jsonl
fi
