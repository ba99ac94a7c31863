"""Every call returns a typed object: no method of ``Client`` or
``AsyncClient`` is typed to return a dict or ``Any``; the placement results
are classes with the core's fields; ``mypy --strict`` accepts
``typed_usage.py`` (every public call and result attribute) and rejects
dict-style access to a typed result."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import gameye
import pytest

HERE = Path(__file__).parent
STUB = Path(gameye.__file__).parent / "_gameye.pyi"

# The only public functions returning a dict, and why: the ping report is a
# document a game client sends on to its backend (``{**report, "player":
# id}``), the input of ``choose_location``/``create_session_near``; it is a
# TypedDict, so its keys are typed all the same.
DICT_RESULTS = {"ping_locations", "ping_locations_async"}


def stub_returns() -> dict[str, str]:
    """``Class.method`` -> its return annotation, for both clients."""
    out = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.ClassDef) and node.name in ("Client", "AsyncClient"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_") and item.returns:
                    out[f"{node.name}.{item.name}"] = ast.unparse(item.returns)
    return out


def test_no_client_method_returns_a_dict_or_any() -> None:
    returns = stub_returns()
    assert len(returns) >= 26, returns
    loose = {name: ret for name, ret in returns.items() if "dict" in ret or "Any" in ret}
    assert not loose, loose
    assert returns["Client.create_session_near"] == "PlacedSession"
    assert returns["AsyncClient.create_session_near"] == "asyncio.Future[PlacedSession]"


def test_module_functions_return_typed_objects_but_the_ping_report() -> None:
    import typing

    for name in gameye.__all__:
        obj = getattr(gameye, name)
        if not callable(obj) or isinstance(obj, type):
            continue
        ret = typing.get_type_hints(obj).get("return")
        text = str(ret)
        if name in DICT_RESULTS:
            assert ret is gameye.PingReport and typing.is_typeddict(ret), (name, text)
        else:
            assert "dict" not in text and "Any" not in text, (name, text)
    # Every key of the report typed, down to each IP.
    for typed in (gameye.PingReport, gameye.LocationPing, gameye.IpPing):
        hints = typing.get_type_hints(typed)
        assert hints and all(h is not typing.Any for h in hints.values()), typed
    assert typing.get_type_hints(gameye.choose_location)["return"] is gameye.Placement


PLAYERS = [
    {"player": "a", "locations": [{"id": "eu", "median_ms": 30}, {"id": "us", "median_ms": 40}, {"id": "as", "median_ms": 200}]},
    {"player": "b", "locations": [{"id": "eu", "median_ms": 90}, {"id": "us", "median_ms": 50}, {"id": "as", "median_ms": 45, "loss": 0.5}]},
]


def test_choose_location_gives_the_core_fields_as_attributes() -> None:
    p = gameye.choose_location(["eu", "us", "as", "mars"], PLAYERS)
    assert isinstance(p, gameye.Placement)
    assert p.ranked == [gameye.RankedLocation("us", 50.0, 45.0, 2), gameye.RankedLocation("eu", 90.0, 60.0, 2)]
    assert p.best == "us"
    loss, missing = p.excluded
    assert (loss.id, loss.reason, loss.player, loss.loss, loss.max_loss) == ("as", "loss", "b", 0.5, 0.2)
    assert (loss.median_ms, loss.max_rtt_ms) == (None, None)
    assert (missing.id, missing.reason, missing.player) == ("mars", "no_sample", "a")
    assert "mars" in missing.message
    assert gameye.choose_location(["mars"], PLAYERS).best is None
    # Frozen: a result cannot be changed under its reader.
    with pytest.raises(AttributeError):
        p.ranked = []  # type: ignore[misc]
    assert "RankedLocation(id='us'" in repr(p)


def test_placed_session_is_built_from_its_parts() -> None:
    session = gameye.Session("s1", "10.0.0.1", [gameye.Port("udp", 7777, 40000)])
    ranking = gameye.Placement([gameye.RankedLocation("eu", 20.0, 15.0, 2)], [])
    tried = [
        gameye.PlacementAttempt("full", "s0", "no_capacity", "420"),
        gameye.PlacementAttempt("eu", "s1", "created"),
    ]
    placed = gameye.PlacedSession(session, "eu", tried, ranking)
    assert placed.session == session and placed.location == "eu"
    assert placed.tried == tried and placed.tried[1].message is None
    assert placed.placement == ranking and placed.ranked == ranking.ranked
    assert placed == gameye.PlacedSession(session, "eu", list(tried), ranking)
    assert placed != gameye.PlacedSession(session, "eu", tried[1:], ranking)
    assert "PlacedSession(session=Session(id='s1'" in repr(placed)


def test_placement_results_pickle_and_copy() -> None:
    import copy
    import pickle

    p = gameye.choose_location(["eu", "us", "as", "mars"], PLAYERS)
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.copy(p.excluded[0]) == p.excluded[0]
    session = gameye.Session("s1", "10.0.0.1", [])
    placed = gameye.PlacedSession(session, "eu", [gameye.PlacementAttempt("eu", "s1", "created")], p)
    assert pickle.loads(pickle.dumps(placed)) == placed


def run_mypy(tmp_path: Path, source: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``source``, its cache in ``tmp_path``. Skipped
    without mypy, except under CI, where scripts/test.sh installs it."""
    if os.environ.get("CI") != "true":
        pytest.importorskip("mypy")
    shutil.copy(source, tmp_path / source.name)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_mypy_strict_accepts_the_typed_usage(tmp_path: Path) -> None:
    result = run_mypy(tmp_path, HERE / "typed_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_rejects_dict_access_to_a_placement(tmp_path: Path) -> None:
    """The check above can fail: the old dict-style use is a type error."""
    wrong = tmp_path / "src" / "dict_usage.py"
    wrong.parent.mkdir()
    wrong.write_text(
        "import gameye\n\n\n"
        "def host(client: gameye.Client) -> str:\n"
        '    placed = client.create_session_near("nginx", [])\n'
        '    return placed["session"].host\n'
    )
    result = run_mypy(tmp_path, wrong)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not indexable" in result.stdout, result.stdout
