//! The supervisor: the one task per process-running session that spawns,
//! signals and reaps its process ([`crate::process`] has the mechanics),
//! restarts it after a failure when asked to, enforces the ttl, and marks the
//! session exited in the state when it is over; and the emulator's shutdown
//! of every such process.

use std::io;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::errors::now_ms;
use crate::process::{pump, spawn, terminate, SessionProc, StopReason};
use crate::state::{Shared, Status};

/// How long the supervisor waits, after the process has ended, for its output
/// pipes to reach end-of-file (something outside the process group may still
/// hold them).
const PIPE_DRAIN: Duration = Duration::from_secs(2);

/// First delay before a restart; it doubles with every quick failure.
const RESTART_DELAY_MIN: Duration = Duration::from_millis(100);
/// Longest delay before a restart.
const RESTART_DELAY_MAX: Duration = Duration::from_secs(5);
/// A process that ran at least this long resets the restart delay.
const RESTART_RESET_AFTER: Duration = Duration::from_secs(10);

async fn stop_requested(rx: &mut watch::Receiver<Option<StopReason>>) {
    let _ = rx.wait_for(Option::is_some).await;
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

fn describe_exit(status: &io::Result<ExitStatus>) -> String {
    match status {
        Err(e) => format!("could not be waited for: {e}"),
        Ok(s) => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                if let Some(sig) = s.signal() {
                    return format!("was killed by signal {sig}");
                }
            }
            match s.code() {
                Some(code) => format!("exited with code {code}"),
                None => "exited".to_string(),
            }
        }
    }
}

enum Event {
    Exited(io::Result<ExitStatus>),
    Stop,
    Ttl,
}

/// Runs a session's process until the session is over: spawns it, captures
/// its output, restarts it after a failure when asked to, enforces the ttl,
/// and stops it on request. Then marks the session exited, frees its ports
/// and tells followers of its log that it has ended.
pub(crate) async fn supervise(shared: Arc<Shared>, proc: Arc<SessionProc>) {
    let mut stop_rx = proc.stop_requests();
    let deadline = proc.expires_at.map(|at| {
        let left = u64::try_from(at.saturating_sub(now_ms())).unwrap_or(0);
        tokio::time::Instant::now() + Duration::from_millis(left)
    });
    let mut quick_failures: u32 = 0;
    loop {
        if stop_rx.borrow().is_some() || shared.is_closed() {
            break;
        }
        let started = Instant::now();
        let (mut child, group) = match spawn(&proc) {
            Ok(c) => c,
            Err(e) => {
                proc.note(&format!("cannot start {:?}: {e}", proc.argv[0]));
                break;
            }
        };
        let pumps: Vec<_> = [
            child
                .stdout
                .take()
                .map(|o| tokio::spawn(pump(o, Arc::clone(&proc)))),
            child
                .stderr
                .take()
                .map(|e| tokio::spawn(pump(e, Arc::clone(&proc)))),
        ]
        .into_iter()
        .flatten()
        .collect();

        let event = tokio::select! {
            s = child.wait() => Event::Exited(s),
            _ = stop_requested(&mut stop_rx) => Event::Stop,
            _ = sleep_until(deadline) => Event::Ttl,
        };
        let status = match event {
            Event::Exited(s) => s,
            Event::Stop => terminate(&proc, &mut child, &group).await,
            Event::Ttl => {
                expire(&shared, &proc);
                terminate(&proc, &mut child, &group).await
            }
        };
        // The main process is gone: end whatever it left in its group.
        drop(group);
        for p in pumps {
            let abort = p.abort_handle();
            if tokio::time::timeout(PIPE_DRAIN, p).await.is_err() {
                abort.abort();
            }
        }

        if stop_rx.borrow().is_some() {
            break;
        }
        let failed = status.as_ref().map_or(true, |s| !s.success());
        if !failed {
            break;
        }
        proc.note(&format!("the process {}", describe_exit(&status)));
        if !proc.restart || shared.is_closed() {
            break;
        }

        if started.elapsed() >= RESTART_RESET_AFTER {
            quick_failures = 0;
        }
        let delay = RESTART_DELAY_MIN
            .saturating_mul(1 << quick_failures.min(10))
            .min(RESTART_DELAY_MAX);
        quick_failures += 1;
        shared
            .lock()
            .set_active_status(&proc.id, Status::Restarting);
        proc.note(&format!("restarting in {} ms", delay.as_millis()));
        let event = tokio::select! {
            _ = tokio::time::sleep(delay) => None,
            _ = stop_requested(&mut stop_rx) => Some(Event::Stop),
            _ = sleep_until(deadline) => Some(Event::Ttl),
        };
        match event {
            None => {}
            Some(Event::Ttl) => {
                expire(&shared, &proc);
                break;
            }
            Some(_) => break,
        }
        shared.lock().set_active_status(&proc.id, Status::Running);
    }
    shared.lock().finish(&proc.id);
    proc.mark_ended();
}

/// The ttl ran out: the session becomes exited as if stopped.
fn expire(shared: &Shared, proc: &SessionProc) {
    shared.lock().stop(&proc.id, StopReason::Ttl);
    proc.request_stop(StopReason::Ttl);
}

/// Asks every process to stop and keeps any new one from starting; returns
/// the processes that have not ended yet. Synchronous, so it can run from a
/// `Drop`.
pub(crate) fn close(shared: &Shared) -> Vec<Arc<SessionProc>> {
    shared
        .closed
        .store(true, std::sync::atomic::Ordering::Release);
    let mut state = shared.lock();
    let procs: Vec<Arc<SessionProc>> = state
        .sessions
        .values()
        .filter_map(|s| s.proc.clone())
        .filter(|p| !p.has_ended())
        .collect();
    for p in &procs {
        state.stop(&p.id, StopReason::Shutdown);
        p.request_stop(StopReason::Shutdown);
    }
    procs
}

/// Stops every process (SIGTERM, then SIGKILL after the grace period) and
/// waits until each has been reaped, within a bound.
pub(crate) async fn shutdown(shared: &Shared) {
    let procs = close(shared);
    let limit =
        Duration::from_millis(shared.config.stop_grace_ms).saturating_add(Duration::from_secs(5));
    let deadline = Instant::now() + limit;
    for p in procs {
        let left = deadline.saturating_duration_since(Instant::now());
        p.wait_ended(left).await;
    }
}
