//! The byte stream under a connection: a TCP socket whose writes never
//! raise SIGPIPE, optionally under TLS (to the origin, to a proxy, or both),
//! counting the bytes the HTTP layer reads so that a failed request on a
//! reused connection can tell "no byte of an answer came" apart.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A TCP socket whose every write is safe from SIGPIPE.
///
/// A C host usually leaves SIGPIPE at its default, which kills the process
/// when a write meets a connection the peer has reset. Single-buffer writes
/// are safe already: std's `send` passes `MSG_NOSIGNAL` (on Apple platforms
/// the socket gets `SO_NOSIGPIPE` instead). Vectored writes, which hyper and
/// rustls use, go through `writev`, which has no such flag: here they go
/// through `sendmsg` with `MSG_NOSIGNAL`. The host's signal disposition is
/// never touched.
pub(crate) struct Socket {
    tcp: TcpStream,
}

impl Socket {
    pub(crate) fn new(tcp: TcpStream) -> Socket {
        #[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
        {
            let _ = socket2::SockRef::from(&tcp).set_nosigpipe(true);
        }
        Socket { tcp }
    }

    /// The socket's number, for the liveness check of an idle connection.
    pub(crate) fn raw(&self) -> RawSocket {
        #[cfg(unix)]
        return std::os::fd::AsRawFd::as_raw_fd(&self.tcp);
        #[cfg(windows)]
        return std::os::windows::io::AsRawSocket::as_raw_socket(&self.tcp);
    }
}

#[cfg(unix)]
pub(crate) type RawSocket = std::os::fd::RawFd;
#[cfg(windows)]
pub(crate) type RawSocket = std::os::windows::io::RawSocket;

impl AsyncRead for Socket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // std's `send(..., MSG_NOSIGNAL)` underneath.
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let tcp = &self.tcp;
        loop {
            std::task::ready!(tcp.poll_write_ready(cx))?;
            let sent = tcp.try_io(tokio::io::Interest::WRITABLE, || {
                socket2::SockRef::from(tcp).send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL)
            });
            match sent {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Windows has no SIGPIPE; Apple and FreeBSD sockets carry SO_NOSIGPIPE.
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// What a connection runs over.
pub(crate) enum Transport {
    /// Plain TCP: to a loopback origin, or to a plain http proxy.
    Plain(Socket),
    /// TLS over TCP: to an https origin, or to an https proxy. Boxed: a TLS
    /// stream is large, and this enum moves on every connect.
    Tls(Box<tokio_rustls::client::TlsStream<Socket>>),
    /// TLS to the origin inside TLS to an https proxy's tunnel.
    Nested(Box<tokio_rustls::client::TlsStream<Transport>>),
}

impl Transport {
    /// The TCP socket underneath.
    pub(crate) fn socket(&self) -> &Socket {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(t) => t.get_ref().0,
            Transport::Nested(t) => t.get_ref().0.socket(),
        }
    }
}

macro_rules! each {
    ($self:ident, $io:ident => $e:expr) => {
        match $self.get_mut() {
            Transport::Plain($io) => {
                let $io = Pin::new($io);
                $e
            }
            Transport::Tls($io) => {
                let $io = Pin::new(&mut **$io);
                $e
            }
            Transport::Nested($io) => {
                let $io = Pin::new(&mut **$io);
                $e
            }
        }
    };
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each!(self, io => io.poll_read(cx, buf))
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each!(self, io => io.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        each!(self, io => io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Transport::Plain(s) => s.is_write_vectored(),
            Transport::Tls(t) => t.is_write_vectored(),
            Transport::Nested(t) => t.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, io => io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, io => io.poll_shutdown(cx))
    }
}

/// A transport that counts the bytes read through it (after TLS: the bytes
/// of HTTP answers, not of TLS records), shared with the connection's owner.
pub(crate) struct Counted {
    pub(crate) io: Transport,
    pub(crate) read: Arc<AtomicU64>,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        if n > 0 {
            self.read.fetch_add(n as u64, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Whether an idle connection's socket is still open for a request: no
/// end of stream and nothing unasked-for waiting (a server that times an
/// idle connection out may say so with a 408, or a TLS close_notify, before
/// it closes). Nothing polls an idle connection, so the socket is asked
/// directly, rather than writing a request the server will never read.
pub(crate) fn still_open(socket: RawSocket) -> bool {
    // SAFETY: the socket is owned by the idle connection, which the caller
    // holds: it stays open while borrowed here.
    #[cfg(unix)]
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(socket) };
    #[cfg(windows)]
    let borrowed = unsafe { std::os::windows::io::BorrowedSocket::borrow_raw(socket) };
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
    // The socket is non-blocking (tokio's): nothing to read is WouldBlock.
    match socket2::SockRef::from(&borrowed).peek(&mut byte) {
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        Ok(_) => false,
    }
}
