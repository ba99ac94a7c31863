//! The blocking fast path: a blocking JSON call runs entirely on the calling
//! thread, on a small current-thread runtime with its own connection pool
//! that this thread keeps per client. Request, connection and I/O then share
//! one thread, with no hand-off to the client's I/O threads and back: the
//! round trip costs what a hand-written libcurl loop costs.
//!
//! Streams (logs, artifacts) and the async methods do not use it: their
//! connections must outlive the call, so they live on the client's runtime.

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, Weak};

use crate::fork::ProcessBound;

/// One client's runtime and pool on one thread.
struct Local {
    client_id: u64,
    /// Entries of dropped clients are pruned.
    owner: Weak<dyn Send + Sync>,
    /// Leaked, not dropped, in a forked child (see `fork`): this thread's
    /// copy of the parent's entry shares the parent's epoll instance.
    runtime: ProcessBound<tokio::runtime::Runtime>,
    http: ProcessBound<reqwest::Client>,
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
/// pool, with `build_http`) on first use. Returns `Err(fut)` when the fast
/// path cannot be used here (inside another runtime, a nested call, or
/// during thread teardown), so the caller takes the shared path instead.
pub(crate) fn block_on<F: Future>(
    client_id: u64,
    owner: Weak<dyn Send + Sync>,
    build_http: impl FnOnce() -> Option<reqwest::Client>,
    fut: F,
) -> Result<F::Output, F> {
    if tokio::runtime::Handle::try_current().is_ok() || active_http(client_id).is_some() {
        return Err(fut);
    }
    // Taken out for the call, so a nested call finds none and goes shared.
    let taken = LOCALS.try_with(|l| {
        let mut locals = l.borrow_mut();
        locals.retain(|e| e.owner.strong_count() > 0);
        let at = locals.iter().position(|e| e.client_id == client_id)?;
        Some(locals.swap_remove(at))
    });
    let local = match taken {
        Err(_) => return Err(fut),
        Ok(Some(local)) => local,
        Ok(None) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match (runtime, build_http()) {
                (Ok(runtime), Some(http)) => Local {
                    client_id,
                    owner,
                    runtime: ProcessBound::new(runtime),
                    http: ProcessBound::new(http),
                },
                _ => return Err(fut),
            }
        }
    };
    let set = ACTIVE.try_with(|a| *a.borrow_mut() = Some((client_id, (*local.http).clone())));
    if set.is_err() {
        return Err(fut);
    }
    let out = local.runtime.block_on(fut);
    let _ = ACTIVE.try_with(|a| *a.borrow_mut() = None);
    let _ = LOCALS.try_with(|l| l.borrow_mut().push(local));
    Ok(out)
}

/// Drops this thread's runtime and pool for a client that is going away,
/// closing its idle connections now (other threads prune theirs on their
/// next fast call). Skipped inside an async context, where dropping a
/// runtime is not allowed.
pub(crate) fn forget(client_id: u64) {
    if tokio::runtime::Handle::try_current().is_ok() {
        return;
    }
    let removed = LOCALS.try_with(|l| {
        let mut locals = l.borrow_mut();
        let at = locals.iter().position(|e| e.client_id == client_id)?;
        Some(locals.swap_remove(at))
    });
    drop(removed);
}

/// Keeps the type-erased owner handle small to build.
pub(crate) fn owner_of<T: Send + Sync + 'static>(inner: &Arc<T>) -> Weak<dyn Send + Sync> {
    let weak: Weak<T> = Arc::downgrade(inner);
    weak
}
