//! The methods of `gameye.Client` and `gameye.AsyncClient`, one declaration
//! each (see [`crate::client_methods`] for the syntax). The `///` text is the
//! `Client` method's docstring and `#[asyncio]` the `AsyncClient` one's, at
//! run time and in the stub (`scripts/gen_pyi.py` writes `_gameye.pyi`
//! from this file).

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
        /// connections close. Idempotent.
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
        /// threads stop and its connections close. Idempotent.
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

    /// Creates a client.
    ///
    /// Args:
    ///     token: The API bearer token; by default the ``GAMEYE_TOKEN``
    ///         environment variable's (``ConfigurationError`` if unset).
    ///     base_url: The API base URL (sandbox by default). Plain ``http://``
    ///         is accepted for loopback hosts only, unless
    ///         ``allow_insecure_http`` is set.
    ///     environment: ``"sandbox"`` or ``"production"``; exclusive with
    ///         ``base_url``.
    ///     timeout: Time allowed for a whole request, in seconds (30 by default).
    ///     connect_timeout: Time allowed to connect, in seconds (10 by default).
    ///     idle_timeout: How long a kept connection may stay idle and still
    ///         be reused, in seconds (30 by default); an older one is closed
    ///         and a fresh one opened. Keep it under the idle timeout of any
    ///         load balancer or proxy in front of the API.
    ///     allow_insecure_http: Allow plain ``http://`` to non-loopback hosts,
    ///         which sends the token in clear.
    ///     max_attempts: Attempts per call, the first included (4 by
    ///         default; 1 turns retries off). 420, 5xx and failures before
    ///         any response are retried with jittered exponential backoff
    ///         (or the server's ``Retry-After``).
    ///     initial_backoff: Upper bound of the first backoff, in seconds
    ///         (0.25 by default); it doubles per retry, and each wait is
    ///         drawn uniformly below the bound.
    ///     max_backoff: Cap on the bound of one backoff, in seconds (8 by
    ///         default).
    ///     deadline: Time allowed for one call, all attempts and waits
    ///         included, in seconds (60 by default).
    ///     proxy: A proxy every request goes through, such as
    ///         ``"http://127.0.0.1:3128"`` (plain ``http://`` only to a
    ///         loopback proxy unless ``allow_insecure_http`` is set).
    ///     proxy_from_env: Use ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``
    ///         from the environment. Off by default: proxies are used only
    ///         when configured.
    ///     ca_bundle_path: A PEM file of extra root certificates to trust
    ///         (for a proxy that re-signs TLS), besides the built-in roots;
    ///         verification itself is always on.
    ///     max_response_bytes: Cap on a JSON response body (1 MiB by
    ///         default); a larger body raises ``DecodeError``.
    ///     max_log_bytes: Cap on the text of :meth:`logs` (16 MiB by default).
    ///     max_concurrent_requests: Requests in flight at once (256 by
    ///         default); more calls wait for a slot within their deadline.
    ///
    /// Raises:
    ///     gameye.ConfigurationError: An option is invalid.
    #[asyncio = "Creates a client; the options are those of :class:`Client`."]
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

    /// Starts a session of ``image`` in ``location`` (``POST /session``).
    ///
    /// Blocks until the server answers, releasing the GIL meanwhile.
    ///
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
    ///         every bad field; nothing is sent) or a 422 answer.
    ///     gameye.GameyeError: Any other failure, as its subclass.
    #[asyncio = "Starts a session, as :meth:`Client.create_session`."]
    fn create_session(
        location: &Bound<'_, PyAny> as "str",
        image: &Bound<'_, PyAny> as "str",
    ) with session_run(keywords) -> "Session" {
        let run = convert::session_run(location, image, keywords)?;
        call core.create_session(run),
            core.create_session_async(run);
        map PySession::from
    }

    /// Lists sessions (``GET /session``): the running ones, or every one
    /// with ``all=True``, narrowed by each filter given (``labels``: the
    /// sessions having every one of these labels; ``player_count_lt`` /
    /// ``player_count_gt``: fewer / more players than this).
    ///
    /// Raises:
    ///     gameye.AuthenticationError: 401. gameye.PermissionDeniedError: 403
    ///     (the token lacks ``session:read``). And as for every call: the
    ///     class of the status (402, 404, 409, 420, 422, other 4xx, 5xx), or
    ///     a transport, timeout or decode error.
    #[asyncio = "Lists sessions, as :meth:`Client.list_sessions`."]
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

    /// Describes one session (``GET /session/{id}``), with its players.
    ///
    /// Raises:
    ///     gameye.NotFoundError: No such session.
    ///     gameye.InvalidRequestError: ``id`` is empty (nothing is sent).
    #[asyncio = "Describes one session, as :meth:`Client.get_session`."]
    fn get_session(id: String as "str") -> "SessionDetails" {
        call core.get_session(&id), core.get_session_async(&id);
        map PySessionDetails::from
    }

    /// Stops a session (``DELETE /session/{id}``); the container gets
    /// SIGTERM.
    ///
    /// Returns ``"stopped"``; with ``idempotent=True`` also
    /// ``"already_stopped"`` (409) or ``"not_found"`` (404), which otherwise
    /// raise :class:`~gameye.ConflictError` and :class:`~gameye.NotFoundError`.
    #[asyncio = "Stops a session, as :meth:`Client.stop_session`."]
    fn stop_session(id: String as "str", *, idempotent: bool as "bool" = false) -> "_StopOutcome" {
        let options = StopOptions { idempotent };
        call core.stop_session(&id, options),
            core.stop_session_async(&id, options);
        map stop_outcome
    }

    /// Registers players as joined to a session
    /// (``PUT /session/player/join``). ``players`` is a list or tuple of
    /// non-empty ids (a ``str`` is refused with :class:`TypeError`).
    ///
    /// Raises:
    ///     gameye.InvalidRequestError: No players, or an empty id.
    ///     gameye.NotFoundError: No such running session.
    #[asyncio = "Registers players as joined, as :meth:`Client.join_players`."]
    fn join_players(
        session: String as "str",
        players: Vec<String> as "Sequence[str]",
    ) -> "PlayerCount" {
        call core.join_players(&session, &players),
            core.join_players_async(&session, &players);
        map PyPlayerCount::from
    }

    /// Removes players from their session
    /// (``DELETE /session/player/leave``); the ids identify the session.
    ///
    /// Raises:
    ///     gameye.NotFoundError: No running session holds any of them.
    #[asyncio = "Removes players, as :meth:`Client.leave_players`."]
    fn leave_players(players: Vec<String> as "Sequence[str]") -> "PlayerCount" {
        call core.leave_players(&players),
            core.leave_players_async(&players);
        map PyPlayerCount::from
    }

    /// The session's logs so far (``GET /logs?id=...``), as text.
    ///
    /// Raises:
    ///     gameye.DecodeError: The logs exceed the client's size limit;
    ///         follow them instead.
    #[asyncio = "The session's logs so far, as :meth:`Client.logs`."]
    fn logs(id: String as "str") -> "str" {
        call core.logs(&id), core.logs_async(&id);
        map |text: String| text
    }

    /// Follows the session's logs: the lines so far, then new ones as they
    /// are written, until the session ends or the stream is closed. The
    /// request is made here, so its errors raise here.
    #[asyncio = "Follows the session's logs: an :class:`AsyncLogStream` (returned"]
    #[asyncio = "directly, not awaitable-only) for ``async for``; ``await`` it or use"]
    #[asyncio = "``async with`` to open it first."]
    fn follow_logs(id: String as "str") -> "LogStream" / "AsyncLogStream" {
        sync {
            let stream = exit_gate::detach(py, || core.follow_logs(&id))?;
            PyLogStream::new(core.clone(), stream)
        }
        async {
            PyAsyncLogStream::new(core.clone(), id)
        }
    }

    /// Downloads an artifact: a ``.tar.gz`` of the file or folder ``path``
    /// of a terminated session (``GET /artifacts``). Returns the number of
    /// bytes written.
    ///
    /// ``dest`` is a path (``str`` or :class:`os.PathLike`), written through
    /// a temporary file renamed into place when complete, or a binary file
    /// object, whose ``write()`` gets each chunk as it arrives (the GIL is
    /// held only for the call).
    ///
    /// Raises:
    ///     gameye.NotFoundError: No such session, path, or the session has
    ///         not terminated yet.
    ///     gameye.DownloadError: The file could not be written, or
    ///         ``write()`` raised (its exception is the ``__cause__``).
    ///     TypeError: ``dest`` is neither a path nor has ``write()``.
    #[asyncio = "Downloads an artifact, as :meth:`Client.download_artifact`. A file"]
    #[asyncio = "object's ``write()`` runs on the event loop's thread, one chunk at a"]
    #[asyncio = "time, and is awaited when it returns an awaitable (``aiofiles``)."]
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

    /// Starts a session of ``image`` near its players.
    ///
    /// ``players`` are the players' ping reports (from
    /// :func:`gameye.ping_locations`), each with ``"player"`` added, or
    /// ``{"player": id, "locations": [{"id", "median_ms", "loss"}]}``. The
    /// locations they measured are ranked as :func:`gameye.choose_location`
    /// does under ``policy`` (``{"max_loss": 0.2, "max_rtt_ms": None,
    /// "allow_missing": False, "max_locations": 3}``, every key optional);
    /// the session is created in the best one and, on 420 (no capacity), in
    /// the next, at most ``max_locations`` in all. Each location tried gets
    /// its own session id; any error other than 420 ends the call there, so
    /// no second session can start. Other keywords are those of
    /// :meth:`create_session`. Blocks, releasing the GIL.
    ///
    /// Returns ``{"session": Session, "location": str, "tried": [{"location",
    /// "session_id", "outcome": "created" | "no_capacity", "message"?}],
    /// "placement": {"ranked": [...], "excluded": [...]}}``.
    ///
    /// Raises:
    ///     gameye.NoCapacityError: Every location tried answered 420.
    ///     gameye.InvalidRequestError: No location is acceptable (the
    ///         violation gives each reason), or a bad argument.
    #[asyncio = "Starts a session near its players, as :meth:`Client.create_session_near`."]
    fn create_session_near(
        image: &Bound<'_, PyAny> as "str",
        players: &Bound<'_, PyAny> as "Sequence[Mapping[str, Any]]",
        *,
        policy: Option<&Bound<'_, PyAny>> as "Mapping[str, Any] | None" = None,
    ) with session_run(keywords) -> "dict[str, Any]" {
        let args = placement::near_args(py, image, players, policy, keywords)?;
        sync {
            placement::create_near(py, core, args)?
        }
        async {
            placement::create_near_async(py, core, args)?
        }
    }

    /// The locations that can currently host ``image``
    /// (``GET /available-location/{image}``). Do not cache: it changes.
    #[asyncio = "The locations that can currently host ``image``."]
    fn available_locations(image: String as "str") -> "list[Location]" {
        call core.available_locations(&image),
            core.available_locations_async(&image);
        map into_vec::<_, PyLocation>
    }

    /// Whether the image tag ``version`` exists in ``region``
    /// (``GET /tag/{region}/{image}/{version}``).
    #[asyncio = "Whether the image tag ``version`` exists in ``region``."]
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
