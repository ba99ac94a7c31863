//! The retry policy: which outcomes are retried, how long to wait between
//! attempts (exponential backoff with full jitter, or the server's
//! `Retry-After`), and the overall deadline of one call.
//!
//! Retried: 420 (no capacity / too many sessions), 5xx, and failures before
//! any response arrived (connect errors, timeouts, dropped connections).
//! Never retried: other 4xx, client-side errors, and failures after a
//! response started (the server acted on the request).
//! Every endpoint is safe to repeat, because after an ambiguous attempt
//! (sent, answer lost or cut, or a 5xx) the replay's answer is read for what
//! it says: creates carry a fixed id (409 for that id: the session is
//! described and returned), a stop meeting 409 or 404 stopped it, a join
//! meeting 409 joined (the count is read back), a leave meeting 404 left,
//! and reads are reads. A call whose replay could not be read this way must
//! not be retried after an ambiguous attempt; there is none today.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// Default number of attempts per call (the first try plus three retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// Default upper bound of the first backoff.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// Default cap on one backoff.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Default overall deadline of one call, retries included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// How a client retries. `max_attempts: 1` turns retries off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (at least 1).
    pub max_attempts: u32,
    /// Upper bound of the first backoff; it doubles per retry (full jitter:
    /// the actual wait is uniform between zero and the bound).
    pub initial_backoff: Duration,
    /// Cap on the bound of one backoff.
    pub max_backoff: Duration,
    /// Overall time for one call, all attempts and waits included. A
    /// `Retry-After` that would pass it ends the call with the last error.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (the deadline still applies).
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): full
    /// jitter over an exponentially growing bound, or the server's hint.
    pub(crate) fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(hint) = retry_after {
            return hint;
        }
        let bound = self
            .initial_backoff
            .saturating_mul(1u32 << (retry.saturating_sub(1)).min(20))
            .min(self.max_backoff);
        bound.mul_f64(fastrand::f64())
    }
}

/// The JSON form: `{"max_attempts": 4, "initial_backoff_ms": 250,
/// "max_backoff_ms": 8000, "deadline_ms": 60000}`, every field optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetryJson {
    max_attempts: Option<u32>,
    initial_backoff_ms: Option<u64>,
    max_backoff_ms: Option<u64>,
    deadline_ms: Option<u64>,
}

impl RetryJson {
    pub(crate) fn apply(self, mut p: RetryPolicy) -> RetryPolicy {
        if let Some(n) = self.max_attempts {
            p.max_attempts = n;
        }
        if let Some(ms) = self.initial_backoff_ms {
            p.initial_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = self.max_backoff_ms {
            p.max_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = self.deadline_ms {
            p.deadline = Duration::from_millis(ms);
        }
        p
    }
}

/// Whether an HTTP status is worth another attempt.
pub(crate) fn retryable_status(status: u16) -> bool {
    status == 420 || (500..=599).contains(&status)
}

/// Whether a failure before any response is worth another attempt.
pub(crate) fn retryable_error(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Transport
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_and_capped() {
        let p = RetryPolicy::default();
        for retry in 1..30 {
            let bound =
                (DEFAULT_INITIAL_BACKOFF * 2u32.pow((retry - 1).min(20))).min(DEFAULT_MAX_BACKOFF);
            for _ in 0..50 {
                assert!(p.backoff(retry, None) <= bound);
            }
        }
        let waits: std::collections::HashSet<_> = (0..20).map(|_| p.backoff(3, None)).collect();
        assert!(waits.len() > 10, "jittered");
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn what_is_retried() {
        for s in [420, 500, 502, 503, 599] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [200, 400, 401, 402, 403, 404, 409, 422, 429] {
            assert!(!retryable_status(s), "{s}");
        }
        assert!(retryable_error(&Error::new(ErrorKind::Connect, "x")));
        assert!(!retryable_error(&Error::new(ErrorKind::Tls, "x")));
        assert!(!retryable_error(&Error::new(ErrorKind::Decode, "x")));
    }
}
