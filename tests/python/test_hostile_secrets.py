"""A server that echoes the request's ``Authorization`` header back never
makes an exception (its text, repr, attributes) or a log record show the
token: a 401 JSON message, a 502 HTML page, a 302 ``Location`` and a
cut-off 201, through ``Client`` and ``AsyncClient``."""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gameye
import pytest

TOKEN = "tok-SECRET-py-echo-3c9e7a"
#: A part of the token that must not show either (a cut-off echo).
PART = "SECR"


def _reply(case: str, auth: str) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body of ``case``, echoing ``auth``."""
    token = auth.removeprefix("Bearer ")
    if case == "401":
        body = json.dumps(
            {
                "statusCode": 401,
                "code": f"BAD {auth}",
                "message": f"token not valid: {auth}",
                "details": f"you sent Authorization: {auth}",
                "identifier": auth,
                "violations": [{"field": "authorization", "description": auth}],
            }
        ).encode()
        return 401, {"Content-Type": "application/json"}, body
    if case == "502":
        page = f"<html><pre>Request headers:\nAuthorization: {auth}\n</pre></html>"
        return 502, {"Content-Type": "text/html"}, page.encode()
    if case == "302":
        return 302, {"Location": f"https://login.example/?token={token}"}, b""
    # 201 cut off by the server itself: the echo whole, then cut in the token.
    cut = token[: token.index(PART) + len(PART)]
    body = f'{{"id":"s","echo":"{auth}","host":"{cut}'.encode()
    return 201, {"Content-Type": "application/json"}, body


class _EchoHandler(BaseHTTPRequestHandler):
    """Answers every request as the server's ``case`` says, echoing the token."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        self.server.seen.append(auth)  # type: ignore[attr-defined]
        status, headers, body = _reply(self.server.case, auth)  # type: ignore[attr-defined]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.seen = []  # type: ignore[attr-defined]
    server.case = "401"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _all_text(exc: BaseException) -> str:
    """Every text of ``exc`` a program may show."""
    parts = [str(exc), repr(exc), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
    parts += [repr(v) for v in vars(exc).values()]
    parts += [repr(a) for a in exc.args]
    return "\n".join(parts)


CASES = [
    ("401", gameye.AuthenticationError),
    ("502", gameye.ServerError),
    ("302", gameye.ClientError),
    ("201", gameye.DecodeError),
]


@pytest.mark.parametrize(("case", "cls"), CASES)
async def test_an_echoed_token_never_shows(
    echo_server: ThreadingHTTPServer, case: str, cls: type, caplog: pytest.LogCaptureFixture
) -> None:
    echo_server.case = case  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{echo_server.server_address[1]}"
    caplog.set_level(5, logger="gameye")
    gameye.set_log_level(5)
    try:
        client = gameye.Client(TOKEN, base_url=url, max_attempts=1, timeout=10)
        aclient = gameye.AsyncClient(TOKEN, base_url=url, max_attempts=1, timeout=10)
        raised = []
        with pytest.raises(cls) as info:
            client.create_session("europe", "nginx")
        raised.append(info.value)
        with pytest.raises(cls) as info:
            client.get_session("some-id")
        raised.append(info.value)
        with pytest.raises(cls) as info:
            await aclient.create_session("europe", "nginx")
        raised.append(info.value)
        await aclient.aclose()
        client.close()
    finally:
        gameye.set_log_level(logging.WARNING)
    # The server did echo it: the test sees what must be hidden.
    assert echo_server.seen == [f"Bearer {TOKEN}"] * 3  # type: ignore[attr-defined]
    for exc in raised:
        text = _all_text(exc)
        assert "<redacted>" in str(exc), text
        assert TOKEN not in text and PART not in text, text
    messages = [r.getMessage() for r in caplog.records if r.name == "gameye"]
    assert any("GET /session/some-id" in m for m in messages), messages
    for m in messages:
        assert PART not in m, m
