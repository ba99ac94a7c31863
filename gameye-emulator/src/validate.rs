//! Schema validation of request bodies, reporting every bad field at once.
//!
//! serde's derive stops at the first error and cannot say "this field is empty",
//! so bodies are parsed into a `serde_json::Value` and checked by hand against
//! the spec (`SessionRun`, `JoinSession`, `LeaveSession`). Each problem becomes
//! one `FieldViolation`, named the way a client would find it: `location`,
//! `env.KEY`, `args[2]`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::errors::{ApiError, Violation};

/// A `POST /session` body that passed validation.
#[derive(Debug, Default)]
pub(crate) struct RunRequest {
    pub id: Option<String>,
    pub location: String,
    pub image: String,
    pub version: Option<String>,
    pub env: BTreeMap<String, String>,
    pub args: Vec<String>,
    pub restart: bool,
    pub labels: BTreeMap<String, String>,
    pub ttl: Option<String>,
    pub ttl_minutes: Option<u64>,
    pub external_id: Option<String>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses the body as a JSON object, or says why it is not one.
fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::validation(vec![Violation::new(
            "body",
            format!("must be a JSON object, got {}", type_name(&other)),
        )])),
        Err(e) => Err(ApiError::validation(vec![Violation::new(
            "body",
            format!("must be valid JSON: {e}"),
        )])),
    }
}

/// Takes a string field; records a violation for a wrong type or (with
/// `non_empty`) an empty string.
fn string(field: &str, v: Value, non_empty: bool, out: &mut Vec<Violation>) -> Option<String> {
    match v {
        Value::String(s) if non_empty && s.is_empty() => {
            out.push(Violation::new(field, "must not be empty"));
            None
        }
        Value::String(s) => Some(s),
        other => {
            out.push(Violation::new(
                field,
                format!("must be a string, got {}", type_name(&other)),
            ));
            None
        }
    }
}

/// Takes an object of strings (`env`, `labels`).
fn string_map(
    field: &str,
    v: Value,
    non_empty_values: bool,
    out: &mut Vec<Violation>,
) -> BTreeMap<String, String> {
    let mut result = BTreeMap::new();
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let name = format!("{field}.{k}");
                if let Some(s) = string(&name, v, non_empty_values, out) {
                    result.insert(k, s);
                }
            }
        }
        other => out.push(Violation::new(
            field,
            format!("must be an object of strings, got {}", type_name(&other)),
        )),
    }
    result
}

/// Takes an array of strings (`args`, `players`).
fn string_list(
    field: &str,
    v: Value,
    non_empty_items: bool,
    out: &mut Vec<Violation>,
) -> Vec<String> {
    let mut result = Vec::new();
    match v {
        Value::Array(items) => {
            result.reserve(items.len());
            for (i, v) in items.into_iter().enumerate() {
                if let Some(s) = string(&format!("{field}[{i}]"), v, non_empty_items, out) {
                    result.push(s);
                }
            }
        }
        other => out.push(Violation::new(
            field,
            format!("must be an array of strings, got {}", type_name(&other)),
        )),
    }
    result
}

/// Parses a ttl matching `^(\d+h)?(\d+m)?$` (non-empty) into minutes. Values
/// too large for u64 saturate, so they fail the max-ttl check instead of
/// wrapping around into something small.
pub(crate) fn parse_ttl(s: &str) -> Option<u64> {
    fn number(s: &[u8], i: &mut usize) -> Option<u64> {
        let start = *i;
        let mut n: u64 = 0;
        while *i < s.len() && s[*i].is_ascii_digit() {
            n = n.saturating_mul(10).saturating_add(u64::from(s[*i] - b'0'));
            *i += 1;
        }
        (*i > start).then_some(n)
    }
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut i = 0;
    // First group: either "<n>h" or "<n>m".
    let n = number(b, &mut i)?;
    let (mut total, saw_hours) = match b.get(i) {
        Some(b'h') => (n.saturating_mul(60), true),
        Some(b'm') => (n, false),
        _ => return None,
    };
    i += 1;
    if saw_hours && i < b.len() {
        let m = number(b, &mut i)?;
        if b.get(i) != Some(&b'm') {
            return None;
        }
        total = total.saturating_add(m);
        i += 1;
    }
    (i == b.len()).then_some(total)
}

/// Validates a `SessionRun` body.
pub(crate) fn run_request(body: &[u8], max_ttl_minutes: u32) -> Result<RunRequest, ApiError> {
    let map = parse_object(body)?;
    let mut out = Vec::new();
    let mut req = RunRequest::default();
    let (mut has_location, mut has_image) = (false, false);
    for (key, v) in map {
        match key.as_str() {
            "id" => req.id = string("id", v, true, &mut out),
            "location" => {
                has_location = true;
                req.location = string("location", v, true, &mut out).unwrap_or_default();
            }
            "image" => {
                has_image = true;
                req.image = string("image", v, true, &mut out).unwrap_or_default();
            }
            "env" => req.env = string_map("env", v, true, &mut out),
            "args" => req.args = string_list("args", v, true, &mut out),
            "restart" => match v {
                Value::Bool(b) => req.restart = b,
                other => out.push(Violation::new(
                    "restart",
                    format!("must be a boolean, got {}", type_name(&other)),
                )),
            },
            "labels" => req.labels = string_map("labels", v, false, &mut out),
            "version" => req.version = string("version", v, false, &mut out),
            "ttl" => {
                // The spec's schema allows any string, "" included; an empty
                // ttl means none, like an omitted one.
                if let Some(ttl) = string("ttl", v, false, &mut out).filter(|t| !t.is_empty()) {
                    match parse_ttl(&ttl) {
                        None => out.push(Violation::new(
                            "ttl",
                            "must match ^(\\d+h)?(\\d+m)?$, such as \"1h\", \"2h30m\" or \"45m\"",
                        )),
                        Some(m) if m > u64::from(max_ttl_minutes) => out.push(Violation::new(
                            "ttl",
                            format!("must be at most {max_ttl_minutes} minutes"),
                        )),
                        Some(m) => {
                            req.ttl_minutes = Some(m);
                            req.ttl = Some(ttl);
                        }
                    }
                }
            }
            "external_id" => req.external_id = string("external_id", v, false, &mut out),
            _ => out.push(Violation::new(key, "is not a known field")),
        }
    }
    if !has_location {
        out.push(Violation::new("location", "is required"));
    }
    if !has_image {
        out.push(Violation::new("image", "is required"));
    }
    if out.is_empty() {
        Ok(req)
    } else {
        Err(ApiError::validation(out))
    }
}

/// Validates a `JoinSession` body: `{session, players}`.
pub(crate) fn join_request(body: &[u8]) -> Result<(String, Vec<String>), ApiError> {
    let map = parse_object(body)?;
    let mut out = Vec::new();
    let (mut session, mut players) = (None, None);
    for (key, v) in map {
        match key.as_str() {
            // The spec sets no minimum length on either: an empty session id
            // is a session that does not exist (404), an empty player id is
            // just an id.
            "session" => session = string("session", v, false, &mut out),
            "players" => players = Some(string_list("players", v, false, &mut out)),
            _ => out.push(Violation::new(key, "is not a known field")),
        }
    }
    if session.is_none() && !out.iter().any(|v| v.field == "session") {
        out.push(Violation::new("session", "is required"));
    }
    if players.is_none() && !out.iter().any(|v| v.field == "players") {
        out.push(Violation::new("players", "is required"));
    }
    match (session, players) {
        (Some(s), Some(p)) if out.is_empty() => Ok((s, p)),
        _ => Err(ApiError::validation(out)),
    }
}

/// Validates a `LeaveSession` body: `{players}`.
pub(crate) fn leave_request(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let map = parse_object(body)?;
    let mut out = Vec::new();
    let mut players = None;
    for (key, v) in map {
        match key.as_str() {
            "players" => players = Some(string_list("players", v, false, &mut out)),
            _ => out.push(Violation::new(key, "is not a known field")),
        }
    }
    if players.is_none() {
        out.push(Violation::new("players", "is required"));
    }
    match players {
        Some(p) if out.is_empty() => Ok(p),
        _ => Err(ApiError::validation(out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl() {
        assert_eq!(parse_ttl("1h"), Some(60));
        assert_eq!(parse_ttl("2h30m"), Some(150));
        assert_eq!(parse_ttl("45m"), Some(45));
        assert_eq!(parse_ttl("0m"), Some(0));
        for bad in [
            "", "h", "m", "1", "1m2h", "1h2", "1hm", "1d", "1h30m5", " 1h", "-1m",
        ] {
            assert_eq!(parse_ttl(bad), None, "{bad:?}");
        }
        assert_eq!(parse_ttl("99999999999999999999999h"), Some(u64::MAX));
    }

    fn fields(body: &str) -> Vec<String> {
        match run_request(body.as_bytes(), 1440) {
            Ok(_) => vec![],
            Err(e) => e.violations.unwrap().into_iter().map(|v| v.field).collect(),
        }
    }

    #[test]
    fn run_request_violations() {
        assert!(fields(r#"{"location":"europe","image":"nginx"}"#).is_empty());
        assert_eq!(fields("not json"), ["body"]);
        assert_eq!(fields("[1]"), ["body"]);
        assert_eq!(fields("{}"), ["location", "image"]);
        assert_eq!(
            fields(
                r#"{"id":"","location":1,"image":"","env":{"A":""},"args":["x",""],
                "restart":"no","labels":{"k":2},"version":3,"ttl":"1d","external_id":false,"extra":1}"#
            ),
            [
                "args[1]",
                "env.A",
                "external_id",
                "extra",
                "id",
                "image",
                "labels.k",
                "location",
                "restart",
                "ttl",
                "version"
            ]
        );
        assert_eq!(
            fields(r#"{"location":"europe","image":"nginx","ttl":"25h"}"#),
            ["ttl"]
        );
        let ok = run_request(
            br#"{"location":"europe","image":"nginx","ttl":"1h30m","labels":{"a":""}}"#,
            1440,
        )
        .unwrap();
        assert_eq!(ok.ttl_minutes, Some(90));
    }
}
