//! The response side of fault injection: bodies that stop short, drip, or
//! never end, and answers that never leave.
//!
//! A body that must keep its full `Content-Length` while sending less (or
//! sending it slowly) is a stream with the length set as a header: hyper then
//! frames it by that length, and when the stream fails part-way hyper closes
//! the connection, which is what a client sees of a server dying mid-body.

use std::io;
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::stream::{self, StreamExt};
use tokio::sync::watch;

use crate::errors::{code_for, rfc3339_now, status_code};

/// How long a truncated body waits after its last bytes before it fails, so
/// hyper has written them to the socket before it drops the connection.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

/// Padding is streamed in slices of this.
static PADDING: [u8; 64 * 1024] = [b'x'; 64 * 1024];

fn fault_error(what: &str) -> io::Error {
    io::Error::other(format!("{what} by a gameye-emulator fault rule"))
}

/// A response whose body fails before its first byte, so hyper closes the
/// connection. Used together with [`crate::conn::Conn::kill`], which already
/// stops every byte; this alone covers a server that was not given a
/// connection handle.
pub(crate) fn aborted() -> Response {
    let body = stream::once(async { Err::<Bytes, io::Error>(fault_error("response dropped")) });
    Response::new(Body::from_stream(body))
}

/// The body's length if it is known: from the body itself or from a
/// `Content-Length` header the handler set on a streamed body.
fn known_length(resp: &Response) -> Option<u64> {
    resp.body().size_hint().exact().or_else(|| {
        resp.headers()
            .get(header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    })
}

/// Puts `body` under the head of `parts`, stating `len` (if known) as the
/// `Content-Length`.
fn with_stream_body(
    mut parts: axum::http::response::Parts,
    len: Option<u64>,
    body: Body,
) -> Response {
    match len {
        Some(len) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        }
        None => {
            parts.headers.remove(header::CONTENT_LENGTH);
        }
    }
    Response::from_parts(parts, body)
}

/// Sends the status, the headers with the full `Content-Length`, then only
/// `keep` bytes of the body (default half), then fails so the connection
/// closes. An empty body is left alone: there is nothing to cut.
pub(crate) fn truncate(resp: Response, keep: Option<u64>) -> Response {
    let len = known_length(&resp);
    let keep = match len {
        Some(0) => return resp,
        Some(len) => keep.unwrap_or(len / 2).min(len - 1),
        None => keep.unwrap_or(0),
    };
    let (parts, body) = resp.into_parts();
    let st = (body.into_data_stream(), keep, false);
    let cut = stream::unfold(st, |(mut inner, left, done)| async move {
        if done {
            return None;
        }
        if left == 0 {
            // Give hyper time to write what was sent, then make it drop
            // the connection with the rest of the body missing.
            tokio::time::sleep(FLUSH_PAUSE).await;
            return Some((Err(fault_error("body truncated")), (inner, 0, true)));
        }
        match inner.next().await {
            Some(Ok(mut chunk)) => {
                if chunk.len() as u64 > left {
                    chunk.truncate(left as usize);
                }
                let left = left - chunk.len() as u64;
                Some((Ok(chunk), (inner, left, false)))
            }
            Some(Err(e)) => Some((Err(io::Error::other(e)), (inner, 0, true))),
            // Shorter than it said; end here and let hyper notice.
            None => None,
        }
    });
    with_stream_body(parts, len, Body::from_stream(cut))
}

/// Sends the status and headers (with the full `Content-Length`) at once,
/// then the body `chunk` bytes at a time, each after a pause of `interval`.
/// The emulator shutting down ends the drip (and the connection).
pub(crate) fn drip(
    resp: Response,
    chunk: usize,
    interval: Duration,
    shutdown: watch::Receiver<bool>,
) -> Response {
    let len = known_length(&resp);
    if len == Some(0) {
        // Nothing to drip (a 204).
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let st = (body.into_data_stream(), Bytes::new(), shutdown, false);
    let dripping = stream::unfold(
        st,
        move |(mut inner, mut pending, mut shutdown, done)| async move {
            if done {
                return None;
            }
            while pending.is_empty() {
                match inner.next().await {
                    Some(Ok(b)) => pending = b,
                    Some(Err(e)) => {
                        return Some((Err(io::Error::other(e)), (inner, pending, shutdown, true)))
                    }
                    None => return None,
                }
            }
            let stopping = tokio::select! {
                _ = tokio::time::sleep(interval) => false,
                _ = shutdown.wait_for(|s| *s) => true,
            };
            if stopping {
                let err = fault_error("slow body cut off at shutdown");
                return Some((Err(err), (inner, pending, shutdown, true)));
            }
            let piece = pending.split_to(chunk.min(pending.len()));
            Some((Ok(piece), (inner, pending, shutdown, false)))
        },
    );
    with_stream_body(parts, len, Body::from_stream(dripping))
}

/// An `ErrorResponse` with `status` whose `details` is padded with `x` so
/// the whole body is `bytes` long; streamed, never held whole.
pub(crate) fn oversized(
    status: u16,
    bytes: u64,
    path: &str,
    shutdown: watch::Receiver<bool>,
) -> Response {
    let reason = status_code(status)
        .canonical_reason()
        .unwrap_or("Injected fault");
    let head = format!(
        r#"{{"statusCode":{status},"code":"{}","message":{},"details":""#,
        code_for(status),
        serde_json::Value::from(reason)
    );
    let tail = format!(
        r#"","path":{},"identifier":"{}","timestamp":"{}"}}"#,
        serde_json::Value::from(path),
        uuid::Uuid::new_v4(),
        rfc3339_now()
    );
    let bare = (head.len() + tail.len()) as u64;
    let padding = bytes.saturating_sub(bare);
    let total = bare + padding;
    let parts = [Bytes::from(head), Bytes::from(tail)];
    // States: 0 = head next, 1 = padding, 2 = tail next, 3 = done.
    let st = (parts, 0u8, padding, shutdown);
    let body = stream::unfold(st, |(parts, phase, left, shutdown)| async move {
        match phase {
            0 => Some((Ok(parts[0].clone()), (parts, 1, left, shutdown))),
            1 if left > 0 => {
                if *shutdown.borrow() {
                    let err = fault_error("oversized body cut off at shutdown");
                    return Some((Err(err), (parts, 3, 0, shutdown)));
                }
                let n = left.min(PADDING.len() as u64) as usize;
                let piece = Bytes::from_static(&PADDING[..n]);
                Some((Ok(piece), (parts, 1, left - n as u64, shutdown)))
            }
            1 | 2 => Some((Ok(parts[1].clone()), (parts, 3, 0, shutdown))),
            _ => None,
        }
    });
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status_code(status);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let (parts, _) = resp.into_parts();
    with_stream_body(parts, Some(total), Body::from_stream(body))
}

/// Swaps the `Content-Type` of a response that has one.
pub(crate) fn retype(mut resp: Response, content_type: Option<&str>) -> Response {
    let value = content_type
        .and_then(|ct| HeaderValue::from_str(ct).ok())
        .unwrap_or_else(|| HeaderValue::from_static("text/plain"));
    if let Some(ct) = resp.headers_mut().get_mut(header::CONTENT_TYPE) {
        *ct = value;
    }
    resp
}
