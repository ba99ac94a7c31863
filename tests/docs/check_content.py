#!/usr/bin/env python3
"""Checks that the built site covers what the sources declare:

- the C reference (Doxygen) has an entry for every function of gameye.h,
  and no raw backtick (a code span Doxygen did not render: Doxygen 1.9
  leaves one that runs over three or more lines as it is);
- the C++ reference shows gameye::Client's calls (the GAMEYE_HPP_CALL
  macros expanded into each blocking and _async method);
- the Python reference has an entry for every public name of gameye.__all__;
- troubleshooting has a section for every status of gameye.h's
  GameyeStatus, titled with its number, and for no other;
- the errors table of the guide is README.md's table, row for row (README's
  is checked against the core's, the Python binding's and the CLI's tables
  by tests/surface), and its C statuses carry the header's numbers.

    check_content.py ROOT SITE_DIR
"""

import ast
import html
import os
import re
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def header_statuses(header):
    """{name: number} of the GameyeStatus enum."""
    body = re.search(r"enum GameyeStatus\b.*?\{(.*?)\};", header, re.S).group(1)
    return {m[0]: int(m[1]) for m in re.findall(r"^\s*(GAMEYE_STATUS_\w+) = (\d+),", body, re.M)}


def header_functions(header):
    """Names of the functions gameye.h declares."""
    return set(re.findall(r"^[A-Za-z][^;(#]*?\b(gameye_\w+)\(", header, re.M))


def python_all(init_py):
    """gameye.__all__, read from the package's __init__.py."""
    for node in ast.parse(read(init_py)).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]
    raise SystemExit(f"{init_py}: no __all__")


def errors_table(markdown):
    """The rows of the table whose header starts '| HTTP status |'."""
    m = re.search(r"^\| HTTP status \|.*?\n((?:\|.*\n)+)", markdown, re.M)
    return m.group(1).splitlines() if m else []


def check_c(root, site, header):
    page = read(os.path.join(site, "api/c/gameye_8h.html"))
    rendered = set(re.findall(r'<h2 class="memtitle">.*?(gameye_\w+)\(\)</h2>', page))
    errors = [f"C reference: no entry for {f}" for f in sorted(header_functions(header) - rendered)]
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    errors += [f"C reference: unrendered code span: {line.strip()[:120]}"
               for line in text.splitlines() if "`" in line]
    return errors


def check_cpp(site):
    page = read(os.path.join(site, "api/cpp/classgameye_1_1Client.html"))
    errors = ["C++ reference: gameye::Client shows unexpanded GAMEYE_HPP_ macros"] if "GAMEYE_HPP_" in page else []
    for name in ("create_session", "create_session_async", "stop_session", "stop_session_async"):
        if not re.search(r'<h2 class="memtitle">.*?' + name + r'\(\)', page):
            errors.append(f"C++ reference: gameye::Client has no entry for {name}")
    return errors


def check_python(root, site):
    page = read(os.path.join(site, "reference/python.html"))
    names = python_all(os.path.join(root, "bindings/python/python/gameye/__init__.py"))
    public = [n for n in names if not n.startswith("_")]  # not __version__
    return [f"Python reference: no entry for gameye.{n}" for n in public if f'id="gameye.{n}"' not in page]


def check_statuses(root, statuses):
    text = read(os.path.join(root, "docs/src/troubleshooting.md"))
    found = {m[0]: int(m[1]) for m in re.findall(r"^## (GAMEYE_STATUS_\w+) \((\d+)\)$", text, re.M)}
    errors = [f"troubleshooting: no section for {n}" for n in statuses if n not in found]
    errors += [f"troubleshooting: {n} is not a status of gameye.h" for n in found if n not in statuses]
    errors += [f"troubleshooting: {n} is {found[n]}, gameye.h says {v}"
               for n, v in statuses.items() if n in found and found[n] != v]
    return errors


def check_errors_table(root, statuses):
    guide = errors_table(read(os.path.join(root, "docs/src/concepts/errors.md")))
    readme = errors_table(read(os.path.join(root, "README.md")))
    errors = [] if guide and guide == readme else ["concepts/errors.md: its table differs from README.md's"]
    for name, number in re.findall(r"`(GAMEYE_STATUS_\w+)` \((\d+)\)", "\n".join(guide)):
        if statuses.get(name) != int(number):
            errors.append(f"concepts/errors.md: {name} ({number}) is not gameye.h's")
    return errors


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    root, site = argv[1], argv[2]
    header = read(os.path.join(root, "include/gameye.h"))
    statuses = header_statuses(header)
    if len(statuses) < 10 or len(header_functions(header)) < 20:
        sys.exit("gameye.h: could not read its statuses or functions")
    errors = check_c(root, site, header) + check_cpp(site) + check_python(root, site)
    errors += check_statuses(root, statuses) + check_errors_table(root, statuses)
    for e in errors:
        print(e)
    print(f"{len(header_functions(header))} C functions, {len(statuses)} statuses checked: "
          f"{len(errors)} problems")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main(sys.argv)
