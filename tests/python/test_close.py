"""Client and AsyncClient as context managers (issue 13, item 11): close()
and aclose() stop the client's I/O threads, end what is in flight with
gameye.CancelledError and make later calls raise it; the token defaults to
the GAMEYE_TOKEN environment variable; a program that never configured
logging prints nothing for the SDK's retries."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import gameye
import pytest
from conftest import REQUEST_TIMEOUT, TOKEN, wait_until

#: The name of a client's I/O threads (the core's tokio workers).
IO_THREAD = "gameye-io"


def io_threads() -> int:
    """How many of this process's threads are a client's I/O threads; -1
    without /proc."""
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return -1
    count = 0
    for task in tasks:
        try:
            if (task / "comm").read_text().strip() == IO_THREAD:
                count += 1
        except OSError:
            pass  # the thread ended meanwhile
    return count


@pytest.fixture
def thread_count() -> Callable[[], int]:
    if io_threads() < 0:
        pytest.skip("no /proc/self/task to count threads")
    return io_threads


def test_with_block_closes_the_client_and_stops_its_threads(emulator: str, thread_count: Callable[[], int]) -> None:
    before = thread_count()
    with gameye.Client(TOKEN, base_url=emulator, timeout=REQUEST_TIMEOUT) as client:
        assert not client.closed
        assert client.list_sessions(all=True) is not None
        # The I/O threads start with the client.
        wait_until(lambda: thread_count() > before, what="the client's I/O threads")
    assert client.closed
    # close() waits for the threads; other tests' clients only ever go away.
    assert thread_count() <= before
    with pytest.raises(gameye.CancelledError) as info:
        client.list_sessions()
    assert info.value.kind == "cancelled" and "closed" in str(info.value)
    client.close()  # idempotent


def test_close_ends_calls_in_flight(
    make_client: Callable[..., gameye.Client], status_emulator: Callable[[int | str], str]
) -> None:
    """close() from another thread ends a blocking call waiting on a server
    that never answers (a streamed call, a JSON call) with CancelledError."""
    stall = status_emulator("stall")
    client = gameye.Client(TOKEN, base_url=stall, timeout=30, max_attempts=1)
    errors: list[BaseException] = []

    def call(f: Callable[[], Any]) -> None:
        try:
            f()
        except BaseException as e:  # noqa: BLE001 - checked below
            errors.append(e)

    threads = [
        threading.Thread(target=call, args=(lambda: client.logs("some-id"),), daemon=True),
        threading.Thread(target=call, args=(lambda: client.follow_logs("some-id"),), daemon=True),
    ]
    for t in threads:
        t.start()
    time.sleep(0.3)  # both are waiting for an answer
    begin = time.monotonic()
    client.close()
    for t in threads:
        t.join(timeout=5)
    assert not any(t.is_alive() for t in threads), "a call outlived close()"
    assert time.monotonic() - begin < 2
    assert len(errors) == 2 and all(isinstance(e, gameye.CancelledError) for e in errors), errors


def test_close_cancels_a_blocked_log_read(process_emulator: str) -> None:
    client = gameye.Client(TOKEN, base_url=process_emulator, timeout=REQUEST_TIMEOUT)
    session = client.create_session("europe", "quiet")
    try:
        stream = client.follow_logs(session.id)
        assert next(stream) == "ready"
        closer = threading.Timer(0.2, client.close)
        closer.start()
        with pytest.raises(gameye.CancelledError):
            next(stream)  # never gets a line: close() ends the wait
        closer.join(timeout=5)
        assert next(stream, None) is None
    finally:
        gameye.Client(TOKEN, base_url=process_emulator).stop_session(session.id, idempotent=True)


async def test_async_with_block_closes_the_client(emulator: str, thread_count: Callable[[], int]) -> None:
    before = thread_count()
    async with gameye.AsyncClient(TOKEN, base_url=emulator, timeout=REQUEST_TIMEOUT) as client:
        assert isinstance(client, gameye.AsyncClient) and not client.closed
        assert await asyncio.wait_for(client.list_sessions(), REQUEST_TIMEOUT) is not None
        assert thread_count() > before
    assert client.closed
    assert thread_count() <= before
    with pytest.raises(gameye.CancelledError):
        await asyncio.wait_for(client.list_sessions(), REQUEST_TIMEOUT)
    await client.aclose()  # idempotent


async def test_aclose_ends_awaitables_in_flight(status_emulator: Callable[[int | str], str]) -> None:
    client = gameye.AsyncClient(TOKEN, base_url=status_emulator("stall"), timeout=30, max_attempts=1)
    pending = asyncio.ensure_future(client.create_session("europe", "nginx"))
    await asyncio.sleep(0.2)
    assert not pending.done()
    await client.aclose()
    with pytest.raises(gameye.CancelledError):
        await asyncio.wait_for(pending, 5)


# --- the token from the environment ------------------------------------------------


@pytest.mark.parametrize("cls", [gameye.Client, gameye.AsyncClient])
def test_token_defaults_to_the_environment(
    emulator: str, monkeypatch: pytest.MonkeyPatch, cls: type
) -> None:
    monkeypatch.setenv("GAMEYE_TOKEN", TOKEN)
    client = cls(base_url=emulator, timeout=REQUEST_TIMEOUT)
    if cls is gameye.Client:
        assert client.list_sessions() is not None  # authorized: the token was sent
    monkeypatch.setenv("GAMEYE_TOKEN", "wrong-token")
    with pytest.raises(gameye.AuthenticationError):
        gameye.Client(base_url=emulator, max_attempts=1).list_sessions()
    # An explicit token wins over the environment's.
    assert gameye.Client(TOKEN, base_url=emulator).list_sessions() is not None


def test_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GAMEYE_TOKEN", raising=False)
    for cls in (gameye.Client, gameye.AsyncClient):
        with pytest.raises(gameye.ConfigurationError) as info:
            cls()
        assert "GAMEYE_TOKEN" in str(info.value)
        assert [v.field for v in info.value.violations] == ["token"]
    monkeypatch.setenv("GAMEYE_TOKEN", "")
    with pytest.raises(gameye.ConfigurationError):  # empty is no token
        gameye.Client()


# --- logging: nothing on stderr unless configured ---------------------------------

#: A program that never configures logging and makes a call that is retried
#: (a 503, so the core logs a WARNING per retry and an ERROR at the end).
UNCONFIGURED = """
import sys
import gameye
client = gameye.Client({token!r}, base_url=sys.argv[1], max_attempts=2, timeout=5)
try:
    client.create_session("europe", "nginx")
except gameye.ServerError as e:
    assert e.attempts == 2, e.attempts
    print("failed after", e.attempts, flush=True)
"""


def test_retries_print_nothing_without_logging_configured(
    status_emulator: Callable[[int | str], str], tmp_path: Path
) -> None:
    script = tmp_path / "unconfigured.py"
    script.write_text(UNCONFIGURED.format(token=TOKEN))
    done = subprocess.run(
        [sys.executable, str(script), status_emulator(503)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "failed after 2\n"
    assert done.stderr == "", f"the SDK printed on its own: {done.stderr!r}"


def test_the_package_logger_has_a_null_handler() -> None:
    import logging

    handlers = logging.getLogger("gameye").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers), handlers
