//! `gameye_set_logger`: the library's log events into the host's log.

use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

use gameye_core::LogLevel;

use crate::panic::ffi_panic_boundary;
use crate::status::GameyeStatus;

/// Log levels; a logger set at one level gets it and every level above.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameyeLogLevel {
    /// Logging off.
    Off = 0,
    /// A call failed.
    Error = 1,
    /// Something unusual the library handled (a retry).
    Warn = 2,
    /// One line per request: method, path, status, duration.
    Info = 3,
    /// Request starts and more.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

/// Receives one log event: its level and a NUL-terminated UTF-8 message,
/// valid only during the call. Called on whichever thread logs (the caller's
/// or a library I/O thread), possibly concurrently: it must be thread-safe
/// and quick. It may call `gameye_set_logger` (which then does not wait for
/// this call itself); events logged from inside it are not delivered.
pub type GameyeLogCallback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, level: GameyeLogLevel, message: *const c_char),
>;

struct Sink {
    callback: unsafe extern "C" fn(*mut c_void, GameyeLogLevel, *const c_char),
    userdata: *mut c_void,
}
// SAFETY: the host promises the callback is thread-safe with this userdata.
unsafe impl Send for Sink {}
// SAFETY: as above.
unsafe impl Sync for Sink {}

impl Sink {
    fn call(&self, level: LogLevel, message: &str) {
        let text = CString::new(message.replace('\0', "\u{FFFD}")).expect("NULs replaced");
        // SAFETY: the host's contract for the callback; `text` lives for the call.
        unsafe { (self.callback)(self.userdata, to_c(level), text.as_ptr()) };
    }
}

fn to_c(level: LogLevel) -> GameyeLogLevel {
    match level {
        LogLevel::Error => GameyeLogLevel::Error,
        LogLevel::Warn => GameyeLogLevel::Warn,
        LogLevel::Info => GameyeLogLevel::Info,
        LogLevel::Debug => GameyeLogLevel::Debug,
        LogLevel::Trace => GameyeLogLevel::Trace,
    }
}

/// Routes the library's log events at `level` and above (`level` is a
/// `GameyeLogLevel` number) to `callback`, replacing any earlier logger.
/// `GAMEYE_LOG_LEVEL_OFF` or a NULL `callback` turns logging off. Messages
/// never contain the token or `env` values.
///
/// Returns `GAMEYE_STATUS_OK`, or `GAMEYE_STATUS_INVALID_CONFIG` for an
/// unknown level. Process-wide; any thread.
///
/// When it returns, the previous callback is not running on any other thread
/// and never starts again, so the host may free its `userdata` (it waits for
/// calls in progress: do not hold a lock the callback takes while calling it).
/// Called from inside the previous callback, it waits for that callback's
/// calls on other threads only.
///
/// # Safety
/// `callback` is NULL or safe to call with `userdata` from any thread.
#[no_mangle]
pub unsafe extern "C" fn gameye_set_logger(
    level: u32,
    callback: GameyeLogCallback,
    userdata: *mut c_void,
) -> GameyeStatus {
    ffi_panic_boundary!({
        if level == GameyeLogLevel::Off as u32 || callback.is_none() {
            gameye_core::set_logger(LogLevel::Error, None);
            return GameyeStatus::Ok;
        }
        let Some(level) = LogLevel::from_number(level) else {
            return GameyeStatus::InvalidConfig;
        };
        let sink = Sink {
            callback: callback.expect("checked above"),
            userdata,
        };
        gameye_core::set_logger(
            level,
            Some(Arc::new(move |level, message: &str| {
                sink.call(level, message)
            })),
        );
        GameyeStatus::Ok
    })
}
