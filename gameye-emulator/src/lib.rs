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
//!   `--port-file`, `--fault`, `--control`, `--log-requests`,
//!   `--exited-keep-max`, `--exited-keep-secs`, `--idle-timeout-ms`,
//!   `--tls-cert`/`--tls-key`, `--tls-test-ca`), for C and Python tests and
//!   offline development.
//!
//! Each serves plain http, or https only when given a certificate (see
//! [https](#https) below).
//!
//! # Defaults
//!
//! [`EmulatorConfig::default`] gives:
//! - one token, `gameye-emulator-token` ([`DEFAULT_TOKEN`]), holding every scope
//!   (`session:start`, `session:read`, `session:stop`, `logs:read`,
//!   `artifact:read`, `regions:read`) and no quota;
//! - locations `europe`, `north-america` and `asia`, each with capacity for 100
//!   running sessions and its own loopback ping IPs (`127.0.0.1`;
//!   `127.0.0.2` and `127.0.0.3`; `127.0.0.4`);
//! - images `nginx` (tags `latest`, `1.25`; port tcp 80) and `my-game` (tags
//!   `latest`, `1.0.0`; ports udp 7777 and tcp 7778); the first tag is the one
//!   used when a request names no `version`. Neither has a `command`, so no
//!   process runs by default;
//! - host `127.0.0.1` reported for every session;
//! - the longest `ttl` accepted: 1440 minutes (24h), a `ttl` minute lasting a
//!   real minute (`ttl_unit_ms` 60000);
//! - `stop_grace_ms` 5000 ([`DEFAULT_STOP_GRACE_MS`]): SIGKILL follows SIGTERM
//!   after 5 s;
//! - `log_limit_bytes` 1 MiB ([`DEFAULT_LOG_LIMIT_BYTES`]) of output kept per
//!   session;
//! - `sessions_dir` unset: a new temporary directory per emulator (only
//!   created when an image has a command), removed on shutdown
//!   (`keep_sessions_dir` false);
//! - no fault rules, and no control endpoints (`control` false);
//! - exited sessions remembered: at most 10,000 (`exited_keep_max`,
//!   [`DEFAULT_EXITED_KEEP_MAX`]), each for an hour after it exited
//!   (`exited_keep_secs` 3600, [`DEFAULT_EXITED_KEEP_SECS`]);
//! - no request log (`log_requests` unset);
//! - plain http (`tls` unset), and connections kept open until the client
//!   closes them (`idle_timeout_ms` unset).
//!
//! A JSON config file (see [`EmulatorConfig::from_json_file`]) uses the same
//! field names; each field it names replaces the default whole (a `locations`
//! list replaces all three default locations), and the fields it omits keep
//! their defaults. Within a list entry, `scopes` defaults to all scopes,
//! `quota` to none, `capacity` to 100, `ips` to none, `tags` to `["latest"]`,
//! `ports` to none, `command` to none and `env` to none. Relative paths in a
//! file (`sessions_dir`, and a `command` program containing a `/`) are taken
//! relative to the file's directory. For example:
//!
//! ```json
//! {
//!   "images": [{
//!     "name": "my-game",
//!     "ports": [{"type": "udp", "container": 7777}, {"type": "tcp", "container": 7778}],
//!     "command": ["./build/my-game-server", "--headless"],
//!     "env": {"LOG_LEVEL": "debug"}
//!   }],
//!   "stop_grace_ms": 2000
//! }
//! ```
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
//!   with `{"id", "host", "ports"}`; host ports come from 20000..60000 (from a
//!   random starting point per emulator) and are distinct across running
//!   sessions.
//! - `GET /session` (scope `session:read`) lists active sessions (`running`
//!   or `restarting`), or all with `all=true`, filtered by `location`,
//!   `image`, `tag`, `host`, `playerCount[lt]`, `playerCount[gt]` and
//!   `filter[LABEL]=VALUE`.
//! - `GET /session/{id}` (`session:read`) describes one session (404 if
//!   unknown); `DELETE /session/{id}` (`session:stop`) stops it: 204, and the
//!   session stays listed as `exited` (404 if unknown, 409 if already exited).
//! - A session whose `ttl` runs out becomes `exited` as if stopped.
//! - **Memory is bounded.** Exited sessions are remembered (described,
//!   listed with `all=true`, 409 on a second stop) only within
//!   `exited_keep_max` sessions and `exited_keep_secs` seconds; beyond
//!   either, the oldest are forgotten (then 404, and their ids free again),
//!   so a long run of creates and stops keeps a flat memory
//!   (BENCHMARKS.md). Running sessions are bounded by the locations'
//!   capacities.
//! - **Where the spec is silent** (TESTING.md has the list): what the
//!   spec's schemas allow is accepted (`"ttl": ""` means no ttl; empty
//!   player lists and ids); a missing or empty `id` or `session` query
//!   parameter names no session (404), a missing `path` no artifact (404);
//!   a malformed query value (`all=null`, `playerCount[lt]=x`,
//!   `follow=maybe`) is a 403 `INVALID_QUERY_PARAMETER` with `violations`,
//!   because the spec documents no 400 or 422 for those endpoints.
//! - Sessions are visible to every token, not only the one that started them
//!   (a simplification; quotas still count per token).
//! - Labels are returned as given; the real service also adds its own
//!   bookkeeping labels, which the emulator does not invent.
//! - Also served: every other request of the repository's endpoint table,
//!   `api/ENDPOINTS.md`, with the token scope it names there (`routes.rs`
//!   has the paths). For sessions that run no process, the log is synthetic
//!   (returned whole, even with `follow=true`) and an artifact is a small
//!   generated `.tar.gz`.
//! - Every error is the spec's `ErrorResponse` with all required fields,
//!   including unknown routes (404 `ROUTE_NOT_FOUND`) and wrong methods (405,
//!   with the `Allow` header RFC 9110 requires).
//! - [`FaultRule`]s, checked before anything else, inject errors, latency,
//!   broken bodies, stalls and dropped connections (see below).
//!
//! # Fault injection
//!
//! A [`FaultRule`] says which requests it matches and what it does to them:
//!
//! ```json
//! {"method": "POST", "path": "/session", "image": "nginx", "times": 2,
//!  "action": {"kind": "status", "status": 503, "retry_after": 1}}
//! ```
//!
//! `method` (case-insensitive), `path` (exact, or a prefix ending in `*` such
//! as `"/session/*"`; no query string) and `image` (the `"image"` of a JSON
//! request body) each match anything when omitted. `times` limits how often
//! the rule fires; omitted, it fires forever. Rules are tried in order and
//! the first that matches and has `times` left fires, once per request, so a
//! burst is a rule with `times` followed by normal service (or by the next
//! rule). Faults apply before authentication and routing, so unknown routes
//! and bad tokens meet them too, but never to the control endpoints under
//! `/_emulator/`.
//!
//! Rules come from four places, all the same JSON:
//! - the config file's `faults` list ([`EmulatorConfig::faults`]);
//! - the binary's `--fault JSON`, repeatable, appended after the file's
//!   rules, e.g.
//!   `--fault '{"path":"/session","method":"POST","times":2,"action":{"kind":"status","status":503}}'`;
//! - in-process: [`Emulator::add_fault`], [`Emulator::clear_faults`], and
//!   [`Emulator::faults`] / [`Emulator::fault_hits`] to see what fired;
//! - the control endpoint `POST /_emulator/faults` (below).
//!
//! Every `action`, by `kind`, and what a client sees. "Handled" means the
//! request takes effect (a session is created, stopped, ...) before the
//! fault acts on the answer; "not handled" means nothing changes.
//!
//! | `action` | handled | the client sees |
//! | --- | --- | --- |
//! | `{"kind": "status", "status": 503}` | no | that status with a spec `ErrorResponse` (code by status: 500 `INTERNAL_SERVER_ERROR`, 502 `BAD_GATEWAY`, 503 `SERVICE_UNAVAILABLE`, 504 `GATEWAY_TIMEOUT`, 420 `NO_CAPACITY`, 429 `TOO_MANY_REQUESTS`, ...) |
//! | `{"kind": "status", "status": 420, "retry_after": 5}` | no | the same plus `Retry-After: 5` (seconds) |
//! | `{"kind": "latency", "ms": 300}` | yes | the normal answer, 300 ms late |
//! | `{"kind": "omit_id"}` | yes | a 201 without `"id"` |
//! | `{"kind": "html_body", "status": 502}` | no | an nginx-style `text/html` error page |
//! | `{"kind": "malformed_json", "status": 500}` | no | `application/json` that does not parse |
//! | `{"kind": "stall"}` | no | nothing, ever: the client's own timeout must fire (the emulator stopping answers 503 or closes) |
//! | `{"kind": "drop_connection"}` | no | the connection closed before any byte of a response: end of file where the status line should be (e.g. hyper's "connection closed before message completed") |
//! | `{"kind": "drop_connection", "reset": true}` | no | the same as a TCP reset ("connection reset by peer") |
//! | `{"kind": "lost_response"}` | yes | the same as `drop_connection` (`reset` works too), but the request took effect: a client that retries `POST /session` with its own `id` meets 409 `SESSION_ID_CONFLICT`, a retried `DELETE` meets 409 (already exited) |
//! | `{"kind": "truncated_body"}` | yes | status line and headers with the full `Content-Length`, then half the body, then end of file: a body error ("unexpected end of file"), not a parse error of a short body |
//! | `{"kind": "truncated_body", "status": 503, "bytes": 10}` | no | the same for a 503 `ErrorResponse`, cut after 10 bytes |
//! | `{"kind": "wrong_content_type"}` | yes | the normal answer, valid JSON, as `content-type: text/plain`; a client should either parse it anyway or name the content type in its error (`"content_type": "..."` picks another type) |
//! | `{"kind": "oversized_body", "status": 200, "bytes": 104857600}` | no | a valid `ErrorResponse`-shaped JSON body of exactly 100 MiB (its `details` padded) with that `Content-Length`, streamed: a client should refuse it at its body-size cap, ideally from the header alone |
//! | `{"kind": "slow_drip", "chunk_bytes": 1, "interval_ms": 100}` | yes | status and headers (full `Content-Length`) at once, then the body one byte per 100 ms; a whole-request timeout fires mid-body. `bytes_per_second` may replace `interval_ms`; defaults 1 byte every 100 ms; with `"status"` it is not handled and an `ErrorResponse` drips |
//!
//! Only one rule fires per request. Statuses must be 100..=999; `truncated_body`,
//! `slow_drip` and `oversized_body` refuse statuses that carry no body (1xx,
//! 204, 304). A `truncated_body` or `slow_drip` of a response without a body
//! (a 204) sends it unchanged; of a streamed body of unknown length (a followed log) it sends
//! `bytes` (default 0) and stops without ending the chunked encoding.
//! Dropping a connection also drops any other request the client pipelined
//! on it. A slow or oversized body still being sent when the emulator stops
//! is cut off rather than waited for.
//!
//! # Control endpoints
//!
//! With [`EmulatorConfig::control`] (`"control": true` in a config file, or
//! the binary's `--control`), the emulator also serves, without a token and
//! only to clients on a loopback address (the binary binds loopback unless
//! told otherwise):
//!
//! - `POST /_emulator/faults` with a rule (or a list of rules) as above:
//!   appended; 201 with the list as `GET` gives it; 422 `VALIDATION_FAILED`
//!   for a rule that does not parse or validate (then none is added);
//! - `GET /_emulator/faults`: `{"faults": [{...rule..., "hits": N}],
//!   "total_hits": N}`, each rule with the `times` it has left;
//! - `DELETE /_emulator/faults`: removes every rule; 204;
//! - `GET /_emulator/sessions/count`: `{"count": N}`, every session the
//!   emulator holds whatever its status (as [`Emulator::session_count`]); one
//!   lock and a map length, cheap enough to poll under load;
//! - `GET /_emulator/tls`: `{"tls": true, "handshakes": N, "resumed": N,
//!   "failed": N}` (as [`Emulator::tls_stats`]; `"tls": false` and zeros
//!   over plain http).
//!
//! Without `control`, these paths are unknown routes (404 `ROUTE_NOT_FOUND`).
//!
//! # Sessions that run a process
//!
//! An image with a [`ImageConfig::command`] runs that program for real, one
//! process per session (Unix only, tested on Linux):
//!
//! - **Ports.** The host ports reported are free on 127.0.0.1 for their
//!   protocol when the session starts (checked by binding and releasing them;
//!   another program could still take one before the process binds it), and
//!   never handed to two sessions at once. The process binds them itself:
//!   there is no container and no port mapping.
//! - **Command line and environment.** The argv is the image's `command` with
//!   the session's `args` appended. The environment is the emulator's own,
//!   then the image's `env`, then the session's `env`, then what Gameye sets
//!   (which wins): `GAMEYE_SESSION_ID`, `GAMEYE_HOST` (the configured host)
//!   and, per port, `GAMEYE_PORT_{TCP|UDP}_{container port}` = host port
//!   (e.g. `GAMEYE_PORT_UDP_7777=20412`). Stdin is empty.
//! - **Working directory.** Each session gets a fresh directory under
//!   `sessions_dir` ([`Emulator::session_dir`]), kept across restarts. It
//!   plays the container's `/` for artifacts.
//! - **Logs.** Stdout and stderr together, line by line, are the session's
//!   log; the last `log_limit_bytes` (1 MiB by default) are kept, older lines
//!   are dropped. `GET /logs?id=X` returns what is kept;
//!   `GET /logs?id=X&follow=true` streams it (chunked `text/plain`), then
//!   each line as it is written, and ends when the session has ended for good
//!   (or the emulator stops). The emulator adds lines of its own, prefixed
//!   `[gameye-emulator]`, only when the program cannot be started, when it
//!   exits with a failure, and before a restart.
//! - **Status.** `running` while the process runs; `restarting` between a
//!   failed exit and its restart; `exited` once stopped, after its ttl ran
//!   out, or when it ends on its own without a restart (also with success).
//!   An exited session no longer holds its location's capacity or its ports,
//!   and is listed only with `all=true`.
//! - **Stop.** `DELETE /session/{id}` sends SIGTERM, then SIGKILL after
//!   `stop_grace_ms`, and answers 204 once the process has been reaped, so
//!   its logs and artifacts are final by then. Signals go to the process's
//!   own process group, and when the main process ends anything it left in
//!   that group is killed, as when a container stops.
//! - **Restart.** With `restart: true`, a process that exits with a non-zero
//!   code or is killed by a signal is started again (after 100 ms, doubling
//!   on each quick failure up to 5 s; a run of 10 s or more resets the
//!   delay). Never after a stop, a ttl or a successful exit. A program that
//!   cannot be started at all (not found, not executable) ends the session
//!   with a log line saying why, without restarts.
//! - **Ttl.** When the session's `ttl` runs out the process is stopped as by
//!   `DELETE` (SIGTERM, then SIGKILL), even if nobody sends a request.
//!   `ttl_unit_ms` (for tests only) shortens the minute.
//! - **Artifacts.** Only once the process has ended for good (before that,
//!   404 `ARTIFACT_NOT_AVAILABLE`, as the spec says artifacts are available
//!   after termination). `GET /artifacts?session=X&path=/logs/crash.log`
//!   returns a real `.tar.gz` (`content-type: application/x-tar`, as the spec
//!   names it) of that file or folder under its own name; `path=/` holds the
//!   whole working directory. A path that leaves the directory (`..` past
//!   `/`, a symlink pointing outside) holds nothing of the session's, and
//!   like a missing one is a 404 `ARTIFACT_NOT_FOUND` (the spec documents no
//!   422 here). Symlinks are archived as links. The archive is
//!   built in a temporary file and streamed.
//! - **Shutdown.** When the emulator stops (dropping [`Emulator`], the end of
//!   [`serve`], SIGINT/SIGTERM to the binary) every process gets SIGTERM, then
//!   SIGKILL after the grace period, and is reaped; then the working
//!   directories are removed unless `keep_sessions_dir` is set. On Linux each
//!   process also gets `PR_SET_PDEATHSIG`, so even an emulator killed with
//!   SIGKILL leaves no orphan behind.
//! - **On Windows** a job object stands in for the process group: the
//!   process starts suspended, joins a job of its own, then runs, so all it
//!   starts is in the job. SIGTERM becomes `CTRL_BREAK_EVENT` to its console
//!   process group (it starts with `CREATE_NEW_PROCESS_GROUP`); when the
//!   emulator has no console to send it through, the log says so and the
//!   stop goes straight on. SIGKILL becomes `TerminateJobObject`, and the job
//!   is "kill on close", so an emulator that dies takes its sessions' process
//!   trees with it (the `PR_SET_PDEATHSIG` of Windows).
//!
//! # https
//!
//! With [`EmulatorConfig::tls`] (a [`TlsConfig`]: certificate chain and key
//! in PEM) the emulator serves https, and only https, on the same port;
//! [`Emulator::base_url`] and the binary's listening line say `https://`.
//! The binary takes `--tls-cert FILE --tls-key FILE`, or `--tls-test-ca DIR`,
//! which makes a new test CA and a server certificate for `127.0.0.1`, `::1`
//! and `localhost` signed by it, and writes `DIR/ca.pem` (the certificate a
//! client should trust: the SDK's `ca_bundle_path`), `DIR/cert.pem` and
//! `DIR/key.pem`, all before the port file. In Rust, [`tls::TestCa`] makes
//! the same in-process.
//!
//! - TLS 1.3 through rustls with ring (as the SDK), ALPN `http/1.1`.
//! - The handshake runs on the connection's own task, never on the accept
//!   loop, and must finish within [`TlsConfig::handshake_timeout`] (10 s by
//!   default): a client that connects and sends nothing delays no one.
//! - Session resumption is on (TLS 1.3 tickets and a session cache).
//!   [`Emulator::tls_stats`] and `GET /_emulator/tls` count handshakes,
//!   resumed ones and failed ones, so a test can check that a client
//!   resumed its session on a new connection.
//! - Every fault works the same over https; those that close or reset a
//!   connection send no TLS record either (not even an alert).
//! - With [`EmulatorConfig::idle_timeout_ms`] (`--idle-timeout-ms`), a
//!   connection that moved no byte either way for that long is closed, over
//!   http and https alike, as a load balancer closes idle connections: a
//!   client must open a new one (and, over https, may resume its session).
//!
//! # Request log
//!
//! Nothing is logged per request by default: the emulator is meant to be
//! benchmarked against, and logging would dominate the cost of a request.
//! With `log_requests` (the binary's `--log-requests FILE`) each request
//! appends one JSON line to the file, written once its body has been read
//! and before fault rules apply (control endpoints are not logged):
//!
//! ```json
//! {"time":"2026-12-01T02:50:00.123Z","method":"POST","path":"/session","query":"",
//!  "headers":{"authorization":"Bearer [REDACTED]","content-type":"application/json"},
//!  "body":"{\"location\":\"europe\",\"image\":\"nginx\"}"}
//! ```
//!
//! `path` and `query` are as sent (percent-escapes kept); header names are
//! lower case, repeated headers joined with `, `; the credential of
//! `Authorization` and `Proxy-Authorization` is replaced by `[REDACTED]`
//! (the scheme stays); `body` is the body as text (invalid UTF-8 replaced),
//! or `null` when empty.
//!
//! When no `log_requests` is configured, the environment variable
//! `GAMEYE_EMULATOR_LOG_REQUESTS` ([`LOG_REQUESTS_ENV`]) names the file
//! instead, for every emulator of the process (in-process ones and the
//! binary alike). Lines are appended with one write each, so many emulators
//! can share a file; the test command uses this to check every request the
//! SDK sends, in every layer's tests, against the spec
//! (`tests/contract/validate_requests.py`).

#![warn(missing_docs)]

mod archive;
mod artifacts;
mod config;
mod conn;
mod control;
mod errors;
mod faults;
mod inject;
mod locations;
mod logs;
mod players;
mod process;
mod reqlog;
mod request;
mod routes;
mod sessions;
mod state;
mod supervisor;
pub mod tls;
mod validate;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::{oneshot, watch};

pub use config::{
    EmulatorConfig, ImageConfig, LocationConfig, PortConfig, TokenConfig, ALL_SCOPES,
    DEFAULT_EXITED_KEEP_MAX, DEFAULT_EXITED_KEEP_SECS, DEFAULT_LOG_LIMIT_BYTES,
    DEFAULT_STOP_GRACE_MS, DEFAULT_TOKEN,
};
pub use faults::{FaultAction, FaultRule, FaultState};
pub use reqlog::LOG_REQUESTS_ENV;
pub use tls::{TlsConfig, TlsStats};

use conn::{Conn, ConnListener};
use request::App;
use state::Shared;

/// How long a graceful stop waits for requests still in flight before the
/// server is dropped anyway; a client that never reads must not block a stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// One session as [`Emulator::sessions`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSnapshot {
    /// The session id.
    pub id: String,
    /// `running`, `restarting` or `exited`.
    pub status: String,
    /// The location id.
    pub location: String,
    /// The image name.
    pub image: String,
    /// The image tag it runs.
    pub tag: String,
    /// Its labels as given.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The players in it, in the order they joined.
    pub players: Vec<String>,
}

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
        let shared = Arc::new(Shared::new(config)?);
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

    /// The base URL to give a client, such as `http://127.0.0.1:41234`, or
    /// `https://127.0.0.1:41234` with [`EmulatorConfig::tls`].
    pub fn base_url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// TLS handshakes since the emulator started: completed, resumed and
    /// failed; `None` when it serves plain http.
    pub fn tls_stats(&self) -> Option<TlsStats> {
        self.shared.tls.as_ref().map(|t| t.stats())
    }

    /// How many sessions the emulator holds, whatever their status.
    pub fn session_count(&self) -> usize {
        self.shared.lock_raw().sessions.len()
    }

    /// Every session the emulator holds (exited ones included, until they
    /// are forgotten: [`EmulatorConfig::exited_keep_max`]), oldest first.
    /// For tests that compare what a client saw with what the emulator did;
    /// it bypasses fault rules.
    pub fn sessions(&self) -> Vec<SessionSnapshot> {
        let state = self.shared.lock();
        let mut all: Vec<_> = state.sessions.values().collect();
        all.sort_unstable_by_key(|s| s.seq);
        all.into_iter()
            .map(|s| SessionSnapshot {
                id: s.id.clone(),
                status: s.status.as_str().to_string(),
                location: self.shared.config.locations[s.location].id.clone(),
                image: s.image.clone(),
                tag: s.tag.clone(),
                labels: s.labels.clone(),
                players: s.players.clone(),
            })
            .collect()
    }

    /// The directory holding the working directories of sessions that run a
    /// process (see [`ImageConfig::command`]); `None` when no image has a
    /// command. It is removed on shutdown unless
    /// [`EmulatorConfig::keep_sessions_dir`] is set.
    pub fn sessions_dir(&self) -> Option<PathBuf> {
        self.shared
            .sessions_root
            .as_ref()
            .map(|r| r.path().to_path_buf())
    }

    /// The working directory of the session `id`, if it runs (or ran) a
    /// process: its current directory, and `/` of its artifacts.
    pub fn session_dir(&self, id: &str) -> Option<PathBuf> {
        let state = self.shared.lock_raw();
        let proc = state.sessions.get(id)?.proc.as_ref()?;
        Some(proc.workdir.clone())
    }

    /// Appends a fault rule; it applies to the next request that matches.
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.faults.add(rule);
    }

    /// Removes every fault rule, including those from the config.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Every fault rule in order, with its `times` left and how many times
    /// it has fired.
    pub fn faults(&self) -> Vec<FaultState> {
        self.shared.faults.list()
    }

    /// How many times any fault rule has fired since the emulator started
    /// (rules removed by [`Emulator::clear_faults`] included).
    pub fn fault_hits(&self) -> u64 {
        self.shared.faults.total_hits()
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
    let shared = Arc::new(Shared::new(config)?);
    serve_shared(listener, shared, shutdown).await;
    Ok(())
}

/// Stops every session process if [`serve_shared`] is dropped before it
/// finished (a graceful stop has stopped them already, and this is a no-op).
struct CloseOnDrop(Arc<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        supervisor::close(&self.0);
    }
}

async fn serve_shared(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let _close = CloseOnDrop(Arc::clone(&shared));
    let (stopping_tx, stopping_rx) = watch::channel(false);
    let app = Arc::new(App {
        shared: Arc::clone(&shared),
        shutdown: stopping_rx.clone(),
    });
    // Gives each request a handle on its connection, which the faults that
    // drop connections need; it also sets TCP_NODELAY.
    let idle = shared.config.idle_timeout_ms.map(Duration::from_millis);
    let listener = ConnListener::new(listener, shared.tls.clone(), idle);
    let service = routes::router(app).into_make_service_with_connect_info::<Conn>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
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
    // No more requests: stop the session processes and reap them.
    supervisor::shutdown(&shared).await;
}
