//! `--log-requests FILE`: one JSON line per request, so users see what
//! their client sent and tests can check what each binding sends.
//!
//! A line is written when the request's body has been read, before fault
//! rules and routing, so requests that a fault drops or stalls are logged
//! too; the control endpoints under `/_emulator/` are not. Each line is
//! flushed at once, so a reader sees it while the emulator runs.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method};
use serde::Serialize;
use serde_json::{Map, Value};

/// What replaces a credential in the log; the scheme stays visible.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// The environment variable that, when no `log_requests` is configured,
/// names the request log of every emulator in the process (the test command
/// sets it so each layer's tests leave a record of what the client sent).
pub const LOG_REQUESTS_ENV: &str = "GAMEYE_EMULATOR_LOG_REQUESTS";

/// An open request log.
pub(crate) struct RequestLog {
    /// Unbuffered and in append mode: each line is one `write`, so several
    /// emulators (threads or processes) can share one file without tearing
    /// lines.
    out: Mutex<File>,
}

/// One line of the log.
#[derive(Serialize)]
struct Line<'a> {
    /// RFC 3339 UTC with milliseconds.
    time: String,
    method: &'a str,
    /// The path as sent (percent-escapes kept).
    path: &'a str,
    /// The raw query string, without `?`; empty when there is none.
    query: &'a str,
    /// Header names in lower case; repeated headers joined with ", ".
    headers: Map<String, Value>,
    /// The body as UTF-8 text (invalid bytes replaced), or null when empty.
    body: Option<String>,
}

impl RequestLog {
    /// Opens `path` for appending (created if missing).
    pub(crate) fn open(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(RequestLog {
            out: Mutex::new(file),
        })
    }

    /// Writes one line. A write error is ignored: logging must not fail
    /// the request it describes.
    pub(crate) fn write(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) {
        let line = Line {
            time: crate::errors::rfc3339_now(),
            method: method.as_str(),
            path,
            query,
            headers: redacted_headers(headers),
            body: (!body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned()),
        };
        let Ok(mut bytes) = serde_json::to_vec(&line) else {
            return;
        };
        bytes.push(b'\n');
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_all(&bytes);
    }
}

/// Every header, with the credential of `Authorization` and
/// `Proxy-Authorization` replaced by [`REDACTED`] (`Bearer [REDACTED]`).
fn redacted_headers(headers: &HeaderMap) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in headers {
        let text = String::from_utf8_lossy(value.as_bytes());
        let text = if name == "authorization" || name == "proxy-authorization" {
            redact(&text)
        } else {
            text.into_owned()
        };
        match map.get_mut(name.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&text);
            }
            _ => {
                map.insert(name.as_str().to_string(), Value::String(text));
            }
        }
    }
    map
}

/// Keeps the scheme (`Bearer`), hides the rest; a value without a scheme is
/// hidden whole.
fn redact(value: &str) -> String {
    match value.trim_start().split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {REDACTED}"),
        None => REDACTED.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn credentials_are_redacted_and_other_headers_kept() {
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_static("Bearer s3cret"));
        h.insert("proxy-authorization", HeaderValue::from_static("s3cret"));
        h.append("x-a", HeaderValue::from_static("1"));
        h.append("x-a", HeaderValue::from_static("2"));
        let m = redacted_headers(&h);
        assert_eq!(m["authorization"], "Bearer [REDACTED]");
        assert_eq!(m["proxy-authorization"], "[REDACTED]");
        assert_eq!(m["x-a"], "1, 2");
        assert!(!serde_json::to_string(&m).unwrap().contains("s3cret"));
    }
}
