//! The client's I/O threads: the tokio runtime a client owns, and which
//! thread is a worker of which client's runtime (a call made from one of
//! them must not wait on its own runtime).

use std::time::Duration;

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind, Result};

thread_local! {
    /// The id of the client runtime this thread is a worker of, 0 for none.
    pub(crate) static RUNTIME_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Ids for client runtimes, so a worker knows which client's runtime it serves.
static NEXT_RUNTIME_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Starts a client's I/O threads; gives the runtime and its id (what
/// `RUNTIME_ID` holds on its workers).
pub(crate) fn start(config: &ClientConfig) -> Result<(tokio::runtime::Runtime, u64)> {
    let runtime_id = NEXT_RUNTIME_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("gameye-io")
        .on_thread_start(move || {
            RUNTIME_ID.with(|id| id.set(runtime_id));
            crate::http::block_sigpipe_on_own_thread();
        })
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                format!("cannot start I/O threads: {e}"),
            )
        })?;
    // Not below a second: a short timeout must not become a busy timer.
    let period = config.request_timeout.max(Duration::from_secs(1));
    runtime.spawn(keep_next_timer_within(period));
    Ok((runtime, runtime_id))
}

/// The id of the client runtime the current thread is a worker of, 0 for none.
pub(crate) fn current_runtime_id() -> u64 {
    RUNTIME_ID.with(|id| id.get())
}

/// Keeps a timer armed at most `period` ahead, for as long as the runtime
/// runs. Tokio wakes the I/O thread parked in its driver whenever a new
/// timer is due before the driver's next wake-up; each call arms one (its
/// attempt's timeout, at most `period` ahead), so with no other timer every
/// call would wake that thread just to re-arm it, a thread switch per call
/// (BENCHMARKS.md, awaited-call latency). The cost: an idle client's I/O
/// thread wakes once per `period` (the request timeout, 30 s by default).
async fn keep_next_timer_within(period: Duration) {
    loop {
        tokio::time::sleep(period).await;
    }
}

/// Marks the current thread as a worker of one client runtime while it
/// lives (see [`Client::spawn_eager`]), then restores the mark it had.
pub(crate) struct ActAsWorker(u64);

impl ActAsWorker {
    pub(crate) fn of(runtime_id: u64) -> ActAsWorker {
        ActAsWorker(RUNTIME_ID.with(|id| id.replace(runtime_id)))
    }
}

impl Drop for ActAsWorker {
    fn drop(&mut self) {
        RUNTIME_ID.with(|id| id.set(self.0));
    }
}

/// Whether this thread runs tasks of a multi-thread runtime (one of a
/// client's I/O threads), where a blocking wait must go through
/// [`tokio::task::block_in_place`]. Bindings use it for their own waits.
pub fn on_runtime_worker() -> bool {
    matches!(
        tokio::runtime::Handle::try_current(),
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
    )
}
