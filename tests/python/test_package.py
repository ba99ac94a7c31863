"""The installed package: exports, type stubs and typing marker."""

from __future__ import annotations
import __future__

import ast
import inspect
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
    for name in ("Client", "Session", "Port"):
        assert inspect.isclass(namespace[name]), name
    assert namespace["__annotations__"]["__version__"] == "str"
    assert sorted(namespace["__all__"]) == sorted(gameye._gameye.__all__)


def test_extension_stub_matches_the_extension() -> None:
    tree = ast.parse(stub_source())
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
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


def test_stub_signatures_match_runtime() -> None:
    tree = ast.parse(stub_source())
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Client")
    create = next(n for n in client.body if isinstance(n, ast.FunctionDef) and n.name == "create_session")
    stub_params = [a.arg for a in create.args.args[1:]] + [a.arg for a in create.args.kwonlyargs]
    runtime_params = list(inspect.signature(gameye.Client.create_session).parameters)
    assert stub_params == [p for p in runtime_params if p != "self"]


def test_errors_module_is_typed_python() -> None:
    assert (PACKAGE_DIR / "_errors.py").is_file()
    assert gameye.GameyeError.__module__ == "gameye._errors"


USAGE = """
import gameye

client = gameye.Client("token", environment="sandbox", timeout=1.5)
session: gameye.Session = client.create_session("europe", "nginx", env={"K": "v"}, args=["-x"])
ports: list[gameye.Port] = session.ports
kind: str = ports[0].type
try:
    client.create_session("europe", "nginx")
except gameye.InvalidRequestError as e:
    fields: list[str] = [v.field for v in e.violations]
    status: int | None = e.status
"""


def run_mypy(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs a mypy tool (skipping the test when mypy is not installed) in
    ``tmp_path``, where it keeps its cache."""
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
