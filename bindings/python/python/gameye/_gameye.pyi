"""Type stubs of the Rust extension module ``gameye._gameye``.

Import these classes from :mod:`gameye`; the exceptions they raise are in
``gameye._errors`` (also re-exported by :mod:`gameye`).
"""

from collections.abc import Mapping, Sequence
from typing import Literal, final

__all__ = ["Client", "Port", "Session", "__version__"]

__version__: str
"""The version of the SDK (the Rust crate's version)."""

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
class Client:
    """A Gameye Session API client.

    Create one per process and share it: it is thread-safe and reuses its
    connections. The token is never shown by ``repr()`` or in exception texts.
    """

    def __new__(
        cls,
        token: str,
        *,
        base_url: str | None = None,
        environment: Literal["sandbox", "production"] | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        allow_insecure_http: bool = False,
    ) -> Client:
        """Creates a client.

        Args:
            token: The API bearer token.
            base_url: The API base URL (sandbox by default). Plain ``http://``
                is accepted for loopback hosts only, unless
                ``allow_insecure_http`` is set.
            environment: ``"sandbox"`` or ``"production"``; exclusive with
                ``base_url``.
            timeout: Time allowed for a whole request, in seconds (30 by default).
            connect_timeout: Time allowed to connect, in seconds (10 by default).
            allow_insecure_http: Allow plain ``http://`` to non-loopback hosts,
                which sends the token in clear.

        Raises:
            gameye.ConfigurationError: An option is invalid.
        """
    @property
    def base_url(self) -> str:
        """The base URL requests go to (without a trailing slash)."""
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
