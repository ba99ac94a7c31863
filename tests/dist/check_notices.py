#!/usr/bin/env python3
"""Checks the third-party notices and the SBOM of one release artifact, for
tests/dist/run.sh:

  check_notices.py ARTIFACT PACKAGE TRIPLE[,TRIPLE...] REPO_ROOT

ARTIFACT is a .tar.gz/.tgz/.zip/.whl from dist/; PACKAGE the workspace crate
linked into it (gameye-ffi, gameye-cli, gameye-python), as ROOT+OTHER when
built in one cargo run with OTHER; the TRIPLEs the targets whose binaries it
holds.

The expected crates: `cargo tree -e normal,no-proc-macro --target T -p
PACKAGE` for each target, less the workspace's own crates (what cargo
links), and, found
without cargo at all, every crate whose registry source path
(crates.io-HASH/NAME-VERSION/) the artifact's binaries hold in their panic
locations. Then:

- the notices (THIRD-PARTY-NOTICES, or Unity's "Third Party Notices.md")
  list every expected crate with its version;
- the licence texts that name a crate satisfy its licence expression (an
  OR needs one of its sides, an AND all), and each text is the real one (a
  phrase of that licence, or at least a paragraph for licences not known
  here);
- the CycloneDX SBOM (sbom.cdx.json; in a wheel also maturin's
  .dist-info/sboms/*.cyclonedx.json) passes the CycloneDX 1.5 JSON schema
  (cyclonedx-python-lib, strict; shown to reject a broken BOM) and has a
  pkg:cargo purl for every expected crate.

Prints one line per failure and a summary; exits 1 when any fails.
"""
import json
import re
import subprocess
import sys
import tarfile
import zipfile

ALIASES = {"universal2-apple-darwin": ["aarch64-apple-darwin", "x86_64-apple-darwin"]}
# A phrase of each licence's text: proves the text, not just its name, ships.
PHRASES = {
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License",
    "ISC": "Permission to use, copy, modify, and/or distribute",
    "BSD-3-Clause": "Redistribution and use in source and binary forms",
    "Unicode-3.0": "UNICODE LICENSE",
    "CDLA-Permissive-2.0": "Community Data License Agreement",
    "Zlib": "This software is provided 'as-is'",
    "BSL-1.0": "Boost Software License",
    "Unlicense": "This is free and unencumbered software",
    "0BSD": "Permission to use, copy, modify, and/or distribute",
}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


def members(path):
    """{name: bytes} of the archive's files."""
    if path.endswith((".zip", ".whl")):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}
    with tarfile.open(path, "r:gz") as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def expected(package, triples, root):
    """{(name, version): licence expression} from cargo tree, per target.
    PACKAGE is ROOT[+OTHER...]: ROOT's tree when built in one cargo run with
    OTHER, whose features then apply to it too."""
    roots = package.split("+")
    want = {}
    for t in triples:
        for real in ALIASES.get(t, [t]):
            cmd = ["cargo", "tree", "--locked", "-q", "-e", "normal,no-proc-macro", "--target", real, "--no-dedupe",
                   "--prefix", "depth", "--format", "{p}|{l}"]
            for r in roots:
                cmd += ["-p", r]
            out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
            inside = False
            for line in out.splitlines():
                m = re.match(r"^(\d+)(\S+) v(\S+)[^|]*\|(.*)$", line)
                if not m:
                    continue
                if m.group(1) == "0":
                    inside = m.group(2) == roots[0]
                elif inside and not re.search(r"\((?:[A-Za-z]:)?[\\/]", line):  # a path: the workspace's own
                    want[(m.group(2), m.group(3))] = m.group(4).replace("(*)", "").strip()
    return want


def in_binaries(files):
    """{(name, version)} of the crates whose source paths the files hold."""
    found = set()
    pattern = re.compile(rb"crates\.io-[0-9a-f]+[/\\]([A-Za-z0-9_-]+?)-(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)[/\\]")
    for data in files.values():
        for m in pattern.finditer(data):
            found.add((m.group(1).decode(), m.group(2).decode()))
    return found


def satisfied(expr, ids):
    """Whether the licence ids given satisfy the SPDX expression (OR, AND,
    WITH, parentheses; "/" is the old spelling of OR)."""
    tokens = re.findall(r"\(|\)|[^\s()]+", expr.replace("/", " OR "))
    pos = 0

    def atom():
        nonlocal pos
        if tokens[pos] == "(":
            pos += 1
            v = disj()
            pos += 1  # ")"
            return v
        lic = tokens[pos]
        pos += 1
        if pos < len(tokens) and tokens[pos] == "WITH":
            exc = tokens[pos + 1]
            pos += 2
            return f"{lic} WITH {exc}" in ids or lic in ids
        return lic in ids

    def conj():
        nonlocal pos
        v = atom()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            v = atom() and v
        return v

    def disj():
        nonlocal pos
        v = conj()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            v = conj() or v
        return v

    return bool(tokens) and disj()


def parse_notices(text):
    """(listed crates, blocks): blocks as [(id, {(name, version)}, text)]."""
    head, *blocks = re.split(r"(?m)^={80}\n(?=Licence \d+ of \d+: )", text)
    listed = set()
    for line in head.splitlines():
        m = re.match(r"^  (\S+) (\d\S*)  ", line)
        if m:
            listed.add((m.group(1), m.group(2)))
    parsed = []
    for block in blocks:
        top, _, body = block.partition("\n" + "-" * 80 + "\n")
        lines = top.strip("\n").splitlines()
        m = re.match(r"^Licence \d+ of \d+: .*\((.+)\)$", lines[0]) if lines else None
        used = {tuple(ln.split()[:2]) for ln in lines[2:] if ln.startswith("  ")}
        parsed.append((m.group(1) if m else "?", used, body))
    return listed, parsed


def check_notices(text, want):
    listed, blocks = parse_notices(text)
    if not blocks:
        fail("the notices hold no licence text")
    for (name, ver), expr in sorted(want.items()):
        if (name, ver) not in listed:
            fail(f"{name} {ver}: not in the notices' crate list")
        covering = [(lid, body) for lid, used, body in blocks if (name, ver) in used]
        ids = {lid for lid, _ in covering}
        if not covering:
            fail(f"{name} {ver}: no licence text names it")
        elif expr and not satisfied(expr, ids):
            fail(f"{name} {ver}: licence texts {sorted(ids)} do not satisfy {expr!r}")
        for lid, body in covering:
            phrase = PHRASES.get(lid.split(" WITH ")[0])
            if (phrase and phrase.lower() not in " ".join(body.split()).lower()) or len(body.strip()) < 100:
                fail(f"{name} {ver}: the {lid} text is not that licence's text")


def schema_errors(text):
    """The CycloneDX 1.5 schema's verdict on TEXT: None when valid."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    return JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)


def check_sbom(name, data, want):
    try:
        bom = json.loads(data)
    except ValueError as e:
        fail(f"{name}: not JSON ({e})")
        return
    if bom.get("specVersion") == "1.5":
        err = schema_errors(data.decode())
        if err is not None:
            fail(f"{name}: not valid CycloneDX 1.5: {err}")
    if bom.get("bomFormat") != "CycloneDX" or not str(bom.get("specVersion", "")).startswith("1."):
        fail(f"{name}: not a CycloneDX BOM")
    purls = {c.get("purl", "").split("?")[0] for c in bom.get("components", [])}
    for n, v in sorted(want):
        if f"pkg:cargo/{n}@{v}" not in purls:
            fail(f"{name}: no component pkg:cargo/{n}@{v}")


def main():
    artifact, package, triples, root = sys.argv[1:5]
    want = expected(package, [t for t in triples.split(",") if t], root)
    if not want:
        fail(f"cargo tree lists no crates for {package} {triples}")
    broken = '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "nonsense"}]}'
    if schema_errors(broken) is None:
        fail("the CycloneDX schema check accepts a broken BOM")
    files = members(artifact)
    seen = in_binaries(files)
    print(f"crates named in the binaries: {len(seen)}; not in cargo tree: {sorted(seen - set(want))}")
    for key in seen - set(want):
        want[key] = ""  # its licence expression is not known here: any text will do
    notices = [n for n in files if n.endswith(("/THIRD-PARTY-NOTICES", "/Third Party Notices.md"))]
    if len(notices) != 1:
        fail(f"want one THIRD-PARTY-NOTICES (or Third Party Notices.md), found {notices}")
    else:
        check_notices(files[notices[0]].decode(), want)
    sboms = [n for n in files if n.endswith("/sbom.cdx.json") or re.search(r"\.dist-info/sboms/.*\.json$", n)]
    if not sboms:
        fail("no SBOM (sbom.cdx.json, .dist-info/sboms/*.json)")
    for n in sboms:
        check_sbom(n, files[n], want)
    print(f"{artifact}: {len(want)} crates of {package} ({triples}), {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
