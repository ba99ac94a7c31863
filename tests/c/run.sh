#!/usr/bin/env bash
# Builds libgameye and the C tests, starts the emulator on an ephemeral
# loopback port, and runs each C test program against it under valgrind
# (test_tls.c against an https emulator, start_tls_emulator).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$root"
out="$root/target/c-tests"
mkdir -p "$out"

# gameye-hostile: test_hostile.c starts it (issue 17's hostile server).
cargo build --quiet -p gameye-ffi -p gameye-emulator -p gameye-hostile

cc=${CC:-cc}
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -g -I include "$src" \
        -L "$GAMEYE_LIB_DIR" -Wl,-rpath,"$GAMEYE_LIB_DIR" -lgameye -lpthread -o "$out/$name"
done

# Timing bounds in the tests (such as "a freed stream wakes its reader within
# 100 ms") are 10x wider under valgrind, which slows the library that much.
if [ ${#memcheck[@]} -gt 0 ]; then export GAMEYE_TEST_SLOW=1; fi

status=0
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    # Each program gets a fresh emulator: some arm and clear faults.
    start_emulator
    # test_tls.c talks https, to an emulator of its own.
    if [ "$name" = test_tls ]; then start_tls_emulator; fi
    echo "== $name${memcheck:+ (under valgrind)}"
    "${memcheck[@]}" "$out/$name" || status=1
done
exit $status
