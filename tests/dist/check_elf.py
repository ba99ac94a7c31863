#!/usr/bin/env python3
"""Binary checks of the release artifacts (tests/dist/run.sh), standard library only.

  check_elf.py glibc --max 2.17 PATH...
      Every ELF executable or shared library in PATH (files, folders, and
      .tar.gz/.tgz/.zip/.whl archives, searched inside) needs no symbol
      version above GLIBC_<max>. Prints each file's highest GLIBC_ version
      and, for one that is too new, the symbols that need it. Fails when
      no ELF file was found, so a wrong path cannot pass.

  check_elf.py staticlib --header include/gameye.h --nm NM LIB
      The static library LIB (ar archive of ELF or COFF objects) has no
      member with embedded LLVM bitcode (.llvmbc/.llvmcmd: clang -flto
      of another LLVM version fails on it) nor debug info (stripped, as
      shipped), and NM reads its symbol table
      without errors, defining exactly the functions the header declares.

  check_elf.py debuglink --debug DEBUGFILE BINARY
      BINARY (stripped) names DEBUGFILE in .gnu_debuglink with a matching
      CRC, and (ELF) both carry the same GNU build id.
"""

import argparse
import re
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

SHT_DYNSYM = 11
SHT_NOTE = 7
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERSYM = 0x6FFFFFFF
ET_EXEC, ET_DYN = 2, 3


class Elf:
    """The parts of a 64-bit little-endian ELF file these checks read."""

    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a 64-bit little-endian ELF file")
        self.data = data
        self.type = struct.unpack_from("<H", data, 16)[0]
        shoff = struct.unpack_from("<Q", data, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        self.sections = []
        for i in range(shnum):
            f = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            self.sections.append(
                {"name_off": f[0], "type": f[1], "offset": f[4], "size": f[5], "link": f[6], "info": f[7]}
            )
        if self.sections:
            strtab = self.sections[shstrndx]
            for s in self.sections:
                s["name"] = self.cstr(strtab["offset"] + s["name_off"])

    def cstr(self, off):
        return self.data[off : self.data.index(b"\0", off)].decode("latin-1")

    def section(self, name):
        return next((s for s in self.sections if s["name"] == name), None)

    def body(self, s):
        return self.data[s["offset"] : s["offset"] + s["size"]]

    def version_needs(self):
        """{version index: (library, version name)} of .gnu.version_r."""
        needs = {}
        for s in self.sections:
            if s["type"] != SHT_GNU_VERNEED:
                continue
            strs = self.sections[s["link"]]["offset"]
            off = s["offset"]
            for _ in range(s["info"]):
                _, cnt, file_off, aux, nxt = struct.unpack_from("<HHIII", self.data, off)
                lib = self.cstr(strs + file_off)
                a = off + aux
                for _ in range(cnt):
                    _, _, other, name_off, anext = struct.unpack_from("<IHHII", self.data, a)
                    needs[other] = (lib, self.cstr(strs + name_off))
                    a += anext
                off += nxt
        return needs

    def undefined_symbols_by_version(self):
        """{version index: [undefined dynamic symbol names]}."""
        dynsym = next((s for s in self.sections if s["type"] == SHT_DYNSYM), None)
        versym = next((s for s in self.sections if s["type"] == SHT_GNU_VERSYM), None)
        out = {}
        if dynsym is None or versym is None:
            return out
        strs = self.sections[dynsym["link"]]["offset"]
        for i in range(dynsym["size"] // 24):
            name_off, _, _, shndx = struct.unpack_from("<IBBH", self.data, dynsym["offset"] + i * 24)
            ver = struct.unpack_from("<H", self.data, versym["offset"] + i * 2)[0] & 0x7FFF
            if shndx == 0 and ver > 1:
                out.setdefault(ver, []).append(self.cstr(strs + name_off))
        return out

    def build_id(self):
        s = self.section(".note.gnu.build-id")
        if s is None:
            return None
        namesz, descsz, _ = struct.unpack_from("<III", self.data, s["offset"])
        desc = s["offset"] + 12 + ((namesz + 3) & ~3)
        return self.data[desc : desc + descsz].hex()


def version_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def elf_files(paths):
    """(display name, bytes) of every ELF executable or shared library in paths."""

    def from_bytes(name, data):
        if data[:4] == b"\x7fELF":
            yield name, data

    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not f.is_symlink():
                    yield from elf_files([f])
        elif p.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(p) as t:
                for m in t.getmembers():
                    if m.isfile():
                        yield from from_bytes(f"{p.name}:{m.name}", t.extractfile(m).read())
        elif p.name.endswith((".zip", ".whl")):
            with zipfile.ZipFile(p) as z:
                for n in z.namelist():
                    yield from from_bytes(f"{p.name}:{n}", z.read(n))
        else:
            yield from from_bytes(str(p), p.read_bytes())


def cmd_glibc(args):
    limit = version_key(args.max)
    seen = bad = 0
    for name, data in elf_files(args.paths):
        elf = Elf(data)
        if elf.type not in (ET_EXEC, ET_DYN):
            continue
        seen += 1
        needs = {i: v for i, (_, v) in elf.version_needs().items() if v.startswith("GLIBC_")}
        # GLIBC_PRIVATE and the like carry no number: never allowed.
        highest = max(needs.values(), key=lambda v: version_key(v) or (999,), default="(none)")
        too_new = {i: v for i, v in needs.items() if not version_key(v) or version_key(v) > limit}
        print(f"{'FAIL' if too_new else 'ok  '} {name}: highest {highest}")
        if too_new:
            bad += 1
            syms = elf.undefined_symbols_by_version()
            for i, v in sorted(too_new.items(), key=lambda kv: version_key(kv[1])):
                print(f"       {v}: {', '.join(sorted(syms.get(i, []))) or '(no symbol)'}")
    print(f"{seen} ELF executables/shared libraries, {bad} need more than GLIBC_{args.max}")
    return 1 if bad or not seen else 0


def ar_members(data):
    """(name, bytes) of the members of an ar archive (GNU/BSD long names)."""
    if data[:8] != b"!<arch>\n":
        raise ValueError("not an ar archive")
    off, longnames = 8, b""
    while off + 60 <= len(data):
        hdr = data[off : off + 60]
        name = hdr[:16].decode("latin-1").rstrip()
        size = int(hdr[48:58].decode().strip())
        body = data[off + 60 : off + 60 + size]
        off += 60 + size + (size & 1)
        if name == "//":
            longnames = body
            continue
        if name in ("/", "/SYM64/", "__.SYMDEF", "__.SYMDEF SORTED"):
            continue
        if name.startswith("/") and name[1:].isdigit():
            start = int(name[1:])
            name = longnames[start : longnames.index(b"\n", start)].decode("latin-1")
        elif name.startswith("#1/"):
            n = int(name[3:])
            name, body = body[:n].rstrip(b"\0").decode("latin-1"), body[n:]
        yield name.rstrip("/"), body


def section_names(data):
    """Section names of an ELF or COFF object."""
    if data[:4] == b"\x7fELF":
        return [s["name"] for s in Elf(data).sections]
    nsec, _, symptr, nsyms, optsize = struct.unpack_from("<HIIIH", data, 2)
    strtab = symptr + nsyms * 18
    names = []
    for i in range(nsec):
        raw = data[20 + optsize + i * 40 : 20 + optsize + i * 40 + 8].rstrip(b"\0").decode("latin-1")
        if raw.startswith("/") and raw[1:].isdigit():
            start = strtab + int(raw[1:])
            raw = data[start : data.index(b"\0", start)].decode("latin-1")
        names.append(raw)
    return names


def header_functions(header):
    """Names of the functions a C header declares (declarations start in column 0)."""
    text = Path(header).read_text()
    return set(re.findall(r"^(?![ /*#}]).*?\b(gameye_\w+)\(", text, re.M))


def cmd_staticlib(args):
    data = Path(args.lib).read_bytes()
    members = list(ar_members(data))
    sections = [(n, set(section_names(body))) for n, body in members]
    with_bitcode = [n for n, names in sections if {".llvmbc", ".llvmcmd"} & names]
    with_debug = [n for n, names in sections if any(x.startswith((".debug_", ".zdebug_")) for x in names)]
    print(
        f"{args.lib}: {len(data)} bytes, {len(members)} members, {len(with_bitcode)} with embedded bitcode, "
        f"{len(with_debug)} with debug info"
    )
    for n in with_bitcode[:10]:
        print(f"  bitcode in {n}")
    for n in with_debug[:10]:
        print(f"  debug info in {n}")
    nm = subprocess.run([args.nm, "-g", "--defined-only", args.lib], capture_output=True, text=True)
    # "no symbols" is a member without global definitions; anything else
    # (a plugin that failed, an unrecognized format) is an error.
    errors = [line for line in nm.stderr.splitlines() if line.strip() and not line.endswith(": no symbols")]
    for line in errors[:10]:
        print(f"  {args.nm}: {line}")
    defined = set(re.findall(r"^[0-9a-fA-F]+ T (gameye_\w+)$", nm.stdout, re.M))
    want = header_functions(args.header)
    print(f"{args.nm}: {len(defined)} gameye_ functions defined; the header declares {len(want)}")
    for n in sorted(want - defined):
        print(f"  missing: {n}")
    for n in sorted(defined - want):
        print(f"  not in the header: {n}")
    ok = not with_bitcode and not with_debug and nm.returncode == 0 and not errors and defined == want and want
    return 0 if ok else 1


def gnu_debuglink(data):
    """(file name, CRC32) of an ELF or PE file's .gnu_debuglink section."""
    if data[:4] == b"\x7fELF":
        elf = Elf(data)
        s = elf.section(".gnu_debuglink")
        body = elf.body(s) if s else None
    else:
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        nsec, _, symptr, nsyms, optsize = struct.unpack_from("<HIIIH", data, pe + 6)
        body = None
        strtab = symptr + nsyms * 18
        for i in range(nsec):
            h = pe + 24 + optsize + i * 40
            raw = data[h : h + 8].rstrip(b"\0").decode("latin-1")
            if raw.startswith("/") and raw[1:].isdigit():
                start = strtab + int(raw[1:])
                raw = data[start : data.index(b"\0", start)].decode("latin-1")
            if raw == ".gnu_debuglink":
                size, _, rawsize, rawptr = struct.unpack_from("<IIII", data, h + 8)
                body = data[rawptr : rawptr + min(size, rawsize) if size else rawptr + rawsize]
    if body is None:
        return None
    name = body[: body.index(b"\0")]
    crc_off = (len(name) + 4) & ~3
    return name.decode(), struct.unpack_from("<I", body, crc_off)[0]


def cmd_debuglink(args):
    binary, debug = Path(args.binary).read_bytes(), Path(args.debug).read_bytes()
    link = gnu_debuglink(binary)
    crc = zlib.crc32(debug) & 0xFFFFFFFF
    print(f"{args.binary}: .gnu_debuglink {link}; {args.debug}: crc32 {crc}")
    ok = link is not None and link[0] == Path(args.debug).name and link[1] == crc
    if binary[:4] == b"\x7fELF":
        ids = Elf(binary).build_id(), Elf(debug).build_id()
        print(f"build ids: {ids[0]} / {ids[1]}")
        ok = ok and ids[0] is not None and ids[0] == ids[1]
    return 0 if ok else 1


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("glibc")
    g.add_argument("--max", required=True)
    g.add_argument("paths", nargs="+")
    s = sub.add_parser("staticlib")
    s.add_argument("--header", required=True)
    s.add_argument("--nm", default="nm")
    s.add_argument("lib")
    d = sub.add_parser("debuglink")
    d.add_argument("--debug", required=True)
    d.add_argument("binary")
    args = p.parse_args(argv)
    return {"glibc": cmd_glibc, "staticlib": cmd_staticlib, "debuglink": cmd_debuglink}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
