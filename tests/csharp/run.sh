#!/usr/bin/env bash
# Checks that the generated interop (scripts/gen_csharp.py) matches
# include/gameye.h, then builds libgameye, the C# binding (bindings/csharp)
# and tests/csharp/Tests.cs with mono's mcs, starts the emulator on an ephemeral loopback port (and a
# second one serving https with a test CA, for the https test), and runs the
# tests with mono against the real libgameye.so. Skipped (loudly) when mcs
# or mono is missing, unless CI=true.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
require_tool mcs "the C# tests" || exit 0
require_tool mono "the C# tests" || exit 0
cd "$root"
# Stale generated files would make every result below misleading.
python3 scripts/gen_csharp.py --check
out="$root/target/csharp-tests"
mkdir -p "$out"

cargo build --quiet -p gameye-ffi -p gameye-emulator

runtime=(bindings/csharp/Runtime/*.cs bindings/csharp/Runtime/Generated/*.cs)
mcs -nologo -warnaserror+ -target:library -out:"$out/GameyeSdk.dll" "${runtime[@]}"
mcs -nologo -warnaserror+ -r:"$out/GameyeSdk.dll" -out:"$out/Tests.exe" tests/csharp/Tests.cs tests/csharp/Sweep.cs
# The binding as Unity compiles it for an iOS player (UnityEngine stubbed):
# the Unity-only code must compile, and the tests check its "__Internal" imports.
mcs -nologo -warnaserror+ -target:library -define:UNITY_5_3_OR_NEWER -define:UNITY_IOS \
    -out:"$out/GameyeSdk.UnityIos.dll" "${runtime[@]}" tests/csharp/UnityStubs.cs
export GAMEYE_UNITY_IOS_DLL="$out/GameyeSdk.UnityIos.dll"

# The struct layout as this platform's C compiler sees it, checked by the tests
# (layout.g.c is generated from the header with NativeTypes.g.cs).
cc=${CC:-cc}
if require_tool "$cc" "the C# struct layout check"; then
    "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -I include tests/csharp/layout.g.c -o "$out/layout"
    "$out/layout" > "$out/layout.txt"
    export GAMEYE_LAYOUT_FILE="$out/layout.txt"
    # Every enum constant of the header, for the C# constants check.
    tests/csharp/constants.sh include/gameye.h > "$out/constants.c"
    "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -I include "$out/constants.c" -o "$out/constants"
    "$out/constants" > "$out/constants.txt"
    export GAMEYE_CONSTANTS_FILE="$out/constants.txt"
fi
export GAMEYE_HEADER="$root/include/gameye.h"
# The endpoint table's sweep (tests/csharp/Sweep.cs), one row per endpoint.
python3 scripts/gen_endpoints.py --tsv > "$out/sweep.tsv"
export GAMEYE_SWEEP_FILE="$out/sweep.tsv"
export GAMEYE_TEST_OUT="$out"

start_emulator
start_tls_emulator

# DllImport("gameye") finds libgameye.so through LD_LIBRARY_PATH.
LD_LIBRARY_PATH="$GAMEYE_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    timeout 600 mono --debug "$out/Tests.exe"

# Placing sessions near players: its own program (tests/csharp/PlacementTests.cs).
mcs -nologo -warnaserror+ -r:"$out/GameyeSdk.dll" -out:"$out/PlacementTests.exe" tests/csharp/PlacementTests.cs
start_emulator
LD_LIBRARY_PATH="$GAMEYE_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    timeout 600 mono --debug "$out/PlacementTests.exe"
