//! HTTP/1.1 connections of our own, for a plain `http://` base URL with no
//! proxy (the emulator, a sidecar, a local gateway): what JSON calls are
//! sent on there, by the blocking fast path (one connection per lane) and
//! by the client's runtime (a few kept connections).
//!
//! This skips what reqwest adds per request that these calls do not use:
//! its redirect layer (which parses the URL again even with redirects off),
//! its pool's hashed checkout and connection task, and a second URL parse
//! for `Response::url`; together about 40% of a create's instructions
//! (BENCHMARKS.md, "C sequential create"). Each connection is driven by the
//! call using it (the send, then the response body), so no task of its own
//! is woken per request. TLS, proxies and streams go through reqwest.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, USER_AGENT};
use reqwest::ResponseBuilderExt;

use crate::config::ClientConfig;
use crate::error::{message_with_causes, Error, ErrorKind, Result};

/// Connections to the base URL's host, kept between calls. Cheap to clone:
/// the view a fast call runs with holds a clone.
#[derive(Clone)]
pub(crate) struct PlainHttp {
    inner: Arc<Target>,
}

struct Target {
    host: String,
    port: u16,
    /// `Host` header: the base URL's host, and its port when not 80.
    host_header: HeaderValue,
    connect_timeout: Duration,
    /// As reqwest's `pool_idle_timeout`: an idle connection older than this
    /// is closed rather than reused.
    idle_timeout: Duration,
    /// Connections between requests (each taken out while one is sent).
    kept: Mutex<Kept>,
    /// How many idle connections are kept.
    max_idle: usize,
}

/// A connection: its request sender and the connection's driver, which
/// is polled by whatever waits on the connection (the send, then the
/// response body), so no task of its own is spawned or woken.
struct Open {
    sender: SendRequest<reqwest::Body>,
    /// Dropped once it ends: its pending requests then fail at once.
    driver: Option<Driver>,
    /// The driver owns the socket; this is its number, for the liveness
    /// check while the connection is idle.
    socket: RawSocket,
}

type Driver = Pin<Box<Connection<TokioIo<tokio::net::TcpStream>, reqwest::Body>>>;

struct Idle {
    conn: Open,
    since: Instant,
}

#[derive(Default)]
struct Kept {
    /// The most recently used last.
    idle: Vec<Idle>,
    /// Set by [`PlainHttp::close`]: nothing is kept any more.
    closed: bool,
}

#[cfg(unix)]
type RawSocket = std::os::fd::RawFd;
#[cfg(windows)]
type RawSocket = std::os::windows::io::RawSocket;

impl PlainHttp {
    /// Connections for `base`, when it is plain `http://` and no proxy may
    /// apply (none configured, none taken from the environment); at most
    /// `max_idle` are kept between calls. Otherwise `None`: reqwest then
    /// sends every request.
    pub(crate) fn for_base(
        base: &url::Url,
        config: &ClientConfig,
        max_idle: usize,
    ) -> Option<PlainHttp> {
        if base.scheme() != "http" || config.proxy.is_some() || config.proxy_from_env {
            return None;
        }
        let host = match base.host()? {
            url::Host::Domain(d) => d.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let port = base.port_or_known_default()?;
        let header = match base.port() {
            Some(p) => format!("{}:{p}", base.host_str()?),
            None => base.host_str()?.to_owned(),
        };
        Some(PlainHttp {
            inner: Arc::new(Target {
                host,
                port,
                host_header: HeaderValue::from_str(&header).ok()?,
                connect_timeout: config.connect_timeout,
                idle_timeout: config.idle_timeout,
                kept: Mutex::default(),
                max_idle,
            }),
        })
    }

    /// Sends one request to `url` (whose host is this connection's) and
    /// returns the response head with its body still to read, as a
    /// `reqwest::Response`, so that the rest of the client treats both paths
    /// alike. Runs on a tokio runtime (the lane's or the client's).
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        url: &url::Url,
        auth: &HeaderValue,
        json: Option<&Bytes>,
    ) -> Result<reqwest::Response> {
        let mut req = self.request(method, url, auth, json)?;
        if let Some(mut conn) = self.take_idle() {
            // A connection that closed meanwhile fails `ready`, or gives the
            // request back unsent; either way a fresh connection takes it.
            if drive(&mut conn.driver, conn.sender.ready()).await.is_ok() {
                match drive(&mut conn.driver, conn.sender.try_send_request(req)).await {
                    Ok(resp) => return Ok(self.answer(conn, resp, url)),
                    Err(mut e) => match e.take_message() {
                        Some(unsent) => req = unsent,
                        None => return Err(send_error(url, e.into_error())),
                    },
                }
            }
        }
        let mut conn = self.connect(url).await?;
        match drive(&mut conn.driver, conn.sender.send_request(req)).await {
            Ok(resp) => Ok(self.answer(conn, resp, url)),
            Err(e) => Err(send_error(url, e)),
        }
    }

    fn request(
        &self,
        method: reqwest::Method,
        url: &url::Url,
        auth: &HeaderValue,
        json: Option<&Bytes>,
    ) -> Result<http::Request<reqwest::Body>> {
        let builder = http::Request::builder()
            .method(method)
            .uri(&url[url::Position::BeforePath..])
            .header(HOST, self.inner.host_header.clone())
            .header(
                USER_AGENT,
                HeaderValue::from_static(crate::config::USER_AGENT),
            )
            .header(ACCEPT, HeaderValue::from_static("*/*"))
            .header(AUTHORIZATION, auth.clone());
        let built = match json {
            Some(body) => builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(reqwest::Body::from(body.clone())),
            None => builder.body(reqwest::Body::from(Bytes::new())),
        };
        built.map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("cannot build request: {e}"),
            )
        })
    }

    /// Closes the idle connections, and each in use once its call ends.
    pub(crate) fn close(&self) {
        let mut kept = self.inner.lock();
        kept.closed = true;
        kept.idle.clear();
    }

    /// Wraps the response; its body drives the connection while it is read
    /// and, once read to the end, gives the connection back for reuse.
    fn answer(
        &self,
        conn: Open,
        resp: http::Response<hyper::body::Incoming>,
        url: &url::Url,
    ) -> reqwest::Response {
        let (parts, body) = resp.into_parts();
        let body = DrivenBody {
            body,
            conn: Some(conn),
            home: Arc::clone(&self.inner),
        };
        // The URL given here spares reqwest parsing a placeholder one.
        let mut head = http::Response::builder()
            .status(parts.status)
            .version(parts.version)
            .url(url.clone());
        if let Some(headers) = head.headers_mut() {
            *headers = parts.headers;
        }
        let resp = head
            .body(reqwest::Body::wrap(body))
            .expect("a status and headers taken from a response are valid");
        reqwest::Response::from(resp)
    }

    /// The most recently used idle connection that did not idle too long
    /// and that the server did not close. Nothing polls an idle connection,
    /// so its driver has not seen a close: the socket is asked directly,
    /// rather than writing a request the server will never read.
    fn take_idle(&self) -> Option<Open> {
        loop {
            let idle = self.inner.lock().idle.pop()?;
            if idle.since.elapsed() < self.inner.idle_timeout && still_open(idle.conn.socket) {
                return Some(idle.conn);
            }
        }
    }

    /// Opens a connection: each resolved address in turn, each within the
    /// connect timeout.
    async fn connect(&self, url: &url::Url) -> Result<Open> {
        let target = &*self.inner;
        let limit = target.connect_timeout;
        let connecting = async {
            let addrs = tokio::net::lookup_host((target.host.as_str(), target.port))
                .await
                .map_err(|e| connect_error(url, "dns error", e))?;
            let mut last = None;
            for addr in addrs {
                match tokio::net::TcpStream::connect(addr).await {
                    Ok(stream) => return Ok(stream),
                    Err(e) => last = Some(e),
                }
            }
            let e = last.unwrap_or_else(|| std::io::Error::other("the host has no address"));
            Err(connect_error(url, "tcp connect error", e))
        };
        let stream = tokio::time::timeout(limit, connecting)
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "error sending request for url ({url}): connect timed out after {limit:?}"
                    ),
                )
            })??;
        // As reqwest: requests are small and answered at once.
        let _ = stream.set_nodelay(true);
        #[cfg(unix)]
        let socket = std::os::fd::AsRawFd::as_raw_fd(&stream);
        #[cfg(windows)]
        let socket = std::os::windows::io::AsRawSocket::as_raw_socket(&stream);
        let io = TokioIo::new(stream);
        let (sender, driver) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| send_error(url, e))?;
        Ok(Open {
            sender,
            driver: Some(Box::pin(driver)),
            socket,
        })
    }
}

impl Target {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a connection whose response was read to the end.
    fn give_back(&self, conn: Open) {
        let mut kept = self.lock();
        if kept.closed {
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

/// Polls the driver; drops it when it ends (the connection closed), which
/// fails what still waits on it with hyper's error rather than leaving it
/// waiting.
fn poll_driver(driver: &mut Option<Driver>, cx: &mut Context<'_>) {
    if let Some(d) = driver {
        if d.as_mut().poll(cx).is_ready() {
            *driver = None;
        }
    }
}

/// A response body that drives its connection while it is read. Read to
/// the end, it gives the connection back; dropped before,
/// the connection closes with it (the rest of the body would be read by
/// no one).
struct DrivenBody {
    body: hyper::body::Incoming,
    /// `None` once given back.
    conn: Option<Open>,
    home: Arc<Target>,
}

impl http_body::Body for DrivenBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        if let Some(conn) = &mut this.conn {
            poll_driver(&mut conn.driver, cx);
        }
        let frame = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(None) = frame {
            // Reusable only while its driver runs.
            if let Some(conn) = this.conn.take().filter(|c| c.driver.is_some()) {
                this.home.give_back(conn);
            }
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Whether an idle connection's socket is still open for a request: no
/// end of stream and nothing unasked-for waiting (a server that times an
/// idle connection out may say so with a 408 before it closes).
fn still_open(socket: RawSocket) -> bool {
    // SAFETY: the socket is owned by the idle connection's driver, which the
    // caller holds: it stays open while borrowed here.
    #[cfg(unix)]
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(socket) };
    #[cfg(windows)]
    let borrowed = unsafe { std::os::windows::io::BorrowedSocket::borrow_raw(socket) };
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
    // The socket is non-blocking (tokio's): nothing to read is WouldBlock.
    match socket2::SockRef::from(&borrowed).peek(&mut byte) {
        Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
        Ok(_) => false,
    }
}

fn connect_error(url: &url::Url, what: &str, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Connect,
        format!("error sending request for url ({url}): {what}: {e}"),
    )
    .with_source(e)
}

/// A hyper error while sending or awaiting the head: the cause chain says
/// what happened.
fn send_error(url: &url::Url, e: hyper::Error) -> Error {
    let message = format!(
        "error sending request for url ({url}): {}",
        message_with_causes(&e)
    );
    Error::new(ErrorKind::Transport, message).with_source(e)
}
