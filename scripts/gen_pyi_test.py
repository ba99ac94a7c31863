#!/usr/bin/env python3
"""Tests of gen_pyi.py: on scratch copies of bindings/python/src, edited, so
the real sources and stub are never touched."""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_pyi  # noqa: E402

ROOT = gen_pyi.ROOT


class Scratch:
    """A scratch root with copies of the extension's sources and its stub."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp()
        for rel in (gen_pyi.SRC, os.path.dirname(gen_pyi.OUT)):
            shutil.copytree(os.path.join(ROOT, rel), os.path.join(self.dir, rel))
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)

    def edit(self, name, old, new):
        path = os.path.join(self.dir, gen_pyi.SRC, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        assert old in text, old
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))

    def stub(self):
        return gen_pyi.render(gen_pyi.load(self.dir))

    def main(self, *args):
        out, err = io.StringIO(), io.StringIO()
        argv = sys.argv
        sys.argv = ["gen_pyi.py", "--root", self.dir, *args]
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = gen_pyi.main()
        finally:
            sys.argv = argv
        return code, out.getvalue() + err.getvalue()


class GenPyiTest(unittest.TestCase):
    def test_the_checked_in_stub_is_what_the_sources_give(self):
        with Scratch() as s:
            self.assertEqual(s.main("--check")[0], 0)

    def test_check_fails_on_a_changed_docstring_and_write_repairs_it(self):
        with Scratch() as s:
            s.edit("endpoints.rs", '#[blocking = "Describes one session', '#[blocking = "Describes a session')
            code, out = s.main("--check")
            self.assertEqual(code, 1)
            self.assertIn('+        """Describes a session (``GET /session/{id}``)', out)
            self.assertEqual(s.main()[0], 0)
            self.assertEqual(s.main("--check")[0], 0)

    def test_one_declaration_gives_both_clients_their_method(self):
        with Scratch() as s:
            s.edit(
                "endpoints.rs",
                '    #[blocking = "Whether the image tag',
                '    /// Pongs.\n    #[asyncio = "Pongs, later."]\n'
                '    fn ping(id: String as "str", *, twice: bool as "bool" = false) -> "int" {\n'
                "        call core.ping(&id), core.ping_async(&id);\n"
                '        map |n: u64| n\n    }\n\n    #[blocking = "Whether the image tag',
            )
            stub = s.stub()
        self.assertIn('    def ping(self, id: str, *, twice: bool = False) -> int:\n        """Pongs."""', stub)
        self.assertIn(
            '    def ping(self, id: str, *, twice: bool = False) -> asyncio.Future[int]:\n        """Pongs, later."""',
            stub,
        )

    def test_each_client_gets_its_head_over_the_shared_text(self):
        with Scratch() as s:
            s.edit(
                "endpoints.rs",
                '    #[blocking = "Whether the image tag',
                '    #[blocking = "Pongs."]\n    #[asyncio = "Pongs, later."]\n'
                "    /// Args:\n    ///     id: Whom.\n"
                '    fn ping(id: String as "str") -> "int" {\n'
                "        call core.ping(&id), core.ping_async(&id);\n"
                '        map |n: u64| n\n    }\n\n    #[blocking = "Whether the image tag',
            )
            stub = s.stub()
        shared = "\n\n        Args:\n            id: Whom.\n        \"\"\""
        self.assertIn('    def ping(self, id: str) -> int:\n        """Pongs.' + shared, stub)
        self.assertIn('    def ping(self, id: str) -> asyncio.Future[int]:\n        """Pongs, later.' + shared, stub)

    def test_rust_types_become_python_types_by_side(self):
        with Scratch() as s:
            stub = s.stub()
        # A Vec is a Sequence when taken, a list when given; a map likewise.
        self.assertIn("def __new__(cls, id: str, host: str, ports: Sequence[Port]) -> Session:", stub)
        self.assertIn("    def ports(self) -> list[Port]:", stub)
        self.assertIn("        port: Mapping[str, int],", stub)
        self.assertIn("    def port(self) -> dict[str, int]:", stub)
        self.assertIn("    def player_count(self) -> int | None:", stub)

    def test_a_type_it_cannot_name_stops_it_with_the_item(self):
        with Scratch() as s:
            s.edit("session_logs.rs", "    // py: -> asyncio.Future[str]\n", "")
            code, out = s.main("--check")
        self.assertEqual(code, 2)
        self.assertIn("AsyncLogStream.__anext__: no Python type for the Rust type `PyAny`", out)

    def test_a_declaration_without_its_python_type_is_refused(self):
        with Scratch() as s:
            s.edit("endpoints.rs", 'fn logs(id: String as "str")', "fn logs(id: String)")
            with self.assertRaisesRegex(gen_pyi.StubError, r"endpoints.rs: logs: cannot read `id : String`"):
                s.stub()

    def test_a_registered_class_needs_its_doc(self):
        with Scratch() as s:
            s.edit("types.rs", "/// A location that can host an image.", "//")
            with self.assertRaisesRegex(gen_pyi.StubError, "PyLocation"):
                s.stub()


if __name__ == "__main__":
    unittest.main()
