//! `gameye.Client`: a thin wrapper over the core's blocking client.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use gameye_core::{Client, ClientConfig, Environment, Error, StopOptions, StopOutcome};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert;
use crate::download::{self, Dest};
use crate::error::GameyeResult;
use crate::exit_gate;
use crate::session::PySession;
use crate::session_logs::PyLogStream;
use crate::types::{PyLocation, PyPlayerCount, PySessionDetails, PySessionSummary};

/// A Gameye Session API client.
///
/// Create one per process and share it: it is thread-safe and reuses its
/// connections. The token is never shown by `repr()` or in exception texts.
#[pyclass(frozen, module = "gameye", name = "Client")]
pub(crate) struct PyClient {
    inner: Client,
}

/// A timeout option in seconds as a `Duration`. Zero is passed on for the
/// core to reject; a negative, NaN or infinite number has no `Duration` form.
fn seconds(option: &str, value: Option<f64>) -> GameyeResult<Option<Duration>> {
    let Some(s) = value else { return Ok(None) };
    match Duration::try_from_secs_f64(s) {
        Ok(d) => Ok(Some(d)),
        Err(_) => Err(Error::invalid_config(
            option,
            format!("must be a non-negative number of seconds, got {s}"),
        )
        .into()),
    }
}

/// A size or count option as a `usize`. Zero is passed on for the core to
/// reject; a negative number has no `usize` form.
fn count(option: &str, value: Option<i64>) -> GameyeResult<Option<usize>> {
    let Some(n) = value else { return Ok(None) };
    match usize::try_from(n) {
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(Error::invalid_config(
            option,
            format!("must be a positive whole number, got {n}"),
        )
        .into()),
    }
}

/// The environment preset named `name`, parsed by the core's own
/// deserializer so the accepted names are the core's.
fn environment(name: &str) -> GameyeResult<Environment> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
        Error::invalid_config(
            "environment",
            format!("must be \"sandbox\" or \"production\", got {name:?}"),
        )
        .into()
    })
}

/// The constructor arguments of `Client` and `AsyncClient`.
pub(crate) struct Options {
    /// `None`: from the environment variable [`TOKEN_VARIABLE`].
    pub token: Option<String>,
    pub base_url: Option<String>,
    pub environment: Option<String>,
    pub timeout: Option<f64>,
    pub connect_timeout: Option<f64>,
    pub allow_insecure_http: bool,
    pub max_attempts: Option<i64>,
    pub initial_backoff: Option<f64>,
    pub max_backoff: Option<f64>,
    pub deadline: Option<f64>,
    pub proxy: Option<String>,
    pub proxy_from_env: bool,
    pub ca_bundle_path: Option<PathBuf>,
    pub idle_timeout: Option<f64>,
    pub max_response_bytes: Option<i64>,
    pub max_log_bytes: Option<i64>,
    pub max_concurrent_requests: Option<i64>,
}

/// Where the token comes from when the constructor is given none.
const TOKEN_VARIABLE: &str = "GAMEYE_TOKEN";

/// The token argument, or the environment's.
fn token(given: Option<String>) -> GameyeResult<String> {
    if let Some(token) = given {
        return Ok(token);
    }
    std::env::var(TOKEN_VARIABLE).map_err(|_| {
        Error::invalid_config(
            "token",
            format!("is required: pass token=... or set {TOKEN_VARIABLE}"),
        )
        .into()
    })
}

/// Builds the core client from the constructor arguments of `Client` and
/// `AsyncClient`; the core checks them.
pub(crate) fn build(options: Options) -> GameyeResult<Client> {
    let mut config = ClientConfig::new(self::token(options.token)?)
        .allow_insecure_http(options.allow_insecure_http)
        .proxy_from_env(options.proxy_from_env);
    // The core rejects base_url together with environment.
    config.base_url = options.base_url;
    config.environment = options
        .environment
        .as_deref()
        .map(self::environment)
        .transpose()?;
    config.proxy = options.proxy;
    if let Some(t) = seconds("timeout", options.timeout)? {
        config = config.request_timeout(t);
    }
    if let Some(t) = seconds("connect_timeout", options.connect_timeout)? {
        config = config.connect_timeout(t);
    }
    if let Some(t) = seconds("idle_timeout", options.idle_timeout)? {
        config = config.idle_timeout(t);
    }
    if let Some(path) = options.ca_bundle_path {
        config = config.ca_bundle(path);
    }
    if let Some(n) = count("max_response_bytes", options.max_response_bytes)? {
        config = config.max_response_bytes(n);
    }
    if let Some(n) = count("max_log_bytes", options.max_log_bytes)? {
        config = config.max_log_bytes(n);
    }
    if let Some(n) = count("max_concurrent_requests", options.max_concurrent_requests)? {
        config = config.max_concurrent_requests(n);
    }
    let mut retry = config.retry;
    if let Some(n) = options.max_attempts {
        // Zero is passed on for the core to reject; a negative or huge
        // number has no `u32` form.
        retry.max_attempts = u32::try_from(n).map_err(|_| {
            Error::invalid_config(
                "max_attempts",
                format!("must be a whole number of at least 1, got {n}"),
            )
        })?;
    }
    if let Some(d) = seconds("initial_backoff", options.initial_backoff)? {
        retry.initial_backoff = d;
    }
    if let Some(d) = seconds("max_backoff", options.max_backoff)? {
        retry.max_backoff = d;
    }
    if let Some(d) = seconds("deadline", options.deadline)? {
        retry.deadline = d;
    }
    config = config.retry(retry);
    Ok(Client::new(config)?)
}

/// The Python name of a stop outcome.
pub(crate) fn stop_outcome(outcome: StopOutcome) -> &'static str {
    match outcome {
        StopOutcome::Stopped => "stopped",
        StopOutcome::AlreadyStopped => "already_stopped",
        StopOutcome::NotFound => "not_found",
    }
}

#[pymethods]
impl PyClient {
    /// `Client(token=None, *, base_url=None, environment=None, timeout=None,
    /// connect_timeout=None, idle_timeout=None, allow_insecure_http=False,
    /// max_attempts=None, initial_backoff=None, max_backoff=None,
    /// deadline=None, proxy=None, proxy_from_env=False, ca_bundle_path=None,
    /// max_response_bytes=None, max_log_bytes=None,
    /// max_concurrent_requests=None)`; without `token`, the `GAMEYE_TOKEN`
    /// environment variable's. Times are seconds; each option is a key of
    /// the core's configuration (`idle_timeout` is `idle_timeout_ms`,
    /// `initial_backoff` is `retry.initial_backoff_ms`, ...).
    ///
    /// Raises `ConfigurationError` for a bad option: no or an empty token, a
    /// malformed base URL, plain `http://` to a non-loopback host without
    /// `allow_insecure_http=True`, an unknown environment, both `base_url`
    /// and `environment`, a timeout or deadline that is not a positive
    /// number, `max_attempts` below 1, a size or count below 1, or a
    /// `ca_bundle_path` that is not a readable PEM file. Proxies are used
    /// only when given: `proxy="http://127.0.0.1:3128"` (plain http only to
    /// loopback), or `proxy_from_env=True` for
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    #[new]
    #[pyo3(signature = (token=None, *, base_url=None, environment=None, timeout=None, connect_timeout=None, idle_timeout=None, allow_insecure_http=false, max_attempts=None, initial_backoff=None, max_backoff=None, deadline=None, proxy=None, proxy_from_env=false, ca_bundle_path=None, max_response_bytes=None, max_log_bytes=None, max_concurrent_requests=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        token: Option<String>,
        base_url: Option<String>,
        environment: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        idle_timeout: Option<f64>,
        allow_insecure_http: bool,
        max_attempts: Option<i64>,
        initial_backoff: Option<f64>,
        max_backoff: Option<f64>,
        deadline: Option<f64>,
        proxy: Option<String>,
        proxy_from_env: bool,
        ca_bundle_path: Option<PathBuf>,
        max_response_bytes: Option<i64>,
        max_log_bytes: Option<i64>,
        max_concurrent_requests: Option<i64>,
    ) -> GameyeResult<Self> {
        Ok(PyClient {
            inner: build(Options {
                token,
                base_url,
                environment,
                timeout,
                connect_timeout,
                idle_timeout,
                allow_insecure_http,
                max_attempts,
                initial_backoff,
                max_backoff,
                deadline,
                proxy,
                proxy_from_env,
                ca_bundle_path,
                max_response_bytes,
                max_log_bytes,
                max_concurrent_requests,
            })?,
        })
    }

    /// The base URL requests go to (without a trailing slash).
    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// Closes the client: its log streams and the streamed calls (logs,
    /// follows, downloads) in flight on other threads end with
    /// `CancelledError`; a JSON call in flight on another thread runs on that
    /// thread and finishes first. Later calls raise `CancelledError`, and the
    /// I/O threads stop. Idempotent.
    fn close(&self, py: Python<'_>) {
        exit_gate::detach(py, || self.inner.close());
    }

    /// Whether `close()` was called (or a `with` block left).
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close(py);
        false
    }

    /// Starts a session of `image` in `location` (`POST /session`) and
    /// returns it once the server has placed it.
    ///
    /// Without `id`, a UUIDv4 is generated before sending, so the returned
    /// `Session.id` is known even if the server's answer omits it. The
    /// request is validated before sending; a bad argument raises
    /// `InvalidRequestError` whose `.violations` name every bad field. The
    /// GIL is released while the request is in flight.
    #[pyo3(signature = (location, image, *, id=None, env=None, args=None, restart=None, labels=None, version=None, ttl=None, external_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_session(
        &self,
        py: Python<'_>,
        location: &Bound<'_, PyAny>,
        image: &Bound<'_, PyAny>,
        id: Option<&Bound<'_, PyAny>>,
        env: Option<&Bound<'_, PyAny>>,
        args: Option<&Bound<'_, PyAny>>,
        restart: Option<&Bound<'_, PyAny>>,
        labels: Option<&Bound<'_, PyAny>>,
        version: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
        external_id: Option<&Bound<'_, PyAny>>,
    ) -> GameyeResult<PySession> {
        let keywords = [id, env, args, restart, labels, version, ttl, external_id];
        let run = convert::session_run(location, image, keywords)?;
        let session = exit_gate::detach(py, || self.inner.create_session(run))?;
        Ok(session.into_inner().into())
    }

    /// Lists sessions (`GET /session`): the running ones, or every one with
    /// `all=True`, narrowed by each filter given. Blocks, releasing the GIL.
    #[pyo3(signature = (*, all=false, location=None, image=None, tag=None, host=None, player_count_lt=None, player_count_gt=None, labels=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_sessions(
        &self,
        py: Python<'_>,
        all: bool,
        location: Option<String>,
        image: Option<String>,
        tag: Option<String>,
        host: Option<String>,
        player_count_lt: Option<i64>,
        player_count_gt: Option<i64>,
        labels: Option<BTreeMap<String, String>>,
    ) -> GameyeResult<Vec<PySessionSummary>> {
        let filter = convert::list_filter(
            all,
            location,
            image,
            tag,
            host,
            player_count_lt,
            player_count_gt,
            labels,
        );
        let list = exit_gate::detach(py, || self.inner.list_sessions(&filter))?;
        Ok(list.into_inner().into_iter().map(Into::into).collect())
    }

    /// Describes one session (`GET /session/{id}`), with its players.
    fn get_session(&self, py: Python<'_>, id: String) -> GameyeResult<PySessionDetails> {
        let details = exit_gate::detach(py, || self.inner.get_session(&id))?;
        Ok(details.into_inner().into())
    }

    /// Stops a session (`DELETE /session/{id}`). Returns `"stopped"`, or
    /// with `idempotent=True` also `"already_stopped"` (409) or
    /// `"not_found"` (404), which otherwise raise.
    #[pyo3(signature = (id, *, idempotent=false))]
    fn stop_session(
        &self,
        py: Python<'_>,
        id: String,
        idempotent: bool,
    ) -> GameyeResult<&'static str> {
        let options = StopOptions { idempotent };
        let outcome = exit_gate::detach(py, || self.inner.stop_session(&id, options))?;
        Ok(stop_outcome(*outcome))
    }

    /// Registers players as joined to a session (`PUT /session/player/join`).
    fn join_players(
        &self,
        py: Python<'_>,
        session: String,
        players: Vec<String>,
    ) -> GameyeResult<PyPlayerCount> {
        let count = exit_gate::detach(py, || self.inner.join_players(&session, &players))?;
        Ok(count.into_inner().into())
    }

    /// Removes players from their session (`DELETE /session/player/leave`).
    fn leave_players(&self, py: Python<'_>, players: Vec<String>) -> GameyeResult<PyPlayerCount> {
        let count = exit_gate::detach(py, || self.inner.leave_players(&players))?;
        Ok(count.into_inner().into())
    }

    /// The session's logs so far (`GET /logs?id=...`), as text.
    fn logs(&self, py: Python<'_>, id: String) -> GameyeResult<String> {
        let text = exit_gate::detach(py, || self.inner.logs(&id))?;
        Ok(text.into_inner())
    }

    /// Follows the session's logs: a `LogStream` of lines, the ones so far
    /// and then new ones as they are written. The request is made here, so
    /// its errors raise here.
    fn follow_logs(&self, py: Python<'_>, id: String) -> GameyeResult<PyLogStream> {
        let stream = exit_gate::detach(py, || self.inner.follow_logs(&id))?;
        Ok(PyLogStream::new(self.inner.clone(), stream))
    }

    /// Downloads the artifact (a tar.gz of the file or folder `path` of a
    /// terminated session) into `dest`: a path, written through a temporary
    /// file renamed into place when complete, or a binary file object, whose
    /// `write()` gets each chunk. Returns the number of bytes written.
    fn download_artifact(
        &self,
        py: Python<'_>,
        session: String,
        path: String,
        dest: &Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let dest = Dest::from_py(dest)?;
        download::download(py, &self.inner, &session, &path, dest)
    }

    /// The locations that can currently host `image`.
    fn available_locations(&self, py: Python<'_>, image: String) -> GameyeResult<Vec<PyLocation>> {
        let list = exit_gate::detach(py, || self.inner.available_locations(&image))?;
        Ok(list.into_inner().into_iter().map(Into::into).collect())
    }

    /// Whether the image tag `version` exists in `region`.
    fn tag_exists(
        &self,
        py: Python<'_>,
        region: String,
        image: String,
        version: String,
    ) -> GameyeResult<bool> {
        let exists = exit_gate::detach(py, || self.inner.tag_exists(&region, &image, &version))?;
        Ok(*exists)
    }

    /// Starts a session of `image` near its players: ranks the locations
    /// the players measured (`players`: their ping reports, each with a
    /// `"player"` id added), creates the session in the best one and, on
    /// 420 (no capacity), in the next, trying at most `policy`'s
    /// `max_locations`. `policy` is a dict: `max_loss`, `max_rtt_ms`,
    /// `allow_missing`, `max_locations`. Other keywords are those of
    /// `create_session` (the location is chosen). Returns a dict: `session`,
    /// `location`, `tried`, `placement`. Blocks, releasing the GIL.
    #[pyo3(signature = (image, players, *, policy=None, id=None, env=None, args=None, restart=None, labels=None, version=None, ttl=None, external_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_session_near<'py>(
        &self,
        py: Python<'py>,
        image: &Bound<'py, PyAny>,
        players: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
        id: Option<&Bound<'py, PyAny>>,
        env: Option<&Bound<'py, PyAny>>,
        args: Option<&Bound<'py, PyAny>>,
        restart: Option<&Bound<'py, PyAny>>,
        labels: Option<&Bound<'py, PyAny>>,
        version: Option<&Bound<'py, PyAny>>,
        ttl: Option<&Bound<'py, PyAny>>,
        external_id: Option<&Bound<'py, PyAny>>,
    ) -> GameyeResult<Py<PyAny>> {
        let keywords = [id, env, args, restart, labels, version, ttl, external_id];
        let args = crate::placement::near_args(py, image, players, policy, keywords)?;
        crate::placement::create_near(py, &self.inner, args)
    }

    /// `Client(base_url='...')`: the token is never shown.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let url = PyString::new(py, self.inner.base_url()).repr()?;
        Ok(format!("Client(base_url={url})"))
    }
}
