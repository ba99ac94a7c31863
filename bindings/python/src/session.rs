//! `Session` and `Port`: frozen Python views of the core's response types.

use gameye_core::{Port, Session};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// Python's `repr` of a string (`'europe'`), for `__repr__` output that
/// reads like the constructor call.
fn repr_str(py: Python<'_>, s: &str) -> PyResult<String> {
    PyString::new(py, s).repr()?.extract()
}

/// A mapped port of a session: players connect to ``host`` port on the
/// session's host. Frozen, comparable and hashable.
#[pyclass(frozen, eq, hash, module = "gameye", name = "Port", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyPort {
    /// The protocol: ``"tcp"``, ``"udp"``, or a newer name as the server sent it.
    #[pyo3(get, name = "type")]
    protocol: String,
    /// The port inside the container.
    #[pyo3(get)]
    container: u16,
    /// The port on the host machine that players connect to.
    #[pyo3(get)]
    host: u16,
}

#[pymethods]
impl PyPort {
    /// Builds a port; sessions come with their ports, this is for tests.
    #[new]
    #[pyo3(signature = (r#type, container, host))]
    fn new(r#type: String, container: u16, host: u16) -> Self {
        PyPort {
            protocol: r#type,
            container,
            host,
        }
    }

    /// ``Port(type='tcp', container=80, host=49000)``.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Port(type={}, container={}, host={})",
            repr_str(py, &self.protocol)?,
            self.container,
            self.host
        ))
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (String, u16, u16) {
        (self.protocol.clone(), self.container, self.host)
    }
}

impl From<Port> for PyPort {
    fn from(p: Port) -> Self {
        PyPort {
            protocol: p.protocol.as_str().to_owned(),
            container: p.container,
            host: p.host,
        }
    }
}

/// A started session. Frozen, comparable and hashable.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "gameye",
    name = "Session",
    skip_from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PySession {
    /// The session id: the server's, or the one the client sent when the
    /// server's answer omitted it (a generated UUIDv4 unless ``id=`` was given).
    #[pyo3(get)]
    id: String,
    /// The IP address of the machine the session runs on.
    #[pyo3(get)]
    host: String,
    ports: Vec<PyPort>,
}

#[pymethods]
impl PySession {
    /// Builds a session; ``Client.create_session`` returns them, this is for tests.
    #[new]
    fn new(id: String, host: String, ports: Vec<PyPort>) -> Self {
        PySession { id, host, ports }
    }

    /// The mapped ports, as a new list on each access.
    #[getter]
    fn ports(&self) -> Vec<PyPort> {
        self.ports.clone()
    }

    /// ``Session(id='…', host='…', ports=[Port(…), …])``.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let ports = self
            .ports
            .iter()
            .map(|p| p.__repr__(py))
            .collect::<PyResult<Vec<_>>>()?
            .join(", ");
        Ok(format!(
            "Session(id={}, host={}, ports=[{ports}])",
            repr_str(py, &self.id)?,
            repr_str(py, &self.host)?
        ))
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (String, String, Vec<PyPort>) {
        (self.id.clone(), self.host.clone(), self.ports.clone())
    }
}

impl From<Session> for PySession {
    fn from(s: Session) -> Self {
        PySession {
            id: s.id,
            host: s.host,
            ports: s.ports.into_iter().map(PyPort::from).collect(),
        }
    }
}
