"""Each check of tests/dist/check_macho.py fails on a wrong input.

Run by tests/dist/run.sh (tests/dist/macos.sh) on the shipped universal
libgameye.dylib and libgameye.a (GAMEYE_MACHO_DYLIB, GAMEYE_MACHO_STATIC):
the file as shipped passes; each test changes one thing, the way a broken
build would, and expects that problem named in the output.
"""

import contextlib
import io
import os
import struct
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_macho  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HEADER = str(ROOT / "include" / "gameye.h")
DYLIB_ARGS = ["--install-name", "@rpath/libgameye.dylib", "--header", HEADER]


def run(*argv):
    """check_macho's exit status and output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = check_macho.main(list(argv))
    return status, out.getvalue()


def fat_slices(data, arch=None):
    """(offset, size) of each slice (of CPU type arch) of a universal file."""
    n = struct.unpack_from(">I", data, 4)[0]
    cpus = {v: k for k, v in check_macho.CPU_NAMES.items()}
    return [
        struct.unpack_from(">II", data, 8 + 20 * i + 8)
        for i in range(n)
        if arch is None or struct.unpack_from(">i", data, 8 + 20 * i)[0] == cpus[arch]
    ]


def command_offsets(data, base, cmd):
    """Offsets of the load commands cmd in the slice at base."""
    ncmds = struct.unpack_from("<I", data, base + 16)[0]
    out, off = [], base + 32
    for _ in range(ncmds):
        c, size = struct.unpack_from("<II", data, off)
        if c == cmd:
            out.append(off)
        off += size
    return out


class MachOChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dylib = Path(os.environ["GAMEYE_MACHO_DYLIB"]).read_bytes()
        cls.static = Path(os.environ["GAMEYE_MACHO_STATIC"]).read_bytes()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, data):
        path = Path(self.tmp.name) / name
        path.write_bytes(bytes(data))
        return str(path)

    def patch_each_slice(self, cmd, patch):
        """A copy of the dylib with patch(data, command_offset) applied in every slice."""
        data = bytearray(self.dylib)
        for base, _ in fat_slices(data):
            for off in command_offsets(data, base, cmd):
                patch(data, off)
        return data

    def assert_fails(self, expect, *argv):
        status, out = run(*argv)
        self.assertEqual(status, 1, out)
        self.assertIn(expect, out)

    def test_shipped_files_pass(self):
        status, out = run("image", os.environ["GAMEYE_MACHO_DYLIB"], *DYLIB_ARGS)
        self.assertEqual(status, 0, out)
        status, out = run("archive", os.environ["GAMEYE_MACHO_STATIC"], "--header", HEADER)
        self.assertEqual(status, 0, out)

    def test_thin_arm64_dylib(self):
        arm64 = [body for arch, body in check_macho.slices(self.dylib) if arch == "arm64"][0]
        self.assert_fails("architectures ['arm64'], want arm64,x86_64", "image", self.write("thin.dylib", arm64), *DYLIB_ARGS)

    def test_thin_static_library(self):
        x86 = [body for arch, body in check_macho.slices(self.static) if arch == "x86_64"][0]
        self.assert_fails("architectures ['x86_64']", "archive", self.write("thin.a", x86), "--header", HEADER)

    def test_build_path_install_name(self):
        def rename(data, off):
            name = off + struct.unpack_from("<I", data, off + 8)[0]
            data[name : name + 14] = b"/tmp/libg.dyl\0"

        data = self.patch_each_slice(check_macho.LC_ID_DYLIB, rename)
        self.assert_fails("install name /tmp/libg.dyl, want @rpath", "image", self.write("name.dylib", data), *DYLIB_ARGS)

    def test_homebrew_library(self):
        def brew(data, off):
            name = off + struct.unpack_from("<I", data, off + 8)[0]
            if data[name : name + 25] == b"/usr/lib/libiconv.2.dylib":
                data[name : name + 25] = b"/opt/lib/libiconv.2.dylib"

        data = self.patch_each_slice(check_macho.LC_LOAD_DYLIB, brew)
        self.assert_fails("links /opt/lib/libiconv.2.dylib, not a macOS system library", "image", self.write("brew.dylib", data), *DYLIB_ARGS)

    def test_minimum_macos_12(self):
        def minos12(data, off):
            struct.pack_into("<I", data, off + 12, 12 << 16)

        data = self.patch_each_slice(check_macho.LC_BUILD_VERSION, minos12)
        self.assert_fails("minimum macOS (12, 0, 0), want at most 11.0", "image", self.write("minos.dylib", data), *DYLIB_ARGS)

    def test_changed_page_voids_signature(self):
        data = bytearray(self.dylib)
        base, _ = fat_slices(data, "arm64")[0]  # signed by the linker (macOS requires it there)
        data[base + 3 * 4096 + 100] ^= 0xFF
        self.assert_fails("code signature: page hash mismatch at pages [", "image", self.write("page.dylib", data), *DYLIB_ARGS)

    def test_header_declares_more(self):
        header = Path(HEADER).read_text() + "\nint gameye_not_built(void);\n"
        extra = self.write("gameye.h", header.encode())
        args = ["--install-name", "@rpath/libgameye.dylib", "--header", extra]
        self.assert_fails("does not export _gameye_not_built", "image", os.environ["GAMEYE_MACHO_DYLIB"], *args)
        self.assert_fails("does not define _gameye_not_built", "archive", os.environ["GAMEYE_MACHO_STATIC"], "--header", extra)

    def test_unwanted_export(self):
        data = bytearray(self.dylib)
        for base, _ in fat_slices(data):
            image = check_macho.MachO(bytes(data[base:]))
            trie = image.find(check_macho.LC_DYLD_EXPORTS_TRIE)
            start, size = struct.unpack_from("<II", data, base + trie[0] + 8) if trie else (0, 0)
            if not trie:
                off = image.find(check_macho.LC_DYLD_INFO, check_macho.LC_DYLD_INFO_ONLY)[0]
                start, size = struct.unpack_from("<II", data, base + off + 40)
            at = data.index(b"personality", base + start, base + start + size)
            data[at + 10] = ord("z")  # _rust_eh_personality -> _rust_eh_personalitz
        self.assert_fails("exports _rust_eh_personalitz, which it should not", "image", self.write("export.dylib", data), *DYLIB_ARGS)

    def test_program_is_not_a_dylib(self):
        self.assert_fails("is a dylib, want execute", "image", os.environ["GAMEYE_MACHO_DYLIB"], "--kind", "execute")


if __name__ == "__main__":
    unittest.main()
