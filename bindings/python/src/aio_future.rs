//! The asyncio future of a call: a core future runs on the client's own
//! tokio runtime (a JSON call polled once on the loop's thread first,
//! [`Start::Eager`]), and its result resolves an asyncio future on the
//! loop's thread. No thread per request.
//!
//! * The asyncio future is created on the calling (event loop) thread and
//!   returned at once; the call is already running, as with a `Task`.
//! * On completion the runtime worker hands the result to the loop through
//!   the loop's wake-up fd ([`crate::loop_inbox`]), without taking the GIL;
//!   a loop that cannot watch an fd gets a [`Resolver`] scheduled with
//!   `loop.call_soon_threadsafe` instead. Either way the result is
//!   converted to Python objects on the loop's thread.
//! * Cancelling the asyncio future aborts the tokio task ([`Canceller`]), which
//!   drops the request and closes its connection.
//! * A task that ends without a result (its runtime shut down, or it
//!   panicked) resolves the future with `gameye.CancelledError`, so an awaiting
//!   coroutine never hangs ([`Pending`]'s `Drop`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gameye_core::{Client, EagerTask};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;
use tokio::task::AbortHandle;

use crate::error::{self, GameyeError};
use crate::exit_gate;
use crate::loop_inbox::{self, resolve, Inbox, Outcome};

/// The `asyncio` module, imported once.
pub(crate) fn asyncio(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("asyncio")?.unbind()))
        .map(|m| m.bind(py))
}

/// The running event loop; a `RuntimeError` outside of one.
pub(crate) fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    asyncio(py)?.call_method0("get_running_loop")
}

/// An asyncio future of the running loop, already resolved with `value`.
pub(crate) fn ready<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let future = running_loop(py)?.call_method0("create_future")?;
    future.call_method1("set_result", (value,))?;
    Ok(future)
}

/// Where a call's future is first polled.
#[derive(Clone, Copy)]
pub(crate) enum Start {
    /// Once on the loop's thread before it is handed to the runtime
    /// (`Client::spawn_eager`): a JSON call's request is then written
    /// before the loop goes back to its other work. It never waits there.
    Eager,
    /// On the runtime only: streams and downloads, whose first steps may
    /// touch files or take long to set up.
    OnRuntime,
}

/// Runs `fut` on the client's runtime and returns an asyncio future of the
/// running loop that `convert` resolves with its output. Cancelling the
/// asyncio future aborts the task.
pub(crate) fn spawn_future<'py, F, C>(
    py: Python<'py>,
    client: &Client,
    start: Start,
    fut: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    C: for<'a> FnOnce(Python<'a>, F::Output) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let event_loop = running_loop(py)?;
    let future = event_loop.call_method0("create_future")?;
    let cancelled = Arc::new(AtomicBool::new(false));
    let pending = Pending {
        inbox: loop_inbox::inbox_of(&event_loop)?,
        event_loop: event_loop.unbind(),
        future: Some(future.clone().unbind()),
        cancelled: Arc::clone(&cancelled),
        delivered: false,
    };
    let task = async move {
        let output = fut.await;
        pending.deliver(Box::new(move |py| convert(py, output)));
    };
    let task = match start {
        Start::Eager => Task::Eager(client.spawn_eager(task)),
        Start::OnRuntime => Task::OnRuntime(client.spawn_background(task).abort_handle()),
    };
    future.call_method1("add_done_callback", (Canceller { task, cancelled },))?;
    Ok(future)
}

/// How a call's task is aborted.
enum Task {
    Eager(EagerTask),
    OnRuntime(AbortHandle),
}

/// The asyncio future a running task will resolve.
struct Pending {
    /// The loop's wake-up fd, when it can watch one.
    inbox: Option<Arc<Inbox>>,
    event_loop: Py<PyAny>,
    /// Taken by the one delivery.
    future: Option<Py<PyAny>>,
    /// Set when the asyncio future was cancelled: nothing to resolve then.
    cancelled: Arc<AtomicBool>,
    delivered: bool,
}

impl Pending {
    fn deliver(mut self, outcome: Outcome) {
        self.delivered = true;
        self.schedule(outcome);
    }

    /// Hands the outcome to the loop: through its inbox without the GIL,
    /// or by scheduling a resolver. A closed loop (or an interpreter
    /// exiting) has nobody left to tell.
    fn schedule(&mut self, outcome: Outcome) {
        let Some(future) = self.future.take() else {
            return;
        };
        if let Some(inbox) = &self.inbox {
            inbox.post(future, outcome);
            return;
        }
        exit_gate::try_attach(|py| {
            let resolver = Resolver {
                future,
                outcome: Mutex::new(Some(outcome)),
            };
            let _ = self
                .event_loop
                .call_method1(py, "call_soon_threadsafe", (resolver,));
        });
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.delivered && !self.cancelled.load(Ordering::Acquire) {
            // The task was dropped before it finished, and not because the
            // awaitable was cancelled: its runtime stopped, or it panicked.
            self.schedule(Box::new(|_| {
                Err(GameyeError::from(error::cancelled("the call ended without a result")).into())
            }));
        }
    }
}

/// Sets the result or the exception of an asyncio future, on its loop.
#[pyclass(frozen)]
struct Resolver {
    future: Py<PyAny>,
    outcome: Mutex<Option<Outcome>>,
}

#[pymethods]
impl Resolver {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        // The loop may run on a daemon thread; see `exit_gate`.
        let Some(_section) = exit_gate::enter() else {
            return Ok(());
        };
        let Some(outcome) = self
            .outcome
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return Ok(());
        };
        resolve(py, self.future.bind(py), outcome)
    }
}

/// The done-callback of an asyncio future: aborts the task when the future
/// was cancelled.
#[pyclass(frozen)]
struct Canceller {
    task: Task,
    cancelled: Arc<AtomicBool>,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.cancelled.store(true, Ordering::Release);
            match &self.task {
                Task::Eager(task) => task.abort(),
                Task::OnRuntime(handle) => handle.abort(),
            }
        }
        Ok(())
    }
}
