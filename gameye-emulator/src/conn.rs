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

/// A TCP listener whose connections can be killed by their requests.
pub(crate) struct ConnListener {
    inner: TcpListener,
}

impl ConnListener {
    pub(crate) fn new(inner: TcpListener) -> Self {
        ConnListener { inner }
    }
}

impl Listener for ConnListener {
    type Io = ConnIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (ConnIo, SocketAddr) {
        // axum's own accept retries (after a pause) on errors such as EMFILE.
        let (tcp, addr) = Listener::accept(&mut self.inner).await;
        // Small request/response pairs: don't let Nagle hold back a response.
        let _ = tcp.set_nodelay(true);
        let io = ConnIo {
            tcp,
            ctl: Arc::new(ConnCtl::default()),
        };
        (io, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
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
