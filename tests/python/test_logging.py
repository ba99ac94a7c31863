"""The library's log events reach logging.getLogger("gameye") at the level
chosen, and never carry the token or env values."""

import logging

import pytest

import gameye


@pytest.fixture
def captured(caplog):
    caplog.set_level(5, logger="gameye")
    gameye.set_log_level(5)
    yield caplog
    gameye.set_log_level(logging.WARNING)


def test_request_events_go_to_the_gameye_logger(emulator, captured):
    client = gameye.Client("gameye-emulator-token", base_url=emulator)
    client.create_session("europe", "nginx", env={"PASSWORD": "hunter2-env"})
    with pytest.raises(gameye.AuthenticationError):
        gameye.Client("s3cr3t-token", base_url=emulator, max_attempts=1).create_session("europe", "nginx")
    records = [r for r in captured.records if r.name == "gameye"]
    messages = [(r.levelno, r.getMessage()) for r in records]
    assert any(lvl == logging.DEBUG and "request start: POST /session" in m for lvl, m in messages), messages
    assert any(lvl == logging.INFO and "request end: POST /session -> 201" in m for lvl, m in messages), messages
    assert any("-> 401" in m for _, m in messages), messages
    text = "\n".join(m for _, m in messages)
    assert "s3cr3t" not in text and "gameye-emulator-token" not in text
    assert "hunter2" not in text


def test_level_filters_inside_the_library(emulator, caplog):
    caplog.set_level(5, logger="gameye")
    gameye.set_log_level(logging.ERROR)
    try:
        gameye.Client("gameye-emulator-token", base_url=emulator).create_session("europe", "nginx")
        assert not [r for r in caplog.records if r.name == "gameye"]
    finally:
        gameye.set_log_level(logging.WARNING)


def test_retries_are_warnings(emulator, caplog):
    caplog.set_level(logging.WARNING, logger="gameye")
    gameye.set_log_level()  # the logger's effective level: WARNING here
    client = gameye.Client("gameye-emulator-token", base_url=emulator, max_attempts=2)
    with pytest.raises(gameye.ServerError):
        client.create_session("europe", "fault-500")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("retrying POST /session after HTTP 503" in m for m in warnings), warnings
