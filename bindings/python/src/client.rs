//! `gameye.Client`: a thin wrapper over the core's blocking client, and
//! the constructor arguments it shares with `gameye.AsyncClient`. The
//! methods of both are declared once, in `endpoints.rs`.

use std::path::PathBuf;
use std::time::Duration;

use gameye_core::{Client, ClientConfig, Environment, Error, StopOutcome};
use pyo3::prelude::*;

use crate::error::GameyeResult;

/// A Gameye Session API client.
///
/// Create one per process and share it: it is thread-safe and reuses its
/// connections. The token is never shown by ``repr()`` or in exception texts.
/// A context manager: leaving a ``with`` block closes it.
///
/// Args:
///     token: The API bearer token; by default the ``GAMEYE_TOKEN``
///         environment variable's.
///     base_url: The API base URL (sandbox by default). Plain ``http://``
///         is accepted for loopback hosts only, unless
///         ``allow_insecure_http`` is set.
///     environment: ``"sandbox"`` or ``"production"``; exclusive with
///         ``base_url``.
///     timeout: Time allowed for one attempt of a request, in seconds (30
///         by default). A call makes up to ``max_attempts`` attempts (4 by
///         default) with a backoff wait between them, so its worst case is
///         about ``max_attempts * timeout`` plus the waits (with
///         ``timeout=2`` and the other defaults: 4 x 2 s + up to 1.75 s,
///         under 10 s), and never more than ``deadline`` (60 s by default).
///         To bound a call's total time, set ``deadline`` (or
///         ``max_attempts=1``). ``create_session_near`` makes one such call
///         per location it tries.
///     connect_timeout: Time allowed to connect, in seconds (10 by
///         default); part of the attempt's ``timeout``.
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
///         included, in seconds (60 by default): the bound on a call's
///         total time: no retry starts after it, nor a wait that would pass it.
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
///     max_log_bytes: Cap on the text of ``logs()`` (16 MiB by default).
///     max_concurrent_requests: Requests in flight at once (256 by
///         default); more calls wait for a slot within their deadline.
///
/// Raises:
///     gameye.ConfigurationError: An option is invalid, or no token is
///         given and ``GAMEYE_TOKEN`` is unset.
///
/// Examples:
///     >>> import gameye
///     >>> with gameye.Client(environment="sandbox", timeout=5, deadline=20) as client:
///     ...     session = client.create_session("europe", "nginx")
///     ...     client.stop_session(session.id)
///     'stopped'
#[pyclass(frozen, module = "gameye", name = "Client")]
pub(crate) struct PyClient {
    pub(crate) inner: Client,
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
