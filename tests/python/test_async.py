"""``gameye.AsyncClient``: every endpoint as an awaitable, concurrency,
cancellation, and async log follow. Every wait is bounded (request timeouts,
``asyncio.wait_for``)."""

from __future__ import annotations

import asyncio
import gc
import io
import tarfile
import time
import uuid
import weakref
from pathlib import Path
from typing import Any, Callable

import gameye
import pytest
from conftest import established_to

MakeAsyncClient = Callable[..., gameye.AsyncClient]

#: The emulator's latency for the image ``fault-slow``, in seconds.
SLOW_LATENCY = 1.5


async def bounded(awaitable: Any, timeout: float = 30) -> Any:
    return await asyncio.wait_for(awaitable, timeout)


async def test_every_endpoint(async_client: gameye.AsyncClient, tmp_path: Path) -> None:
    labels = {"test": uuid.uuid4().hex}
    session = await bounded(async_client.create_session("europe", "my-game", labels=labels))
    assert isinstance(session, gameye.Session) and len(session.ports) == 2

    (summary,) = await bounded(async_client.list_sessions(labels=labels))
    assert isinstance(summary, gameye.SessionSummary)
    assert summary.id == session.id and summary.status == "running" and summary.ports == session.ports

    # Player ids unique to this test: leaving is by player id, across every
    # session, so a shared "alice" would also count another test's player.
    alice, bob = f"alice-{labels['test']}", f"bob-{labels['test']}"
    joined = await bounded(async_client.join_players(session.id, [alice, bob]))
    assert joined == gameye.PlayerCount(2, [alice, bob])
    details = await bounded(async_client.get_session(session.id))
    assert isinstance(details, gameye.SessionDetails)
    assert details.players == gameye.Players([alice, bob], 2)
    left = await bounded(async_client.leave_players([alice]))
    assert left.count == 1 and left.players == [alice]

    text = await bounded(async_client.logs(session.id))
    assert session.id in text

    assert await bounded(async_client.stop_session(session.id)) == "stopped"
    assert await bounded(async_client.stop_session(session.id, idempotent=True)) == "already_stopped"
    with pytest.raises(gameye.ConflictError):
        await bounded(async_client.stop_session(session.id))

    buffer = io.BytesIO()
    written = await bounded(async_client.download_artifact(session.id, "/logs", buffer))
    assert written == len(buffer.getvalue()) and buffer.getvalue()[:2] == b"\x1f\x8b"
    dest = tmp_path / "artifact.tar.gz"
    assert await bounded(async_client.download_artifact(session.id, "/logs", dest)) == dest.stat().st_size
    with tarfile.open(dest, "r:gz") as tar:
        assert tar.getnames() == ["logs"]

    locations = await bounded(async_client.available_locations("nginx"))
    assert {loc.id for loc in locations} == {"europe", "north-america"}
    assert all(isinstance(loc, gameye.Location) for loc in locations)
    assert await bounded(async_client.tag_exists("europe", "nginx", "1.25")) is True
    assert await bounded(async_client.tag_exists("europe", "nginx", "0.0")) is False


async def test_hundred_concurrent_creates(async_client: gameye.AsyncClient) -> None:
    sessions = await bounded(asyncio.gather(*(async_client.create_session("europe", "nginx") for _ in range(100))), 60)
    assert len(sessions) == 100
    assert all(isinstance(s, gameye.Session) and s.ports for s in sessions)
    assert len({s.id for s in sessions}) == 100


async def test_requests_overlap_and_never_block_the_loop(async_client: gameye.AsyncClient) -> None:
    """Two slow creates run at once, and a coroutine ticking every 10 ms keeps
    running meanwhile: the requests run on the SDK's threads, not the loop."""
    ticks: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    start = time.monotonic()
    results = await bounded(
        asyncio.gather(
            async_client.create_session("europe", "fault-slow"),
            async_client.create_session("europe", "fault-slow"),
        )
    )
    elapsed = time.monotonic() - start
    stop.set()
    await bounded(task)
    assert len({s.id for s in results}) == 2
    assert SLOW_LATENCY * 0.9 <= elapsed < 2 * SLOW_LATENCY, elapsed
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) >= 50 and max(gaps) < 0.5, max(gaps)


async def test_calls_return_asyncio_futures(async_client: gameye.AsyncClient) -> None:
    future = async_client.create_session("europe", "nginx")
    assert isinstance(future, asyncio.Future)
    session = await bounded(future)
    assert future.done() and future.result() == session


def test_calls_need_a_running_loop(async_client: gameye.AsyncClient) -> None:
    with pytest.raises(RuntimeError):
        async_client.get_session("x")
    # Creating a client and a log stream needs no loop.
    assert isinstance(async_client.follow_logs("x"), gameye.AsyncLogStream)


async def test_invalid_arguments(async_client: gameye.AsyncClient) -> None:
    # create_session validates at the call, before anything is sent.
    with pytest.raises(gameye.InvalidRequestError) as info:
        async_client.create_session("", "nginx", ttl="soon")
    assert sorted(v.field for v in info.value.violations) == ["location", "ttl"]
    # Other endpoints' checks are the core's, raised from await.
    with pytest.raises(gameye.InvalidRequestError) as info:
        await bounded(async_client.join_players("s", []))
    assert [v.field for v in info.value.violations] == ["players"]
    with pytest.raises(TypeError):
        async_client.get_session(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        async_client.download_artifact("s", "/x", object())  # type: ignore[arg-type]


def test_repr_hides_the_token() -> None:
    client = gameye.AsyncClient("s3cr3t-t0ken", base_url="http://127.0.0.1:9")
    assert repr(client) == "AsyncClient(base_url='http://127.0.0.1:9')"
    assert client.base_url == "http://127.0.0.1:9"
    with pytest.raises(gameye.ConfigurationError):
        gameye.AsyncClient("")
    with pytest.raises(gameye.ConfigurationError):
        gameye.AsyncClient("t", base_url="http://api.example.com")


# --- cancellation ------------------------------------------------------------


async def test_cancelling_a_call_aborts_the_request(emulator: str) -> None:
    # A client of its own: its only connection is the stalled request's.
    client = gameye.AsyncClient("gameye-emulator-token", base_url=emulator, timeout=30, connect_timeout=10)
    baseline = established_to(emulator)
    future = client.create_session("europe", "fault-stall")
    ref = weakref.ref(future)
    if baseline >= 0:
        await wait_for_async(lambda: established_to(emulator) > baseline, "the request's connection")
    start = time.monotonic()
    try:
        await asyncio.wait_for(future, 0.3)
    except asyncio.TimeoutError:
        pass
    else:
        pytest.fail("a stalled create completed")
    assert time.monotonic() - start < 5
    assert future.cancelled()
    del future
    # The aborted task dropped its request (closing the connection) and its
    # reference to the future, long before the 30 s request timeout.
    if baseline >= 0:
        await wait_for_async(lambda: established_to(emulator) <= baseline, "the connection to close")

    def released() -> bool:
        _ = client.base_url  # any call into the extension applies pending releases
        gc.collect()
        return ref() is None

    await wait_for_async(released, "the task to release the future")
    # The client still works.
    assert (await bounded(client.create_session("europe", "nginx"))).id


async def test_cancelling_a_task_awaiting_a_call(async_client: gameye.AsyncClient) -> None:
    task = asyncio.ensure_future(async_client.get_session("x"))
    task2 = asyncio.create_task(bounded(async_client.create_session("europe", "fault-stall")))
    await asyncio.sleep(0.05)
    task2.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task2
    with pytest.raises(gameye.NotFoundError):
        await bounded(task)


async def wait_for_async(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.01)


# --- log follow ----------------------------------------------------------------


async def test_follow_logs_async_iterates_lines(async_client: gameye.AsyncClient) -> None:
    session = await bounded(async_client.create_session("europe", "nginx"))
    expected = (await bounded(async_client.logs(session.id))).splitlines()

    async def collect() -> list[str]:
        return [line async for line in async_client.follow_logs(session.id)]

    assert await bounded(collect()) == expected


async def test_follow_logs_await_and_async_with(async_client: gameye.AsyncClient) -> None:
    session = await bounded(async_client.create_session("europe", "nginx"))
    stream = await bounded(async_client.follow_logs(session.id))
    assert isinstance(stream, gameye.AsyncLogStream)
    assert session.id in await bounded(stream.__anext__())
    await stream.aclose()
    assert stream.closed
    with pytest.raises(StopAsyncIteration):
        await bounded(stream.__anext__())

    async with async_client.follow_logs(session.id) as lines:
        first = await bounded(lines.__anext__())
        assert session.id in first
    assert lines.closed


async def test_follow_logs_errors_raise_on_open(async_client: gameye.AsyncClient) -> None:
    stream = async_client.follow_logs(str(uuid.uuid4()))
    with pytest.raises(gameye.NotFoundError):
        await bounded(stream)
    # A failed stream is over.
    with pytest.raises(StopAsyncIteration):
        await bounded(stream.__anext__())
    with pytest.raises(gameye.NotFoundError):
        async for _ in async_client.follow_logs(str(uuid.uuid4())):
            pass


# --- downloads -----------------------------------------------------------------


class AsyncWriter:
    """A writer whose ``write`` is a coroutine function, like aiofiles'."""

    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, data: bytes) -> int:
        await asyncio.sleep(0)
        self.data += data
        return len(data)


async def test_download_into_an_async_writer(async_client: gameye.AsyncClient) -> None:
    session = await bounded(async_client.create_session("europe", "nginx"))
    await bounded(async_client.stop_session(session.id))
    writer = AsyncWriter()
    written = await bounded(async_client.download_artifact(session.id, "/x", writer))
    assert written == len(writer.data) and bytes(writer.data[:2]) == b"\x1f\x8b"
    with tarfile.open(fileobj=io.BytesIO(bytes(writer.data)), mode="r:gz") as tar:
        assert tar.getnames() == ["x"]


async def test_failing_write_raises_download_error_async(async_client: gameye.AsyncClient) -> None:
    session = await bounded(async_client.create_session("europe", "nginx"))

    class Broken:
        def write(self, data: bytes) -> None:
            raise OSError(28, "No space left on device")

    class BrokenAsync:
        async def write(self, data: bytes) -> None:
            raise ValueError("async disk on fire")

    with pytest.raises(gameye.DownloadError) as info:
        await bounded(async_client.download_artifact(session.id, "/x", Broken()))
    assert info.value.kind == "io" and isinstance(info.value.__cause__, OSError)
    with pytest.raises(gameye.DownloadError) as info:
        await bounded(async_client.download_artifact(session.id, "/x", BrokenAsync()))
    assert isinstance(info.value.__cause__, ValueError)


async def test_unwritable_path_raises_download_error_async(async_client: gameye.AsyncClient, tmp_path: Path) -> None:
    session = await bounded(async_client.create_session("europe", "nginx"))
    with pytest.raises(gameye.DownloadError):
        await bounded(async_client.download_artifact(session.id, "/x", tmp_path / "missing" / "a.tar.gz"))


def test_loop_thread_writes(make_async_client: MakeAsyncClient) -> None:
    """A file object's write() runs on the event loop's thread."""
    import threading

    threads: set[int] = set()

    class Recorder(io.BytesIO):
        def write(self, data: Any) -> int:
            threads.add(threading.get_ident())
            return super().write(data)

    async def main() -> int:
        client = make_async_client()
        session = await bounded(client.create_session("europe", "nginx"))
        return await bounded(client.download_artifact(session.id, "/x", Recorder()))

    assert asyncio.run(main()) > 0
    assert threads == {threading.get_ident()}


async def test_cancelled_download_to_a_path_leaves_no_file(
    status_emulator: Callable[[int | str], str], tmp_path: Path
) -> None:
    client = gameye.AsyncClient("gameye-emulator-token", base_url=status_emulator("stall"), max_attempts=1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.download_artifact("s", "/x", tmp_path / "a.tar.gz"), 0.3)
    await asyncio.sleep(0.2)
    assert list(tmp_path.iterdir()) == []


class _NoReaderLoop(asyncio.SelectorEventLoop):
    """A loop that cannot watch file descriptors, as Windows' proactor loop."""

    def add_reader(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError


def test_a_loop_without_add_reader_still_gets_results(emulator: str) -> None:
    """Completions normally reach the loop through a wake-up fd it watches;
    a loop that cannot watch one gets them through call_soon_threadsafe."""
    loop = _NoReaderLoop()
    try:
        client = gameye.AsyncClient("gameye-emulator-token", base_url=emulator, timeout=10)

        async def calls() -> tuple[Any, Any]:
            session = await asyncio.wait_for(client.create_session("europe", "nginx"), 10)
            return session, await asyncio.wait_for(client.list_sessions(), 10)

        session, listed = loop.run_until_complete(calls())
        assert session.id in {s.id for s in listed}
        async def missing() -> None:
            await asyncio.wait_for(client.get_session("no-such-session"), 10)

        with pytest.raises(gameye.NotFoundError):
            loop.run_until_complete(missing())
    finally:
        loop.close()


def test_results_reach_a_loop_through_its_wake_up_fd(emulator: str) -> None:
    """The default loop watches one extra fd (the SDK's wake-up fd) once a
    call was made on it, and results arrive through it, many at once too."""
    loop = asyncio.new_event_loop()
    try:
        before = set(loop._selector.get_map().keys())  # type: ignore[attr-defined]
        client = gameye.AsyncClient("gameye-emulator-token", base_url=emulator, timeout=10)

        async def burst() -> int:
            sessions = await asyncio.wait_for(
                asyncio.gather(*(client.create_session("europe", "nginx") for _ in range(50))), 20
            )
            return len({s.id for s in sessions})

        assert loop.run_until_complete(burst()) == 50
        added = set(loop._selector.get_map().keys()) - before  # type: ignore[attr-defined]
        assert len(added) == 1, added
        assert loop.run_until_complete(burst()) == 50  # the same fd serves later calls
        assert set(loop._selector.get_map().keys()) - before == added  # type: ignore[attr-defined]
    finally:
        loop.close()
