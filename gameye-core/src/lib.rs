//! # gameye-core
//!
//! The Rust core of the Gameye Session API SDK: the API's request, response
//! and error types, their validation, and the HTTP client (hyper on rustls).
//! It knows nothing of C or Python; `gameye-ffi` and the Python binding wrap it.
//!
//! ```no_run
//! use gameye_core::{Client, ClientConfig, SessionRun};
//!
//! let client = Client::new(ClientConfig::new("my-token"))?;
//! let session = client.create_session(SessionRun::new("europe", "nginx"))?;
//! println!("{} at {}:{:?}", session.id, session.host, session.ports);
//! # Ok::<(), gameye_core::Error>(())
//! ```

mod artifacts;
mod call;
mod client;
mod config;
mod diagnostics;
mod eager;
mod error;
mod error_kinds;
mod fast_path;
mod fork;
mod http;
mod locations;
mod log_follower;
mod ping;
mod placement;
mod players;
mod proxy_env;
mod request;
mod response;
mod retry;
mod run;
mod session_logs;
mod sessions;
mod stream;
mod validate;
mod workers;

pub use client::Client;
pub use config::{
    ApiToken, ClientConfig, Environment, IntoValidClientConfig, ValidClientConfig,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT, PRODUCTION_URL,
    SANDBOX_URL, USER_AGENT,
};
pub use diagnostics::{set_logger, LogLevel, LogSink};
pub use error::{ApiErrorBody, Error, ErrorKind, Result, Violation, BODY_EXCERPT_LIMIT};
pub use error_kinds::{KindInfo, ERROR_KINDS};
pub use locations::Location;
pub use log_follower::{BackgroundRead, LogFollower, NextLine, PendingRead, ReadStart};
pub use ping::{
    locations_from_json, ping_locations, ping_locations_async, ping_locations_until, IpPing,
    LocationPing, PingOptions, PingReport, PingStats, DEFAULT_PING_INTERVAL, DEFAULT_PING_PROBES,
    DEFAULT_PING_TIMEOUT,
};
pub use placement::{
    choose_location, Exclusion, ExclusionReason, LocationLatency, PlacedSession, Placement,
    PlacementAttempt, PlacementPolicy, PlayerLatencies, RankedLocation,
};
pub use players::PlayerCount;
pub use request::{parse_ttl, IntoValidSessionRun, SessionRun, ValidSessionRun};
pub use response::{Port, Protocol, Response, Session};
pub use retry::{
    RetryPolicy, DEFAULT_DEADLINE, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF,
};
pub use run::EagerTask;
pub use session_logs::{LogStream, MAX_LOG_LINE_BYTES};
pub use sessions::{
    ports_from_map, ListFilter, Players, SessionDetails, SessionStatus, SessionSummary,
    StopOptions, StopOutcome,
};
pub use stream::ByteStream;
pub use workers::on_runtime_worker;

/// Entry points for the fuzz targets and property tests (not a stable API).
#[doc(hidden)]
pub mod __fuzz {
    use crate::response::decode_json;

    /// Runs every endpoint's response decoder, and the error decoder, over
    /// one body; none may panic whatever the bytes.
    pub fn decode_every_endpoint(status: u16, body: &[u8]) {
        let _ = crate::Session::decode_created(status, body, "sent-id");
        if let Ok(list) = decode_json::<crate::sessions::SessionListOk>(status, body) {
            list.sessions.iter().for_each(|s| drop(s.ports()));
        }
        let _ = decode_json::<crate::SessionDetails>(status, body).map(|d| d.ports());
        let _ = decode_json::<crate::PlayerCount>(status, body);
        let _ = decode_json::<crate::locations::AvailableLocationsOk>(status, body);
        let _ = decode_json::<crate::locations::TagOk>(status, body);
        let e = crate::Error::from_response(status, body);
        let _ = (e.to_string(), format!("{e:?}"));
        let _ = crate::session_logs::split_lines_for_fuzzing(body);
    }
}
