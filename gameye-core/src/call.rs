//! One call: its request (`Call`), sending it under the retry policy and
//! the call's deadline (the one place requests are sent), and what comes
//! back (`RawResponse`, or an opened stream).

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{LOCATION, RETRY_AFTER};
use http::Method;

use crate::client::{closed_error, Client};
use crate::diagnostics::{log_event, LogLevel};
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpResponse;
use crate::response::Response;
use crate::retry::{retryable_error, retryable_status};
use crate::stream::ByteStream;
use crate::validate::require_path_segment;

/// One HTTP call an endpoint wants made.
pub(crate) struct Call {
    pub method: Method,
    /// Path segments after the base URL, each percent-encoded as exactly
    /// one segment when the URL is built.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub json: Option<Bytes>,
}

impl Call {
    /// A call without query or body.
    pub fn new(method: Method, segments: &[&str]) -> Self {
        Call {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            json: None,
        }
    }

    /// Appends a path parameter (a session id, an image, ...) as exactly one
    /// segment, after [`require_path_segment`]: `.`, `..` and control
    /// characters are refused, naming `field`.
    pub fn param(mut self, field: &str, value: &str) -> Result<Self> {
        require_path_segment(field, value)?;
        self.segments.push(value.to_owned());
        Ok(self)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("cannot encode request: {e}"),
            )
        })?;
        self.json = Some(Bytes::from(bytes));
        Ok(self)
    }
}

/// What an attempt produced: enough to decide on a retry.
trait Answer {
    fn status(&self) -> u16;
    fn retry_after(&self) -> Option<Duration>;
}

impl Answer for RawResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl Answer for HttpResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }
}

/// What a stream's attempt produced: the open 2xx response, or a whole
/// (bounded) error response, read within the attempt's time.
enum StreamAnswer {
    Open(HttpResponse),
    Refused(RawResponse),
}

impl Answer for StreamAnswer {
    fn status(&self) -> u16 {
        match self {
            StreamAnswer::Open(r) => Answer::status(r),
            StreamAnswer::Refused(r) => r.status,
        }
    }
    fn retry_after(&self) -> Option<Duration> {
        match self {
            StreamAnswer::Open(r) => Answer::retry_after(r),
            StreamAnswer::Refused(r) => r.retry_after,
        }
    }
}

/// A streamed response whose head arrived with a 2xx.
pub(crate) struct Opened {
    pub status: u16,
    pub attempts: u32,
    pub stream: ByteStream,
}

/// How a call's attempts went.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Attempts {
    /// Attempts made, the final one included.
    pub count: u32,
    /// An earlier attempt failed in a way that leaves open whether the
    /// server acted on it (no response, or a 5xx).
    pub ambiguous: bool,
}

/// A response as received: status, body (bounded), the retry hint, and the
/// attempts it took.
pub(crate) struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
    /// The `Location` of a 3xx, reported (never followed).
    pub location: Option<String>,
    pub attempts: Attempts,
}

impl RawResponse {
    /// A 2xx response decoded by `decode`, or the API error the status and body give.
    pub fn into_result<T>(
        self,
        decode: impl FnOnce(u16, &[u8]) -> Result<T>,
    ) -> Result<Response<T>> {
        match self.status {
            200..=299 => Ok(Response {
                value: decode(self.status, &self.body)
                    .map_err(|e| e.with_attempts(self.attempts.count))?,
                http_status: self.status,
                body: self.body,
                attempts: self.attempts.count,
            }),
            _ => Err(self.into_error()),
        }
    }

    /// The API error this (non-2xx) response is.
    pub fn into_error(self) -> Error {
        if (300..=399).contains(&self.status) {
            return Error::redirect(self.status, self.location.as_deref(), &self.body)
                .with_attempts(self.attempts.count);
        }
        Error::from_response(self.status, &self.body)
            .with_retry_after(self.retry_after)
            .with_attempts(self.attempts.count)
    }
}

impl Client {
    /// The URL of `call`: each segment percent-encoded as one segment (path
    /// parameters were checked by [`Call::param`]: no dot segment, no
    /// control character), then the query.
    fn url(&self, call: &Call) -> url::Url {
        let mut url = self.inner.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .expect("base URLs are checked to be http(s) with a host");
            path.pop_if_empty();
            for segment in &call.segments {
                path.push(segment);
            }
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        url
    }

    /// Sends `call` under the retry policy and the call's deadline: the one
    /// place requests are sent. Each attempt sends the request and runs
    /// `finish` on the response (reading the body, or just taking the head
    /// for streams). An attempt is retried when the status is retryable or it
    /// failed in transport (before the head, or while reading the body: the
    /// server may have acted on it, which the callers resolve). A `stream`
    /// goes out on the client's own connections, never a fast-path lane's:
    /// its body is read after the call returns.
    async fn send_with<T, F, Fut>(
        &self,
        call: &Call,
        stream: bool,
        finish: F,
    ) -> Result<(T, Attempts)>
    where
        T: Answer,
        F: Fn(HttpResponse) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        if self.is_closed() {
            return Err(closed_error());
        }
        let policy = self.inner.config.retry;
        let request_timeout = self.inner.config.request_timeout;
        let deadline = Instant::now() + policy.deadline;
        let mut attempts = Attempts::default();
        let url = self.url(call);
        // For logs: the encoded path (no raw control character), no query
        // (ids are fine, secrets never travel in URLs).
        let path = url.path().to_owned();
        loop {
            attempts.count += 1;
            let left = deadline.saturating_duration_since(Instant::now());
            let per_attempt = request_timeout.min(left);
            let started = Instant::now();
            log_event!(
                LogLevel::Debug,
                "request start: {} {path} (attempt {})",
                call.method,
                attempts.count
            );
            let resent = std::sync::atomic::AtomicBool::new(false);
            let attempt = async {
                // Waiting for a slot counts against the attempt's time too.
                let _slot = self.inner.in_flight.acquire().await;
                let resp = self.send_once(call, &url, stream).await?;
                resent.store(resp.resent, std::sync::atomic::Ordering::Relaxed);
                finish(resp).await
            };
            let outcome = match tokio::time::timeout(per_attempt, attempt).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no response within {per_attempt:?}"),
                )),
            };
            let secret = self.inner.config.token.expose();
            log_outcome(
                call,
                &path,
                started,
                outcome.as_ref().map(Answer::status),
                secret,
            );
            // Sent twice (after a stale kept connection): the server may
            // have acted on the first, as after a retry.
            if resent.load(std::sync::atomic::Ordering::Relaxed) {
                attempts.ambiguous = true;
            }
            let (reason, hint) = match &outcome {
                Ok(answer) if retryable_status(answer.status()) => {
                    (format!("HTTP {}", answer.status()), answer.retry_after())
                }
                Err(e) if retryable_error(e) => (e.kind().description().to_owned(), None),
                _ => break outcome,
            };
            let wait = policy.backoff(attempts.count, hint);
            let left = deadline.saturating_duration_since(Instant::now());
            if attempts.count >= policy.max_attempts || wait >= left {
                break outcome;
            }
            // A 420 answers "not started"; anything else may have acted.
            if !matches!(&outcome, Ok(a) if a.status() == 420) {
                attempts.ambiguous = true;
            }
            log_event!(
                LogLevel::Warn,
                "retrying {} {path} after {reason} (attempt {} of {}) in {:.0} ms",
                call.method,
                attempts.count + 1,
                policy.max_attempts,
                wait.as_secs_f64() * 1000.0
            );
            // Drop the failed response (and its connection) before waiting.
            drop(outcome);
            tokio::time::sleep(wait).await;
        }
        .map(|answer| (answer, attempts))
        .map_err(|e| e.with_attempts(attempts.count))
    }

    /// Sends one attempt of `call` and returns the response head: on this
    /// thread's fast-path connections when the view has them (JSON calls),
    /// else on the client's.
    async fn send_once(&self, call: &Call, url: &url::Url, stream: bool) -> Result<HttpResponse> {
        let connections = match &self.lane_http {
            Some(lane) if !stream => lane,
            _ => &*self.inner.http,
        };
        let json = call.json.as_ref();
        connections
            .send(&call.method, url, &self.inner.auth, json)
            .await
    }

    /// The one HTTP path for JSON endpoints: sends `call` (retrying per the
    /// policy) and reads the final response body up to the configured cap.
    pub(crate) async fn send(&self, call: Call) -> Result<RawResponse> {
        let limit = self.inner.config.max_response_bytes;
        self.send_limited(call, limit, "").await
    }

    /// As [`Client::send`] with another body cap; `hint` ends the message of
    /// a too-large error. The whole body is read within each attempt's time.
    pub(crate) async fn send_limited(
        &self,
        call: Call,
        limit: usize,
        hint: &'static str,
    ) -> Result<RawResponse> {
        let (mut raw, attempts) = self
            .send_with(&call, false, |resp| read_bounded(resp, limit, hint))
            .await?;
        raw.attempts = attempts;
        Ok(raw)
    }

    /// Sends `call` (retrying per the policy) and, on a 2xx, hands back the
    /// body as a stream read as it arrives (followed logs, artifacts). The
    /// request timeout covers each attempt up to the response head, and for
    /// a non-2xx answer its whole (bounded) body too, which becomes the API
    /// error. After a 2xx head no timeout applies: a followed log may stay
    /// quiet for hours; dropping the stream ends it.
    pub(crate) async fn open_stream(&self, call: Call) -> Result<Opened> {
        let limit = self.inner.config.max_response_bytes;
        let (answer, attempts) = self
            .send_with(&call, true, |resp| async move {
                if (200..300).contains(&resp.status) {
                    Ok(StreamAnswer::Open(resp))
                } else {
                    read_bounded(resp, limit, "")
                        .await
                        .map(StreamAnswer::Refused)
                }
            })
            .await?;
        match answer {
            StreamAnswer::Open(resp) => Ok(Opened {
                status: resp.status,
                attempts: attempts.count,
                stream: ByteStream::spawn(&self.inner.handle, resp),
            }),
            StreamAnswer::Refused(mut raw) => {
                raw.attempts = attempts;
                Err(raw.into_error())
            }
        }
    }
}

/// Logs how a request ended: info for any response, error for no response.
/// `secret` (the token) is redacted from the error's text.
fn log_outcome(
    call: &Call,
    path: &str,
    started: Instant,
    outcome: std::result::Result<u16, &Error>,
    secret: &str,
) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(status) => log_event!(
            LogLevel::Info,
            "request end: {} {path} -> {status} in {ms:.1} ms",
            call.method
        ),
        Err(e) => log_event!(
            LogLevel::Error,
            "request failed: {} {path} after {ms:.1} ms: {}",
            call.method,
            crate::error::redact_text(&e.to_string(), secret)
        ),
    }
}

/// Reads a whole response body, failing once it passes `limit` bytes. The
/// declared `Content-Length` only refuses early; nothing is allocated from
/// it (a server may declare an exabyte), the cap applies as the body streams.
async fn read_bounded(
    mut resp: HttpResponse,
    limit: usize,
    hint: &'static str,
) -> Result<RawResponse> {
    let status = resp.status;
    let retry_after = retry_after(&resp.headers);
    let location = resp.headers.get(LOCATION).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .escape_debug()
            .to_string()
    });
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(status, limit, hint));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large(status, limit, hint));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse {
        status,
        body,
        retry_after,
        location,
        attempts: Attempts::default(),
    })
}

/// A `Retry-After` in seconds (the HTTP-date form is not used by the API).
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn too_large(status: u16, limit: usize, hint: &str) -> Error {
    Error::decode(
        status,
        format!("response body exceeds the {limit}-byte limit{hint}"),
        b"",
    )
}
