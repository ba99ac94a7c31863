//! Fault injection: make the emulator misbehave the way real servers and
//! proxies do, so clients can be tested against it.
//!
//! Rules are checked before any other handling, in order; the first rule that
//! matches and still has `times` left fires. A rule that filters on `image`
//! needs the request body, which the server has already read by then, so the
//! body is read once per request whatever the rules are. Requests under
//! `/_emulator/` (the control endpoints) never meet a rule.
//!
//! The request side (answer early, wait, drop) is in `routes`; the response
//! side (cut, drip, oversize, retype) in `inject`; closing a connection
//! without a byte of response in `conn`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// When and how to misbehave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method to match, such as `"POST"` (case-insensitive); `None` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match: exact (`"/session"`) or a prefix ending in `*`
    /// (`"/session/*"`). The query string is not part of it. `None` matches any.
    #[serde(default)]
    pub path: Option<String>,
    /// Only match a request whose JSON body has this `"image"`; meant for
    /// `POST /session`, so a test can break one image while others work.
    #[serde(default)]
    pub image: Option<String>,
    /// Fire this many times, then stop matching; `None` fires forever.
    #[serde(default)]
    pub times: Option<u32>,
    /// What to do when the rule fires.
    pub action: FaultAction,
}

/// What a firing rule does to the request.
///
/// In JSON, the variant is the `"kind"` tag in snake case, with the fields
/// beside it: `{"kind": "status", "status": 503, "retry_after": 2}`. The crate
/// docs list every kind with its JSON and what a client sees.
///
/// Kinds that "handle normally" run the request as if no rule had fired (a
/// session is created, stopped, ...) and only then misbehave; the others
/// answer (or fail) without handling, so nothing changes on the emulator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer with `status` and a spec-shaped `ErrorResponse` body, without
    /// handling the request (nothing is created or stopped). With
    /// `retry_after`, a `Retry-After: <seconds>` header is added.
    Status {
        /// The HTTP status to answer with.
        status: u16,
        /// Seconds for the `Retry-After` header, if any.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Sleep this long, then handle the request normally.
    Latency {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// Handle normally, then drop `"id"` from a 201 body; real servers have
    /// answered `{"host":..,"ports":[]}` and clients must cope.
    OmitId,
    /// Answer with an HTML page (`text/html`), like a proxy's error page.
    HtmlBody {
        /// The HTTP status to answer with.
        status: u16,
    },
    /// Answer with `application/json` whose body is not valid JSON.
    MalformedJson {
        /// The HTTP status to answer with.
        status: u16,
    },
    /// Never answer: the request hangs until the client gives up (or the
    /// emulator shuts down), to test client timeouts.
    Stall,
    /// Close the connection without sending a byte of a response, before
    /// handling the request (nothing is created or stopped). The client sees
    /// the connection closed (or reset) where a status line should be.
    DropConnection {
        /// Reset the connection (TCP RST, "connection reset by peer") instead
        /// of closing it cleanly (FIN, an early end of file).
        #[serde(default)]
        reset: bool,
    },
    /// Handle the request normally (the session *is* created, stopped, ...),
    /// then close the connection without sending the response: the client
    /// cannot tell whether its request took effect. A client that retries a
    /// `POST /session` with the same `id` then meets 409 for its own session.
    LostResponse {
        /// Reset the connection instead of closing it cleanly, as for
        /// [`FaultAction::DropConnection`].
        #[serde(default)]
        reset: bool,
    },
    /// Send the status line and headers, including the full
    /// `Content-Length`, then only part of the body, then close the
    /// connection.
    ///
    /// Without `status` the request is handled normally and its own response
    /// is cut short; with `status` it is not handled, and a spec-shaped
    /// `ErrorResponse` with that status is cut short instead.
    TruncatedBody {
        /// Answer with this status and an `ErrorResponse` instead of handling.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// How many bytes of the body are sent before the connection closes
        /// (at most the body's length minus one); default half the body,
        /// rounded down. A body of unknown length (a followed log) sends
        /// this many bytes (default none) and then stops without ending the
        /// chunked encoding.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bytes: Option<u64>,
    },
    /// Handle normally, but send the body with another `Content-Type`
    /// (default `text/plain`); the body itself stays valid JSON. A response
    /// without a content type (a 204) is sent unchanged.
    WrongContentType {
        /// The content type to send instead; default `text/plain`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_type: Option<String>,
    },
    /// Answer, without handling, with a valid spec-shaped `ErrorResponse`
    /// JSON body of exactly `bytes` bytes (its `details` padded out), with a
    /// matching `Content-Length`. The body is streamed, never held whole, so
    /// gigabytes cost the emulator nothing; it tests a client's body-size
    /// cap. A `bytes` smaller than the bare error body (about 300 bytes)
    /// sends the bare body.
    OversizedBody {
        /// The HTTP status to answer with.
        status: u16,
        /// The body's size in bytes.
        bytes: u64,
    },
    /// Send the status line and headers (with the full `Content-Length`) at
    /// once, then the body a few bytes at a time: `chunk_bytes` bytes
    /// (default one) after each pause of `interval_ms` (default 100), or at
    /// `bytes_per_second` instead of `interval_ms`. A whole-request timeout
    /// then fires in the middle of the body.
    ///
    /// Without `status` the request is handled normally and its own response
    /// drips; with `status` it is not handled, and a spec-shaped
    /// `ErrorResponse` with that status drips instead. A response without a
    /// body (a 204) is sent unchanged.
    SlowDrip {
        /// Answer with this status and an `ErrorResponse` instead of handling.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Bytes sent per chunk; default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chunk_bytes: Option<u32>,
        /// Pause before each chunk in milliseconds; default 100. Not together
        /// with `bytes_per_second`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval_ms: Option<u64>,
        /// The average rate instead of `interval_ms`: the pause becomes
        /// `chunk_bytes * 1000 / bytes_per_second` milliseconds (at least 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bytes_per_second: Option<u64>,
    },
}

/// Default pause between two chunks of [`FaultAction::SlowDrip`].
const DEFAULT_DRIP_INTERVAL_MS: u64 = 100;

impl FaultAction {
    /// The pause and chunk size of a [`FaultAction::SlowDrip`], with the
    /// defaults applied and nonsense (zeros) made harmless.
    pub(crate) fn drip_pace(
        chunk_bytes: Option<u32>,
        interval_ms: Option<u64>,
        bytes_per_second: Option<u64>,
    ) -> (usize, std::time::Duration) {
        let chunk = chunk_bytes.unwrap_or(1).max(1);
        let ms = match (interval_ms, bytes_per_second) {
            (Some(ms), _) => ms,
            (None, Some(bps)) => u64::from(chunk).saturating_mul(1000) / bps.max(1),
            (None, None) => DEFAULT_DRIP_INTERVAL_MS,
        };
        (chunk as usize, std::time::Duration::from_millis(ms.max(1)))
    }
}

impl FaultRule {
    /// A rule that always fires `action` on every request.
    pub fn always(action: FaultAction) -> Self {
        FaultRule {
            method: None,
            path: None,
            image: None,
            times: None,
            action,
        }
    }

    /// Checks what serde cannot: statuses are HTTP statuses, a content type
    /// is a valid header value, a drip's pace makes sense.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let status = match &self.action {
            FaultAction::Status { status, .. }
            | FaultAction::HtmlBody { status }
            | FaultAction::MalformedJson { status }
            | FaultAction::OversizedBody { status, .. } => Some(*status),
            FaultAction::TruncatedBody { status, .. } | FaultAction::SlowDrip { status, .. } => {
                *status
            }
            _ => None,
        };
        if let Some(s) = status {
            if !(100..=999).contains(&s) {
                return Err(format!("status {s} is not an HTTP status"));
            }
        }
        match &self.action {
            FaultAction::TruncatedBody {
                status: Some(s), ..
            }
            | FaultAction::SlowDrip {
                status: Some(s), ..
            }
            | FaultAction::OversizedBody { status: s, .. }
                if matches!(s, 100..=199 | 204 | 304) =>
            {
                Err(format!("status {s} cannot carry a body"))
            }
            FaultAction::WrongContentType {
                content_type: Some(ct),
            } if ct.is_empty() || axum::http::HeaderValue::from_str(ct).is_err() => {
                Err(format!("content_type {ct:?} is not a valid header value"))
            }
            FaultAction::SlowDrip {
                chunk_bytes,
                interval_ms,
                bytes_per_second,
                ..
            } => {
                if *chunk_bytes == Some(0) {
                    return Err("chunk_bytes must be at least 1".to_string());
                }
                if *interval_ms == Some(0) {
                    return Err("interval_ms must be at least 1".to_string());
                }
                if *bytes_per_second == Some(0) {
                    return Err("bytes_per_second must be at least 1".to_string());
                }
                if interval_ms.is_some() && bytes_per_second.is_some() {
                    return Err("give interval_ms or bytes_per_second, not both".to_string());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, method: &str, path: &str, body_image: &mut BodyImage<'_>) -> bool {
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        if let Some(p) = &self.path {
            let ok = match p.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => p == path,
            };
            if !ok {
                return false;
            }
        }
        if let Some(img) = &self.image {
            if body_image.get() != Some(img.as_str()) {
                return false;
            }
        }
        true
    }
}

/// The body's `"image"`, parsed only when a rule asks for it, and at most once.
struct BodyImage<'a> {
    body: &'a [u8],
    parsed: Option<Option<String>>,
}

impl BodyImage<'_> {
    fn get(&mut self) -> Option<&str> {
        let body = self.body;
        self.parsed
            .get_or_insert_with(|| {
                serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|v| v.get("image")?.as_str().map(str::to_string))
            })
            .as_deref()
    }
}

/// A rule as it stands now, as [`crate::Emulator::faults`] reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FaultState {
    /// The rule, with `times` counting down as it fires (`Some(0)` once it
    /// is used up; it then no longer matches).
    #[serde(flatten)]
    pub rule: FaultRule,
    /// How many times the rule has fired.
    pub hits: u64,
}

/// The live rule list shared by all requests.
///
/// `any` lets the hot path skip the lock entirely when no rules exist, which is
/// the normal case under load.
#[derive(Default)]
pub(crate) struct Faults {
    any: AtomicBool,
    /// Rules fired since the emulator started, across [`Faults::clear`].
    total_hits: AtomicU64,
    rules: Mutex<Vec<FaultState>>,
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Self {
        Faults {
            any: AtomicBool::new(!rules.is_empty()),
            total_hits: AtomicU64::new(0),
            rules: Mutex::new(
                rules
                    .into_iter()
                    .map(|rule| FaultState { rule, hits: 0 })
                    .collect(),
            ),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultState>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        let mut rules = self.lock();
        rules.push(FaultState { rule, hits: 0 });
        self.any.store(true, Ordering::Release);
    }

    pub(crate) fn clear(&self) {
        let mut rules = self.lock();
        rules.clear();
        self.any.store(false, Ordering::Release);
    }

    /// Every rule in order, with its hits.
    pub(crate) fn list(&self) -> Vec<FaultState> {
        self.lock().clone()
    }

    /// How many times any rule has fired since the emulator started.
    pub(crate) fn total_hits(&self) -> u64 {
        self.total_hits.load(Ordering::Relaxed)
    }

    /// Finds the rule that fires for this request, uses up one of its `times`,
    /// and returns its action.
    pub(crate) fn fire(&self, method: &str, path: &str, body: &[u8]) -> Option<FaultAction> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = self.lock();
        let mut body_image = BodyImage { body, parsed: None };
        let idx = rules.iter().position(|r| {
            r.rule.times != Some(0) && r.rule.matches(method, path, &mut body_image)
        })?;
        let state = &mut rules[idx];
        if let Some(t) = &mut state.rule.times {
            *t -= 1;
        }
        state.hits += 1;
        self.total_hits.fetch_add(1, Ordering::Relaxed);
        Some(state.rule.action.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(method: Option<&str>, path: Option<&str>, image: Option<&str>) -> FaultRule {
        FaultRule {
            method: method.map(str::to_string),
            path: path.map(str::to_string),
            image: image.map(str::to_string),
            times: None,
            action: FaultAction::Stall,
        }
    }

    #[test]
    fn matching() {
        let b = br#"{"image":"nginx"}"#;
        let mut bi = BodyImage {
            body: b,
            parsed: None,
        };
        assert!(rule(None, None, None).matches("GET", "/x", &mut bi));
        assert!(rule(Some("post"), Some("/session"), None).matches("POST", "/session", &mut bi));
        assert!(!rule(Some("GET"), None, None).matches("POST", "/session", &mut bi));
        assert!(rule(None, Some("/session/*"), None).matches("GET", "/session/abc", &mut bi));
        assert!(!rule(None, Some("/session/*"), None).matches("GET", "/session", &mut bi));
        assert!(!rule(None, Some("/session"), None).matches("GET", "/session/abc", &mut bi));
        assert!(rule(None, None, Some("nginx")).matches("POST", "/session", &mut bi));
        assert!(!rule(None, None, Some("my-game")).matches("POST", "/session", &mut bi));
    }

    #[test]
    fn times_run_out_and_order_holds() {
        let mut first = FaultRule::always(FaultAction::OmitId);
        first.times = Some(2);
        let f = Faults::new(vec![first, FaultRule::always(FaultAction::Stall)]);
        assert_eq!(f.fire("GET", "/", b""), Some(FaultAction::OmitId));
        assert_eq!(f.fire("GET", "/", b""), Some(FaultAction::OmitId));
        assert_eq!(f.fire("GET", "/", b""), Some(FaultAction::Stall));
        f.clear();
        assert_eq!(f.fire("GET", "/", b""), None);
    }

    #[test]
    fn hits_are_counted_per_rule_and_in_total() {
        let mut first = FaultRule::always(FaultAction::OmitId);
        first.times = Some(1);
        let f = Faults::new(vec![first, FaultRule::always(FaultAction::Stall)]);
        for _ in 0..3 {
            f.fire("GET", "/", b"");
        }
        let list = f.list();
        assert_eq!(list[0].hits, 1);
        assert_eq!(list[0].rule.times, Some(0));
        assert_eq!(list[1].hits, 2);
        f.clear();
        assert!(f.list().is_empty());
        assert_eq!(f.total_hits(), 3);
        // The listing is the rule's own JSON plus "hits".
        let v = serde_json::to_value(&list[0]).unwrap();
        assert_eq!(v["hits"], 1);
        assert_eq!(v["action"]["kind"], "omit_id");
    }

    #[test]
    fn new_kinds_parse_and_round_trip() {
        let cases = [
            (
                r#"{"kind":"drop_connection"}"#,
                FaultAction::DropConnection { reset: false },
            ),
            (
                r#"{"kind":"lost_response","reset":true}"#,
                FaultAction::LostResponse { reset: true },
            ),
            (
                r#"{"kind":"truncated_body"}"#,
                FaultAction::TruncatedBody {
                    status: None,
                    bytes: None,
                },
            ),
            (
                r#"{"kind":"truncated_body","status":502,"bytes":10}"#,
                FaultAction::TruncatedBody {
                    status: Some(502),
                    bytes: Some(10),
                },
            ),
            (
                r#"{"kind":"wrong_content_type"}"#,
                FaultAction::WrongContentType { content_type: None },
            ),
            (
                r#"{"kind":"oversized_body","status":200,"bytes":1048577}"#,
                FaultAction::OversizedBody {
                    status: 200,
                    bytes: 1_048_577,
                },
            ),
            (
                r#"{"kind":"slow_drip","bytes_per_second":50}"#,
                FaultAction::SlowDrip {
                    status: None,
                    chunk_bytes: None,
                    interval_ms: None,
                    bytes_per_second: Some(50),
                },
            ),
        ];
        for (json, want) in cases {
            let got: FaultAction = serde_json::from_str(json).unwrap();
            assert_eq!(got, want, "{json}");
            let back: FaultAction =
                serde_json::from_value(serde_json::to_value(&got).unwrap()).unwrap();
            assert_eq!(back, want, "{json}");
        }
        assert!(
            serde_json::from_str::<FaultAction>(r#"{"kind":"drop_connection","x":1}"#).is_err()
        );
    }

    #[test]
    fn validation() {
        let ok = |a: FaultAction| FaultRule::always(a).validate();
        let drip = |chunk, interval, bps| FaultAction::SlowDrip {
            status: None,
            chunk_bytes: chunk,
            interval_ms: interval,
            bytes_per_second: bps,
        };
        assert!(ok(drip(None, None, None)).is_ok());
        assert!(ok(drip(Some(4), Some(10), None)).is_ok());
        assert!(ok(drip(Some(0), None, None)).is_err());
        assert!(ok(drip(None, Some(0), None)).is_err());
        assert!(ok(drip(None, None, Some(0))).is_err());
        assert!(ok(drip(None, Some(10), Some(10))).is_err());
        assert!(ok(FaultAction::OversizedBody {
            status: 204,
            bytes: 10
        })
        .is_err());
        assert!(ok(FaultAction::TruncatedBody {
            status: Some(1000),
            bytes: None
        })
        .is_err());
        assert!(ok(FaultAction::WrongContentType {
            content_type: Some("text/plain\n".into())
        })
        .is_err());
        assert!(ok(FaultAction::WrongContentType {
            content_type: Some(String::new())
        })
        .is_err());
    }

    #[test]
    fn drip_pace() {
        use std::time::Duration;
        let pace = FaultAction::drip_pace;
        assert_eq!(pace(None, None, None), (1, Duration::from_millis(100)));
        assert_eq!(
            pace(Some(10), Some(5), None),
            (10, Duration::from_millis(5))
        );
        assert_eq!(
            pace(Some(4), None, Some(8)),
            (4, Duration::from_millis(500))
        );
        // Faster than a byte a millisecond still pauses a millisecond.
        assert_eq!(
            pace(None, None, Some(1_000_000)),
            (1, Duration::from_millis(1))
        );
    }
}
