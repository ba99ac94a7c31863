#!/usr/bin/env bash
# Interleaved A/B of benchmark 1 (C sequential creates): each round runs
# every variant once, each against a fresh emulator pinned to CPU 1 with the
# program on CPU 0 (as scripts/bench.sh pins them), so that load from other
# jobs on the machine hits every variant alike. Prints one line per run and
# then, per variant, the median of the run medians and the median of the
# per-round ratios to libcurl, with their ranges.
#
#   benches/c/ab.sh ROUNDS N VARIANT...
#
# VARIANT: `curl` (benches/c/bench_curl.c), or a directory holding a
# libgameye.so to load into benches/c/bench_create.c. Uses the programs and
# the emulator of a release `scripts/bench.sh` run (target/bench/bin-release,
# target/release/gameye-emulator); N creates after N/10 warm-up. The process
# columns are /usr/bin/time's wall, user and system seconds of the whole
# benchmark process.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 3 ] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
rounds=$1 n=$2
shift 2
bin="$root/target/bench/bin-release"
emulator="$root/target/release/gameye-emulator"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BENCH_IMAGE=bench
for r in $(seq "$rounds"); do
    for v in "$@"; do
        taskset -c 1 "$emulator" --port 0 --port-file "$work/port" \
            --config "$root/benches/emulator-bench.json" > /dev/null 2>&1 &
        emu=$!
        for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
        url="http://127.0.0.1:$(cat "$work/port")"
        if [ "$v" = curl ]; then
            cmd=("$bin/bench_curl" "$url" "$n" $((n / 10)))
        else
            cmd=(env LD_LIBRARY_PATH="$v" "$bin/bench_create" "$url" "$n" $((n / 10)))
        fi
        out=$(/usr/bin/time -f "TIME %e %U %S" taskset -c 0 "${cmd[@]}" 2>&1)
        kill "$emu"; wait "$emu" 2> /dev/null || true
        rm -f "$work/port"
        median=$(awk '/^RESULT c\..*\.seq\.median / { print $3 }' <<< "$out")
        echo "$r $v $median $(awk '/^TIME/ { print $2, $3, $4 }' <<< "$out")"
    done
done | tee "$work/runs"
python3 - "$work/runs" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, v, median, wall, user, system = line.split()
    runs[r][v] = (float(median), float(user) + float(system))
names = list(dict.fromkeys(v for rnd in runs.values() for v in rnd))
print("variant: median us (range); ratio to curl (range); process cpu s")
for v in names:
    meds = [rnd[v][0] for rnd in runs.values()]
    cpu = [rnd[v][1] for rnd in runs.values()]
    ratios = [rnd[v][0] / rnd["curl"][0] for rnd in runs.values() if "curl" in rnd]
    line = f"{v}: {statistics.median(meds):.1f} ({min(meds):.1f}-{max(meds):.1f})"
    if ratios:
        line += f"; {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
    print(line + f"; {statistics.median(cpu):.2f}")
PY
