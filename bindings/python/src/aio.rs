//! `gameye.AsyncClient`: the core's `_async` endpoints as asyncio awaitables,
//! run on the client's own runtime through [`crate::aio_future`]. The
//! methods are declared once for both clients, in `endpoints.rs`.
//!
//! Each method converts its arguments at once (a `TypeError` raises at the
//! call), starts the request, and returns an asyncio future of the running
//! loop; request errors raise from `await`. Cancelling the future aborts the
//! request.

use std::future::Future;

use gameye_core::{Client, Response};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::aio_future;
use crate::error::GameyeError;

/// A Gameye Session API client for asyncio.
///
/// The same constructor and methods as :class:`Client` (``aclose()`` for
/// ``close()``, and ``async with`` for ``with``); each method starts
/// its request at once (a JSON call writes it from the event loop's thread,
/// never waiting there; the SDK's own I/O threads do the rest) and returns
/// an :class:`asyncio.Future` of the result, to await.
/// Errors raise from ``await`` with the same exception classes as
/// :class:`Client`; argument type errors (and ``create_session``'s
/// validation) raise at the call. Cancelling the future (``wait_for``
/// timing out, a cancelled task) aborts the request. Methods must be called
/// with an event loop running, except :meth:`follow_logs`.
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
///     >>> async with gameye.AsyncClient(environment="sandbox", deadline=20) as client:
///     ...     session = await client.create_session("europe", "nginx")
///     ...     await client.stop_session(session.id)
///     'stopped'
#[pyclass(frozen, module = "gameye", name = "AsyncClient")]
pub(crate) struct PyAsyncClient {
    pub(crate) inner: Client,
}

/// Starts `fut` and returns an asyncio future of `map` of its value.
pub(crate) fn call<'py, T, U, F>(
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

/// Each core value as its Python class.
pub(crate) fn into_vec<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}
