//! Streamed bodies (logs, artifacts) and the small executor that lets
//! blocking callers wait on futures from any thread.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::error::Result;
use crate::http::HttpResponse;

/// Wakes a parked thread.
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` on this thread until it completes, parking between polls.
/// Unlike tokio's `block_on` it works inside another runtime's thread too;
/// I/O and timers are driven by the client's runtime (entered by the caller).
pub(crate) fn park_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Chunks in flight between the reading task and the consumer: small, so a
/// slow consumer holds back the download instead of buffering it in memory.
const CHUNKS_IN_FLIGHT: usize = 8;

/// A response body read as it arrives, by a task on the client's runtime.
/// Dropping it stops the task and closes the connection.
pub struct ByteStream {
    rx: mpsc::Receiver<Result<Bytes>>,
}

impl ByteStream {
    pub(crate) fn spawn(handle: &tokio::runtime::Handle, mut resp: HttpResponse) -> Self {
        let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
        handle.spawn(async move {
            loop {
                let item = tokio::select! {
                    // The consumer went away: stop reading, drop the connection.
                    _ = tx.closed() => return,
                    item = resp.chunk() => item,
                };
                let (item, done) = match item {
                    Ok(Some(chunk)) => (Ok(chunk), false),
                    Ok(None) => return,
                    Err(e) => (Err(e), true),
                };
                if tx.send(item).await.is_err() || done {
                    return;
                }
            }
        });
        ByteStream { rx }
    }

    /// The next chunk, `None` at the end of the body.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes>> {
        self.rx.recv().await
    }

    /// The next chunk, blocking the calling thread.
    pub fn blocking_next_chunk(&mut self) -> Option<Result<Bytes>> {
        park_on(self.rx.recv())
    }
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}
