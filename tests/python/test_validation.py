"""Client-side validation and client options: failures before any request."""

from __future__ import annotations

import gameye
import pytest

SECRET = "s3cr3t-t0ken-value"


def fields(exc: gameye.GameyeError) -> list[str]:
    """The fields the violations of ``exc`` name."""
    return [v.field for v in exc.violations]


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("", "nginx"), {}, ["location"]),
        (("europe", ""), {}, ["image"]),
        (("", ""), {}, ["image", "location"]),
        (("europe", "nginx"), {"ttl": "90s"}, ["ttl"]),
        (("europe", "nginx"), {"ttl": "1h30"}, ["ttl"]),
        (("europe", "nginx"), {"args": ["--ok", ""]}, ["args[1]"]),
        (("europe", "nginx"), {"env": {"PORT": 7777}}, ["env.PORT"]),
        (("europe", "nginx"), {"env": {"EMPTY": ""}}, ["env.EMPTY"]),
        (("europe", "nginx"), {"env": {"OBJ": object()}}, ["env.OBJ"]),
        (("europe", "nginx"), {"env": {1: "one"}}, ["env"]),
        (("europe", "nginx"), {"labels": {"n": 1.5}}, ["labels.n"]),
        (("europe", "nginx"), {"args": "--not-a-list"}, ["args"]),
        (("europe", "nginx"), {"restart": "yes"}, ["restart"]),
        (("europe", "nginx"), {"id": ""}, ["id"]),
        ((None, "nginx"), {}, ["location"]),
        ((42, "nginx"), {}, ["location"]),
        (("europe", "nginx"), {"version": b"1.0"}, ["version"]),
    ],
)
def test_bad_arguments_raise_invalid_request_error(
    offline_client: gameye.Client, args: tuple, kwargs: dict, expected: list[str]
) -> None:
    # The client points at a closed port: reaching the network would raise
    # TransportError, so InvalidRequestError proves nothing was sent.
    with pytest.raises(gameye.InvalidRequestError) as info:
        offline_client.create_session(*args, **kwargs)
    exc = info.value
    assert sorted(fields(exc)) == sorted(expected)
    assert exc.kind == "invalid_request" and exc.status is None
    assert exc.code is None and exc.identifier is None
    for field in expected:
        assert field in str(exc)
    assert all(isinstance(v, gameye.Violation) and v.description for v in exc.violations)


def test_every_bad_field_is_reported_at_once(offline_client: gameye.Client) -> None:
    with pytest.raises(gameye.InvalidRequestError) as info:
        offline_client.create_session("", "nginx", ttl="soon", args=[""], env={"A": 1})
    assert fields(info.value) == ["args[0]", "env.A", "location", "ttl"]


def test_tuple_args_and_mapping_env_are_accepted(offline_client: gameye.Client) -> None:
    import types

    # Valid arguments get past validation and fail on the closed port.
    with pytest.raises(gameye.TransportError):
        offline_client.create_session(
            "europe", "nginx", args=("a", "b"), env=types.MappingProxyType({"K": "v"}), restart=False
        )


def test_empty_token_is_configuration_error() -> None:
    for token in ("", "   "):
        with pytest.raises(gameye.ConfigurationError) as info:
            gameye.Client(token)
        assert fields(info.value) == ["token"]
        assert info.value.kind == "invalid_config"


def test_configuration_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        gameye.Client("")


def test_plain_http_to_remote_host_is_refused() -> None:
    with pytest.raises(gameye.ConfigurationError) as info:
        gameye.Client(SECRET, base_url="http://api.example.com")
    assert fields(info.value) == ["base_url"]
    assert "allow_insecure_http" in str(info.value)


def test_allow_insecure_http_accepts_plain_http() -> None:
    client = gameye.Client(SECRET, base_url="http://api.example.com", allow_insecure_http=True)
    assert client.base_url == "http://api.example.com"


def test_plain_http_to_loopback_is_accepted() -> None:
    for url in ("http://127.0.0.1:8080", "http://localhost", "http://[::1]:9000/prefix/"):
        assert gameye.Client(SECRET, base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"base_url": "not a url"}, "base_url"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "https://user:pw@example.com"}, "base_url"),
        ({"environment": "staging"}, "environment"),
        ({"environment": "sandbox", "base_url": "https://example.com"}, "base_url"),
        ({"timeout": 0}, "request_timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"connect_timeout": 0.0}, "connect_timeout"),
        ({"connect_timeout": float("inf")}, "connect_timeout"),
    ],
)
def test_bad_options_are_configuration_errors(options: dict, field: str) -> None:
    with pytest.raises(gameye.ConfigurationError) as info:
        gameye.Client(SECRET, **options)
    assert fields(info.value) == [field]
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_environments_and_defaults() -> None:
    assert gameye.Client(SECRET).base_url == "https://api.sandbox-gameye.gameye.net"
    assert gameye.Client(SECRET, environment="sandbox").base_url == "https://api.sandbox-gameye.gameye.net"
    assert gameye.Client(SECRET, environment="production").base_url == "https://api.production-gameye.gameye.net"
    assert gameye.Client(SECRET, timeout=0.25, connect_timeout=1).base_url


def test_wrong_option_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        gameye.Client(12345)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gameye.Client(SECRET, timeout="fast")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gameye.Client(SECRET, "https://example.com")  # type: ignore[misc]


def test_token_is_never_shown() -> None:
    client = gameye.Client(SECRET, base_url="http://127.0.0.1:9")
    assert repr(client) == "Client(base_url='http://127.0.0.1:9')"
    assert SECRET not in repr(client) and SECRET not in str(client)
    for bad in (f"{SECRET} with spaces", f"{SECRET}\n"):
        with pytest.raises(gameye.ConfigurationError) as info:
            gameye.Client(bad)
        assert SECRET not in str(info.value) and SECRET not in repr(info.value)
        assert fields(info.value) == ["token"]


def test_token_absent_from_request_errors(closed_port: int) -> None:
    client = gameye.Client(SECRET, base_url=f"http://127.0.0.1:{closed_port}", connect_timeout=2, timeout=5)
    with pytest.raises(gameye.TransportError) as info:
        client.create_session("europe", "nginx", env={"TOKEN": SECRET})
    shown = f"{info.value} {info.value!r} {info.value.__dict__}"
    assert SECRET not in shown
