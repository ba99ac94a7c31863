//! Interpreter exit: no thread with Rust frames on its stack is in Python
//! when the interpreter finalizes.
//!
//! During finalization (CPython 3.9–3.13) a thread other than the finalizing
//! one that takes the GIL is ended with `pthread_exit`. Its forced unwind
//! cannot pass Rust frames (`catch_unwind` and `extern "C"` stop it), and the
//! process aborts with "FATAL: exception not rethrown". Threads that take the
//! GIL from Rust are ours: I/O threads resolving asyncio futures or routing
//! log events, and Python threads coming back from a blocking call that
//! released the GIL.
//!
//! So every such attach passes this gate. An `atexit` hook (which runs before
//! finalization starts, after non-daemon threads were joined) closes the gate
//! and then waits, with the GIL released, for the sections already inside to
//! leave (bounded by [`DRAIN_BOUND`]). After that:
//! * an I/O thread skips its Python work (nobody is left to receive it);
//! * a Python thread whose blocking call returns parks for good instead of
//!   taking the GIL back; the process is about to exit, and the thread holds
//!   nothing the exit needs.
//!
//! The finalizing thread itself is never refused.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyModule;

/// How long the exit hook waits for sections inside the gate to leave: a
/// section is normally one short callback; one that blocks (a file object's
/// `write()` that never returns) must not hang the exit.
const DRAIN_BOUND: Duration = Duration::from_millis(500);

/// Set by the exit hook: no new section may enter.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// Sections inside the gate now.
static INSIDE: AtomicUsize = AtomicUsize::new(0);
/// The thread that runs the exit hook, and then finalization.
static FINALIZER: OnceLock<ThreadId> = OnceLock::new();

/// A thread's permission to be in Python from Rust code; leaves on drop.
pub(crate) struct Section(());

impl Drop for Section {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Enters the gate: `None` once the interpreter is exiting (except on the
/// finalizing thread).
pub(crate) fn enter() -> Option<Section> {
    // Count first, then check: with SeqCst either this thread sees the gate
    // closed, or the exit hook sees this section and waits for it.
    INSIDE.fetch_add(1, Ordering::SeqCst);
    let section = Section(());
    if CLOSED.load(Ordering::SeqCst) && !is_finalizer() {
        return None; // `section` drops: leaves at once
    }
    Some(section)
}

fn is_finalizer() -> bool {
    FINALIZER.get() == Some(&std::thread::current().id())
}

/// `Python::try_attach` through the gate, for threads that are not attached
/// (I/O threads, or a Python thread inside a blocking call): `None` when the
/// interpreter is exiting or gone.
pub(crate) fn try_attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    let _section = enter()?;
    Python::try_attach(f)
}

/// `py.detach(f)` whose return to Python passes the gate: once the
/// interpreter is exiting, the thread parks for good instead of taking the
/// GIL back (see the module docs).
pub(crate) fn detach<T, F>(py: Python<'_>, f: F) -> T
where
    F: Send + FnOnce() -> T,
    T: Send,
{
    let (out, _section) = py.detach(|| {
        let out = f();
        let section = enter().unwrap_or_else(|| park_forever());
        (out, section)
    });
    // `_section` leaves here, after the GIL was taken back.
    out
}

fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

/// The ``atexit`` hook the extension registers at import: from here on,
/// threads of the SDK never take the GIL again, so that no thread with Rust
/// frames is ended by the interpreter's exit. Waits (boundedly) for the
/// threads inside the gate to leave.
#[pyfunction]
fn _close_exit_gate(py: Python<'_>) {
    let _ = FINALIZER.set(std::thread::current().id());
    CLOSED.store(true, Ordering::SeqCst);
    // With the GIL released, so that the sections inside can finish.
    py.detach(|| {
        let start = Instant::now();
        while INSIDE.load(Ordering::SeqCst) > 0 && start.elapsed() < DRAIN_BOUND {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Registers the exit hook with `atexit`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(_close_exit_gate, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (hook.clone(),))?;
    m.add_function(hook)
}
