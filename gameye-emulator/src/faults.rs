//! Fault injection: make the emulator misbehave the way real servers and
//! proxies do, so clients can be tested against it.
//!
//! Rules are checked before any other handling, in order; the first rule that
//! matches and still has `times` left fires. A rule that filters on `image`
//! needs the request body, which the server has already read by then, so the
//! body is read once per request whatever the rules are.

use std::sync::atomic::{AtomicBool, Ordering};
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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

/// The live rule list shared by all requests.
///
/// `any` lets the hot path skip the lock entirely when no rules exist, which is
/// the normal case under load.
#[derive(Default)]
pub(crate) struct Faults {
    any: AtomicBool,
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Self {
        Faults {
            any: AtomicBool::new(!rules.is_empty()),
            rules: Mutex::new(rules),
        }
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.push(rule);
        self.any.store(true, Ordering::Release);
    }

    pub(crate) fn clear(&self) {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.clear();
        self.any.store(false, Ordering::Release);
    }

    /// Finds the rule that fires for this request, uses up one of its `times`,
    /// and returns its action.
    pub(crate) fn fire(&self, method: &str, path: &str, body: &[u8]) -> Option<FaultAction> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let mut body_image = BodyImage { body, parsed: None };
        let idx = rules
            .iter()
            .position(|r| r.times != Some(0) && r.matches(method, path, &mut body_image))?;
        let rule = &mut rules[idx];
        if let Some(t) = &mut rule.times {
            *t -= 1;
        }
        Some(rule.action.clone())
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
}
