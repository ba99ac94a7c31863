#!/usr/bin/env bash
# Compiles the Unreal plugin's C++ (bindings/unreal/Source/Gameye) against
# hand-written stand-ins of the Unreal headers it uses (tests/unreal/standins;
# no engine is installed here), then runs its "Ping Gameye Locations" node
# against the real libgameye. What this proves and what it does not: see the
# top of standins/CoreMinimal.h.
#
#   1. every Private/*.cpp, -fsyntax-only, C++20, no exceptions, no RTTI (as
#      UnrealBuildTool builds modules), with GAMEYE_SUPPORTED=1 and =0
#      (Gameye.Build.cs sets it), with ${CXX:-c++} and with clang++;
#   2. all of them as one unity translation unit (UBT's default), for each
#      platform branch of GAMEYE_SUPPORTED=1 (Linux, LinuxArm64, Win64, Mac,
#      Android) and for GAMEYE_SUPPORTED=0;
#   3. canaries.cpp: mistakes the stand-ins must reject do not compile;
#   4. the whole module, GAMEYE_SUPPORTED=0, links into ping_action_driver
#      without libgameye (as on a platform the plugin has no library for), and
#      its ping node reports NOT_SUPPORTED;
#   5. the whole module, GAMEYE_SUPPORTED=1, links into ping_action_driver with
#      libgameye, which runs the ping node (under valgrind when there),
#      pinging loopback.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$root"
out="$root/target/unreal-tests"
mkdir -p "$out"

cargo build --quiet -p gameye-ffi

plugin=bindings/unreal/Source/Gameye
sources=("$plugin"/Private/*.cpp)
# GAMEYE_API is what UBT defines for the module (its export macro).
flags=(-std=c++20 -Wall -Wextra -Werror -fno-exceptions -fno-rtti -DGAMEYE_API=
       -I tests/unreal/standins -I "$plugin/Public" -I include -I bindings/cpp/include)

compilers=("${CXX:-c++}")
if [ "$(basename "${CXX:-c++}")" != clang++ ] && command -v clang++ > /dev/null; then
    compilers+=(clang++)
fi

passed=0
failed=0
# check NAME COMMAND...: runs it, counts it, shows its output only on failure.
check() {
    local name=$1 log
    shift
    log=$(mktemp "$out/check.XXXXXX")
    if "$@" > "$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok: $name"
    else
        failed=$((failed + 1))
        echo "FAILED: $name" >&2
        sed 's/^/    /' "$log" >&2
    fi
    rm -f "$log"
}

# fails_to_compile COMPILER ARGS...: the canaries must be refused.
fails_to_compile() {
    ! "$@"
}

# Platform branches as UBT's defines for each target.
declare -A platforms=(
    [Linux]="-DPLATFORM_LINUX=1"
    [LinuxArm64]="-DPLATFORM_LINUX=1 -DPLATFORM_CPU_ARM_FAMILY=1"
    [Win64]="-DPLATFORM_WINDOWS=1"
    [Mac]="-DPLATFORM_MAC=1"
    [Android]="-DPLATFORM_ANDROID=1"
)

# UBT's unity file: one .cpp that includes every source of the module.
unity="$out/Module.Gameye.cpp"
: > "$unity"
for src in "${sources[@]}"; do
    echo "#include \"$root/$src\"" >> "$unity"
done

for cxx in "${compilers[@]}"; do
    name=$(basename "$cxx")
    for supported in 1 0; do
        for src in "${sources[@]}"; do
            check "$name: $(basename "$src"), GAMEYE_SUPPORTED=$supported" \
                "$cxx" "${flags[@]}" -DGAMEYE_SUPPORTED="$supported" -DPLATFORM_LINUX=1 -fsyntax-only "$src"
        done
    done
    # Only GameyeModule.cpp branches on the platform, and only when supported.
    for platform in Linux LinuxArm64 Win64 Mac Android; do
        # shellcheck disable=SC2086  # the defines are words
        check "$name: unity build, $platform, GAMEYE_SUPPORTED=1" \
            "$cxx" "${flags[@]}" -DGAMEYE_SUPPORTED=1 ${platforms[$platform]} -fsyntax-only "$unity"
    done
    check "$name: unity build, Mac, GAMEYE_SUPPORTED=0" \
        "$cxx" "${flags[@]}" -DGAMEYE_SUPPORTED=0 -DPLATFORM_MAC=1 -fsyntax-only "$unity"
    check "$name: canaries.cpp compiles as it is" \
        "$cxx" "${flags[@]}" -DGAMEYE_SUPPORTED=1 -DPLATFORM_LINUX=1 -DCANARY=0 -fsyntax-only tests/unreal/canaries.cpp
    for canary in 1 2 3 4 5; do
        check "$name: canary $canary is refused" fails_to_compile \
            "$cxx" "${flags[@]}" -DGAMEYE_SUPPORTED=1 -DPLATFORM_LINUX=1 -DCANARY="$canary" -fsyntax-only \
            tests/unreal/canaries.cpp
    done
done

run=()
if [ ${#memcheck[@]} -gt 0 ]; then
    # Exit 99 tells a memory error from a failed check (exit 1).
    run=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
fi
# run_driver NAME PROGRAM: runs it under valgrind (when there), counted.
run_driver() {
    echo "== $1${run:+ (under valgrind)}"
    local status=0
    "${run[@]}" "$2" || status=$?
    if [ "$status" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok: $1"
    else
        failed=$((failed + 1))
        echo "FAILED: $1 (exit $status)" >&2
    fi
}

# The whole module with the stand-ins' definitions and the driver. Without a
# library for the platform it links without libgameye: every libgameye
# function it names must be one GameyeUnsupported.cpp stubs.
module=("${sources[@]}" tests/unreal/standins/StandIns.cpp tests/unreal/ping_action_driver.cpp)
unsupported="$out/ping_action_driver_unsupported"
rm -f "$unsupported"
check "GAMEYE_SUPPORTED=0: the module links without libgameye" \
    "${compilers[0]}" "${flags[@]}" -g -DGAMEYE_SUPPORTED=0 -DPLATFORM_LINUX=1 "${module[@]}" -ldl -o "$unsupported"
if [ -x "$unsupported" ]; then
    run_driver "ping_action_driver, GAMEYE_SUPPORTED=0" "$unsupported"
fi

driver="$out/ping_action_driver"
rm -f "$driver"
check "GAMEYE_SUPPORTED=1: the module links with libgameye" \
    "${compilers[0]}" "${flags[@]}" -g -DGAMEYE_SUPPORTED=1 -DPLATFORM_LINUX=1 "${module[@]}" \
    -L "$GAMEYE_LIB_DIR" -Wl,-rpath,"$GAMEYE_LIB_DIR" -lgameye -lpthread -ldl -o "$driver"
if [ -x "$driver" ]; then
    run_driver "ping_action_driver, GAMEYE_SUPPORTED=1" "$driver"
fi

echo "tests/unreal: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
