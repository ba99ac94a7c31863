"""Python SDK for the Gameye Session API.

A thin binding over the Rust ``gameye-core`` crate: :class:`Client` calls
every endpoint of the Session API (blocking, with the GIL released),
:class:`AsyncClient` the same endpoints as asyncio awaitables; every failure
raises a subclass of :class:`GameyeError`.

>>> import gameye
>>> client = gameye.Client("my-token", environment="sandbox")  # doctest: +SKIP
>>> session = client.create_session("europe", "nginx")          # doctest: +SKIP
>>> session.host, session.ports                                  # doctest: +SKIP
>>> client.stop_session(session.id)                              # doctest: +SKIP
'stopped'
"""

import logging as _logging

from gameye._errors import (
    AuthenticationError,
    CancelledError,
    ClientError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    DownloadError,
    GameyeError,
    InvalidRequestError,
    NoCapacityError,
    NotFoundError,
    PermissionDeniedError,
    PingNotPermittedError,
    QuotaExceededError,
    ServerError,
    TimeoutError,
    TransportError,
    Violation,
)
from gameye._gameye import (
    AsyncClient,
    AsyncLogStream,
    Client,
    Exclusion,
    Location,
    LogStream,
    PlacedSession,
    Placement,
    PlacementAttempt,
    PlayerCount,
    Players,
    Port,
    RankedLocation,
    Session,
    SessionDetails,
    SessionSummary,
    __version__,
    _route_logs,
)
from gameye._placement import (
    IpPing,
    LocationPing,
    PingReport,
    choose_location,
    ping_locations,
    ping_locations_async,
)

__all__ = [
    "set_log_level",
    "choose_location",
    "ping_locations",
    "ping_locations_async",
    "IpPing",
    "LocationPing",
    "PingReport",
    "PingNotPermittedError",
    "AsyncClient",
    "AsyncLogStream",
    "AuthenticationError",
    "CancelledError",
    "Client",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "DownloadError",
    "Exclusion",
    "GameyeError",
    "InvalidRequestError",
    "Location",
    "LogStream",
    "NoCapacityError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlacedSession",
    "Placement",
    "PlacementAttempt",
    "PlayerCount",
    "Players",
    "Port",
    "QuotaExceededError",
    "RankedLocation",
    "ServerError",
    "Session",
    "SessionDetails",
    "SessionSummary",
    "TimeoutError",
    "TransportError",
    "Violation",
    "__version__",
]


def set_log_level(level: "int | None" = None) -> None:
    """Choose which of the library's log events reach ``logging.getLogger("gameye")``.

    Events: request start (DEBUG), request end with status and duration
    (INFO), retries (WARNING), failures (ERROR). They never contain the token
    or ``env`` values. ``level`` is a :mod:`logging` level; ``None`` takes the
    ``gameye`` logger's effective level now (WARNING unless configured), which
    is also what happens at import. Only events at or above the level cost
    anything: below it they are dropped inside the library. ``logging.CRITICAL
    + 1`` or higher turns the routing off.
    """
    logger = _logging.getLogger("gameye")
    if level is None:
        level = logger.getEffectiveLevel()
    if level > _logging.CRITICAL:
        core = 0
    elif level > _logging.WARNING:
        core = 1
    elif level > _logging.INFO:
        core = 2
    elif level > _logging.DEBUG:
        core = 3
    elif level > 5:
        core = 4
    else:
        core = 5
    _route_logs(core, logger)


# A library's logger gets a NullHandler (Python's logging guide): without
# one, a program that never configured logging would print every retry
# warning to stderr through logging's last-resort handler.
_logging.getLogger("gameye").addHandler(_logging.NullHandler())
set_log_level()
