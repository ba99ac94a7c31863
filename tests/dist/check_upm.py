#!/usr/bin/env python3
"""Checks an extracted Unity UPM package (dist/com.gameye.sdk-*.tgz), for
tests/dist/run.sh:

  check_upm.py PACKAGE_DIR VERSION REPO_ROOT [KIND...]

KIND names a native library the package must hold (windows-x86_64,
linux-x86_64, macos-universal); the ones present are checked either way.

- every JSON file parses; package.json has the fields Unity's package
  manifest requires, in the formats Unity accepts, and its samples exist;
- the asmdef names the GameyeSdk assembly;
- every file and folder has a .meta (Samples~ itself excepted: Unity does not
  import folders ending in ~), every .meta has its asset, every GUID is
  unique, and each .meta names the importer its asset needs;
- each native library is the right machine code (PE x86-64, ELF x86-64,
  Mach-O universal with arm64 and x86_64) and its PluginImporter .meta
  enables exactly its platform and CPU; no .meta enables a player that the
  package's minimum Unity version lacks (Linux ARM64 came with Unity 6);
- documentationUrl names, at this version's tag, a file of the repository
  that is the package's own README, which tells users nothing to build;
- CHANGELOG.md, LICENSE.md (both licence texts) and Third Party Notices.md
  ship, with the licenses and every file of bindings/csharp/Runtime;
- no sample calls a blocking client method (one with an ...Async twin) or
  waits on a task (.Wait(), GetResult()).

Prints one line per check; exits 1 when any fails.
"""
import json
import os
import re
import struct
import sys

import yaml

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1
    return ok


# What each native library must be, written out here independently of
# packaging/dist_tools.py: machine type, and the PluginImporter settings.
NATIVES = {
    "Plugins/Windows/x86_64/gameye.dll": {
        "kind": "windows-x86_64",
        "machine": ("PE", 0x8664),
        "editor": {"enabled": 1, "OS": "Windows", "CPU": "x86_64"},
        "standalone": {"Win64": "x86_64"},
    },
    "Plugins/Linux/x86_64/libgameye.so": {
        "kind": "linux-x86_64",
        "machine": ("ELF", 62),
        "editor": {"enabled": 1, "OS": "Linux", "CPU": "x86_64"},
        "standalone": {"Linux64": "x86_64"},
    },
    "Plugins/macOS/libgameye.dylib": {
        "kind": "macos-universal",
        "machine": ("Mach-O universal", ("arm64", "x86_64")),
        "editor": {"enabled": 1, "OS": "OSX", "CPU": "AnyCPU"},
        "standalone": {"OSXUniversal": "AnyCPU"},
    },
}
# Players a Unity version has: the Linux ARM64 player came with Unity 6.
ARM64_LINUX_SINCE = 6000
STANDALONES = ["Win", "Win64", "Linux64", "OSXUniversal"]


def machine_of(path):
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:4] in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        # A fat Mach-O: big-endian arch count, then one record per arch that
        # starts with its cputype (20 bytes each; 32 in the 64-bit form).
        size = 20 if head[3] == 0xBE else 32
        count = struct.unpack_from(">I", head, 4)[0]
        names = {0x0100000C: "arm64", 0x01000007: "x86_64"}
        cpus = sorted(names.get(struct.unpack_from(">I", head, 8 + size * i)[0], "?") for i in range(count))
        return ("Mach-O universal", tuple(cpus))
    if head[:4] == b"\x7fELF":
        return ("ELF", struct.unpack_from("<H", head, 18)[0])
    if head[:2] == b"MZ":
        pe = struct.unpack_from("<I", head, 0x3C)[0]
        if head[pe:pe + 4] == b"PE\0\0":
            return ("PE", struct.unpack_from("<H", head, pe + 4)[0])
    return ("?", 0)


def load_meta(f):
    """A .meta as YAML with every scalar a string (a GUID of digits and one
    "e" would otherwise read as a float)."""
    # Unity writes an empty mapping key as "      : Any", which PyYAML does
    # not read; quote the empty key.
    text = re.sub(r"(?m)^(\s*): ", r'\1"": ', f.read())
    return yaml.load(text, Loader=yaml.BaseLoader)


def platform_data(meta):
    """{(kind, name): (enabled, settings)} from a PluginImporter's platformData."""
    out = {}
    for entry in meta["PluginImporter"]["platformData"]:
        ((kind, name),) = entry["first"].items()
        settings = entry["second"].get("settings") or {}
        out[(kind or "", name or "")] = (int(entry["second"]["enabled"]), settings)
    return out


def check_manifest(pkg, version):
    with open(os.path.join(pkg, "package.json")) as f:
        m = json.load(f)
    check(m.get("name") == "com.gameye.sdk", "package.json: name is com.gameye.sdk")
    # Unity: lowercase reverse-domain name, at most 214 characters.
    check(re.fullmatch(r"[a-z0-9][a-z0-9._-]*(\.[a-z0-9._-]+)+", m.get("name", "")) is not None
          and len(m["name"]) <= 214, "package.json: name is a valid UPM name")
    check(re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?", m.get("version", "")) is not None,
          "package.json: version is SemVer")
    check(m.get("version") == version, f"package.json: version is {version} (gameye.h)")
    for field in ("displayName", "description"):
        check(isinstance(m.get(field), str) and m[field].strip() != "", f"package.json: {field} is set")
    check(re.fullmatch(r"\d{4}\.\d+", m.get("unity", "")) is not None, "package.json: unity is YEAR.MINOR")
    if "unityRelease" in m:
        check(re.fullmatch(r"\d+[abfp]\d+", m["unityRelease"]) is not None, "package.json: unityRelease format")
    author = m.get("author")
    check(isinstance(author, str) or (isinstance(author, dict) and author.get("name")), "package.json: author")
    check(m.get("license") == "MIT OR Apache-2.0", "package.json: license is MIT OR Apache-2.0")
    check(isinstance(m.get("dependencies", {}), dict), "package.json: dependencies is an object")
    samples = m.get("samples", [])
    check(len(samples) >= 1, "package.json: declares a sample")
    for s in samples:
        path = s.get("path", "")
        check(s.get("displayName") and s.get("description") and path.startswith("Samples~/")
              and os.path.isdir(os.path.join(pkg, path))
              and any(n.endswith(".cs") for n in os.listdir(os.path.join(pkg, path))),
              f"package.json: sample {path} exists with a C# script")


def check_docs(pkg, version, root):
    """documentationUrl, CHANGELOG.md, LICENSE.md, Third Party Notices.md."""
    with open(os.path.join(pkg, "package.json")) as f:
        m = json.load(f)
    prefix = f"https://github.com/gameye/gameye-sdk/blob/v{version}/"
    url = m.get("documentationUrl", "")
    rel = url[len(prefix):] if url.startswith(prefix) else None
    page = os.path.join(root, rel) if rel else ""
    if check(rel is not None and os.path.isfile(page),
             f"documentationUrl {url}: a file of the repository at v{version}"):
        with open(page) as f:
            text = f.read()
        with open(os.path.join(pkg, "README.md")) as f:
            check(f.read() == text, f"documentationUrl: the package's own README ({rel})")
        build = re.findall(r"cargo build|scripts/install\.sh|build (?:them|the native)", text)
        check(not build, f"documentationUrl: tells users nothing to build (found {build})")
    for name in ("CHANGELOG.md", "Third Party Notices.md"):
        path = os.path.join(pkg, name)
        check(os.path.isfile(path) and os.path.getsize(path) > 200, f"{name}: ships")
    with open(os.path.join(root, "CHANGELOG.md")) as a:
        check(open(os.path.join(pkg, "CHANGELOG.md")).read() == a.read(), "CHANGELOG.md: the repository's")
    lic = os.path.join(pkg, "LICENSE.md")
    if check(os.path.isfile(lic), "LICENSE.md: ships"):
        text = open(lic).read()
        for name in ("LICENSE-MIT", "LICENSE-APACHE"):
            with open(os.path.join(root, name)) as f:
                check(f.read().strip() in text, f"LICENSE.md: holds {name}")


def check_samples(pkg, root):
    """No sample blocks the main thread."""
    with open(os.path.join(root, "bindings", "csharp", "Runtime", "GameyeClient.cs")) as f:
        api = f.read()
    methods = set(re.findall(r"public [\w<>\[\], ]+? (\w+)\(", api))
    blocking = sorted(n for n in methods if n + "Async" in methods)
    check(len(blocking) >= 5, f"GameyeClient's blocking methods with an Async twin: {blocking}")
    for dirpath, _, filenames in os.walk(os.path.join(pkg, "Samples~")):
        for name in filenames:
            if not name.endswith(".cs"):
                continue
            with open(os.path.join(dirpath, name)) as f:
                code = re.sub(r"//[^\n]*", "", f.read())
            calls = [n for n in blocking if re.search(r"\.\s*" + n + r"\s*\(", code)]
            waits = re.findall(r"\.\s*(?:Wait|GetResult)\s*\(", code)
            check(not calls and not waits,
                  f"Samples~/{name}: no blocking call on the main thread (found {calls + waits})")


def main():
    pkg, version, root = sys.argv[1:4]
    required = sys.argv[4:]
    check_manifest(pkg, version)
    check_docs(pkg, version, root)
    check_samples(pkg, root)

    guids = {}
    assets = []
    for dirpath, dirnames, filenames in os.walk(pkg):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, pkg).replace(os.sep, "/")
            if name.endswith(".json") or name.endswith(".asmdef"):
                try:
                    with open(full) as f:
                        json.load(f)
                    check(True, f"{rel}: valid JSON")
                except ValueError as e:
                    check(False, f"{rel}: valid JSON ({e})")
            if name.endswith(".meta"):
                asset = full[: -len(".meta")]
                check(os.path.exists(asset), f"{rel}: its asset exists")
                with open(full) as f:
                    meta = load_meta(f)
                g = str(meta.get("guid", ""))
                check(meta.get("fileFormatVersion") == "2" and re.fullmatch(r"[0-9a-f]{32}", g) is not None,
                      f"{rel}: fileFormatVersion 2 and a 32-hex guid")
                check(g not in guids, f"{rel}: guid unique" + (f" (also {guids.get(g)})" if g in guids else ""))
                guids[g] = rel
                importer = [k for k in meta if k.endswith("Importer")]
                want = ("DefaultImporter" if os.path.isdir(asset)
                        else "MonoImporter" if asset.endswith(".cs")
                        else "AssemblyDefinitionImporter" if asset.endswith(".asmdef")
                        else "PluginImporter" if rel[: -len(".meta")] in NATIVES
                        else None)
                if want:
                    check(importer == [want], f"{rel}: {want}")
                if os.path.isdir(asset):
                    check(meta.get("folderAsset") == "yes", f"{rel}: folderAsset yes")
            else:
                in_tilde = any(part.endswith("~") for part in rel.split("/")[:-1])
                if not name.endswith("~"):
                    assets.append((rel, full, in_tilde))
    for rel, full, in_tilde in assets:
        check(os.path.exists(full + ".meta"), f"{rel}: has a .meta")

    with open(os.path.join(pkg, "Runtime", "GameyeSdk.asmdef")) as f:
        asmdef = json.load(f)
    check(asmdef.get("name") == "GameyeSdk", "Runtime/GameyeSdk.asmdef: assembly GameyeSdk")

    for rel, spec in NATIVES.items():
        path = os.path.join(pkg, rel)
        if spec["kind"] in required:
            check(os.path.isfile(path), f"{rel}: present")
        if not os.path.isfile(path):
            continue
        check(machine_of(path) == spec["machine"], f"{rel}: machine {spec['machine']} (got {machine_of(path)})")
        with open(path + ".meta") as f:
            pd = platform_data(load_meta(f))
        enabled, settings = pd.get(("Editor", "Editor"), (None, {}))
        ed = spec["editor"]
        ok = enabled == ed["enabled"] and all(settings.get(k) == v for k, v in ed.items() if k != "enabled")
        check(ok, f"{rel}.meta: Editor {ed} (got enabled={enabled} {settings})")
        for sa in STANDALONES:
            enabled, settings = pd.get(("Standalone", sa), (0, {}))
            cpu = spec["standalone"].get(sa)
            if cpu:
                check(enabled == 1 and settings.get("CPU") == cpu, f"{rel}.meta: Standalone {sa} on, CPU {cpu}")
            else:
                check(enabled == 0, f"{rel}.meta: Standalone {sa} off")
        _, anysettings = pd.get(("", "Any"), (0, {}))
        for sa in STANDALONES:
            want = "0" if sa in spec["standalone"] else "1"
            check(anysettings.get("Exclude " + sa) == want, f"{rel}.meta: Exclude {sa} is {want}")
        check(anysettings.get("Exclude Editor") == ("0" if ed["enabled"] else "1"),
              f"{rel}.meta: Exclude Editor matches")

    # Every PluginImporter: no player the minimum Unity version lacks.
    with open(os.path.join(pkg, "package.json")) as f:
        unity_year = int(json.load(f)["unity"].split(".")[0])
    for dirpath, _, filenames in os.walk(os.path.join(pkg, "Plugins")):
        for name in filenames:
            if not name.endswith(".meta"):
                continue
            with open(os.path.join(dirpath, name)) as f:
                meta = load_meta(f)
            if "PluginImporter" not in meta:
                continue
            enabled, settings = platform_data(meta).get(("Standalone", "Linux64"), (0, {}))
            arm64 = enabled == 1 and settings.get("CPU") == "ARM64"
            check(not arm64 or unity_year >= ARM64_LINUX_SINCE,
                  f"{name}: no Linux ARM64 player below Unity {ARM64_LINUX_SINCE} (package: {unity_year})")

    for lic in ("LICENSE-MIT", "LICENSE-APACHE"):
        with open(os.path.join(root, lic), "rb") as a:
            want = a.read()
        path = os.path.join(pkg, lic)
        check(os.path.isfile(path) and open(path, "rb").read() == want, f"{lic}: the repository's text")
    runtime = os.path.join(root, "bindings", "csharp", "Runtime")
    for dirpath, _, filenames in os.walk(runtime):
        for name in sorted(filenames):
            rel = os.path.relpath(os.path.join(dirpath, name), runtime).replace(os.sep, "/")
            check(os.path.isfile(os.path.join(pkg, "Runtime", rel)), f"Runtime/{rel}: present")

    print(f"UPM package: {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
