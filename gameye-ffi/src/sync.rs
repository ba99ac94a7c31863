//! The synchronisation primitives of the state machines (operations, queues,
//! the download write gate): std's, or loom's under `--cfg gameye_loom`
//! so that `loom` can check every interleaving of them (see `loom_tests.rs`).

#[cfg(gameye_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(gameye_loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(gameye_loom)]
pub(crate) use loom::thread::{current as current_thread, ThreadId};

#[cfg(not(gameye_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(gameye_loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(gameye_loom))]
pub(crate) use std::thread::{current as current_thread, ThreadId};

/// Locks `m`; a poisoned lock only means a panic elsewhere, the state stays usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits on `cond`, ignoring poisoning as [`lock`] does.
pub(crate) fn wait<'a, T>(cond: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    cond.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// The calling thread's id.
pub(crate) fn this_thread() -> ThreadId {
    current_thread().id()
}

/// Runs a blocking wait `f`. On one of a client's I/O threads (a host
/// callback making a blocking call), the thread's other tasks move to another
/// thread first, so the work it waits for can still run.
pub(crate) fn blocking<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(not(gameye_loom))]
    if gameye_core::on_runtime_worker() {
        return tokio::task::block_in_place(f);
    }
    f()
}
