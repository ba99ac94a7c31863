"""What ``help()`` shows a user: for ``Client``, ``AsyncClient`` and each of
their methods, an ``Args:`` entry for every parameter, a ``Raises:``
section and an example; the timeout semantics in ``timeout=``'s entry.

The text is the runtime ``__doc__``, which ``test_package.py`` checks is the
stub's too (both come from the Rust doc comments)."""

from __future__ import annotations

import inspect
import pydoc
import re

import gameye
import pytest

CLIENTS = [gameye.Client, gameye.AsyncClient]

# Methods that take no argument and raise nothing: they say so instead of a
# Raises section.
NEVER_RAISE = {"close", "aclose"}


def sections(doc: str) -> dict[str, list[str]]:
    """The Google-style sections of ``doc`` (``"Args"``, ``"Raises"``,
    ``"Example"``) and their lines."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in inspect.cleandoc(doc).splitlines():
        head = re.fullmatch(r"(Args|Raises|Returns|Examples?):", line)
        if head:
            current = out.setdefault(head.group(1), [])
        elif current is not None and line and not line.startswith(" "):
            current = None
        elif current is not None:
            current.append(line)
    return out


def documented_params(doc: str) -> set[str]:
    """The names the ``Args:`` section documents: each entry starts one
    indent in, ``name:`` or ``a, b, c:``."""
    names: set[str] = set()
    for line in sections(doc).get("Args", []):
        m = re.match(r"    (?! )([\w, ]+):", line)
        if m:
            names.update(n.strip() for n in m.group(1).split(","))
    return names


def public_methods(cls: type) -> list[str]:
    return sorted(n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n)))


def params(func: object) -> list[str]:
    return [p for p in inspect.signature(func).parameters if p != "self"]  # type: ignore[arg-type]


def method_cases() -> list[tuple[type, str]]:
    return [(cls, name) for cls in CLIENTS for name in public_methods(cls)]


@pytest.mark.parametrize("cls,name", method_cases(), ids=lambda v: getattr(v, "__name__", v))
def test_every_method_documents_its_params_raises_and_an_example(cls: type, name: str) -> None:
    doc = getattr(cls, name).__doc__ or ""
    where = f"{cls.__name__}.{name}"
    missing = set(params(getattr(cls, name))) - documented_params(doc)
    assert not missing, f"{where}: Args lacks {sorted(missing)}"
    found = sections(doc)
    if name in NEVER_RAISE:
        assert "never raises" in doc, where
    else:
        assert found.get("Raises"), f"{where}: no Raises section"
    example = found.get("Example") or found.get("Examples") or []
    assert any(">>>" in line for line in example), f"{where}: no example"


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
def test_each_client_documents_its_constructor(cls: type) -> None:
    doc = cls.__doc__ or ""
    ctor = params(cls)
    assert len(ctor) > 10, ctor
    missing = set(ctor) - documented_params(doc)
    assert not missing, f"{cls.__name__}: Args lacks {sorted(missing)}"
    found = sections(doc)
    assert any("ConfigurationError" in line for line in found.get("Raises", [])), cls
    assert any(">>>" in line for line in found.get("Examples", [])), cls
    # help() is what a user reads: it shows the constructor's options.
    assert "max_attempts" in pydoc.render_doc(cls), cls


def test_both_clients_document_the_same_options() -> None:
    """The two class docstrings repeat the options (pyo3 shows no
    constructor docstring); this keeps them from drifting apart."""
    sync, asynchronous = (sections(c.__doc__ or "") for c in CLIENTS)
    assert sync["Args"] == asynchronous["Args"]
    assert sync["Raises"] == asynchronous["Raises"]


def test_timeout_says_it_is_per_attempt_and_how_to_bound_a_call() -> None:
    entry = arg_entry(gameye.Client.__doc__ or "", "timeout")
    for needed in ("one attempt", "max_attempts", "deadline", "worst case"):
        assert needed in entry, (needed, entry)
    assert "Time allowed for one call" in arg_entry(gameye.Client.__doc__ or "", "deadline")


def arg_entry(doc: str, name: str) -> str:
    """The text of one ``Args:`` entry, its lines joined."""
    lines = sections(doc)["Args"]
    start = next(i for i, line in enumerate(lines) if line.startswith(f"    {name}:"))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"    (?! )", lines[i])), len(lines))
    return " ".join(line.strip() for line in lines[start:end])


def test_the_checks_catch_a_missing_param_raises_or_example() -> None:
    """The helpers above read a docstring that lacks each part as lacking it."""
    bad = """Does a thing.

    Args:
        a: The first.
    """
    assert documented_params(bad) == {"a"}
    assert "Raises" not in sections(bad)
    assert "Examples" not in sections(bad)
    good = bad + "\nRaises:\n    ValueError: Bad.\n\nExamples:\n    >>> f(1, 2)\n"
    assert sections(inspect.cleandoc(good))["Raises"] == ["    ValueError: Bad.", ""]
