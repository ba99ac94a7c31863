//! Routes the core's log events to Python's `logging.getLogger("gameye")`.
//! The core filters by level before anything reaches Python, so the GIL is
//! only taken for events the chosen level lets through.

use std::sync::Arc;

use gameye_core::LogLevel;
use pyo3::prelude::*;

/// The `logging` level number of a core level (TRACE below DEBUG, as 5).
fn python_level(level: LogLevel) -> u32 {
    match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
        LogLevel::Debug => 10,
        LogLevel::Trace => 5,
    }
}

/// Sends the library's log events at a core level (1 error .. 5 trace; 0
/// off) and above to ``logger``.
// The GIL is released while the sink is replaced: `set_logger` waits for the
// old sink's calls in progress, and those may be waiting for the GIL.
// py: logger: logging.Logger
#[pyfunction]
pub fn _route_logs(py: Python<'_>, level: u32, logger: Py<PyAny>) {
    let Some(level) = LogLevel::from_number(level) else {
        crate::exit_gate::detach(py, || gameye_core::set_logger(LogLevel::Error, None));
        return;
    };
    let logger = Arc::new(logger);
    let sink: gameye_core::LogSink = Arc::new(move |level, message: &str| {
        // An event during interpreter exit is dropped, not a hang.
        let _ = crate::exit_gate::try_attach(|py| {
            let _ = logger.call_method1(py, "log", (python_level(level), message));
        });
    });
    crate::exit_gate::detach(py, || gameye_core::set_logger(level, Some(sink)));
}
