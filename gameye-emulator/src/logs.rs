//! `GET /logs`: a session's output, whole or followed. Real for sessions
//! that run a process, synthetic for the others.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use tokio::sync::watch;

use crate::errors::{raw_response, ApiError};
use crate::request::{authorize, bool_param, required_param, Req};
use crate::state::{Shared, Status};

const LOG_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// `GET /logs?id=..[&follow=true]`.
///
/// For a session running a process: its stdout and stderr so far, or with
/// `follow=true` a chunked stream of what exists and then each line as it is
/// written, ending when the process has ended for good (or the emulator
/// stops). For other sessions: a short synthetic log, returned whole even with
/// `follow=true`, which a following client sees as the session ending.
pub(crate) fn logs(
    shared: &Shared,
    req: &Req<'_>,
    shutdown: &watch::Receiver<bool>,
) -> Result<Response, ApiError> {
    authorize(shared, req, "logs:read")?;
    let id = required_param(req.query, "id", ApiError::session_not_named)?;
    let follow = bool_param(req.query, "follow")?;
    let state = shared.lock();
    let s = state
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::session_not_found(&id))?;
    if let Some(proc) = &s.proc {
        let proc = std::sync::Arc::clone(proc);
        drop(state);
        if !follow {
            return Ok(raw_response(200, LOG_CONTENT_TYPE, proc.log_text()));
        }
        let mut resp = Response::new(Body::from_stream(proc.follow(shutdown.clone())));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(LOG_CONTENT_TYPE),
        );
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(resp);
    }
    let mut text = format!(
        "[gameye-emulator] session {} started: image {}:{} in {}\n\
         [gameye-emulator] this is a synthetic log; the emulator runs no container\n",
        s.id, s.image, s.tag, shared.config.locations[s.location].id
    );
    if s.status == Status::Exited {
        text.push_str(&format!("[gameye-emulator] session {} exited\n", s.id));
    }
    Ok(raw_response(200, LOG_CONTENT_TYPE, text.into_bytes()))
}
