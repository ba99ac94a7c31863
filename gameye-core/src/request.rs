//! The request body of `POST /session` (the spec's `SessionRun`), its
//! validation, and its strict JSON parsing for callers that hold JSON (C, CLI).
//!
//! A request is validated once per create: validation gives a
//! [`ValidSessionRun`], which `create_session` sends without checking again.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result, Violation};

/// The body of `POST /session`: start a session of `image` in `location`.
///
/// Build it with [`SessionRun::new`] and set the optional fields, or parse JSON
/// with [`SessionRun::from_json`]. [`Debug`](fmt::Debug) hides `env` values,
/// which often hold secrets.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionRun {
    /// The session's unique id. When `None`, the client generates a UUIDv4
    /// before sending, so the id is known even if the response is lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The region to host the session in, such as `europe`.
    pub location: String,
    /// The application (image) name.
    pub image: String,
    /// Environment variables for the container. Values must be non-empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Program arguments. Each must be non-empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Restart the session automatically when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<bool>,
    /// User-defined key/value metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// The image tag to run; the highest-priority tag when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Lifetime after which the session is forcefully stopped: `1m`, `1h`, `2h30m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// A caller-provided identifier for this session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl SessionRun {
    /// The JSON fields a session run accepts, the two required ones
    /// (`location`, `image`) first; the spec sets `additionalProperties:
    /// false`. Bindings take the same names as keywords.
    pub const FIELDS: [&'static str; 10] = [
        "location",
        "image",
        "id",
        "env",
        "args",
        "restart",
        "labels",
        "version",
        "ttl",
        "external_id",
    ];

    /// A request for `image` in `location`, every optional field unset.
    pub fn new(location: impl Into<String>, image: impl Into<String>) -> Self {
        SessionRun {
            location: location.into(),
            image: image.into(),
            ..SessionRun::default()
        }
    }

    /// Parses the spec's `SessionRun` JSON strictly: unknown fields, wrong
    /// types and missing required fields are errors naming the field. The
    /// result is also [validated](SessionRun::validate), so
    /// [`Client::create_session`](crate::Client::create_session) sends it
    /// without checking it again.
    pub fn from_json(json: &str) -> Result<ValidSessionRun> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(vec![Violation::new(
                "(body)",
                format!("not valid JSON: {e}"),
            )])
        })?;
        Self::from_value(value)
    }

    /// As [`SessionRun::from_json`], from an already-parsed JSON value.
    pub fn from_value(value: Value) -> Result<ValidSessionRun> {
        let Value::Object(mut obj) = value else {
            return Err(Error::invalid_request(vec![Violation::new(
                "(body)",
                "must be a JSON object",
            )]));
        };
        let mut v = Vec::new();
        for key in obj.keys() {
            if !Self::FIELDS.contains(&key.as_str()) {
                v.push(Violation::new(key.clone(), "unknown field"));
            }
        }
        let mut take_str = |obj: &mut Map<String, Value>, field: &str| match obj.remove(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                v.push(Violation::new(field, "must be a string"));
                None
            }
        };
        let mut run = SessionRun {
            id: take_str(&mut obj, "id"),
            location: take_str(&mut obj, "location").unwrap_or_default(),
            image: take_str(&mut obj, "image").unwrap_or_default(),
            version: take_str(&mut obj, "version"),
            ttl: take_str(&mut obj, "ttl"),
            external_id: take_str(&mut obj, "external_id"),
            ..SessionRun::default()
        };
        run.env = string_map(obj.remove("env"), "env", &mut v);
        run.labels = string_map(obj.remove("labels"), "labels", &mut v);
        run.args = match obj.remove("args") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let mut args = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Value::String(s) => args.push(s),
                        _ => v.push(Violation::new(format!("args[{i}]"), "must be a string")),
                    }
                }
                Some(args)
            }
            Some(_) => {
                v.push(Violation::new("args", "must be an array of strings"));
                None
            }
        };
        run.restart = match obj.remove("restart") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => {
                v.push(Violation::new("restart", "must be a boolean"));
                None
            }
        };
        // Report type errors and validation errors together, so the caller
        // fixes everything in one round.
        run.collect_violations(&mut v);
        v.sort_by(|a, b| a.field.cmp(&b.field));
        v.dedup_by(|a, b| a.field == b.field);
        if v.is_empty() {
            Ok(ValidSessionRun(run))
        } else {
            Err(Error::invalid_request(v))
        }
    }

    /// [Validates](SessionRun::validate) the request, giving the form that
    /// `create_session` sends without checking again.
    pub fn validated(self) -> Result<ValidSessionRun> {
        self.validate()?;
        Ok(ValidSessionRun(self))
    }

    /// Checks the request against the spec before it is sent: required fields
    /// present, strings non-empty where the spec says `minLength: 1`, `ttl`
    /// in the spec's duration form. The error lists every bad field.
    pub fn validate(&self) -> Result<()> {
        let mut v = Vec::new();
        self.collect_violations(&mut v);
        if v.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_request(v))
        }
    }

    fn collect_violations(&self, v: &mut Vec<Violation>) {
        if self.location.is_empty() {
            v.push(Violation::new(
                "location",
                "is required and must not be empty",
            ));
        }
        if self.image.is_empty() {
            v.push(Violation::new("image", "is required and must not be empty"));
        }
        match self.id.as_deref() {
            Some("") => v.push(Violation::new("id", "must not be empty")),
            // The id is later a path parameter (describe, stop).
            Some(id) => {
                if let Some(problem) = crate::validate::path_segment_problem(id) {
                    v.push(Violation::new("id", problem));
                }
            }
            None => {}
        }
        for (key, value) in self.env.iter().flatten() {
            if key.is_empty() {
                v.push(Violation::new("env", "variable names must not be empty"));
            }
            if value.is_empty() {
                v.push(Violation::new(format!("env.{key}"), "must not be empty"));
            }
        }
        for (i, arg) in self.args.iter().flatten().enumerate() {
            if arg.is_empty() {
                v.push(Violation::new(format!("args[{i}]"), "must not be empty"));
            }
        }
        if let Some(ttl) = &self.ttl {
            if let Err(why) = parse_ttl(ttl) {
                v.push(Violation::new("ttl", why));
            }
        }
    }
}

/// A [`SessionRun`] that passed [validation](SessionRun::validate). Only
/// validation makes one ([`SessionRun::validated`], [`SessionRun::from_json`])
/// and nothing changes it afterwards, so
/// [`Client::create_session`](crate::Client::create_session) sends it as it
/// is: a request is validated once per create. It reads as the `SessionRun`
/// it holds; [`ValidSessionRun::into_inner`] gives that back to change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidSessionRun(SessionRun);

impl ValidSessionRun {
    /// The request, to change (and validate again before sending).
    pub fn into_inner(self) -> SessionRun {
        self.0
    }
}

impl std::ops::Deref for ValidSessionRun {
    type Target = SessionRun;
    fn deref(&self) -> &SessionRun {
        &self.0
    }
}

impl From<ValidSessionRun> for SessionRun {
    fn from(valid: ValidSessionRun) -> Self {
        valid.0
    }
}

/// What [`Client::create_session`](crate::Client::create_session) takes: a
/// [`SessionRun`], which it validates, or a [`ValidSessionRun`], validated
/// already and not checked again.
pub trait IntoValidSessionRun {
    /// The request, validated unless it already is.
    fn into_valid(self) -> Result<ValidSessionRun>;
}

impl IntoValidSessionRun for SessionRun {
    fn into_valid(self) -> Result<ValidSessionRun> {
        self.validated()
    }
}

impl IntoValidSessionRun for ValidSessionRun {
    fn into_valid(self) -> Result<ValidSessionRun> {
        Ok(self)
    }
}

/// Parses a `ttl` in the spec's form (`1m`, `1h`, `2h30m`) into minutes.
pub fn parse_ttl(ttl: &str) -> std::result::Result<u64, String> {
    let bad = || format!("must be a duration such as 1m, 1h or 2h30m, got {ttl:?}");
    let (hours, rest) = match ttl.split_once('h') {
        Some((h, rest)) => (Some(h), rest),
        None => (None, ttl),
    };
    let minutes = match rest {
        "" => None,
        m => Some(m.strip_suffix('m').ok_or_else(bad)?),
    };
    if hours.is_none() && minutes.is_none() {
        return Err(bad());
    }
    let number = |s: &str| -> std::result::Result<u64, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<u64>().map_err(|_| bad())
    };
    let h = hours.map(number).transpose()?.unwrap_or(0);
    let m = minutes.map(number).transpose()?.unwrap_or(0);
    h.checked_mul(60)
        .and_then(|h| h.checked_add(m))
        .ok_or_else(bad)
}

fn string_map(
    value: Option<Value>,
    field: &str,
    v: &mut Vec<Violation>,
) -> Option<BTreeMap<String, String>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => {
            let mut out = BTreeMap::new();
            for (k, val) in map {
                match val {
                    Value::String(s) => {
                        out.insert(k, s);
                    }
                    _ => v.push(Violation::new(format!("{field}.{k}"), "must be a string")),
                }
            }
            Some(out)
        }
        Some(_) => {
            v.push(Violation::new(field, "must be an object of strings"));
            None
        }
    }
}

impl fmt::Debug for SessionRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // env values often hold secrets: show the names only.
        let env = self.env.as_ref().map(|e| {
            e.keys()
                .map(|k| (k, "<redacted>"))
                .collect::<BTreeMap<_, _>>()
        });
        f.debug_struct("SessionRun")
            .field("id", &self.id)
            .field("location", &self.location)
            .field("image", &self.image)
            .field("env", &env)
            .field("args", &self.args)
            .field("restart", &self.restart)
            .field("labels", &self.labels)
            .field("version", &self.version)
            .field("ttl", &self.ttl)
            .field("external_id", &self.external_id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn fields(e: &Error) -> Vec<&str> {
        e.violations().iter().map(|v| v.field.as_str()).collect()
    }

    #[test]
    fn parses_every_field() {
        let run = SessionRun::from_json(
            r#"{"id":"a","location":"europe","image":"nginx","env":{"K":"v"},
               "args":["--x"],"restart":true,"labels":{"l":"1"},"version":"1.25",
               "ttl":"2h30m","external_id":"ext"}"#,
        )
        .unwrap();
        assert_eq!(run.id.as_deref(), Some("a"));
        assert_eq!(run.env.as_ref().unwrap()["K"], "v");
        assert_eq!(run.args.as_deref(), Some(&["--x".to_string()][..]));
        assert_eq!(run.restart, Some(true));
        assert_eq!(run.ttl.as_deref(), Some("2h30m"));
        assert_eq!(run.external_id.as_deref(), Some("ext"));
        let back: Value = serde_json::to_value(&run).unwrap();
        // A valid request reads and serializes as the request it holds.
        assert_eq!(back, serde_json::to_value(&*run).unwrap());
        assert_eq!(back["labels"]["l"], "1");
    }

    #[test]
    fn names_each_bad_field() {
        let e = SessionRun::from_json(
            r#"{"location":"","env":{"A":"","B":3},"args":["ok",""],"ttl":"90s","extra":1,"restart":"yes"}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(
            fields(&e),
            ["args[1]", "env.A", "env.B", "extra", "image", "location", "restart", "ttl"]
        );
    }

    #[test]
    fn validation_happens_once_and_names_the_field() {
        let e = SessionRun::new("", "nginx").validated().unwrap_err();
        assert_eq!(fields(&e), ["location"]);
        // A validated request passes as it is: create does not check again.
        let valid = SessionRun::new("europe", "nginx").validated().unwrap();
        assert_eq!(valid.clone().into_valid().unwrap(), valid);
        // A plain request is validated on its way into create.
        let e = SessionRun::new("europe", "").into_valid().unwrap_err();
        assert_eq!(fields(&e), ["image"]);
    }

    #[test]
    fn an_id_must_be_one_path_segment() {
        for id in [".", "..", "a\tb", "a\nb"] {
            let mut run = SessionRun::new("europe", "nginx");
            run.id = Some(id.into());
            let e = run.validate().unwrap_err();
            assert_eq!(fields(&e), ["id"], "{id:?}");
        }
        let mut run = SessionRun::new("europe", "nginx");
        run.id = Some("a/b".into());
        run.validate().unwrap();
    }

    #[test]
    fn rejects_non_objects_and_bad_json() {
        for json in ["[]", "\"x\"", "{", "", "{\"location\":\"e\",}"] {
            let e = SessionRun::from_json(json).unwrap_err();
            assert_eq!(fields(&e), ["(body)"], "{json}");
        }
    }

    #[test]
    fn ttl_forms() {
        assert_eq!(parse_ttl("1m"), Ok(1));
        assert_eq!(parse_ttl("1h"), Ok(60));
        assert_eq!(parse_ttl("2h30m"), Ok(150));
        for bad in [
            "",
            "h",
            "m",
            "1",
            "1s",
            "1m1h",
            "-1m",
            "1h 2m",
            "hm",
            "1.5h",
            "99999999999999999999h",
        ] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_env_values() {
        let mut run = SessionRun::new("europe", "nginx");
        run.env = Some(BTreeMap::from([("SECRET".into(), "hunter2".into())]));
        let shown = format!("{run:?}");
        assert!(
            shown.contains("SECRET") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
