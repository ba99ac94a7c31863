//! Control over the TCP connection beneath axum, for the faults that close it.
//!
//! axum hands a handler a request, not its connection, so the listener wraps
//! every accepted socket in a [`ConnIo`] that shares a [`ConnCtl`] with the
//! requests arriving on it (through axum's `ConnectInfo`). A handler that
//! wants the connection gone marks it dead before it returns: from then on
//! every write fails without reaching the socket, so not a byte of the
//! response leaves; hyper gives up on the connection at its first write, and
//! dropping the socket closes it (or resets it, if asked). This does not
//! depend on how hyper buffers or orders its writes.
//!
//! Over https the TLS stream (`tls`) sits on top of the [`ConnIo`], so the
//! same holds: a dead connection sends no TLS record either.
//!
//! With an idle timeout ([`crate::EmulatorConfig::idle_timeout_ms`]), a
//! connection on which no byte of HTTP moved either way for that long is
//! closed, as a load balancer closes idle connections: its next read sees
//! the end of the stream, so hyper closes the connection (cleanly: over TLS
//! with close_notify).
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

use crate::tls::{TlsIo, TlsServer};

const ALIVE: u8 = 0;
/// Dead: close with FIN when dropped.
const DEAD_CLOSE: u8 = 1;
/// Dead: close with RST (SO_LINGER 0) when dropped.
const DEAD_RESET: u8 = 2;

/// What a connection's requests may do to it.
#[derive(Debug, Default)]
pub(crate) struct ConnCtl {
    state: AtomicU8,
}

impl ConnCtl {
    fn is_dead(&self) -> bool {
        self.state.load(Ordering::Acquire) != ALIVE
    }
}

/// The per-request handle on its connection (axum's `ConnectInfo`).
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    ctl: Arc<ConnCtl>,
    /// The client's address.
    pub peer: SocketAddr,
}

impl Conn {
    /// Makes sure nothing more is written to the connection, and has it
    /// closed (with `reset`, reset) as soon as hyper next tries to write.
    pub(crate) fn kill(&self, reset: bool) {
        let state = if reset { DEAD_RESET } else { DEAD_CLOSE };
        self.ctl.state.store(state, Ordering::Release);
    }
}

impl Connected<IncomingStream<'_, ConnListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, ConnListener>) -> Self {
        Conn {
            ctl: Arc::clone(&stream.io().ctl),
            peer: *stream.remote_addr(),
        }
    }
}

/// A TCP listener whose connections can be killed by their requests, and
/// speak TLS when the emulator serves https.
pub(crate) struct ConnListener {
    inner: TcpListener,
    tls: Option<Arc<TlsServer>>,
    idle_timeout: Option<Duration>,
}

impl ConnListener {
    pub(crate) fn new(
        inner: TcpListener,
        tls: Option<Arc<TlsServer>>,
        idle_timeout: Option<Duration>,
    ) -> Self {
        ConnListener {
            inner,
            tls,
            idle_timeout,
        }
    }
}

impl Listener for ConnListener {
    type Io = ServerIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (ServerIo, SocketAddr) {
        // axum's own accept retries (after a pause) on errors such as EMFILE.
        let (tcp, addr) = Listener::accept(&mut self.inner).await;
        // Small request/response pairs: don't let Nagle hold back a response.
        let _ = tcp.set_nodelay(true);
        let ctl = Arc::new(ConnCtl::default());
        let io = ConnIo {
            tcp,
            ctl: Arc::clone(&ctl),
        };
        // The TLS handshake is not done here but on the connection's own
        // task, at its first read: a client that connects and says nothing
        // must not hold up the accept loop.
        let inner = match &self.tls {
            Some(tls) => Inner::Tls(tls.wrap(io)),
            None => Inner::Plain(io),
        };
        let idle = self.idle_timeout.map(Idle::new);
        (ServerIo { ctl, inner, idle }, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// What hyper reads and writes: the connection, plain or under TLS, and
/// its idle timer.
pub(crate) struct ServerIo {
    ctl: Arc<ConnCtl>,
    inner: Inner,
    /// Above TLS, so an idle close is a clean one (hyper shuts the stream
    /// down, which sends TLS close_notify), and only request and response
    /// bytes count as activity (the handshake has its own timeout).
    idle: Option<Idle>,
}

enum Inner {
    Plain(ConnIo),
    Tls(TlsIo<ConnIo>),
}

/// Forwards one `AsyncRead`/`AsyncWrite` call to the plain or TLS stream.
macro_rules! forward {
    ($this:ident, $io:ident => $call:expr) => {
        match &mut $this.inner {
            Inner::Plain($io) => {
                let $io = Pin::new($io);
                $call
            }
            Inner::Tls($io) => {
                let $io = Pin::new($io);
                $call
            }
        }
    };
}

impl AsyncRead for ServerIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = forward!(this, io => io.poll_read(cx, buf));
        let Some(idle) = &mut this.idle else {
            return result;
        };
        // The handshake is not idle time (it has a timeout of its own).
        if result.is_ready() || matches!(&this.inner, Inner::Tls(t) if t.is_handshaking()) {
            idle.touch();
            return result;
        }
        if idle.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        // Idle too long: the end of the stream, as if the client had closed
        // it, makes hyper close the connection. The timer stays expired, so
        // later reads see the end too.
        Poll::Ready(Ok(()))
    }
}

impl ServerIo {
    /// Restarts the idle timer when bytes were written.
    fn wrote<T>(&mut self, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if let (Some(idle), Poll::Ready(Ok(_))) = (&mut self.idle, &result) {
            idle.touch();
        }
        result
    }
}

impl AsyncWrite for ServerIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = forward!(this, io => io.poll_write(cx, buf));
        this.wrote(result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = forward!(this, io => io.poll_write_vectored(cx, bufs));
        this.wrote(result)
    }

    fn is_write_vectored(&self) -> bool {
        match &self.inner {
            Inner::Plain(io) => io.is_write_vectored(),
            Inner::Tls(io) => io.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        forward!(this, io => io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        forward!(this, io => io.poll_shutdown(cx))
    }
}

/// The idle timer of one connection: due `timeout` after the last byte
/// read or written.
struct Idle {
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
}

impl Idle {
    fn new(timeout: Duration) -> Self {
        Idle {
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    fn touch(&mut self) {
        self.sleep.as_mut().reset(Instant::now() + self.timeout);
    }
}

/// An accepted socket that stops writing once its [`ConnCtl`] says dead.
pub(crate) struct ConnIo {
    tcp: TcpStream,
    ctl: Arc<ConnCtl>,
}

fn killed() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by a gameye-emulator fault rule",
    )
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.ctl.is_dead() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut this.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.ctl.is_dead() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.ctl.is_dead() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut this.tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.ctl.is_dead() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut this.tcp).poll_shutdown(cx)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.ctl.state.load(Ordering::Acquire) == DEAD_RESET {
            // Closing with a zero linger time sends RST instead of FIN.
            let _ = socket2::SockRef::from(&self.tcp).set_linger(Some(Duration::ZERO));
        }
    }
}
