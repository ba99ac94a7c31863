#!/usr/bin/env python3
"""Compiles the code samples of the site's guides (docs/src/**/*.md) as
tests/dist/readme_samples.py compiles README.md's: C as C11 and C++ as C++17
against target/debug/libgameye.so, C# with mcs at C# 7.2 (Unity 2019.4)
against the binding and UnityEngine stand-ins, Python against the 3.9
grammar. JSON samples must parse. This reuses readme_samples.py's compile
steps with the guides' files and fragments below.

A fragment is found by its file, language and the text its first line
begins with; an unregistered fragment fails to compile, so a new sample is
either a complete program or registered here.

usage: samples.py REPO_ROOT WORK_DIR
"""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dist"))
import readme_samples as rs  # noqa: E402

GAME_LOOP_CPP = (
    "void sample(gameye::Result<gameye::Client> &client, const std::string &json) {\n@BODY@\n}\n"
    "int main() { return 0; }\n")
CS_STMTS = "public static class Sample {\n public static void Run(GameyeClient client) {\n@BODY@\n }\n}\n"
UNITY_MEMBERS = "public class Sample : MonoBehaviour {\nstring token = \"\";\n@BODY@\n}\n"

FRAGMENTS = {
    ("docs/src/quickstart/c.md", "c", "static void on_created("): (
        "c-defs+stmts", '#include "gameye.h"\n' + rs.C_STUBS,
        "static void sample(GameyeClient *client, const char *request_json, void *game) {\n"
        "(void)on_created;\n@BODY@\n}\n"
        "int main(void) { (void)sample; return 0; }\n"),
    ("docs/src/concepts/placement.md", "c", "GameyeResult *locs = gameye_locations_available("): (
        "stmts", '#include <stdio.h>\n#include "gameye.h"\n', rs.PLACEMENT_C),
    ("docs/src/quickstart/cpp.md", "cpp", "gameye::Queue queue;"): (
        "stmts", '#include "gameye.hpp"\n' + rs.CPP_STUBS, GAME_LOOP_CPP),
    ("docs/src/quickstart/csharp.md", "csharp", "// C# 7.3 (Unity 2019.4)"): (
        "stmts", "using System;\nusing GameyeSdk;\n", CS_STMTS.replace("GameyeClient client", "")),
    ("docs/src/quickstart/csharp.md", "csharp", "Session session; GameyeError error;"): (
        "stmts", "using System;\nusing GameyeSdk;\n", CS_STMTS),
    ("docs/src/quickstart/csharp.md", "csharp", "GameyeClient client;"): (
        "members", "using GameyeSdk;\nusing UnityEngine;\n", UNITY_MEMBERS),
    ("docs/src/concepts/placement.md", "csharp", "LocationPinger pinger;"): (
        "members", "using GameyeSdk;\nusing UnityEngine;\n",
        "public class Sample : MonoBehaviour {\n" + rs.BACKEND_CS + "@BODY@\n}\n"),
}


def docs_samples(root):
    """(file, key, language, code) of every fenced sample of the guides."""
    for path in sorted(glob.glob(os.path.join(root, "docs", "src", "**", "*.md"), recursive=True)):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        counts = {}
        for m in re.finditer(r"^```(\w+)\n(.*?)^```", text, re.S | re.M):
            lang = m.group(1)
            counts[lang] = counts.get(lang, 0) + 1
            yield rel, f"{rel}:{lang}:{counts[lang]}", lang, m.group(2)


def check_json(root):
    """Every JSON sample parses."""
    for _, key, lang, code in docs_samples(root):
        if lang == "json":
            try:
                json.loads(code)
                rs.report(True, f"{key}: valid JSON")
            except ValueError as e:
                rs.report(False, f"{key}: valid JSON", f"{e}\n{code}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root = sys.argv[1]
    check_json(root)
    rs.FRAGMENTS = FRAGMENTS
    rs.NOT_COMPILED = {}
    rs.samples = lambda r: ((rel, key, lang, code) for rel, key, lang, code in docs_samples(r)
                            if lang in rs.LANGS)
    try:
        rs.main()  # its closing line says "README samples"; these are the guides'
    except SystemExit as done:
        print(f"docs samples: {rs.failures} failed")
        raise done


if __name__ == "__main__":
    main()
