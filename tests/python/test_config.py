"""Every key of the core's configuration reaches it from ``Client`` and
``AsyncClient``: a bad value fails with the core's ``ConfigurationError``
naming the key, and a good one changes what a real call does."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gameye
import pytest
from conftest import REQUEST_TIMEOUT, TOKEN, wait_until

#: A self-signed CA certificate (its key was thrown away): a valid PEM bundle
#: that signs nothing.
TEST_ROOT_PEM = """-----BEGIN CERTIFICATE-----
MIIBsTCCAVegAwIBAgIUI2/AnGgwu4Gd3BwmstsKxTo/HQ8wCgYIKoZIzj0EAwIw
LTErMCkGA1UEAwwiZ2FtZXllLXNkayB0ZXN0IHJvb3QgKG5vIGtleSBrZXB0KTAg
Fw0yNjEyMDUxNTUwNDNaGA8yMTI2MTExMTE1NTA0M1owLTErMCkGA1UEAwwiZ2Ft
ZXllLXNkayB0ZXN0IHJvb3QgKG5vIGtleSBrZXB0KTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABCbhmV1Wdxicv0pEXisr6DCM6rILb08qFpwrSXCBi25ZR4AASAEr
rA2AXUeeDC2qkh2TQ6k8F3a7VivokWeVmESjUzBRMB0GA1UdDgQWBBS24vIFYCwi
EbPZZooRaORkH/xxUjAfBgNVHSMEGDAWgBS24vIFYCwiEbPZZooRaORkH/xxUjAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIHniDmb9+0bjk+LAWoTC
CgFrPfNFsrB19Ln1DmSsoiLNAiEAsZFtpqUBYh2R6tFlvSpIwt6IFfYhFUMuqcUb
JD74KsU=
-----END CERTIFICATE-----
"""

CLASSES = [gameye.Client, gameye.AsyncClient]


def fields(exc: gameye.GameyeError) -> list[str]:
    return [v.field for v in exc.violations]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    ("options", "field"),
    [
        # Zero is refused by the core (its field name); a negative or
        # non-finite number by the binding, naming the option.
        ({"idle_timeout": 0}, "idle_timeout"),
        ({"idle_timeout": -1.0}, "idle_timeout"),
        ({"idle_timeout": float("inf")}, "idle_timeout"),
        ({"initial_backoff": -0.5}, "initial_backoff"),
        ({"max_backoff": float("nan")}, "max_backoff"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
        ({"max_response_bytes": -1}, "max_response_bytes"),
        ({"max_log_bytes": 0}, "max_log_bytes"),
        ({"max_log_bytes": -5}, "max_log_bytes"),
        ({"max_concurrent_requests": 0}, "max_concurrent_requests"),
        ({"max_concurrent_requests": (1 << 20) + 1}, "max_concurrent_requests"),
        ({"max_concurrent_requests": -1}, "max_concurrent_requests"),
    ],
)
def test_a_bad_value_names_its_option(cls: type, options: dict[str, Any], field: str) -> None:
    with pytest.raises(gameye.ConfigurationError) as info:
        cls(TOKEN, **options)
    assert fields(info.value) == [field]
    assert info.value.kind == "invalid_config"


@pytest.mark.parametrize("cls", CLASSES)
def test_ca_bundle_path_is_read_by_the_core(cls: type, tmp_path: Path) -> None:
    missing = tmp_path / "no-such.pem"
    with pytest.raises(gameye.ConfigurationError) as info:
        cls(TOKEN, ca_bundle_path=str(missing))
    assert fields(info.value) == ["ca_bundle_path"]
    assert "no-such.pem" in str(info.value)

    not_pem = tmp_path / "not.pem"
    not_pem.write_text("this is no certificate\n")
    with pytest.raises(gameye.ConfigurationError) as info:
        cls(TOKEN, ca_bundle_path=not_pem)  # an os.PathLike works too
    assert fields(info.value) == ["ca_bundle_path"]

    good = tmp_path / "root.pem"
    good.write_text(TEST_ROOT_PEM)
    cls(TOKEN, ca_bundle_path=good)
    cls(TOKEN, ca_bundle_path=str(good))


@pytest.mark.parametrize("cls", CLASSES)
def test_every_option_at_once_is_accepted(cls: type, tmp_path: Path) -> None:
    bundle = tmp_path / "root.pem"
    bundle.write_text(TEST_ROOT_PEM)
    client = cls(
        TOKEN,
        base_url="https://api.example.com/prefix",
        timeout=5,
        connect_timeout=2.5,
        idle_timeout=12.5,
        allow_insecure_http=False,
        max_attempts=3,
        initial_backoff=0.1,
        max_backoff=2,
        deadline=20,
        proxy="https://proxy.example.com:3128",
        proxy_from_env=True,
        ca_bundle_path=bundle,
        max_response_bytes=4096,
        max_log_bytes=8192,
        max_concurrent_requests=8,
    )
    assert client.base_url == "https://api.example.com/prefix"
    with pytest.raises(TypeError):
        cls(TOKEN, idle_timeout_ms=1000)  # the Python names, not the JSON keys


def test_max_response_bytes_caps_a_real_answer(make_client: Callable[..., gameye.Client]) -> None:
    # The emulator's location list is well over 16 bytes.
    assert make_client().available_locations("nginx")
    with pytest.raises(gameye.DecodeError) as info:
        make_client(max_response_bytes=16).available_locations("nginx")
    assert info.value.kind == "decode"
    assert info.value.status == 200


async def test_max_response_bytes_caps_an_async_answer(make_async_client: Callable[..., gameye.AsyncClient]) -> None:
    async with make_async_client(max_response_bytes=16) as client:
        with pytest.raises(gameye.DecodeError):
            await client.available_locations("nginx")


def test_max_log_bytes_caps_the_logs_text(make_client: Callable[..., gameye.Client]) -> None:
    client = make_client()
    session = client.create_session("europe", "nginx", labels={"test": "max_log_bytes"})
    try:
        assert len(client.logs(session.id)) > 16
        with pytest.raises(gameye.DecodeError):
            make_client(max_log_bytes=16).logs(session.id)
    finally:
        client.stop_session(session.id)


@pytest.mark.parametrize("option", ["initial_backoff", "max_backoff"])
def test_backoff_bounds_reach_the_retry_policy(status_emulator: Callable[[int | str], str], option: str) -> None:
    # A zero bound makes every wait zero, so 30 attempts at a server that
    # always answers 503 fit well inside the deadline. With the default
    # bounds (0.25 s doubling up to 8 s) the waits would pass the deadline
    # after a few attempts and the call would end early.
    client = gameye.Client(
        TOKEN,
        base_url=status_emulator(503),
        timeout=REQUEST_TIMEOUT,
        max_attempts=30,
        deadline=4,
        **{option: 0},
    )
    with pytest.raises(gameye.ServerError) as info:
        client.get_session("some-id")
    assert info.value.attempts == 30


def client_ports(url: str) -> set[int]:
    """The local ports of this machine's established TCP connections to the
    (IPv4 loopback) server of ``url``; skips where ``/proc/net/tcp`` is missing."""
    port = int(url.rsplit(":", 1)[1])
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        pytest.skip("no /proc/net/tcp to see connections in")
    ports = set()
    for line in lines:
        local, remote, state = line.split()[1:4]
        if state == "01" and int(remote.split(":")[1], 16) == port:
            ports.add(int(local.split(":")[1], 16))
    return ports


def test_max_concurrent_requests_holds_calls_back(status_emulator: Callable[[int | str], str]) -> None:
    # Two calls at a server that never answers: with one slot, only one
    # connection opens while both wait.
    url = status_emulator("stall")
    before = client_ports(url)
    # The calls' time (3 s) is well past the look at 0.3 s after the first
    # connection, so the slot is still held then.
    client = gameye.Client(TOKEN, base_url=url, timeout=3, deadline=3, max_attempts=1, max_concurrent_requests=1)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.get_session("some-id")
        except gameye.GameyeError as e:
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    wait_until(lambda: len(client_ports(url) - before) >= 1, timeout=2.0, what="the first connection")
    time.sleep(0.3)
    opened = len(client_ports(url) - before)
    for t in threads:
        t.join(timeout=10)
    assert opened == 1
    assert len(errors) == 2 and all(isinstance(e, gameye.TimeoutError) for e in errors)


@pytest.mark.parametrize(("idle_timeout", "reused"), [(None, True), (0.1, False)])
def test_idle_timeout_decides_whether_a_kept_connection_is_reused(
    make_client: Callable[..., gameye.Client], emulator: str, idle_timeout: float | None, reused: bool
) -> None:
    options = {} if idle_timeout is None else {"idle_timeout": idle_timeout}
    client = make_client(**options)
    before = client_ports(emulator)
    client.available_locations("nginx")
    first = client_ports(emulator) - before
    assert len(first) == 1
    time.sleep(0.5)
    client.available_locations("nginx")
    second = client_ports(emulator) - before
    assert (second == first) is reused, (first, second)
    client.close()


async def test_async_client_takes_the_same_options(make_async_client: Callable[..., gameye.AsyncClient]) -> None:
    async with make_async_client(
        idle_timeout=5, initial_backoff=0.01, max_backoff=0.1, max_log_bytes=1 << 20, max_concurrent_requests=2
    ) as client:
        results = await asyncio.gather(*(client.available_locations("nginx") for _ in range(4)))
    assert all(results)


def test_https_every_operation_trusts_ca_bundle_path(tls_emulator: tuple[str, Path], tmp_path: Path) -> None:
    # Each operation once over https to an emulator whose certificate only
    # the test CA vouches for; the other tests check the answers in detail.
    url, ca = tls_emulator
    client = gameye.Client(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT, ca_bundle_path=ca)
    run = f"https-{time.monotonic_ns()}"
    session = client.create_session("europe", "nginx", labels={"run": run})
    assert [s.id for s in client.list_sessions(labels={"run": run})] == [session.id]
    assert client.join_players(session.id, ["p1", "p2"]).count == 2
    assert client.leave_players(["p1"]).count == 1
    assert client.get_session(session.id).players.joined == ["p2"]
    assert client.logs(session.id)
    assert client.stop_session(session.id) == "stopped"
    with client.follow_logs(session.id) as stream:
        assert len(list(stream)) > 0
    dest = tmp_path / "artifact.tar.gz"
    written = client.download_artifact(session.id, "/", dest)
    assert written == dest.stat().st_size and written > 20
    assert dest.read_bytes()[:2] == b"\x1f\x8b"
    assert client.available_locations("nginx")
    assert client.tag_exists("europe", "nginx", "1.25") is True
    client.close()

    # Without the CA the emulator's certificate is refused.
    strict = gameye.Client(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT, max_attempts=1)
    with pytest.raises(gameye.TransportError) as info:
        strict.get_session(session.id)
    assert info.value.kind == "tls"


async def test_https_async_client_trusts_ca_bundle_path(tls_emulator: tuple[str, Path]) -> None:
    url, ca = tls_emulator
    async with gameye.AsyncClient(TOKEN, base_url=url, timeout=REQUEST_TIMEOUT, ca_bundle_path=str(ca)) as client:
        session = await client.create_session("europe", "nginx")
        assert (await client.get_session(session.id)).id == session.id
        assert await client.stop_session(session.id) == "stopped"
        assert await client.available_locations("nginx")
