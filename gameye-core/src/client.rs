//! The HTTP client: one reqwest connection pool driven by a tokio runtime the
//! client owns. Every endpoint goes through [`Client::send`], the one HTTP path;
//! the blocking calls drive the same futures as the async ones.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;

use crate::config::{ClientConfig, USER_AGENT};
use crate::error::{Error, ErrorKind, Result};
use crate::request::SessionRun;
use crate::response::{Response, Session};

/// A Gameye API client. Cheap to clone (one `Arc`), `Send + Sync`: share one
/// per process so every call reuses its connections.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    /// The base URL without a trailing slash; endpoint paths are appended.
    base: String,
    auth: HeaderValue,
    max_response_bytes: usize,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let Some(rt) = self.runtime.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Inside an async context (possibly on one of our own workers) a
            // blocking shutdown would panic; the workers exit on their own.
            rt.shutdown_background();
        } else {
            // Join the I/O threads so that freeing a client releases everything.
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// A response as received: status, body (bounded), and the retry hint.
pub(crate) struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
}

impl RawResponse {
    /// A 2xx response decoded by `decode`, or the API error the status and body give.
    fn into_result<T>(self, decode: impl FnOnce(u16, &[u8]) -> Result<T>) -> Result<Response<T>> {
        match self.status {
            200..=299 => Ok(Response {
                value: decode(self.status, &self.body)?,
                http_status: self.status,
                body: self.body,
            }),
            status => {
                Err(Error::from_response(status, &self.body).with_retry_after(self.retry_after))
            }
        }
    }
}

impl Client {
    /// Creates a client after checking the configuration.
    pub fn new(config: ClientConfig) -> Result<Client> {
        config.validate()?;
        let base = config
            .parsed_base_url()?
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose()))
            .map_err(|_| {
                Error::invalid_config("token", "must be printable ASCII without spaces")
            })?;
        // Marks the header as secret for reqwest and hyper (kept out of their logs).
        auth.set_sensitive(true);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("gameye-io")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("cannot start I/O threads: {e}"),
                )
            })?;
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .https_only(false)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    format!("cannot build HTTP client: {e}"),
                )
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                handle: runtime.handle().clone(),
                runtime: Some(runtime),
                base,
                auth,
                max_response_bytes: config.max_response_bytes,
            }),
        })
    }

    /// The base URL requests go to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// Starts a session (`POST /session`), blocking the calling thread.
    ///
    /// The request is validated first. When it has no `id`, a UUIDv4 is
    /// generated before sending, so the returned [`Session::id`] is known even
    /// if the server's answer omits it.
    pub fn create_session(&self, request: SessionRun) -> Result<Response<Session>> {
        self.block_on(self.clone().create_session_owned(request))
    }

    /// Starts a session (`POST /session`) from async code. The I/O runs on the
    /// client's own runtime, so any executor may await it.
    pub async fn create_session_async(&self, request: SessionRun) -> Result<Response<Session>> {
        self.spawn(self.clone().create_session_owned(request)).await
    }

    async fn create_session_owned(self, mut request: SessionRun) -> Result<Response<Session>> {
        request.validate()?;
        let id = request
            .id
            .get_or_insert_with(|| uuid::Uuid::new_v4().to_string())
            .clone();
        let body = serde_json::to_vec(&request).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("cannot encode request: {e}"),
            )
        })?;
        let resp = self.send(Method::POST, "/session", Some(body)).await?;
        resp.into_result(|status, body| Session::decode_created(status, body, &id))
    }

    /// The one HTTP path: sends a request with the bearer token and reads the
    /// response body up to the configured cap.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        json: Option<Vec<u8>>,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let mut req = inner
            .http
            .request(method, format!("{}{}", inner.base, path))
            .header(AUTHORIZATION, inner.auth.clone());
        if let Some(body) = json {
            req = req
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body);
        }
        let mut resp = req.send().await.map_err(transport_error)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let limit = inner.max_response_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(status, limit));
        }
        let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large(status, limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            body,
            retry_after,
        })
    }

    /// Runs `fut` to completion on the calling thread, with the client's
    /// runtime providing I/O. Inside another runtime (where `block_on` would
    /// panic) the future runs on the client's runtime and this thread waits.
    fn block_on<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.inner.handle.block_on(fut);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.inner.handle.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv()
            .expect("the client's runtime dropped a running call")
    }

    /// Runs `fut` on the client's runtime and awaits it from any executor.
    /// A panic inside it resumes in the caller, where the FFI boundary catches it.
    async fn spawn<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.inner.handle.spawn(fut).await {
            Ok(out) => out,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("the client's runtime cancelled a running call: {e}"),
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

fn too_large(status: u16, limit: usize) -> Error {
    Error::decode(
        status,
        format!("response body exceeds the {limit}-byte limit"),
        b"",
    )
}

/// Classifies a reqwest failure: timeout, TLS, connect, or other transport.
fn transport_error(e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if is_tls(&e) {
        ErrorKind::Tls
    } else if e.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::Transport
    };
    // reqwest's own message is generic ("error sending request"); the cause
    // chain says what happened. The URL in it holds no secret.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    Error::new(kind, message).with_source(e)
}

fn is_tls(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if is_rustls(s) {
            return true;
        }
        source = s.source();
    }
    false
}

/// Whether `e` is a rustls error, possibly wrapped in (nested) `io::Error`s,
/// whose `source()` skips the wrapped error.
fn is_rustls(mut e: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if e.is::<rustls::Error>() {
            return true;
        }
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => e = inner,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_hides_token() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
        let c = Client::new(ClientConfig::new("s3cr3t")).unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(c.base_url(), crate::config::SANDBOX_URL);
    }
}
