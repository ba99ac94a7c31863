//! The methods of `gameye.Client` and `gameye.AsyncClient`, one declaration
//! each (see [`crate::client_methods`] for the syntax). A method's
//! docstring is its `#[blocking]` head (`Client`) or `#[asyncio]` head
//! (`AsyncClient`), each with its example, then the shared `///` text: its
//! `Args:` (every parameter) and `Raises:`, at run time and in the stub
//! (`scripts/gen_pyi.py` writes `_gameye.pyi` from this file;
//! `tests/python/test_docstrings.py` checks every section is there).

use std::collections::BTreeMap;
use std::path::PathBuf;

use gameye_core::{ListFilter, StopOptions};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::aio::{into_vec, PyAsyncClient};
use crate::client::{stop_outcome, PyClient};
use crate::convert;
use crate::download::{self, Dest};
use crate::exit_gate;
use crate::placement;
use crate::session_logs::{PyAsyncLogStream, PyLogStream};
use crate::types::PySession;
use crate::types::{PyLocation, PyPlayerCount, PySessionDetails, PySessionSummary};

crate::client_methods::client_methods! {
    bind(py, core);

    // The keywords of `create_session` after `location` and `image`: the
    // core's `SessionRun` fields, in its order (`convert::session_run`).
    session_run(
        id: Option<&Bound<'_, PyAny>> as "str | None" = None,
        env: Option<&Bound<'_, PyAny>> as "Mapping[str, str] | None" = None,
        args: Option<&Bound<'_, PyAny>> as "Sequence[str] | None" = None,
        restart: Option<&Bound<'_, PyAny>> as "bool | None" = None,
        labels: Option<&Bound<'_, PyAny>> as "Mapping[str, str] | None" = None,
        version: Option<&Bound<'_, PyAny>> as "str | None" = None,
        ttl: Option<&Bound<'_, PyAny>> as "str | None" = None,
        external_id: Option<&Bound<'_, PyAny>> as "str | None" = None,
    );

    shared {
        /// The base URL requests go to (without a trailing slash).
        #[getter]
        fn base_url(&self) -> &str {
            self.inner.base_url()
        }

        /// ``Client(base_url='...')`` (``AsyncClient(...)``): the token is
        /// never shown.
        fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
            let url = PyString::new(py, self.inner.base_url()).repr()?;
            Ok(format!("{}(base_url={url})", <Self as pyo3::PyTypeInfo>::NAME))
        }
    }

    #[pymethods]
    impl PyClient {
        /// Closes the client: its log streams and the streamed calls (logs,
        /// follows, downloads) in flight on other threads end with
        /// :class:`gameye.CancelledError`; a JSON call in flight on another
        /// thread runs on that thread and finishes first. Later calls raise
        /// :class:`gameye.CancelledError`, its I/O threads stop and its
        /// connections close. Idempotent; never raises.
        ///
        /// Examples:
        ///     >>> client.close()
        ///     >>> client.closed
        ///     True
        fn close(&self, py: Python<'_>) {
            exit_gate::detach(py, || self.inner.close());
        }

        /// Whether ``close()`` was called (or a ``with`` block left).
        #[getter]
        fn closed(&self) -> bool {
            self.inner.is_closed()
        }

        fn __enter__(slf: Py<Self>) -> Py<Self> {
            slf
        }

        // None: the block's exception, if any, propagates; typed so, a
        // function that returns inside `with` type-checks (`-> bool` made
        // mypy --strict ask for a return after the block).
        #[pyo3(signature = (*_args))]
        fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) {
            self.close(py);
        }
    }

    #[pymethods]
    impl PyAsyncClient {
        /// Closes the client: awaitables in flight and its log streams raise
        /// :class:`gameye.CancelledError`, later calls raise it, its I/O
        /// threads stop and its connections close. Idempotent; never raises.
        ///
        /// Examples:
        ///     >>> await client.aclose()
        // py: -> asyncio.Future[None]
        fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            exit_gate::detach(py, || self.inner.close());
            crate::aio_future::ready(py, py.None())
        }

        /// Whether ``aclose()`` was called (or an ``async with`` block left).
        #[getter]
        fn closed(&self) -> bool {
            self.inner.is_closed()
        }

        // py: -> asyncio.Future[AsyncClient]
        fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
            crate::aio_future::ready(slf.py(), slf.clone().into_any().unbind())
        }

        // py: -> asyncio.Future[None]
        #[pyo3(signature = (*_args))]
        fn __aexit__<'py>(
            &self,
            py: Python<'py>,
            _args: &Bound<'py, PyTuple>,
        ) -> PyResult<Bound<'py, PyAny>> {
            exit_gate::detach(py, || self.inner.close());
            crate::aio_future::ready(py, py.None())
        }
    }

    /// Creates a client; its options are documented on the class
    /// (``help(gameye.Client)``).
    #[asyncio = "Creates a client; its options are documented on the class"]
    #[asyncio = "(``help(gameye.AsyncClient)``)."]
    #[new]
    fn new(
        token: Option<String> as "str | None" = None,
        *,
        base_url: Option<String> as "str | None" = None,
        environment: Option<String> as "Literal[\"sandbox\", \"production\"] | None" = None,
        timeout: Option<f64> as "float | None" = None,
        connect_timeout: Option<f64> as "float | None" = None,
        idle_timeout: Option<f64> as "float | None" = None,
        allow_insecure_http: bool as "bool" = false,
        max_attempts: Option<i64> as "int | None" = None,
        initial_backoff: Option<f64> as "float | None" = None,
        max_backoff: Option<f64> as "float | None" = None,
        deadline: Option<f64> as "float | None" = None,
        proxy: Option<String> as "str | None" = None,
        proxy_from_env: bool as "bool" = false,
        ca_bundle_path: Option<PathBuf> as "str | os.PathLike[str] | None" = None,
        max_response_bytes: Option<i64> as "int | None" = None,
        max_log_bytes: Option<i64> as "int | None" = None,
        max_concurrent_requests: Option<i64> as "int | None" = None,
    ) -> "Self";

    #[blocking = "Starts a session of ``image`` in ``location`` (``POST /session``)."]
    #[blocking = "Blocks until the server answers, releasing the GIL meanwhile."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> session = client.create_session(\"europe\", \"nginx\", ttl=\"1h\")"]
    #[blocking = "     >>> session.host, [p.host for p in session.ports]"]
    #[asyncio = "Starts a session of ``image`` in ``location`` (``POST /session``):"]
    #[asyncio = "an awaitable :class:`Session`."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> session = await client.create_session(\"europe\", \"nginx\", ttl=\"1h\")"]
    /// Args:
    ///     location: The region to host the session in, such as ``"europe"``.
    ///     image: The application (image) name.
    ///     id: The session id; a UUIDv4 is generated when omitted, so the
    ///         returned ``Session.id`` is known even if the server's answer
    ///         omits it.
    ///     env: Environment variables for the container (non-empty values).
    ///     args: Program arguments (each non-empty); a list or a tuple.
    ///     restart: Restart the session automatically when it fails.
    ///     labels: User-defined key/value metadata.
    ///     version: The image tag; the highest-priority tag when omitted.
    ///     ttl: Lifetime after which the session is stopped: ``"1m"``,
    ///         ``"1h"``, ``"2h30m"``.
    ///     external_id: A caller-provided identifier for the session.
    ///
    /// Raises:
    ///     gameye.InvalidRequestError: A bad argument (``.violations`` names
    ///         every bad field; nothing is sent; raised at the call) or a
    ///         422 answer.
    ///     gameye.NoCapacityError: 420, no capacity in ``location`` (after
    ///         the retries).
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn create_session(
        location: &Bound<'_, PyAny> as "str",
        image: &Bound<'_, PyAny> as "str",
    ) with session_run(keywords) -> "Session" {
        let run = convert::session_run(location, image, keywords)?;
        call core.create_session(run),
            core.create_session_async(run);
        map PySession::from
    }

    #[blocking = "Lists sessions (``GET /session``)."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> for s in client.list_sessions(labels={\"mode\": \"duel\"}):"]
    #[blocking = "     ...     print(s.id, s.location, s.player_count)"]
    #[asyncio = "Lists sessions (``GET /session``): an awaitable list of"]
    #[asyncio = ":class:`SessionSummary`."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> running = await client.list_sessions(image=\"nginx\")"]
    /// Args:
    ///     all: Every session, not only the running ones.
    ///     location: Only the sessions in this location.
    ///     image: Only the sessions of this image.
    ///     tag: Only the sessions of this image tag.
    ///     host: Only the sessions on this host (an IP address).
    ///     player_count_lt: Only the sessions with fewer players than this.
    ///     player_count_gt: Only the sessions with more players than this.
    ///     labels: Only the sessions having every one of these labels.
    ///
    /// Raises:
    ///     gameye.AuthenticationError: 401.
    ///     gameye.PermissionDeniedError: 403 (the token lacks
    ///         ``session:read``).
    ///     gameye.GameyeError: Any other failure, as its subclass: the
    ///         class of the status (402, 404, 409, 420, 422, other 4xx,
    ///         5xx), or a transport, timeout or decode error.
    fn list_sessions(
        *,
        all: bool as "bool" = false,
        location: Option<String> as "str | None" = None,
        image: Option<String> as "str | None" = None,
        tag: Option<String> as "str | None" = None,
        host: Option<String> as "str | None" = None,
        player_count_lt: Option<i64> as "int | None" = None,
        player_count_gt: Option<i64> as "int | None" = None,
        labels: Option<BTreeMap<String, String>> as "Mapping[str, str] | None" = None,
    ) -> "list[SessionSummary]" {
        let filter = ListFilter {
            all,
            location,
            image,
            tag,
            host,
            player_count_lt,
            player_count_gt,
            labels: labels.unwrap_or_default(),
        };
        call core.list_sessions(&filter),
            core.list_sessions_async(&filter);
        map into_vec::<_, PySessionSummary>
    }

    #[blocking = "Describes one session (``GET /session/{id}``), with its players."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> client.get_session(session.id).players.joined"]
    #[asyncio = "Describes one session (``GET /session/{id}``), with its players:"]
    #[asyncio = "an awaitable :class:`SessionDetails`."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> details = await client.get_session(session.id)"]
    /// Args:
    ///     id: The session id.
    ///
    /// Raises:
    ///     gameye.NotFoundError: No such session.
    ///     gameye.InvalidRequestError: ``id`` is empty (nothing is sent).
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn get_session(id: String as "str") -> "SessionDetails" {
        call core.get_session(&id), core.get_session_async(&id);
        map PySessionDetails::from
    }

    #[blocking = "Stops a session (``DELETE /session/{id}``); the container gets"]
    #[blocking = "SIGTERM."]
    #[blocking = ""]
    #[blocking = "Returns ``\"stopped\"``; with ``idempotent=True`` also"]
    #[blocking = "``\"already_stopped\"`` (409) or ``\"not_found\"`` (404)."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> client.stop_session(session.id, idempotent=True)"]
    #[blocking = "     'stopped'"]
    #[asyncio = "Stops a session (``DELETE /session/{id}``): an awaitable of"]
    #[asyncio = "``\"stopped\"`` (with ``idempotent=True`` also ``\"already_stopped\"``"]
    #[asyncio = "or ``\"not_found\"``)."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> await client.stop_session(session.id, idempotent=True)"]
    /// Args:
    ///     id: The session id.
    ///     idempotent: Return an outcome instead of raising when the
    ///         session is already stopped or unknown, so that a retried
    ///         stop succeeds.
    ///
    /// Raises:
    ///     gameye.ConflictError: 409, already stopped (not with
    ///         ``idempotent=True``).
    ///     gameye.NotFoundError: 404, no such session (not with
    ///         ``idempotent=True``).
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn stop_session(id: String as "str", *, idempotent: bool as "bool" = false) -> "_StopOutcome" {
        let options = StopOptions { idempotent };
        call core.stop_session(&id, options),
            core.stop_session_async(&id, options);
        map stop_outcome
    }

    #[blocking = "Registers players as joined to a session"]
    #[blocking = "(``PUT /session/player/join``)."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> client.join_players(session.id, [\"alice\", \"bob\"]).count"]
    #[blocking = "     2"]
    #[asyncio = "Registers players as joined to a session"]
    #[asyncio = "(``PUT /session/player/join``): an awaitable :class:`PlayerCount`."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> joined = await client.join_players(session.id, [\"alice\", \"bob\"])"]
    /// Args:
    ///     session: The session id.
    ///     players: The player ids, each non-empty: a list or a tuple (a
    ///         ``str`` is refused with :class:`TypeError`).
    ///
    /// Raises:
    ///     gameye.InvalidRequestError: No players, or an empty id.
    ///     gameye.NotFoundError: No such running session.
    ///     TypeError: ``players`` is a ``str`` or holds a non-``str``.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn join_players(
        session: String as "str",
        players: Vec<String> as "Sequence[str]",
    ) -> "PlayerCount" {
        call core.join_players(&session, &players),
            core.join_players_async(&session, &players);
        map PyPlayerCount::from
    }

    #[blocking = "Removes players from their session"]
    #[blocking = "(``DELETE /session/player/leave``)."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> client.leave_players([\"bob\"]).count"]
    #[blocking = "     1"]
    #[asyncio = "Removes players from their session"]
    #[asyncio = "(``DELETE /session/player/leave``): an awaitable :class:`PlayerCount`."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> left = await client.leave_players([\"bob\"])"]
    /// Args:
    ///     players: The player ids; they identify the session.
    ///
    /// Raises:
    ///     gameye.NotFoundError: No running session holds any of them.
    ///     gameye.InvalidRequestError: No players, or an empty id.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn leave_players(players: Vec<String> as "Sequence[str]") -> "PlayerCount" {
        call core.leave_players(&players),
            core.leave_players_async(&players);
        map PyPlayerCount::from
    }

    #[blocking = "The session's logs so far (``GET /logs?id=...``), as text."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> print(client.logs(session.id))"]
    #[asyncio = "The session's logs so far (``GET /logs?id=...``): an awaitable ``str``."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> text = await client.logs(session.id)"]
    /// Args:
    ///     id: The session id.
    ///
    /// Raises:
    ///     gameye.DecodeError: The logs exceed the client's size limit
    ///         (``max_log_bytes``); follow them instead.
    ///     gameye.NotFoundError: No such session.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn logs(id: String as "str") -> "str" {
        call core.logs(&id), core.logs_async(&id);
        map |text: String| text
    }

    #[blocking = "Follows the session's logs: the lines so far, then new ones as they"]
    #[blocking = "are written, until the session ends or the stream is closed. The"]
    #[blocking = "request is made here, so its errors raise here."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> with client.follow_logs(session.id) as lines:"]
    #[blocking = "     ...     for line in lines:"]
    #[blocking = "     ...         print(line)"]
    #[asyncio = "Follows the session's logs: an :class:`AsyncLogStream` (returned"]
    #[asyncio = "directly, not awaitable-only) for ``async for``; ``await`` it or use"]
    #[asyncio = "``async with`` to open it first (its errors raise there, else at the"]
    #[asyncio = "first line)."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> async with client.follow_logs(session.id) as lines:"]
    #[asyncio = "     ...     async for line in lines:"]
    #[asyncio = "     ...         print(line)"]
    /// Args:
    ///     id: The session id.
    ///
    /// Raises:
    ///     gameye.NotFoundError: No such session.
    ///     gameye.CancelledError: The stream or the client was closed while
    ///         waiting for a line.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn follow_logs(id: String as "str") -> "LogStream" / "AsyncLogStream" {
        sync {
            let stream = exit_gate::detach(py, || core.follow_logs(&id))?;
            PyLogStream::new(core.clone(), stream)
        }
        async {
            PyAsyncLogStream::new(core.clone(), id)
        }
    }

    #[blocking = "Downloads an artifact: a ``.tar.gz`` of the file or folder ``path``"]
    #[blocking = "of a terminated session (``GET /artifacts``). Returns the number of"]
    #[blocking = "bytes written. A file object's ``write()`` gets each chunk as it"]
    #[blocking = "arrives (the GIL is held only for the call)."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> client.download_artifact(session.id, \"/app/result\", \"result.tar.gz\")"]
    #[asyncio = "Downloads an artifact, as :meth:`Client.download_artifact`: an awaitable"]
    #[asyncio = "of the number of bytes written. A file object's ``write()`` runs on the"]
    #[asyncio = "event loop's thread, one chunk at a time, and is awaited when it returns"]
    #[asyncio = "an awaitable (``aiofiles``)."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> await client.download_artifact(session.id, \"/app/result\", \"result.tar.gz\")"]
    /// Args:
    ///     session: The session id.
    ///     path: The file or folder inside the session's container.
    ///     dest: A path (``str`` or :class:`os.PathLike`), written through a
    ///         temporary file renamed into place when complete, or a binary
    ///         file object (anything with ``write(bytes)``).
    ///
    /// Raises:
    ///     gameye.NotFoundError: No such session, path, or the session has
    ///         not terminated yet.
    ///     gameye.DownloadError: The file could not be written, or
    ///         ``write()`` raised (its exception is the ``__cause__``).
    ///     TypeError: ``dest`` is neither a path nor has ``write()``.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn download_artifact(
        session: String as "str",
        path: String as "str",
        dest: &Bound<'_, PyAny> as "_Dest",
    ) -> "int" {
        let dest = Dest::from_py(dest)?;
        sync {
            download::download(py, core, &session, &path, dest)?
        }
        async {
            download::download_async(py, core, session, path, dest)?
        }
    }

    #[blocking = "Starts a session of ``image`` near its players: in the best location"]
    #[blocking = "they measured and, on 420 (no capacity), in the next. Blocks,"]
    #[blocking = "releasing the GIL. Returns a :class:`PlacedSession`."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> report = gameye.ping_locations(client.available_locations(\"nginx\"))"]
    #[blocking = "     >>> placed = client.create_session_near(\"nginx\", [{**report, \"player\": \"alice\"}])"]
    #[blocking = "     >>> placed.location, placed.session.host, [t.outcome for t in placed.tried]"]
    #[asyncio = "Starts a session of ``image`` near its players, as"]
    #[asyncio = ":meth:`Client.create_session_near`: an awaitable :class:`PlacedSession`."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> placed = await client.create_session_near(\"nginx\", players)"]
    /// The locations the players measured are ranked as
    /// :func:`gameye.choose_location` does; the session is created in the
    /// best one and, on 420, in the next, at most ``max_locations`` in all.
    /// Each location tried gets its own session id; any error other than
    /// 420 ends the call there, so no second session can start.
    ///
    /// Args:
    ///     image: The application (image) name.
    ///     players: The players' ping reports (from
    ///         :func:`gameye.ping_locations`), each with ``"player"`` added,
    ///         or ``{"player": id, "locations": [{"id", "median_ms",
    ///         "loss"}]}``.
    ///     policy: ``{"max_loss": 0.2, "max_rtt_ms": None, "allow_missing":
    ///         False, "max_locations": 3}``, every key optional.
    ///     id, env, args, restart, labels, version, ttl, external_id: As
    ///         for :meth:`create_session` (``id`` is the first location's
    ///         session id).
    ///
    /// Raises:
    ///     gameye.NoCapacityError: Every location tried answered 420.
    ///     gameye.InvalidRequestError: No location is acceptable (the
    ///         violation gives each reason), or a bad argument.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn create_session_near(
        image: &Bound<'_, PyAny> as "str",
        players: &Bound<'_, PyAny> as "Sequence[Mapping[str, Any]]",
        *,
        policy: Option<&Bound<'_, PyAny>> as "Mapping[str, Any] | None" = None,
    ) with session_run(keywords) -> "PlacedSession" {
        let args = placement::near_args(py, image, players, policy, keywords)?;
        sync {
            placement::create_near(py, core, args)?
        }
        async {
            placement::create_near_async(py, core, args)?
        }
    }

    #[blocking = "The locations that can currently host ``image``"]
    #[blocking = "(``GET /available-location/{image}``). Do not cache: it changes."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> [loc.id for loc in client.available_locations(\"nginx\")]"]
    #[asyncio = "The locations that can currently host ``image``"]
    #[asyncio = "(``GET /available-location/{image}``): an awaitable list of"]
    #[asyncio = ":class:`Location`. Do not cache: it changes."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> locations = await client.available_locations(\"nginx\")"]
    /// Args:
    ///     image: The application (image) name.
    ///
    /// Raises:
    ///     gameye.NotFoundError: No such image.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn available_locations(image: String as "str") -> "list[Location]" {
        call core.available_locations(&image),
            core.available_locations_async(&image);
        map into_vec::<_, PyLocation>
    }

    #[blocking = "Whether the image tag ``version`` exists in ``region``"]
    #[blocking = "(``GET /tag/{region}/{image}/{version}``)."]
    #[blocking = ""]
    #[blocking = "Examples:"]
    #[blocking = "     >>> client.tag_exists(\"europe\", \"nginx\", \"1.25\")"]
    #[blocking = "     True"]
    #[asyncio = "Whether the image tag ``version`` exists in ``region``"]
    #[asyncio = "(``GET /tag/{region}/{image}/{version}``): an awaitable ``bool``."]
    #[asyncio = ""]
    #[asyncio = "Examples:"]
    #[asyncio = "     >>> await client.tag_exists(\"europe\", \"nginx\", \"1.25\")"]
    /// Args:
    ///     region: The region (location) id.
    ///     image: The application (image) name.
    ///     version: The image tag.
    ///
    /// Raises:
    ///     gameye.InvalidRequestError: An argument that is empty, ``.``,
    ///         ``..`` or holds a control character (nothing is sent).
    ///     gameye.GameyeError: Any other failure, as its subclass.
    fn tag_exists(
        region: String as "str",
        image: String as "str",
        version: String as "str",
    ) -> "bool" {
        call core.tag_exists(&region, &image, &version),
            core.tag_exists_async(&region, &image, &version);
        map |exists: bool| exists
    }
}
