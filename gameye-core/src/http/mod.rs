//! The one connection layer of the client: HTTP/1.1 on hyper's
//! `client::conn`, over TCP or rustls, direct or through a proxy. Every
//! request (JSON calls, streams; blocking, async, fast path) goes through
//! [`Connections::send`], so each guarantee is kept once for every path:
//! kept connections and their liveness check, the re-send after a stale
//! connection, the idle timeout, the connect timeout, no SIGPIPE, and TLS
//! session resumption. Response size caps and per-attempt timeouts are the
//! call's (`call.rs`), above this layer, the same for every path.
//!
//! Why not reqwest: its pool's checkout, redirect layer and per-request URL
//! handling cost about 40% of a loopback create (BENCHMARKS.md), its
//! sockets write with `writev` (SIGPIPE in a C host), and it hides the
//! connection, so neither the re-send rule nor the liveness check could be
//! applied under it.

mod body;
mod conn;
mod connect;
mod payload;
mod pool;
mod route;
mod tls;
mod transport;

pub(crate) use body::HttpResponse;
pub(crate) use pool::Connections;

/// Blocks SIGPIPE on the calling thread, one the library owns (its I/O and
/// DNS threads): a second guard beside `transport::Socket`'s flags, for
/// any write that does not go through it. A pending SIGPIPE stays pending
/// on that thread, harmlessly; the host's disposition and its own threads'
/// masks are never touched.
pub(crate) fn block_sigpipe_on_own_thread() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local, zero-initialised signal set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}
