#!/usr/bin/env python3
"""Keeps the promises of include/gameye.h tied to tests (scripts/test.sh runs it):

1. every function the header declares is called by
   tests/c/test_every_function.c (NULL / invalid UTF-8 in each argument,
   many threads at once), so a new export cannot skip that sweep;
2. every function whose documentation makes a promise ("Thread safety",
   "# Safety", "at any time", "never blocks") has a row in TESTING.md's
   table "Every promise of gameye.h", and every test file a row names exists.

usage: check.py [REPO_ROOT]
"""
import os
import re
import sys

PROMISE = re.compile(r"Thread safety|# Safety|at any time|[Nn]ever blocks")


def header_functions(header):
    """(name, documentation) of each function declared in the header."""
    for m in re.finditer(r"/\*\*((?:(?!\*/).)*)\*/\s*(?:[\w\s\*]+?)\b(gameye_\w+)\s*\(", header, re.S):
        yield m.group(2), m.group(1)


def table(testing):
    start = testing.index("<!-- promises:start -->")
    end = testing.index("<!-- promises:end -->")
    return testing[start:end]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    read = lambda rel: open(os.path.join(root, rel), encoding="utf-8").read()
    header, sweep, rows = read("include/gameye.h"), read("tests/c/test_every_function.c"), table(read("TESTING.md"))
    # The endpoints of api/ENDPOINTS.md's sweep: tests/c/test_sweep.c proves
    # each promise of theirs (NULL, UTF-8, threads, copies, never blocking)
    # through the generated calls, once a row of the table names that file.
    swept = set(re.findall(r"\breturn (gameye_\w+)\(", read("tests/c/endpoints.g.h")))
    problems = []
    functions = dict(header_functions(header))
    if len(functions) < 40:
        problems.append(f"found only {len(functions)} functions in include/gameye.h: the parser is broken")
    mapped = set()
    for line in rows.splitlines():
        if line.startswith("| `gameye_"):
            first = line.split("|")[1]
            mapped.update(re.findall(r"`(gameye_\w+)`", first))
            for path in re.findall(r"`((?:tests|gameye-\w+|bindings)/[\w./-]+\.\w+)`", line):
                if not os.path.exists(os.path.join(root, path)):
                    problems.append(f"TESTING.md promise row names a missing file: {path}")
    if "`tests/c/test_sweep.c`" in rows:
        mapped |= swept
    for name, doc in sorted(functions.items()):
        if name not in swept and not re.search(rf"\b{name}\s*\(", sweep):
            problems.append(f"{name}: not called by tests/c/test_every_function.c (nor swept by api/ENDPOINTS.md)")
        if PROMISE.search(doc) and name not in mapped:
            problems.append(f"{name}: promises ({', '.join(sorted(set(PROMISE.findall(doc))))}) "
                            "but has no row in TESTING.md's 'Every promise of gameye.h'")
    for name in sorted(mapped - set(functions)):
        problems.append(f"TESTING.md maps {name}, which the header does not declare")
    for p in problems:
        print("FAIL " + p)
    print(f"promises: {len(functions)} functions, {len(mapped)} mapped, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
