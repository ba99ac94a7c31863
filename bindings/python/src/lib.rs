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
//! class in one place (`src/error.rs`).

use pyo3::prelude::*;

mod client;
mod convert;
mod error;
mod session;

/// The extension module `gameye._gameye`.
#[pymodule]
fn _gameye(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::PyClient>()?;
    m.add_class::<session::PySession>()?;
    m.add_class::<session::PyPort>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
