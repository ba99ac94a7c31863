//! The library's log events (request start and end, status, duration,
//! failures, retries), routed to one process-wide sink that the host sets:
//! a C callback, Python's `logging`, or a Rust closure. Off by default and
//! one atomic load when off. Messages never contain the token or `env` values:
//! they name the method, the URL path (no query) and outcomes only, and the
//! text of a failure is logged with the token redacted (a server may echo
//! it back).

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// How important an event is; a sink set at one level gets it and all above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// A call failed.
    Error = 1,
    /// Something unusual that the library handled (a retry).
    Warn = 2,
    /// One line per request: method, path, status, duration.
    Info = 3,
    /// Request starts and other detail.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

impl LogLevel {
    /// The level with this number (1 = error … 5 = trace).
    pub fn from_number(n: u32) -> Option<LogLevel> {
        Some(match n {
            1 => LogLevel::Error,
            2 => LogLevel::Warn,
            3 => LogLevel::Info,
            4 => LogLevel::Debug,
            5 => LogLevel::Trace,
            _ => return None,
        })
    }
}

/// Where log events go.
pub type LogSink = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// The most detailed level that is delivered; 0 when logging is off.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);

/// The sink, with a count of its calls in progress: a replacement waits until
/// they are done, so once [`set_logger`] returns the old sink never runs again
/// (the host may free what it uses).
struct Current {
    sink: LogSink,
    /// Calls of this sink in progress, changed under [`SINK`]'s lock.
    active: AtomicUsize,
}

static SINK: Mutex<Option<Arc<Current>>> = Mutex::new(None);
/// Signalled (under [`SINK`]'s lock) when a sink call ends.
static CALL_ENDED: Condvar = Condvar::new();

thread_local! {
    /// The sink this thread is calling right now (its address), 0 for none.
    static IN_SINK: Cell<usize> = const { Cell::new(0) };
}

fn lock_sink() -> MutexGuard<'static, Option<Arc<Current>>> {
    SINK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Routes events at `level` and above to `sink`, replacing any earlier sink;
/// `None` turns logging off. The sink is called on whichever thread logs (the
/// caller's or an I/O thread), so it must be thread-safe and quick.
///
/// When this returns, the earlier sink is not running on any other thread and
/// never starts again. Called from inside the earlier sink itself, it waits
/// for the sink's calls on other threads only. Events logged from inside a
/// sink are not delivered (no recursion).
pub fn set_logger(level: LogLevel, sink: Option<LogSink>) {
    let mut slot = lock_sink();
    MAX_LEVEL.store(
        if sink.is_some() { level as u8 } else { 0 },
        Ordering::Release,
    );
    let old = std::mem::replace(
        &mut *slot,
        sink.map(|sink| {
            Arc::new(Current {
                sink,
                active: AtomicUsize::new(0),
            })
        }),
    );
    if let Some(old) = old {
        let own = IN_SINK
            .try_with(|s| usize::from(s.get() == Arc::as_ptr(&old) as usize))
            .unwrap_or(0);
        while old.active.load(Ordering::Acquire) > own {
            slot = CALL_ENDED.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
    }
    drop(slot);
}

/// Whether events at `level` are delivered.
pub(crate) fn enabled(level: LogLevel) -> bool {
    level as u8 <= MAX_LEVEL.load(Ordering::Acquire)
}

/// Ends one sink call (also when the sink panics).
struct CallGuard(Arc<Current>);

impl Drop for CallGuard {
    fn drop(&mut self) {
        let _ = IN_SINK.try_with(|s| s.set(0));
        let _slot = lock_sink();
        self.0.active.fetch_sub(1, Ordering::AcqRel);
        CALL_ENDED.notify_all();
    }
}

/// Delivers one event (call only when [`enabled`]).
pub(crate) fn emit(level: LogLevel, message: &str) {
    if IN_SINK.try_with(|s| s.get() != 0).unwrap_or(true) {
        return;
    }
    let current = {
        let slot = lock_sink();
        let Some(current) = slot.as_ref() else {
            return;
        };
        current.active.fetch_add(1, Ordering::AcqRel);
        Arc::clone(current)
    };
    let _ = IN_SINK.try_with(|s| s.set(Arc::as_ptr(&current) as usize));
    let guard = CallGuard(current);
    (guard.0.sink)(level, message);
}

/// Logs a formatted event when its level is enabled; formats nothing otherwise.
macro_rules! log_event {
    ($level:expr, $($arg:tt)*) => {
        if $crate::diagnostics::enabled($level) {
            $crate::diagnostics::emit($level, &format!($($arg)*));
        }
    };
}
pub(crate) use log_event;
