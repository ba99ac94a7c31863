#!/usr/bin/env bash
# Bounded coverage-guided fuzzing of every fuzz target with cargo fuzz
# (libFuzzer): SECONDS per target (default 60). Seeds live in fuzz/seeds;
# the growing corpus in fuzz/corpus (not committed). A crash fails the run
# and leaves its input in fuzz/artifacts: add it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
# cargo fuzz needs nightly flags; stable accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version > /dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
for target in $(cargo fuzz list); do
    mkdir -p "fuzz/corpus/$target"
    echo "== fuzzing $target for ${seconds}s"
    cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 2>&1 \
        | tee "target/fuzz-$target.log" | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|panicked|ERROR|SUMMARY" || true
    # tee hides cargo fuzz's exit status: a crash leaves an artifact.
    if grep -qE "ERROR: libFuzzer|panicked at|SUMMARY: .*Sanitizer" "target/fuzz-$target.log"; then
        echo "fuzz target $target crashed; see target/fuzz-$target.log and fuzz/artifacts/$target" >&2
        exit 1
    fi
done
