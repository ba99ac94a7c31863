"""Process lifecycle (issue 9, item 9): the interpreter exits cleanly while
calls are in flight on the SDK's I/O threads, and a child made by ``fork()``
can make a client of its own while the parent's keeps working.

Each scenario runs in a fresh interpreter (a subprocess), since exiting is
what is tested; every wait on it is bounded.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import gameye
import pytest
from conftest import EMULATOR_CONFIG, REQUEST_TIMEOUT, TICKER, QUIET, TOKEN, run_emulator, wait_until

#: How long the interpreter may take to exit once its main thread is done.
EXIT_BOUND = 2.0
#: How long a scenario may take to set itself up before it exits.
SETUP_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def lifecycle_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An emulator whose artifacts drip (one byte each 100 ms, so a download
    stays in flight), whose ``fault-stall`` image never answers, and whose
    ``ticker``/``quiet`` images run real processes (see conftest)."""
    workdir = tmp_path_factory.mktemp("lifecycle-emulator")
    config = json.loads(EMULATOR_CONFIG.read_text())
    config["images"].extend(
        {"name": name, "tags": ["latest"], "ports": [], "command": [sys.executable, "-u", "-c", script]}
        for name, script in (("ticker", TICKER), ("quiet", QUIET))
    )
    config["faults"] = [
        {"method": "POST", "path": "/session", "image": "fault-stall", "action": {"kind": "stall"}},
        {"method": "GET", "path": "/artifacts", "action": {"kind": "slow_drip", "interval_ms": 100}},
    ]
    config["stop_grace_ms"] = 2000
    config["sessions_dir"] = str(workdir / "sessions")
    path = workdir / "config.json"
    path.write_text(json.dumps(config))
    with run_emulator(path, workdir) as url:
        yield url


@pytest.fixture(scope="module")
def sessions(lifecycle_emulator: str) -> Iterator[dict[str, str]]:
    """A running ``quiet`` session (a follow of it blocks after ``ready``)
    and a stopped ``ticker`` one (it has an artifact)."""
    client = gameye.Client(TOKEN, base_url=lifecycle_emulator, timeout=REQUEST_TIMEOUT)
    quiet = client.create_session("europe", "quiet").id
    ticker = client.create_session("europe", "ticker").id
    wait_until(lambda: "tick 0" in client.logs(ticker), what="the first tick")
    wait_until(lambda: "ready" in client.logs(quiet), what="the quiet session's first line")
    client.stop_session(ticker)
    yield {"quiet": quiet, "stopped": ticker}
    client.stop_session(quiet, idempotent=True)


#: Starts, on daemon threads and on an event loop in another thread, one of
#: each kind of call and leaves them in flight; prints "in flight" and exits
#: with EXIT_CODE (by returning from the script, or by sys.exit).
IN_FLIGHT = """
import asyncio, io, sys, threading, time
import gameye

url, quiet, stopped, tmp, how = sys.argv[1:6]
EXIT_CODE = 7
client = gameye.Client({token!r}, base_url=url, timeout=60, deadline=120)
aclient = gameye.AsyncClient({token!r}, base_url=url, timeout=60, deadline=120)
started = threading.Semaphore(0)

def on_thread(f):
    def run():
        started.release()
        try:
            f()
        except BaseException:
            pass
    threading.Thread(target=run, daemon=True).start()

def hammer():
    while True:
        client.list_sessions()

stream = client.follow_logs(quiet)  # a global: kept open until the exit
assert next(stream) == "ready"
calls = [
    lambda: client.create_session("europe", "fault-stall"),      # no answer ever
    lambda: next(stream),                                        # a follow waiting for a line
    lambda: client.download_artifact(stopped, "/result", io.BytesIO()),    # dripping
    lambda: client.download_artifact(stopped, "/result", tmp + "/a.tar.gz"),
    hammer, hammer,                                              # calls ending all the time
]
for call in calls:
    on_thread(call)

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()

kept = []  # the async stream and calls stay referenced until the exit

async def in_flight():
    lines = aclient.follow_logs(quiet)
    kept.append(lines)
    assert await lines.__anext__() == "ready"
    pending = [
        asyncio.ensure_future(aclient.create_session("europe", "fault-stall")),
        asyncio.ensure_future(lines.__anext__()),
        asyncio.ensure_future(aclient.download_artifact(stopped, "/result", io.BytesIO())),
        asyncio.ensure_future(aclient.download_artifact(stopped, "/result", tmp + "/b.tar.gz")),
    ]
    async def hammer():
        while True:
            await aclient.list_sessions()
    pending += [asyncio.ensure_future(hammer()) for _ in range(2)]
    kept.extend(pending)
    return len(pending)

assert asyncio.run_coroutine_threadsafe(in_flight(), loop).result(timeout=20) == 6
for _ in calls:
    assert started.acquire(timeout=20)
time.sleep(0.3)  # every call is past its start
print("in flight", flush=True)
if how == "sys.exit":
    sys.exit(EXIT_CODE)
elif how == "exception":
    raise SystemExit(EXIT_CODE)
"""


@pytest.mark.parametrize("how", ["return", "sys.exit"])
def test_exit_with_calls_in_flight(
    lifecycle_emulator: str, sessions: dict[str, str], tmp_path: Path, how: str
) -> None:
    """The interpreter exits within 2 s, with the script's exit status and
    nothing on stderr, while blocking calls, log follows, downloads (to a
    path and to a file object) and async calls are in flight or ending."""
    script = tmp_path / "in_flight.py"
    script.write_text(IN_FLIGHT.format(token=TOKEN))
    proc = subprocess.Popen(
        [sys.executable, str(script), lifecycle_emulator, sessions["quiet"], sessions["stopped"], str(tmp_path), how],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = _readline(proc, SETUP_TIMEOUT)
        assert line == "in flight\n", f"the scenario failed to start: {line!r} {_stderr(proc)}"
        exiting = time.monotonic()
        try:
            code = proc.wait(timeout=EXIT_BOUND * 5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the interpreter hung on exit (> {EXIT_BOUND * 5} s)")
        took = time.monotonic() - exiting
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    stderr = proc.stderr.read() if proc.stderr else ""
    expected = 0 if how == "return" else 7
    assert code == expected, f"exit status {code} (a crash is negative), stderr: {stderr}"
    assert took <= EXIT_BOUND, f"exiting took {took:.2f} s"
    assert stderr == "", stderr


def _readline(proc: subprocess.Popen, timeout: float) -> str:
    """The child's next stdout line, waiting at most ``timeout`` seconds."""
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return ""
    return proc.stdout.readline()


def _stderr(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=5)
    return proc.stderr.read() if proc.stderr else ""


# --- fork -----------------------------------------------------------------------

#: How long a forked child may take to make its calls and exit.
CHILD_TIMEOUT = 30.0


def _child_makes_its_own_client(url: str, results: "multiprocessing.Queue[object]") -> None:
    """Runs in a forked child: a new Client and a new AsyncClient work."""
    import asyncio

    try:
        client = gameye.Client(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT)
        session = client.create_session("europe", "nginx")
        listed = {s.id for s in client.list_sessions()}

        async def async_calls() -> str:
            aclient = gameye.AsyncClient(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT)
            details = await asyncio.wait_for(aclient.get_session(session.id), REQUEST_TIMEOUT)
            return details.id

        described = asyncio.run(async_calls())
        outcome = client.stop_session(session.id)
        results.put(("ok", session.id in listed, described == session.id, outcome))
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        results.put(("error", repr(e)))


def _warm(client: gameye.Client, aclient: gameye.AsyncClient) -> None:
    """Makes the clients start their I/O threads and pools (blocking and async)."""
    import asyncio

    assert client.list_sessions() is not None

    async def call() -> None:
        await asyncio.wait_for(aclient.list_sessions(), REQUEST_TIMEOUT)

    asyncio.run(call())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_forked_child_makes_a_new_client_and_the_parent_keeps_working(emulator: str) -> None:
    """The parent's clients are busy (I/O threads running, connections
    pooled, a request in flight on another thread) when it forks; the child
    makes its own Client and AsyncClient, which work; afterwards the
    parent's clients still work."""
    import asyncio
    import threading
    import warnings

    client = gameye.Client(TOKEN, base_url=emulator, timeout=REQUEST_TIMEOUT)
    aclient = gameye.AsyncClient(TOKEN, base_url=emulator, timeout=REQUEST_TIMEOUT)
    _warm(client, aclient)
    # A request in flight on another thread at the moment of the fork.
    slow = threading.Thread(target=lambda: client.create_session("europe", "fault-slow"), daemon=True)
    slow.start()
    time.sleep(0.1)

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    with warnings.catch_warnings():
        # Python 3.12+ warns that fork() in a multi-threaded process may
        # deadlock; that it does not is what this test checks.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=_child_makes_its_own_client, args=(emulator, results))
        child.start()
    child.join(CHILD_TIMEOUT)
    if child.is_alive():
        child.kill()
        child.join(5)
        pytest.fail(f"the forked child hung (> {CHILD_TIMEOUT} s)")
    assert child.exitcode == 0, f"the forked child died with {child.exitcode}"
    result = results.get(timeout=5)
    assert result == ("ok", True, True, "stopped"), result

    slow.join(timeout=REQUEST_TIMEOUT)
    assert not slow.is_alive()
    # The parent's clients keep working, blocking and async.
    session = client.create_session("europe", "nginx")
    assert session.id in {s.id for s in client.list_sessions()}

    async def async_calls() -> str:
        return await asyncio.wait_for(aclient.stop_session(session.id), REQUEST_TIMEOUT)

    assert asyncio.run(async_calls()) == "stopped"


#: A child of os.fork() that makes a client, calls, and exits through the
#: interpreter's normal exit (not os._exit), with the parent's client (whose
#: I/O threads do not exist in the child) still referenced.
FORK_AND_EXIT = """
import os, sys, time
import gameye

url = sys.argv[1]
client = gameye.Client({token!r}, base_url=url, timeout=10)
client.list_sessions()                   # the parent's I/O threads and pool exist
pid = os.fork()
if pid == 0:
    child = gameye.Client({token!r}, base_url=url, timeout=10)
    child.list_sessions()
    print("child ok", flush=True)
    sys.exit(0)                          # a normal exit, with both clients alive
_, status = os.waitpid(pid, 0)
client.list_sessions()
print("parent ok", os.waitstatus_to_exitcode(status), flush=True)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_forked_child_exits_normally(emulator: str, tmp_path: Path) -> None:
    """A child of a bare os.fork() exits through the interpreter's normal
    exit within the bound, with the parent's client still referenced."""
    script = tmp_path / "fork_and_exit.py"
    script.write_text(FORK_AND_EXIT.format(token=TOKEN))
    begin = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script), emulator], capture_output=True, text=True, timeout=CHILD_TIMEOUT
    )
    took = time.monotonic() - begin
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["child ok", "parent ok 0"], done.stdout + done.stderr
    assert took < CHILD_TIMEOUT / 3, f"took {took:.2f} s"


# --- the binding's source keeps to the exit gate ------------------------------------

#: The binding's Rust sources.
BINDING_SRC = Path(__file__).resolve().parents[2] / "bindings" / "python" / "src"


def test_every_return_into_python_passes_the_exit_gate() -> None:
    """A thread that takes the GIL from Rust during interpreter exit aborts
    the process (see bindings/python/src/exit_gate.rs), so the binding
    releases and retakes the GIL, and attaches from other threads, only
    through exit_gate. A new method written with ``py.detach`` would slip
    past it: this test names it."""
    offenders = []
    for source in sorted(BINDING_SRC.glob("*.rs")):
        if source.name == "exit_gate.rs":
            continue
        for number, line in enumerate(source.read_text().splitlines(), 1):
            code = line.split("//")[0]
            if ".detach(" in code and "exit_gate::detach(" not in code:
                offenders.append(f"{source.name}:{number}: {line.strip()}")
            if "Python::try_attach(" in code or "Python::attach(" in code:
                # error.rs converts errors on a thread that is attached already.
                if source.name != "error.rs":
                    offenders.append(f"{source.name}:{number}: {line.strip()}")
    assert not offenders, "use exit_gate::detach / exit_gate::try_attach:\n" + "\n".join(offenders)
