#!/usr/bin/env python3
"""Structural checks of the macOS artifacts (tests/dist/run.sh), standard library only.

The macOS binaries are built on Linux (cargo-zigbuild, llvm-lipo) and cannot
run here, so these checks read what macOS's loader would read:

  check_macho.py image FILE [--arches arm64,x86_64] [--kind dylib|execute]
                 [--install-name NAME] [--header include/gameye.h | --export SYM]...
                 [--max-minos 11.0]
      FILE (thin or universal Mach-O) has exactly the named architectures;
      each slice is of KIND, has the install name NAME (LC_ID_DYLIB), a
      minimum macOS version (LC_BUILD_VERSION minos) of at most MAX-MINOS,
      exports (the dyld export trie) exactly the header's functions or the
      named symbols (beside LINKER_EXTRAS below), links only the system libraries in SYSTEM_DYLIBS or
      /System/Library/Frameworks, and carries a code signature whose page
      hashes match its contents (arm64 macOS loads nothing unsigned; a tool
      that edits a signed file after linking breaks it).

  check_macho.py archive FILE --arches arm64,x86_64 --header include/gameye.h
      FILE (a static library, thin or universal) has exactly the named
      architectures, and every slice's objects are of that architecture,
      carry no LLVM bitcode (__LLVM segment) and define exactly the header's
      functions.

Prints what it read; exits 1 listing each problem.
"""

import argparse
import hashlib
import re
import struct
import sys
from pathlib import Path

from check_elf import ar_members, header_functions

CPU_NAMES = {0x01000007: "x86_64", 0x0100000C: "arm64"}
FILE_TYPES = {1: "object", 2: "execute", 6: "dylib", 8: "bundle"}
MH_MAGIC_64 = 0xFEEDFACF
FAT_MAGIC, FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF
LC_SYMTAB, LC_LOAD_DYLIB, LC_ID_DYLIB, LC_CODE_SIGNATURE, LC_SEGMENT_64 = 0x2, 0xC, 0xD, 0x1D, 0x19
LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION = 0x24, 0x32
LC_DYLD_INFO, LC_DYLD_INFO_ONLY, LC_DYLD_EXPORTS_TRIE = 0x22, 0x80000022, 0x80000033
# Every command that makes the loader open another library.
LOAD_COMMANDS = {LC_LOAD_DYLIB, 0x80000018, 0x8000001F, 0x20, 0x80000023}
PLATFORM_MACOS = 1
# The libraries of macOS itself (in the dyld shared cache of every version
# from 11 on) that a Rust program with rustls links: libc and the rest of
# libSystem, and libiconv (with libcharset) that Rust's libc crate names.
SYSTEM_DYLIBS = {"/usr/lib/libSystem.B.dylib", "/usr/lib/libiconv.2.dylib", "/usr/lib/libcharset.1.dylib"}
FRAMEWORK = re.compile(r"^/System/Library/Frameworks/\w+\.framework/")
# zig's Mach-O linker ignores -exported_symbols_list, so a dylib it links
# exports, beside the wanted names, the symbols that its inputs leave
# external after rustc's LTO: the image's header and DSO handle, Rust's
# unwinding personality and one static of std's panic code (a cdylib linked
# alone; with rlib and staticlib beside it, thousands). Harmless in macOS's
# two-level namespace; any other unwanted export fails.
LINKER_EXTRAS = re.compile(r"^(__mh_dylib_header|___dso_handle|_rust_eh_personality|__RNvNtCs\w+_3std9panicking11EMPTY_PANIC)$")
CSMAGIC_EMBEDDED_SIGNATURE, CSMAGIC_CODEDIRECTORY = 0xFADE0CC0, 0xFADE0C02
HASHES = {1: hashlib.sha1, 2: hashlib.sha256, 3: hashlib.sha256, 4: hashlib.sha384}


def slices(data):
    """(architecture, bytes) of each Mach-O slice of a thin or universal file."""
    magic = struct.unpack_from(">I", data)[0]
    if magic in (FAT_MAGIC, FAT_MAGIC_64):
        n = struct.unpack_from(">I", data, 4)[0]
        out = []
        for i in range(n):
            if magic == FAT_MAGIC:
                cpu, _, off, size, _ = struct.unpack_from(">iIIII", data, 8 + 20 * i)
            else:
                cpu, _, off, size, _, _ = struct.unpack_from(">iIQQII", data, 8 + 32 * i)
            out.append((CPU_NAMES.get(cpu, hex(cpu)), data[off : off + size]))
        return out
    return [(MachO(data).arch, data)]


def cstr(data, off):
    return data[off : data.index(b"\0", off)].decode("utf-8", "replace")


def uleb(data, off):
    """The unsigned LEB128 number at off, and the offset after it."""
    value = shift = 0
    while True:
        b = data[off]
        off += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, off


def version(v):
    """A Mach-O X.Y.Z version (xxxx.yy.zz nibbles) as a tuple."""
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


class MachO:
    """The load commands of one 64-bit little-endian Mach-O slice."""

    def __init__(self, data):
        magic, cpu, _, ftype, ncmds, _, _, _ = struct.unpack_from("<IiIIIIII", data)
        if magic != MH_MAGIC_64:
            raise ValueError(f"not a 64-bit Mach-O file (magic {magic:#x})")
        self.data, self.arch = data, CPU_NAMES.get(cpu, hex(cpu))
        self.kind = FILE_TYPES.get(ftype, str(ftype))
        self.commands = []
        off = 32
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", data, off)
            self.commands.append((cmd, off))
            off += size

    def find(self, *cmds):
        return [off for cmd, off in self.commands if cmd in cmds]

    def dylib_name(self, off):
        return cstr(self.data, off + struct.unpack_from("<I", self.data, off + 8)[0])

    def install_name(self):
        offs = self.find(LC_ID_DYLIB)
        return self.dylib_name(offs[0]) if offs else None

    def linked(self):
        return [self.dylib_name(off) for cmd, off in self.commands if cmd in LOAD_COMMANDS]

    def minos(self):
        for off in self.find(LC_BUILD_VERSION):
            platform, minos = struct.unpack_from("<II", self.data, off + 8)
            if platform == PLATFORM_MACOS:
                return version(minos)
        for off in self.find(LC_VERSION_MIN_MACOSX):
            return version(struct.unpack_from("<I", self.data, off + 8)[0])
        return None

    def exports(self):
        """Names in the dyld export trie (what another image can bind to)."""
        for off in self.find(LC_DYLD_EXPORTS_TRIE):
            start, size = struct.unpack_from("<II", self.data, off + 8)
            return trie_names(self.data[start : start + size])
        for off in self.find(LC_DYLD_INFO, LC_DYLD_INFO_ONLY):
            start, size = struct.unpack_from("<II", self.data, off + 40)
            return trie_names(self.data[start : start + size])
        return set()

    def segment_names(self):
        """The segment of every section (an object's sections: __TEXT, __LLVM, ...)."""
        names = set()
        for off in self.find(LC_SEGMENT_64):
            nsects = struct.unpack_from("<I", self.data, off + 64)[0]
            for i in range(nsects):
                seg = self.data[off + 72 + 80 * i + 16 : off + 72 + 80 * i + 32]
                names.add(seg.rstrip(b"\0").decode("latin-1"))
        return names

    def defined_externals(self):
        """External symbols a relocatable object (archive member) defines."""
        names = set()
        for off in self.find(LC_SYMTAB):
            symoff, nsyms, stroff, _ = struct.unpack_from("<IIII", self.data, off + 8)
            for i in range(nsyms):
                strx, ntype, _, _, _ = struct.unpack_from("<IBBHQ", self.data, symoff + 16 * i)
                if ntype & 0x01 and ntype & 0x0E == 0x0E:  # N_EXT, N_SECT
                    names.add(cstr(self.data, stroff + strx))
        return names

    def signature_problems(self):
        """Why the embedded code signature would not verify ([] when it does)."""
        offs = self.find(LC_CODE_SIGNATURE)
        if not offs:
            return ["no code signature (LC_CODE_SIGNATURE)"] if self.arch == "arm64" else []
        dataoff, datasize = struct.unpack_from("<II", self.data, offs[0] + 8)
        blob = self.data[dataoff : dataoff + datasize]
        magic, _, count = struct.unpack_from(">III", blob)
        if magic != CSMAGIC_EMBEDDED_SIGNATURE:
            return [f"code signature magic {magic:#x}"]
        problems, directories = [], 0
        for i in range(count):
            _, boff = struct.unpack_from(">II", blob, 12 + 8 * i)
            if struct.unpack_from(">I", blob, boff)[0] == CSMAGIC_CODEDIRECTORY:
                directories += 1
                problems += code_directory_problems(self.data, blob[boff:], dataoff)
        return problems if directories else ["code signature without a CodeDirectory"]


def code_directory_problems(data, cd, sig_offset):
    """Compares a CodeDirectory's page hashes with the slice's bytes."""
    hash_off, _, _, n_slots, code_limit, hash_size, hash_type, _, page_log = struct.unpack_from(
        ">IIIIIBBBB", cd, 16
    )
    if code_limit != sig_offset:
        return [f"signature covers {code_limit} bytes, the code ends at {sig_offset}"]
    if hash_type not in HASHES:
        return [f"unknown hash type {hash_type}"]
    page = 1 << page_log if page_log else code_limit
    bad = []
    for i in range(n_slots):
        want = cd[hash_off + i * hash_size : hash_off + (i + 1) * hash_size]
        got = HASHES[hash_type](data[i * page : min((i + 1) * page, code_limit)]).digest()[:hash_size]
        if got != want:
            bad.append(i)
    if n_slots != (code_limit + page - 1) // page:
        bad.append(f"{n_slots} slots for {code_limit} bytes")
    return [f"code signature: page hash mismatch at pages {bad[:8]}"] if bad else []


def trie_names(trie):
    """Every symbol name of a dyld export trie."""
    names, stack = set(), [(0, b"")]
    while stack and trie:
        off, prefix = stack.pop()
        terminal, p = uleb(trie, off)
        if terminal:
            names.add(prefix.decode())
        p += terminal
        for _ in range(trie[p]):
            end = trie.index(b"\0", p + 1)
            edge = trie[p + 1 : end]
            child, p = uleb(trie, end + 1)
            p -= 1  # the loop reads the next edge from p + 1
            stack.append((child, prefix + edge))
    return names


def wanted_exports(args):
    names = set(args.export or [])
    if args.header:
        names |= header_functions(args.header)
    return {"_" + n for n in names}


def check_image_slice(arch, image, args):
    """Problems of one slice of a linked image (library or program)."""
    problems = []
    if image.kind != args.kind:
        problems.append(f"is a {image.kind}, want {args.kind}")
    name = image.install_name()
    print(f"  [{arch}] {image.kind}; install name {name}; minos {image.minos()}")
    if args.install_name and name != args.install_name:
        problems.append(f"install name {name}, want {args.install_name}")
    minos, limit = image.minos(), tuple(int(x) for x in args.max_minos.split("."))
    if minos is None or minos[: len(limit)] > limit:
        problems.append(f"minimum macOS {minos}, want at most {args.max_minos}")
    for lib in image.linked():
        print(f"  [{arch}] links {lib}")
        if lib not in SYSTEM_DYLIBS and not FRAMEWORK.match(lib):
            problems.append(f"links {lib}, not a macOS system library")
    want = wanted_exports(args)
    if want:
        got = image.exports()
        extras = {n for n in got - want if LINKER_EXTRAS.match(n)}
        print(f"  [{arch}] {len(got)} exports; want {len(want)}; linker extras {sorted(extras)}")
        problems += [f"does not export {n}" for n in sorted(want - got)]
        unwanted = sorted(got - want - extras)
        problems += [f"exports {n}, which it should not" for n in unwanted[:20]]
        if len(unwanted) > 20:
            problems.append(f"exports {len(unwanted) - 20} more that it should not")
    return problems + image.signature_problems()


def check_archive_slice(arch, data, args):
    """Problems of one slice (an ar archive of objects) of a static library."""
    problems, defined, bitcode = [], set(), []
    members = [(n, b) for n, b in ar_members(data) if b[:4] == struct.pack("<I", MH_MAGIC_64)]
    for name, body in members:
        obj = MachO(body)
        if obj.arch != arch:
            problems.append(f"member {name} is {obj.arch}")
        if "__LLVM" in obj.segment_names():
            bitcode.append(name)
        defined |= {s for s in obj.defined_externals() if s.startswith("_gameye_")}
    want = wanted_exports(args)
    print(f"  [{arch}] {len(members)} objects; {len(defined)} gameye_ functions defined; want {len(want)}")
    if bitcode:
        # LLVM bitcode (fat LTO) that no linker reads: most of the file's size.
        problems.append(f"LLVM bitcode (__LLVM) in {len(bitcode)} objects, e.g. {bitcode[0]}")
    problems += [f"does not define {n}" for n in sorted(want - defined)]
    problems += [f"defines {n}, not in the header" for n in sorted(defined - want)]
    return problems


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["image", "archive"])
    p.add_argument("file")
    p.add_argument("--arches", default="arm64,x86_64")
    p.add_argument("--kind", default="dylib", choices=["dylib", "execute", "bundle"])
    p.add_argument("--install-name")
    p.add_argument("--header")
    p.add_argument("--export", action="append")
    p.add_argument("--max-minos", default="11.0")
    args = p.parse_args(argv)
    data = Path(args.file).read_bytes()
    parts = slices(data) if args.mode == "image" else archive_slices(data)
    arches = [a for a, _ in parts]
    print(f"{args.file}: {len(data)} bytes; architectures {arches}")
    problems = []
    if sorted(arches) != sorted(args.arches.split(",")):
        problems.append(f"architectures {arches}, want {args.arches}")
    for arch, body in parts:
        if args.mode == "image":
            found = check_image_slice(arch, MachO(body), args)
        else:
            found = check_archive_slice(arch, body, args)
        problems += [f"[{arch}] {x}" for x in found]
    for x in problems:
        print(f"FAIL {x}")
    return 1 if problems else 0


def archive_slices(data):
    """(architecture, ar archive) of each slice of a thin or universal static library."""
    if data[:8] == b"!<arch>\n":
        first = next((b for _, b in ar_members(data) if b[:4] == struct.pack("<I", MH_MAGIC_64)), None)
        return [(MachO(first).arch if first else "?", data)]
    return slices(data)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
