#!/usr/bin/env python3
"""Compiles the code samples of README.md, bindings/*/README.md and
packaging/*/README.md (the packages' own) against
the minimum versions they claim (tests/dist/run.sh runs it):

  c       cc -std=c11 -pedantic, linked against target/debug/libgameye.so
  cpp     c++ -std=c++17 -pedantic, linked likewise
  csharp  mcs -langversion:7.2 with Unity's define and UnityEngine stand-ins
          (C# 7.2 is mcs's highest and below Unity 2019.4's 7.3, so a sample
          that compiles here compiles in Unity 2019.4)
  python  parsed with the grammar of Python 3.9 (requires-python >= 3.9)

A sample is a complete program, or a fragment registered in FRAGMENTS below
with the context it needs (declarations of the names it assumes, and where
its lines go). An unregistered fragment fails to compile, so a new sample
must either be complete or be registered here. Samples that need something
this machine lacks are listed in NOT_COMPILED with the reason, and printed.

usage: readme_samples.py REPO_ROOT WORK_DIR
"""
import ast
import glob
import os
import re
import subprocess
import sys

LANGS = {"c", "cpp", "csharp", "python"}

# Samples that cannot be compiled here, and why.
NOT_COMPILED = {
    "bindings/unreal/README.md:cpp:1": "needs Unreal Engine headers (UGameyeSubsystem, TEXT, UE_LOG)",
    "packaging/unreal/README.md:cpp:1": "needs Unreal Engine headers (UGameyeSubsystem, TEXT)",
}

# Fragments: (prelude, wrapper). Leading #include / using lines of the sample
# are hoisted above the prelude; "@BODY@" in the wrapper is the rest.
C_STUBS = "void spawn_match(void *game, const GameyeSession *session) { (void)game; (void)session; }\n"
CPP_STUBS = (
    "#include <iostream>\n#include <string>\n"
    "template <class... A> void spawn_players_to(A &&...) {}\n"
    "template <class... A> void log_error(A &&...) {}\n"
)
# A fragment is found by its file, language and a marker: text that begins
# its first line. Positions shift whenever a README gains a sample; markers
# do not. Each marker must match exactly one sample.
PLACEMENT_C = (
    "static void sample(GameyeClient *client, const char *body_from_backend,\n"
    "                   const char *players_json) {\n@BODY@\n}\n"
    "int main(void) { (void)sample; return 0; }\n")
BACKEND_CS = ("static void SendToBackend(string json) { }\n"
              "static string locationsJsonFromBackend = \"[]\";\nstatic string playerId = \"alice\";\n")
# C_STUBS, PLACEMENT_C and BACKEND_CS also serve the docs guides
# fragments (tests/docs/samples.py).
FRAGMENTS = {
    ("README.md", "cpp", "#include <iostream>"): (
        "stmts", '#include "gameye.hpp"\n', "int main() {\n@BODY@\nreturn 0;\n}\n"),
    ("README.md", "csharp", "// C# 7.3 (Unity 2019.4)"): (
        "stmts", "using GameyeSdk;\n",
        "public static class Sample {\n public static void Run() {\n@BODY@\n }\n}\n"),
    ("bindings/cpp/README.md", "cpp", "gameye::Queue queue;"): (
        "stmts", '#include "gameye.hpp"\n' + CPP_STUBS,
        "void sample(gameye::Result<gameye::Client> &client, const std::string &json,\n"
        "            const std::string &id) {\n@BODY@\n}\n"
        "int main() { return 0; }\n"),
    ("bindings/cpp/README.md", "cpp", "auto report = gameye::ping_locations("): (
        "stmts", '#include <cstdio>\n#include "gameye.hpp"\n'
        "template <class... A> void send_to_backend(A &&...) {}\n",
        "void sample(gameye::Client &client, const char *locations_json, const char *players_json) {\n"
        "@BODY@\n}\nint main() { return 0; }\n"),
    ("bindings/csharp/README.md", "csharp", "GameyeClient client;"): (
        "members", "using GameyeSdk;\n",
        "public class Sample : UnityEngine.MonoBehaviour {\nstring token = \"\";\n@BODY@\n}\n"),
    ("bindings/csharp/README.md", "csharp", "using System;"): (
        "stmts", "",
        "public static class Sample {\n public static void Run(string token) {\n@BODY@\n }\n}\n"),
    ("bindings/csharp/README.md", "csharp", "LocationPinger pinger;"): (
        "members", "using GameyeSdk;\nusing UnityEngine;\n",
        "public class Sample : MonoBehaviour {\n" + BACKEND_CS + "@BODY@\n}\n"),
    ("bindings/csharp/README.md", "csharp", "Gameye.SetLogger("): (
        "stmts", "using GameyeSdk;\nusing UnityEngine;\n",
        "public static class Sample {\n public static void Run() {\n@BODY@\n }\n}\n"),
    # Top-level await / async with: the lines of an async function.
    ("bindings/python/README.md", "python", "with gameye.Client() as client:"): (
        "stmts", "import gameye\n", "async def sample():\n@BODY@\n"),
    ("bindings/python/README.md", "python", "with client.follow_logs("): (
        "stmts", "import asyncio\nimport gameye\n", "async def sample():\n@BODY@\n"),
    ("bindings/python/README.md", "python", "client = gameye.AsyncClient("): (
        "stmts", "import asyncio\nimport gameye\n", "async def sample():\n@BODY@\n"),
}


def fragment(rel, lang, code):
    """The registered fragment this sample is, as (name, entry), or None."""
    first = code.lstrip().splitlines()[0] if code.strip() else ""
    for (frel, flang, marker), entry in FRAGMENTS.items():
        if frel == rel and flang == lang and first.startswith(marker):
            return f"{frel}:{flang}:{marker}", entry
    return None


failures = 0


def report(ok, what, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1
        print("\n".join("    | " + line for line in detail.splitlines()[-40:]))


def samples(root):
    files = ["README.md"] + sorted(
        os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "bindings", "*", "README.md"))
        + glob.glob(os.path.join(root, "packaging", "*", "README.md")))
    for rel in files:
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        counts = {}
        for m in re.finditer(r"^```(\w+)\n(.*?)^```", text, re.S | re.M):
            lang = m.group(1)
            if lang not in LANGS:
                continue
            counts[lang] = counts.get(lang, 0) + 1
            yield rel, f"{rel}:{lang}:{counts[lang]}", lang, m.group(2)


def hoist(code, lang):
    """Splits leading directives (#include, using X;) from the rest."""
    lines = code.splitlines()
    head = []
    while lines and (lines[0].startswith("#include") or re.match(r"using [\w.]+;", lines[0])
                     or lines[0].strip() == ""):
        head.append(lines.pop(0))
    return "\n".join(head) + "\n", "\n".join(lines)


def assemble(frag, lang, code):
    if frag is None:
        return code
    kind, prelude, wrapper = frag[1]
    if lang == "python":
        body = "\n".join("    " + line for line in code.splitlines())
        return prelude + wrapper.replace("@BODY@", body)
    head, body = hoist(code, lang)
    defs = ""
    if kind == "c-defs+stmts":
        lines = body.splitlines()
        last = max(i for i, line in enumerate(lines) if line.startswith("}"))
        defs, body = "\n".join(lines[: last + 1]) + "\n", "\n".join(lines[last + 1:])
    return head + prelude + defs + wrapper.replace("@BODY@", body)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode == 0, " ".join(cmd) + "\n" + p.stdout + p.stderr


def main():
    root, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    lib = os.path.join(root, "target", "debug")
    inc = ["-I", os.path.join(root, "include"), "-I", os.path.join(root, "bindings", "cpp", "include")]
    link = ["-L", lib, "-lgameye", "-Wl,-rpath," + lib]
    sdk = os.path.join(work, "GameyeSdk.dll")
    stubs = os.path.join(root, "tests", "dist", "readme", "UnityEngine.cs")
    runtime = sorted(glob.glob(os.path.join(root, "bindings", "csharp", "Runtime", "**", "*.cs"), recursive=True))
    unity = os.path.join(work, "UnityEngine.dll")
    ok, out = run(["mcs", "-nologo", "-target:library", "-out:" + unity, stubs], root)
    report(ok, "UnityEngine stand-ins compile", out)
    ok, out = run(["mcs", "-nologo", "-langversion:7.2", "-target:library", "-define:UNITY_5_3_OR_NEWER",
                   "-r:" + unity, "-out:" + sdk, *runtime], root)
    report(ok, "bindings/csharp/Runtime + UnityEngine stand-ins compile (mcs -langversion:7.2)", out)

    seen = {}
    for rel, key, lang, code in samples(root):
        if key in NOT_COMPILED:
            seen[key] = 1
            print(f"not compiled {key}: {NOT_COMPILED[key]}")
            continue
        frag = fragment(rel, lang, code)
        if frag is not None:
            seen[frag[0]] = seen.get(frag[0], 0) + 1
        src = assemble(frag, lang, code)
        name = re.sub(r"[^A-Za-z0-9]+", "_", key)
        if lang == "python":
            try:
                ast.parse(src, filename=key, feature_version=(3, 9))
                compile(src, key, "exec")
                report(True, f"{key}: Python 3.9 grammar")
            except SyntaxError as e:
                report(False, f"{key}: Python 3.9 grammar", f"{e}\n{src}")
            continue
        ext = {"c": "c", "cpp": "cpp", "csharp": "cs"}[lang]
        path = os.path.join(work, f"{name}.{ext}")
        with open(path, "w") as f:
            f.write(src)
        exe = os.path.join(work, name)
        if lang == "c":
            cmd = ["cc", "-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
                   "-Wno-unused-parameter", "-Wno-unused-variable", *inc, path, *link, "-o", exe]
            what = "C11"
        elif lang == "cpp":
            cmd = ["c++", "-std=c++17", "-pedantic", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
                   "-Wno-unused-variable", *inc, path, *link, "-o", exe]
            what = "C++17"
        else:
            cmd = ["mcs", "-nologo", "-langversion:7.2", "-target:library", "-define:UNITY_5_3_OR_NEWER",
                   "-nowarn:168,219,414,649", "-r:" + sdk, "-r:" + unity, "-out:" + exe + ".dll", path]
            what = "C# 7.2 (Unity 2019.4)"
        ok, out = run(cmd, root)
        report(ok, f"{key}: compiles as {what}", out + "\n--- source ---\n" + src)

    for key in [f"{r}:{l}:{m}" for r, l, m in FRAGMENTS] + list(NOT_COMPILED):
        count = seen.get(key, 0)
        report(count == 1, f"{key}: registered sample matches exactly one sample (found {count})")
    print(f"README samples: {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
