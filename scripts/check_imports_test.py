#!/usr/bin/env python3
"""Tests of check_imports.py on small crates written to a temporary folder."""

import os
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_imports  # noqa: E402


def circles(files):
    """The circles (sorted module names) of a crate made of `files`."""
    with tempfile.TemporaryDirectory() as d:
        for name, text in files.items():
            path = os.path.join(d, "src", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(textwrap.dedent(text))
        by_path, edges = check_imports.crate_graph("t", os.path.join(d, "src", "lib.rs"))
        comps = check_imports.strongly_connected(by_path, edges)
        return [["::".join(p) or "crate" for p in c] for c in comps]


class Circles(unittest.TestCase):
    def test_use_and_paths_make_a_circle(self):
        self.assertEqual(circles({
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "use crate::b::{self, Thing as Other};\n",
            "b.rs": "fn f() { crate::a::g(); }\n",
        }), [["a", "b"]])

    def test_a_one_way_graph_has_none(self):
        self.assertEqual(circles({
            "lib.rs": "mod a;\nmod b;\npub use a::A;\n",
            "a.rs": "use crate::b::B;\npub struct A;\n",
            "b.rs": "pub struct B;\n",
        }), [])

    def test_super_from_a_submodule_counts(self):
        self.assertEqual(circles({
            "lib.rs": "mod a;\n",
            "a.rs": "mod inner;\nfn f() { inner::g(); }\n",
            "a/inner.rs": "use super::f;\npub fn g() {}\n",
        }), [["a", "a::inner"]])

    def test_a_root_reexport_leads_to_its_module(self):
        # `crate::B` is b's item: a -> b, and b -> a closes a circle without
        # the root joining it.
        self.assertEqual(circles({
            "lib.rs": "mod a;\nmod b;\npub use b::B;\n",
            "a.rs": "fn f(_: crate::B) {}\npub struct A;\n",
            "b.rs": "pub struct B(crate::a::A);\n",
        }), [["a", "b"]])

    def test_an_item_of_the_root_is_the_root(self):
        self.assertEqual(circles({
            "lib.rs": "mod a;\npub struct Root;\nfn f() { a::g(); }\n",
            "a.rs": "pub fn g() -> crate::Root { crate::Root }\n",
        }), [["crate", "a"]])

    def test_tests_comments_and_strings_are_no_references(self):
        self.assertEqual(circles({
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "use crate::b::B;\n",
            "b.rs": """\
                pub struct B;
                // use crate::a::X;
                /* crate::a::Y */
                const S: &str = "crate::a::Z";
                const R: &str = r#"use crate::a::W;"#;
                #[cfg(test)]
                mod tests {
                    use crate::a::*;
                    use super::*;
                }
                #[cfg(test)]
                fn hook() { crate::a::h(); }
            """,
        }), [])


class LongFunctions(unittest.TestCase):
    def test_lengths_run_from_fn_to_closing_brace(self):
        body = "\n".join("    let x%d = '{';" % i for i in range(99))
        code = check_imports.strip_code(
            "fn short() {}\nfn long<'a>(x: &'a [u8; 2]) -> u8 {\n%s\n}\ntrait T { fn f(); }\n"
            % body)
        self.assertEqual(list(check_imports.functions(code)),
                         [("short", 1, 1), ("long", 2, 101)])


if __name__ == "__main__":
    unittest.main()
