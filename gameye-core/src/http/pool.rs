//! Kept connections and sending on them: the one connection layer for
//! plain http and https, direct or through a proxy, for JSON calls and
//! streams alike.
//!
//! - A request goes out on the most recently used idle connection that has
//!   idled less than `idle_timeout` and that the server did not close
//!   (asked of the socket itself, see `transport::still_open`); else on a
//!   fresh one.
//! - A kept connection can still die under the request (the server's FIN
//!   races the check). When a request on a reused connection fails before
//!   any byte of an answer arrived, it is sent once more, at once, on a
//!   fresh connection: no attempt of the retry policy is spent and no
//!   backoff waited (as libcurl and hyper's pool do). The response says so
//!   (`resent`), since the server may have acted on the first.
//! - Each connection is driven by the call using it (the send, then the
//!   response body), so no task of its own is woken per request.
//! - Writes never raise SIGPIPE (`transport::Socket`).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, PROXY_AUTHORIZATION, USER_AGENT};
use http::{HeaderValue, Method};
use hyper_util::rt::TokioIo;

use super::body::HttpResponse;
use super::conn::{poll_driver, Driver, KeepAlive, Open};
use super::payload::Payload;
use super::route::Route;
use super::transport::{still_open, Counted};
use crate::config::ValidClientConfig;
use crate::diagnostics::{log_event, LogLevel};
use crate::error::{message_with_causes, Error, ErrorKind, Result};

/// A client's connections. Cheap to clone; [`Connections::own_pool`] gives
/// one with the same route and TLS settings (and TLS session cache) but
/// connections of its own, for one thread's fast path.
#[derive(Clone)]
pub(crate) struct Connections {
    pool: Arc<Pool>,
}

/// What every pool of one client shares.
struct Shared {
    route: Route,
    tls: Arc<rustls::ClientConfig>,
    connect_timeout: Duration,
    idle_timeout: Duration,
}

/// Connections between requests, and where they go.
pub(crate) struct Pool {
    shared: Arc<Shared>,
    kept: Mutex<Kept>,
    /// How many idle connections are kept.
    max_idle: usize,
}

struct Idle {
    conn: Open,
    since: Instant,
}

#[derive(Default)]
struct Kept {
    /// The most recently used last.
    idle: Vec<Idle>,
    /// Set by [`Connections::close`]: nothing is kept any more.
    closed: bool,
}

impl Connections {
    /// The connections of a client of `valid`; at most `max_idle`
    /// are kept between calls.
    pub(crate) fn new(valid: &ValidClientConfig, max_idle: usize) -> Result<Self> {
        let config = valid.config();
        let shared = Shared {
            route: Route::new(valid)?,
            tls: super::tls::client_config(config)?,
            connect_timeout: config.connect_timeout,
            idle_timeout: config.idle_timeout,
        };
        Ok(Connections::with(Arc::new(shared), max_idle))
    }

    fn with(shared: Arc<Shared>, max_idle: usize) -> Self {
        Connections {
            pool: Arc::new(Pool {
                shared,
                kept: Mutex::default(),
                max_idle,
            }),
        }
    }

    /// Connections of their own (at most `max_idle` kept), on the same route
    /// with the same TLS settings and session cache.
    pub(crate) fn own_pool(&self, max_idle: usize) -> Connections {
        Connections::with(Arc::clone(&self.pool.shared), max_idle)
    }

    /// Sends one request to `url` (whose origin is the route's) and returns
    /// the response head with its body still to read. Runs on a tokio
    /// runtime (a fast-path lane's or the client's).
    pub(crate) async fn send(
        &self,
        method: &Method,
        url: &url::Url,
        auth: &HeaderValue,
        json: Option<&Bytes>,
    ) -> Result<HttpResponse> {
        let request = || self.request(method, url, auth, json);
        let mut req = request()?;
        let mut resent = false;
        if let Some(mut conn) = self.take_idle() {
            // A connection that closed meanwhile fails `ready`, or gives the
            // request back unsent; either way a fresh connection takes it.
            if drive(&mut conn.driver, conn.sender.ready()).await.is_ok() {
                let before = conn.read.load(Ordering::Relaxed);
                match drive(&mut conn.driver, conn.sender.try_send_request(req)).await {
                    Ok(resp) => return Ok(self.answer(conn, resp, false)),
                    Err(mut e) => match e.take_message() {
                        Some(unsent) => req = unsent,
                        None if conn.read.load(Ordering::Relaxed) == before => {
                            // Sent, and the connection died with no byte of
                            // an answer: it was stale. Once more, fresh.
                            log_event!(
                                LogLevel::Debug,
                                "kept connection failed before any answer ({}); sending again on a new one",
                                message_with_causes(&e.into_error())
                            );
                            req = request()?;
                            resent = true;
                        }
                        None => return Err(send_error(url, e.into_error())),
                    },
                }
            }
        }
        let mut conn = self.connect(url).await?;
        match drive(&mut conn.driver, conn.sender.send_request(req)).await {
            Ok(resp) => Ok(self.answer(conn, resp, resent)),
            Err(e) => Err(send_error(url, e)),
        }
    }

    fn request(
        &self,
        method: &Method,
        url: &url::Url,
        auth: &HeaderValue,
        json: Option<&Bytes>,
    ) -> Result<http::Request<Payload>> {
        let route = &self.pool.shared.route;
        let target = if route.absolute_form() {
            url.as_str()
        } else {
            &url[url::Position::BeforePath..]
        };
        let mut builder = http::Request::builder()
            .method(method.clone())
            .uri(target)
            .header(HOST, route.host_header.clone())
            .header(
                USER_AGENT,
                HeaderValue::from_static(crate::config::USER_AGENT),
            )
            .header(ACCEPT, HeaderValue::from_static("*/*"))
            .header(AUTHORIZATION, auth.clone());
        if route.absolute_form() {
            if let Some(auth) = route.proxy.as_ref().and_then(|p| p.auth.clone()) {
                builder = builder.header(PROXY_AUTHORIZATION, auth);
            }
        }
        if json.is_some() {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        builder.body(Payload::new(json.cloned())).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("cannot build request: {e}"),
            )
        })
    }

    /// Closes the idle connections, and each in use once its call ends.
    pub(crate) fn close(&self) {
        let mut kept = self.pool.lock();
        kept.closed = true;
        kept.idle.clear();
    }

    /// Wraps the response; its body drives the connection while it is read
    /// and, once read to the end, gives the connection back for reuse.
    fn answer(
        &self,
        conn: Open,
        resp: http::Response<hyper::body::Incoming>,
        resent: bool,
    ) -> HttpResponse {
        let (head, body) = resp.into_parts();
        let home: Arc<dyn KeepAlive> = self.pool.clone();
        HttpResponse::new(head, body, conn, home, resent)
    }

    /// The most recently used idle connection that did not idle too long
    /// and that the server did not close.
    fn take_idle(&self) -> Option<Open> {
        let limit = self.pool.shared.idle_timeout;
        loop {
            let idle = self.pool.lock().idle.pop()?;
            if idle.since.elapsed() < limit && still_open(idle.conn.socket) {
                return Some(idle.conn);
            }
        }
    }

    /// Opens a connection (TCP, proxy, TLS, then HTTP/1.1) within the
    /// connect timeout.
    async fn connect(&self, url: &url::Url) -> Result<Open> {
        let shared = &*self.pool.shared;
        let limit = shared.connect_timeout;
        let opening = async {
            let io = super::connect::open(&shared.route, &shared.tls, url).await?;
            let socket = io.socket().raw();
            let read = Arc::new(AtomicU64::new(0));
            let counted = Counted {
                io,
                read: Arc::clone(&read),
            };
            let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(counted))
                .await
                .map_err(|e| send_error(url, e))?;
            Ok(Open {
                sender,
                driver: Some(Box::pin(driver)),
                socket,
                read,
            })
        };
        tokio::time::timeout(limit, opening).await.map_err(|_| {
            Error::new(
                ErrorKind::Timeout,
                format!("error sending request for url ({url}): connect timed out after {limit:?}"),
            )
        })?
    }
}

impl Pool {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl KeepAlive for Pool {
    /// Keeps a connection whose response was read to the end.
    fn give_back(&self, conn: Open) {
        let mut kept = self.lock();
        if kept.closed || self.max_idle == 0 {
            return;
        }
        if kept.idle.len() >= self.max_idle {
            // The oldest goes: the others are warmer.
            kept.idle.remove(0);
        }
        kept.idle.push(Idle {
            conn,
            since: Instant::now(),
        });
    }
}

/// Runs `fut` while polling the connection's driver, which does the reads
/// and writes `fut` waits for.
async fn drive<F: Future>(driver: &mut Option<Driver>, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        poll_driver(driver, cx);
        fut.as_mut().poll(cx)
    })
    .await
}

/// A hyper error while sending or awaiting the head: the cause chain says
/// what happened (a TLS failure is reported as such).
fn send_error(url: &url::Url, e: hyper::Error) -> Error {
    let message = format!(
        "error sending request for url ({url}): {}",
        message_with_causes(&e)
    );
    let kind = if crate::error::caused_by_tls(&e) {
        ErrorKind::Tls
    } else {
        ErrorKind::Transport
    };
    Error::new(kind, message).with_source(e)
}
