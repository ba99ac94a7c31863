//! The client: its configuration, connections (`http`), I/O threads
//! (`workers`) and fast-path pools (`fast_path`), and closing it. Every
//! endpoint goes through [`Client::send`] or [`Client::open_stream`]
//! (`call`), the one HTTP path, and runs as `run` says; the blocking calls
//! drive the same futures as the async ones.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::header::HeaderValue;

use crate::config::{ClientConfig, IntoValidClientConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::fork::ProcessBound;
use crate::http::Connections;

/// A Gameye API client. Cheap to clone (one `Arc`), `Send + Sync`: share one
/// per process so every call reuses its connections.
///
/// Each endpoint has a blocking method (`create_session`) and an async twin
/// (`create_session_async`); both run the same code.
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// The connections JSON calls use instead of the client's own: set
    /// only on the view a blocking fast-path call runs with (see
    /// `fast_path`), to the calling thread's.
    pub(crate) lane_http: Option<Connections>,
}

impl Clone for Client {
    /// A clone shares the client, never a thread's fast-path pool: what is
    /// cloned during a call may outlive it or run on another thread.
    fn clone(&self) -> Self {
        Client {
            inner: Arc::clone(&self.inner),
            lane_http: None,
        }
    }
}

pub(crate) struct Inner {
    /// Unique per client; equal to `RUNTIME_ID` on this client's workers.
    pub(crate) runtime_id: u64,
    /// The connections of calls on this runtime. Leaked, not dropped, in a
    /// forked child (see `fork`).
    pub(crate) http: ProcessBound<Connections>,
    /// Taken out by [`Client::close`] or the drop.
    pub(crate) runtime: std::sync::Mutex<Option<ProcessBound<tokio::runtime::Runtime>>>,
    pub(crate) handle: tokio::runtime::Handle,
    /// Becomes `true` on [`Client::close`]: calls in flight end, new ones fail.
    pub(crate) closed: tokio::sync::watch::Sender<bool>,
    /// Calls polled on their callers' threads with this runtime's I/O
    /// ([`Client::block_on_shared`]); `close` lets them leave before the
    /// runtime shuts down, since a timer polled after that panics.
    pub(crate) shared_calls: std::sync::atomic::AtomicUsize,
    /// The base URL; endpoint paths are appended to its path.
    pub(crate) base: url::Url,
    pub(crate) auth: HeaderValue,
    pub(crate) config: ClientConfig,
    /// Caps the requests in flight at once, so a burst of calls reuses a few
    /// warm connections instead of opening one each.
    pub(crate) in_flight: tokio::sync::Semaphore,
    /// The blocking fast path's pools on every thread that made a call, so
    /// that closing or dropping the client closes their connections too.
    pub(crate) fast_paths: crate::fast_path::Registry,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.fast_paths.close_all();
        let runtime = self.runtime.get_mut().unwrap_or_else(|e| e.into_inner());
        crate::fast_path::shut_down(runtime.take());
    }
}

/// How long [`Client::close`] waits for calls on other threads to leave.
const CLOSE_DRAIN: Duration = Duration::from_secs(1);

/// The error of a call on (or cut short by) a closed client.
pub(crate) fn closed_error() -> Error {
    Error::new(ErrorKind::Cancelled, "the client was closed")
}

impl Client {
    /// Creates a client from a configuration, checking it unless it is a
    /// [`ValidClientConfig`](crate::ValidClientConfig) already.
    pub fn new(config: impl IntoValidClientConfig) -> Result<Client> {
        let valid = config.into_valid()?;
        let config = valid.config();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose()))
            .map_err(|_| {
                Error::invalid_config("token", "must be printable ASCII without spaces")
            })?;
        // Marks the header as secret for hyper (kept out of its logs).
        auth.set_sensitive(true);
        let (runtime, runtime_id) = crate::workers::start(config)?;
        let http = Connections::new(&valid, config.max_concurrent_requests)?;
        let base = valid.base().clone();
        let config = valid.into_config();
        Ok(Client {
            inner: Arc::new(Inner {
                runtime_id,
                http: ProcessBound::new(http),
                handle: runtime.handle().clone(),
                runtime: std::sync::Mutex::new(Some(ProcessBound::new(runtime))),
                closed: tokio::sync::watch::Sender::new(false),
                shared_calls: std::sync::atomic::AtomicUsize::new(0),
                base,
                auth,
                in_flight: tokio::sync::Semaphore::new(config.max_concurrent_requests),
                fast_paths: crate::fast_path::Registry::default(),
                config,
            }),
            lane_http: None,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// Closes the client: calls in flight end with [`ErrorKind::Cancelled`]
    /// (a blocking JSON call on the fast path runs on its caller's thread
    /// and may finish first), later calls fail with it at once, and the I/O
    /// threads stop, closing their connections. The blocking fast path's
    /// per-thread runtimes and pools close too: at once for threads between
    /// calls, as its call ends for a thread inside one. Waits up to a
    /// second for the I/O threads (not inside an async context, where they
    /// stop in the background).
    /// Idempotent; clones share it.
    pub fn close(&self) {
        use std::sync::atomic::Ordering;
        self.inner.closed.send_replace(true);
        let start = Instant::now();
        while self.inner.shared_calls.load(Ordering::SeqCst) > 0 && start.elapsed() < CLOSE_DRAIN {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.inner.fast_paths.close_all();
        let runtime = self
            .inner
            .runtime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        crate::fast_path::shut_down(runtime);
        // Calls in flight ended with the runtime; the kept connections
        // close here (a forked child's copies are left alone, see `fork`).
        if !self.inner.http.is_inherited() {
            self.inner.http.close();
        }
    }

    /// Whether [`Client::close`] was called.
    pub fn is_closed(&self) -> bool {
        *self.inner.closed.borrow()
    }

    /// Resolves once [`Client::close`] is called.
    pub(crate) async fn until_closed(&self) {
        let mut closed = self.inner.closed.subscribe();
        let _ = closed.wait_for(|c| *c).await;
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_hides_token() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
        let c = Client::new(ClientConfig::new("s3cr3t")).unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(c.base_url(), crate::config::SANDBOX_URL);
    }
}
