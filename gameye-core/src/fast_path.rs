//! The blocking fast path: a blocking JSON call runs entirely on the calling
//! thread, on a small current-thread runtime with its own connection pool
//! that this thread keeps per client. Request, connection and I/O then share
//! one thread, with no hand-off to the client's I/O threads and back: the
//! round trip costs what a hand-written libcurl loop costs.
//!
//! A call takes its thread's runtime and pool out as a [`Lane`]
//! ([`Lane::take`]), runs on the lane's runtime ([`Lane::run`]) with a
//! client view whose requests go through the lane's pool ([`Lane::http`]),
//! and gives the lane back when it is dropped. Nothing is picked up from
//! thread-local state while the call runs.
//!
//! Each thread's slot also sits in its client's [`Registry`], so closing or
//! dropping the client closes the connections of every thread at once, not
//! when each thread happens to call again or exit.
//!
//! Streams (logs, artifacts) and the async methods do not use it: their
//! connections must outlive the call, so they live on the client's runtime.

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::fork::ProcessBound;

/// How a lane sends its requests: connections of its own (one is kept),
/// sharing the client's route and TLS session cache.
pub(crate) type LaneHttp = crate::http::Connections;

/// One client's runtime and pool on one thread. Leaked, not dropped, in a
/// forked child (see `fork`): its copy shares the parent's epoll instance.
struct Pool {
    runtime: ProcessBound<tokio::runtime::Runtime>,
    http: ProcessBound<LaneHttp>,
}

impl Pool {
    fn close(self) {
        drop(self.http);
        shut_down(Some(self.runtime));
    }
}

/// A thread's pool for one client, shared with the client's registry.
#[derive(Default)]
struct SlotState {
    /// The pool, while no call on that thread holds it as a [`Lane`].
    pool: Option<Pool>,
    /// While a call on that thread holds the lane: a nested call (from a
    /// log callback, say) takes the shared path instead.
    in_use: bool,
    /// Set by [`Registry::close_all`]: a lane given back later closes its
    /// pool instead of putting it back, and no new one is made.
    closed: bool,
}

type Slot = Arc<Mutex<SlotState>>;

fn lock(slot: &Slot) -> std::sync::MutexGuard<'_, SlotState> {
    slot.lock().unwrap_or_else(|e| e.into_inner())
}

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
    /// dropped; a lane still held by a call on another thread is closed
    /// when that call ends (`close` ends it early, see `Client::block_on`).
    pub(crate) fn close_all(&self) {
        let slots = std::mem::take(&mut *self.slots.lock().unwrap_or_else(|e| e.into_inner()));
        for slot in slots {
            let pool = {
                let mut state = lock(&slot);
                state.closed = true;
                state.pool.take()
            };
            if let Some(pool) = pool {
                pool.close();
            }
        }
    }
}

/// A thread's entry for one client.
struct ThreadEntry {
    client_id: u64,
    /// Entries of dropped clients are pruned.
    owner: Weak<dyn Send + Sync>,
    slot: Slot,
}

thread_local! {
    /// This thread's slot per client; looked up only by [`Lane::take`].
    static SLOTS: RefCell<Vec<ThreadEntry>> = const { RefCell::new(Vec::new()) };
}

/// The calling thread's runtime and pool for one client, held by one call.
/// Dropping it gives them back to the thread's slot (or closes them, when
/// the client was closed meanwhile).
pub(crate) struct Lane {
    slot: Slot,
    /// `None` only inside `drop`.
    pool: Option<Pool>,
}

impl Lane {
    /// Takes this thread's lane for the client `client_id` (owned by
    /// `owner`), creating its runtime and pool (with `build_http`, the slot
    /// registered in `registry`) on first use. `None` when the fast path
    /// cannot be used here: inside an async runtime, in a call nested in
    /// one holding the lane, after the client was closed, or during thread
    /// teardown. The caller then takes the shared path.
    pub(crate) fn take(
        client_id: u64,
        owner: Weak<dyn Send + Sync>,
        registry: &Registry,
        build_http: impl FnOnce() -> Option<LaneHttp>,
    ) -> Option<Lane> {
        // Tokio's `block_on` panics inside another runtime's context.
        if tokio::runtime::Handle::try_current().is_ok() {
            return None;
        }
        let slot = SLOTS
            .try_with(|slots| {
                let mut slots = slots.borrow_mut();
                slots.retain(|e| e.owner.strong_count() > 0);
                if let Some(e) = slots.iter().find(|e| e.client_id == client_id) {
                    return Arc::clone(&e.slot);
                }
                let slot = Slot::default();
                registry.add(&slot);
                slots.push(ThreadEntry {
                    client_id,
                    owner,
                    slot: Arc::clone(&slot),
                });
                slot
            })
            .ok()?;
        let taken = {
            let mut state = lock(&slot);
            if state.closed || state.in_use {
                return None;
            }
            state.in_use = true;
            state.pool.take()
        };
        let pool = taken.or_else(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                // Its blocking threads (DNS look-ups) are the library's own.
                .on_thread_start(crate::http::block_sigpipe_on_own_thread)
                .enable_all()
                .build()
                .ok()?;
            Some(Pool {
                runtime: ProcessBound::new(runtime),
                http: ProcessBound::new(build_http()?),
            })
        });
        match pool {
            Some(pool) => Some(Lane {
                slot,
                pool: Some(pool),
            }),
            None => {
                lock(&slot).in_use = false;
                None
            }
        }
    }

    fn pool(&self) -> &Pool {
        self.pool
            .as_ref()
            .expect("a lane holds its pool until dropped")
    }

    /// How the call's requests are sent.
    pub(crate) fn http(&self) -> &LaneHttp {
        &self.pool().http
    }

    /// Runs `fut` to completion on this lane's runtime, on this thread.
    pub(crate) fn run<F: Future>(&self, fut: F) -> F::Output {
        self.pool().runtime.block_on(fut)
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        let Some(pool) = self.pool.take() else {
            return;
        };
        let mut state = lock(&self.slot);
        state.in_use = false;
        if state.closed {
            drop(state);
            pool.close();
        } else {
            state.pool = Some(pool);
        }
    }
}

/// Keeps the type-erased owner handle small to build.
pub(crate) fn owner_of<T: Send + Sync + 'static>(inner: &Arc<T>) -> Weak<dyn Send + Sync> {
    let weak: Weak<T> = Arc::downgrade(inner);
    weak
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> Option<LaneHttp> {
        use crate::config::IntoValidClientConfig;
        let config = crate::ClientConfig::new("t").base_url("http://127.0.0.1:9");
        LaneHttp::new(&config.into_valid().ok()?, 1).ok()
    }

    #[test]
    fn a_lane_is_kept_per_thread_and_refused_while_held() {
        let owner: Arc<()> = Arc::new(());
        let registry = Registry::default();
        let lane = Lane::take(u64::MAX, owner_of(&owner), &registry, http).unwrap();
        // Held: a nested call on this thread gets none (it goes shared).
        assert!(Lane::take(u64::MAX, owner_of(&owner), &registry, http).is_none());
        // Inside the lane's runtime the fast path is refused as well.
        assert!(
            lane.run(async { Lane::take(u64::MAX, owner_of(&owner), &registry, http).is_none() })
        );
        drop(lane);
        // Given back: the next call reuses it without building a pool.
        let again = Lane::take(u64::MAX, owner_of(&owner), &registry, || None);
        assert!(again.is_some());
        drop(again);
        registry.close_all();
        // Closed: no lane any more, and none is made.
        assert!(Lane::take(u64::MAX, owner_of(&owner), &registry, http).is_none());
    }

    #[test]
    fn a_lane_given_back_after_close_is_closed() {
        let owner: Arc<()> = Arc::new(());
        let registry = Registry::default();
        let lane = Lane::take(u64::MAX - 1, owner_of(&owner), &registry, http).unwrap();
        registry.close_all();
        drop(lane);
        let slot = thread_slot(u64::MAX - 1);
        let state = lock(&slot);
        assert!(state.closed && state.pool.is_none() && !state.in_use);
    }

    fn thread_slot(client_id: u64) -> Slot {
        SLOTS.with(|s| {
            let slots = s.borrow();
            let e = slots.iter().find(|e| e.client_id == client_id).unwrap();
            Arc::clone(&e.slot)
        })
    }
}
