//! The request pipeline: read the body, apply faults, route, authorize.
//!
//! There is a single axum fallback handler rather than an axum route table, for
//! three reasons: fault rules must see every request (including unknown routes)
//! before anything else; unknown routes and wrong methods must still answer
//! with the spec's `ErrorResponse` (axum's built-in 404/405 have empty bodies);
//! and the bracketed query keys (`filter[KEY]`) are parsed by hand anyway.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::Response;
use axum::Router;

use crate::conn::Conn;
use crate::control::CONTROL_PREFIX;
use crate::errors::{
    code_for, empty_response, method_not_allowed, raw_response, status_code, ApiError,
};
use crate::faults::FaultAction;
use crate::request::{App, Req};
use crate::{artifacts, control, inject, locations, logs, players, sessions};

/// Largest request body read; real bodies are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                413,
                "PAYLOAD_TOO_LARGE",
                "The request body is too large or could not be read.",
                format!("bodies are limited to {MAX_BODY} bytes"),
            )
            .into_response(path)
        }
    };

    let conn = parts.extensions.get::<ConnectInfo<Conn>>().map(|c| &c.0);
    if path.starts_with(CONTROL_PREFIX) {
        return control::handle(&app, &parts, &body, conn).await;
    }

    if let Some(log) = &app.shared.request_log {
        let query = parts.uri.query().unwrap_or("");
        log.write(&parts.method, path, query, &parts.headers, &body);
    }

    let (after, omit_id) = match app.shared.faults.fire(parts.method.as_str(), path, &body) {
        None => (After::Nothing, false),
        Some(action) => match fire(&app, action, path, conn).await {
            Fired::Answer(resp) => return resp,
            Fired::Handle { after, omit_id } => (after, omit_id),
        },
    };
    let req = Req {
        method: &parts.method,
        path,
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
        omit_id,
    };
    let resp = match dispatch(&app, &req).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(path),
    };
    after.apply(&app, conn, resp)
}

/// What a fired fault rule does to a request.
enum Fired {
    /// Answer this in place of the endpoint.
    Answer(Response),
    /// Let the endpoint handle the request, then do `after` to its response.
    Handle { after: After, omit_id: bool },
}

/// Carries out the part of a fault rule that comes before the endpoint.
async fn fire(app: &App, action: FaultAction, path: &str, conn: Option<&Conn>) -> Fired {
    let handle = |after| Fired::Handle {
        after,
        omit_id: false,
    };
    match action {
        FaultAction::Status {
            status,
            retry_after,
        } => Fired::Answer(fault_status(status, retry_after, path)),
        FaultAction::Latency { ms } => {
            let mut shutdown = app.shutdown.clone();
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(ms)) => handle(After::Nothing),
                _ = shutdown.wait_for(|s| *s) => Fired::Answer(shutting_down(path)),
            }
        }
        FaultAction::OmitId => Fired::Handle {
            after: After::Nothing,
            omit_id: true,
        },
        FaultAction::HtmlBody { status } => Fired::Answer(html_page(status)),
        FaultAction::MalformedJson { status } => Fired::Answer(raw_response(
            status,
            "application/json",
            br#"{"statusCode": 500, "code": "INTERNAL_SERV"#.to_vec(),
        )),
        FaultAction::Stall => {
            // Wait for shutdown only; the client giving up closes the
            // connection, and hyper then drops this future.
            let mut shutdown = app.shutdown.clone();
            let _ = shutdown.wait_for(|s| *s).await;
            Fired::Answer(shutting_down(path))
        }
        FaultAction::DropConnection { reset } => Fired::Answer(drop_connection(conn, reset)),
        FaultAction::LostResponse { reset } => handle(After::Lose { reset }),
        FaultAction::TruncatedBody { status, bytes } => match status {
            Some(s) => Fired::Answer(inject::truncate(fault_status(s, None, path), bytes)),
            None => handle(After::Truncate { bytes }),
        },
        FaultAction::WrongContentType { content_type } => handle(After::Retype { content_type }),
        FaultAction::OversizedBody { status, bytes } => {
            Fired::Answer(inject::oversized(status, bytes, path, app.shutdown.clone()))
        }
        FaultAction::SlowDrip {
            status,
            chunk_bytes,
            interval_ms,
            bytes_per_second,
        } => {
            let (chunk, interval) =
                FaultAction::drip_pace(chunk_bytes, interval_ms, bytes_per_second);
            match status {
                Some(s) => {
                    let resp = fault_status(s, None, path);
                    Fired::Answer(inject::drip(resp, chunk, interval, app.shutdown.clone()))
                }
                None => handle(After::Drip { chunk, interval }),
            }
        }
    }
}

/// A fault that acts on the response of a request handled normally.
enum After {
    Nothing,
    Lose { reset: bool },
    Truncate { bytes: Option<u64> },
    Retype { content_type: Option<String> },
    Drip { chunk: usize, interval: Duration },
}

impl After {
    fn apply(self, app: &App, conn: Option<&Conn>, resp: Response) -> Response {
        match self {
            After::Nothing => resp,
            After::Lose { reset } => drop_connection(conn, reset),
            After::Truncate { bytes } => inject::truncate(resp, bytes),
            After::Retype { content_type } => inject::retype(resp, content_type.as_deref()),
            After::Drip { chunk, interval } => {
                inject::drip(resp, chunk, interval, app.shutdown.clone())
            }
        }
    }
}

/// Makes sure no byte of an answer reaches the client, and closes (or
/// resets) its connection.
fn drop_connection(conn: Option<&Conn>, reset: bool) -> Response {
    if let Some(conn) = conn {
        conn.kill(reset);
    }
    inject::aborted()
}

/// Picks the endpoint by path and method.
async fn dispatch(app: &App, req: &Req<'_>) -> Result<Response, ApiError> {
    let shared = &app.shared;
    let path = req.path;
    let m = req.method;
    if path == "/session" {
        return match *m {
            Method::POST => sessions::run(shared, req),
            Method::GET => sessions::list(shared, req),
            _ => Err(method_not_allowed("GET, POST")),
        };
    }
    if path == "/session/player/join" {
        return match *m {
            Method::PUT => players::join(shared, req),
            _ => Err(method_not_allowed("PUT")),
        };
    }
    if path == "/session/player/leave" {
        return match *m {
            Method::DELETE => players::leave(shared, req),
            _ => Err(method_not_allowed("DELETE")),
        };
    }
    if let Some(id) = single_segment(path, "/session/") {
        let id = decode(id);
        return match *m {
            Method::GET => sessions::describe(shared, req, &id),
            Method::DELETE => sessions::stop(shared, req, &id).await,
            _ => Err(method_not_allowed("GET, DELETE")),
        };
    }
    if let Some(image) = single_segment(path, "/available-location/") {
        return match *m {
            Method::GET => locations::available_locations(shared, req, &decode(image)),
            _ => Err(method_not_allowed("GET")),
        };
    }
    if let Some(rest) = path.strip_prefix("/tag/") {
        let mut parts = rest.split('/');
        if let (Some(r), Some(i), Some(v), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            if !r.is_empty() && !i.is_empty() && !v.is_empty() {
                return match *m {
                    Method::GET => {
                        locations::tag_exists(shared, req, &decode(r), &decode(i), &decode(v))
                    }
                    _ => Err(method_not_allowed("GET")),
                };
            }
        }
    }
    if path == "/logs" {
        return match *m {
            Method::GET => logs::logs(shared, req, &app.shutdown),
            _ => Err(method_not_allowed("GET")),
        };
    }
    if path == "/artifacts" {
        return match *m {
            Method::GET => artifacts::artifacts(shared, req).await,
            _ => Err(method_not_allowed("GET")),
        };
    }
    Err(ApiError::new(
        404,
        "ROUTE_NOT_FOUND",
        "The requested endpoint does not exist.",
        format!("no endpoint for {m} {path}"),
    ))
}

/// `prefix` + one non-empty segment without further slashes.
fn single_segment<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

fn decode(segment: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy()
}

pub(crate) fn fault_status(status: u16, retry_after: Option<u64>, path: &str) -> Response {
    let mut resp = if matches!(status, 100..=199 | 204 | 304) {
        // These statuses must not carry a body.
        empty_response(status)
    } else {
        let reason = status_code(status)
            .canonical_reason()
            .unwrap_or("Injected fault");
        let mut err = ApiError::new(
            status,
            code_for(status),
            reason,
            "injected by a gameye-emulator fault rule",
        );
        if status == 422 {
            err.violations = Some(Vec::new());
        }
        err.into_response(path)
    };
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

fn html_page(status: u16) -> Response {
    let code = status_code(status);
    let title = format!(
        "{} {}",
        code.as_u16(),
        code.canonical_reason().unwrap_or("")
    );
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    raw_response(status, "text/html", page.into_bytes())
}

fn shutting_down(path: &str) -> Response {
    ApiError::new(
        503,
        "SERVICE_UNAVAILABLE",
        "The emulator is shutting down.",
        "the request was delayed by a fault rule when the emulator stopped",
    )
    .into_response(path)
}
