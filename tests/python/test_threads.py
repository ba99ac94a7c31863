"""The GIL is released while a request is in flight."""

from __future__ import annotations

import threading
import time

import gameye

#: The emulator's latency for the image ``fault-slow``, in seconds.
SLOW_LATENCY = 1.5


def test_other_threads_run_during_a_slow_request(client: gameye.Client) -> None:
    """A thread ticks every 10 ms while the main thread waits 1.5 s for the
    emulator. Were the GIL held during the request, the ticker could not run
    and its ticks would show a gap as long as the request."""
    stop = threading.Event()
    ticks: list[float] = []

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    thread = threading.Thread(target=ticker, daemon=True)
    thread.start()
    try:
        while not ticks:  # bounded: the ticker starts at once
            time.sleep(0.001)
        start = time.monotonic()
        session = client.create_session("europe", "fault-slow")
        end = time.monotonic()
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert session.ports
    assert end - start >= SLOW_LATENCY * 0.9, "the request was not slow; the test proves nothing"
    during = [t for t in ticks if start <= t <= end]
    assert len(during) >= 20, f"only {len(during)} ticks during a {end - start:.2f} s request"
    gaps = [b - a for a, b in zip([start, *during], [*during, end])]
    assert max(gaps) < 0.5, f"the ticker stalled for {max(gaps):.2f} s"


def test_concurrent_requests_share_one_client(client: gameye.Client) -> None:
    """Two slow requests from two threads overlap instead of running in turn."""
    results: list[gameye.Session] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            results.append(client.create_session("europe", "fault-slow"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=start, daemon=True) for _ in range(2)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    elapsed = time.monotonic() - begin
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    assert len(results) == 2 and results[0].id != results[1].id
    assert elapsed < 2 * SLOW_LATENCY, f"requests ran in turn ({elapsed:.2f} s)"
