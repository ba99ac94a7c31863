# Cross-target plumbing shared by tests/cross/run.sh and scripts/dist.sh;
# source it (bash). It runs Windows x64 programs under Wine and Linux arm64
# programs under qemu-user, on this Linux x86_64 machine.
#
# Gives:
#   $cross_root                      the repository root
#   $CROSS_WINDOWS_TARGET, $CROSS_WINDOWS_CC   x86_64-pc-windows-gnu, its mingw gcc
#   $CROSS_ARM64_TARGET, $CROSS_ARM64_CC       aarch64-unknown-linux-gnu, its gcc
#   $CROSS_ARM64_SYSROOT             the arm64 libc that qemu-aarch64 loads (-L)
#   cross_require_windows PART / cross_require_arm64 PART
#                                    0 when every tool for that target is here;
#                                    else the missing-tool rule (tests/lib/tools.sh):
#                                    a failure under CI=true, a loud skip otherwise
#   cross_setup_wine                 a private Wine prefix under target/cross/ with
#                                    the test-only ProcessPrng shim installed
#   cross_wine_run EXE ARGS...       runs EXE under that Wine; its exit status
#   cross_wine_stop                  ends that prefix's wineserver
#   cross_qemu_arm64_run EXE ARGS... runs an arm64 Linux EXE under qemu-user
#
# Linkers: .cargo/config.toml names them for cargo; the same names are
# exported here as CARGO_TARGET_*_LINKER so a script works from any directory.

cross_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$cross_root/tests/lib/tools.sh"

export CROSS_WINDOWS_TARGET=x86_64-pc-windows-gnu
export CROSS_WINDOWS_CC=x86_64-w64-mingw32-gcc
export CROSS_ARM64_TARGET=aarch64-unknown-linux-gnu
export CROSS_ARM64_CC=aarch64-linux-gnu-gcc
export CROSS_ARM64_SYSROOT=/usr/aarch64-linux-gnu
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=$CROSS_WINDOWS_CC
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=$CROSS_ARM64_CC

# cross_rust_target TRIPLE PART: the missing-tool rule for a rustup target
# (`rustup target add TRIPLE`).
cross_rust_target() {
    local sysroot
    sysroot=$(rustc --print sysroot)
    if [ -d "$sysroot/lib/rustlib/$1/lib" ]; then
        return 0
    fi
    if [ "${CI:-}" = "true" ]; then
        echo "error: the Rust target $1 is required under CI ($2); rustup target add $1" >&2
        exit 1
    fi
    echo "!!!!!!!! SKIPPED: the Rust target $1 is not installed; $2 did not run !!!!!!!!" >&2
    return 1
}

cross_require_windows() {
    require_tool "$CROSS_WINDOWS_CC" "$1" && require_tool wine "$1" &&
        require_tool wineserver "$1" && cross_rust_target "$CROSS_WINDOWS_TARGET" "$1"
}

cross_require_arm64() {
    require_tool "$CROSS_ARM64_CC" "$1" && require_tool qemu-aarch64 "$1" &&
        cross_rust_target "$CROSS_ARM64_TARGET" "$1" || return 1
    if [ ! -e "$CROSS_ARM64_SYSROOT/lib/ld-linux-aarch64.so.1" ]; then
        if [ "${CI:-}" = "true" ]; then
            echo "error: $CROSS_ARM64_SYSROOT has no arm64 libc (libc6-dev-arm64-cross) ($1)" >&2
            exit 1
        fi
        echo "!!!!!!!! SKIPPED: no arm64 libc in $CROSS_ARM64_SYSROOT; $1 did not run !!!!!!!!" >&2
        return 1
    fi
}

# Quiet, non-interactive Wine in a prefix of our own: no debug channels, no
# Gecko/Mono install prompts, no X display needed (console programs only).
export WINEPREFIX="$cross_root/target/cross/wineprefix"
export WINEDEBUG=-all
export WINEARCH=win64
export WINEDLLOVERRIDES="mscoree=;mshtml=;winemenubuilder.exe="
unset DISPLAY

cross_setup_wine() {
    local shim_dir="$cross_root/target/cross/prng_shim"
    local shim="$shim_dir/bcryptprimitives.dll"
    local src="$cross_root/tests/cross/prng_shim"
    mkdir -p "$shim_dir"
    if [ ! -e "$shim" ] || [ "$src/prng.c" -nt "$shim" ] || [ "$src/bcryptprimitives.def" -nt "$shim" ]; then
        "$CROSS_WINDOWS_CC" -shared -O2 -Wall -Wextra -Werror -o "$shim" \
            "$src/prng.c" "$src/bcryptprimitives.def" -lbcrypt
    fi
    if [ ! -e "$WINEPREFIX/system.reg" ]; then
        mkdir -p "$WINEPREFIX"
        wineboot --init > "$cross_root/target/cross/wineboot.log" 2>&1
        wineserver -w
    fi
    # Wine 8 has no bcryptprimitives.dll at all, so a native one in system32
    # is found without any override.
    cp "$shim" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
}

# Runs a Windows program; Wine passes the environment (GAMEYE_TEST_BASE_URL)
# through and returns the program's exit status.
cross_wine_run() {
    wine "$@"
}

cross_wine_stop() {
    wineserver -k 2> /dev/null || true
}

# Runs an arm64 Linux program with the arm64 libc as its root for libraries.
cross_qemu_arm64_run() {
    qemu-aarch64 -L "$CROSS_ARM64_SYSROOT" "$@"
}
