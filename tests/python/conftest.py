"""Fixtures of the Python binding's tests: the emulator process and clients.

The emulator is the real ``gameye-emulator`` binary (path from the
``GAMEYE_EMULATOR_BIN`` environment variable, default
``/work/main/target/debug/gameye-emulator``; build it with
``cargo build -p gameye-emulator``). It is started once per test session on an
ephemeral port, which it writes to a port file that is polled with a bounded
loop, and it is killed at the end. Every wait in these tests is bounded.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import gameye
import pytest

#: The emulator binary.
EMULATOR_BIN = Path(os.environ.get("GAMEYE_EMULATOR_BIN", "/work/main/target/debug/gameye-emulator"))
#: The emulator configuration shared with the other test suites.
EMULATOR_CONFIG = Path(__file__).resolve().parent.parent / "emulator-config.json"
#: The emulator's token with every scope.
TOKEN = "gameye-emulator-token"
#: Seconds allowed for the emulator to write its port file.
STARTUP_TIMEOUT = 30.0
#: Seconds allowed for the emulator to exit once asked to.
SHUTDOWN_TIMEOUT = 5.0
#: The request timeout of test clients, so that no call can hang a test.
REQUEST_TIMEOUT = 10.0


@contextlib.contextmanager
def run_emulator(config: Path, workdir: Path, extra_args: tuple[str, ...] = (), scheme: str = "http") -> Iterator[str]:
    """Runs the emulator with ``config`` (and ``extra_args``) and yields its
    base URL (``scheme`` is ``"https"`` when ``extra_args`` ask for TLS)."""
    if not EMULATOR_BIN.is_file():
        pytest.fail(
            f"emulator binary not found at {EMULATOR_BIN}: build it with "
            "`cargo build -p gameye-emulator` or set GAMEYE_EMULATOR_BIN",
            pytrace=False,
        )
    port_file = workdir / "port"
    log_path = workdir / "emulator.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(EMULATOR_BIN), "--port", "0", "--port-file", str(port_file), "--config", str(config), *extra_args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            port = _wait_for_port(proc, port_file, log_path)
            yield f"{scheme}://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=SHUTDOWN_TIMEOUT)


def _wait_for_port(proc: subprocess.Popen, port_file: Path, log_path: Path) -> int:
    """Polls the port file until it holds a port, for at most STARTUP_TIMEOUT."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"emulator exited with {proc.returncode}: {log_path.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            text = port_file.read_text().strip()
        except FileNotFoundError:
            text = ""
        if text.isdigit():
            return int(text)
        time.sleep(0.05)
    pytest.fail(f"emulator wrote no port file within {STARTUP_TIMEOUT} s", pytrace=False)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an emulator running the shared configuration."""
    with run_emulator(EMULATOR_CONFIG, tmp_path_factory.mktemp("emulator")) as url:
        yield url


@pytest.fixture(scope="session")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The https base URL of an emulator running the shared configuration
    over TLS with a new test CA (``--tls-test-ca``), and that CA's PEM file
    (written before the port file), for a client's ``ca_bundle_path``."""
    workdir = tmp_path_factory.mktemp("tls-emulator")
    ca_dir = workdir / "ca"
    with run_emulator(EMULATOR_CONFIG, workdir, ("--tls-test-ca", str(ca_dir)), "https") as url:
        yield url, ca_dir / "ca.pem"


@pytest.fixture(scope="session")
def fault_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an emulator whose configuration adds the image
    ``fault-429``, answered with 429 and ``Retry-After: 7`` (a status the
    shared configuration has no way to produce)."""
    workdir = tmp_path_factory.mktemp("fault-emulator")
    config = json.loads(EMULATOR_CONFIG.read_text())
    config["images"].append({"name": "fault-429", "tags": ["latest"], "ports": []})
    config["faults"].append(
        {
            "method": "POST",
            "path": "/session",
            "image": "fault-429",
            "action": {"kind": "status", "status": 429, "retry_after": 7},
        }
    )
    path = workdir / "config.json"
    path.write_text(json.dumps(config))
    with run_emulator(path, workdir) as url:
        yield url


def check_http_error(exc: gameye.GameyeError, status: int, kind: str) -> None:
    """Checks what every error built from an API error answer carries."""
    assert exc.status == status
    assert exc.kind == kind
    assert exc.code, "the emulator always sends a code"
    assert exc.identifier, "the emulator always sends a request identifier"
    assert exc.identifier in str(exc)
    assert f"HTTP {status}" in str(exc)
    assert isinstance(exc.violations, list)
    assert TOKEN not in str(exc) and TOKEN not in repr(exc)


#: Each error status an endpoint can answer, with the exception class and
#: ``.kind`` it raises.
ERROR_STATUSES: dict[int, tuple[type[gameye.GameyeError], str]] = {
    401: (gameye.AuthenticationError, "unauthorized"),
    402: (gameye.QuotaExceededError, "quota_exhausted"),
    403: (gameye.PermissionDeniedError, "forbidden"),
    404: (gameye.NotFoundError, "not_found"),
    409: (gameye.ConflictError, "conflict"),
    420: (gameye.NoCapacityError, "no_capacity"),
    422: (gameye.InvalidRequestError, "invalid_syntax"),
    429: (gameye.ClientError, "client_error"),
    500: (gameye.ServerError, "server_error"),
    503: (gameye.ServerError, "server_error"),
}

#: A session id for calls that fail before the id is looked at.
SOME_ID = "no-such-session"

#: The endpoint table, api/ENDPOINTS.md, read by scripts/gen_endpoints.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import gen_endpoints  # noqa: E402 (found through the path above)

ENDPOINT_TABLE: list[dict[str, Any]] = gen_endpoints.load()
#: The endpoints the table sweeps (test_sweep.py): their arguments are made
#: from the table's examples.
SWEPT: list[dict[str, Any]] = gen_endpoints.swept(ENDPOINT_TABLE)


def example_args(endpoint: dict[str, Any], arg: int = -1, value: Any = None) -> list[Any]:
    """The table's example arguments of a swept endpoint, with argument
    number ``arg`` replaced by ``value`` (a list's first element)."""
    args: list[Any] = []
    for i, a in enumerate(endpoint["args"]):
        example = list(a["example"]) if a["type"] == "strs" else a["example"]
        if i == arg and a["type"] == "strs":
            example[0] = value
        elif i == arg:
            example = value
        args.append(example)
    return args


def table_call(endpoint: dict[str, Any]) -> Callable[[Any, Path], Any]:
    """A call of a swept endpoint with its examples, as in ENDPOINT_CALLS."""
    method = endpoint["names"]["python"][0]
    return lambda c, d: getattr(c, method)(*example_args(endpoint))


#: One call of every endpoint, for a client (``Client`` or ``AsyncClient``:
#: the async client's calls return awaitables) and a scratch directory: the
#: swept endpoints from the table, the others by hand.
#: ``follow_logs`` of ``AsyncClient`` opens the stream when awaited.
ENDPOINT_CALLS: dict[str, Callable[[Any, Path], Any]] = {
    "create_session": lambda c, d: c.create_session("europe", "nginx"),
    "follow_logs": lambda c, d: c.follow_logs(SOME_ID),
    "download_to_path": lambda c, d: c.download_artifact(SOME_ID, "/log", d / "artifact.tar.gz"),
    "download_to_file": lambda c, d: c.download_artifact(SOME_ID, "/log", io.BytesIO()),
    **{ep["name"]: table_call(ep) for ep in SWEPT},
}
#: The endpoints of ENDPOINT_CALLS the read-only token may not call.
NEEDS_SCOPE: list[str] = ["create_session", "follow_logs", "download_to_path", "download_to_file"] + [
    ep["name"] for ep in SWEPT if gen_endpoints.read_only_forbidden(ep)
]


def fault_config(tmp: Path, faults: list[dict[str, Any]], images: list[dict[str, Any]] | None = None) -> Path:
    """A copy of the shared configuration with ``faults`` replacing its fault
    rules and ``images`` added, written to ``tmp``."""
    config = json.loads(EMULATOR_CONFIG.read_text())
    config["faults"] = faults
    config["images"].extend(images or [])
    path = tmp / "config.json"
    path.write_text(json.dumps(config))
    return path


@pytest.fixture(scope="session")
def status_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[int | str], str]]:
    """Gives the base URL of an emulator that answers every request with the
    given status (or, for ``"stall"``, never answers), started on first use
    and kept for the session."""
    urls: dict[int | str, str] = {}
    with contextlib.ExitStack() as stack:

        def get(status: int | str) -> str:
            if status not in urls:
                workdir = tmp_path_factory.mktemp(f"status-{status}")
                if status == "stall":
                    action: dict[str, Any] = {"kind": "stall"}
                else:
                    action = {"kind": "status", "status": status}
                config = fault_config(workdir, [{"action": action}])
                urls[status] = stack.enter_context(run_emulator(config, workdir))
            return urls[status]

        yield get


#: A session's program that writes an artifact file, then prints
#: ``tick 0``, ``tick 1``, ... every 50 ms until it is stopped.
TICKER = """
import pathlib, time
pathlib.Path("result").mkdir(exist_ok=True)
pathlib.Path("result/data.txt").write_text("the artifact of a ticker\\n")
i = 0
while True:
    print(f"tick {i}", flush=True)
    i += 1
    time.sleep(0.05)
"""

#: A session's program that prints ``ready`` and then nothing for an hour.
QUIET = """
import time
print("ready", flush=True)
time.sleep(3600)
"""

#: A session's program that prints three lines and exits.
SHORT = """
for i in range(3):
    print(f"line {i}")
"""


@pytest.fixture(scope="session")
def process_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an emulator with images that run real processes:
    ``ticker`` (:data:`TICKER`), ``quiet`` (:data:`QUIET`) and ``short``
    (:data:`SHORT`)."""
    workdir = tmp_path_factory.mktemp("process-emulator")
    images = [
        {"name": name, "tags": ["latest"], "ports": [], "command": [sys.executable, "-u", "-c", script]}
        for name, script in (("ticker", TICKER), ("quiet", QUIET), ("short", SHORT))
    ]
    config = fault_config(workdir, [], images)
    data = json.loads(config.read_text())
    data["stop_grace_ms"] = 2000
    data["sessions_dir"] = str(workdir / "sessions")
    config.write_text(json.dumps(data))
    with run_emulator(config, workdir) as url:
        yield url


def established_to(url: str) -> int:
    """How many TCP connections to the (IPv4 loopback) server of ``url`` are
    established from this machine; -1 where ``/proc/net/tcp`` is missing."""
    port = int(url.rsplit(":", 1)[1])
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return -1
    count = 0
    for line in lines:
        fields = line.split()
        remote, state = fields[2], fields[3]
        if state == "01" and int(remote.split(":")[1], 16) == port:
            count += 1
    return count


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Polls ``predicate`` every 10 ms for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached within {timeout} s")
        time.sleep(0.01)


@pytest.fixture
def make_client(emulator: str) -> Callable[..., gameye.Client]:
    """Builds clients of the emulator; keyword arguments override the defaults."""

    def make(token: str = TOKEN, **options: object) -> gameye.Client:
        options.setdefault("base_url", emulator)
        options.setdefault("timeout", REQUEST_TIMEOUT)
        options.setdefault("connect_timeout", REQUEST_TIMEOUT)
        return gameye.Client(token, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def client(make_client: Callable[..., gameye.Client]) -> gameye.Client:
    """A client of the emulator with the all-scopes token."""
    return make_client()


@pytest.fixture
def make_async_client(emulator: str) -> Callable[..., gameye.AsyncClient]:
    """Builds async clients of the emulator; keyword arguments override the defaults."""

    def make(token: str = TOKEN, **options: object) -> gameye.AsyncClient:
        options.setdefault("base_url", emulator)
        options.setdefault("timeout", REQUEST_TIMEOUT)
        options.setdefault("connect_timeout", REQUEST_TIMEOUT)
        return gameye.AsyncClient(token, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def async_client(make_async_client: Callable[..., gameye.AsyncClient]) -> gameye.AsyncClient:
    """An async client of the emulator with the all-scopes token."""
    return make_async_client()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline_client(closed_port: int) -> gameye.Client:
    """A client of a closed port, for checks that fail before any request."""
    return gameye.Client(TOKEN, base_url=f"http://127.0.0.1:{closed_port}", timeout=5, connect_timeout=2)
