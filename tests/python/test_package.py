"""The installed package: exports, type stubs and typing marker."""

from __future__ import annotations
import __future__

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import gameye
import gameye._gameye
import pytest

PACKAGE_DIR = Path(gameye.__file__).parent


def test_public_names_are_exported() -> None:
    for name in gameye.__all__:
        assert hasattr(gameye, name), name
    assert gameye.__version__ == gameye._gameye.__version__
    assert gameye.__version__.count(".") == 2
    assert gameye.__doc__


def test_py_typed_marker_is_installed() -> None:
    assert (PACKAGE_DIR / "py.typed").is_file()


def stub_source() -> str:
    path = PACKAGE_DIR / "_gameye.pyi"
    assert path.is_file(), path
    return path.read_text()


def test_extension_stub_is_importable() -> None:
    # Stubs are never executed, so annotations in them are not evaluated
    # (a class may name itself); compile them as such.
    namespace: dict[str, object] = {}
    flags = __future__.annotations.compiler_flag
    exec(compile(stub_source(), "_gameye.pyi", "exec", flags=flags, dont_inherit=True), namespace)  # noqa: S102
    for name in (
        "AsyncClient",
        "AsyncLogStream",
        "Client",
        "Location",
        "LogStream",
        "PlayerCount",
        "Players",
        "Port",
        "Session",
        "SessionDetails",
        "SessionSummary",
    ):
        assert inspect.isclass(namespace[name]), name
    assert namespace["__annotations__"]["__version__"] == "str"
    assert sorted(namespace["__all__"]) == sorted(gameye._gameye.__all__)


def test_extension_stub_matches_the_extension() -> None:
    tree = ast.parse(stub_source())
    # Private classes (the `_Writer` protocol) exist for type checkers only.
    classes = {
        node.name: node for node in tree.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
    }
    runtime = {name for name in dir(gameye._gameye) if not name.startswith("_")}
    assert set(classes) == runtime
    for name, node in classes.items():
        cls = getattr(gameye._gameye, name)
        assert ast.get_docstring(node), name
        members = {
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef) and (not item.name.startswith("_") or item.name == "__init__")
        }
        for member in members - {"__init__"}:
            assert hasattr(cls, member), f"{name}.{member} is in the stub but not in the extension"
        public = {m for m in dir(cls) if not m.startswith("_")}
        assert public <= members, f"{name}: {public - members} missing from the stub"


@pytest.mark.parametrize("class_name", ["Client", "AsyncClient"])
def test_stub_signatures_match_runtime(class_name: str) -> None:
    tree = ast.parse(stub_source())
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    cls = getattr(gameye, class_name)
    methods = [n for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    assert len(methods) >= 12
    for method in methods:
        if any(isinstance(d, ast.Name) and d.id == "property" for d in method.decorator_list):
            continue
        stub_params = [a.arg for a in method.args.args[1:]] + [a.arg for a in method.args.kwonlyargs]
        runtime_params = list(inspect.signature(getattr(cls, method.name)).parameters)
        assert stub_params == [p for p in runtime_params if p != "self"], method.name


def test_runtime_docstrings_are_the_stubs() -> None:
    """Each docstring in the stub is the one Python shows at run time: both
    are the Rust doc comments (scripts/gen_pyi.py writes the stub from them).
    Except where pyo3 keeps none: ``__new__``, and the methods it makes type
    slots (``__repr__``, ``__next__``, ...), which show CPython's text."""
    tree = ast.parse(stub_source())
    checked = 0

    def same(node: ast.AST, runtime: object, where: str) -> None:
        nonlocal checked
        stub_doc = ast.get_docstring(node)  # type: ignore[arg-type]
        if stub_doc is None or type(runtime).__name__ == "wrapper_descriptor":
            return
        assert inspect.cleandoc(getattr(runtime, "__doc__", None) or "") == stub_doc, where
        checked += 1

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            same(node, getattr(gameye._gameye, node.name), node.name)
        elif isinstance(node, ast.ClassDef) and hasattr(gameye._gameye, node.name):
            cls = getattr(gameye._gameye, node.name)
            same(node, cls, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name != "__new__":
                    same(item, cls.__dict__[item.name], f"{node.name}.{item.name}")
    assert checked > 80


def test_sync_and_async_clients_have_the_same_methods() -> None:
    def public(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(getattr(cls, name)).parameters)
            for name in dir(cls)
            if not name.startswith("_") and callable(getattr(cls, name))
        }

    # close() is aclose() on the async client, as asyncio's convention has it.
    asynchronous = public(gameye.AsyncClient)
    asynchronous["close"] = asynchronous.pop("aclose")
    assert public(gameye.Client) == asynchronous


def test_errors_module_is_typed_python() -> None:
    assert (PACKAGE_DIR / "_errors.py").is_file()
    assert gameye.GameyeError.__module__ == "gameye._errors"


USAGE = """
import asyncio

import gameye

client = gameye.Client("token", environment="sandbox", timeout=1.5)


def first_host() -> str:
    # Returns inside the block: __exit__ must not claim to swallow exceptions.
    with gameye.Client("token", environment="sandbox") as c:
        return c.create_session("europe", "nginx").host


async def first_host_async() -> str:
    async with gameye.AsyncClient("token", environment="sandbox") as c:
        return (await c.create_session("europe", "nginx")).host


def first_line(s: gameye.Client) -> str:
    with s.follow_logs("id") as lines:
        for line in lines:
            return line
    return ""

session: gameye.Session = client.create_session("europe", "nginx", env={"K": "v"}, args=["-x"])
ports: list[gameye.Port] = session.ports
kind: str = ports[0].type
try:
    client.create_session("europe", "nginx")
except gameye.InvalidRequestError as e:
    fields: list[str] = [v.field for v in e.violations]
    status: int | None = e.status
summaries: list[gameye.SessionSummary] = client.list_sessions(all=True, labels={"k": "v"}, player_count_lt=4)
created: int = summaries[0].created
port_map: dict[str, int] = summaries[0].port
maybe_status: str | None = summaries[0].status
details: gameye.SessionDetails = client.get_session(session.id)
joined: list[str] = details.players.joined
count: int = client.join_players(session.id, ["p1"]).count
outcome: str = client.stop_session(session.id, idempotent=True)
lines: list[str] = []
with client.follow_logs(session.id) as stream:
    for line in stream:
        lines.append(line)
text: str = client.logs(session.id)
size: int = client.download_artifact(session.id, "/logs", "out.tar.gz")
with open("out.tar.gz", "wb") as f:
    size = client.download_artifact(session.id, "/logs", f)
ips: list[str] = client.available_locations("nginx")[0].ips
exists: bool = client.tag_exists("europe", "nginx", "1.0")


async def main() -> None:
    aclient = gameye.AsyncClient("token", timeout=1.5)
    started: gameye.Session = await aclient.create_session("europe", "nginx")
    many: list[gameye.Session] = await asyncio.gather(*(aclient.create_session("europe", "nginx") for _ in range(3)))
    listed: list[gameye.SessionSummary] = await aclient.list_sessions()
    stopped: str = await asyncio.wait_for(aclient.stop_session(started.id), 5)
    async for line in aclient.follow_logs(started.id):
        print(line)
    async with aclient.follow_logs(started.id) as logs:
        first: str = await logs.__anext__()
    opened: gameye.AsyncLogStream = await aclient.follow_logs(started.id)
    await opened.aclose()
    written: int = await aclient.download_artifact(started.id, "/logs", "out.tar.gz")
    found: bool = await aclient.tag_exists("europe", "nginx", "1.0")
"""


def run_mypy(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs a mypy tool in ``tmp_path``, where it keeps its cache. Without
    mypy the test is skipped, loudly; under CI (scripts/test.sh installs
    mypy) it fails."""
    if os.environ.get("CI") == "true":
        import mypy  # noqa: F401  (a missing tool is a failure under CI)
    pytest.importorskip("mypy")
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_stubtest_finds_the_stub_consistent(tmp_path: Path) -> None:
    result = run_mypy(tmp_path, "-m", "mypy.stubtest", "gameye")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_accepts_typical_usage(tmp_path: Path) -> None:
    (tmp_path / "usage.py").write_text(USAGE)
    result = run_mypy(tmp_path, "-m", "mypy", "--strict", "--python-version", "3.10", "usage.py")
    assert result.returncode == 0, result.stdout + result.stderr
