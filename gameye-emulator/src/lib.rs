//! A local HTTP server that implements the Gameye Session API contract
//! (OpenAPI 1.2.1), for tests and offline development.
//!
//! It is an independent implementation of the contract: it does not share code
//! with the SDK's client, so testing the client against it checks the client
//! against the spec rather than against itself.
//!
//! Three ways to run it:
//! - in-process from Rust tests: [`Emulator::start`] binds an ephemeral port on
//!   127.0.0.1 and serves on its own thread and tokio runtime, so it works from
//!   sync code and from inside another runtime;
//! - embedded in async code: [`serve`] on a listener you bound;
//! - as the `gameye-emulator` binary (`--port`, `--bind`, `--config`,
//!   `--port-file`), for C and Python tests and offline development.
//!
//! # Defaults
//!
//! [`EmulatorConfig::default`] gives:
//! - one token, `gameye-emulator-token` ([`DEFAULT_TOKEN`]), holding every scope
//!   (`session:start`, `session:read`, `session:stop`, `logs:read`,
//!   `artifact:read`, `regions:read`) and no quota;
//! - locations `europe`, `north-america` and `asia`, each with capacity for 100
//!   running sessions and ping IP `127.0.0.1`;
//! - images `nginx` (tags `latest`, `1.25`; port tcp 80) and `my-game` (tags
//!   `latest`, `1.0.0`; ports udp 7777 and tcp 7778); the first tag is the one
//!   used when a request names no `version`;
//! - host `127.0.0.1` reported for every session;
//! - the longest `ttl` accepted: 1440 minutes (24h);
//! - no fault rules.
//!
//! A JSON config file (see [`EmulatorConfig::from_json_file`]) uses the same
//! field names; each field it names replaces the default whole (a `locations`
//! list replaces all three default locations), and the fields it omits keep
//! their defaults. Within a list entry, `scopes` defaults to all scopes,
//! `quota` to none, `capacity` to 100, `ips` to none, `tags` to `["latest"]`
//! and `ports` to none.
//!
//! # Behaviour
//!
//! - `POST /session` checks, in this order: bearer token (401), scope
//!   `session:start` (403), body schema (422 with one `violations` entry per
//!   bad field), location (404 `LOCATION_NOT_FOUND`), image (404
//!   `IMAGE_NOT_FOUND`), version tag (404 `TAG_NOT_FOUND`), id already held
//!   (409 `SESSION_ID_CONFLICT`), the token's quota of sessions ever started
//!   (402 `QUOTA_EXHAUSTED`), the location's capacity of running sessions (420
//!   `NO_CAPACITY`). Without an `id`, a UUIDv4 is generated. Success is 201
//!   with `{"id", "host", "ports"}`; host ports come from 20000..60000 and are
//!   distinct across running sessions.
//! - `GET /session` (scope `session:read`) lists running sessions, or all with
//!   `all=true`, filtered by `location`, `image`, `tag`, `host`,
//!   `playerCount[lt]`, `playerCount[gt]` and `filter[LABEL]=VALUE`.
//! - `GET /session/{id}` (`session:read`) describes one session (404 if
//!   unknown); `DELETE /session/{id}` (`session:stop`) stops it: 204, and the
//!   session stays listed as `exited` (404 if unknown, 409 if already exited).
//! - A session whose `ttl` runs out becomes `exited` as if stopped.
//! - Sessions are visible to every token, not only the one that started them
//!   (a simplification; quotas still count per token).
//! - Labels are returned as given; the real service also adds its own
//!   bookkeeping labels, which the emulator does not invent.
//! - Also served: `PUT /session/player/join`, `DELETE /session/player/leave`
//!   (any valid token), `GET /available-location/{image}` and
//!   `GET /tag/{region}/{image}/{version}` (`regions:read`), `GET /logs`
//!   (`logs:read`; a synthetic log, never streamed) and `GET /artifacts`
//!   (`artifact:read`; a small generated `.tar.gz`).
//! - Every error is the spec's `ErrorResponse` with all required fields,
//!   including unknown routes (404 `ROUTE_NOT_FOUND`) and wrong methods (405).
//! - [`FaultRule`]s, checked before anything else, inject errors, latency,
//!   broken bodies and stalls.
//!
//! Nothing is logged per request: the emulator is meant to be benchmarked
//! against, and logging would dominate the cost of a request.

#![warn(missing_docs)]

mod config;
mod errors;
mod faults;
mod other;
mod routes;
mod sessions;
mod state;
mod validate;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::sync::{oneshot, watch};

pub use config::{
    EmulatorConfig, ImageConfig, LocationConfig, PortConfig, TokenConfig, ALL_SCOPES, DEFAULT_TOKEN,
};
pub use faults::{FaultAction, FaultRule};

use routes::App;
use state::Shared;

/// How long a graceful stop waits for requests still in flight before the
/// server is dropped anyway; a client that never reads must not block a stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// A running emulator on its own thread. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Emulator {
    /// Starts on 127.0.0.1 with an ephemeral port, serving on its own
    /// background thread with its own tokio runtime (so it works from sync
    /// code and from inside other runtimes). Returns once the listener is
    /// bound, so requests can be sent right away.
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Like [`Emulator::start`], on the given address (port 0 = ephemeral).
    ///
    /// An invalid config is an `InvalidInput` error.
    pub fn start_on(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<Emulator> {
        config
            .validate()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        // Bind here, not on the thread, so bind errors reach the caller and
        // the port is accepting connections by the time we return.
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        // One thread is plenty for tests and keeps many parallel emulators cheap.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let shared = Arc::new(Shared::new(config));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("gameye-emulator-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(serve_shared(listener, server_shared, async move {
                    // A dropped sender (the handle went away) also means stop.
                    let _ = stop_rx.await;
                }));
            })?;
        Ok(Emulator {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many sessions the emulator holds, whatever their status.
    pub fn session_count(&self) -> usize {
        self.shared.lock_raw().sessions.len()
    }

    /// Appends a fault rule; it applies to the next request that matches.
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.faults.add(rule);
    }

    /// Removes every fault rule, including those from the config.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Stops gracefully and waits for the server thread; same as dropping.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves the emulator on an already-bound listener until `shutdown` resolves
/// (then stops gracefully) or the returned future is dropped.
///
/// For the binary and for embedding in async code. An invalid config is an
/// `InvalidInput` error.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: EmulatorConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    config
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    serve_shared(listener, Arc::new(Shared::new(config)), shutdown).await;
    Ok(())
}

async fn serve_shared(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stopping_tx, stopping_rx) = watch::channel(false);
    let app = Arc::new(App {
        shared,
        shutdown: stopping_rx.clone(),
    });
    // Small request/response pairs: don't let Nagle hold back a response.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let server = axum::serve(listener, routes::router(app)).with_graceful_shutdown(async move {
        shutdown.await;
        // Wakes stalled and delayed requests so they finish.
        let _ = stopping_tx.send(true);
    });
    let mut stopping = stopping_rx;
    tokio::select! {
        _ = server.into_future() => {}
        _ = async {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {}
    }
}
