//! `gameye.AsyncClient`: the core's `_async` endpoints as asyncio awaitables,
//! run on the client's own runtime through [`crate::aio_future`].
//!
//! Each method converts its arguments at once (a `TypeError` raises at the
//! call), starts the request, and returns an asyncio future of the running
//! loop; request errors raise from `await`. Cancelling the future aborts the
//! request.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;

use gameye_core::{Client, Response, StopOptions};
use pyo3::prelude::*;
use pyo3::types::PyString;
use pyo3::IntoPyObjectExt;

use crate::aio_future;
use crate::client::{build, stop_outcome, Options};
use crate::convert;
use crate::download::{self, Dest};
use crate::error::{GameyeError, GameyeResult};
use crate::exit_gate;
use crate::session::PySession;
use crate::session_logs::PyAsyncLogStream;
use crate::types::{PyLocation, PyPlayerCount, PySessionDetails, PySessionSummary};

/// A Gameye Session API client for asyncio.
///
/// The same options and methods as `Client`, each returning an awaitable.
/// A JSON call writes its request from the loop's thread (never waiting
/// there) and finishes on the client's I/O threads.
#[pyclass(frozen, module = "gameye", name = "AsyncClient")]
pub(crate) struct PyAsyncClient {
    inner: Client,
}

/// Starts `fut` and returns an asyncio future of `map` of its value.
fn call<'py, T, U, F>(
    py: Python<'py>,
    client: &Client,
    fut: F,
    map: fn(T) -> U,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = gameye_core::Result<Response<T>>> + Send + 'static,
    T: Send + 'static,
    U: for<'a> IntoPyObject<'a> + 'static,
{
    aio_future::spawn_future(
        py,
        client,
        aio_future::Start::Eager,
        fut,
        move |py, result| {
            let value = map(result.map_err(GameyeError::from)?.into_inner());
            value.into_py_any(py)
        },
    )
}

fn into_vec<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

#[pymethods]
impl PyAsyncClient {
    /// `AsyncClient(token=None, *, ...)` with the keyword options of
    /// `Client`, checked the same way.
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
        Ok(PyAsyncClient {
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

    /// Closes the client: awaitables in flight and log streams raise
    /// `CancelledError`, later calls raise it, and the I/O threads stop.
    /// Idempotent; awaitable (the threads have stopped when it returns).
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        exit_gate::detach(py, || self.inner.close());
        aio_future::ready(py, py.None())
    }

    /// Whether `aclose()` was called (or an `async with` block left).
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        aio_future::ready(slf.py(), slf.clone().into_any().unbind())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        exit_gate::detach(py, || self.inner.close());
        aio_future::ready(py, false.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    /// Starts a session; awaitable of a `Session`. Arguments as
    /// `Client.create_session`; an invalid argument raises
    /// `InvalidRequestError` at the call, before anything is sent.
    #[pyo3(signature = (location, image, *, id=None, env=None, args=None, restart=None, labels=None, version=None, ttl=None, external_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_session<'py>(
        &self,
        py: Python<'py>,
        location: &Bound<'py, PyAny>,
        image: &Bound<'py, PyAny>,
        id: Option<&Bound<'py, PyAny>>,
        env: Option<&Bound<'py, PyAny>>,
        args: Option<&Bound<'py, PyAny>>,
        restart: Option<&Bound<'py, PyAny>>,
        labels: Option<&Bound<'py, PyAny>>,
        version: Option<&Bound<'py, PyAny>>,
        ttl: Option<&Bound<'py, PyAny>>,
        external_id: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let keywords = [id, env, args, restart, labels, version, ttl, external_id];
        let run = convert::session_run(location, image, keywords)?;
        let core = self.inner.clone();
        let fut = async move { core.create_session_async(run).await };
        call(py, &self.inner, fut, PySession::from)
    }

    /// Lists sessions; awaitable of a list of `SessionSummary`.
    #[pyo3(signature = (*, all=false, location=None, image=None, tag=None, host=None, player_count_lt=None, player_count_gt=None, labels=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_sessions<'py>(
        &self,
        py: Python<'py>,
        all: bool,
        location: Option<String>,
        image: Option<String>,
        tag: Option<String>,
        host: Option<String>,
        player_count_lt: Option<i64>,
        player_count_gt: Option<i64>,
        labels: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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
        let core = self.inner.clone();
        let fut = async move { core.list_sessions_async(&filter).await };
        call(py, &self.inner, fut, into_vec::<_, PySessionSummary>)
    }

    /// Describes one session; awaitable of a `SessionDetails`.
    fn get_session<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let fut = async move { core.get_session_async(&id).await };
        call(py, &self.inner, fut, PySessionDetails::from)
    }

    /// Stops a session; awaitable of `"stopped"`, `"already_stopped"` or
    /// `"not_found"`, as `Client.stop_session`.
    #[pyo3(signature = (id, *, idempotent=false))]
    fn stop_session<'py>(
        &self,
        py: Python<'py>,
        id: String,
        idempotent: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let options = StopOptions { idempotent };
        let fut = async move { core.stop_session_async(&id, options).await };
        call(py, &self.inner, fut, stop_outcome)
    }

    /// Registers players as joined; awaitable of a `PlayerCount`.
    fn join_players<'py>(
        &self,
        py: Python<'py>,
        session: String,
        players: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let fut = async move { core.join_players_async(&session, &players).await };
        call(py, &self.inner, fut, PyPlayerCount::from)
    }

    /// Removes players from their session; awaitable of a `PlayerCount`.
    fn leave_players<'py>(
        &self,
        py: Python<'py>,
        players: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let fut = async move { core.leave_players_async(&players).await };
        call(py, &self.inner, fut, PyPlayerCount::from)
    }

    /// The session's logs so far; awaitable of a `str`.
    fn logs<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let fut = async move { core.logs_async(&id).await };
        call(py, &self.inner, fut, |text: String| text)
    }

    /// Follows the session's logs: an `AsyncLogStream` (not a coroutine),
    /// for `async for`; `await` it (or use `async with`) to open it first.
    fn follow_logs(&self, id: String) -> PyAsyncLogStream {
        PyAsyncLogStream::new(self.inner.clone(), id)
    }

    /// Downloads the artifact into `dest` (a path or a binary file object,
    /// whose `write()` may be a coroutine function); awaitable of the number
    /// of bytes written. Writes run on the event loop's thread.
    fn download_artifact<'py>(
        &self,
        py: Python<'py>,
        session: String,
        path: String,
        dest: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let dest = Dest::from_py(dest)?;
        download::download_async(py, &self.inner, session, path, dest)
    }

    /// As `Client.create_session_near`; awaitable of the same dict.
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
    ) -> GameyeResult<Bound<'py, PyAny>> {
        let keywords = [id, env, args, restart, labels, version, ttl, external_id];
        let args = crate::placement::near_args(py, image, players, policy, keywords)?;
        Ok(crate::placement::create_near_async(py, &self.inner, args)?)
    }

    /// The locations that can currently host `image`; awaitable of a list of
    /// `Location`.
    fn available_locations<'py>(
        &self,
        py: Python<'py>,
        image: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let fut = async move { core.available_locations_async(&image).await };
        call(py, &self.inner, fut, into_vec::<_, PyLocation>)
    }

    /// Whether the image tag `version` exists in `region`; awaitable of a
    /// `bool`.
    fn tag_exists<'py>(
        &self,
        py: Python<'py>,
        region: String,
        image: String,
        version: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.inner.clone();
        let fut = async move { core.tag_exists_async(&region, &image, &version).await };
        call(py, &self.inner, fut, |exists: bool| exists)
    }

    /// `AsyncClient(base_url='...')`: the token is never shown.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let url = PyString::new(py, self.inner.base_url()).repr()?;
        Ok(format!("AsyncClient(base_url={url})"))
    }
}
