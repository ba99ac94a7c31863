"""Live log follow and artifacts of sessions that run a real process (the
emulator's ``command`` images): lines arrive as they are written, a stream
can be closed early (``close()``, ``with``, garbage collection, another
thread, a cancelled read) and closing drops its connection.

Every wait is bounded: a watchdog closes sync streams, ``asyncio.wait_for``
bounds async ones.
"""

from __future__ import annotations

import asyncio
import gc
import io
import tarfile
import threading
import time
from collections.abc import Iterator
from typing import Any

import gameye
import pytest
from conftest import REQUEST_TIMEOUT, TOKEN, established_to, fault_config, run_emulator, wait_until

#: Seconds after which a watchdog closes a sync stream a test forgot.
WATCHDOG = 15.0


@pytest.fixture
def pclient(process_emulator: str) -> gameye.Client:
    return gameye.Client(TOKEN, base_url=process_emulator, timeout=REQUEST_TIMEOUT)


@pytest.fixture
def apclient(process_emulator: str) -> gameye.AsyncClient:
    return gameye.AsyncClient(TOKEN, base_url=process_emulator, timeout=REQUEST_TIMEOUT)


@pytest.fixture
def session_ids(pclient: gameye.Client) -> Iterator[list[str]]:
    """Ids of the sessions a test starts; stopped at its end."""
    ids: list[str] = []
    yield ids
    for session_id in ids:
        pclient.stop_session(session_id, idempotent=True)


def start(client: gameye.Client, image: str, ids: list[str]) -> str:
    session_id = client.create_session("europe", image).id
    ids.append(session_id)
    return session_id


def watchdog(stream: gameye.LogStream) -> threading.Timer:
    timer = threading.Timer(WATCHDOG, stream.close)
    timer.daemon = True
    timer.start()
    return timer


def test_follow_sees_new_lines_as_they_are_written(pclient: gameye.Client, session_ids: list[str]) -> None:
    session_id = start(pclient, "ticker", session_ids)
    wait_until(lambda: "tick 0" in pclient.logs(session_id), what="the first tick")
    so_far = len(pclient.logs(session_id).splitlines())
    wanted = so_far + 10  # more than existed when following started
    lines: list[str] = []
    with pclient.follow_logs(session_id) as stream:
        timer = watchdog(stream)
        for line in stream:
            lines.append(line)
            if len(lines) == wanted:
                break
        timer.cancel()
    assert stream.closed
    assert lines == [f"tick {i}" for i in range(wanted)]


def test_follow_ends_when_the_process_ends(pclient: gameye.Client, session_ids: list[str]) -> None:
    session_id = start(pclient, "short", session_ids)
    with pclient.follow_logs(session_id) as stream:
        timer = watchdog(stream)
        lines = list(stream)
        timer.cancel()
    assert lines[:3] == ["line 0", "line 1", "line 2"]


def test_close_from_another_thread_cancels_a_waiting_next(pclient: gameye.Client, session_ids: list[str]) -> None:
    """Issue 9 item 6: close() from another thread wakes a blocked next()
    within 100 ms, and that next() raises gameye.CancelledError; the
    iteration is over after that."""
    session_id = start(pclient, "quiet", session_ids)
    stream = pclient.follow_logs(session_id)
    timer = watchdog(stream)
    assert next(stream) == "ready"
    closed_at: list[float] = []

    def close() -> None:
        closed_at.append(time.monotonic())
        stream.close()

    # The next line never comes; close() from another thread ends the wait.
    closer = threading.Timer(0.3, close)
    closer.start()
    reader = threading.Timer(0.1, lambda: errors.append(pytest.raises(RuntimeError, next, stream)))
    errors: list[Any] = []
    reader.start()  # a second reader meanwhile is refused
    with pytest.raises(gameye.CancelledError) as info:
        next(stream)
    woke = time.monotonic()
    closer.join(timeout=5)
    reader.join(timeout=5)
    assert info.value.kind == "cancelled" and info.value.status is None
    assert closed_at, "the closer never ran"
    assert woke - closed_at[0] <= 0.1, f"next() woke {woke - closed_at[0]:.3f} s after close()"
    assert len(errors) == 1 and "in progress" in str(errors[0].value)
    assert stream.closed
    assert next(stream, None) is None  # closed: the iteration has ended
    timer.cancel()


def test_close_wakes_every_blocked_next_promptly(pclient: gameye.Client, session_ids: list[str]) -> None:
    """The 100 ms bound holds round after round, not just once: each stream
    is closed at a different moment of its reader's wait."""
    session_id = start(pclient, "quiet", session_ids)
    for delay in (0.05, 0.1, 0.2):  # each well after the read began
        stream = pclient.follow_logs(session_id)
        timer = watchdog(stream)
        assert next(stream) == "ready"
        closed_at: list[float] = []

        def close(stream: gameye.LogStream = stream, closed_at: list[float] = closed_at) -> None:
            closed_at.append(time.monotonic())
            stream.close()

        closer = threading.Timer(delay, close)
        closer.start()
        with pytest.raises(gameye.CancelledError):
            next(stream)
        woke = time.monotonic()
        closer.join(timeout=5)
        assert woke - closed_at[0] <= 0.1, f"delay {delay}: woke {woke - closed_at[0]:.3f} s after close()"
        timer.cancel()


class Interrupted(Exception):
    """Raised by the test's signal handler."""


def test_a_signal_while_waiting_raises_and_closes(pclient: gameye.Client, session_ids: list[str]) -> None:
    """Signal handlers (Ctrl-C's KeyboardInterrupt) run while next() waits."""
    import signal

    if not hasattr(signal, "setitimer"):
        pytest.skip("no setitimer")
    session_id = start(pclient, "quiet", session_ids)
    stream = pclient.follow_logs(session_id)
    timer = watchdog(stream)
    assert next(stream) == "ready"

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        begin = time.monotonic()
        with pytest.raises(Interrupted):
            next(stream)
        assert time.monotonic() - begin < 5
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert stream.closed
    assert next(stream, None) is None
    timer.cancel()


def test_waiting_for_a_line_releases_the_gil(pclient: gameye.Client, session_ids: list[str]) -> None:
    session_id = start(pclient, "quiet", session_ids)
    stream = pclient.follow_logs(session_id)
    assert next(stream) == "ready"
    ticks: list[float] = []

    def tick_then_close() -> None:
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            ticks.append(time.monotonic())
            time.sleep(0.01)
        stream.close()

    thread = threading.Thread(target=tick_then_close, daemon=True)
    thread.start()
    with pytest.raises(gameye.CancelledError):  # waits (GIL released) until closed
        next(stream)
    thread.join(timeout=5)
    assert len(ticks) >= 20


def test_closing_drops_the_connection(process_emulator: str, session_ids: list[str], pclient: gameye.Client) -> None:
    session_id = start(pclient, "quiet", session_ids)
    if established_to(process_emulator) < 0:
        pytest.skip("no /proc/net/tcp to count connections")
    for how in ("close", "garbage collection"):
        # A client of its own, whose only connection is the stream's.
        client = gameye.Client(TOKEN, base_url=process_emulator, timeout=REQUEST_TIMEOUT)
        baseline = established_to(process_emulator)
        stream = client.follow_logs(session_id)
        assert next(stream) == "ready"
        assert established_to(process_emulator) > baseline
        if how == "close":
            stream.close()
        else:
            del stream
            gc.collect()
        wait_until(lambda: established_to(process_emulator) <= baseline, what=f"closing by {how}")


async def test_async_follow_sees_new_lines(apclient: gameye.AsyncClient, session_ids: list[str]) -> None:
    session = await asyncio.wait_for(apclient.create_session("europe", "ticker"), 30)
    session_ids.append(session.id)

    async def first(n: int) -> list[str]:
        lines = []
        async with apclient.follow_logs(session.id) as stream:
            async for line in stream:
                lines.append(line)
                if len(lines) == n:
                    break
        assert stream.closed
        return lines

    assert await asyncio.wait_for(first(20), 15) == [f"tick {i}" for i in range(20)]


async def test_async_aclose_cancels_a_pending_read(apclient: gameye.AsyncClient, session_ids: list[str]) -> None:
    session = await asyncio.wait_for(apclient.create_session("europe", "quiet"), 30)
    session_ids.append(session.id)
    stream = await asyncio.wait_for(apclient.follow_logs(session.id), 15)
    assert await asyncio.wait_for(stream.__anext__(), 15) == "ready"
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)
    assert not pending.done()
    with pytest.raises(RuntimeError, match="in progress"):  # one read at a time
        stream.__anext__()
    await stream.aclose()
    with pytest.raises(gameye.CancelledError):  # as a blocked sync next() does
        await asyncio.wait_for(pending, 5)
    with pytest.raises(StopAsyncIteration):  # closed: the iteration has ended
        await asyncio.wait_for(stream.__anext__(), 5)


async def test_cancelling_a_pending_read_closes_the_stream(
    process_emulator: str, session_ids: list[str], pclient: gameye.Client
) -> None:
    session_id = start(pclient, "quiet", session_ids)
    client = gameye.AsyncClient(TOKEN, base_url=process_emulator, timeout=REQUEST_TIMEOUT)
    baseline = established_to(process_emulator)
    stream = client.follow_logs(session_id)
    assert await asyncio.wait_for(stream.__anext__(), 15) == "ready"
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(stream.__anext__(), 0.3)
    assert stream.closed
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(stream.__anext__(), 5)
    if baseline >= 0:
        deadline = time.monotonic() + 5
        while established_to(process_emulator) > baseline:
            assert time.monotonic() < deadline, "the stream's connection stayed open"
            await asyncio.sleep(0.01)


# --- the request that opened a stream ------------------------------------------

#: Answers the first ``GET /logs`` with 503: the retry opens the stream.
FIRST_FOLLOW_503 = {"method": "GET", "path": "/logs", "times": 1, "action": {"kind": "status", "status": 503}}


def test_follow_reports_the_opening_request(tmp_path: Any) -> None:
    """A stream's ``http_status`` and ``attempts`` are those of the request
    that opened it: 2 attempts after a 503 (a fixed 1 fails)."""
    with run_emulator(fault_config(tmp_path, [FIRST_FOLLOW_503]), tmp_path) as url:
        client = gameye.Client(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT)
        session_id = client.create_session("europe", "nginx").id
        with client.follow_logs(session_id) as stream:
            assert (stream.http_status, stream.attempts) == (200, 2)
            assert next(stream).startswith("[gameye-emulator]")


@pytest.mark.parametrize("opened_by", ["await", "__anext__"])
async def test_async_follow_reports_the_opening_request(tmp_path: Any, opened_by: str) -> None:
    """As the sync stream, for an async one: unknown until it is opened, by
    ``await`` or by the first ``__anext__``, which retries past the 503."""
    with run_emulator(fault_config(tmp_path, [FIRST_FOLLOW_503]), tmp_path) as url:
        client = gameye.AsyncClient(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT)
        session = await asyncio.wait_for(client.create_session("europe", "nginx"), 15)
        stream = client.follow_logs(session.id)
        assert (stream.http_status, stream.attempts) == (None, None)
        if opened_by == "await":
            assert await asyncio.wait_for(stream, 15) is stream
            assert (stream.http_status, stream.attempts) == (200, 2)
        assert (await asyncio.wait_for(stream.__anext__(), 15)).startswith("[gameye-emulator]")
        assert (stream.http_status, stream.attempts) == (200, 2)
        await stream.aclose()


# --- artifacts of a process ------------------------------------------------------


def test_artifact_of_a_stopped_process(pclient: gameye.Client, session_ids: list[str], tmp_path: Any) -> None:
    session_id = start(pclient, "ticker", session_ids)
    wait_until(lambda: "tick 0" in pclient.logs(session_id), what="the first tick")
    with pytest.raises(gameye.NotFoundError):  # only once terminated
        pclient.download_artifact(session_id, "/result", io.BytesIO())
    assert pclient.stop_session(session_id) == "stopped"
    buffer = io.BytesIO()
    written = pclient.download_artifact(session_id, "/result", buffer)
    assert written == len(buffer.getvalue()) and buffer.getvalue()[:2] == b"\x1f\x8b"
    with tarfile.open(fileobj=io.BytesIO(buffer.getvalue()), mode="r:gz") as tar:
        names = tar.getnames()
        data_name = next(n for n in names if n.endswith("data.txt"))
        member = tar.extractfile(data_name)
        assert member is not None and member.read() == b"the artifact of a ticker\n"
    dest = tmp_path / "result.tar.gz"
    assert pclient.download_artifact(session_id, "/result/data.txt", dest) == dest.stat().st_size
    with tarfile.open(dest, "r:gz") as tar:
        assert any(n.endswith("data.txt") for n in tar.getnames())
    with pytest.raises(gameye.NotFoundError):
        pclient.download_artifact(session_id, "/no-such-file", io.BytesIO())
    # A path leaving the session's root holds nothing of the session's: 404
    # (the spec documents no 422 for artifacts; TESTING.md).
    with pytest.raises(gameye.NotFoundError) as info:
        pclient.download_artifact(session_id, "/../../etc/passwd", io.BytesIO())
    assert info.value.status == 404
