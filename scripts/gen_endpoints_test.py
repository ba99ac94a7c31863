#!/usr/bin/env python3
"""Tests of gen_endpoints.py, on scratch copies of the table and its
generated files, so the checkout's files are never touched."""

import contextlib
import io
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_endpoints  # noqa: E402

ROOT = gen_endpoints.ROOT
FILES = [gen_endpoints.TABLE, gen_endpoints.C_SWEEP]


class Scratch:
    """A scratch root holding copies of the table and the generated files."""

    def __enter__(self):
        self.dir = Path(tempfile.mkdtemp())
        for path in FILES:
            (self.dir / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, self.dir / path.relative_to(ROOT))
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)

    def path(self, real):
        return self.dir / real.relative_to(ROOT)

    def edit(self, real, old, new):
        text = self.path(real).read_text()
        assert old in text, old
        self.path(real).write_text(text.replace(old, new, 1))

    def run(self, *args):
        """(exit code, stdout, stderr) of `gen_endpoints.py ARGS --root SCRATCH`."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = gen_endpoints.main([*args, "--root", str(self.dir)])
        return code, out.getvalue(), err.getvalue()


TAG = 'name = "tag_exists"'


class Generated(unittest.TestCase):
    def test_a_current_copy_passes_the_check(self):
        with Scratch() as s:
            self.assertEqual(s.run()[0], 0)
            code, out, err = s.run("--check")
            self.assertEqual((code, err), (0, ""))
            self.assertIn("generated parts current", out)

    def test_a_changed_example_makes_the_c_sweep_stale_until_regenerated(self):
        with Scratch() as s:
            s.run()
            s.edit(gen_endpoints.TABLE, '{ name = "version", type = "str", example = "1.25" }',
                   '{ name = "version", type = "str", example = "latest" }')
            code, _, err = s.run("--check")
            self.assertEqual(code, 1)
            self.assertIn("tests/c/endpoints.g.h", err)
            self.assertEqual(s.run()[0], 0)
            self.assertIn('"latest"', s.path(gen_endpoints.C_SWEEP).read_text())
            self.assertEqual(s.run("--check")[0], 0)

    def test_a_hand_edit_of_a_generated_part_is_stale(self):
        with Scratch() as s:
            s.run()
            s.edit(gen_endpoints.C_SWEEP, "GAMEYE_STATUS_NOT_FOUND", "GAMEYE_STATUS_OK")
            self.assertEqual(s.run("--check")[0], 1)
            s.edit(gen_endpoints.TABLE, "| `GET /session/{id}`", "| `GET /session/{ID}`")
            code, _, err = s.run("--check")
            self.assertIn("api/ENDPOINTS.md", err)

    def test_a_new_block_reaches_every_generated_part(self):
        with Scratch() as s:
            block = "\n".join([
                "```toml",
                'name = "image_exists"',
                'http = "GET /image/{image}"',
                'scope = "regions:read"',
                'summary = "Whether an image exists"',
                'returns = "a bool"',
                'c = "gameye_image_exists"',
                'cpp = "image_exists"',
                'csharp = "ImageExists"',
                'python = "image_exists"',
                'cli = "image exists {image}"',
                'args = [{ name = "image", type = "str", example = "nginx" }]',
                'expect = "OK"',
                "```",
                "",
            ])
            text = s.path(gen_endpoints.TABLE).read_text() + "\n" + block
            s.path(gen_endpoints.TABLE).write_text(text)
            self.assertEqual(s.run()[0], 0)
            self.assertIn("`ImageExists`", s.path(gen_endpoints.TABLE).read_text())
            sweep = s.path(gen_endpoints.C_SWEEP).read_text()
            self.assertIn("return gameye_image_exists_async(client, arg == 0 ? value : \"nginx\");", sweep)
            self.assertIn("return sweep_outcome(c.image_exists_async(arg == 0 ? value : \"nginx\").get());", sweep)
            code, out, _ = s.run("--tsv")
            self.assertIn("image_exists\tImageExists\tImageExistsAsync\tOK\t1\timage exists {image}\timage:path:nginx", out)


class Rules(unittest.TestCase):
    def broken(self, old, new):
        """The error of the table with `old` replaced by `new`."""
        with Scratch() as s:
            s.edit(gen_endpoints.TABLE, old, new)
            code, _, err = s.run("--check")
            self.assertEqual(code, 1)
            return err

    def test_a_missing_key(self):
        self.assertIn("tag_exists: no `scope`", self.broken('scope = "regions:read"\nsummary = "Whether', 'summary = "Whether'))

    def test_a_missing_binding_name(self):
        self.assertIn("no name for ['csharp']", self.broken('csharp = "TagExists"\n', ""))

    def test_an_unknown_key(self):
        self.assertIn("unknown keys ['pyhton']", self.broken('python = "tag_exists"', 'pyhton = "tag_exists"'))

    def test_a_second_block_of_a_name(self):
        self.assertIn("get_session: a second block", self.broken('name = "logs"', 'name = "get_session"'))

    def test_an_argument_of_an_unknown_type(self):
        self.assertIn("argument", self.broken('type = "str", example = "europe"', 'type = "int", example = "europe"'))

    def test_a_list_argument_needs_a_list_example(self):
        err = self.broken('type = "strs", example = ["sweep-nobody"]', 'type = "strs", example = "sweep-nobody"')
        self.assertIn("players's example does not fit its type", err)

    def test_a_swept_endpoint_needs_its_status(self):
        self.assertIn("needs `args` and `expect`", self.broken('expect = "OK"\n```\n\n```toml\nname = "create_session_near"', '```\n\n```toml\nname = "create_session_near"'))

    def test_an_unswept_endpoint_says_why(self):
        self.assertIn("`sweep = false` needs `why`", self.broken('why = "Rust only"\n', ""))

    def test_a_cli_line_names_each_argument(self):
        err = self.broken('cli = "tag exists {region} {image} {version}"', 'cli = "tag exists {region} {image}"')
        self.assertIn("`cli` has a `{name}` for each argument", err)

    def test_a_bad_status(self):
        self.assertIn("`expect` is a status", self.broken('expect = "NOT_FOUND"', 'expect = "404"'))

    def test_broken_toml(self):
        self.assertIn("api/ENDPOINTS.md", self.broken(TAG, 'name = tag_exists"'))


if __name__ == "__main__":
    unittest.main(verbosity=1)
