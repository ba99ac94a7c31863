//! `LogStream` and `AsyncLogStream`: a followed log (the core's
//! [`gameye_core::LogStream`]) as a Python iterator and async iterator.
//!
//! Both read lines the same way: the core stream is moved into a task on the
//! client's runtime for one `next_line()` and handed back after, so that
//! `close()` (from any thread), garbage collection, or cancelling a pending
//! read can end the stream while a read is waiting. Closing wakes the pending
//! read at once, which raises `gameye.CancelledError` (later reads end the
//! iteration), and drops the core stream, which closes the connection.

use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gameye_core::{Client, LogStream};
use pyo3::exceptions::{PyRuntimeError, PyStopAsyncIteration};
use pyo3::prelude::*;
use pyo3::types::PyString;
use tokio::sync::watch;

use crate::bridge;
use crate::error::{self, GameyeError};
use crate::exit_gate;

/// How often a thread blocked in `LogStream.__next__` checks for signals
/// (Ctrl-C), attached to Python only for the check.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// Where a followed log is.
enum Phase {
    /// Not requested yet (`AsyncClient.follow_logs` opens on first use).
    Unopened(String),
    /// Open and idle.
    Ready(LogStream),
    /// A task is reading (or opening) it.
    Busy,
    /// The log ended, or failed (the error was raised once).
    Ended,
    /// Closed by the caller.
    Closed,
}

/// What a read task starts from.
enum Start {
    Open(String),
    Read(LogStream),
}

/// The shared state of a followed log.
struct LineSource {
    client: Client,
    phase: Mutex<Phase>,
    /// Becomes `true` on close; a pending read watches it.
    closed: watch::Sender<bool>,
}

/// The next line, `None` at the end (or once closed).
type Line = Option<gameye_core::Result<String>>;

impl LineSource {
    fn new(client: Client, phase: Phase) -> Arc<Self> {
        Arc::new(LineSource {
            client,
            phase: Mutex::new(phase),
            closed: watch::Sender::new(false),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the stream for a read: `None` when the iteration is over.
    fn begin(&self) -> PyResult<Option<Start>> {
        let mut phase = self.lock();
        match std::mem::replace(&mut *phase, Phase::Busy) {
            Phase::Unopened(id) => Ok(Some(Start::Open(id))),
            Phase::Ready(stream) => Ok(Some(Start::Read(stream))),
            Phase::Busy => Err(PyRuntimeError::new_err(
                "another read of this log stream is in progress",
            )),
            done @ (Phase::Ended | Phase::Closed) => {
                *phase = done;
                Ok(None)
            }
        }
    }

    /// Takes the stream for opening only: `None` when it is not unopened.
    fn begin_open(&self) -> Option<String> {
        let mut phase = self.lock();
        match std::mem::replace(&mut *phase, Phase::Busy) {
            Phase::Unopened(id) => Some(id),
            other => {
                *phase = other;
                None
            }
        }
    }

    /// Hands the stream back after a read: `None` when it ended or failed.
    fn finish(&self, stream: Option<LogStream>) {
        let mut phase = self.lock();
        if matches!(*phase, Phase::Busy) {
            *phase = stream.map_or(Phase::Ended, Phase::Ready);
        }
        // Closed meanwhile: the stream is dropped here.
    }

    fn close(&self) {
        let old = std::mem::replace(&mut *self.lock(), Phase::Closed);
        self.closed.send_replace(true);
        drop(old);
    }

    fn is_closed(&self) -> bool {
        matches!(*self.lock(), Phase::Closed)
    }
}

/// Marks the source closed if a read task is dropped before it finished
/// (its awaitable was cancelled): the stream it held is gone.
struct ReadGuard {
    source: Arc<LineSource>,
    done: bool,
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        if !self.done {
            self.source.close();
        }
    }
}

/// The error of a read that `close()` (from another thread or task) ended.
fn closed_during_read() -> gameye_core::Error {
    error::cancelled("the log stream was closed while this read waited")
}

/// Opens the log if needed, then reads one line; hands the stream back.
async fn read(source: Arc<LineSource>, start: Start) -> Line {
    let mut guard = ReadGuard {
        source: Arc::clone(&source),
        done: false,
    };
    let mut closed = source.closed.subscribe();
    let line = tokio::select! {
        line = open_and_read(&source, start) => line,
        // Closed while the read waited: the reader learns why it woke.
        _ = closed.wait_for(|c| *c) => (Some(Err(closed_during_read())), None),
    };
    let (item, stream) = line;
    guard.done = true;
    source.finish(stream);
    item
}

async fn open_and_read(source: &LineSource, start: Start) -> (Line, Option<LogStream>) {
    let mut stream = match start {
        Start::Read(stream) => stream,
        Start::Open(id) => match source.client.follow_logs_async(&id).await {
            Ok(stream) => stream,
            Err(e) => return (Some(Err(e)), None),
        },
    };
    match stream.next_line().await {
        Some(Ok(line)) => (Some(Ok(line)), Some(stream)),
        other => (other, None),
    }
}

/// Opens the log only; hands the stream back.
async fn open(source: Arc<LineSource>, id: String) -> gameye_core::Result<()> {
    let mut guard = ReadGuard {
        source: Arc::clone(&source),
        done: false,
    };
    let mut closed = source.closed.subscribe();
    let result = tokio::select! {
        r = source.client.follow_logs_async(&id) => r.map(Some),
        _ = closed.wait_for(|c| *c) => Ok(None),
    };
    guard.done = true;
    match result {
        Ok(stream) => {
            source.finish(stream);
            Ok(())
        }
        Err(e) => {
            source.finish(None);
            Err(e)
        }
    }
}

/// The done-callback of a read's asyncio future: closes the stream when the
/// read was cancelled.
#[pyclass(frozen)]
struct CloseOnCancel {
    source: Arc<LineSource>,
}

#[pymethods]
impl CloseOnCancel {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.source.close();
        }
        Ok(())
    }
}

/// A followed log: iterate it for lines (without line endings) as the game
/// server writes them, until the session ends.
///
/// Each wait releases the GIL. `close()`, leaving a `with` block, or garbage
/// collection stops following and closes the connection; a `next()` waiting
/// in another thread then raises `gameye.CancelledError` at once, and later
/// ones end the iteration. Ctrl-C while waiting raises `KeyboardInterrupt`
/// and closes the stream.
#[pyclass(frozen, module = "gameye", name = "LogStream")]
pub(crate) struct PyLogStream {
    source: Arc<LineSource>,
}

impl PyLogStream {
    pub(crate) fn new(client: Client, stream: LogStream) -> Self {
        PyLogStream {
            source: LineSource::new(client, Phase::Ready(stream)),
        }
    }
}

#[pymethods]
impl PyLogStream {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let Some(start) = self.source.begin()? else {
            return Ok(None);
        };
        let (tx, rx) = sync_channel::<Line>(1);
        let source = Arc::clone(&self.source);
        self.source.client.spawn_background(async move {
            let _ = tx.send(read(source, start).await);
        });
        let mut rx = rx;
        loop {
            let (received, back) =
                exit_gate::detach(py, move || (rx.recv_timeout(SIGNAL_CHECK_INTERVAL), rx));
            rx = back;
            match received {
                Ok(Some(Ok(line))) => return Ok(Some(line)),
                Ok(Some(Err(e))) => return Err(GameyeError::from(e).into()),
                Ok(None) => return Ok(None),
                // The task stopped with the client's runtime (the client was
                // closed): no read will ever come.
                Err(RecvTimeoutError::Disconnected) => {
                    self.source.close();
                    return Err(GameyeError::from(error::cancelled(
                        "the client was closed while this read waited",
                    ))
                    .into());
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        self.source.close();
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Stops following and closes the connection. Idempotent.
    fn close(&self) {
        self.source.close();
    }

    /// Whether `close()` was called (or a `with` block left).
    #[getter]
    fn closed(&self) -> bool {
        self.source.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.source.close();
        false
    }

    fn __repr__(&self) -> &'static str {
        if self.source.is_closed() {
            "<gameye.LogStream (closed)>"
        } else {
            "<gameye.LogStream>"
        }
    }
}

impl Drop for PyLogStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// A followed log for asyncio: `async for line in client.follow_logs(id)`.
///
/// The request is sent on first use: `await client.follow_logs(id)` (or
/// `async with`) opens it and raises its errors there; otherwise the first
/// `__anext__` does. `aclose()`, leaving an `async with` block, or garbage
/// collection stops following and closes the connection; a pending
/// `__anext__` then raises `gameye.CancelledError`, and later ones end the
/// iteration. Cancelling a pending `__anext__` closes the stream.
#[pyclass(frozen, module = "gameye", name = "AsyncLogStream")]
pub(crate) struct PyAsyncLogStream {
    source: Arc<LineSource>,
}

impl PyAsyncLogStream {
    pub(crate) fn new(client: Client, id: String) -> Self {
        PyAsyncLogStream {
            source: LineSource::new(client, Phase::Unopened(id)),
        }
    }

    /// An awaitable that opens the log if it is not open yet, then gives
    /// the stream itself.
    fn opened<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        // Fails outside of an event loop, before the stream is taken.
        bridge::running_loop(py)?;
        let me = slf.clone().unbind().into_any();
        let source = &slf.get().source;
        let Some(id) = source.begin_open() else {
            return bridge::ready(py, me);
        };
        bridge::spawn_future(
            py,
            &source.client,
            open(Arc::clone(source), id),
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

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        // Fails outside of an event loop, before the stream is taken.
        bridge::running_loop(py)?;
        let Some(start) = self.source.begin()? else {
            return Ok(None);
        };
        let source = Arc::clone(&self.source);
        let future = bridge::spawn_future(
            py,
            &self.source.client,
            read(source, start),
            |py, line| match line {
                Some(Ok(line)) => Ok(PyString::new(py, &line).into_any().unbind()),
                Some(Err(e)) => Err(GameyeError::from(e).into()),
                None => Err(PyStopAsyncIteration::new_err(())),
            },
        );
        let future = match future {
            Ok(future) => future,
            Err(e) => {
                // Nothing was spawned and the stream went with the read: closed.
                self.source.close();
                return Err(e);
            }
        };
        // Cancelling the read aborts its task, which closes the stream when it
        // is dropped on the runtime; mark it closed at once, on the loop.
        future.call_method1(
            "add_done_callback",
            (CloseOnCancel {
                source: Arc::clone(&self.source),
            },),
        )?;
        Ok(Some(future))
    }

    /// Opens the log (if not yet) and gives the stream itself.
    fn __await__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::opened(slf)?.call_method0("__await__")
    }

    /// Stops following and closes the connection. Idempotent; awaitable.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.source.close();
        bridge::ready(py, py.None())
    }

    /// Whether `aclose()` was called (or an `async with` block left).
    #[getter]
    fn closed(&self) -> bool {
        self.source.is_closed()
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::opened(slf)
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.source.close();
        bridge::ready(py, false.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    fn __repr__(&self) -> &'static str {
        if self.source.is_closed() {
            "<gameye.AsyncLogStream (closed)>"
        } else {
            "<gameye.AsyncLogStream>"
        }
    }
}

impl Drop for PyAsyncLogStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
