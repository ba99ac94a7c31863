//! The control endpoints under `/_emulator/`, for test harnesses in other
//! languages and processes: fault rules, a cheap session count, and TLS
//! handshake counts.
//!
//! Served only when [`crate::EmulatorConfig::control`] is set (the binary's
//! `--control`), and only to clients connecting from a loopback address;
//! otherwise these paths are unknown routes like any other. They need no
//! token, and fault rules never apply to them.

use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use serde::Serialize;

use crate::conn::Conn;
use crate::errors::{empty_response, json_response, method_not_allowed, ApiError, Violation};
use crate::faults::{FaultRule, FaultState};
use crate::request::App;
use crate::tls::TlsStats;

/// The prefix of the control endpoints; fault rules never apply under it.
pub(crate) const CONTROL_PREFIX: &str = "/_emulator/";

#[derive(Serialize)]
struct FaultList {
    faults: Vec<FaultState>,
    /// Rules fired since the emulator started, cleared rules included.
    total_hits: u64,
}

#[derive(Serialize)]
struct Count {
    count: usize,
}

#[derive(Serialize)]
struct TlsReport {
    /// Whether the emulator serves https.
    tls: bool,
    #[serde(flatten)]
    stats: TlsStats,
}

/// Rules as `POST /_emulator/faults` accepts them: one, or a list.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(FaultRule),
    Many(Vec<FaultRule>),
}

pub(crate) async fn handle(
    app: &App,
    parts: &Parts,
    body: &Bytes,
    conn: Option<&Conn>,
) -> Response {
    let path = parts.uri.path();
    let allowed =
        app.shared.config.control && conn.is_some_and(|c| c.peer.ip().to_canonical().is_loopback());
    let result = if allowed {
        route(app, &parts.method, &path[CONTROL_PREFIX.len()..], body)
    } else {
        Err(not_found(&parts.method, path))
    };
    result.unwrap_or_else(|e| e.into_response(path))
}

fn route(app: &App, method: &Method, rest: &str, body: &Bytes) -> Result<Response, ApiError> {
    let faults = &app.shared.faults;
    match rest {
        "faults" => match *method {
            Method::GET => Ok(list(app, 200)),
            Method::POST => {
                let rules = match serde_json::from_slice::<OneOrMany>(body) {
                    Ok(OneOrMany::One(r)) => vec![r],
                    Ok(OneOrMany::Many(rs)) => rs,
                    Err(_) => {
                        // The untagged error says nothing useful; name the
                        // problem with the single-rule parser's message.
                        let msg = serde_json::from_slice::<FaultRule>(body)
                            .err()
                            .map_or_else(|| "not a fault rule".to_string(), |e| e.to_string());
                        return Err(invalid(msg));
                    }
                };
                for (n, r) in rules.iter().enumerate() {
                    r.validate()
                        .map_err(|e| invalid(format!("rule {n}: {e}")))?;
                }
                for r in rules {
                    faults.add(r);
                }
                Ok(list(app, 201))
            }
            Method::DELETE => {
                faults.clear();
                Ok(empty_response(204))
            }
            _ => Err(method_not_allowed("GET, POST, DELETE")),
        },
        "tls" => match *method {
            Method::GET => {
                let stats = app.shared.tls.as_ref().map(|t| t.stats());
                let body = TlsReport {
                    tls: stats.is_some(),
                    stats: stats.unwrap_or_default(),
                };
                Ok(json_response(200, &body))
            }
            _ => Err(method_not_allowed("GET")),
        },
        "sessions/count" => match *method {
            Method::GET => {
                // One lock and a map length: cheap enough to poll under load.
                let count = app.shared.lock_raw().sessions.len();
                Ok(json_response(200, &Count { count }))
            }
            _ => Err(method_not_allowed("GET")),
        },
        _ => Err(not_found(method, &format!("{CONTROL_PREFIX}{rest}"))),
    }
}

fn list(app: &App, status: u16) -> Response {
    let body = FaultList {
        faults: app.shared.faults.list(),
        total_hits: app.shared.faults.total_hits(),
    };
    json_response(status, &body)
}

fn invalid(msg: String) -> ApiError {
    ApiError::validation(vec![Violation::new("body", msg)])
}

fn not_found(method: &Method, path: &str) -> ApiError {
    ApiError::new(
        404,
        "ROUTE_NOT_FOUND",
        "The requested endpoint does not exist.",
        format!("no endpoint for {method} {path}"),
    )
}
