"""Proxies are used only when configured: ``HTTP_PROXY`` in the environment
is ignored unless ``proxy_from_env=True``; ``proxy=`` routes every request
through the given proxy, for ``Client`` and ``AsyncClient`` alike; a plain
http proxy that is not loopback is refused (it would see the token)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import gameye
import pytest

from conftest import TOKEN


@pytest.fixture
def fake_proxy() -> Iterator[tuple[str, list[int]]]:
    """A loopback fake proxy answering 502; yields its URL and a hit counter."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    hits = [0]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                hits[0] += 1
                conn.settimeout(5)
                try:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", hits
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_environment_proxies_are_opt_in(
    emulator: str, fake_proxy: tuple[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, hits = fake_proxy
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(var, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    gameye.Client(TOKEN, base_url=emulator, max_attempts=1).list_sessions()
    assert hits[0] == 0, "HTTP_PROXY was used without proxy_from_env"
    with pytest.raises(gameye.GameyeError):
        gameye.Client(TOKEN, base_url=emulator, max_attempts=1, proxy_from_env=True).list_sessions()
    assert hits[0] == 1


def test_an_explicit_proxy_is_used(emulator: str, fake_proxy: tuple[str, list[int]]) -> None:
    proxy, hits = fake_proxy
    with pytest.raises(gameye.GameyeError):
        gameye.Client(TOKEN, base_url=emulator, max_attempts=1, proxy=proxy).list_sessions()
    assert hits[0] == 1

    async def via_async() -> None:
        client = gameye.AsyncClient(TOKEN, base_url=emulator, max_attempts=1, proxy=proxy)
        with pytest.raises(gameye.GameyeError):
            await client.list_sessions()

    asyncio.run(via_async())
    assert hits[0] == 2


def test_a_remote_plain_http_proxy_is_refused() -> None:
    with pytest.raises(gameye.ConfigurationError, match="proxy"):
        gameye.Client(TOKEN, proxy="http://10.1.2.3:3128")
    with pytest.raises(gameye.ConfigurationError) as info:
        gameye.Client(TOKEN, proxy="http://user:hunter2@bad host:1")
    assert "hunter2" not in str(info.value)
    gameye.Client(TOKEN, proxy="https://proxy.example.com:3128")
