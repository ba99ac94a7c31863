"""Every endpoint the table api/ENDPOINTS.md sweeps, through ``Client`` and
``AsyncClient``, made from the table (a new endpoint needs no edit here):

- the table's examples get the table's status from the shared emulator;
- each argument empty raises ``InvalidRequestError`` naming it, before
  anything is sent (the offline client's port is closed), as do ``.``,
  ``..`` and a TAB in a path parameter;
- each argument ``None`` raises ``TypeError``;
- a wrong token raises ``AuthenticationError``, and the read-only token
  ``PermissionDeniedError`` where its scope is too small.

The error matrix of test_endpoint_errors.py covers the same endpoints
through ``ENDPOINT_CALLS``; the endpoints' own tests check the values.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import gameye
import pytest
from conftest import REQUEST_TIMEOUT, SWEPT, TOKEN, example_args
from gen_endpoints import BAD_PATH_VALUES, is_path, read_only_forbidden, refused_name

IDS = [ep["name"] for ep in SWEPT]


def call(client: gameye.Client | gameye.AsyncClient, endpoint: dict[str, Any], args: list[Any]) -> Any:
    """The endpoint's method of either client, awaited for ``AsyncClient``."""
    names = endpoint["names"]["python"]
    if isinstance(client, gameye.AsyncClient):

        async def bounded() -> Any:
            return await asyncio.wait_for(getattr(client, names[1])(*args), 30)

        return asyncio.run(bounded())
    return getattr(client, names[0])(*args)


def expect(endpoint: dict[str, Any], status: str, run: Callable[[], Any]) -> None:
    """``run()`` returns (OK) or raises the error of kind ``status``."""
    if status == "OK":
        run()
        return
    with pytest.raises(gameye.GameyeError) as info:
        run()
    assert info.value.kind == status.lower(), f"{endpoint['name']}: {info.value!r}"


def clients(url: str, token: str = TOKEN) -> list[gameye.Client | gameye.AsyncClient]:
    options: dict[str, Any] = {"base_url": url, "timeout": REQUEST_TIMEOUT, "connect_timeout": REQUEST_TIMEOUT}
    return [gameye.Client(token, **options), gameye.AsyncClient(token, **options)]


def test_the_table_sweeps_endpoints() -> None:
    assert len(SWEPT) >= 8, "the table lost its swept endpoints"


@pytest.mark.parametrize("endpoint", SWEPT, ids=IDS)
def test_examples_get_the_tables_status(emulator: str, endpoint: dict[str, Any]) -> None:
    for client in clients(emulator):
        expect(endpoint, endpoint["expect"], lambda: call(client, endpoint, example_args(endpoint)))


@pytest.mark.parametrize("endpoint", SWEPT, ids=IDS)
def test_each_argument_empty_is_refused_before_sending(closed_port: int, endpoint: dict[str, Any]) -> None:
    for client in clients(f"http://127.0.0.1:{closed_port}"):
        for i, arg in enumerate(endpoint["args"]):
            for value in ("", *(BAD_PATH_VALUES if is_path(endpoint, arg) else ())):
                with pytest.raises(gameye.InvalidRequestError) as info:
                    call(client, endpoint, example_args(endpoint, i, value))
                assert [v.field for v in info.value.violations] == [refused_name(arg)], value
                assert info.value.status is None


@pytest.mark.parametrize("endpoint", SWEPT, ids=IDS)
def test_each_argument_none_is_a_type_error(closed_port: int, endpoint: dict[str, Any]) -> None:
    for client in clients(f"http://127.0.0.1:{closed_port}"):
        for i, _ in enumerate(endpoint["args"]):
            with pytest.raises(TypeError):
                call(client, endpoint, example_args(endpoint, i, None))


@pytest.mark.parametrize("endpoint", SWEPT, ids=IDS)
def test_tokens_and_scopes(emulator: str, endpoint: dict[str, Any]) -> None:
    args = example_args(endpoint)
    for client in clients(emulator, "wrong-token"):
        expect(endpoint, "UNAUTHORIZED", lambda: call(client, endpoint, args))
    want = "FORBIDDEN" if read_only_forbidden(endpoint) else endpoint["expect"]
    for client in clients(emulator, "read-only-token"):
        expect(endpoint, want, lambda: call(client, endpoint, args))
