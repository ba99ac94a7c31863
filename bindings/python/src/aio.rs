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
