#!/usr/bin/env bash
# Runs the C tests and the 8 x 500 load test under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang; gcc when clang is missing outside CI),
# each against a fresh emulator. The C programs are instrumented; the Rust
# library is not, but ASan intercepts its allocations, so leaks and memory
# errors across the boundary are caught.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$root"
out="$root/target/sanitize-tests"
mkdir -p "$out"

cc=clang
if ! require_tool clang "the sanitizer runs with clang"; then
    cc=gcc
    echo "(falling back to gcc's sanitizers)"
fi
cargo build --quiet -p gameye-ffi -p gameye-emulator -p gameye-hostile # test_hostile.c's server

flags=(-std=c11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=undefined -I include)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for src in tests/c/test_*.c tests/c/load_creates.c; do
    name=$(basename "$src" .c)
    "$cc" "${flags[@]}" "$src" -L "$GAMEYE_LIB_DIR" -Wl,-rpath,"$GAMEYE_LIB_DIR" \
        -lgameye -lpthread -o "$out/$name"
    start_emulator
    # test_tls.c talks https, to an emulator of its own.
    if [ "$name" = test_tls ]; then start_tls_emulator; fi
    echo "== $name (ASan + UBSan, $cc)"
    "$out/$name" || status=1
done
exit $status
