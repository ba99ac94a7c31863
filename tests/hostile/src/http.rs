//! Just enough HTTP/1.1 for a server that misbehaves on purpose: requests
//! are parsed by hand (heads, `Content-Length` and chunked bodies) and
//! answers are written as raw bytes, so every listener controls each byte it
//! sends and when it closes or resets the connection.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

/// Caps what the server reads, so a test cannot make it allocate without bound.
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Once a request's first byte arrived, the rest of it must follow within this.
const REQUEST_TIME: Duration = Duration::from_secs(10);

/// One accepted connection, plain or TLS.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(tcp) => tcp,
            Conn::Tls(tls) => tls.get_ref().0,
        }
    }

    /// Closes with a TCP reset (SO_LINGER 0) instead of a FIN: what a
    /// server or load balancer that drops a connection mid-request does.
    pub(crate) fn reset(self) {
        let _ = socket2::SockRef::from(self.tcp()).set_linger(Some(Duration::ZERO));
        drop(self);
    }

    /// Writes all of `bytes` and flushes them to the socket.
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes).await?;
        self.flush().await
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, b),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, b),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A request as received.
#[derive(Debug, Default)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The bearer token the request carried ("" when none): what the echo
    /// listeners send back.
    pub(crate) fn token(&self) -> String {
        let auth = self.header("authorization").unwrap_or("");
        auth.strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or(auth)
            .to_owned()
    }

    /// The body as JSON, or `Null`.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A string field of the JSON body.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        self.json().get(name)?.as_str().map(str::to_owned)
    }
}

/// Reads one request head from `conn`, with what is already in `buf`.
/// Returns `None` when the peer closes, or sends nothing within `idle`,
/// before the first byte of a request.
pub(crate) async fn read_head(
    conn: &mut Conn,
    buf: &mut Vec<u8>,
    idle: Duration,
) -> io::Result<Option<Request>> {
    if buf.is_empty() && !fill(conn, buf, idle).await? {
        return Ok(None);
    }
    let end = tokio::time::timeout(REQUEST_TIME, async {
        loop {
            if let Some(end) = find(buf, b"\r\n\r\n") {
                return Ok(end + 4);
            }
            if buf.len() > MAX_HEAD {
                return Err(io::Error::other("request head too large"));
            }
            if !fill(conn, buf, REQUEST_TIME).await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    })
    .await
    .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    let head: Vec<u8> = buf.drain(..end).collect();
    Ok(Some(parse_head(&String::from_utf8_lossy(&head))?))
}

fn parse_head(head: &str) -> io::Result<Request> {
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(path)) = (first.next(), first.next()) else {
        return Err(io::Error::other("bad request line"));
    };
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Request {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: Vec::new(),
    })
}

/// Reads the body the head announced (`Content-Length` or chunked).
pub(crate) async fn read_body(
    conn: &mut Conn,
    buf: &mut Vec<u8>,
    req: &mut Request,
) -> io::Result<()> {
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let length: usize = req
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    tokio::time::timeout(REQUEST_TIME, async {
        if chunked {
            req.body = read_chunked(conn, buf).await?;
        } else {
            if length > MAX_BODY {
                return Err(io::Error::other("request body too large"));
            }
            while buf.len() < length {
                if !fill(conn, buf, REQUEST_TIME).await? {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
            req.body = buf.drain(..length).collect();
        }
        Ok(())
    })
    .await
    .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
}

async fn read_chunked(conn: &mut Conn, buf: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buf, b"\r\n") {
                break i;
            }
            if !fill(conn, buf, REQUEST_TIME).await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| io::Error::other("bad chunk size"))?;
        if body.len() + size > MAX_BODY {
            return Err(io::Error::other("request body too large"));
        }
        // The chunk, then its CRLF (the last chunk: the final CRLF).
        while buf.len() < line_end + 2 + size + 2 {
            if !fill(conn, buf, REQUEST_TIME).await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        body.extend_from_slice(&buf[line_end + 2..line_end + 2 + size]);
        buf.drain(..line_end + 2 + size + 2);
        if size == 0 {
            return Ok(body);
        }
    }
}

/// Reads more into `buf`; false on EOF or when nothing arrives within `wait`.
async fn fill(conn: &mut Conn, buf: &mut Vec<u8>, wait: Duration) -> io::Result<bool> {
    let mut chunk = [0u8; 16 * 1024];
    match tokio::time::timeout(wait, conn.read(&mut chunk)).await {
        Err(_) | Ok(Ok(0)) => Ok(false),
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(true)
        }
        Ok(Err(e)) => Err(e),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Waits until the peer closes the connection (or `limit` passes), reading
/// and discarding whatever it sends.
pub(crate) async fn until_closed(conn: &mut Conn, limit: Duration) {
    let mut sink = [0u8; 16 * 1024];
    let _ = tokio::time::timeout(limit, async {
        while matches!(conn.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// An HTTP/1.1 response: status line, `headers`, a `content-length` (unless
/// `headers` frame the body themselves) and `body`. No `connection` header
/// unless given: the listeners that close do so without saying it.
pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    let framed = headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
    });
    if !framed {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A JSON response.
pub(crate) fn json(status: u16, body: &serde_json::Value) -> Vec<u8> {
    response(
        status,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        420 => "Enhance Your Calm",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
