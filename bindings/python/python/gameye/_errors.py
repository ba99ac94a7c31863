"""The exceptions of the Gameye SDK.

Every failure of the SDK raises a subclass of :class:`GameyeError`. The Rust
extension picks the class from the error's kind (in one place, the binding's
``error.rs``) and fills in every detail the core error carries. The text of an
exception, ``str(exc)``, is the core error's message; it never contains the
API token.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "CancelledError",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "DownloadError",
    "GameyeError",
    "InvalidRequestError",
    "NoCapacityError",
    "NotFoundError",
    "PermissionDeniedError",
    "PingNotPermittedError",
    "QuotaExceededError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "Violation",
]


@dataclass(frozen=True)
class Violation:
    """One problem with one field of a request or of the client options.

    Client-side validation and the server's 422 answers use the same shape.
    """

    field: str
    """The field, as a path such as ``location``, ``env.PORT`` or ``args[2]``."""

    description: str
    """What is wrong with it."""


class GameyeError(Exception):
    """Base class of every error the Gameye SDK raises.

    Attributes:
        kind: Which case this is, as a lowercase string: ``"invalid_request"``,
            ``"invalid_config"``, ``"unauthorized"``, ``"quota_exhausted"``,
            ``"forbidden"``, ``"not_found"``, ``"conflict"``, ``"no_capacity"``,
            ``"invalid_syntax"`` (422), ``"client_error"``, ``"server_error"``,
            ``"connect"``, ``"tls"``, ``"timeout"``, ``"transport"``,
            ``"decode"``, ``"io"`` (writing a download failed),
            ``"cancelled"`` or ``"ping_not_permitted"`` (ICMP refused by
            the OS): the names of the core's error table, which
            also picks the class.
        status: The HTTP status, when a response arrived; else ``None``.
        code: The server's machine-readable error code, when it sent one.
        details: The server's further explanation, when it sent one.
        identifier: The server's id of the request, for support tickets.
        violations: Per-field problems (client-side validation, 422, or the
            client option at fault), as a list of :class:`Violation`.
        body_excerpt: The start of a response body that could not be decoded.
        retry_after: The server's ``Retry-After`` in seconds, when it sent one.
        attempts: How many attempts the call made before failing: 0 when
            nothing was sent (client-side validation), 1 without retries.
            420, 5xx and failures before any response are retried (see the
            client's ``max_attempts`` and ``deadline``).
    """

    kind: str
    status: int | None
    code: str | None
    details: str | None
    identifier: str | None
    violations: list[Violation]
    body_excerpt: str | None
    retry_after: float | None
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        kind: str = "unknown",
        status: int | None = None,
        code: str | None = None,
        details: str | None = None,
        identifier: str | None = None,
        violations: Iterable[Violation] = (),
        body_excerpt: str | None = None,
        retry_after: float | None = None,
        attempts: int = 0,
    ) -> None:
        """Creates the error; the SDK raises these, callers rarely build them."""
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.code = code
        self.details = details
        self.identifier = identifier
        self.violations = list(violations)
        self.body_excerpt = body_excerpt
        self.retry_after = retry_after
        self.attempts = attempts


class AuthenticationError(GameyeError):
    """401: the API token is missing or wrong."""


class QuotaExceededError(GameyeError):
    """402: the organization's quota is exhausted."""


class PermissionDeniedError(GameyeError):
    """403: the token lacks the permission (scope) this call needs."""


class NotFoundError(GameyeError):
    """404: the location, image, version (tag), session, log or artifact does
    not exist (artifacts exist only once a session has terminated)."""


class ConflictError(GameyeError):
    """409: the session id is already taken (create), or the session has
    already terminated (stop without ``idempotent=True``)."""


class NoCapacityError(GameyeError):
    """420: no capacity in the location, or too many sessions started too fast.

    Retry later (see ``retry_after``).
    """


class InvalidRequestError(GameyeError):
    """The request is invalid: rejected by the client-side validation before
    sending (``kind == "invalid_request"``, ``status is None``) or by the
    server with 422 (``kind == "invalid_syntax"``). ``violations`` names every
    bad field."""


class ClientError(GameyeError):
    """Any other 4xx answer."""


class ServerError(GameyeError):
    """A 5xx answer. ``body_excerpt`` holds the start of a body that was not
    the API's JSON error (an HTML page from a proxy)."""


class TransportError(GameyeError):
    """The request did not get a full answer: connection refused, DNS failure
    (``kind == "connect"``), TLS failure (``"tls"``) or another transport
    failure such as a reset connection (``"transport"``)."""


class TimeoutError(TransportError, builtins.TimeoutError):  # noqa: A001 - shadows the builtin on purpose
    """The connect or request timeout ran out (``kind == "timeout"``).

    Also the builtin :class:`TimeoutError` (so an :class:`OSError`, with
    ``errno`` ``None``): ``except TimeoutError`` catches it whether or not
    the name is ``gameye``'s.
    """


class DecodeError(GameyeError):
    """A success answer whose body is not what the API specifies (malformed
    JSON, missing fields, over the size limit). ``body_excerpt`` holds its
    start and ``status`` the HTTP status."""


class ConfigurationError(GameyeError, ValueError):
    """The client options are invalid: empty token, malformed base URL, plain
    ``http://`` to a non-loopback host without ``allow_insecure_http``, an
    unknown environment, or a timeout that is not a positive number.
    ``violations`` names the option. Also a :class:`ValueError`."""


class DownloadError(GameyeError, OSError):
    """Writing a downloaded artifact failed (``kind == "io"``, ``status is
    None``): the destination file could not be created, written or moved into
    place, or the file object's ``write()`` raised, which is then the
    ``__cause__``. Also an :class:`OSError` (with ``errno`` ``None``)."""


class CancelledError(GameyeError):
    """The call ended without a result (``kind == "cancelled"``): the SDK's
    task running it was stopped, for example because a log stream was closed
    or the client's I/O runtime shut down.

    Not :class:`asyncio.CancelledError`: cancelling an awaitable of
    :class:`gameye.AsyncClient` raises asyncio's own exception, as usual.
    """


class PingNotPermittedError(GameyeError, PermissionError):
    """The OS lets this process send no ICMP echo (no unprivileged ICMP
    socket, no raw socket). The message names the cause and the fix, such as
    ``sysctl -w net.ipv4.ping_group_range="0 2147483647"`` on Linux."""
