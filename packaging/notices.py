#!/usr/bin/env python3
"""Third-party notices and a CycloneDX SBOM per artifact, for scripts/dist.sh.

  notices.py about OUT.json TRIPLE[,TRIPLE...] [--root R]
      runs cargo-about once over the workspace for those targets: every
      crate's licence and licence texts (the slow part: it reads every file
      of every crate), for the gen calls below
  notices.py gen DIR PACKAGE TRIPLE[,TRIPLE...] --about ABOUT.json [--root R] [--version V]
      writes DIR/THIRD-PARTY-NOTICES (every crate PACKAGE links for those
      targets, and the licence texts that cover them) and DIR/sbom.cdx.json
      (CycloneDX 1.5, the same crates). PACKAGE may be ROOT+OTHER...: ROOT
      as built in one cargo run with OTHER (their features unify)
  notices.py markdown NOTICES OUT.md
      the notices as Markdown (Unity's "Third Party Notices.md")
  notices.py wheel WHEEL NOTICES
      adds NOTICES to the wheel's .dist-info/licenses/ (METADATA License-File, RECORD)
  notices.py sdist SDIST DIR
      adds DIR's THIRD-PARTY-NOTICES and sbom.cdx.json to the sdist's top folder

The crates an artifact links: PACKAGE's normal dependencies as cargo tree
resolves them for each TRIPLE, less the workspace's own crates (build
scripts, dev-dependencies and procedural macros run at build time and are
not linked). Their licences and licence texts
come from cargo-about (crates.io), run with packaging/about.toml, offline:
a crate that ships no licence file gets the SPDX text of its licence. The
SBOM is written here from the same data (cargo-cyclonedx would be another
4-minute build in CI, and could list another crate set), so the two always
list the same crates.
"""
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import uuid
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTICES = "THIRD-PARTY-NOTICES"
SBOM = "sbom.cdx.json"
# A licence block starts with RULE and a "Licence N of M:" line (texts have
# lines of = of their own, never that pair); THIN ends its header.
RULE = "=" * 80
THIN = "-" * 80
# universal2 is a lipo of two real targets.
ALIASES = {"universal2-apple-darwin": ["aarch64-apple-darwin", "x86_64-apple-darwin"]}


def workspace(root):
    """{name: package} of the workspace members (cargo metadata)."""
    out = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    return {p["name"]: p for p in json.loads(out)["packages"]}


def real_triples(arg):
    """The cargo targets of a comma-separated list (universal2: both)."""
    return sorted({r for t in arg.split(",") if t for r in ALIASES.get(t, [t])})


def run_about(args):
    """cargo-about over the workspace, offline (after a cargo fetch): no
    service but the registry is reachable, and a crate without its licence
    file gets the SPDX text."""
    out, triple_arg = args[:2]
    opts = dict(zip(args[2::2], args[3::2]))
    root = opts.get("--root", ROOT)
    subprocess.run(["cargo", "fetch", "--locked", "-q"], cwd=root, check=True)
    cmd = ["cargo", "about", "generate", "--format", "json", "--frozen", "--workspace",
           "-c", os.path.join(root, "packaging", "about.toml"), "-o", out]
    for t in real_triples(triple_arg):
        cmd += ["--target", t]
    res = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"notices: {' '.join(cmd)} failed:\n{res.stderr}")


def linked(root, package, triples):
    """{(name, version)}: the registry crates PACKAGE (ROOT[+OTHER...]) links
    for TRIPLES, as cargo resolves them for `cargo build -p ROOT [-p OTHER]
    --target TRIPLE`: ROOT's tree, with the features of every package built,
    without procedural macros (they run in the compiler)."""
    roots = package.split("+")
    crates = set()
    for t in triples:
        cmd = ["cargo", "tree", "--locked", "-q", "-e", "normal,no-proc-macro", "--target", t, "--no-dedupe",
               "--prefix", "depth", "--format", "{p}"]
        for r in roots:
            cmd += ["-p", r]
        out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
        inside = False
        for line in out.splitlines():
            m = re.match(r"^(\d+)(\S+) v(\S+)", line)
            if not m:
                continue
            if m.group(1) == "0":
                inside = m.group(2) == roots[0]
            elif inside and not re.search(r"\((?:[A-Za-z]:)?[\\/]", line):  # a path: the workspace's own
                crates.add((m.group(2), m.group(3)))
    return crates


def lock_checksums(root):
    """{(name, version): sha256} of the registry crates in Cargo.lock (read
    with a pattern: tomllib needs Python 3.11)."""
    with open(os.path.join(root, "Cargo.lock")) as f:
        text = f.read()
    pattern = r'(?m)^name = "([^"]+)"\nversion = "([^"]+)"\nsource = "[^"]*"\nchecksum = "([0-9a-f]{64})"'
    return {(n, v): c for n, v, c in re.findall(pattern, text)}


def collect(about, wanted):
    """(crates, licences) of the crates WANTED: crates as [{name, version,
    license, repository}]; licences as [{id, name, text, used_by}], one per
    distinct text (ring's source files repeat the ISC text)."""
    crates = {}
    for c in about["crates"]:
        p = c["package"]
        key = (p["name"], p["version"])
        if key in wanted:
            crates[key] = {"name": p["name"], "version": p["version"],
                           "license": c.get("license") or p.get("license") or "",
                           "repository": p.get("repository") or ""}
    missing = sorted(wanted - set(crates))
    if missing:
        sys.exit(f"notices: cargo-about has no licence data for {missing}")
    texts = {}
    for lic in about["licenses"]:
        used = {(u["crate"]["name"], u["crate"]["version"]) for u in lic["used_by"]} & wanted
        if used:
            text = lic["text"].strip("\n")
            entry = texts.setdefault((lic["id"], text), {"id": lic["id"], "name": lic["name"], "text": text,
                                                         "used_by": set()})
            entry["used_by"] |= used
    licences = [dict(e, used_by=sorted(e["used_by"])) for e in texts.values()]
    licences.sort(key=lambda item: (item["id"], item["used_by"], item["text"]))
    return [crates[k] for k in sorted(crates)], licences


def render(package, triples, crates, licences):
    lines = [f"Third-party notices: {package} for {', '.join(triples)}", "",
             "This artifact links the Rust crates below (name, version, licence",
             "expression). Their licence texts follow, each with the crates it",
             "covers; where a crate offers a choice, the text of the licence",
             "chosen for it is given.", "", "Crates:"]
    lines += [f"  {c['name']} {c['version']}  {c['license']}" for c in crates]
    for n, lic in enumerate(licences, 1):
        lines += ["", RULE, f"Licence {n} of {len(licences)}: {lic['name']} ({lic['id']})", "Used by:"]
        lines += [f"  {n} {v}" for n, v in lic["used_by"]]
        lines += [THIN, lic["text"]]
    return "\n".join(lines) + "\n"


def sbom(package, version, triples, crates, checksums, tool_version):
    """A CycloneDX 1.5 BOM: the artifact's crate as metadata.component and
    every linked crate as a component with its purl, licence and checksum."""
    def purl(name, ver):
        return f"pkg:cargo/{name}@{ver}"
    components = []
    for c in crates:
        comp = {"type": "library", "bom-ref": purl(c["name"], c["version"]), "name": c["name"],
                "version": c["version"], "purl": purl(c["name"], c["version"])}
        if c["license"]:
            comp["licenses"] = [{"expression": c["license"]}]
        sha = checksums.get((c["name"], c["version"]))
        if sha:
            comp["hashes"] = [{"alg": "SHA-256", "content": sha}]
        if c["repository"]:
            comp["externalReferences"] = [{"type": "vcs", "url": c["repository"]}]
        components.append(comp)
    bom = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "cargo-about", "version": tool_version}]},
            "component": {"type": "library", "bom-ref": purl(package, version), "name": package,
                          "version": version, "purl": purl(package, version),
                          "licenses": [{"expression": "MIT OR Apache-2.0"}]},
            "properties": [{"name": "cdx:rustc:target", "value": t} for t in triples],
        },
        "components": components,
    }
    # A serial number derived from the content, so the same build gives the same file.
    digest = json.dumps(bom, sort_keys=True).encode()
    bom["serialNumber"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(digest).hexdigest()))
    return bom


def generate(args):
    out_dir, package, triple_arg = args[:3]
    opts = dict(zip(args[3::2], args[4::2]))
    root = opts.get("--root", ROOT)
    triples = [t for t in triple_arg.split(",") if t]
    members = workspace(root)
    if any(p not in members for p in package.split("+")):
        sys.exit(f"notices: {package}: not workspace crates")
    with open(opts["--about"]) as f:
        about = json.load(f)
    crates, licences = collect(about, linked(root, package, real_triples(triple_arg)))
    if not crates:
        sys.exit(f"notices: {package} links no crates for {triple_arg}?")
    tool = subprocess.run(["cargo", "about", "--version"], capture_output=True, text=True).stdout.split()
    os.makedirs(out_dir, exist_ok=True)
    package = package.split("+")[0]
    with open(os.path.join(out_dir, NOTICES), "w", newline="\n") as f:
        f.write(render(package, triples, crates, licences))
    version = opts.get("--version", members[package.split("+")[0]]["version"])
    with open(os.path.join(out_dir, SBOM), "w", newline="\n") as f:
        json.dump(sbom(package, version, triples, crates, lock_checksums(root), tool[-1] if tool else ""),
                  f, indent=1)
        f.write("\n")
    print(f"notices: {package} ({','.join(triples)}): {len(crates)} crates, {len(licences)} licence texts")


def markdown(src, out):
    with open(src) as f:
        text = f.read()
    with open(out, "w", newline="\n") as f:
        f.write("# Third Party Notices\n\nThe native libraries of this package link the Rust crates "
                "listed below; their licence texts follow the list.\n\n~~~~text\n" + text + "~~~~\n")


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def add_to_wheel(wheel, notices):
    """Rewrites WHEEL with NOTICES in .dist-info/licenses/, named in METADATA
    (License-File) and RECORD; every other entry is copied as it was."""
    with open(notices, "rb") as f:
        extra = f.read()
    with zipfile.ZipFile(wheel) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    dist_info = next(i.filename.split("/")[0] for i, _ in entries if i.filename.endswith(".dist-info/METADATA"))
    name = f"{dist_info}/licenses/{NOTICES}"
    if any(i.filename == name for i, _ in entries):
        return
    out = []
    for info, data in entries:
        if info.filename == f"{dist_info}/METADATA":
            text = data.decode()
            # After the last License-File line (PEP 639 keeps them together).
            idx = text.rfind("License-File: ")
            end = text.index("\n", idx) + 1 if idx >= 0 else text.index("\n\n") + 1
            data = (text[:end] + f"License-File: {NOTICES}\n" + text[end:]).encode()
        out.append((info, data))
    new_info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    new_info.external_attr = 0o100644 << 16
    new_info.compress_type = zipfile.ZIP_DEFLATED
    # RECORD stays last; the new file goes before it.
    record = next(i for i, (info, _) in enumerate(out) if info.filename == f"{dist_info}/RECORD")
    out.insert(record, (new_info, extra))
    lines = [ln for ln in out[record + 1][1].decode().splitlines() if ln]
    rows = {ln.split(",")[0]: ln for ln in lines}
    for info, data in out:
        if info.filename in (f"{dist_info}/METADATA", name):
            rows[info.filename] = f"{info.filename},{record_hash(data)},{len(data)}"
    record_name = f"{dist_info}/RECORD"
    body = "\n".join(rows[k] for k in rows if k != record_name) + f"\n{record_name},,\n"
    out[record + 1] = (out[record + 1][0], body.encode())
    tmp = wheel + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in out:
            z.writestr(info, data)
    os.replace(tmp, wheel)


def add_to_sdist(sdist, folder):
    with tarfile.open(sdist, "r:gz") as t:
        members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
    top = members[0][0].name.split("/")[0]
    for fname in (NOTICES, SBOM):
        name = f"{top}/{fname}"
        if any(m.name == name for m, _ in members):
            continue
        with open(os.path.join(folder, fname), "rb") as f:
            extra = f.read()
        info = tarfile.TarInfo(name)
        info.size = len(extra)
        info.mode = 0o644
        info.mtime = members[0][0].mtime
        members.append((info, extra))
    tmp = sdist + ".tmp"
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for m, data in members:
            t.addfile(m, io.BytesIO(data) if data is not None else None)
    os.replace(tmp, sdist)


def main():
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd == "about" and len(args) >= 2:
        run_about(args)
    elif cmd == "gen" and len(args) >= 3 and "--about" in args:
        generate(args)
    elif cmd == "markdown" and len(args) == 2:
        markdown(*args)
    elif cmd == "wheel" and len(args) == 2:
        add_to_wheel(*args)
    elif cmd == "sdist" and len(args) == 2:
        add_to_sdist(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
