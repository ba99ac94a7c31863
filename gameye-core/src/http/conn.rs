//! One open connection: hyper's request sender and the connection's
//! driver, which whatever waits on the connection polls (the send, then
//! the response body), so no task of its own is spawned or woken.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::task::Context;

use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;

use super::payload::Payload;
use super::transport::{Counted, RawSocket};

/// A connection: its request sender and the connection's driver, which
/// is polled by whatever waits on the connection (the send, then the
/// response body), so no task of its own is spawned or woken.
pub(crate) struct Open {
    pub(crate) sender: SendRequest<Payload>,
    /// Dropped once it ends: its pending requests then fail at once.
    pub(crate) driver: Option<Driver>,
    /// The TCP socket under the driver, for the liveness check while idle.
    pub(crate) socket: RawSocket,
    /// Bytes the HTTP layer has read from this connection (after TLS).
    pub(crate) read: Arc<AtomicU64>,
}

pub(crate) type Driver = Pin<Box<Connection<TokioIo<Counted>, Payload>>>;

/// Where a connection goes back once its response was read to the end.
pub(crate) trait KeepAlive: Send + Sync {
    /// Keeps `conn` for a later request, or closes it.
    fn give_back(&self, conn: Open);
}

/// Polls the driver; drops it when it ends (the connection closed), which
/// fails what still waits on it with hyper's error rather than leaving it
/// waiting.
pub(crate) fn poll_driver(driver: &mut Option<Driver>, cx: &mut Context<'_>) {
    if let Some(d) = driver {
        if d.as_mut().poll(cx).is_ready() {
            *driver = None;
        }
    }
}
