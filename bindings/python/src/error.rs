//! The one place where `gameye-core` errors become Python exceptions.
//!
//! The exception classes are defined in Python (`gameye/_errors.py`) so they
//! can subclass builtins such as `ValueError` and be documented and typed like
//! any Python class; this module picks the class for each
//! [`ErrorKind`] and copies every detail of the core [`Error`] onto it.
//! The exception text is the core error's `Display`, which never contains the
//! API token.

use std::borrow::Cow;

use gameye_core::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyModule};

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "gameye._errors";

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

/// The exception class name and the `.kind` string of each core error kind.
///
/// `ErrorKind` is `#[non_exhaustive]`: a kind added to the core later is
/// raised as the base `GameyeError`, its `.kind` derived from the variant name.
fn classify(kind: ErrorKind) -> (&'static str, Cow<'static, str>) {
    let (class, name) = match kind {
        ErrorKind::InvalidRequest => ("InvalidRequestError", "invalid_request"),
        ErrorKind::InvalidSyntax => ("InvalidRequestError", "invalid_syntax"),
        ErrorKind::InvalidConfig => ("ConfigurationError", "invalid_config"),
        ErrorKind::Unauthorized => ("AuthenticationError", "unauthorized"),
        ErrorKind::QuotaExhausted => ("QuotaExceededError", "quota_exhausted"),
        ErrorKind::Forbidden => ("PermissionDeniedError", "forbidden"),
        ErrorKind::NotFound => ("NotFoundError", "not_found"),
        ErrorKind::Conflict => ("ConflictError", "conflict"),
        ErrorKind::NoCapacity => ("NoCapacityError", "no_capacity"),
        ErrorKind::ClientError => ("ClientError", "client_error"),
        ErrorKind::ServerError => ("ServerError", "server_error"),
        ErrorKind::Connect => ("TransportError", "connect"),
        ErrorKind::Tls => ("TransportError", "tls"),
        ErrorKind::Transport => ("TransportError", "transport"),
        ErrorKind::Timeout => ("TimeoutError", "timeout"),
        ErrorKind::Decode => ("DecodeError", "decode"),
        ErrorKind::Io => ("DownloadError", "io"),
        ErrorKind::Cancelled => ("CancelledError", "cancelled"),
        ErrorKind::PingNotPermitted => ("PingNotPermittedError", "ping_not_permitted"),
        other => return ("GameyeError", Cow::Owned(snake_case(&format!("{other:?}")))),
    };
    (class, Cow::Borrowed(name))
}

/// `NewKind` → `new_kind`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The `gameye._errors` module, imported once.
fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import(ERRORS_MODULE)?.unbind()))
        .map(|m| m.bind(py))
}

/// Builds the exception instance for a core error.
fn build_exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let module = errors_module(py)?;
    let (class_name, kind) = classify(e.kind());
    let violation_class = module.getattr("Violation")?;
    let violations = PyList::empty(py);
    for v in e.violations() {
        violations.append(violation_class.call1((v.field.as_str(), v.description.as_str()))?)?;
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", kind.as_ref())?;
    kwargs.set_item("status", e.http_status())?;
    kwargs.set_item("code", e.code())?;
    kwargs.set_item("details", e.details())?;
    kwargs.set_item("identifier", e.identifier())?;
    kwargs.set_item("violations", violations)?;
    kwargs.set_item("body_excerpt", e.body_excerpt())?;
    kwargs.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("attempts", e.attempts())?;
    module
        .getattr(class_name)?
        .call((e.to_string(),), Some(&kwargs))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_variant_names() {
        assert_eq!(snake_case("TooManyRequests"), "too_many_requests");
        assert_eq!(snake_case("Tls"), "tls");
    }

    #[test]
    fn every_http_kind_has_its_class() {
        let cases = [
            (401, "AuthenticationError"),
            (402, "QuotaExceededError"),
            (403, "PermissionDeniedError"),
            (404, "NotFoundError"),
            (409, "ConflictError"),
            (420, "NoCapacityError"),
            (422, "InvalidRequestError"),
            (418, "ClientError"),
            (503, "ServerError"),
        ];
        for (status, class) in cases {
            let kind = ErrorKind::from_http_status(status).unwrap();
            assert_eq!(classify(kind).0, class, "{status}");
        }
    }

    #[test]
    fn local_kinds_have_their_class() {
        assert_eq!(classify(ErrorKind::Io).0, "DownloadError");
        assert_eq!(classify(ErrorKind::Io).1, "io");
        assert_eq!(classify(ErrorKind::Cancelled).0, "CancelledError");
        assert_eq!(classify(ErrorKind::Cancelled).1, "cancelled");
    }
}
