# Checks of tests/dist/run.sh for the third-party notices, the READMEs that
# ship in the archives, and the Unreal Build.cs failure and opt-out; source
# it from run.sh (it uses $root, $dist, $version, $work and run.sh's
# helpers). Each function is one check: exit status 0 = passed.

# sdk_targets: the targets of the C SDK archives in dist/, one a line.
sdk_targets() {
    local f t
    for f in "$dist"/gameye-sdk-"$version"-*; do
        t=$(basename "$f")
        t=${t#gameye-sdk-"$version"-}
        t=${t%.tar.gz}
        t=${t%.zip}
        case "$t" in *-debug) ;; *) echo "$t" ;; esac
    done
}
# pick PATTERN...: the SDK targets matching any PATTERN, comma-separated.
pick() {
    local t p out=
    for t in $(sdk_targets); do
        for p in "$@"; do
            # shellcheck disable=SC2254 # PATTERN is a glob on purpose
            case "$t" in $p) out+="$t,"; break ;; esac
        done
    done
    echo "$out"
}
# wheel_triple WHEEL: the target a wheel was built for, from its platform tag.
wheel_triple() {
    case "$1" in
        *manylinux*_x86_64.whl) echo x86_64-unknown-linux-gnu ;;
        *manylinux*_aarch64.whl) echo aarch64-unknown-linux-gnu ;;
        *musllinux*_x86_64.whl) echo x86_64-unknown-linux-musl ;;
        *musllinux*_aarch64.whl) echo aarch64-unknown-linux-musl ;;
        *win_amd64.whl) pick 'x86_64-pc-windows-*' | cut -d, -f1 ;;
        *universal2*.whl) echo universal2-apple-darwin ;;
    esac
}
# notices_args ARTIFACT: "PACKAGE TRIPLE[,TRIPLE...]" of what it links, from
# its name (the engine packages: the targets their libraries come from).
# Where dist/ has CLIs, dist.sh built each library in one cargo run with the
# CLI, whose features then reach the library (and back): ROOT+OTHER.
notices_args() {
    local b t w all= ffi=gameye-ffi cli=gameye-cli
    b=$(basename "$1")
    if compgen -G "$dist/gameye-cli-$version-*" > /dev/null; then
        ffi=gameye-ffi+gameye-cli cli=gameye-cli+gameye-ffi
    fi
    case "$b" in
        gameye-sdk-* | gameye-cli-*)
            t=${b#gameye-*-"$version"-}
            t=${t%.tar.gz}
            t=${t%.zip}
            t=${t%-debug}
            case "$b" in gameye-sdk-*) echo "$ffi $t" ;; *) echo "$cli $t" ;; esac ;;
        com.gameye.sdk-*) echo "$ffi $(pick 'x86_64-pc-windows-*' x86_64-unknown-linux-gnu '*-apple-darwin')" ;;
        gameye-unreal-*)
            t=$(pick 'x86_64-pc-windows-*' x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu '*-apple-darwin')
            echo "$ffi $t" ;;
        *.whl) echo "gameye-python $(wheel_triple "$b")" ;;
        "gameye-$version.tar.gz")
            for w in "$dist"/*.whl; do all+="$(wheel_triple "$(basename "$w")"),"; done
            echo "gameye-python $all" ;;
    esac
}
# has_notices ARTIFACT: its notices name every crate it links, with licence
# texts that satisfy each crate's licence, and its SBOM lists them.
has_notices() {
    local args
    args=$(notices_args "$1")
    [ -n "$args" ] || { echo "no package known for $1"; return 1; }
    # shellcheck disable=SC2086 # PACKAGE and TRIPLES, as two words
    "${tools:?}/bin/python" "$root/tests/dist/check_notices.py" "$1" $args "$root"
}
# notices_check_fails ARTIFACT: the notices check fails once a crate's text
# is taken out of the notices (proves check_notices.py can fail).
notices_check_fails() {
    local dir="$work/notices-mutant" out status=0 args
    rm -rf "$dir" && mkdir -p "$dir/x" && tar -xzf "$1" -C "$dir/x" || return 1
    python3 - "$dir/x" <<'EOF' || return 1
import pathlib, re, sys
f = next(pathlib.Path(sys.argv[1]).rglob("THIRD-PARTY-NOTICES"))
text = f.read_text()
# Drop the blocks of the ISC text (ring, rustls-webpki, untrusted use it).
blocks = re.split(r"(?m)^(?={}\nLicence )".format("=" * 80), text)
kept = [b for b in blocks if not re.match(r"=+\nLicence [^\n]*\(ISC\)\n", b)]
assert len(kept) < len(blocks), "no ISC block"
f.write_text("".join(kept))
EOF
    (cd "$dir/x" && tar -czf "$dir/mutant.tar.gz" .) || return 1
    args=$(notices_args "$1")
    # shellcheck disable=SC2086
    out=$("${tools:?}/bin/python" "$root/tests/dist/check_notices.py" "$dir/mutant.tar.gz" $args "$root") ||
        status=$?
    echo "$out"
    [ "$status" = 1 ] && grep -q 'do not satisfy\|no licence text names it' <<< "$out"
}

# md_links DIR: every relative link of every Markdown file under DIR names a
# file or folder that is there (a package README links only what it ships).
md_links() {
    python3 - "$1" <<'EOF'
import pathlib, re, sys
bad = 0
for md in pathlib.Path(sys.argv[1]).rglob("*.md"):
    for target in re.findall(r"\]\(([^)\s]+)\)", md.read_text()):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (md.parent / target.split("#")[0]).exists():
            print(f"{md}: broken link {target}")
            bad += 1
print(f"{bad} broken links")
sys.exit(1 if bad else 0)
EOF
}

# pkgconfig_readme SDK: the pkg-config lines of the SDK's README.md, run as
# written (<this folder> = SDK) on tests/install/app.c, build a program that
# starts without LD_LIBRARY_PATH and creates a session.
pkgconfig_readme() {
    local dir="$work/readme-pkgconfig" script
    rm -rf "$dir" && mkdir -p "$dir" && cp tests/install/app.c "$dir/app.c" || return 1
    script=$(python3 - "$1/README.md" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
blocks = [b for b in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M) if "pkg-config" in b]
assert len(blocks) == 1, blocks
print(blocks[0])
EOF
    ) || return 1
    echo "$script"
    (cd "$dir" && env -u LD_LIBRARY_PATH bash -euo pipefail -c "${script//<this folder>/$1}") |
        tee "$dir/out" && grep -q 'session ' "$dir/out"
}

# cli_readme_runs DIR: DIR has README.md, and its line that tries the
# command against the emulator runs, as written, with DIR's gameye.
cli_readme_runs() {
    local line out
    line=$(grep -m1 -E '^gameye session create --emulator ' "$1/README.md" | sed 's/ *#.*//') || return 1
    echo "$line"
    out=$(PATH="$1:$PATH" bash -c "$line") && echo "$out" && grep -q '"id"' <<< "$out"
}

# unreal_missing PLUGIN PLATFORM FILE: without FILE, Build.cs stops the
# build for PLATFORM with a message naming the file and the opt-out; with
# GAMEYE_ALLOW_MISSING_LIBRARY=1 it builds with GAMEYE_SUPPORTED=0.
unreal_missing() {
    local copy="$work/unreal-missing" out status=0
    rm -rf "$copy" && cp -r "$1" "$copy" || return 1
    [ -z "$3" ] || rm -f "$copy/Source/ThirdParty/libgameye/$3"
    out=$(env -u GAMEYE_ALLOW_MISSING_LIBRARY mono "$work/BuildRules.exe" "$copy" "$2") || status=$?
    echo "$out"
    [ "$status" = 2 ] || { echo "want exit 2 (the build stops), got $status"; return 1; }
    if ! grep -q "^error Gameye plugin: .*${3:-no libgameye is made for $2}" <<< "$out" ||
       ! grep -q 'GAMEYE_ALLOW_MISSING_LIBRARY=1' <<< "$out"; then
        echo "the message lacks the file or the opt-out"
        return 1
    fi
    out=$(GAMEYE_ALLOW_MISSING_LIBRARY=1 mono "$work/BuildRules.exe" "$copy" "$2") || return 1
    echo "$out"
    grep -qx 'define GAMEYE_SUPPORTED=0' <<< "$out" && ! grep -qE '^(link|runtime|delayload) ' <<< "$out"
}

# uplugin_platforms PLUGIN PLATFORM...: the plugin holds the library of
# exactly the PLATFORMs, and Gameye.uplugin has an EngineVersion and lists
# them in SupportedTargetPlatforms and the module's PlatformAllowList.
uplugin_platforms() {
    python3 - "$@" <<'EOF'
import json, os, re, sys
plugin, want = sys.argv[1], sorted(sys.argv[2:])
d = json.load(open(os.path.join(plugin, "Gameye.uplugin")))
lib = os.path.join(plugin, "Source", "ThirdParty", "libgameye")
files = {"Win64": "Win64/gameye.dll", "Linux": "Linux/libgameye.so",
         "LinuxArm64": "LinuxArm64/libgameye.so", "Mac": "Mac/libgameye.dylib"}
have = sorted(p for p, f in files.items() if os.path.isfile(os.path.join(lib, f)))
print("libraries for", have, "; uplugin:", d.get("EngineVersion"), d.get("SupportedTargetPlatforms"),
      [m.get("PlatformAllowList") for m in d["Modules"]])
assert have == want, f"libraries for {have}, want {want}"
assert re.fullmatch(r"5\.\d+\.\d+", d.get("EngineVersion", "")), "EngineVersion"
assert sorted(d.get("SupportedTargetPlatforms", [])) == have, "SupportedTargetPlatforms"
for m in d["Modules"]:
    assert sorted(m.get("PlatformAllowList", [])) == have, "PlatformAllowList"
EOF
}
