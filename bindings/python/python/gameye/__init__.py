"""Python SDK for the Gameye Session API.

A thin binding over the Rust ``gameye-core`` crate: :class:`Client` starts
sessions, every failure raises a subclass of :class:`GameyeError`.

>>> import gameye
>>> client = gameye.Client("my-token", environment="sandbox")  # doctest: +SKIP
>>> session = client.create_session("europe", "nginx")          # doctest: +SKIP
>>> session.host, session.ports                                  # doctest: +SKIP
"""

from gameye._errors import (
    AuthenticationError,
    ClientError,
    ConfigurationError,
    ConflictError,
    DecodeError,
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
from gameye._gameye import Client, Port, Session, __version__

__all__ = [
    "AuthenticationError",
    "Client",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "GameyeError",
    "InvalidRequestError",
    "NoCapacityError",
    "NotFoundError",
    "PermissionDeniedError",
    "Port",
    "QuotaExceededError",
    "ServerError",
    "Session",
    "TimeoutError",
    "TransportError",
    "Violation",
    "__version__",
]
