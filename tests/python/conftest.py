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
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

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
def run_emulator(config: Path, workdir: Path) -> Iterator[str]:
    """Runs the emulator with ``config`` and yields its base URL."""
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
            [str(EMULATOR_BIN), "--port", "0", "--port-file", str(port_file), "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            port = _wait_for_port(proc, port_file, log_path)
            yield f"http://127.0.0.1:{port}"
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
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline_client(closed_port: int) -> gameye.Client:
    """A client of a closed port, for checks that fail before any request."""
    return gameye.Client(TOKEN, base_url=f"http://127.0.0.1:{closed_port}", timeout=5, connect_timeout=2)
