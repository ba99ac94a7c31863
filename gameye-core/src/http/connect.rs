//! Opening a connection along a route: TCP to the first address that
//! answers, TLS to an https proxy, a CONNECT tunnel through the proxy to an
//! https origin, then TLS to the origin. All of it within the connect
//! timeout.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::route::{Endpoint, Route};
use super::transport::{Socket, Transport};
use crate::diagnostics::{log_event, LogLevel};
use crate::error::{message_with_causes, Error, ErrorKind, Result};

/// Largest CONNECT answer head read from a proxy.
const MAX_TUNNEL_HEAD: usize = 16 * 1024;

/// Opens a transport to the route's origin.
pub(crate) async fn open(
    route: &Route,
    tls: &Arc<rustls::ClientConfig>,
    url: &url::Url,
) -> Result<Transport> {
    let Some(proxy) = &route.proxy else {
        let socket = tcp(&route.origin, url).await?;
        return if route.origin.tls {
            handshake(tls, &route.origin, socket, url)
                .await
                .map(Transport::Tls)
        } else {
            Ok(Transport::Plain(socket))
        };
    };
    let socket = tcp(&proxy.endpoint, url).await?;
    let mut io = if proxy.endpoint.tls {
        Transport::Tls(handshake(tls, &proxy.endpoint, socket, url).await?)
    } else {
        Transport::Plain(socket)
    };
    if !route.origin.tls {
        // Plain http through a proxy: requests go to it in absolute form.
        return Ok(io);
    }
    tunnel(&mut io, route, proxy.auth.as_ref(), url).await?;
    Ok(match io {
        // A tunnel through a plain proxy: TLS straight over the socket.
        Transport::Plain(socket) => {
            Transport::Tls(handshake(tls, &route.origin, socket, url).await?)
        }
        io => Transport::Nested(handshake(tls, &route.origin, io, url).await?),
    })
}

/// TCP to each resolved address of `to` in turn.
async fn tcp(to: &Endpoint, url: &url::Url) -> Result<Socket> {
    let addrs = tokio::net::lookup_host((to.host.as_str(), to.port))
        .await
        .map_err(|e| connect_error(url, "dns error", e))?;
    let mut last = None;
    for addr in addrs {
        match tokio::net::TcpStream::connect(addr).await {
            Ok(stream) => {
                // Requests are small and answered at once.
                let _ = stream.set_nodelay(true);
                return Ok(Socket::new(stream));
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| std::io::Error::other("the host has no address"));
    Err(connect_error(url, "tcp connect error", e))
}

/// A TLS handshake with `to` over `io`, verifying its certificate.
async fn handshake<IO>(
    tls: &Arc<rustls::ClientConfig>,
    to: &Endpoint,
    io: IO,
    url: &url::Url,
) -> Result<Box<tokio_rustls::client::TlsStream<IO>>>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let name = ServerName::try_from(to.host.clone()).map_err(|e| {
        Error::new(
            ErrorKind::Tls,
            format!(
                "error sending request for url ({url}): invalid TLS server name {:?}: {e}",
                to.host
            ),
        )
    })?;
    let stream = tokio_rustls::TlsConnector::from(Arc::clone(tls))
        .connect(name, io)
        .await
        .map_err(|e| {
            let message = format!(
                "error sending request for url ({url}): tls handshake with {}: {}",
                to.host,
                message_with_causes(&e)
            );
            Error::new(ErrorKind::Tls, message).with_source(e)
        })?;
    let resumed = matches!(
        stream.get_ref().1.handshake_kind(),
        Some(rustls::HandshakeKind::Resumed)
    );
    log_event!(
        LogLevel::Debug,
        "tls: {} handshake with {}:{}",
        if resumed { "resumed" } else { "full" },
        to.host,
        to.port
    );
    Ok(Box::new(stream))
}

/// Asks the proxy on `io` for a tunnel to the origin (`CONNECT`), and reads
/// its answer: anything but 2xx fails the connect, naming the status.
async fn tunnel(
    io: &mut Transport,
    route: &Route,
    auth: Option<&http::HeaderValue>,
    url: &url::Url,
) -> Result<()> {
    let origin = &route.origin;
    let authority = if origin.host.contains(':') {
        format!("[{}]:{}", origin.host, origin.port)
    } else {
        format!("{}:{}", origin.host, origin.port)
    };
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
    if let Some(auth) = auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let proxy_error = |what: String| {
        Error::new(
            ErrorKind::Connect,
            format!("error sending request for url ({url}): proxy tunnel: {what}"),
        )
    };
    io.write_all(&head)
        .await
        .map_err(|e| proxy_error(e.to_string()))?;
    io.flush().await.map_err(|e| proxy_error(e.to_string()))?;
    // Byte by byte up to the blank line: nothing of the tunnel's own
    // traffic may be read into a buffer of ours.
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_TUNNEL_HEAD {
            return Err(proxy_error("the proxy's answer head is too large".into()));
        }
        let byte = io
            .read_u8()
            .await
            .map_err(|e| proxy_error(format!("the proxy closed the connection: {e}")))?;
        answer.push(byte);
    }
    let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let status = line.split_whitespace().nth(1).unwrap_or("");
    if status.len() == 3 && status.starts_with('2') {
        Ok(())
    } else {
        Err(proxy_error(format!(
            "the proxy refused: {}",
            line.escape_debug()
        )))
    }
}

pub(crate) fn connect_error(url: &url::Url, what: &str, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Connect,
        format!("error sending request for url ({url}): {what}: {e}"),
    )
    .with_source(e)
}
