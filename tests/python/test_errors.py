"""Every error class, raised by real answers of the emulator (or a closed port)."""

from __future__ import annotations

import asyncio
import builtins
import time
import uuid
from pathlib import Path
from typing import Callable

import gameye
import pytest
from conftest import ERROR_STATUSES, TOKEN, check_http_error

MakeClient = Callable[..., gameye.Client]


def test_wrong_token_is_authentication_error(make_client: MakeClient) -> None:
    with pytest.raises(gameye.AuthenticationError) as info:
        make_client("wrong-token").create_session("europe", "nginx")
    check_http_error(info.value, 401, "unauthorized")
    assert "wrong-token" not in str(info.value)


def test_exhausted_quota_is_quota_exceeded_error(make_client: MakeClient) -> None:
    with pytest.raises(gameye.QuotaExceededError) as info:
        make_client("quota-token").create_session("europe", "nginx")
    check_http_error(info.value, 402, "quota_exhausted")


def test_missing_scope_is_permission_denied_error(make_client: MakeClient) -> None:
    with pytest.raises(gameye.PermissionDeniedError) as info:
        make_client("read-only-token").create_session("europe", "nginx")
    check_http_error(info.value, 403, "forbidden")


@pytest.mark.parametrize(
    ("location", "image", "version"),
    [
        ("atlantis", "nginx", None),
        ("europe", "no-such-image", None),
        ("europe", "nginx", "9.9.9"),
    ],
    ids=["location", "image", "version"],
)
def test_unknown_names_are_not_found_error(
    client: gameye.Client, location: str, image: str, version: str | None
) -> None:
    with pytest.raises(gameye.NotFoundError) as info:
        client.create_session(location, image, version=version)
    check_http_error(info.value, 404, "not_found")


def test_reused_id_is_conflict_error(client: gameye.Client) -> None:
    session_id = str(uuid.uuid4())
    client.create_session("europe", "nginx", id=session_id)
    with pytest.raises(gameye.ConflictError) as info:
        client.create_session("europe", "nginx", id=session_id)
    check_http_error(info.value, 409, "conflict")


def test_full_location_is_no_capacity_error(client: gameye.Client) -> None:
    with pytest.raises(gameye.NoCapacityError) as info:
        client.create_session("full", "nginx")
    check_http_error(info.value, 420, "no_capacity")


def test_server_side_validation_is_invalid_request_error(client: gameye.Client) -> None:
    # The client accepts "25h" (valid syntax); the emulator caps ttl at 1440 minutes.
    with pytest.raises(gameye.InvalidRequestError) as info:
        client.create_session("europe", "nginx", ttl="25h")
    exc = info.value
    check_http_error(exc, 422, "invalid_syntax")
    assert [v.field for v in exc.violations] == ["ttl"]
    assert isinstance(exc.violations[0], gameye.Violation)
    assert exc.violations[0].description
    assert "ttl" in str(exc)


def test_server_failure_is_server_error(client: gameye.Client) -> None:
    with pytest.raises(gameye.ServerError) as info:
        client.create_session("europe", "fault-500")
    check_http_error(info.value, 503, "server_error")
    assert info.value.details


def test_html_error_page_is_server_error_with_excerpt(client: gameye.Client) -> None:
    # A 502 whose body is a proxy's HTML page: the status decides the class
    # (ServerError, as in the core), the page is kept as a bounded excerpt.
    with pytest.raises(gameye.ServerError) as info:
        client.create_session("europe", "fault-html")
    exc = info.value
    assert exc.status == 502 and exc.kind == "server_error"
    assert exc.body_excerpt is not None and exc.body_excerpt.startswith("<html>")
    assert exc.code is None and exc.identifier is None
    assert "body starts" in str(exc)


def test_malformed_success_body_is_decode_error(client: gameye.Client) -> None:
    with pytest.raises(gameye.DecodeError) as info:
        client.create_session("europe", "fault-malformed")
    exc = info.value
    assert exc.status == 201 and exc.kind == "decode"
    assert exc.body_excerpt is not None and exc.body_excerpt.startswith('{"statusCode"')
    assert exc.body_excerpt in str(exc) or "body starts" in str(exc)


def test_other_4xx_is_client_error_with_retry_after(fault_emulator: str) -> None:
    client = gameye.Client(TOKEN, base_url=fault_emulator, timeout=10, connect_timeout=10)
    with pytest.raises(gameye.ClientError) as info:
        client.create_session("europe", "fault-429")
    check_http_error(info.value, 429, "client_error")
    assert info.value.retry_after == 7.0


def test_stalled_server_is_timeout_error(make_client: MakeClient) -> None:
    client = make_client(timeout=0.5)
    start = time.monotonic()
    with pytest.raises(gameye.TimeoutError) as info:
        client.create_session("europe", "fault-stall")
    elapsed = time.monotonic() - start
    exc = info.value
    assert isinstance(exc, gameye.TransportError)
    assert exc.kind == "timeout" and exc.status is None
    assert 0.4 <= elapsed < 5, elapsed
    # Also the builtin: `except TimeoutError` catches it under either name.
    assert isinstance(exc, builtins.TimeoutError) and isinstance(exc, OSError)
    assert exc.errno is None and str(exc).startswith("timed out")


def test_builtin_timeout_error_catches_the_sdks(make_client: MakeClient) -> None:
    client = make_client(timeout=0.3, max_attempts=1)
    try:
        client.create_session("europe", "fault-stall")
    except builtins.TimeoutError as e:  # not named gameye.TimeoutError here
        assert type(e) is gameye.TimeoutError
        assert e.kind == "timeout" and e.attempts == 1
    else:
        pytest.fail("a stalled create did not time out")


def test_closed_port_is_transport_error(offline_client: gameye.Client) -> None:
    with pytest.raises(gameye.TransportError) as info:
        offline_client.create_session("europe", "nginx")
    exc = info.value
    assert not isinstance(exc, gameye.TimeoutError)
    assert exc.kind == "connect" and exc.status is None
    assert exc.code is None and exc.violations == []


def test_tls_to_plain_http_server_is_transport_error(emulator: str) -> None:
    client = gameye.Client(TOKEN, base_url=emulator.replace("http://", "https://"), timeout=5, connect_timeout=5)
    with pytest.raises(gameye.TransportError) as info:
        client.create_session("europe", "nginx")
    assert not isinstance(info.value, gameye.TimeoutError)
    assert info.value.kind == "tls"
    assert info.value.status is None


def test_every_error_class_derives_from_gameye_error() -> None:
    classes = [
        gameye.AuthenticationError,
        gameye.QuotaExceededError,
        gameye.PermissionDeniedError,
        gameye.NotFoundError,
        gameye.ConflictError,
        gameye.NoCapacityError,
        gameye.InvalidRequestError,
        gameye.ClientError,
        gameye.ServerError,
        gameye.TransportError,
        gameye.TimeoutError,
        gameye.DecodeError,
        gameye.ConfigurationError,
        gameye.DownloadError,
        gameye.CancelledError,
    ]
    for cls in classes:
        assert issubclass(cls, gameye.GameyeError), cls
        assert cls.__doc__, cls
    assert issubclass(gameye.TimeoutError, gameye.TransportError)
    assert issubclass(gameye.TimeoutError, builtins.TimeoutError)
    assert not issubclass(gameye.TransportError, builtins.TimeoutError)
    assert issubclass(gameye.ConfigurationError, ValueError)
    assert issubclass(gameye.DownloadError, OSError)
    assert not issubclass(gameye.CancelledError, asyncio.CancelledError)
    assert not issubclass(gameye.GameyeError, ValueError)


def test_errors_have_every_attribute_and_pickle() -> None:
    import pickle

    exc = gameye.InvalidRequestError(
        "invalid request: ttl: bad",
        kind="invalid_request",
        violations=[gameye.Violation("ttl", "bad")],
    )
    for name in (
        "status",
        "code",
        "details",
        "identifier",
        "kind",
        "violations",
        "body_excerpt",
        "retry_after",
        "attempts",
    ):
        assert hasattr(exc, name), name
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is gameye.InvalidRequestError
    assert str(again) == str(exc) and again.violations == exc.violations
    assert gameye.Violation("ttl", "bad") == gameye.Violation("ttl", "bad")
    assert repr(gameye.Violation("ttl", "bad")) == "Violation(field='ttl', description='bad')"


def test_download_error_pickles_as_os_error() -> None:
    import pickle

    exc = gameye.DownloadError("local I/O failure: cannot write the artifact", kind="io", attempts=1)
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is gameye.DownloadError and isinstance(again, OSError)
    assert str(again) == str(exc) and again.kind == "io" and again.attempts == 1


def test_every_kind_of_the_core_table_has_its_class() -> None:
    """The binding's table (error.rs) gives every kind of the core a class;
    each exists, is a GameyeError, and is documented with its kind name."""
    table = gameye._gameye._error_kinds()
    assert len(table) >= 18
    for kind, number, class_name in table:
        cls = getattr(gameye, class_name)
        assert issubclass(cls, gameye.GameyeError), class_name
        assert f'``"{kind}"``' in (gameye.GameyeError.__doc__ or ""), kind
        assert number >= 100
    # The HTTP statuses the tests expect map as the table says.
    by_kind = {kind: class_name for kind, _, class_name in table}
    for cls, kind in ERROR_STATUSES.values():
        assert by_kind[kind] == cls.__name__, kind


def test_readme_error_table_names_each_kinds_class() -> None:
    """The README's error table gives each kind the class the binding raises
    (its Python column; the core's test checks the C names and numbers, the
    CLI's the exit statuses)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    by_number = {number: class_name for _, number, class_name in gameye._gameye._error_kinds()}
    seen = set()
    for line in readme.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if not line.startswith("| ") or len(cells) < 6 or "`GAMEYE_STATUS_" not in cells[3]:
            continue
        number = int(cells[3].rsplit("(", 1)[1].rstrip(")"))
        if number not in by_number:
            continue  # a C-only status (NULL argument, panic, ...)
        assert cells[4].split("`")[1] == by_number[number], line
        seen.add(number)
    assert seen == set(by_number)
