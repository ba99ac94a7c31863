#!/usr/bin/env python3
"""Checks the shape of the Rust crates: no import circles, no long functions.

Import circles: for each crate below, builds the graph module -> modules it
references (`use crate::x`, `crate::x::` paths, `super::` from a submodule, a
child module by name) and fails listing every circle (each strongly connected
set of modules) with every reference inside it. Inline modules count as part
of their file. Code compiled only for tests (`#[cfg(test)]` modules and
items) is left out: what a test uses is no dependency of its module. A path
through an item re-exported with `use` (`crate::Session`, from a root
`pub use response::Session`) counts as a reference to the module that defines
it, so a crate root that only declares and re-exports modules joins no circle.

Long functions: fails listing every `fn` longer than MAX_FN_LINES lines
(signature to closing brace) in the crates of LONG_FN_CRATES.

Each check has an allow-list below for what cannot change yet; an entry that
no longer matches anything fails too, so the lists only shrink.

Python 3 standard library only. Run from anywhere: scripts/check_imports.py
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Crate folders whose src/lib.rs and src/main.rs are each a module tree.
CRATES = ["gameye-core", "gameye-ffi", "gameye-emulator", "gameye-cli", "bindings/python"]

# Known circles, each as the set of its modules ("crate-folder:module"),
# allowed until the branch that opens it is merged. Remove the entry then.
ALLOWED_CYCLES = [
]

MAX_FN_LINES = 100
LONG_FN_CRATES = ["gameye-core", "gameye-ffi", "gameye-emulator", "gameye-cli"]

# Functions allowed over MAX_FN_LINES, as "crate-folder/src/file.rs::name".
# It is outside the emulator, which this check was written with; split it
# when its code is next changed, then remove the entry.
ALLOWED_LONG_FNS = {
    # The CLI's dispatch: one match arm per subcommand.
    "gameye-cli/src/main.rs::execute",
}

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_code(text):
    """Blanks comments, string and char literals, keeping line breaks, so the
    scanners below see only code and report true line numbers."""
    out = []
    i, n = 0, len(text)

    def blank(s):
        return "".join("\n" if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif re.match(r'b?r#*"', text[i:i + 20]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'(b?r)(#*)"', text[i:])
            end = text.find('"' + m.group(2), i + m.end())
            end = n if end < 0 else end + 1 + len(m.group(2))
            out.append(blank(text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(blank(text[i:j + 1]))
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{1F600}'), or a lifetime ('a).
            m = re.match(r"'(\\(u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'])'", text[i:])
            if m:
                out.append(blank(m.group(0)))
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(code, open_at):
    depth = 0
    for j in range(open_at, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(code)


class Module:
    def __init__(self, path, file, parent):
        self.path = path  # tuple of names from the crate root
        self.file = file
        self.parent = parent
        self.children = {}
        self.code = strip_code(read(file))
        # Spans of inline `mod name { .. }` blocks, and of those only compiled
        # for tests: what a test uses to exercise its module is no dependency
        # of the module, so the graph leaves those out.
        self.inline = []
        for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{", self.code):
            self.inline.append((m.end() - 1, matching_brace(self.code, m.end() - 1)))
        self.test_spans = list(test_item_spans(self.code))
        self.test_only = False  # set for a file module declared under cfg(test)
        self.uses = {}  # name brought in by `use` -> full path

    def in_tests(self, pos):
        return self.test_only or any(a < pos < b for a, b in self.test_spans)

    def inline_depth(self, pos):
        return sum(1 for a, b in self.inline if a < pos < b)


def item_head_end(code, start):
    """Where the item whose head starts at `start` opens its body (`{`) or
    ends without one (`;`), outside parentheses and brackets: (index, char)."""
    depth = 0
    for j in range(start, len(code)):
        ch = code[j]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in ";{":
            return j, ch
    return len(code), ""


def test_item_spans(code):
    """Spans of the items under a `#[cfg(..test..)]` attribute (a test
    module, a test-only function or `use`)."""
    for m in re.finditer(r"#\[\s*cfg\s*\(", code):
        close = m.end()
        depth = 1
        while close < len(code) and depth:
            depth += code[close] == "("
            depth -= code[close] == ")"
            close += 1
        attr = code[m.start():close]
        if not re.search(r"\btest\b", attr) or re.search(r"not\s*\(\s*test", attr):
            continue
        at, opener = item_head_end(code, code.index("]", close) + 1)
        j = matching_brace(code, at) if opener == "{" else at
        yield m.start(), j


def is_test_only(code, mod_at):
    """Whether the attributes just before `mod` (at mod_at) include a
    `cfg(...)` that needs `test`."""
    head = code[:mod_at]
    head = re.sub(r"\bpub(\s*\([^)]*\))?\s*$", "", head.rstrip()).rstrip()
    while head.endswith("]"):
        start = head.rfind("#[")
        if start < 0:
            return False
        attr = head[start:]
        if re.match(r"#\[\s*cfg\s*\(", attr) and re.search(r"\btest\b", attr) \
                and not re.search(r"not\s*\(\s*test", attr):
            return True
        head = head[:start].rstrip()
    return False


def load_tree(crate_dir, root_file):
    """The module tree declared from root_file (`mod x;` → x.rs or x/mod.rs)."""
    root = Module((), root_file, None)
    modules = [root]
    stack = [root]
    while stack:
        mod = stack.pop()
        base = os.path.dirname(mod.file)
        stem = os.path.splitext(os.path.basename(mod.file))[0]
        if mod.parent is not None and stem != "mod":
            base = os.path.join(base, stem)
        for m in re.finditer(r"(#\[path\s*=\s*)?\bmod\s+(" + IDENT + r")\s*;", mod.code):
            if m.group(1):
                sys.exit("%s: #[path] modules are not handled" % mod.file)
            name = m.group(2)
            for cand in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
                if os.path.exists(cand):
                    child = Module(mod.path + (name,), cand, mod)
                    child.test_only = mod.test_only or is_test_only(mod.code, m.start())
                    mod.children[name] = child
                    modules.append(child)
                    stack.append(child)
                    break
            else:
                sys.exit("%s: module %s has no file" % (mod.file, name))
    return root, modules


def use_entries(code):
    """(position, path segments, bound name) for each path of each `use`."""
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        raw = m.group(1)
        # Keep `as` readable once whitespace is squeezed.
        raw = re.sub(r"\s+as\s+", " as ", raw)
        for item in split_aliases(raw):
            segs, alias = item
            yield m.start(), segs, alias


def split_aliases(raw):
    """Like expand_use_tree, but keeps the name each path binds."""
    results = []

    def walk(prefix, s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += ch == "{"
            depth -= ch == "}"
            cur += ch
        parts.append(cur)
        for p in parts:
            p = p.strip()
            if not p:
                continue
            brace = p.find("{")
            if brace >= 0:
                head = [x.strip() for x in p[:brace].split("::") if x.strip()]
                walk(prefix + head, p[brace + 1:p.rfind("}")])
                continue
            alias = None
            if " as " in p:
                p, alias = [x.strip() for x in p.split(" as ", 1)]
            segs = [x.strip() for x in p.split("::") if x.strip()]
            glob = segs and segs[-1] == "*"
            if glob:
                segs = segs[:-1]
            if segs and segs[-1] == "self":
                segs = segs[:-1]
            if alias is None and segs and not glob:
                alias = segs[-1]
            results.append((prefix + segs, alias))

    walk([], raw)
    return results


def path_refs(code):
    """(position, segments) for each `crate::`/`super::`/`self::` path and each
    path starting with a plain name followed by `::` (a child module, maybe)."""
    for m in re.finditer(r"(?<![A-Za-z0-9_:])(\$?" + IDENT + r")((?:\s*::\s*" + IDENT + r")+)", code):
        first = m.group(1).lstrip("$")
        segs = [first] + [s.strip() for s in m.group(2).split("::") if s.strip()]
        yield m.start(), segs


def resolve(modules_by_path, mod, pos, segs, seen=None):
    """The module a path written in `mod` at `pos` leads to, or None when it
    leads outside the crate (std, another crate, a local name)."""
    depth = mod.inline_depth(pos)
    cur = mod.path
    i = 0
    if segs[0] == "crate":
        cur, i = (), 1
    elif segs[0] in ("super", "self"):
        while i < len(segs) and segs[i] in ("super", "self"):
            if segs[i] == "super":
                if depth:
                    depth -= 1
                else:
                    if not cur:
                        return None
                    cur = cur[:-1]
            i += 1
    else:
        # A plain first name: a child module of this module, or nothing of ours.
        if segs[0] not in modules_by_path[cur].children and segs[0] not in modules_by_path[cur].uses:
            return None
    # Walk down through modules, then through names a module's `use` binds.
    seen = seen or set()
    while i < len(segs):
        here = modules_by_path[cur]
        name = segs[i]
        if name in here.children:
            cur = cur + (name,)
            i += 1
            continue
        if name in here.uses and (cur, name) not in seen:
            seen.add((cur, name))
            target = here.uses[name]
            if target is None:
                return None
            tmod, tpos, tsegs = target
            t = resolve(modules_by_path, tmod, tpos, tsegs, seen)
            if t is None:
                return None
            cur = t
            # An item of the target module, or a module it re-exports further.
            rest = segs[i + 1:]
            if rest:
                return resolve(modules_by_path, modules_by_path[cur], -1,
                               ["self"] + rest, seen) or cur
            return cur
        break
    return cur


def crate_graph(crate, root_file):
    root, modules = load_tree(crate, root_file)
    by_path = {m.path: m for m in modules}
    for m in modules:
        for pos, segs, alias in use_entries(m.code):
            # A `use` inside an inline module binds the name there only.
            if m.inline_depth(pos):
                continue
            if alias and alias not in ("_", "self"):
                m.uses[alias] = (m, pos, segs)
            elif not alias and segs:
                m.uses.setdefault(segs[-1], (m, pos, segs))
    edges = {m.path: {} for m in modules}
    for m in modules:
        refs = [(pos, segs) for pos, segs, _ in use_entries(m.code) if segs]
        refs += list(path_refs(m.code))
        for pos, segs in refs:
            if m.in_tests(pos):
                continue
            if segs[0] not in ("crate", "super", "self") and segs[0] not in m.children:
                continue
            target = resolve(by_path, m, pos, segs)
            if target is None or target == m.path:
                continue
            line = m.code.count("\n", 0, pos) + 1
            edges[m.path].setdefault(target, (m.file, line))
    return by_path, edges


def strongly_connected(nodes, edges):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def name(crate, path):
    return "%s:%s" % (crate, short(crate, path))


def short(crate, path):
    return "::".join(path) or "crate"


def check_cycles():
    failures, used_allowances = [], set()
    for crate in CRATES:
        for root_name in ("lib.rs", "main.rs"):
            root_file = os.path.join(ROOT, crate, "src", root_name)
            if not os.path.exists(root_file):
                continue
            by_path, edges = crate_graph(crate, root_file)
            for comp in strongly_connected(by_path, edges):
                names = {name(crate, p) for p in comp}
                allowed = [i for i, a in enumerate(ALLOWED_CYCLES) if a == names]
                if allowed:
                    used_allowances.update(allowed)
                    continue
                # Every reference inside the circle: each is one to remove.
                lines = ["circle in %s (%s) among %s:" % (
                    crate, root_name, ", ".join(short(crate, p) for p in comp))]
                for a in comp:
                    for b in comp:
                        if b in edges[a]:
                            file, line = edges[a][b]
                            lines.append("    %s:%d: %s uses %s" % (
                                os.path.relpath(file, ROOT), line, short(crate, a),
                                short(crate, b)))
                failures.append("\n".join(lines))
    for i, a in enumerate(ALLOWED_CYCLES):
        if i not in used_allowances:
            failures.append("allowed circle %s no longer exists: remove it from ALLOWED_CYCLES"
                            % sorted(a))
    return failures


def functions(code):
    """(name, first line, line count) of every `fn` with a body."""
    for m in re.finditer(r"\bfn\s+(" + IDENT + r")", code):
        j, opener = item_head_end(code, m.end())
        if opener != "{":
            continue
        end = matching_brace(code, j)
        first = code.count("\n", 0, m.start()) + 1
        last = code.count("\n", 0, end) + 1
        yield m.group(1), first, last - first + 1


def check_long_functions():
    failures, seen = [], set()
    for crate in LONG_FN_CRATES:
        for dirpath, _, files in os.walk(os.path.join(ROOT, crate, "src")):
            for f in sorted(files):
                if not f.endswith(".rs"):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, ROOT)
                code = strip_code(read(path))
                for fname, line, count in functions(code):
                    if count <= MAX_FN_LINES:
                        continue
                    key = "%s::%s" % (rel, fname)
                    if key in ALLOWED_LONG_FNS:
                        seen.add(key)
                        continue
                    failures.append("%s:%d: fn %s is %d lines (at most %d)"
                                    % (rel, line, fname, count, MAX_FN_LINES))
    for key in sorted(ALLOWED_LONG_FNS - seen):
        failures.append("allowed long function %s is gone or short now: remove it from "
                        "ALLOWED_LONG_FNS" % key)
    return failures


def main():
    if "--graph" in sys.argv[1:]:
        for crate in CRATES:
            for root_name in ("lib.rs", "main.rs"):
                root_file = os.path.join(ROOT, crate, "src", root_name)
                if os.path.exists(root_file):
                    by_path, edges = crate_graph(crate, root_file)
                    for a in sorted(edges):
                        for b in sorted(edges[a]):
                            print("%s -> %s" % (name(crate, a), short(crate, b)))
        return 0
    failures = check_cycles() + check_long_functions()
    for f in failures:
        print(f, file=sys.stderr)
    if failures:
        return 1
    print("import graph: no circles (%d allowed until merged); functions: none over %d lines"
          % (len(ALLOWED_CYCLES), MAX_FN_LINES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
