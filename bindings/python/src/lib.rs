//! # gameye-python
//!
//! The Python binding of the Gameye Session API SDK, built with pyo3 and
//! maturin as the extension module `gameye._gameye`. The Python package
//! `gameye` (in `python/gameye/`) re-exports these classes together with the
//! exception classes, which are defined in Python (`gameye/_errors.py`).
//!
//! The binding holds no business logic: validation, id generation, HTTP and
//! error classification all live in `gameye-core`. This crate only converts
//! Python values to core types and back, releases the GIL while a request is
//! in flight, and maps each core [`gameye_core::ErrorKind`] to an exception
//! class in one table of its own (`src/error.rs`).
//!
//! `Client` calls the core's blocking methods with the GIL released.
//! `AsyncClient` runs the core's `_async` methods on the client's own tokio
//! runtime and resolves asyncio futures from there (`src/aio_future.rs`).

use pyo3::prelude::*;

mod aio;
mod aio_future;
mod client;
mod client_methods;
mod convert;
mod diagnostics;
mod download;
mod endpoints;
mod error;
mod exit_gate;
mod loop_inbox;
mod placement;
mod placement_types;
mod session_logs;
mod types;

/// The extension module `gameye._gameye`.
#[pymodule]
fn _gameye(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // In this order in the stub (scripts/gen_pyi.py): values, streams, clients.
    m.add_class::<types::PyPort>()?;
    m.add_class::<types::PySession>()?;
    m.add_class::<types::PySessionSummary>()?;
    m.add_class::<types::PySessionDetails>()?;
    m.add_class::<types::PyPlayers>()?;
    m.add_class::<types::PyPlayerCount>()?;
    m.add_class::<types::PyLocation>()?;
    m.add_class::<placement_types::PyRankedLocation>()?;
    m.add_class::<placement_types::PyExclusion>()?;
    m.add_class::<placement_types::PyPlacement>()?;
    m.add_class::<placement_types::PyPlacementAttempt>()?;
    m.add_class::<placement_types::PyPlacedSession>()?;
    m.add_class::<session_logs::PyLogStream>()?;
    m.add_class::<session_logs::PyAsyncLogStream>()?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<aio::PyAsyncClient>()?;
    m.add_function(wrap_pyfunction!(diagnostics::_route_logs, m)?)?;
    m.add_function(wrap_pyfunction!(error::_error_kinds, m)?)?;
    error::import_classes(m.py())?;
    exit_gate::register(m)?;
    m.add_function(wrap_pyfunction!(placement::_ping_locations, m)?)?;
    m.add_function(wrap_pyfunction!(placement::_choose_location, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
