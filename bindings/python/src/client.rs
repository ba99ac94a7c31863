//! `gameye.Client`: a thin wrapper over the core's blocking client.

use std::time::Duration;

use gameye_core::{Client, ClientConfig, Environment, Error};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert;
use crate::error::{GameyeError, GameyeResult};
use crate::session::PySession;

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

#[pymethods]
impl PyClient {
    /// `Client(token, *, base_url=None, environment=None, timeout=None,
    /// connect_timeout=None, allow_insecure_http=False)`.
    ///
    /// Raises `ConfigurationError` for a bad option: an empty token, a
    /// malformed base URL, plain `http://` to a non-loopback host without
    /// `allow_insecure_http=True`, an unknown environment, both `base_url`
    /// and `environment`, or a timeout that is not a positive number.
    #[new]
    #[pyo3(signature = (token, *, base_url=None, environment=None, timeout=None, connect_timeout=None, allow_insecure_http=false))]
    fn new(
        token: String,
        base_url: Option<String>,
        environment: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        allow_insecure_http: bool,
    ) -> GameyeResult<Self> {
        let mut config = ClientConfig::new(token).allow_insecure_http(allow_insecure_http);
        config = match (base_url, environment) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_config(
                    "base_url",
                    "give either base_url or environment, not both",
                )
                .into())
            }
            (Some(url), None) => config.base_url(url),
            (None, Some(env)) => config.environment(self::environment(&env)?),
            (None, None) => config,
        };
        if let Some(t) = seconds("timeout", timeout)? {
            config = config.request_timeout(t);
        }
        if let Some(t) = seconds("connect_timeout", connect_timeout)? {
            config = config.connect_timeout(t);
        }
        Ok(PyClient {
            inner: Client::new(config)?,
        })
    }

    /// The base URL requests go to (without a trailing slash).
    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
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
        let run = convert::session_run(&[
            ("location", Some(location)),
            ("image", Some(image)),
            ("id", id),
            ("env", env),
            ("args", args),
            ("restart", restart),
            ("labels", labels),
            ("version", version),
            ("ttl", ttl),
            ("external_id", external_id),
        ])?;
        let session = py.detach(|| {
            self.inner
                .create_session(run)
                .map(|r| r.into_inner())
                .map_err(GameyeError::from)
        })?;
        Ok(session.into())
    }

    /// `Client(base_url='…')`: the token is never shown.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let url = PyString::new(py, self.inner.base_url()).repr()?;
        Ok(format!("Client(base_url={url})"))
    }
}
