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
    Location,
    LogStream,
    PlayerCount,
    Players,
    Port,
    Session,
    SessionDetails,
    SessionSummary,
    __version__,
)

__all__ = [
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
    "GameyeError",
    "InvalidRequestError",
    "Location",
    "LogStream",
    "NoCapacityError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlayerCount",
    "Players",
    "Port",
    "QuotaExceededError",
    "ServerError",
    "Session",
    "SessionDetails",
    "SessionSummary",
    "TimeoutError",
    "TransportError",
    "Violation",
    "__version__",
]
