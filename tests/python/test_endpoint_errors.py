"""Every endpoint maps every error status to the same exception class, for
``Client`` and ``AsyncClient`` alike.

The statuses the shared configuration can produce (a wrong token, a missing
scope, unknown names, a second stop) are tested with real answers; every
status on every endpoint is tested with emulators that answer every request
with it (a fault rule without filters), and a stalled one for timeouts.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import gameye
import pytest
from conftest import ENDPOINT_CALLS, ERROR_STATUSES, NEEDS_SCOPE, REQUEST_TIMEOUT, TOKEN, check_http_error

ENDPOINTS = sorted(ENDPOINT_CALLS)


def sync_call(client: gameye.Client, endpoint: str, tmp_path: Path) -> Any:
    return ENDPOINT_CALLS[endpoint](client, tmp_path)


async def async_call(client: gameye.AsyncClient, endpoint: str, tmp_path: Path) -> Any:
    return await asyncio.wait_for(ENDPOINT_CALLS[endpoint](client, tmp_path), 30)


def make_pair(
    url: str, token: str = TOKEN, timeout: float = REQUEST_TIMEOUT, max_attempts: int = 1
) -> tuple[gameye.Client, gameye.AsyncClient]:
    """A client and an async client of ``url``; without retries by default,
    so that retried statuses (420, 5xx, timeouts) fail at once."""
    options: dict[str, Any] = {
        "base_url": url,
        "timeout": timeout,
        "connect_timeout": REQUEST_TIMEOUT,
        "max_attempts": max_attempts,
    }
    return gameye.Client(token, **options), gameye.AsyncClient(token, **options)


# --- every status on every endpoint ----------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("status", sorted(ERROR_STATUSES))
def test_status_maps_to_class(
    status_emulator: Callable[[int | str], str], tmp_path: Path, status: int, endpoint: str
) -> None:
    cls, kind = ERROR_STATUSES[status]
    client, _ = make_pair(status_emulator(status))
    with pytest.raises(cls) as info:
        sync_call(client, endpoint, tmp_path)
    check_http_error(info.value, status, kind)
    assert info.value.attempts == 1
    assert not list(tmp_path.iterdir()), "a failed download left a file"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("status", sorted(ERROR_STATUSES))
async def test_status_maps_to_class_async(
    status_emulator: Callable[[int | str], str], tmp_path: Path, status: int, endpoint: str
) -> None:
    cls, kind = ERROR_STATUSES[status]
    _, client = make_pair(status_emulator(status))
    with pytest.raises(cls) as info:
        await async_call(client, endpoint, tmp_path)
    check_http_error(info.value, status, kind)
    assert not list(tmp_path.iterdir()), "a failed download left a file"


@pytest.mark.parametrize(("status", "retried"), [(503, True), (420, True), (500, True), (404, False), (422, False)])
def test_retried_statuses(status_emulator: Callable[[int | str], str], status: int, retried: bool) -> None:
    client, _ = make_pair(status_emulator(status), max_attempts=3)
    with pytest.raises(ERROR_STATUSES[status][0]) as info:
        client.get_session("x")
    assert info.value.attempts == (3 if retried else 1)


async def test_retried_statuses_async(status_emulator: Callable[[int | str], str]) -> None:
    _, client = make_pair(status_emulator(503), max_attempts=2)
    with pytest.raises(gameye.ServerError) as info:
        await async_call(client, "list_sessions", Path("."))
    assert info.value.attempts == 2


def test_deadline_bounds_the_retries(status_emulator: Callable[[int | str], str]) -> None:
    client = gameye.Client(TOKEN, base_url=status_emulator("stall"), timeout=10, max_attempts=10, deadline=0.5)
    start = time.monotonic()
    with pytest.raises(gameye.TimeoutError):
        client.get_session("x")
    assert time.monotonic() - start < 3


def test_client_side_errors_make_no_attempt(offline_client: gameye.Client) -> None:
    with pytest.raises(gameye.InvalidRequestError) as info:
        offline_client.get_session("")
    assert info.value.attempts == 0


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"max_attempts": 0}, "retry.max_attempts"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"deadline": 0}, "retry.deadline"),
        ({"deadline": -1.0}, "deadline"),
        ({"deadline": float("nan")}, "deadline"),
    ],
)
@pytest.mark.parametrize("cls", [gameye.Client, gameye.AsyncClient])
def test_bad_retry_options_are_configuration_errors(cls: type, options: dict[str, Any], field: str) -> None:
    with pytest.raises(gameye.ConfigurationError) as info:
        cls(TOKEN, **options)
    assert [v.field for v in info.value.violations] == [field]


def test_stop_with_injected_conflict_is_already_stopped_when_idempotent(
    status_emulator: Callable[[int | str], str],
) -> None:
    client, _ = make_pair(status_emulator(409))
    assert client.stop_session("x", idempotent=True) == "already_stopped"
    client, _ = make_pair(status_emulator(404))
    assert client.stop_session("x", idempotent=True) == "not_found"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_stalled_server_times_out(status_emulator: Callable[[int | str], str], tmp_path: Path, endpoint: str) -> None:
    client, _ = make_pair(status_emulator("stall"), timeout=0.3)
    start = time.monotonic()
    with pytest.raises(gameye.TimeoutError) as info:
        sync_call(client, endpoint, tmp_path)
    assert info.value.kind == "timeout" and info.value.status is None
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("endpoint", ["get_session", "follow_logs", "download_to_file"])
async def test_stalled_server_times_out_async(
    status_emulator: Callable[[int | str], str], tmp_path: Path, endpoint: str
) -> None:
    _, client = make_pair(status_emulator("stall"), timeout=0.3)
    with pytest.raises(gameye.TimeoutError):
        await async_call(client, endpoint, tmp_path)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_closed_port_is_transport_error(closed_port: int, tmp_path: Path, endpoint: str) -> None:
    client, _ = make_pair(f"http://127.0.0.1:{closed_port}")
    with pytest.raises(gameye.TransportError) as info:
        sync_call(client, endpoint, tmp_path)
    assert info.value.kind == "connect"


# --- real answers of the shared configuration -------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_wrong_token_is_authentication_error(emulator: str, tmp_path: Path, endpoint: str) -> None:
    client, _ = make_pair(emulator, token="wrong-token")
    with pytest.raises(gameye.AuthenticationError) as info:
        sync_call(client, endpoint, tmp_path)
    check_http_error(info.value, 401, "unauthorized")
    assert "wrong-token" not in str(info.value)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_wrong_token_is_authentication_error_async(emulator: str, tmp_path: Path, endpoint: str) -> None:
    _, client = make_pair(emulator, token="wrong-token")
    with pytest.raises(gameye.AuthenticationError) as info:
        await async_call(client, endpoint, tmp_path)
    check_http_error(info.value, 401, "unauthorized")


@pytest.mark.parametrize("endpoint", NEEDS_SCOPE)
def test_missing_scope_is_permission_denied(emulator: str, tmp_path: Path, endpoint: str) -> None:
    client, _ = make_pair(emulator, token="read-only-token")
    with pytest.raises(gameye.PermissionDeniedError) as info:
        sync_call(client, endpoint, tmp_path)
    check_http_error(info.value, 403, "forbidden")


@pytest.mark.parametrize("endpoint", NEEDS_SCOPE)
async def test_missing_scope_is_permission_denied_async(emulator: str, tmp_path: Path, endpoint: str) -> None:
    _, client = make_pair(emulator, token="read-only-token")
    with pytest.raises(gameye.PermissionDeniedError) as info:
        await async_call(client, endpoint, tmp_path)
    check_http_error(info.value, 403, "forbidden")


def test_read_only_token_may_read(emulator: str) -> None:
    client, _ = make_pair(emulator, token="read-only-token")
    assert isinstance(client.list_sessions(), list)
    with pytest.raises(gameye.NotFoundError):
        client.get_session(str(uuid.uuid4()))


#: One call per endpoint naming something that does not exist.
UNKNOWN: dict[str, Callable[[Any], Any]] = {
    "create_session": lambda c: c.create_session("atlantis", "nginx"),
    "get_session": lambda c: c.get_session(str(uuid.uuid4())),
    "stop_session": lambda c: c.stop_session(str(uuid.uuid4())),
    "join_players": lambda c: c.join_players(str(uuid.uuid4()), ["p1"]),
    "leave_players": lambda c: c.leave_players([f"ghost-{uuid.uuid4()}"]),
    "logs": lambda c: c.logs(str(uuid.uuid4())),
    "follow_logs": lambda c: c.follow_logs(str(uuid.uuid4())),
    "download_artifact": lambda c: c.download_artifact(str(uuid.uuid4()), "/x", io.BytesIO()),
    "available_locations": lambda c: c.available_locations("no-such-image"),
    "tag_exists": lambda c: c.tag_exists("atlantis", "nginx", "latest"),
}


@pytest.mark.parametrize("endpoint", sorted(UNKNOWN))
def test_unknown_names_are_not_found(emulator: str, endpoint: str) -> None:
    client, _ = make_pair(emulator)
    with pytest.raises(gameye.NotFoundError) as info:
        UNKNOWN[endpoint](client)
    check_http_error(info.value, 404, "not_found")


@pytest.mark.parametrize("endpoint", sorted(UNKNOWN))
async def test_unknown_names_are_not_found_async(emulator: str, endpoint: str) -> None:
    _, client = make_pair(emulator)
    with pytest.raises(gameye.NotFoundError) as info:
        await asyncio.wait_for(UNKNOWN[endpoint](client), 30)
    check_http_error(info.value, 404, "not_found")


async def test_create_errors_raise_the_same_classes_async(make_async_client: Callable[..., gameye.AsyncClient]) -> None:
    client = make_async_client()
    cases: list[tuple[Any, type[gameye.GameyeError], int]] = [
        (make_async_client("quota-token").create_session("europe", "nginx"), gameye.QuotaExceededError, 402),
        (client.create_session("full", "nginx"), gameye.NoCapacityError, 420),
        (client.create_session("europe", "nginx", ttl="25h"), gameye.InvalidRequestError, 422),
        (client.create_session("europe", "fault-500"), gameye.ServerError, 503),
    ]
    for awaitable, cls, status in cases:
        with pytest.raises(cls) as info:
            await asyncio.wait_for(awaitable, 30)
        assert info.value.status == status
    with pytest.raises(gameye.DecodeError):
        await client.create_session("europe", "fault-malformed")
    session_id = str(uuid.uuid4())
    await client.create_session("europe", "nginx", id=session_id)
    with pytest.raises(gameye.ConflictError):
        await client.create_session("europe", "nginx", id=session_id)
