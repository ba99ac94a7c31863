#!/usr/bin/env bash
# Runs the C tests under ThreadSanitizer (clang -fsanitize=thread on the C
# side), each against a fresh emulator. The Rust library is not instrumented:
# TSan sees the C programs' memory accesses and every pthread call, but not
# the accesses and futex-based locks inside libgameye. Where a C callback's
# data is handed between threads only through the library's own locks (an
# operation completing on an I/O thread, then waited on), TSan cannot see
# that ordering; tests/sanitize/tsan.supp names those cases, narrowly. The
# Rust side's state machines are model-checked with loom instead
# (gameye-ffi/src/loom_tests.rs, gameye-core/src/log_follower/loom_tests.rs).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$root"
out="$root/target/tsan-tests"
# The tests save downloads under target/c-tests.
mkdir -p "$out" "$root/target/c-tests"

require_tool clang "the ThreadSanitizer run" || exit 0
cargo build --quiet -p gameye-ffi -p gameye-emulator -p gameye-hostile # test_hostile.c's server

flags=(-std=c11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer -fsanitize=thread -I include)
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$root/tests/sanitize/tsan.supp"
# Timing bounds in the tests are 10x wider: TSan slows the C side.
export GAMEYE_TEST_SLOW=1
status=0
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    clang "${flags[@]}" "$src" -L "$GAMEYE_LIB_DIR" -Wl,-rpath,"$GAMEYE_LIB_DIR" \
        -lgameye -lpthread -o "$out/$name"
    start_emulator
    # test_tls.c talks https, to an emulator of its own.
    if [ "$name" = test_tls ]; then start_tls_emulator; fi
    echo "== $name (TSan, clang)"
    "$out/$name" || status=1
done
exit $status
