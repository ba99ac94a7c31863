//! The library's log events (request start and end, status, duration,
//! failures, retries), routed to one process-wide sink that the host sets:
//! a C callback, Python's `logging`, or a Rust closure. Off by default and
//! one atomic load when off. Messages never contain the token or `env` values:
//! they name the method, the URL path (no query) and outcomes only.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

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
static SINK: RwLock<Option<LogSink>> = RwLock::new(None);

/// Routes events at `level` and above to `sink`, replacing any earlier sink;
/// `None` turns logging off. The sink is called on whichever thread logs (the
/// caller's or an I/O thread), so it must be thread-safe and quick.
pub fn set_logger(level: LogLevel, sink: Option<LogSink>) {
    let mut slot = SINK.write().unwrap_or_else(|e| e.into_inner());
    MAX_LEVEL.store(
        if sink.is_some() { level as u8 } else { 0 },
        Ordering::Release,
    );
    *slot = sink;
}

/// Whether events at `level` are delivered.
pub(crate) fn enabled(level: LogLevel) -> bool {
    level as u8 <= MAX_LEVEL.load(Ordering::Acquire)
}

/// Delivers one event (call only when [`enabled`]).
pub(crate) fn emit(level: LogLevel, message: &str) {
    let sink = SINK.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(sink) = sink {
        sink(level, message);
    }
}

/// Logs a formatted event when its level is enabled; formats nothing otherwise.
macro_rules! log_event {
    ($level:expr, $($arg:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::emit($level, &format!($($arg)*));
        }
    };
}
pub(crate) use log_event;
