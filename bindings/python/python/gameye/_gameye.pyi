"""Type stubs of the Rust extension module ``gameye._gameye``.

Import these classes from :mod:`gameye`; the exceptions they raise are in
``gameye._errors`` (also re-exported by :mod:`gameye`).
"""

import asyncio
import logging
import os
from collections.abc import Generator, Mapping, Sequence
from typing import Any, Literal, Protocol, Union, final

__all__ = [
    "AsyncClient",
    "AsyncLogStream",
    "Client",
    "Location",
    "LogStream",
    "PlayerCount",
    "Players",
    "Port",
    "Session",
    "SessionDetails",
    "SessionSummary",
    "__version__",
    "_close_exit_gate",
    "_error_kinds",
    "_choose_location",
    "_ping_locations",
    "_route_logs",
]

__version__: str
"""The version of the SDK (the Rust crate's version)."""

class _Writer(Protocol):
    """A binary file object: anything with ``write(bytes)``. For
    :class:`AsyncClient`, ``write`` may return an awaitable, which is awaited."""

    def write(self, data: bytes, /) -> object: ...

_Dest = Union[str, "os.PathLike[str]", _Writer]
_StopOutcome = Literal["stopped", "already_stopped", "not_found"]

@final
class Port:
    """A mapped port of a session: players connect to ``host`` port on the
    session's host. Frozen, comparable and hashable."""

    def __new__(cls, type: str, container: int, host: int) -> Port:
        """Builds a port; sessions come with their ports, this is for tests."""
    @property
    def type(self) -> str:
        """The protocol: ``"tcp"``, ``"udp"``, or a newer name as the server sent it."""
    @property
    def container(self) -> int:
        """The port inside the container."""
    @property
    def host(self) -> int:
        """The port on the host machine that players connect to."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Session:
    """A started session. Frozen, comparable and hashable."""

    def __new__(cls, id: str, host: str, ports: Sequence[Port]) -> Session:
        """Builds a session; ``Client.create_session`` returns them, this is for tests."""
    @property
    def id(self) -> str:
        """The session id: the server's, or the one the client sent when the
        server's answer omitted it (a generated UUIDv4 unless ``id=`` was given)."""
    @property
    def host(self) -> str:
        """The IP address of the machine the session runs on."""
    @property
    def ports(self) -> list[Port]:
        """The mapped ports, as a new list on each access."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SessionSummary:
    """One entry of :meth:`Client.list_sessions`. Frozen, comparable, hashable
    and picklable."""

    def __new__(
        cls,
        id: str,
        image: str,
        location: str,
        host: str,
        created: int,
        port: Mapping[str, int],
        *,
        tag: str | None = None,
        status: str | None = None,
        labels: Mapping[str, str] | None = None,
        player_count: int | None = None,
    ) -> SessionSummary:
        """Builds a summary; ``list_sessions`` returns them, this is for tests."""
    @property
    def id(self) -> str:
        """The session id."""
    @property
    def image(self) -> str:
        """The image name."""
    @property
    def tag(self) -> str | None:
        """The image tag, when the server says."""
    @property
    def location(self) -> str:
        """The location."""
    @property
    def host(self) -> str:
        """The IP address of the session's host."""
    @property
    def created(self) -> int:
        """Creation time, milliseconds since the Unix epoch."""
    @property
    def port(self) -> dict[str, int]:
        """The exposed ports as the API gives them, ``{"80/tcp": 49160}``
        (a new dict on each access)."""
    @property
    def ports(self) -> list[Port]:
        """The exposed ports as typed :class:`Port` (a new list on each access);
        a key without a protocol is TCP, a key that is not a port is skipped."""
    @property
    def status(self) -> str | None:
        """``"created"``, ``"running"``, ``"restarting"``, ``"exited"``,
        ``"dead"``, ``"draining"``, ``"shuttingdown"``,
        ``"server_unreachable"``, a newer server's status as it was sent, or
        ``None`` when the server did not say."""
    @property
    def labels(self) -> dict[str, str]:
        """User-defined labels (a new dict on each access)."""
    @property
    def player_count(self) -> int | None:
        """The number of players, when known."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]: ...

@final
class Players:
    """The players of a described session. Frozen, comparable and hashable."""

    def __new__(cls, joined: Sequence[str], joined_count: int) -> Players:
        """Builds a players record; this is for tests."""
    @property
    def joined(self) -> list[str]:
        """The ids of the players who joined (a new list on each access)."""
    @property
    def joined_count(self) -> int:
        """How many players joined."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SessionDetails:
    """One session as :meth:`Client.get_session` describes it, with its
    players. Frozen, comparable, hashable and picklable."""

    def __new__(
        cls,
        id: str,
        image: str,
        location: str,
        host: str,
        created: int,
        port: Mapping[str, int],
        status: str,
        *,
        tag: str | None = None,
        labels: Mapping[str, str] | None = None,
        players: Players | None = None,
    ) -> SessionDetails:
        """Builds the details; ``get_session`` returns them, this is for tests."""
    @property
    def id(self) -> str:
        """The session id."""
    @property
    def image(self) -> str:
        """The image name."""
    @property
    def tag(self) -> str | None:
        """The image tag, when the server says."""
    @property
    def location(self) -> str:
        """The location."""
    @property
    def host(self) -> str:
        """The IP address of the session's host."""
    @property
    def created(self) -> int:
        """Creation time, milliseconds since the Unix epoch."""
    @property
    def port(self) -> dict[str, int]:
        """The exposed ports as the API gives them, ``{"80/tcp": 49160}``."""
    @property
    def ports(self) -> list[Port]:
        """The exposed ports as typed :class:`Port`."""
    @property
    def status(self) -> str:
        """The status, as :attr:`SessionSummary.status` (never ``None`` here)."""
    @property
    def labels(self) -> dict[str, str]:
        """User-defined labels (a new dict on each access)."""
    @property
    def players(self) -> Players:
        """The players who joined."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]: ...

@final
class PlayerCount:
    """The answer of :meth:`Client.join_players` and
    :meth:`Client.leave_players`. Frozen, comparable and hashable."""

    def __new__(cls, count: int, players: Sequence[str]) -> PlayerCount:
        """Builds a player count; this is for tests."""
    @property
    def count(self) -> int:
        """The total number of players now in the session."""
    @property
    def players(self) -> list[str]:
        """The player ids the call joined or removed."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Location:
    """A location that can host an image. Frozen, comparable and hashable."""

    def __new__(cls, id: str, ips: Sequence[str]) -> Location:
        """Builds a location; this is for tests."""
    @property
    def id(self) -> str:
        """The location id, as ``create_session`` takes it."""
    @property
    def ips(self) -> list[str]:
        """IPv4 addresses to ping to measure latency to this location."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class LogStream:
    """A followed log (:meth:`Client.follow_logs`): iterate it for lines,
    without line endings, as the game server writes them, until the session
    ends.

    Each wait releases the GIL. ``close()``, leaving a ``with`` block, or
    garbage collection stops following and closes the connection; a
    ``next()`` waiting in another thread then raises
    :class:`gameye.CancelledError` at once, and later ones end the iteration.
    Ctrl-C while waiting raises :class:`KeyboardInterrupt` and closes the
    stream.
    """

    def __iter__(self) -> LogStream: ...
    def __next__(self) -> str:
        """The next line; raises the request's error if the stream fails, and
        :class:`gameye.CancelledError` if ``close()`` ends this wait."""
    def close(self) -> None:
        """Stops following and closes the connection. Idempotent."""
    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (or a ``with`` block left)."""
    @property
    def http_status(self) -> int | None:
        """The HTTP status of the request that opened the log; ``None``
        until it is open."""
    @property
    def attempts(self) -> int | None:
        """How many attempts opening the log took, retries included;
        ``None`` until it is open."""
    def __enter__(self) -> LogStream: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class AsyncLogStream:
    """A followed log for asyncio (:meth:`AsyncClient.follow_logs`):
    ``async for line in client.follow_logs(id)``.

    The request is sent on first use: ``await client.follow_logs(id)`` or
    ``async with client.follow_logs(id) as lines`` opens it (raising its
    errors there); otherwise the first ``__anext__`` does. ``aclose()``,
    leaving an ``async with`` block, or garbage collection stops following
    and closes the connection; a pending ``__anext__`` then raises
    :class:`gameye.CancelledError`, and later ones end the iteration.
    Cancelling a pending ``__anext__`` closes the stream.
    """

    def __aiter__(self) -> AsyncLogStream: ...
    def __anext__(self) -> asyncio.Future[str]:
        """The next line; raises the request's error if the stream fails."""
    def __await__(self) -> Generator[Any, None, AsyncLogStream]:
        """Opens the log (if not yet) and gives the stream itself."""
    def aclose(self) -> asyncio.Future[None]:
        """Stops following and closes the connection. Idempotent."""
    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` was called (or an ``async with`` block left)."""
    @property
    def http_status(self) -> int | None:
        """The HTTP status of the request that opened the log; ``None``
        until it is open."""
    @property
    def attempts(self) -> int | None:
        """How many attempts opening the log took, retries included;
        ``None`` until it is open."""
    def __aenter__(self) -> asyncio.Future[AsyncLogStream]: ...
    def __aexit__(self, *args: object) -> asyncio.Future[bool]: ...

@final
class Client:
    """A Gameye Session API client.

    Create one per process and share it: it is thread-safe and reuses its
    connections. The token is never shown by ``repr()`` or in exception texts.
    A context manager: leaving a ``with`` block closes it.
    """

    def __new__(
        cls,
        token: str | None = None,
        *,
        base_url: str | None = None,
        environment: Literal["sandbox", "production"] | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        idle_timeout: float | None = None,
        allow_insecure_http: bool = False,
        max_attempts: int | None = None,
        initial_backoff: float | None = None,
        max_backoff: float | None = None,
        deadline: float | None = None,
        proxy: str | None = None,
        proxy_from_env: bool = False,
        ca_bundle_path: str | os.PathLike[str] | None = None,
        max_response_bytes: int | None = None,
        max_log_bytes: int | None = None,
        max_concurrent_requests: int | None = None,
    ) -> Client:
        """Creates a client.

        Args:
            token: The API bearer token; by default the ``GAMEYE_TOKEN``
                environment variable's (``ConfigurationError`` if unset).
            base_url: The API base URL (sandbox by default). Plain ``http://``
                is accepted for loopback hosts only, unless
                ``allow_insecure_http`` is set.
            environment: ``"sandbox"`` or ``"production"``; exclusive with
                ``base_url``.
            timeout: Time allowed for a whole request, in seconds (30 by default).
            connect_timeout: Time allowed to connect, in seconds (10 by default).
            idle_timeout: How long a kept connection may stay idle and still
                be reused, in seconds (30 by default); an older one is closed
                and a fresh one opened. Keep it under the idle timeout of any
                load balancer or proxy in front of the API.
            allow_insecure_http: Allow plain ``http://`` to non-loopback hosts,
                which sends the token in clear.
            max_attempts: Attempts per call, the first included (4 by
                default; 1 turns retries off). 420, 5xx and failures before
                any response are retried with jittered exponential backoff
                (or the server's ``Retry-After``).
            initial_backoff: Upper bound of the first backoff, in seconds
                (0.25 by default); it doubles per retry, and each wait is
                drawn uniformly below the bound.
            max_backoff: Cap on the bound of one backoff, in seconds (8 by
                default).
            deadline: Time allowed for one call, all attempts and waits
                included, in seconds (60 by default).
            proxy: A proxy every request goes through, such as
                ``"http://127.0.0.1:3128"`` (plain ``http://`` only to a
                loopback proxy unless ``allow_insecure_http`` is set).
            proxy_from_env: Use ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``
                from the environment. Off by default: proxies are used only
                when configured.
            ca_bundle_path: A PEM file of extra root certificates to trust
                (for a proxy that re-signs TLS), besides the built-in roots;
                verification itself is always on.
            max_response_bytes: Cap on a JSON response body (1 MiB by
                default); a larger body raises ``DecodeError``.
            max_log_bytes: Cap on the text of :meth:`logs` (16 MiB by default).
            max_concurrent_requests: Requests in flight at once (256 by
                default); more calls wait for a slot within their deadline.

        Raises:
            gameye.ConfigurationError: An option is invalid.
        """
    @property
    def base_url(self) -> str:
        """The base URL requests go to (without a trailing slash)."""
    def close(self) -> None:
        """Closes the client: its log streams and the streamed calls (logs,
        follows, downloads) in flight on other threads end with
        :class:`gameye.CancelledError`; a JSON call in flight on another
        thread runs on that thread and finishes first. Later calls raise
        :class:`gameye.CancelledError`, its I/O threads stop and its
        connections close. Idempotent."""
    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (or a ``with`` block left)."""
    def __enter__(self) -> Client: ...
    def __exit__(self, *args: object) -> bool: ...
    def create_session(
        self,
        location: str,
        image: str,
        *,
        id: str | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] | None = None,
        restart: bool | None = None,
        labels: Mapping[str, str] | None = None,
        version: str | None = None,
        ttl: str | None = None,
        external_id: str | None = None,
    ) -> Session:
        """Starts a session of ``image`` in ``location`` (``POST /session``).

        Blocks until the server answers, releasing the GIL meanwhile.

        Args:
            location: The region to host the session in, such as ``"europe"``.
            image: The application (image) name.
            id: The session id; a UUIDv4 is generated when omitted.
            env: Environment variables for the container (non-empty values).
            args: Program arguments (each non-empty); a list or a tuple.
            restart: Restart the session automatically when it fails.
            labels: User-defined key/value metadata.
            version: The image tag; the highest-priority tag when omitted.
            ttl: Lifetime after which the session is stopped: ``"1m"``,
                ``"1h"``, ``"2h30m"``.
            external_id: A caller-provided identifier for the session.

        Raises:
            gameye.InvalidRequestError: A bad argument (``.violations`` names
                every bad field) or a 422 answer.
            gameye.GameyeError: Any other failure, as its subclass.
        """

    def list_sessions(
        self,
        *,
        all: bool = False,
        location: str | None = None,
        image: str | None = None,
        tag: str | None = None,
        host: str | None = None,
        player_count_lt: int | None = None,
        player_count_gt: int | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> list[SessionSummary]:
        """Lists sessions (``GET /session``): the running ones, or every one
        with ``all=True``, narrowed by each filter given (``labels``: the
        sessions having every one of these labels; ``player_count_lt`` /
        ``player_count_gt``: fewer / more players than this).

        Raises:
            gameye.AuthenticationError: 401. gameye.PermissionDeniedError: 403
            (the token lacks ``session:read``). And as for every call: the
            class of the status (402, 404, 409, 420, 422, other 4xx, 5xx), or
            a transport, timeout or decode error.
        """
    def get_session(self, id: str) -> SessionDetails:
        """Describes one session (``GET /session/{id}``), with its players.

        Raises:
            gameye.NotFoundError: No such session.
            gameye.InvalidRequestError: ``id`` is empty (nothing is sent).
        """
    def stop_session(self, id: str, *, idempotent: bool = False) -> _StopOutcome:
        """Stops a session (``DELETE /session/{id}``); the container gets
        SIGTERM.

        Returns ``"stopped"``; with ``idempotent=True`` also
        ``"already_stopped"`` (409) or ``"not_found"`` (404), which otherwise
        raise :class:`~gameye.ConflictError` and :class:`~gameye.NotFoundError`.
        """
    def join_players(self, session: str, players: Sequence[str]) -> PlayerCount:
        """Registers players as joined to a session
        (``PUT /session/player/join``). ``players`` is a list or tuple of
        non-empty ids (a ``str`` is refused with :class:`TypeError`).

        Raises:
            gameye.InvalidRequestError: No players, or an empty id.
            gameye.NotFoundError: No such running session.
        """
    def leave_players(self, players: Sequence[str]) -> PlayerCount:
        """Removes players from their session
        (``DELETE /session/player/leave``); the ids identify the session.

        Raises:
            gameye.NotFoundError: No running session holds any of them.
        """
    def logs(self, id: str) -> str:
        """The session's logs so far (``GET /logs?id=...``), as text.

        Raises:
            gameye.DecodeError: The logs exceed the client's size limit;
                follow them instead.
        """
    def follow_logs(self, id: str) -> LogStream:
        """Follows the session's logs: the lines so far, then new ones as they
        are written, until the session ends or the stream is closed. The
        request is made here, so its errors raise here."""
    def download_artifact(self, session: str, path: str, dest: _Dest) -> int:
        """Downloads an artifact: a ``.tar.gz`` of the file or folder ``path``
        of a terminated session (``GET /artifacts``). Returns the number of
        bytes written.

        ``dest`` is a path (``str`` or :class:`os.PathLike`), written through
        a temporary file renamed into place when complete, or a binary file
        object, whose ``write()`` gets each chunk as it arrives (the GIL is
        held only for the call).

        Raises:
            gameye.NotFoundError: No such session, path, or the session has
                not terminated yet.
            gameye.DownloadError: The file could not be written, or
                ``write()`` raised (its exception is the ``__cause__``).
            TypeError: ``dest`` is neither a path nor has ``write()``.
        """
    def create_session_near(
        self,
        image: str,
        players: Sequence[Mapping[str, Any]],
        *,
        policy: Mapping[str, Any] | None = None,
        id: str | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] | None = None,
        restart: bool | None = None,
        labels: Mapping[str, str] | None = None,
        version: str | None = None,
        ttl: str | None = None,
        external_id: str | None = None,
    ) -> dict[str, Any]:
        """Starts a session of ``image`` near its players.

        ``players`` are the players' ping reports (from
        :func:`gameye.ping_locations`), each with ``"player"`` added, or
        ``{"player": id, "locations": [{"id", "median_ms", "loss"}]}``. The
        locations they measured are ranked as :func:`gameye.choose_location`
        does under ``policy`` (``{"max_loss": 0.2, "max_rtt_ms": None,
        "allow_missing": False, "max_locations": 3}``, every key optional);
        the session is created in the best one and, on 420 (no capacity), in
        the next, at most ``max_locations`` in all. Each location tried gets
        its own session id; any error other than 420 ends the call there, so
        no second session can start. Other keywords are those of
        :meth:`create_session`. Blocks, releasing the GIL.

        Returns ``{"session": Session, "location": str, "tried": [{"location",
        "session_id", "outcome": "created" | "no_capacity", "message"?}],
        "placement": {"ranked": [...], "excluded": [...]}}``.

        Raises:
            gameye.NoCapacityError: Every location tried answered 420.
            gameye.InvalidRequestError: No location is acceptable (the
                violation gives each reason), or a bad argument.
        """
    def available_locations(self, image: str) -> list[Location]:
        """The locations that can currently host ``image``
        (``GET /available-location/{image}``). Do not cache: it changes."""
    def tag_exists(self, region: str, image: str, version: str) -> bool:
        """Whether the image tag ``version`` exists in ``region``
        (``GET /tag/{region}/{image}/{version}``)."""

@final
class AsyncClient:
    """A Gameye Session API client for asyncio.

    The same constructor and methods as :class:`Client` (``aclose()`` for
    ``close()``, and ``async with`` for ``with``); each method starts
    its request at once (a JSON call writes it from the event loop's thread,
    never waiting there; the SDK's own I/O threads do the rest) and returns
    an :class:`asyncio.Future` of the result, to await.
    Errors raise from ``await`` with the same exception classes as
    :class:`Client`; argument type errors (and ``create_session``'s
    validation) raise at the call. Cancelling the future (``wait_for``
    timing out, a cancelled task) aborts the request. Methods must be called
    with an event loop running, except :meth:`follow_logs`.
    """

    def __new__(
        cls,
        token: str | None = None,
        *,
        base_url: str | None = None,
        environment: Literal["sandbox", "production"] | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        idle_timeout: float | None = None,
        allow_insecure_http: bool = False,
        max_attempts: int | None = None,
        initial_backoff: float | None = None,
        max_backoff: float | None = None,
        deadline: float | None = None,
        proxy: str | None = None,
        proxy_from_env: bool = False,
        ca_bundle_path: str | os.PathLike[str] | None = None,
        max_response_bytes: int | None = None,
        max_log_bytes: int | None = None,
        max_concurrent_requests: int | None = None,
    ) -> AsyncClient:
        """Creates a client; the options are those of :class:`Client`."""
    @property
    def base_url(self) -> str:
        """The base URL requests go to (without a trailing slash)."""
    def aclose(self) -> asyncio.Future[None]:
        """Closes the client: awaitables in flight and its log streams raise
        :class:`gameye.CancelledError`, later calls raise it, its I/O threads
        stop and its connections close. Idempotent."""
    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` was called (or an ``async with`` block left)."""
    def __aenter__(self) -> asyncio.Future[AsyncClient]: ...
    def __aexit__(self, *args: object) -> asyncio.Future[bool]: ...
    def create_session(
        self,
        location: str,
        image: str,
        *,
        id: str | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] | None = None,
        restart: bool | None = None,
        labels: Mapping[str, str] | None = None,
        version: str | None = None,
        ttl: str | None = None,
        external_id: str | None = None,
    ) -> asyncio.Future[Session]:
        """Starts a session, as :meth:`Client.create_session`."""
    def list_sessions(
        self,
        *,
        all: bool = False,
        location: str | None = None,
        image: str | None = None,
        tag: str | None = None,
        host: str | None = None,
        player_count_lt: int | None = None,
        player_count_gt: int | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> asyncio.Future[list[SessionSummary]]:
        """Lists sessions, as :meth:`Client.list_sessions`."""
    def get_session(self, id: str) -> asyncio.Future[SessionDetails]:
        """Describes one session, as :meth:`Client.get_session`."""
    def stop_session(self, id: str, *, idempotent: bool = False) -> asyncio.Future[_StopOutcome]:
        """Stops a session, as :meth:`Client.stop_session`."""
    def join_players(self, session: str, players: Sequence[str]) -> asyncio.Future[PlayerCount]:
        """Registers players as joined, as :meth:`Client.join_players`."""
    def leave_players(self, players: Sequence[str]) -> asyncio.Future[PlayerCount]:
        """Removes players, as :meth:`Client.leave_players`."""
    def logs(self, id: str) -> asyncio.Future[str]:
        """The session's logs so far, as :meth:`Client.logs`."""
    def follow_logs(self, id: str) -> AsyncLogStream:
        """Follows the session's logs: an :class:`AsyncLogStream` (returned
        directly, not awaitable-only) for ``async for``; ``await`` it or use
        ``async with`` to open it first."""
    def download_artifact(self, session: str, path: str, dest: _Dest) -> asyncio.Future[int]:
        """Downloads an artifact, as :meth:`Client.download_artifact`. A file
        object's ``write()`` runs on the event loop's thread, one chunk at a
        time, and is awaited when it returns an awaitable (``aiofiles``)."""
    def create_session_near(
        self,
        image: str,
        players: Sequence[Mapping[str, Any]],
        *,
        policy: Mapping[str, Any] | None = None,
        id: str | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] | None = None,
        restart: bool | None = None,
        labels: Mapping[str, str] | None = None,
        version: str | None = None,
        ttl: str | None = None,
        external_id: str | None = None,
    ) -> asyncio.Future[dict[str, Any]]:
        """Starts a session near its players, as :meth:`Client.create_session_near`."""
    def available_locations(self, image: str) -> asyncio.Future[list[Location]]:
        """The locations that can currently host ``image``."""
    def tag_exists(self, region: str, image: str, version: str) -> asyncio.Future[bool]:
        """Whether the image tag ``version`` exists in ``region``."""

def _route_logs(level: int, logger: logging.Logger) -> None:
    """Send the library's log events at a core level (1 error .. 5 trace; 0 off) to ``logger``."""

def _close_exit_gate() -> None:
    """The ``atexit`` hook the extension registers at import: from here on,
    threads of the SDK never take the GIL again, so that no thread with Rust
    frames is ended by the interpreter's exit."""

def _error_kinds() -> list[tuple[str, int, str]]:
    """The core's error table: ``(kind, status number, exception class name)``
    for every error kind, in table order."""
def _ping_locations(locations_json: str, options_json: str) -> str:
    """Pings locations given as JSON; returns the report as JSON. Use
    :func:`gameye.ping_locations`."""

def _choose_location(candidates_json: str, players_json: str, policy_json: str) -> str:
    """Ranks locations; JSON in and out. Use :func:`gameye.choose_location`."""
