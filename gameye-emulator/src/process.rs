//! Sessions that run a real local process: the process's shared record
//! (log, stop requests, "ended"), and spawning, output capture and stopping
//! with SIGTERM then SIGKILL. Restarts, the ttl and the session's state are
//! the supervisor's ([`crate::supervisor`]).
//!
//! Each such session has one [`SessionProc`], shared (by `Arc`) between the
//! session in the state, the supervisor task that owns the child process, and
//! any `GET /logs?follow=true` streams. The supervisor is the only caller of
//! [`spawn`], [`terminate`] and [`pump`]; everything else talks to it through
//! the stop channel and reads what it publishes (log bytes, "ended").
//!
//! Each process runs in its own process group, like the processes of a
//! container: signals go to the whole group, and when the main process ends
//! whatever it left behind in the group is killed, so no orphan survives a
//! session. On Windows a job object stands in for the group and
//! CTRL_BREAK / TerminateJobObject for SIGTERM / SIGKILL ([`windows`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use futures_util::Stream;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::sync::watch;

#[cfg(windows)]
mod windows;

/// A line longer than this without a newline is stored as it is, so a process
/// that never prints a newline cannot grow memory without bound.
const MAX_PARTIAL_LINE: usize = 64 * 1024;

/// Why a process is being stopped; any reason means "do not restart".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// `DELETE /session/{id}`.
    Manual,
    /// The session's `ttl` ran out.
    Ttl,
    /// The emulator is shutting down.
    Shutdown,
}

/// What followers of the log need to know.
#[derive(Clone, Copy, Debug, Default)]
struct Progress {
    /// Total bytes ever appended to the log.
    written: u64,
    /// The process has ended for good (no restart will follow).
    ended: bool,
}

/// The last `limit` bytes of a session's output.
struct LogBuf {
    data: VecDeque<u8>,
    /// Offset (in bytes ever written) of `data[0]`.
    start: u64,
    limit: usize,
}

impl LogBuf {
    fn new(limit: usize) -> Self {
        LogBuf {
            data: VecDeque::new(),
            start: 0,
            limit,
        }
    }

    fn end(&self) -> u64 {
        self.start + self.data.len() as u64
    }

    /// Appends, then drops the oldest output beyond the limit. It drops
    /// whole lines where it can, so the log never starts mid-line.
    fn append(&mut self, bytes: &[u8]) {
        self.data.extend(bytes);
        if self.data.len() <= self.limit {
            return;
        }
        let excess = self.data.len() - self.limit;
        let cut = self
            .data
            .range(excess.saturating_sub(1)..)
            .position(|&b| b == b'\n')
            .map(|i| excess.saturating_sub(1) + i + 1)
            // Dropping everything would lose the newest line: cut it instead.
            .filter(|&c| c < self.data.len())
            .unwrap_or(excess);
        self.data.drain(..cut);
        self.start += cut as u64;
    }

    /// Everything from `offset` on (from the oldest kept byte if `offset` was
    /// dropped already), and the offset after it.
    fn read_from(&self, offset: u64) -> (Vec<u8>, u64) {
        let from = offset.max(self.start);
        let skip = (from - self.start) as usize;
        let out: Vec<u8> = self
            .data
            .range(skip.min(self.data.len())..)
            .copied()
            .collect();
        (out, self.end())
    }
}

/// Everything about one session's process that outlives a single run of it.
pub(crate) struct SessionProc {
    pub id: String,
    /// The session's working directory: the process's current directory and
    /// the root of its artifacts.
    pub workdir: PathBuf,
    /// Program and arguments (the image's command, then the session's args).
    pub argv: Vec<String>,
    /// Variables set on top of the emulator's own environment.
    pub env: Vec<(String, String)>,
    pub restart: bool,
    /// When the ttl runs out, in ms since the epoch.
    pub expires_at: Option<i64>,
    pub grace: Duration,
    logs: Mutex<LogBuf>,
    progress: watch::Sender<Progress>,
    stop: watch::Sender<Option<StopReason>>,
}

/// What [`SessionProc::new`] needs.
pub(crate) struct ProcSpec {
    pub id: String,
    pub workdir: PathBuf,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub restart: bool,
    pub expires_at: Option<i64>,
    pub grace: Duration,
    pub log_limit: usize,
}

impl std::fmt::Debug for SessionProc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionProc")
            .field("id", &self.id)
            .field("workdir", &self.workdir)
            .field("argv", &self.argv)
            .finish_non_exhaustive()
    }
}

impl SessionProc {
    pub(crate) fn new(spec: ProcSpec) -> Self {
        SessionProc {
            id: spec.id,
            workdir: spec.workdir,
            argv: spec.argv,
            env: spec.env,
            restart: spec.restart,
            expires_at: spec.expires_at,
            grace: spec.grace,
            logs: Mutex::new(LogBuf::new(spec.log_limit)),
            progress: watch::channel(Progress::default()).0,
            stop: watch::channel(None).0,
        }
    }

    /// Asks the supervisor to stop the process (the first reason sticks).
    pub(crate) fn request_stop(&self, reason: StopReason) {
        self.stop.send_if_modified(|r| {
            if r.is_none() {
                *r = Some(reason);
                true
            } else {
                false
            }
        });
    }

    /// Whether the process has ended for good (its artifacts are final).
    pub(crate) fn has_ended(&self) -> bool {
        self.progress.borrow().ended
    }

    /// Waits until the process has ended for good, at most `limit`; returns
    /// whether it has.
    pub(crate) async fn wait_ended(&self, limit: Duration) -> bool {
        let mut rx = self.progress.subscribe();
        tokio::time::timeout(limit, async move {
            let _ = rx.wait_for(|p| p.ended).await;
        })
        .await
        .is_ok()
    }

    /// The stop requests, for the supervisor: `Some` once a stop is asked.
    pub(crate) fn stop_requests(&self) -> watch::Receiver<Option<StopReason>> {
        self.stop.subscribe()
    }

    /// Tells waiters and followers of the log that the process has ended for
    /// good. Called by the supervisor alone.
    pub(crate) fn mark_ended(&self) {
        self.progress.send_modify(|p| p.ended = true);
    }

    /// The output kept so far.
    pub(crate) fn log_text(&self) -> Vec<u8> {
        self.lock_logs().read_from(0).0
    }

    fn lock_logs(&self) -> std::sync::MutexGuard<'_, LogBuf> {
        self.logs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn append(&self, bytes: &[u8]) {
        let end = {
            let mut logs = self.lock_logs();
            logs.append(bytes);
            logs.end()
        };
        self.progress.send_modify(|p| p.written = end);
    }

    /// Adds a line of the emulator's own to the log.
    pub(crate) fn note(&self, msg: &str) {
        self.append(format!("[gameye-emulator] {msg}\n").as_bytes());
    }

    /// The log as a stream: what is kept now, then each batch of lines as it
    /// is written, ending when the process has ended for good or `shutdown`
    /// turns true. Dropping the stream (a client that went away) drops
    /// everything it holds; no task is left behind.
    pub(crate) fn follow(
        self: Arc<Self>,
        shutdown: watch::Receiver<bool>,
    ) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + 'static {
        let rx = self.progress.subscribe();
        let state = Follow {
            proc: self,
            rx,
            offset: 0,
            shutdown,
        };
        futures_util::stream::unfold(state, |mut st| async move {
            loop {
                // Mark the current progress seen *before* reading, so a write
                // that lands after the read wakes the wait below.
                let ended = st.rx.borrow_and_update().ended;
                let (chunk, next) = st.proc.lock_logs().read_from(st.offset);
                if !chunk.is_empty() {
                    st.offset = next;
                    return Some((Ok(Bytes::from(chunk)), st));
                }
                if ended || *st.shutdown.borrow() {
                    return None;
                }
                tokio::select! {
                    r = st.rx.changed() => {
                        if r.is_err() {
                            return None;
                        }
                    }
                    r = st.shutdown.changed() => {
                        if r.is_err() {
                            return None;
                        }
                    }
                }
            }
        })
    }
}

struct Follow {
    proc: Arc<SessionProc>,
    rx: watch::Receiver<Progress>,
    offset: u64,
    shutdown: watch::Receiver<bool>,
}

/// The directory that holds session working directories. Removes what it
/// created when dropped, unless told to keep it.
pub(crate) struct SessionsRoot {
    path: PathBuf,
    /// Created by the emulator (a temporary directory), so removed whole.
    owned: bool,
    keep: bool,
    created: Mutex<Vec<PathBuf>>,
}

impl SessionsRoot {
    /// Uses `dir` (created if missing), or a new temporary directory.
    pub(crate) fn create(dir: Option<&Path>, keep: bool) -> io::Result<Self> {
        let (path, owned) = match dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (d.to_path_buf(), false)
            }
            None => (
                tempfile::Builder::new()
                    .prefix("gameye-emulator-sessions-")
                    .tempdir()?
                    .keep(),
                true,
            ),
        };
        Ok(SessionsRoot {
            path,
            owned,
            keep,
            created: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Creates a fresh, uniquely named working directory for a session.
    pub(crate) fn new_session_dir(&self, id: &str) -> io::Result<PathBuf> {
        let mut name: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(48)
            .collect();
        name.push('-');
        let dir = tempfile::Builder::new()
            .prefix(&name)
            .tempdir_in(&self.path)?
            .keep();
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir.clone());
        Ok(dir)
    }
}

impl Drop for SessionsRoot {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        let created = self.created.get_mut().unwrap_or_else(|e| e.into_inner());
        for dir in created.drain(..) {
            let _ = std::fs::remove_dir_all(dir);
        }
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Whether `port` can be bound on 127.0.0.1 for `proto` ("tcp"/"udp") right
/// now. Binds without `SO_REUSEADDR`, the way a plain server would, then
/// releases the port at once.
pub(crate) fn port_is_free(proto: &str, port: u16) -> bool {
    use socket2::{Domain, Socket, Type};
    let ty = if proto == "udp" {
        Type::DGRAM
    } else {
        Type::STREAM
    };
    let Ok(socket) = Socket::new(Domain::IPV4, ty, None) else {
        return false;
    };
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())
        .is_ok()
}

/// Sends `signal` to every process of the group led by `pgid`.
#[cfg(unix)]
fn signal_group(pgid: u32, signal: libc::c_int) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        if pgid > 0 {
            // SAFETY: kill(2) has no memory-safety preconditions; a negative
            // pid addresses the process group.
            unsafe {
                libc::kill(-pgid, signal);
            }
        }
    }
}

/// The processes of one run of a session: the main process and whatever it
/// started. On POSIX that is the process group the main process leads; on
/// Windows, the job object it was put in (see [`windows`]). Dropping it ends
/// what is left: after the main process ended, and if the supervisor itself
/// is dropped (its runtime shut down), so nothing the session started
/// outlives it.
pub(crate) struct ProcessGroup {
    /// The group id: the main process's pid.
    #[cfg(unix)]
    pgid: Option<u32>,
    /// The main process's pid, which is also its console process group.
    #[cfg(windows)]
    pid: Option<u32>,
    /// `None` when no job could be made: then only the main process is
    /// stopped.
    #[cfg(windows)]
    job: Option<windows::Job>,
}

impl ProcessGroup {
    /// Asks every process to end (SIGTERM; CTRL_BREAK on Windows), or says
    /// why it could not ask.
    fn ask_to_stop(&self) -> io::Result<()> {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid {
            signal_group(pgid, libc::SIGTERM);
            return Ok(());
        }
        #[cfg(windows)]
        if let Some(pid) = self.pid {
            return windows::ctrl_break(pid);
        }
        Err(io::Error::other("the process has no id"))
    }

    /// Ends every process at once (SIGKILL; TerminateJobObject on Windows).
    fn kill(&self) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid {
            signal_group(pgid, libc::SIGKILL);
        }
        #[cfg(windows)]
        if let Some(job) = &self.job {
            job.terminate();
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts one run of the session's process, in a group of its own.
pub(crate) fn spawn(proc: &SessionProc) -> io::Result<(Child, ProcessGroup)> {
    let mut cmd = Command::new(&proc.argv[0]);
    cmd.args(&proc.argv[1..])
        .envs(proc.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&proc.workdir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs in the forked child before exec and only calls
    // prctl(2), which is async-signal-safe.
    unsafe {
        // Should the emulator die without stopping its sessions (SIGKILL, a
        // crash), the kernel kills the process instead of orphaning it.
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    #[cfg(windows)]
    cmd.creation_flags(windows::CREATION_FLAGS);
    let child = cmd.spawn()?;
    #[cfg(unix)]
    let group = ProcessGroup { pgid: child.id() };
    #[cfg(windows)]
    let group = {
        // The process is suspended: it cannot start anything before it is
        // in the job. If it cannot be resumed, dropping `child` kills it.
        let job = windows::Job::new().and_then(|job| {
            let handle = child
                .raw_handle()
                .ok_or_else(|| io::Error::other("the process has no handle"))?;
            job.assign(handle)?;
            Ok(job)
        });
        let job = job
            .map_err(|e| {
                proc.note(&format!(
                    "cannot put the process in a job object ({e}); \
                     only the process itself will be stopped"
                ));
            })
            .ok();
        let pid = child.id();
        windows::resume(pid.unwrap_or(0))?;
        ProcessGroup { pid, job }
    };
    #[cfg(not(any(unix, windows)))]
    let group = ProcessGroup {};
    Ok((child, group))
}

/// Asks the group to end (SIGTERM / CTRL_BREAK), then ends it at once
/// (SIGKILL / TerminateJobObject) if the main process has not ended within
/// `grace`.
pub(crate) async fn terminate(
    proc: &SessionProc,
    child: &mut Child,
    group: &ProcessGroup,
) -> io::Result<ExitStatus> {
    let grace = proc.grace;
    // `child.id()` is `None` once the main process has been reaped: then its
    // pid may already name something else, so nothing is signalled.
    if child.id().is_some() {
        match group.ask_to_stop() {
            Ok(()) => {
                if let Ok(status) = tokio::time::timeout(grace, child.wait()).await {
                    return status;
                }
            }
            // On Windows when the emulator has no console shared with the
            // process: there is no polite way to ask, so say why the stop is
            // abrupt.
            Err(e) => proc.note(&format!(
                "cannot ask the process to stop ({e}); ending it at once"
            )),
        }
    }
    if child.id().is_some() {
        group.kill();
    }
    let _ = child.start_kill();
    child.wait().await
}

/// Copies one output pipe into the log, whole lines at a time.
pub(crate) async fn pump(mut reader: impl AsyncRead + Unpin, proc: Arc<SessionProc>) {
    let mut buf = vec![0u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        if let Some(last) = pending.iter().rposition(|&b| b == b'\n') {
            let rest = pending.split_off(last + 1);
            proc.append(&pending);
            pending = rest;
        } else if pending.len() >= MAX_PARTIAL_LINE {
            proc.append(&pending);
            pending.clear();
        }
    }
    if !pending.is_empty() {
        // Keep the log line-oriented: stdout and stderr share it.
        pending.push(b'\n');
        proc.append(&pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keeps_the_last_whole_lines() {
        let mut log = LogBuf::new(10);
        log.append(b"aaaa\nbbbb\n");
        assert_eq!(log.read_from(0).0, b"aaaa\nbbbb\n");
        log.append(b"cc\n");
        // 13 bytes > 10: the first whole line goes.
        assert_eq!(log.read_from(0).0, b"bbbb\ncc\n");
        assert_eq!(log.start, 5);
        assert_eq!(log.end(), 13);
        // Reading from an offset already dropped starts at the oldest kept.
        assert_eq!(log.read_from(2), (b"bbbb\ncc\n".to_vec(), 13));
        assert_eq!(log.read_from(10), (b"cc\n".to_vec(), 13));
        assert_eq!(log.read_from(13), (Vec::new(), 13));
        // A line longer than the limit is cut, not kept whole.
        log.append(b"0123456789abcdef\n");
        assert_eq!(log.read_from(0).0.len(), 10);
        assert_eq!(log.end(), 30);
    }

    #[test]
    fn session_dirs_are_unique_and_removed() {
        let root = SessionsRoot::create(None, false).unwrap();
        let path = root.path().to_path_buf();
        let a = root.new_session_dir("../weird/id").unwrap();
        let b = root.new_session_dir("../weird/id").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(path.as_path()));
        assert!(a.is_dir() && b.is_dir());
        drop(root);
        assert!(!path.exists());

        let kept = SessionsRoot::create(None, true).unwrap();
        let path = kept.path().to_path_buf();
        let a = kept.new_session_dir("x").unwrap();
        drop(kept);
        assert!(a.is_dir());
        std::fs::remove_dir_all(path).unwrap();
    }

    #[test]
    fn a_bound_port_is_not_free() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(!port_is_free("tcp", port));
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        assert!(!port_is_free("udp", port));
        // (That a released port is free again is not asserted: any process
        // on the machine may take it in between.)
        drop(udp);
    }
}
