"""Successful session starts against the emulator, and the result classes."""

from __future__ import annotations

import copy
import pickle
import uuid

import gameye
import pytest


def is_uuid4(value: str) -> bool:
    """Whether ``value`` is a canonical UUID, version 4."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == value


def test_create_session_returns_session(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    assert isinstance(session, gameye.Session)
    assert session.host == "127.0.0.1"
    assert len(session.ports) == 1
    port = session.ports[0]
    assert isinstance(port, gameye.Port)
    assert port.type == "tcp"
    assert port.container == 80
    assert isinstance(port.host, int) and 0 < port.host < 65536


def test_ports_have_types_and_numbers(client: gameye.Client) -> None:
    session = client.create_session("north-america", "my-game", version="1.0.0")
    assert [(p.type, p.container) for p in session.ports] == [("udp", 7777), ("tcp", 7778)]
    assert all(isinstance(p.type, str) for p in session.ports)
    assert all(isinstance(p.container, int) and isinstance(p.host, int) for p in session.ports)
    assert isinstance(session.ports, list)


def test_generated_id_is_uuid4(client: gameye.Client) -> None:
    first = client.create_session("europe", "nginx")
    second = client.create_session("europe", "nginx")
    assert is_uuid4(first.id) and is_uuid4(second.id)
    assert first.id != second.id


def test_given_id_is_kept(client: gameye.Client) -> None:
    wanted = f"my-session-{uuid.uuid4()}"
    assert client.create_session("europe", "nginx", id=wanted).id == wanted


def test_every_option_is_accepted(client: gameye.Client) -> None:
    session = client.create_session(
        "europe",
        "my-game",
        id=str(uuid.uuid4()),
        env={"MODE": "ranked", "PLAYERS": "16"},
        args=("--verbose", "--map=de_dust2"),
        restart=True,
        labels={"team": "sdk"},
        version="latest",
        ttl="2h30m",
        external_id="match-42",
    )
    assert session.host == "127.0.0.1"


def test_none_options_are_omitted(client: gameye.Client) -> None:
    session = client.create_session(
        "europe",
        "nginx",
        id=None,
        env=None,
        args=None,
        restart=None,
        labels=None,
        version=None,
        ttl=None,
        external_id=None,
    )
    assert is_uuid4(session.id)


def test_missing_id_in_answer_falls_back_to_sent_id(client: gameye.Client) -> None:
    wanted = str(uuid.uuid4())
    session = client.create_session("europe", "fault-no-id", id=wanted)
    assert session.id == wanted
    assert [(p.type, p.container) for p in session.ports] == [("tcp", 80)]


def test_missing_id_in_answer_falls_back_to_generated_id(client: gameye.Client) -> None:
    assert is_uuid4(client.create_session("europe", "fault-no-id").id)


def test_slow_answer_within_timeout_succeeds(client: gameye.Client) -> None:
    assert client.create_session("europe", "fault-slow").ports[0].type == "tcp"


def test_session_and_port_are_frozen_values() -> None:
    port = gameye.Port("udp", 7777, 20000)
    session = gameye.Session("abc", "10.0.0.1", [port])
    assert port == gameye.Port("udp", 7777, 20000)
    assert port != gameye.Port("tcp", 7777, 20000)
    assert session == gameye.Session("abc", "10.0.0.1", [gameye.Port("udp", 7777, 20000)])
    assert session != gameye.Session("abc", "10.0.0.2", [port])
    assert hash(session) == hash(gameye.Session("abc", "10.0.0.1", [port]))
    assert len({port, gameye.Port("udp", 7777, 20000)}) == 1
    with pytest.raises(AttributeError):
        port.host = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        session.id = "other"  # type: ignore[misc]
    session.ports.append(gameye.Port("tcp", 1, 2))  # a copy: the session is unchanged
    assert session.ports == [port]


def test_reprs_read_like_constructors() -> None:
    port = gameye.Port("udp", 7777, 20000)
    session = gameye.Session("abc", "10.0.0.1", [port])
    assert repr(port) == "Port(type='udp', container=7777, host=20000)"
    assert repr(session) == ("Session(id='abc', host='10.0.0.1', ports=[Port(type='udp', container=7777, host=20000)])")


def test_session_pickles_and_copies(client: gameye.Client) -> None:
    session = client.create_session("europe", "my-game")
    assert pickle.loads(pickle.dumps(session)) == session
    assert copy.deepcopy(session) == session
    assert copy.copy(session.ports[0]) == session.ports[0]


def test_classes_live_in_gameye() -> None:
    for cls in (gameye.Client, gameye.Session, gameye.Port):
        assert cls.__module__ == "gameye"
        assert cls.__doc__
