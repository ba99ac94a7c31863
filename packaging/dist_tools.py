#!/usr/bin/env python3
"""Assembles the engine packages for scripts/dist.sh.

  dist_tools.py zip OUT.zip PARENT NAME       packs PARENT/NAME into OUT.zip
  dist_tools.py tgz OUT.tar.gz PARENT NAME    the same as a .tar.gz (symlinks kept)
  dist_tools.py unity  --root R --version V --work DIR --out FILE.tgz [--notices D] KIND=PATH...
  dist_tools.py unreal --root R --version V --work DIR --out FILE.zip [--notices D] KIND=PATH...

KIND names a native library: windows-x86_64 (gameye.dll),
windows-x86_64-importlib (gameye.dll.lib, MSVC format), linux-x86_64 and
linux-arm64 (libgameye.so), macos-universal (libgameye.dylib). --notices D:
the folder where packaging/notices.py wrote THIRD-PARTY-NOTICES and
sbom.cdx.json for the libraries given.

Archives are reproducible: sorted entries, fixed timestamps and owners.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

import notices

EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can hold
UPM_NAME = "com.gameye.sdk"

# Unity: where each native library goes and the PluginImporter settings that
# select its platform and CPU (Editor OS/CPU, and the Standalone player).
UNITY_NATIVES = {
    "windows-x86_64": {
        "path": "Plugins/Windows/x86_64/gameye.dll",
        "editor": ("Windows", "x86_64"),
        "standalone": {"Win64": "x86_64"},
    },
    "linux-x86_64": {
        "path": "Plugins/Linux/x86_64/libgameye.so",
        "editor": ("Linux", "x86_64"),
        "standalone": {"Linux64": "x86_64"},
    },
    # No linux-arm64: Unity's Linux arm64 player came with Unity 6, and the
    # package supports 2019.4, whose Linux64 importer has no ARM64 CPU.
    "macos-universal": {
        "path": "Plugins/macOS/libgameye.dylib",
        "editor": ("OSX", "AnyCPU"),
        "standalone": {"OSXUniversal": "AnyCPU"},
    },
}
# Every Standalone platform a PluginImporter lists; those not selected are off.
UNITY_STANDALONES = ["Linux64", "OSXUniversal", "Win", "Win64"]

# The Unreal platform of each library: the .uplugin lists those shipped.
UNREAL_PLATFORMS = {
    "windows-x86_64": "Win64",
    "linux-x86_64": "Linux",
    "linux-arm64": "LinuxArm64",
    "macos-universal": "Mac",
}
# Unreal: libgameye/<folder>/<files> per platform; Gameye.Build.cs names them.
UNREAL_NATIVES = {
    "windows-x86_64": "Win64/gameye.dll",
    "windows-x86_64-importlib": "Win64/gameye.dll.lib",
    "linux-x86_64": "Linux/libgameye.so",
    "linux-arm64": "LinuxArm64/libgameye.so",
    "macos-universal": "Mac/libgameye.dylib",
}


def guid(rel):
    """A stable Unity GUID for a package path (32 hex digits)."""
    return hashlib.md5(f"{UPM_NAME}/{rel}".encode()).hexdigest()


def meta_footer():
    return "  userData: \n  assetBundleName: \n  assetBundleVariant: \n"


def folder_meta(rel):
    return (f"fileFormatVersion: 2\nguid: {guid(rel)}\nfolderAsset: yes\n"
            "DefaultImporter:\n  externalObjects: {}\n" + meta_footer())


def file_meta(rel):
    head = f"fileFormatVersion: 2\nguid: {guid(rel)}\n"
    ext = os.path.splitext(rel)[1]
    if ext == ".cs":
        return head + ("MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n"
                       "  defaultReferences: []\n  executionOrder: 0\n"
                       "  icon: {instanceID: 0}\n" + meta_footer())
    if ext == ".asmdef":
        return head + "AssemblyDefinitionImporter:\n  externalObjects: {}\n" + meta_footer()
    if ext in (".json", ".md", ".xml", ".txt"):
        return head + "TextScriptImporter:\n  externalObjects: {}\n" + meta_footer()
    return head + "DefaultImporter:\n  externalObjects: {}\n" + meta_footer()


def plugin_meta(rel, spec):
    """A PluginImporter .meta enabling the library for one platform and CPU."""
    lines = [
        "fileFormatVersion: 2",
        f"guid: {guid(rel)}",
        "PluginImporter:",
        "  externalObjects: {}",
        "  serializedVersion: 2",
        "  iconMap: {}",
        "  executionOrder: {}",
        "  defineConstraints: []",
        "  isPreloaded: 0",
        "  isOverridable: 0",
        "  isExplicitlyReferenced: 0",
        "  validateReferences: 1",
        "  platformData:",
        "  - first:",
        "      : Any",
        "    second:",
        "      enabled: 0",
        "      settings:",
        f"        Exclude Editor: {0 if spec['editor'] else 1}",
    ]
    for sa in UNITY_STANDALONES:
        lines.append(f"        Exclude {sa}: {0 if sa in spec['standalone'] else 1}")
    lines += [
        "  - first:",
        "      Any: ",
        "    second:",
        "      enabled: 0",
        "      settings: {}",
        "  - first:",
        "      Editor: Editor",
        "    second:",
        f"      enabled: {1 if spec['editor'] else 0}",
        "      settings:",
        f"        CPU: {spec['editor'][1] if spec['editor'] else 'None'}",
        "        DefaultValueInitialized: true",
        f"        OS: {spec['editor'][0] if spec['editor'] else 'AnyOS'}",
    ]
    for sa in UNITY_STANDALONES:
        cpu = spec["standalone"].get(sa)
        lines += [
            "  - first:",
            f"      Standalone: {sa}",
            "    second:",
            f"      enabled: {1 if cpu else 0}",
            "      settings:",
            f"        CPU: {cpu if cpu else 'None'}",
        ]
    return "\n".join(lines) + "\n" + meta_footer()


def set_soname(path):
    """Engines load libgameye.so by that name: make it the SONAME as well, or a
    module linked against it would look for libgameye.so.0.Y at run time."""
    subprocess.run(["patchelf", "--set-soname", "libgameye.so", path], check=True)


def natives_arg(items):
    out = {}
    for item in items:
        kind, _, path = item.partition("=")
        if not path or not os.path.isfile(path):
            sys.exit(f"dist_tools: {item}: not KIND=FILE with an existing file")
        out[kind] = path
    return out


def write_tgz(out, top, prefix):
    """npm-style tarball: every entry under PREFIX/ (UPM expects package/)."""
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, top)
                info = tar.gettarinfo(full, arcname=f"{prefix}/{rel}".replace(os.sep, "/"))
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mtime = EPOCH
                if info.isfile():
                    with open(full, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)  # a symlink (libgameye.so -> libgameye.so.0.1)


def write_zip(out, parent, name):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for dirpath, dirnames, filenames in os.walk(os.path.join(parent, name)):
            dirnames.sort()
            for fname in sorted(filenames):
                full = os.path.join(dirpath, fname)
                rel = os.path.relpath(full, parent)
                info = zipfile.ZipInfo(rel.replace(os.sep, "/"), date_time=(1980, 1, 1, 0, 0, 0))
                mode = 0o755 if os.access(full, os.X_OK) else 0o644
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    z.writestr(info, f.read())


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(src, dst)


def write_unity_license(root, out):
    """LICENSE.md, the file Unity's Package Manager shows: both texts."""
    parts = ["# License\n\nLicensed under either of the MIT license or the Apache License,"
             " Version 2.0, at your option. Both texts follow.\n"]
    for lic in ("LICENSE-MIT", "LICENSE-APACHE"):
        with open(os.path.join(root, lic)) as f:
            parts.append(f"\n## {lic}\n\n~~~~text\n{f.read().rstrip()}\n~~~~\n")
    with open(out, "w", newline="\n") as f:
        f.write("".join(parts))


def build_unity(a):
    natives = natives_arg(a.natives)
    pkg = os.path.join(a.work, "package")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(pkg)
    tmpl = os.path.join(a.root, "packaging", "unity")
    with open(os.path.join(tmpl, "package.json.in")) as f:
        manifest = f.read().replace("@VERSION@", a.version)
    json.loads(manifest)  # the template must stay valid JSON
    with open(os.path.join(pkg, "package.json"), "w") as f:
        f.write(manifest)
    copy(os.path.join(tmpl, "README.md"), os.path.join(pkg, "README.md"))
    copy(os.path.join(a.root, "CHANGELOG.md"), os.path.join(pkg, "CHANGELOG.md"))
    for lic in ("LICENSE-MIT", "LICENSE-APACHE"):
        copy(os.path.join(a.root, lic), os.path.join(pkg, lic))
    write_unity_license(a.root, os.path.join(pkg, "LICENSE.md"))
    if a.notices:
        notices.markdown(os.path.join(a.notices, notices.NOTICES), os.path.join(pkg, "Third Party Notices.md"))
        copy(os.path.join(a.notices, notices.SBOM), os.path.join(pkg, notices.SBOM))
    # Runtime/ with its subfolders (Generated/: the interop made by scripts/gen_csharp.py).
    runtime = os.path.join(a.root, "bindings", "csharp", "Runtime")
    for dirpath, dirnames, filenames in os.walk(runtime):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            copy(full, os.path.join(pkg, "Runtime", os.path.relpath(full, runtime)))
    samples = os.path.join(tmpl, "Samples~")
    for dirpath, _, filenames in os.walk(samples):
        for name in filenames:
            full = os.path.join(dirpath, name)
            copy(full, os.path.join(pkg, "Samples~", os.path.relpath(full, samples)))
    plugins = {}
    for kind, path in natives.items():
        spec = UNITY_NATIVES.get(kind)
        if spec is None:
            continue  # import libraries are for linkers, not for Unity
        dst = os.path.join(pkg, spec["path"])
        copy(path, dst)
        if dst.endswith(".so"):
            set_soname(dst)
        plugins[spec["path"]] = spec

    # A .meta beside every file and folder (Unity ignores immutable package
    # assets without one); folders ending in ~ are not imported, but their
    # files keep .meta files so imported samples get stable GUIDs.
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames.sort()
        for d in dirnames:
            rel = os.path.relpath(os.path.join(dirpath, d), pkg).replace(os.sep, "/")
            if not d.endswith("~"):
                with open(os.path.join(dirpath, d + ".meta"), "w") as f:
                    f.write(folder_meta(rel))
        for name in filenames:
            if name.endswith(".meta"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), pkg).replace(os.sep, "/")
            text = plugin_meta(rel, plugins[rel]) if rel in plugins else file_meta(rel)
            with open(os.path.join(dirpath, name + ".meta"), "w") as f:
                f.write(text)
    write_tgz(a.out, pkg, "package")
    print(f"wrote {a.out}: {', '.join(sorted(plugins))}")


def build_unreal(a):
    natives = natives_arg(a.natives)
    shutil.rmtree(a.work, ignore_errors=True)
    plugin = os.path.join(a.work, "Gameye")
    src = os.path.join(a.root, "bindings", "unreal")
    shutil.copytree(os.path.join(src, "Source"), os.path.join(plugin, "Source"))
    with open(os.path.join(src, "Gameye.uplugin")) as f:
        uplugin = json.load(f)
    uplugin["VersionName"] = a.version
    # Only the platforms this archive has a library for.
    platforms = [p for k, p in UNREAL_PLATFORMS.items() if k in natives]
    uplugin["SupportedTargetPlatforms"] = platforms
    for module in uplugin["Modules"]:
        module["PlatformAllowList"] = platforms
    with open(os.path.join(plugin, "Gameye.uplugin"), "w") as f:
        json.dump(uplugin, f, indent="\t")
        f.write("\n")
    # The package's own README (the repository's names files it does not ship).
    copy(os.path.join(a.root, "packaging", "unreal", "README.md"), os.path.join(plugin, "README.md"))
    for lic in ("LICENSE-MIT", "LICENSE-APACHE"):
        copy(os.path.join(a.root, lic), os.path.join(plugin, lic))
    if a.notices:
        for name in (notices.NOTICES, notices.SBOM):
            copy(os.path.join(a.notices, name), os.path.join(plugin, name))
    lib = os.path.join(plugin, "Source", "ThirdParty", "libgameye")
    copy(os.path.join(a.root, "include", "gameye.h"), os.path.join(lib, "include", "gameye.h"))
    copy(os.path.join(a.root, "bindings", "cpp", "include", "gameye.hpp"),
         os.path.join(lib, "include", "gameye.hpp"))
    shipped = []
    for kind, path in natives.items():
        rel = UNREAL_NATIVES.get(kind)
        if rel is None:
            continue
        dst = os.path.join(lib, rel)
        copy(path, dst)
        if dst.endswith(".so"):
            set_soname(dst)
        shipped.append(rel)
    write_zip(a.out, a.work, "Gameye")
    print(f"wrote {a.out}: {', '.join(sorted(shipped))}")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] in ("zip", "tgz"):
        if len(sys.argv) != 5:
            sys.exit(__doc__)
        if sys.argv[1] == "zip":
            write_zip(sys.argv[2], sys.argv[3], sys.argv[4])
        else:
            write_tgz(sys.argv[2], os.path.join(sys.argv[3], sys.argv[4]), sys.argv[4])
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["unity", "unreal"])
    p.add_argument("--root", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--notices")
    p.add_argument("natives", nargs="*")
    a = p.parse_intermixed_args()
    (build_unity if a.what == "unity" else build_unreal)(a)


if __name__ == "__main__":
    main()
