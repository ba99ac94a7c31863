//! Completions handed to an asyncio event loop through a wake-up fd, so that
//! the I/O thread that finishes a call never takes the GIL.
//!
//! Each event loop gets one inbox: a queue of finished calls and a
//! socketpair whose read end the loop watches (`loop.add_reader`). An I/O
//! thread pushes its result onto the queue and, when the queue was empty,
//! writes one byte; the loop's reader callback ([`Drain`]) reads the bytes,
//! takes the whole queue and resolves every future on the loop's thread.
//! Reading the bytes before taking the queue means a result pushed at any
//! moment is either taken now or has written a byte that wakes the loop
//! again.
//!
//! A loop without `add_reader` (the proactor loop on Windows) has no inbox:
//! completions then go through `loop.call_soon_threadsafe` (`aio_future.rs`).

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;

/// Turns what the core future produced into the awaitable's result or
/// exception; runs on the event loop's thread, attached to Python.
pub(crate) type Outcome = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Py<PyAny>> + Send>;

/// Sets the result or the exception of an asyncio future, on its loop's
/// thread; nothing when it is done already (cancelled meanwhile).
pub(crate) fn resolve(py: Python<'_>, future: &Bound<'_, PyAny>, outcome: Outcome) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    match outcome(py) {
        Ok(value) => future.call_method1("set_result", (value,))?,
        Err(e) => future.call_method1("set_exception", (e.into_value(py),))?,
    };
    Ok(())
}

/// A finished call waiting for the loop.
struct Completion {
    future: Py<PyAny>,
    outcome: Outcome,
}

/// The queue and the write end of one loop's wake-up fd.
pub(crate) struct Inbox {
    queue: Mutex<Vec<Completion>>,
    #[cfg(unix)]
    wake: std::os::unix::net::UnixStream,
}

impl Inbox {
    /// Queues `outcome` for `future` and wakes the loop if it was idle.
    /// Needs no GIL.
    pub(crate) fn post(&self, future: Py<PyAny>, outcome: Outcome) {
        let was_empty = {
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            let was_empty = queue.is_empty();
            queue.push(Completion { future, outcome });
            was_empty
        };
        if was_empty {
            #[cfg(unix)]
            {
                use std::io::Write;
                // A full socket buffer means a wake-up is pending anyway.
                let _ = (&self.wake).write(&[1]);
            }
        }
    }

    fn take(&self) -> Vec<Completion> {
        std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The reader callback of a loop's wake-up fd: resolves what is queued.
#[pyclass(frozen)]
struct Drain {
    inbox: Arc<Inbox>,
    #[cfg(unix)]
    read: std::os::unix::net::UnixStream,
}

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        // The loop may run on a daemon thread; see `exit_gate`.
        let Some(_section) = crate::exit_gate::enter() else {
            return;
        };
        #[cfg(unix)]
        {
            use std::io::Read;
            let mut bytes = [0u8; 64];
            // Non-blocking. A short read emptied the fd: no second read
            // (and syscall) to hear WouldBlock.
            while matches!((&self.read).read(&mut bytes), Ok(n) if n == bytes.len()) {}
        }
        for done in self.inbox.take() {
            // One future's failure (its callbacks raising) spares the others.
            let _ = resolve(py, done.future.bind(py), done.outcome);
        }
    }
}

/// The inbox of `event_loop`, made on first use (on the loop's thread);
/// `None` for a loop that cannot watch an fd.
pub(crate) fn inbox_of(event_loop: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Inbox>>> {
    use pyo3::sync::PyOnceLock;
    let py = event_loop.py();
    // Loop -> its Drain (or None): entries go with their loop.
    static INBOXES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let inboxes = INBOXES
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("weakref")?
                    .getattr("WeakKeyDictionary")?
                    .call0()?
                    .unbind(),
            )
        })?
        .bind(py);
    let found = inboxes.call_method1("get", (event_loop,))?;
    if let Ok(drain) = found.cast::<Drain>() {
        return Ok(Some(Arc::clone(&drain.get().inbox)));
    }
    if inboxes.contains(event_loop)? {
        return Ok(None); // tried before: this loop cannot watch an fd
    }
    let drain = make_drain(event_loop)?;
    match &drain {
        Some(d) => inboxes.set_item(event_loop, d)?,
        None => inboxes.set_item(event_loop, py.None())?,
    }
    Ok(drain.map(|d| Arc::clone(&d.get().inbox)))
}

#[cfg(unix)]
fn make_drain<'py>(event_loop: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, Drain>>> {
    use std::os::fd::AsRawFd;
    let py = event_loop.py();
    let (read, wake) = std::os::unix::net::UnixStream::pair()?;
    read.set_nonblocking(true)?;
    wake.set_nonblocking(true)?;
    let fd = read.as_raw_fd();
    let drain = Bound::new(
        py,
        Drain {
            inbox: Arc::new(Inbox {
                queue: Mutex::new(Vec::new()),
                wake,
            }),
            read,
        },
    )?;
    match event_loop.call_method1("add_reader", (fd, &drain)) {
        Ok(_) => Ok(Some(drain)),
        // NotImplementedError and the like: the loop cannot watch an fd.
        Err(_) => Ok(None),
    }
}

#[cfg(not(unix))]
fn make_drain<'py>(_event_loop: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, Drain>>> {
    Ok(None)
}
