"""Every endpoint of ``gameye.Client`` against the emulator: success, the
result classes, and the arguments refused before sending."""

from __future__ import annotations

import copy
import gzip
import io
import pickle
import tarfile
import uuid
from pathlib import Path

import gameye
import pytest


def fresh_labels() -> dict[str, str]:
    """A label unique to one test, so listings see only its own sessions."""
    return {"test": uuid.uuid4().hex}


def check_artifact(data: bytes) -> list[str]:
    """Checks ``data`` is a gzip'ed tar archive; returns its member names."""
    assert data[:2] == b"\x1f\x8b", data[:16]
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.getnames()


# --- list_sessions ---------------------------------------------------------


def test_list_sessions_returns_typed_summaries(client: gameye.Client) -> None:
    labels = fresh_labels()
    session = client.create_session("europe", "nginx", labels=labels, version="1.25")
    listed = client.list_sessions(labels=labels)
    assert isinstance(listed, list) and len(listed) == 1
    s = listed[0]
    assert isinstance(s, gameye.SessionSummary)
    assert s.id == session.id
    assert (s.image, s.tag, s.location, s.host) == ("nginx", "1.25", "europe", "127.0.0.1")
    assert isinstance(s.created, int) and s.created > 1_600_000_000_000  # milliseconds
    assert s.port == {f"{p.container}/{p.type}": p.host for p in session.ports}
    assert s.ports == session.ports
    assert all(isinstance(p, gameye.Port) for p in s.ports)
    assert s.status == "running"
    assert s.labels == labels
    assert s.player_count == 0


def test_list_sessions_filters(client: gameye.Client) -> None:
    labels = fresh_labels()
    nginx = client.create_session("europe", "nginx", labels=labels)
    game = client.create_session("north-america", "my-game", labels=labels, version="1.0.0")
    client.join_players(game.id, ["alice", "bob"])

    def ids(**filters: object) -> set[str]:
        return {s.id for s in client.list_sessions(labels=labels, **filters)}  # type: ignore[arg-type]

    assert ids() == {nginx.id, game.id}
    assert ids(location="europe") == {nginx.id}
    assert ids(image="my-game") == {game.id}
    assert ids(tag="1.0.0") == {game.id}
    assert ids(host="127.0.0.1") == {nginx.id, game.id}
    assert ids(host="10.9.9.9") == set()
    assert ids(player_count_gt=1) == {game.id}
    assert ids(player_count_lt=1) == {nginx.id}
    assert ids(player_count_lt=3, player_count_gt=1) == {game.id}
    assert client.list_sessions(labels={**labels, "other": "x"}) == []
    counts = {s.id: s.player_count for s in client.list_sessions(labels=labels)}
    assert counts == {nginx.id: 0, game.id: 2}


def test_list_sessions_all_includes_stopped(client: gameye.Client) -> None:
    labels = fresh_labels()
    session = client.create_session("europe", "nginx", labels=labels)
    assert client.stop_session(session.id) == "stopped"
    assert client.list_sessions(labels=labels) == []
    (stopped,) = client.list_sessions(all=True, labels=labels)
    assert stopped.id == session.id and stopped.status == "exited"


# --- get_session -------------------------------------------------------------


def test_get_session_describes_session_and_players(client: gameye.Client) -> None:
    labels = fresh_labels()
    session = client.create_session("europe", "my-game", labels=labels)
    details = client.get_session(session.id)
    assert isinstance(details, gameye.SessionDetails)
    assert details.id == session.id
    assert (details.image, details.tag, details.location, details.host) == ("my-game", "latest", "europe", "127.0.0.1")
    assert details.status == "running"
    assert details.labels == labels
    assert details.ports == session.ports
    assert set(details.port) == {"7777/udp", "7778/tcp"}
    assert isinstance(details.created, int)
    assert isinstance(details.players, gameye.Players)
    assert details.players.joined == [] and details.players.joined_count == 0

    client.join_players(session.id, ["alice", "bob"])
    players = client.get_session(session.id).players
    assert players.joined == ["alice", "bob"] and players.joined_count == 2

    client.stop_session(session.id)
    assert client.get_session(session.id).status == "exited"


# --- stop_session ------------------------------------------------------------


def test_stop_session_outcomes(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    assert client.stop_session(session.id) == "stopped"
    with pytest.raises(gameye.ConflictError) as info:
        client.stop_session(session.id)
    assert info.value.status == 409
    assert client.stop_session(session.id, idempotent=True) == "already_stopped"
    missing = str(uuid.uuid4())
    with pytest.raises(gameye.NotFoundError):
        client.stop_session(missing)
    assert client.stop_session(missing, idempotent=True) == "not_found"


# --- players -----------------------------------------------------------------


def test_join_and_leave_players(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    joined = client.join_players(session.id, ["p1", "p2"])
    assert isinstance(joined, gameye.PlayerCount)
    assert joined.count == 2 and joined.players == ["p1", "p2"]
    again = client.join_players(session.id, ("p2", "p3"))
    assert again.count == 3 and again.players == ["p2", "p3"]
    left = client.leave_players(["p1", "p3"])
    assert left.count == 1 and sorted(left.players) == ["p1", "p3"]
    assert client.get_session(session.id).players.joined == ["p2"]


def test_joining_a_stopped_session_is_not_found(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    client.stop_session(session.id)
    with pytest.raises(gameye.NotFoundError):
        client.join_players(session.id, ["p1"])


def test_leaving_players_nobody_holds_is_not_found(client: gameye.Client) -> None:
    with pytest.raises(gameye.NotFoundError):
        client.leave_players([f"ghost-{uuid.uuid4()}"])


# --- logs --------------------------------------------------------------------


def test_logs_returns_text(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    text = client.logs(session.id)
    assert isinstance(text, str)
    assert session.id in text and text.endswith("\n")


def test_follow_logs_yields_lines_until_the_end(client: gameye.Client) -> None:
    # A session without a process has a short synthetic log, which a follow
    # sees whole and then ends.
    session = client.create_session("europe", "nginx")
    stream = client.follow_logs(session.id)
    assert isinstance(stream, gameye.LogStream)
    assert iter(stream) is stream
    lines = list(stream)
    assert lines == client.logs(session.id).splitlines()
    assert all("\n" not in line for line in lines)
    assert next(stream, None) is None  # stays exhausted
    assert not stream.closed
    stream.close()
    assert stream.closed


def test_follow_logs_closes_as_context_manager(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    with client.follow_logs(session.id) as stream:
        first = next(stream)
        assert session.id in first
    assert stream.closed
    assert list(stream) == []  # a closed stream yields nothing more
    stream.close()  # idempotent
    assert "closed" in repr(stream)


# --- artifacts ---------------------------------------------------------------


def test_download_artifact_into_a_file_object(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    assert client.stop_session(session.id) == "stopped"
    buffer = io.BytesIO()
    written = client.download_artifact(session.id, "/logs/game.log", buffer)
    data = buffer.getvalue()
    assert written == len(data) > 0
    names = check_artifact(data)
    assert names and names[0].endswith("game.log")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(names[0])
        assert member is not None and session.id.encode() in member.read()


@pytest.mark.parametrize("as_pathlib", [False, True], ids=["str", "pathlib"])
def test_download_artifact_to_a_path(client: gameye.Client, tmp_path: Path, as_pathlib: bool) -> None:
    session = client.create_session("europe", "nginx")
    client.stop_session(session.id)
    dest = tmp_path / "artifact.tar.gz"
    written = client.download_artifact(session.id, "/data", dest if as_pathlib else str(dest))
    data = dest.read_bytes()
    assert written == len(data)
    assert check_artifact(data)
    assert gzip.decompress(data)  # a complete gzip stream
    assert sorted(p.name for p in tmp_path.iterdir()) == ["artifact.tar.gz"]  # no temporary file left


class ChunkedWriter:
    """A raw-file-like writer that takes at most 100 bytes per call."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.calls = 0
        self.flushed = False

    def write(self, data: bytes) -> int:
        self.calls += 1
        self.data += data[:100]
        return min(len(data), 100)

    def flush(self) -> None:
        self.flushed = True


def test_download_artifact_repeats_partial_writes(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    client.stop_session(session.id)
    writer = ChunkedWriter()
    written = client.download_artifact(session.id, "/x", writer)
    assert written == len(writer.data) > 100
    assert writer.calls > 1 and writer.flushed
    assert check_artifact(bytes(writer.data))


def test_failing_write_raises_download_error_from_it(client: gameye.Client) -> None:
    session = client.create_session("europe", "nginx")
    client.stop_session(session.id)

    class Broken:
        def write(self, data: bytes) -> int:
            raise ValueError("disk on fire")

    with pytest.raises(gameye.DownloadError) as info:
        client.download_artifact(session.id, "/x", Broken())
    exc = info.value
    assert isinstance(exc, OSError) and isinstance(exc, gameye.GameyeError)
    assert exc.kind == "io" and exc.status is None
    assert isinstance(exc.__cause__, ValueError) and "disk on fire" in str(exc)


def test_unwritable_path_raises_download_error(client: gameye.Client, tmp_path: Path) -> None:
    session = client.create_session("europe", "nginx")
    client.stop_session(session.id)
    with pytest.raises(gameye.DownloadError) as info:
        client.download_artifact(session.id, "/x", tmp_path / "no-such-dir" / "a.tar.gz")
    assert info.value.kind == "io"
    assert not (tmp_path / "no-such-dir").exists()


def test_download_destination_must_be_a_path_or_writer(client: gameye.Client) -> None:
    with pytest.raises(TypeError, match="dest"):
        client.download_artifact("s", "/x", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.download_artifact("s", "/x", b"/tmp/bytes-path")  # type: ignore[arg-type]


def test_unknown_artifact_session_is_not_found(client: gameye.Client) -> None:
    with pytest.raises(gameye.NotFoundError):
        client.download_artifact(str(uuid.uuid4()), "/x", io.BytesIO())


# --- locations and tags ------------------------------------------------------


def test_available_locations(client: gameye.Client) -> None:
    locations = client.available_locations("my-game")
    assert all(isinstance(loc, gameye.Location) for loc in locations)
    by_id = {loc.id: loc for loc in locations}
    assert set(by_id) == {"europe", "north-america"}  # "full" has no capacity
    assert by_id["europe"].ips == ["127.0.0.1"]
    with pytest.raises(gameye.NotFoundError):
        client.available_locations("no-such-image")


def test_tag_exists(client: gameye.Client) -> None:
    assert client.tag_exists("europe", "nginx", "1.25") is True
    assert client.tag_exists("europe", "nginx", "9.9.9") is False
    with pytest.raises(gameye.NotFoundError):
        client.tag_exists("atlantis", "nginx", "latest")
    with pytest.raises(gameye.NotFoundError):
        client.tag_exists("europe", "no-such-image", "latest")


# --- arguments refused before sending ----------------------------------------


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        (lambda c: c.get_session(""), ["id"]),
        (lambda c: c.stop_session(""), ["id"]),
        (lambda c: c.logs(""), ["id"]),
        (lambda c: c.follow_logs(""), ["id"]),
        (lambda c: c.join_players("", ["p"]), ["session"]),
        (lambda c: c.join_players("s", []), ["players"]),
        (lambda c: c.join_players("s", ["ok", ""]), ["players[1]"]),
        (lambda c: c.leave_players([]), ["players"]),
        (lambda c: c.download_artifact("", "/x", io.BytesIO()), ["session"]),
        (lambda c: c.download_artifact("s", "", io.BytesIO()), ["path"]),
        (lambda c: c.available_locations(""), ["image"]),
        (lambda c: c.tag_exists("", "nginx", "1"), ["region"]),
    ],
    ids=[
        "get",
        "stop",
        "logs",
        "follow",
        "join-session",
        "join-none",
        "join-empty",
        "leave-none",
        "download-session",
        "download-path",
        "locations",
        "tag",
    ],
)
def test_empty_arguments_are_invalid_requests(offline_client: gameye.Client, call, fields: list[str]) -> None:
    # The client points at a closed port: InvalidRequestError proves nothing was sent.
    with pytest.raises(gameye.InvalidRequestError) as info:
        call(offline_client)
    exc = info.value
    assert [v.field for v in exc.violations] == fields
    assert exc.kind == "invalid_request" and exc.status is None


def test_wrong_argument_types_are_type_errors(offline_client: gameye.Client) -> None:
    with pytest.raises(TypeError):
        offline_client.get_session(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        offline_client.join_players("s", "alice")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        offline_client.list_sessions(labels={"k": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        offline_client.list_sessions("europe")  # type: ignore[misc]
    with pytest.raises(TypeError):
        offline_client.stop_session("s", True)  # type: ignore[misc]


# --- result classes ----------------------------------------------------------


def sample_summary() -> gameye.SessionSummary:
    return gameye.SessionSummary(
        "abc",
        "nginx",
        "europe",
        "10.0.0.1",
        1_700_000_000_000,
        {"80/tcp": 49160, "7777/udp": 49161, "bogus": 1},
        tag="1.25",
        status="warming_up",
        labels={"mode": "duel"},
        player_count=None,
    )


def sample_details() -> gameye.SessionDetails:
    return gameye.SessionDetails(
        "abc",
        "nginx",
        "europe",
        "10.0.0.1",
        1_700_000_000_000,
        {"80/tcp": 49160},
        "running",
        players=gameye.Players(["alice"], 1),
    )


def test_result_classes_are_frozen_values() -> None:
    summary = sample_summary()
    # Unknown statuses are kept as sent; unparsable port keys are skipped.
    assert summary.status == "warming_up"
    assert sorted((p.type, p.container, p.host) for p in summary.ports) == [("tcp", 80, 49160), ("udp", 7777, 49161)]
    assert summary.player_count is None and summary.tag == "1.25"
    details = sample_details()
    assert details.tag is None and details.labels == {}
    values = [
        summary,
        details,
        gameye.Players(["alice"], 1),
        gameye.PlayerCount(2, ["a", "b"]),
        gameye.Location("europe", ["127.0.0.1"]),
    ]
    for value in values:
        assert value == copy.copy(value) == pickle.loads(pickle.dumps(value)), value
        assert hash(value) == hash(copy.deepcopy(value))
        assert type(value).__module__ == "gameye" and type(value).__doc__
        assert repr(value).startswith(type(value).__name__ + "(")
    assert summary != sample_details()
    with pytest.raises(AttributeError):
        summary.status = "running"  # type: ignore[misc]
    summary.labels["mode"] = "changed"  # a copy: the value is unchanged
    summary.port.clear()
    assert summary == sample_summary()


def test_reprs_show_every_field() -> None:
    assert repr(gameye.Location("europe", ["127.0.0.1"])) == "Location(id='europe', ips=['127.0.0.1'])"
    assert repr(gameye.PlayerCount(1, ["a"])) == "PlayerCount(count=1, players=['a'])"
    assert repr(sample_details()).endswith("players=Players(joined=['alice'], joined_count=1))")
    assert "status='warming_up'" in repr(sample_summary())
