//! The blocking fast path: a blocking JSON call runs entirely on the calling
//! thread, on a small current-thread runtime with its own connection pool
//! that this thread keeps per client. Request, connection and I/O then share
//! one thread, with no hand-off to the client's I/O threads and back: the
//! round trip costs what a hand-written libcurl loop costs.
//!
//! Each thread's pool also sits in its client's [`Registry`], so dropping
//! the client closes the connections of every thread at once, not when each
//! thread happens to call again or exit.
//!
//! Streams (logs, artifacts) and the async methods do not use it: their
//! connections must outlive the call, so they live on the client's runtime.

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::fork::ProcessBound;

/// One client's runtime and pool on one thread. Leaked, not dropped, in a
/// forked child (see `fork`): its copy shares the parent's epoll instance.
struct Pool {
    runtime: ProcessBound<tokio::runtime::Runtime>,
    http: ProcessBound<reqwest::Client>,
}

/// A thread's pool for one client, shared with the client's registry.
#[derive(Default)]
struct SlotState {
    /// Empty while a call on that thread uses the pool.
    pool: Option<Pool>,
    /// Set by [`Registry::close_all`]: a call that ends later drops its pool
    /// instead of putting it back.
    closed: bool,
}

type Slot = Arc<Mutex<SlotState>>;

/// Stops a runtime: its threads end and its connections close. A runtime
/// inherited through `fork()` is leaked instead (see `fork`).
pub(crate) fn shut_down(runtime: Option<ProcessBound<tokio::runtime::Runtime>>) {
    let Some(rt) = runtime.and_then(ProcessBound::into_inner) else {
        return;
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        // Inside an async context (possibly on one of our own workers) a
        // blocking shutdown would panic; the workers exit on their own.
        rt.shutdown_background();
    } else {
        // Join the threads so that closing releases everything now.
        rt.shutdown_timeout(Duration::from_secs(1));
    }
}

/// The slots of every thread that made a fast call on one client.
#[derive(Default)]
pub(crate) struct Registry {
    slots: Mutex<Vec<Slot>>,
}

impl Registry {
    fn add(&self, slot: &Slot) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        // Slots of threads that exited are held by the registry alone.
        slots.retain(|s| Arc::strong_count(s) > 1);
        slots.push(Arc::clone(slot));
    }

    /// Closes every thread's pool and runtime of this client, and with them
    /// their connections. Called by `Client::close` and when the client is
    /// dropped; a fast call still running on another thread closes its own
    /// pool when it ends.
    pub(crate) fn close_all(&self) {
        let slots = std::mem::take(&mut *self.slots.lock().unwrap_or_else(|e| e.into_inner()));
        for slot in slots {
            let pool = {
                let mut state = slot.lock().unwrap_or_else(|e| e.into_inner());
                state.closed = true;
                state.pool.take()
            };
            if let Some(Pool { runtime, http }) = pool {
                drop(http);
                shut_down(Some(runtime));
            }
        }
    }
}

/// A thread's entry for one client.
struct Local {
    client_id: u64,
    /// Entries of dropped clients are pruned.
    owner: Weak<dyn Send + Sync>,
    slot: Slot,
}

thread_local! {
    static LOCALS: RefCell<Vec<Local>> = const { RefCell::new(Vec::new()) };
    /// While a fast call runs on this thread: its client id and pool.
    static ACTIVE: RefCell<Option<(u64, reqwest::Client)>> = const { RefCell::new(None) };
}

/// The pool a request of `client_id` should use on this thread: the local
/// one while a fast call of that client runs here, otherwise `None`.
pub(crate) fn active_http(client_id: u64) -> Option<reqwest::Client> {
    ACTIVE
        .try_with(|a| match &*a.borrow() {
            Some((id, http)) if *id == client_id => Some(http.clone()),
            _ => None,
        })
        .ok()
        .flatten()
}

/// Runs `fut` on this thread's runtime for `client_id`, creating it (and its
/// pool, with `build_http`, registered in `registry`) on first use. Returns
/// `Err(fut)` when the fast path cannot be used here (inside another
/// runtime, a nested call, or during thread teardown), so the caller takes
/// the shared path instead.
pub(crate) fn block_on<F: Future>(
    client_id: u64,
    owner: Weak<dyn Send + Sync>,
    registry: &Registry,
    build_http: impl FnOnce() -> Option<reqwest::Client>,
    fut: F,
) -> Result<F::Output, F> {
    if tokio::runtime::Handle::try_current().is_ok() || active_http(client_id).is_some() {
        return Err(fut);
    }
    let slot = LOCALS.try_with(|l| {
        let mut locals = l.borrow_mut();
        locals.retain(|e| e.owner.strong_count() > 0);
        match locals.iter().find(|e| e.client_id == client_id) {
            Some(e) => Arc::clone(&e.slot),
            None => {
                let slot: Slot = Arc::default();
                registry.add(&slot);
                locals.push(Local {
                    client_id,
                    owner,
                    slot: Arc::clone(&slot),
                });
                slot
            }
        }
    });
    let Ok(slot) = slot else {
        return Err(fut);
    };
    // Taken out for the call, so a nested call finds none and goes shared.
    let taken = {
        let mut state = slot.lock().unwrap_or_else(|e| e.into_inner());
        if state.closed {
            return Err(fut);
        }
        state.pool.take()
    };
    let pool = match taken {
        Some(pool) => pool,
        None => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match (runtime, build_http()) {
                (Ok(runtime), Some(http)) => Pool {
                    runtime: ProcessBound::new(runtime),
                    http: ProcessBound::new(http),
                },
                _ => return Err(fut),
            }
        }
    };
    let set = ACTIVE.try_with(|a| *a.borrow_mut() = Some((client_id, (*pool.http).clone())));
    if set.is_err() {
        return Err(fut);
    }
    let out = pool.runtime.block_on(fut);
    let _ = ACTIVE.try_with(|a| *a.borrow_mut() = None);
    let mut state = slot.lock().unwrap_or_else(|e| e.into_inner());
    if state.closed {
        drop(state);
        drop(pool.http);
        shut_down(Some(pool.runtime));
    } else {
        state.pool = Some(pool);
    }
    Ok(out)
}

/// Keeps the type-erased owner handle small to build.
pub(crate) fn owner_of<T: Send + Sync + 'static>(inner: &Arc<T>) -> Weak<dyn Send + Sync> {
    let weak: Weak<T> = Arc::downgrade(inner);
    weak
}
