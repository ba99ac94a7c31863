//! The one place where `gameye-core` errors become Python exceptions.
//!
//! The exception classes are defined in Python (`gameye/_errors.py`) so they
//! can subclass builtins such as `ValueError` and be documented and typed like
//! any Python class; they are imported here as types (`import_exception!`),
//! [`exception_class`] is the binding's table from [`ErrorKind`] to class,
//! and every detail of the core [`Error`] is copied onto the exception.
//! The exception text is the core error's `Display`, which never contains the
//! API token.

use gameye_core::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use pyo3::PyTypeInfo;

/// The classes of `gameye/_errors.py`, as types (in a module of their own:
/// `GameyeError` is also the name of this module's Rust error enum).
mod classes {
    pyo3::import_exception!(gameye._errors, GameyeError);
    pyo3::import_exception!(gameye._errors, InvalidRequestError);
    pyo3::import_exception!(gameye._errors, ConfigurationError);
    pyo3::import_exception!(gameye._errors, AuthenticationError);
    pyo3::import_exception!(gameye._errors, QuotaExceededError);
    pyo3::import_exception!(gameye._errors, PermissionDeniedError);
    pyo3::import_exception!(gameye._errors, NotFoundError);
    pyo3::import_exception!(gameye._errors, ConflictError);
    pyo3::import_exception!(gameye._errors, NoCapacityError);
    pyo3::import_exception!(gameye._errors, ClientError);
    pyo3::import_exception!(gameye._errors, ServerError);
    pyo3::import_exception!(gameye._errors, TransportError);
    pyo3::import_exception!(gameye._errors, TimeoutError);
    pyo3::import_exception!(gameye._errors, DecodeError);
    pyo3::import_exception!(gameye._errors, DownloadError);
    pyo3::import_exception!(gameye._errors, CancelledError);
    pyo3::import_exception!(gameye._errors, PingNotPermittedError);
}

/// Imports every class of the table, when the extension loads: a class
/// missing from `_errors.py` fails the import (pyo3 panics on a failed
/// import), not the first error of its kind, and no later error waits on an
/// import (`gameye/__init__.py` has imported `_errors` by then).
pub(crate) fn import_classes(py: Python<'_>) -> PyResult<()> {
    py.import("gameye._errors")?;
    classes::GameyeError::type_object(py);
    for kind in gameye_core::ERROR_KINDS {
        exception_class(py, *kind);
    }
    violation_class(py)?;
    Ok(())
}

/// The exception class of each error kind: the binding's one table
/// (`tests/surface/check.py` fails when a kind has no row).
fn exception_class(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    match kind {
        ErrorKind::InvalidRequest => classes::InvalidRequestError::type_object(py),
        ErrorKind::InvalidConfig => classes::ConfigurationError::type_object(py),
        ErrorKind::Unauthorized => classes::AuthenticationError::type_object(py),
        ErrorKind::QuotaExhausted => classes::QuotaExceededError::type_object(py),
        ErrorKind::Forbidden => classes::PermissionDeniedError::type_object(py),
        ErrorKind::NotFound => classes::NotFoundError::type_object(py),
        ErrorKind::Conflict => classes::ConflictError::type_object(py),
        ErrorKind::NoCapacity => classes::NoCapacityError::type_object(py),
        ErrorKind::InvalidSyntax => classes::InvalidRequestError::type_object(py),
        ErrorKind::ClientError => classes::ClientError::type_object(py),
        ErrorKind::ServerError => classes::ServerError::type_object(py),
        ErrorKind::Connect => classes::TransportError::type_object(py),
        ErrorKind::Tls => classes::TransportError::type_object(py),
        ErrorKind::Timeout => classes::TimeoutError::type_object(py),
        ErrorKind::Transport => classes::TransportError::type_object(py),
        ErrorKind::Decode => classes::DecodeError::type_object(py),
        ErrorKind::Io => classes::DownloadError::type_object(py),
        ErrorKind::Cancelled => classes::CancelledError::type_object(py),
        ErrorKind::PingNotPermitted => classes::PingNotPermittedError::type_object(py),
        // `ErrorKind` is non-exhaustive: a kind newer than this table raises
        // the base class until it has its row (the surface check and the
        // Python tests fail meanwhile).
        _ => classes::GameyeError::type_object(py),
    }
}

/// A failure of a binding call: either a core error, to be raised as the
/// matching `gameye` exception, or a Python error raised along the way.
pub(crate) enum GameyeError {
    /// An error from `gameye-core`, boxed so that results stay small
    /// whatever the size of the core error type.
    Core(Box<Error>),
    /// An error raised by Python (a failed conversion, an import error).
    Python(PyErr),
}

/// The result of a binding call.
pub(crate) type GameyeResult<T> = Result<T, GameyeError>;

impl From<Error> for GameyeError {
    fn from(e: Error) -> Self {
        GameyeError::Core(Box::new(e))
    }
}

impl From<PyErr> for GameyeError {
    fn from(e: PyErr) -> Self {
        GameyeError::Python(e)
    }
}

impl From<GameyeError> for PyErr {
    fn from(e: GameyeError) -> Self {
        match e {
            GameyeError::Core(e) => Python::attach(|py| to_py_err(py, &e)),
            GameyeError::Python(e) => e,
        }
    }
}

/// Every error kind with its exception class: `(kind, status number, class
/// name)` in the core's order, for the tests that check the table.
#[pyfunction]
pub fn _error_kinds(py: Python<'_>) -> PyResult<Vec<(&'static str, u32, String)>> {
    gameye_core::ERROR_KINDS
        .iter()
        .map(|k| {
            let info = k.info();
            let class = exception_class(py, *k).name()?.to_string();
            Ok((info.name, info.status, class))
        })
        .collect()
}

/// `gameye._errors.Violation`, a dataclass (not an exception), imported once.
fn violation_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static VIOLATION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    VIOLATION.import(py, "gameye._errors", "Violation")
}

/// Builds the exception instance for a core error.
fn build_exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let class = exception_class(py, e.kind());
    let violation_class = violation_class(py)?;
    let violations = PyList::empty(py);
    for v in e.violations() {
        violations.append(violation_class.call1((v.field.as_str(), v.description.as_str()))?)?;
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", e.kind().info().name)?;
    kwargs.set_item("status", e.http_status())?;
    kwargs.set_item("code", e.code())?;
    kwargs.set_item("details", e.details())?;
    kwargs.set_item("identifier", e.identifier())?;
    kwargs.set_item("violations", violations)?;
    kwargs.set_item("body_excerpt", e.body_excerpt())?;
    kwargs.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("attempts", e.attempts())?;
    class.call((e.to_string(),), Some(&kwargs))
}

/// Converts a core error into the matching `gameye` exception. Should the
/// exception classes be unavailable (a broken installation), a `RuntimeError`
/// with the core error's text is raised instead, caused by the failure.
pub(crate) fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    match build_exception(py, e) {
        Ok(exc) => PyErr::from_value(exc),
        Err(failure) => {
            let err = PyRuntimeError::new_err(e.to_string());
            err.set_cause(py, Some(failure));
            err
        }
    }
}

/// A `DownloadError` for a failure of the caller's file object, raised
/// `from` the exception it raised.
pub(crate) fn write_failed(py: Python<'_>, cause: PyErr) -> PyErr {
    let core = Error::new(
        ErrorKind::Io,
        format!("cannot write the artifact: {}", cause.value(py)),
    );
    caused_by(py, &core, cause)
}

/// The exception of `e`, with `cause` as its `__cause__`.
pub(crate) fn caused_by(py: Python<'_>, e: &Error, cause: PyErr) -> PyErr {
    let err = to_py_err(py, e);
    err.set_cause(py, Some(cause));
    err
}

/// The exception of a call that ended without a result: its task was
/// stopped (the client's runtime shutting down) or panicked.
pub(crate) fn cancelled(why: &str) -> Error {
    Error::new(ErrorKind::Cancelled, why)
}
