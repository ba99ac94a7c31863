"""The installed package: exports, type stubs and typing marker."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import gameye
import gameye._gameye

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
    namespace: dict[str, object] = {}
    exec(compile(stub_source(), "_gameye.pyi", "exec"), namespace)  # noqa: S102
    for name in ("Client", "Session", "Port"):
        assert inspect.isclass(namespace[name]), name
    assert namespace["__annotations__"]["__version__"] is str


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
