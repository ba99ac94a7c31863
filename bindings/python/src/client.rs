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
