#!/usr/bin/env python3
"""Tests of gen_csharp.py: on the real header (read only) and on scratch
copies of the checkout's generated files, so the real files are never touched."""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_csharp  # noqa: E402

ROOT = gen_csharp.ROOT


def read(rel, root=ROOT):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


class Scratch:
    """A scratch root holding copies of the header and the generated files."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp()
        for rel in [gen_csharp.HEADER] + list(gen_csharp.generate(read(gen_csharp.HEADER))):
            os.makedirs(os.path.dirname(os.path.join(self.dir, rel)), exist_ok=True)
            shutil.copy(os.path.join(ROOT, rel), os.path.join(self.dir, rel))
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)

    def edit_header(self, old, new):
        text = read(gen_csharp.HEADER, self.dir)
        assert old in text, old
        with open(os.path.join(self.dir, gen_csharp.HEADER), "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))

    def check(self):
        """(exit code, stdout, stderr) of `gen_csharp.py --check --root SCRATCH`."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = gen_csharp.main(["--check", "--root", self.dir])
        return code, out.getvalue(), err.getvalue()


class CheckedInFiles(unittest.TestCase):
    # Whether the checkout is up to date is `gen_csharp.py --check` itself (scripts/test.sh).
    def test_an_untouched_copy_passes(self):
        with Scratch() as s:
            for rel, text in gen_csharp.generate(read(gen_csharp.HEADER, s.dir)).items():
                with open(os.path.join(s.dir, rel), "w", encoding="utf-8") as f:
                    f.write(text)
            self.assertEqual(s.check(), (0, "", ""))

    def test_each_file_starts_with_the_banner(self):
        for rel, text in gen_csharp.generate(read(gen_csharp.HEADER)).items():
            self.assertIn(gen_csharp.BANNER, text.split("\n")[0], rel)


class CheckFails(unittest.TestCase):
    def failed_check(self, old, new):
        """The diff and message of --check once a scratch header's `old` became `new`."""
        with Scratch() as s:
            s.edit_header(old, new)
            code, out, err = s.check()
        self.assertEqual(code, 1)
        return out, err

    def test_a_new_struct_field_changes_types_and_layout(self):
        out, err = self.failed_check(
            "  uint32_t attempts;\n} GameyeResult;",
            "  uint32_t attempts;\n  /**\n   * New.\n   */\n  int64_t new_field;\n} GameyeResult;")
        self.assertIn("+        public long new_field;", out)
        self.assertIn("+    F(GameyeResult, new_field);", out)
        self.assertIn("NativeTypes.g.cs", err)

    def test_a_new_function_gets_its_declaration(self):
        out, _ = self.failed_check(
            "void gameye_queue_free(struct GameyeQueue *queue);",
            "void gameye_queue_free(struct GameyeQueue *queue);\n\n/**\n * Pings.\n */\n"
            "struct GameyeOperation *gameye_thing_ping_async(const struct GameyeClient *client,\n"
            "                                                const char *const *names,\n"
            "                                                size_t names_len);")
        self.assertIn("+        public static extern OperationHandle gameye_thing_ping_async("
                      "ClientHandle client, IntPtr[] names, UIntPtr names_len);", out)

    def test_a_new_status_keeps_the_numbers(self):
        out, _ = self.failed_check("  GAMEYE_STATUS_PANIC = 900,",
                                   "  GAMEYE_STATUS_NEW_THING = 650,\n  GAMEYE_STATUS_PANIC = 900,")
        self.assertIn("+        NewThing = 650,", out)
        self.assertNotIn("-        Panic = 900,", out)

    def test_a_hand_edit_of_a_generated_file_fails(self):
        with Scratch() as s:
            path = os.path.join(s.dir, gen_csharp.OUT_METHODS)
            with open(path, "a", encoding="utf-8") as f:
                f.write("// hand edit\n")
            self.assertEqual(s.check()[0], 1)

    def test_a_stray_file_in_generated_fails(self):
        with Scratch() as s:
            with open(os.path.join(s.dir, gen_csharp.GENERATED_DIR, "Old.g.cs"), "w") as f:
                f.write("")
            code, out, _ = s.check()
            self.assertEqual(code, 1)
            self.assertIn("Old.g.cs: not generated", out)


class Mappings(unittest.TestCase):
    def generate(self, extra):
        end = "#ifdef __cplusplus\n}"  # the end of the functions' extern "C" block
        return gen_csharp.generate(read(gen_csharp.HEADER).replace(end, extra + "\n" + end))

    def test_free_functions_take_intptr_and_owned_returns_a_safehandle(self):
        methods = gen_csharp.generate(read(gen_csharp.HEADER))[gen_csharp.OUT_METHODS]
        self.assertIn("public static extern void gameye_result_free(IntPtr result);", methods)
        self.assertIn("public static extern ResultHandle gameye_client_new(byte[] config_json, "
                      "out ClientHandle client_out);", methods)
        self.assertIn("public static extern void gameye_log_stream_close(LogStreamHandle stream);", methods)
        self.assertIn("public delegate void CompletionCallback(IntPtr userdata, IntPtr operation);", methods)

    def test_an_unknown_type_stops_the_generator(self):
        with self.assertRaisesRegex(gen_csharp.HeaderError, "float"):
            self.generate("float gameye_thing_ratio(void);")

    def test_an_opaque_type_without_a_handle_stops_the_generator(self):
        with self.assertRaisesRegex(gen_csharp.HeaderError, "GameyeThing has no SafeHandle"):
            self.generate("typedef struct GameyeThing GameyeThing;")

    def test_an_unknown_form_stops_the_generator(self):
        with self.assertRaisesRegex(gen_csharp.HeaderError, "not a form"):
            self.generate("union GameyeU { int a; };")

    def test_doc_text_is_escaped(self):
        self.assertEqual(gen_csharp.xml_text(["a `x<y>` & b"]), "a <c>x&lt;y&gt;</c> &amp; b")


if __name__ == "__main__":
    unittest.main()
