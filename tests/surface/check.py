#!/usr/bin/env python3
"""Every endpoint of the core's `Client` is in every binding's surface.

Reads the sources, builds nothing, so scripts/test.sh runs it first:

- the core: the `pub fn` / `pub async fn` of each `impl Client` block in
  gameye-core/src (minus the client's own plumbing, NOT_ENDPOINTS);
- C: the declarations in include/gameye.h, blocking and `_async`;
- C++: the methods of `class Client` in bindings/cpp/include/gameye.hpp, and
  that the class calls the C function;
- C#: the public methods of bindings/csharp/Runtime/GameyeClient.cs, and the
  `extern` declaration of the C function in Generated/NativeMethods.g.cs;
- Python: the methods of `Client` and `AsyncClient` in the stub
  bindings/python/python/gameye/_gameye.pyi, and in the extension's sources
  as scripts/gen_pyi.py reads them (the `client_methods!` declarations and
  the `#[pymethods]` blocks; tests/python/test_package.py checks the built
  module against the stub).

ENDPOINTS is the explicit map, read from the endpoint table api/ENDPOINTS.md
(scripts/gen_endpoints.py): a core method (its blocking name; the `_async`
twin goes with it) -> its (blocking, async) names per binding. A new core
endpoint fails here until it has a block there; a block naming something a
binding does not have fails too. An endpoint no binding has on purpose says
so with `absent` and the reason.

CONFIG_KEYS does the same for the client configuration: every key of the
core's `ConfigJson` (gameye-core/src/config.rs; `retry` expanded into the
fields of `RetryJson` in retry.rs) -> its name in each layer, checked in:

- Rust: a builder method of `impl ClientConfig` (config.rs);
- C: the JSON shown in `gameye_client_new`'s doc comment (include/gameye.h);
- C++: a member of `gameye::Config` that its `to_json()` writes under the key;
- C#: a property of `GameyeConfig` (`RetryConfig` for retry keys) that its
  `ToJson()` writes under the key;
- Python: a keyword of `Client` and `AsyncClient` in the extension's
  constructor (its `client_methods!` declaration) and in the stub, read by
  `build()` (client.rs);
- CLI: a global flag (a field of `GlobalArgs` that main.rs reads).

ERROR_KIND_TABLES does it for the error kinds: every variant of the core's
`ErrorKind` (gameye-core/src/error.rs) has a row in the core's table
(error_kinds.rs) and in each binding's own table of names for the kinds:
the C status enum (gameye-ffi/src/status.rs), C++'s `gameye::Status` (with
the C constant of the kind's name), C#'s `GameyeStatus`, Python's exception
classes (bindings/python/src/error.rs) and the CLI's exit statuses
(gameye-cli/src/exit_codes.rs).

    python3 tests/surface/check.py    # exit 1 with one line per gap
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import gen_endpoints  # noqa: E402 (found through the path above)

BINDINGS = ("c", "cpp", "csharp", "python")


class Absent:
    """A binding without this endpoint, on purpose."""

    def __init__(self, why: str) -> None:
        self.why = why


def load_endpoints() -> dict[str, dict[str, tuple[str, str] | Absent]]:
    """The map from the endpoint table, api/ENDPOINTS.md (read by
    scripts/gen_endpoints.py, which checks its rules)."""
    out: dict[str, dict[str, tuple[str, str] | Absent]] = {}
    for ep in gen_endpoints.load():
        absent = Absent(ep["absent"]) if "absent" in ep else None
        out[ep["name"]] = {b: absent or ep["names"][b] for b in BINDINGS}
    return out


# `impl Client` methods that are the client itself, not endpoints.
NOT_ENDPOINTS = {"new", "base_url", "close", "is_closed", "config", "spawn_background", "spawn_eager"}


# Configuration key (`retry.x` for the retry object's keys) -> its name per
# layer: rust (the ClientConfig method that sets it), cpp (the gameye::Config
# member), csharp (the property), python (the keyword), cli (the flag). C
# needs no name: the key itself is in the doc comment.
CONFIG_KEYS: dict[str, dict[str, str | Absent]] = {
    "token": {"rust": "new", "cpp": "token", "csharp": "Token", "python": "token", "cli": "--token"},
    "base_url": {"rust": "base_url", "cpp": "base_url", "csharp": "BaseUrl", "python": "base_url", "cli": "--base-url"},
    "environment": {
        "rust": "environment",
        "cpp": "environment",
        "csharp": "Environment",
        "python": "environment",
        "cli": "--environment",
    },
    "connect_timeout_ms": {
        "rust": "connect_timeout",
        "cpp": "connect_timeout_ms",
        "csharp": "ConnectTimeout",
        "python": "connect_timeout",
        "cli": "--connect-timeout",
    },
    "request_timeout_ms": {
        "rust": "request_timeout",
        "cpp": "request_timeout_ms",
        "csharp": "RequestTimeout",
        "python": "timeout",
        "cli": "--timeout",
    },
    "allow_insecure_http": {
        "rust": "allow_insecure_http",
        "cpp": "allow_insecure_http",
        "csharp": "AllowInsecureHttp",
        "python": "allow_insecure_http",
        "cli": "--allow-insecure-http",
    },
    "max_response_bytes": {
        "rust": "max_response_bytes",
        "cpp": "max_response_bytes",
        "csharp": "MaxResponseBytes",
        "python": "max_response_bytes",
        "cli": "--max-response-bytes",
    },
    "max_log_bytes": {
        "rust": "max_log_bytes",
        "cpp": "max_log_bytes",
        "csharp": "MaxLogBytes",
        "python": "max_log_bytes",
        "cli": "--max-log-bytes",
    },
    "retry.max_attempts": {
        "rust": "retry",
        "cpp": "retry.max_attempts",
        "csharp": "MaxAttempts",
        "python": "max_attempts",
        "cli": "--max-attempts",
    },
    "retry.initial_backoff_ms": {
        "rust": "retry",
        "cpp": "retry.initial_backoff_ms",
        "csharp": "InitialBackoff",
        "python": "initial_backoff",
        "cli": "--initial-backoff",
    },
    "retry.max_backoff_ms": {
        "rust": "retry",
        "cpp": "retry.max_backoff_ms",
        "csharp": "MaxBackoff",
        "python": "max_backoff",
        "cli": "--max-backoff",
    },
    "retry.deadline_ms": {
        "rust": "retry",
        "cpp": "retry.deadline_ms",
        "csharp": "Deadline",
        "python": "deadline",
        "cli": "--deadline",
    },
    "max_concurrent_requests": {
        "rust": "max_concurrent_requests",
        "cpp": "max_concurrent_requests",
        "csharp": "MaxConcurrentRequests",
        "python": "max_concurrent_requests",
        "cli": "--max-concurrent-requests",
    },
    "ca_bundle_path": {
        "rust": "ca_bundle",
        "cpp": "ca_bundle_path",
        "csharp": "CaBundlePath",
        "python": "ca_bundle_path",
        "cli": "--ca-bundle",
    },
    "proxy": {"rust": "proxy", "cpp": "proxy", "csharp": "Proxy", "python": "proxy", "cli": "--proxy"},
    "proxy_from_env": {
        "rust": "proxy_from_env",
        "cpp": "proxy_from_env",
        "csharp": "ProxyFromEnv",
        "python": "proxy_from_env",
        "cli": "--proxy-from-env",
    },
    "idle_timeout_ms": {
        "rust": "idle_timeout",
        "cpp": "idle_timeout_ms",
        "csharp": "IdleTimeout",
        "python": "idle_timeout",
        "cli": "--idle-timeout",
    },
}

CONFIG_LAYERS = ("rust", "c", "cpp", "csharp", "python", "cli")


def read(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def strip_comments(src: str) -> str:
    """C-family source without its comments (so a name in a doc comment does
    not count as a declaration)."""
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def block_after(src: str, header: str) -> str:
    """The brace-delimited body that follows the first match of `header`."""
    m = re.search(header, src)
    if not m:
        return ""
    start = src.index("{", m.end() - 1)
    depth = 0
    for i in range(start, len(src)):
        if src[i] == "{":
            depth += 1
        elif src[i] == "}":
            depth -= 1
            if depth == 0:
                return src[start : i + 1]
    return src[start:]


def core_methods() -> set[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "gameye-core/src").glob("*.rs")):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"^impl Client \{", src, flags=re.M):
            body = block_after(src[m.start() :], r"impl Client \{")
            names |= set(re.findall(r"^    pub (?:async )?fn (\w+)", body, flags=re.M))
    return names - NOT_ENDPOINTS


def c_functions() -> set[str]:
    return set(re.findall(r"\b(gameye_\w+)\s*\(", strip_comments(read("include/gameye.h"))))


def cpp_surface() -> tuple[set[str], set[str]]:
    """Method names of `class Client` and the C functions it calls."""
    body = strip_comments(block_after(read("bindings/cpp/include/gameye.hpp"), r"\nclass Client \{"))
    methods = set(re.findall(r"^    (?:template\s*<[^>]*>\s*)?[\w:<>,&* ]+?[\s&*](\w+)\(", body, flags=re.M))
    calls = set(re.findall(r"\b(gameye_\w+)\(", body))
    # GAMEYE_HPP_CALL(T, name, (params), [quals,] c_fn, (args)) declares
    # `name` and `name_async`, calling `c_fn` and `c_fn_async`.
    pairs = r"^    GAMEYE_HPP_CALL(?:_Q)?\(\s*[^,]+,\s*(\w+),.*?\b(gameye_\w+),\s*\("
    for name, c_fn in re.findall(pairs, body, flags=re.M | re.S):
        methods |= {name, name + "_async"}
        calls |= {c_fn, c_fn + "_async"}
    return methods, calls


def csharp_surface() -> tuple[set[str], set[str]]:
    """Public methods of GameyeClient and the C functions NativeMethods declares."""
    client = strip_comments(read("bindings/csharp/Runtime/GameyeClient.cs"))
    body = block_after(client, r"class GameyeClient\b[^{]*\{")
    methods = set(re.findall(r"\bpublic (?!class\b)[\w<>\[\], ]+? (\w+)\(", body))
    native = strip_comments(read("bindings/csharp/Runtime/Generated/NativeMethods.g.cs"))
    return methods, set(re.findall(r"\bextern [\w\[\]]+ (gameye_\w+)\(", native))


def python_stub_methods(cls: str) -> set[str]:
    tree = ast.parse(read("bindings/python/python/gameye/_gameye.pyi"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            return {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return set()


@functools.cache
def python_extension() -> dict:
    """The extension's classes by Rust name, as scripts/gen_pyi.py reads
    the sources (the stub's generator: one parser of the declarations)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_pyi
    finally:
        sys.path.pop(0)
    try:
        return gen_pyi.load(str(ROOT)).classes
    except gen_pyi.StubError as e:
        print(f"python: cannot read the extension's sources: {e}", file=sys.stderr)
        return {}


def python_extension_methods(rust_struct: str) -> set[str]:
    """Python names of the methods of the extension class STRUCT."""
    cls = python_extension().get(rust_struct)
    return {m.name for m in cls.members if m.kind != "new"} if cls else set()


def struct_fields(rel: str, struct: str) -> list[str]:
    """The field names of a Rust struct, in order."""
    body = block_after(read(rel), rf"\bstruct {struct} \{{")
    return re.findall(r"^\s+(?:pub(?:\(crate\))? )?(\w+):", strip_comments(body), flags=re.M)


def config_keys() -> list[str]:
    """The keys of the core's JSON configuration, `retry` expanded."""
    keys: list[str] = []
    for field in struct_fields("gameye-core/src/config.rs", "ConfigJson"):
        if field == "retry":
            keys += [f"retry.{f}" for f in struct_fields("gameye-core/src/retry.rs", "RetryJson")]
        else:
            keys.append(field)
    return keys


def python_constructor(struct: str) -> set[str]:
    """The parameter names of the constructor of the extension class STRUCT."""
    cls = python_extension().get(struct)
    new = [m for m in cls.members if m.kind == "new"] if cls else []
    return {p.name for p in new[0].params} if new else set()


def python_stub_new(cls: str) -> set[str]:
    tree = ast.parse(read("bindings/python/python/gameye/_gameye.pyi"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for n in node.body:
                if isinstance(n, ast.FunctionDef) and n.name == "__new__":
                    a = n.args
                    return {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} - {"cls"}
    return set()


def check_config_keys() -> list[str]:
    """One line per (layer, key) of the configuration a layer lacks."""
    problems: list[str] = []
    keys = config_keys()
    if not keys:
        return ["config: found no fields in ConfigJson (gameye-core/src/config.rs); has it moved?"]
    for k in keys:
        if k not in CONFIG_KEYS:
            problems.append(f"config: key {k} has no row in CONFIG_KEYS (tests/surface/check.py)")
    for k in CONFIG_KEYS:
        if k not in keys:
            problems.append(f"CONFIG_KEYS: {k} is not a key of the core's ConfigJson")

    # Rust: builder methods of ClientConfig.
    rust_methods = set(
        re.findall(
            r"^    pub fn (\w+)\(",
            block_after(read("gameye-core/src/config.rs"), r"\nimpl ClientConfig \{"),
            flags=re.M,
        )
    )
    # C: the doc comment just before gameye_client_new's declaration.
    header = read("include/gameye.h")
    decl = header.find("*gameye_client_new(")
    c_doc = header[header.rfind("/**", 0, decl) : decl] if decl >= 0 else ""
    # C++: gameye::Config, its members apart from to_json().
    cpp_config = block_after(read("bindings/cpp/include/gameye.hpp"), r"\nstruct Config \{")
    cpp_to_json = block_after(cpp_config, r"std::string to_json\(\) const \{")
    cpp_members = strip_comments(cpp_config.replace(cpp_to_json, ""))
    # C#: GameyeConfig and RetryConfig, their properties and ToJson().
    types_cs = strip_comments(read("bindings/csharp/Runtime/Types.cs"))
    cs = {c: block_after(types_cs, rf"class {c}\b[^{{]*\{{") for c in ("GameyeConfig", "RetryConfig")}
    # Python: both constructors, in the extension and in the stub.
    py = {
        "Client (its constructor in endpoints.rs)": python_constructor("PyClient"),
        "AsyncClient (its constructor in endpoints.rs)": python_constructor("PyAsyncClient"),
        "Client (stub)": python_stub_new("Client"),
        "AsyncClient (stub)": python_stub_new("AsyncClient"),
    }
    py_build = block_after(read("bindings/python/src/client.rs"), r"\nfn token\(") + block_after(
        read("bindings/python/src/client.rs"), r"\npub\(crate\) fn build\("
    )
    # CLI: the global flags and where main.rs reads them.
    cli_src = read("gameye-cli/src/main.rs")
    cli_src = cli_src[: cli_src.find("#[cfg(test)]")] if "#[cfg(test)]" in cli_src else cli_src
    cli_fields = set(struct_fields("gameye-cli/src/main.rs", "GlobalArgs"))
    for what, found in [("C doc comment of gameye_client_new", c_doc), ("gameye::Config", cpp_to_json)] + [
        (f"C# {c}", body) for c, body in cs.items()
    ]:
        if not found:
            problems.append(f"config: found no {what}; has it moved?")
    for what, found in py.items():
        if not found:
            problems.append(f"config: found no Python constructor in {what}; has it moved?")

    for key in keys:
        row = CONFIG_KEYS.get(key)
        if row is None:
            continue
        leaf = key.split(".")[-1]
        for layer in CONFIG_LAYERS:
            name = row.get(layer) if layer != "c" else key
            if name is None:
                problems.append(f"CONFIG_KEYS: {key} has no {layer} entry")
                continue
            if isinstance(name, Absent):
                continue
            where = f"config ({layer}, {key}): "
            if layer == "rust" and name not in rust_methods:
                problems.append(where + f"ClientConfig::{name} is missing (gameye-core/src/config.rs)")
            elif layer == "c" and f'"{leaf}":' not in c_doc:
                problems.append(where + f'"{leaf}" is not in gameye_client_new\'s doc comment (include/gameye.h)')
            elif layer == "cpp":
                member = name.split(".")[-1]
                if not re.search(rf"\b{member}\s*(=[^=]|;)", cpp_members):
                    problems.append(where + f"gameye::Config has no member {name}")
                if f'"{leaf}"' not in cpp_to_json or not re.search(rf"\b{re.escape(name)}\b", cpp_to_json):
                    problems.append(where + f'gameye::Config::to_json() does not write {name} as "{leaf}"')
            elif layer == "csharp":
                cls = "RetryConfig" if key.startswith("retry.") else "GameyeConfig"
                body = cs[cls]
                if not re.search(rf"\bpublic [\w<>?\[\]]+ {name} \{{ get; set; \}}", body):
                    problems.append(where + f"{cls}.{name} is missing (bindings/csharp/Runtime/Types.cs)")
                if not re.search(rf'\.\w+\("{leaf}",[^\n]*\b{name}\b', body):
                    problems.append(where + f'{cls}.ToJson() does not write {name} as "{leaf}"')
                if cls == "RetryConfig" and not re.search(r'\.\w+\("retry",[^\n]*\bRetry\b', cs["GameyeConfig"]):
                    problems.append(where + 'GameyeConfig.ToJson() does not write Retry as "retry"')
            elif layer == "python":
                for what, found in py.items():
                    if name not in found:
                        problems.append(where + f"keyword {name} is missing from {what}")
                if not re.search(rf"\boptions\s*\.\s*{name}\b", py_build):
                    problems.append(where + f"build() in bindings/python/src/client.rs never reads options.{name}")
            elif layer == "cli":
                field = name[2:].replace("-", "_")
                if field not in cli_fields:
                    problems.append(where + f"flag {name} is missing (GlobalArgs in gameye-cli/src/main.rs)")
                elif not re.search(rf"\bg\s*\.\s*{field}\b", cli_src):
                    problems.append(where + f"flag {name} is never read (gameye-cli/src/main.rs)")
    return problems


# Each table of names for the core's error kinds: (what, file, the block that
# holds it, the pattern of one row, whose group 1 is the kind's variant).
ERROR_KIND_TABLES = [
    ("the core's table", "gameye-core/src/error_kinds.rs", r"\nkind_table! \{", r"^\s*(\w+)\s*=>"),
    ("the C status enum", "gameye-ffi/src/status.rs", r"\bpub enum GameyeStatus \{", r"^\s*(\w+)\s*=\s*\d+"),
    ("C++'s gameye::Status", "bindings/cpp/include/gameye.hpp", r"\benum class Status\b[^{]*\{", r"^\s*(\w+)\s*=\s*GAMEYE_STATUS_"),
    ("C#'s GameyeStatus", "bindings/csharp/Runtime/**/*.cs", r"\benum GameyeStatus\b[^{]*\{", r"^\s*(\w+)\s*=\s*\d+"),
    ("Python's exception classes", "bindings/python/src/error.rs", r"\bfn exception_class\(", r"ErrorKind::(\w+)\s*=>"),
    ("the CLI's exit statuses", "gameye-cli/src/exit_codes.rs", r"\bfn exit_code\(", r"ErrorKind::(\w+)\s*=>"),
]


def core_error_kinds() -> list[str]:
    """The variants of the core's `ErrorKind`, in order."""
    body = block_after(strip_comments(read("gameye-core/src/error.rs")), r"\bpub enum ErrorKind \{")
    return re.findall(r"^\s*(\w+),?\s*$", body, flags=re.M)


def check_error_kinds() -> list[str]:
    """One line per (table, kind) that a table of error-kind names lacks."""
    kinds = core_error_kinds()
    if not kinds:
        return ["error kinds: found no `pub enum ErrorKind` in gameye-core/src/error.rs; has it moved?"]
    core = block_after(read("gameye-core/src/error_kinds.rs"), r"\nkind_table! \{")
    c_names = dict(re.findall(r"^\s*(\w+)\s*=>\s*\d+,\s*\"(\w+)\"", core, flags=re.M))
    problems: list[str] = []
    for what, rel, block, row in ERROR_KIND_TABLES:
        paths = sorted(ROOT.glob(rel)) if "*" in rel else [ROOT / rel]
        body = ""
        for path in paths:
            if path.is_file():
                body = block_after(strip_comments(path.read_text(encoding="utf-8")), block)
                if body:
                    break
        if not body:
            problems.append(f"error kinds: found no {what} in {rel}; has it moved?")
            continue
        mapped = set(re.findall(row, body, flags=re.M))
        for kind in kinds:
            if kind not in mapped:
                problems.append(f"error kinds: {kind} has no row in {what} ({rel})")
        if what.startswith("C++"):
            for kind in kinds:
                name = c_names.get(kind, "")
                if kind in mapped and name and not re.search(rf"\b{kind}\s*=\s*GAMEYE_STATUS_{name.upper()}\b", body):
                    problems.append(f"error kinds: {what} gives {kind} another C status than GAMEYE_STATUS_{name.upper()}")
    return problems


def missing(found: set[str], names, message: str) -> list[str]:
    """`message` (a `{}` for the name) for each of `names` not in `found`."""
    return [message.format(n) for n in names if n not in found]


def main() -> int:
    problems: list[str] = []
    try:
        endpoints = load_endpoints()
    except (gen_endpoints.TableError, tomllib.TOMLDecodeError) as e:
        print(f"api/ENDPOINTS.md: {e}", file=sys.stderr)
        return 1
    core = core_methods()
    blocking = {m for m in core if not m.endswith("_async")}
    for m in sorted(core):
        if m.endswith("_async") and m[: -len("_async")] not in blocking:
            problems.append(f"core: {m} has no blocking twin; add a row for it by hand")
    for m in sorted(blocking - endpoints.keys()):
        problems.append(f"core: Client::{m} has no block in api/ENDPOINTS.md")
    for m in sorted(endpoints.keys() - blocking):
        problems.append(f"api/ENDPOINTS.md: {m} is not a method of the core's Client")
    for m in sorted(blocking):
        if f"{m}_async" not in core:
            problems.append(f"core: Client::{m} has no {m}_async twin")

    c = c_functions()
    cpp_methods, cpp_calls = cpp_surface()
    cs_methods, cs_native = csharp_surface()
    py = {
        "stub Client": python_stub_methods("Client"),
        "stub AsyncClient": python_stub_methods("AsyncClient"),
        "extension Client (PyClient)": python_extension_methods("PyClient"),
        "extension AsyncClient (PyAsyncClient)": python_extension_methods("PyAsyncClient"),
    }
    for what, found in py.items():
        if not found:
            problems.append(f"python: found no methods in the {what}; has the file moved?")

    for endpoint, row in sorted(endpoints.items()):
        for binding in BINDINGS:
            names = row.get(binding)
            if names is None:
                problems.append(f"api/ENDPOINTS.md: {endpoint} has no {binding} entry")
                continue
            if isinstance(names, Absent):
                continue
            sync, asyn = names
            c_names = row["c"] if not isinstance(row["c"], Absent) else ()
            where = f"{endpoint}: {{}}"
            if binding == "c":
                problems += missing(c, names, "C: " + where.format("{} is not declared in include/gameye.h"))
            elif binding == "cpp":
                problems += missing(cpp_methods, names, "C++: " + where.format("gameye::Client::{} is missing"))
                problems += missing(cpp_calls, c_names, "C++: " + where.format("gameye::Client never calls {}"))
            elif binding == "csharp":
                problems += missing(cs_methods, names, "C#: " + where.format("GameyeClient.{} is missing"))
                problems += missing(cs_native, c_names, "C#: " + where.format("NativeMethods lacks {}"))
            elif binding == "python":
                for what, found in py.items():
                    name = asyn if "AsyncClient" in what else sync
                    problems += missing(found, [name], "Python: " + where.format("{} is missing from the " + what))

    problems += check_config_keys()
    problems += check_error_kinds()

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"binding surface: {len(problems)} gap(s)", file=sys.stderr)
        return 1
    print(f"binding surface: {len(endpoints)} core endpoints (blocking + async) in C, C++, C# and Python")
    print(f"binding surface: {len(CONFIG_KEYS)} configuration keys in Rust, C, C++, C#, Python and the CLI")
    print(f"binding surface: {len(core_error_kinds())} error kinds in the core's table, C, C++, C#, Python and the CLI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
