//! Following a session's log from a binding: one [`LogFollower`] shared by
//! the handle the host holds and the reads in flight. The C ABI and the
//! Python binding both adapt this one state machine, so a log stream behaves
//! the same in every language:
//!
//! - one read at a time holds the stream; a concurrent read is refused
//!   ([`NextLine::Busy`]);
//! - a stream may start unopened: the first read (or [`LogFollower::open`])
//!   sends the request, and [`LogFollower::http_status`] and
//!   [`LogFollower::attempts`] are those of that request;
//! - [`LogFollower::close`], from any thread, ends the stream for good: a
//!   read waiting for a line wakes at once with a `Cancelled` error, and
//!   later reads give [`NextLine::Closed`];
//! - a read dropped before it completed (a cancelled async read, or a client
//!   shutting down under it) closes the stream too: the line it was reading
//!   is lost, so the stream cannot go on;
//! - an error is given once ([`NextLine::Failed`]), then the end.

use std::future::Future;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::session_logs::LogStream;
use crate::workers::on_runtime_worker;

#[cfg(gameye_loom)]
use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(gameye_loom))]
use std::sync::{Arc, Mutex, MutexGuard};

/// The outcome of one read of a followed log.
#[derive(Debug)]
pub enum NextLine {
    /// The next line, without its line ending.
    Line(String),
    /// The log ended (the session stopped), or failed earlier; every later
    /// read gives the end too.
    End,
    /// Opening or reading the log failed; later reads give the end. A read
    /// that [`LogFollower::close`] (or the client's close) woke fails with an
    /// error of kind [`ErrorKind::Cancelled`].
    Failed(Error),
    /// The stream was closed before this read began: by
    /// [`LogFollower::close`], or by a read dropped midway.
    Closed,
    /// Another read of the stream is in progress; nothing changed.
    Busy,
}

/// How a read begins ([`LogFollower::begin_read`]).
#[derive(Debug)]
pub enum ReadStart {
    /// Decided without waiting: the end, closed, or busy.
    Done(NextLine),
    /// The read holds the stream: complete it with [`PendingRead::line`]
    /// or [`PendingRead::in_background`].
    Pending(PendingRead),
}

/// Where a followed log is. `S` is the open stream; generic so that loom
/// can check the transitions apart from the I/O.
#[derive(Debug)]
pub(crate) enum Phase<S> {
    /// Not opened yet: the first read (or open) sends the request.
    Unopened(String),
    /// Open and idle.
    Open(S),
    /// A read or open is in flight (it holds the stream).
    Busy,
    /// The log ended or failed.
    Ended,
    /// Closed, or a read was dropped midway.
    Closed,
}

/// What a read takes out of the phase.
#[derive(Debug)]
pub(crate) enum Begin<S> {
    /// The open stream, now held by this read.
    Read(S),
    /// The session id: this read opens the log.
    Open(String),
    /// Another read holds the stream.
    Busy,
    /// The log ended.
    Ended,
    /// The stream was closed.
    Closed,
}

impl<S> Phase<S> {
    /// Starts a read: takes the stream (or the id to open) out.
    pub(crate) fn begin(&mut self) -> Begin<S> {
        match std::mem::replace(self, Phase::Busy) {
            Phase::Open(s) => Begin::Read(s),
            Phase::Unopened(id) => Begin::Open(id),
            Phase::Busy => Begin::Busy,
            Phase::Ended => {
                *self = Phase::Ended;
                Begin::Ended
            }
            Phase::Closed => {
                *self = Phase::Closed;
                Begin::Closed
            }
        }
    }

    /// Takes the id of an unopened log, for opening without reading; leaves
    /// any other phase alone.
    pub(crate) fn begin_open(&mut self) -> Option<String> {
        match std::mem::replace(self, Phase::Busy) {
            Phase::Unopened(id) => Some(id),
            other => {
                *self = other;
                None
            }
        }
    }

    /// Ends the read that began: the stream back (`None`: the log ended or
    /// failed). A stream closed meanwhile stays closed, and the stream given
    /// back is returned, to be dropped outside the lock.
    pub(crate) fn finish(&mut self, stream: Option<S>) -> Option<S> {
        match self {
            Phase::Busy => {
                *self = stream.map_or(Phase::Ended, Phase::Open);
                None
            }
            _ => stream,
        }
    }

    /// Ends the stream for good. Returns the idle stream, if any, to be
    /// dropped outside the lock.
    pub(crate) fn close(&mut self) -> Option<S> {
        match std::mem::replace(self, Phase::Closed) {
            Phase::Open(s) => Some(s),
            _ => None,
        }
    }
}

/// Locks `m`; a poisoned lock only means a panic elsewhere, and every
/// transition of [`Phase`] leaves it valid.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the handle and the reads in flight share.
struct Shared {
    client: Client,
    phase: Mutex<Phase<LogStream>>,
    /// Set to true by close: wakes a read in progress.
    closed: watch::Sender<bool>,
    /// The HTTP status and attempts of the request that opened the log.
    opened: OnceLock<(u16, u32)>,
}

impl Shared {
    /// Records the request that opened the log (once: it opens once).
    fn opened_with(&self, stream: &LogStream) {
        let _ = self.opened.set((stream.http_status(), stream.attempts()));
    }
}

/// A followed log (`GET /logs?id=…&follow=true`) that several threads may
/// use: cloning gives another handle to the same stream. See the module's
/// docs for the rules; the connection closes when the stream is closed or
/// the last handle (and read) is gone.
#[derive(Clone)]
pub struct LogFollower {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LogFollower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogFollower")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl LogFollower {
    fn with_phase(client: Client, phase: Phase<LogStream>) -> Self {
        LogFollower {
            shared: Arc::new(Shared {
                client,
                phase: Mutex::new(phase),
                closed: watch::Sender::new(false),
                opened: OnceLock::new(),
            }),
        }
    }

    /// Follows an open stream (from [`Client::follow_logs`]); `client` runs
    /// the reads.
    pub fn new(client: Client, stream: LogStream) -> Self {
        let opened = (stream.http_status(), stream.attempts());
        let follower = Self::with_phase(client, Phase::Open(stream));
        let _ = follower.shared.opened.set(opened);
        follower
    }

    /// Follows session `id`'s log without any I/O yet: the first read, or
    /// [`LogFollower::open`], sends the request.
    pub fn unopened(client: Client, id: impl Into<String>) -> Self {
        Self::with_phase(client, Phase::Unopened(id.into()))
    }

    /// The client the reads run on.
    pub fn client(&self) -> &Client {
        &self.shared.client
    }

    /// The HTTP status that opened the log; `None` until it is open.
    pub fn http_status(&self) -> Option<u16> {
        self.shared.opened.get().map(|o| o.0)
    }

    /// How many attempts opening the log took; `None` until it is open.
    pub fn attempts(&self) -> Option<u32> {
        self.shared.opened.get().map(|o| o.1)
    }

    /// Whether the stream was closed ([`LogFollower::close`], or a read
    /// dropped midway).
    pub fn is_closed(&self) -> bool {
        matches!(*lock(&self.shared.phase), Phase::Closed)
    }

    /// Ends the stream for good, from any thread: a read in progress wakes
    /// at once with a `Cancelled` error and later reads give
    /// [`NextLine::Closed`]. The connection closes once no read holds it.
    /// Idempotent.
    pub fn close(&self) {
        let idle = lock(&self.shared.phase).close();
        self.shared.closed.send_replace(true);
        drop(idle);
    }

    /// Begins a read now, on the calling thread: either its outcome, when
    /// known without waiting, or a [`PendingRead`] that holds the stream
    /// from this moment (a concurrent read is [`NextLine::Busy`]).
    pub fn begin_read(&self) -> ReadStart {
        let begun = lock(&self.shared.phase).begin();
        let open = match begun {
            Begin::Read(stream) => {
                return ReadStart::Pending(PendingRead {
                    lease: Lease::new(self, Some(stream)),
                    open: None,
                })
            }
            Begin::Open(id) => Some(id),
            Begin::Busy => return ReadStart::Done(NextLine::Busy),
            Begin::Ended => return ReadStart::Done(NextLine::End),
            Begin::Closed => return ReadStart::Done(NextLine::Closed),
        };
        ReadStart::Pending(PendingRead {
            lease: Lease::new(self, None),
            open,
        })
    }

    /// The next line, from async code (opening the log first if needed).
    pub async fn next_line(&self) -> NextLine {
        match self.begin_read() {
            ReadStart::Done(outcome) => outcome,
            ReadStart::Pending(read) => read.line().await,
        }
    }

    /// The next line, blocking the calling thread (any thread, also one of
    /// the client's I/O threads); [`LogFollower::close`] from another thread
    /// wakes it at once.
    pub fn blocking_next_line(&self) -> NextLine {
        match self.begin_read() {
            ReadStart::Done(outcome) => outcome,
            ReadStart::Pending(read) => read.in_background().wait(),
        }
    }

    /// Opens an unopened log without reading a line: the future resolves
    /// once the response started, with the request's error if it failed
    /// (later reads then give the end). The request is taken on the calling
    /// thread; a log already open, being read, ended or closed resolves
    /// `Ok` at once, as does a close while it opens.
    pub fn open(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        let id = lock(&self.shared.phase).begin_open();
        let lease = id.as_ref().map(|_| Lease::new(self, None));
        async move {
            let (Some(id), Some(mut lease)) = (id, lease) else {
                return Ok(());
            };
            let mut closed = lease.shared.closed.subscribe();
            let opened = tokio::select! {
                biased;
                _ = closed.wait_for(|c| *c) => return Ok(()),
                opened = lease.shared.client.follow_logs_async(&id) => opened,
            };
            match opened {
                Ok(stream) => {
                    lease.shared.opened_with(&stream);
                    lease.give_back(Some(stream));
                    Ok(())
                }
                Err(e) => {
                    lease.give_back(None);
                    Err(e)
                }
            }
        }
    }
}

/// A read that holds the stream. Dropping it before it completed closes the
/// stream (the line it was reading is lost).
#[derive(Debug)]
pub struct PendingRead {
    lease: Lease,
    /// The session id, when this read opens the log first.
    open: Option<String>,
}

impl PendingRead {
    /// Waits for the line (opening the log first if needed). A close of the
    /// stream ends the wait at once with a `Cancelled` error.
    pub async fn line(mut self) -> NextLine {
        let mut closed = self.lease.shared.closed.subscribe();
        tokio::select! {
            biased;
            _ = closed.wait_for(|c| *c) => NextLine::Failed(cancelled(
                "the log stream was closed while this read waited",
            )),
            line = self.read() => line,
        }
    }

    async fn read(&mut self) -> NextLine {
        if let Some(id) = self.open.take() {
            match self.lease.shared.client.follow_logs_async(&id).await {
                Ok(stream) => {
                    self.lease.shared.opened_with(&stream);
                    self.lease.stream = Some(stream);
                }
                Err(e) => {
                    self.lease.give_back(None);
                    return NextLine::Failed(e);
                }
            }
        }
        let next = match self.lease.stream.as_mut() {
            Some(stream) => stream.next_line().await,
            None => None,
        };
        match next {
            Some(Ok(line)) => {
                let stream = self.lease.stream.take();
                self.lease.give_back(stream);
                NextLine::Line(line)
            }
            Some(Err(e)) => {
                self.lease.give_back(None);
                NextLine::Failed(e)
            }
            None => {
                self.lease.give_back(None);
                NextLine::End
            }
        }
    }

    /// Runs the read on the client's I/O threads, for a caller that waits
    /// on its own thread ([`BackgroundRead::wait`]).
    pub fn in_background(self) -> BackgroundRead {
        let follower = LogFollower {
            shared: Arc::clone(&self.lease.shared),
        };
        let (tx, rx) = sync_channel(1);
        drop(follower.client().spawn_background(async move {
            let _ = tx.send(self.line().await);
        }));
        BackgroundRead { rx, follower }
    }
}

/// A read running on the client's I/O threads ([`PendingRead::in_background`]).
#[derive(Debug)]
pub struct BackgroundRead {
    rx: Receiver<NextLine>,
    follower: LogFollower,
}

impl BackgroundRead {
    /// Blocks until the read completes. On one of the client's I/O threads
    /// (a callback making a blocking call), that thread's other tasks move
    /// elsewhere first so the read can still run.
    pub fn wait(self) -> NextLine {
        let recv = || self.rx.recv().ok();
        let got = if on_runtime_worker() {
            tokio::task::block_in_place(recv)
        } else {
            recv()
        };
        got.unwrap_or_else(|| self.stopped())
    }

    /// Waits at most `timeout`: `None` when the read is still running (wait
    /// again), so that the caller can check for signals in between.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<NextLine> {
        match self.rx.recv_timeout(timeout) {
            Ok(line) => Some(line),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(self.stopped()),
        }
    }

    /// The outcome of a read whose task was dropped unfinished: the client's
    /// runtime stopped (the client was closed).
    fn stopped(&self) -> NextLine {
        self.follower.close();
        NextLine::Failed(cancelled("the client was closed while this read waited"))
    }
}

fn cancelled(why: &str) -> Error {
    Error::new(ErrorKind::Cancelled, why)
}

/// The stream held by a read or an open: given back when it completes, or,
/// when dropped first, closes the follower.
struct Lease {
    shared: Arc<Shared>,
    stream: Option<LogStream>,
    done: bool,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease").field("done", &self.done).finish()
    }
}

impl Lease {
    fn new(follower: &LogFollower, stream: Option<LogStream>) -> Self {
        Lease {
            shared: Arc::clone(&follower.shared),
            stream,
            done: false,
        }
    }

    /// Completes the read: `None` when the log ended or failed.
    fn give_back(&mut self, stream: Option<LogStream>) {
        self.done = true;
        let dropped = lock(&self.shared.phase).finish(stream);
        drop(dropped);
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if !self.done {
            let idle = lock(&self.shared.phase).close();
            self.shared.closed.send_replace(true);
            drop(idle);
        }
    }
}

#[cfg(all(test, gameye_loom))]
mod loom_tests;

#[cfg(all(test, not(gameye_loom)))]
mod tests {
    use super::*;

    #[test]
    fn one_read_at_a_time_then_the_end() {
        let mut phase = Phase::Open(1u32);
        let Begin::Read(s) = phase.begin() else {
            panic!("the open stream is taken");
        };
        assert!(matches!(phase.begin(), Begin::Busy));
        assert!(phase.finish(Some(s)).is_none());
        assert!(matches!(phase, Phase::Open(1)));
        assert!(matches!(phase.begin(), Begin::Read(1)));
        assert!(phase.finish(None).is_none());
        assert!(matches!(phase.begin(), Begin::Ended));
        assert!(matches!(phase.begin(), Begin::Ended));
    }

    #[test]
    fn close_while_a_read_holds_the_stream_wins() {
        let mut phase = Phase::Open(1u32);
        let Begin::Read(s) = phase.begin() else {
            panic!("the open stream is taken");
        };
        assert!(phase.close().is_none(), "the read holds the stream");
        assert_eq!(phase.finish(Some(s)), Some(1), "given back to be dropped");
        assert!(matches!(phase.begin(), Begin::Closed));
        assert!(phase.begin_open().is_none());
    }

    #[test]
    fn an_unopened_log_is_opened_once() {
        let mut phase: Phase<u32> = Phase::Unopened("id".into());
        assert_eq!(phase.begin_open().as_deref(), Some("id"));
        assert!(phase.begin_open().is_none());
        assert!(matches!(phase.begin(), Begin::Busy));
        assert!(phase.finish(Some(3)).is_none());
        assert!(matches!(phase.begin(), Begin::Read(3)));
    }
}
