# Sourced by tests/dist/run.sh (its check, extract, run_ok, $dist, $work,
# $version, the emulator at $GAMEYE_TEST_BASE_URL): the musl artifacts
# (x86_64- and aarch64-unknown-linux-musl), for Alpine and other musl
# distributions.
#
#   - the CLI is a static program (no program interpreter, no NEEDED
#     library: runs on any Linux) and creates a session on the emulator,
#     the arm64 one under qemu-aarch64;
#   - the C SDK: the README's program (tests/install/app.c) linked with
#     musl-gcc (Debian musl-tools) against libgameye.a, statically, and
#     against libgameye.so, runs against the emulator; for arm64 the same
#     static link with zig's musl (cargo-zigbuild's zig) runs under qemu;
#     libgameye.so needs only musl's libc; libgameye.a has no bitcode and
#     defines the header's functions (tests/dist/check_elf.py);
#   - the musllinux wheels exist, and their extension needs only musl's libc.

# static_elf FILE: FILE is statically linked (readelf; file(1) for the log).
static_elf() {
    local interp needed
    ! command -v file > /dev/null || file "$1"
    interp=$(readelf -lW "$1" | grep 'program interpreter') && { echo "dynamic: $interp"; return 1; }
    needed=$(readelf -dW "$1" | grep '(NEEDED)') && { echo "dynamic: $needed"; return 1; }
    echo "$1: no program interpreter, no NEEDED library"
}
# musl_libc_only FILE: FILE's NEEDED libraries are musl's libc alone (no
# glibc symbol versions either).
musl_libc_only() {
    local needed
    needed=$(readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    echo "NEEDED: $needed"
    [ -n "$needed" ] && ! grep -vxE 'libc\.so|libc\.musl-[a-z0-9_]+\.so\.1' <<< "$needed" &&
        ! readelf -VW "$1" | grep -q 'GLIBC_'
}
# cli_session CLI [RUNNER]: the CLI creates a session on the emulator.
cli_session() {
    local out
    out=$(${2:+"$2"} "$1" --base-url "$GAMEYE_TEST_BASE_URL" --token gameye-emulator-token \
          session create --location europe --image nginx) && echo "$out" && grep -q '"id"' <<< "$out"
}
# The README's link lines (tests/install/app.c), with musl-gcc for cc:
# musl_app_static SDK EXE, musl_app_shared SDK EXE. The static library needs
# an unwinder (Rust's panic=unwind): a musl gcc's libgcc_eh (Alpine), but
# Debian's musl-gcc reuses glibc's, which calls glibc's _dl_find_object; so
# here the LLVM libunwind that Rust links into its own musl programs.
musl_app_static() {
    musl-gcc -static -std=c11 -O2 -I"$1/include" tests/install/app.c "$1/lib/libgameye.a" \
        "$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-musl/lib/self-contained/libunwind.a" \
        -lpthread -ldl -lm -o "$2" && static_elf "$2"
}
musl_app_shared() {
    musl-gcc -std=c11 -O2 -I"$1/include" tests/install/app.c -L"$1/lib" -lgameye -Wl,-rpath,"$1/lib" \
        -o "$2" && run_ok "$2"
}
# zig_app_arm64 SDK EXE: the static link for arm64 with zig's musl (zig is in
# target/dist-venv, where scripts/dist.sh installs it), run under qemu.
zig_app_arm64() {
    "$root/target/dist-venv/bin/python" -m ziglang cc -target aarch64-linux-musl -static -std=c11 -O2 \
        -I"$1/include" tests/install/app.c "$1/lib/libgameye.a" -lunwind -o "$2" && static_elf "$2" &&
        run_ok qemu-aarch64 "$2"
}

for musl in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
    arch=${musl%%-*}
    runner=
    nm=nm
    if [ "$arch" = aarch64 ]; then
        runner=qemu-aarch64 nm=aarch64-linux-gnu-nm
        require_tool qemu-aarch64 "the arm64 musl checks" || continue
    fi
    cli_archive="$dist/gameye-cli-$version-$musl.tar.gz"
    # (check returns 0 after a failure too: each block tests for its file itself.)
    check "$musl CLI archive exists" test -f "$cli_archive"
    if [ -f "$cli_archive" ]; then
        extract "$cli_archive" "$work/cli-$musl"
        cli="$work/cli-$musl/gameye-cli-$version-$musl/gameye"
        check "$musl CLI is statically linked (runs on any Linux)" static_elf "$cli"
        check "$musl CLI creates a session on the emulator${runner:+ under $runner}" cli_session "$cli" "$runner"
    fi
    sdk_archive="$dist/gameye-sdk-$version-$musl.tar.gz"
    check "$musl SDK archive exists" test -f "$sdk_archive"
    [ -f "$sdk_archive" ] || continue
    extract "$sdk_archive" "$work/sdk-$musl"
    sdk="$work/sdk-$musl/gameye-sdk-$version-$musl"
    check "$musl SDK: libgameye.so needs only musl's libc" musl_libc_only "$sdk/lib/libgameye.so.$version"
    check "$musl SDK: libgameye.a has no bitcode or debug info; $nm lists the header's functions" \
        python3 tests/dist/check_elf.py staticlib --header include/gameye.h --nm "$nm" "$sdk/lib/libgameye.a"
    app="$work/app-$musl"
    if [ "$arch" = x86_64 ]; then
        require_tool musl-gcc "the musl C SDK checks (Debian: musl-tools)" || continue
        check "$musl SDK: README program + libgameye.a (musl-gcc -static) builds static" musl_app_static "$sdk" "$app-static"
        check "$musl SDK: the static program runs against the emulator" run_ok "$app-static"
        check "$musl SDK: README program + libgameye.so (musl-gcc) runs against the emulator" \
            musl_app_shared "$sdk" "$app-shared"
    else
        check "$musl SDK: README program + libgameye.a (zig cc, musl, -static) runs under qemu-aarch64" \
            zig_app_arm64 "$sdk" "$app-static"
    fi
done

# musllinux wheels: their extension module needs only musl's libc.
for arch in x86_64 aarch64; do
    wheel="$dist/gameye-$version-cp39-abi3-musllinux_1_2_$arch.whl"
    check "musllinux_1_2 $arch wheel exists" test -f "$wheel"
    if [ -f "$wheel" ]; then
        mkdir -p "$work/musl-wheel-$arch"
        python3 -m zipfile -e "$wheel" "$work/musl-wheel-$arch"
        check "musllinux $arch wheel: _gameye.abi3.so needs only musl's libc" \
            musl_libc_only "$work/musl-wheel-$arch/gameye/_gameye.abi3.so"
    fi
done
