#!/usr/bin/env bash
# Assembles the Gameye plugin for the host platform (Linux or Mac) from
# source into
# DEST (e.g. MyProject/Plugins/Gameye): the plugin sources, the two headers,
# and a release libgameye built with the soname / install name it needs.
# Other platforms: see Source/ThirdParty/libgameye/README.md. The release
# archive (scripts/dist.sh: dist/gameye-unreal-VERSION.zip) has Win64, Linux
# and LinuxArm64 already.
set -euo pipefail
dest=${1:?usage: bindings/unreal/stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

mkdir -p "$dest"
cp -R "$here/Gameye.uplugin" "$here/Source" "$dest/"
inc="$dest/Source/ThirdParty/libgameye/include"
mkdir -p "$inc"
cp "$root/include/gameye.h" "$root/bindings/cpp/include/gameye.hpp" "$inc/"

cd "$root"
case "$(uname -s)" in
    Linux)
        RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-soname,libgameye.so" \
            cargo build --release -p gameye-ffi --target-dir target/unreal
        case "$(uname -m)" in
            aarch64|arm64) bin="$dest/Source/ThirdParty/libgameye/LinuxArm64" ;;
            *) bin="$dest/Source/ThirdParty/libgameye/Linux" ;;
        esac
        mkdir -p "$bin"
        cp target/unreal/release/libgameye.so "$bin/"
        ;;
    Darwin)
        cargo build --release -p gameye-ffi --target-dir target/unreal
        bin="$dest/Source/ThirdParty/libgameye/Mac"
        mkdir -p "$bin"
        cp target/unreal/release/libgameye.dylib "$bin/"
        install_name_tool -id @rpath/libgameye.dylib "$bin/libgameye.dylib"
        ;;
    *)
        echo "build libgameye for this platform by hand: see Source/ThirdParty/libgameye/README.md" >&2
        exit 1
        ;;
esac
echo "staged the Gameye plugin in $dest"
