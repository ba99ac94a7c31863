//! `LogStream` and `AsyncLogStream`: a followed log (the core's
//! [`LogFollower`], which owns the semantics) as a Python iterator and async
//! iterator. This module maps its outcomes to Python: a line, the end of the
//! iteration (the log ended, or the stream was closed), or an exception
//! (a read that `close()` woke raises `gameye.CancelledError`; a concurrent
//! read raises `RuntimeError`). Blocking waits release the GIL through the
//! exit gate and check for signals.

use std::time::Duration;

use gameye_core::{BackgroundRead, Client, LogFollower, LogStream, NextLine, ReadStart};
use pyo3::exceptions::{PyRuntimeError, PyStopAsyncIteration};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::aio_future;
use crate::error::GameyeError;
use crate::exit_gate;

/// How often a thread blocked in `LogStream.__next__` checks for signals
/// (Ctrl-C), attached to Python only for the check.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// A read's outcome in Python: a line, `None` to end the iteration (the end,
/// or a closed stream), or the exception to raise.
fn python_outcome(outcome: NextLine) -> PyResult<Option<String>> {
    match outcome {
        NextLine::Line(line) => Ok(Some(line)),
        NextLine::End | NextLine::Closed => Ok(None),
        NextLine::Failed(e) => Err(GameyeError::from(e).into()),
        NextLine::Busy => Err(PyRuntimeError::new_err(
            "another read of this log stream is in progress",
        )),
    }
}

/// The done-callback of a read's asyncio future: closes the stream when the
/// read was cancelled.
#[pyclass(frozen)]
struct CloseOnCancel {
    follower: LogFollower,
}

#[pymethods]
impl CloseOnCancel {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.follower.close();
        }
        Ok(())
    }
}

/// A followed log (:meth:`Client.follow_logs`): iterate it for lines,
/// without line endings, as the game server writes them, until the session
/// ends.
///
/// Each wait releases the GIL. ``close()``, leaving a ``with`` block, or
/// garbage collection stops following and closes the connection; a
/// ``next()`` waiting in another thread then raises
/// :class:`gameye.CancelledError` at once, and later ones end the iteration.
/// Ctrl-C while waiting raises :class:`KeyboardInterrupt` and closes the
/// stream.
#[pyclass(frozen, module = "gameye", name = "LogStream")]
pub(crate) struct PyLogStream {
    follower: LogFollower,
}

impl PyLogStream {
    pub(crate) fn new(client: Client, stream: LogStream) -> Self {
        PyLogStream {
            follower: LogFollower::new(client, stream),
        }
    }
}

#[pymethods]
impl PyLogStream {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// The next line; raises the request's error if the stream fails, and
    /// :class:`gameye.CancelledError` if ``close()`` ends this wait.
    // py: -> str
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let mut read: BackgroundRead = match self.follower.begin_read() {
            ReadStart::Done(outcome) => return python_outcome(outcome),
            ReadStart::Pending(read) => read.in_background(),
        };
        loop {
            let (outcome, back) =
                exit_gate::detach(py, move || (read.wait_timeout(SIGNAL_CHECK_INTERVAL), read));
            read = back;
            if let Some(outcome) = outcome {
                return python_outcome(outcome);
            }
            if let Err(e) = py.check_signals() {
                self.follower.close();
                return Err(e);
            }
        }
    }

    /// Stops following and closes the connection. Idempotent.
    fn close(&self) {
        self.follower.close();
    }

    /// Whether ``close()`` was called (or a ``with`` block left).
    #[getter]
    fn closed(&self) -> bool {
        self.follower.is_closed()
    }

    /// The HTTP status of the request that opened the log; ``None``
    /// until it is open.
    #[getter]
    fn http_status(&self) -> Option<u16> {
        self.follower.http_status()
    }

    /// How many attempts opening the log took, retries included;
    /// ``None`` until it is open.
    #[getter]
    fn attempts(&self) -> Option<u32> {
        self.follower.attempts()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    // None: see `Client.__exit__`.
    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) {
        self.follower.close();
    }

    fn __repr__(&self) -> &'static str {
        if self.follower.is_closed() {
            "<gameye.LogStream (closed)>"
        } else {
            "<gameye.LogStream>"
        }
    }
}

impl Drop for PyLogStream {
    fn drop(&mut self) {
        self.follower.close();
    }
}

/// A followed log for asyncio (:meth:`AsyncClient.follow_logs`):
/// ``async for line in client.follow_logs(id)``.
///
/// The request is sent on first use: ``await client.follow_logs(id)`` or
/// ``async with client.follow_logs(id) as lines`` opens it (raising its
/// errors there); otherwise the first ``__anext__`` does. ``aclose()``,
/// leaving an ``async with`` block, or garbage collection stops following
/// and closes the connection; a pending ``__anext__`` then raises
/// :class:`gameye.CancelledError`, and later ones end the iteration.
/// Cancelling a pending ``__anext__`` closes the stream.
#[pyclass(frozen, module = "gameye", name = "AsyncLogStream")]
pub(crate) struct PyAsyncLogStream {
    follower: LogFollower,
}

impl PyAsyncLogStream {
    pub(crate) fn new(client: Client, id: String) -> Self {
        PyAsyncLogStream {
            follower: LogFollower::unopened(client, id),
        }
    }

    /// An awaitable that opens the log if it is not open yet, then gives
    /// the stream itself.
    fn opened<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        // Fails outside of an event loop, before the stream is taken.
        aio_future::running_loop(py)?;
        let me = slf.clone().unbind().into_any();
        let follower = &slf.get().follower;
        aio_future::spawn_future(
            py,
            follower.client(),
            aio_future::Start::OnRuntime,
            follower.open(),
            move |_, result| {
                result.map_err(GameyeError::from)?;
                Ok(me)
            },
        )
    }
}

#[pymethods]
impl PyAsyncLogStream {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// The next line; raises the request's error if the stream fails.
    // py: -> asyncio.Future[str]
    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        // Fails outside of an event loop, before the stream is taken.
        aio_future::running_loop(py)?;
        let read = match self.follower.begin_read() {
            ReadStart::Pending(read) => read,
            ReadStart::Done(outcome) => {
                python_outcome(outcome)?;
                return Ok(None);
            }
        };
        // If nothing is spawned, the read is dropped, which closes the stream.
        let future = aio_future::spawn_future(
            py,
            self.follower.client(),
            aio_future::Start::OnRuntime,
            read.line(),
            |py, outcome| match python_outcome(outcome)? {
                Some(line) => Ok(PyString::new(py, &line).into_any().unbind()),
                None => Err(PyStopAsyncIteration::new_err(())),
            },
        )?;
        // Cancelling the read aborts its task, which closes the stream when it
        // is dropped on the runtime; close it at once, on the loop.
        future.call_method1(
            "add_done_callback",
            (CloseOnCancel {
                follower: self.follower.clone(),
            },),
        )?;
        Ok(Some(future))
    }

    /// Opens the log (if not yet) and gives the stream itself.
    // py: -> Generator[Any, None, AsyncLogStream]
    fn __await__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::opened(slf)?.call_method0("__await__")
    }

    /// Stops following and closes the connection. Idempotent.
    // py: -> asyncio.Future[None]
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.follower.close();
        aio_future::ready(py, py.None())
    }

    /// Whether ``aclose()`` was called (or an ``async with`` block left).
    #[getter]
    fn closed(&self) -> bool {
        self.follower.is_closed()
    }

    /// The HTTP status of the request that opened the log; ``None``
    /// until it is open.
    #[getter]
    fn http_status(&self) -> Option<u16> {
        self.follower.http_status()
    }

    /// How many attempts opening the log took, retries included;
    /// ``None`` until it is open.
    #[getter]
    fn attempts(&self) -> Option<u32> {
        self.follower.attempts()
    }

    // py: -> asyncio.Future[AsyncLogStream]
    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::opened(slf)
    }

    // py: -> asyncio.Future[None]
    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.follower.close();
        aio_future::ready(py, py.None())
    }

    fn __repr__(&self) -> &'static str {
        if self.follower.is_closed() {
            "<gameye.AsyncLogStream (closed)>"
        } else {
            "<gameye.AsyncLogStream>"
        }
    }
}

impl Drop for PyAsyncLogStream {
    fn drop(&mut self) {
        self.follower.close();
    }
}
