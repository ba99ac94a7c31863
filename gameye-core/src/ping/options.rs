//! How a ping runs: [`PingOptions`] and its JSON form.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result, Violation};

/// Default number of echo requests per IP.
pub const DEFAULT_PING_PROBES: u32 = 5;
/// Default time between two rounds of probes.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_millis(200);
/// Default overall bound of one [`ping_locations`](crate::ping_locations) call.
pub const DEFAULT_PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Most probes per IP a call may ask for.
const MAX_PROBES: u32 = 100;
/// Longest overall bound a call may ask for.
const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// How [`ping_locations`](crate::ping_locations) pings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PingOptions {
    /// Echo requests per IP (1..=100).
    pub probes: u32,
    /// Time between two rounds of probes (at least 1 ms). A round is only
    /// sent while at least one interval is left before the bound, so fewer
    /// than `probes` may go out when `probes * interval` exceeds `timeout`.
    pub interval: Duration,
    /// Overall bound of the call (1 ms..=60 s): probes unanswered by then count as lost.
    pub timeout: Duration,
}

impl Default for PingOptions {
    fn default() -> Self {
        PingOptions {
            probes: DEFAULT_PING_PROBES,
            interval: DEFAULT_PING_INTERVAL,
            timeout: DEFAULT_PING_TIMEOUT,
        }
    }
}

/// The JSON form of [`PingOptions`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PingOptionsJson {
    probes: Option<u32>,
    interval_ms: Option<u64>,
    timeout_ms: Option<u64>,
}

impl PingOptions {
    /// Parses `{"probes": 5, "interval_ms": 200, "timeout_ms": 2000}`; every
    /// field is optional, unknown fields are errors.
    pub fn from_json(json: &str) -> Result<Self> {
        let o: PingOptionsJson = serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(vec![Violation::new(
                "(options)",
                format!("not valid ping options: {e}"),
            )])
        })?;
        let d = PingOptions::default();
        let opts = PingOptions {
            probes: o.probes.unwrap_or(d.probes),
            interval: o.interval_ms.map_or(d.interval, Duration::from_millis),
            timeout: o.timeout_ms.map_or(d.timeout, Duration::from_millis),
        };
        opts.validate()?;
        Ok(opts)
    }

    /// Checks the bounds each field documents.
    pub fn validate(&self) -> Result<()> {
        let mut v = Vec::new();
        if !(1..=MAX_PROBES).contains(&self.probes) {
            v.push(Violation::new(
                "probes",
                format!("must be 1..={MAX_PROBES}, got {}", self.probes),
            ));
        }
        if self.interval < Duration::from_millis(1) {
            v.push(Violation::new("interval", "must be at least 1 ms"));
        }
        if self.timeout < Duration::from_millis(1) || self.timeout > MAX_TIMEOUT {
            v.push(Violation::new(
                "timeout",
                format!("must be 1 ms..=60 s, got {:?}", self.timeout),
            ));
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_request(v))
        }
    }
}
