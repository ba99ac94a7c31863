//! Frozen Python views of the core's response types: `Session` and `Port`,
//! `SessionSummary`, `SessionDetails`, `Players`, `PlayerCount` and
//! `Location`. Each is comparable, hashable and picklable, and has a
//! constructor for tests and for callers that build fake results.

use std::collections::BTreeMap;

use gameye_core::{
    ports_from_map, Location, PlayerCount, Players, Port, Session, SessionDetails, SessionStatus,
    SessionSummary,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

/// `Name(field=repr(value), ...)`, each value shown by Python's `repr`.
pub(crate) fn repr_call(name: &str, fields: Vec<(&str, Bound<'_, PyAny>)>) -> PyResult<String> {
    let mut parts = Vec::with_capacity(fields.len());
    for (field, value) in fields {
        parts.push(format!("{field}={}", value.repr()?));
    }
    Ok(format!("{name}({})", parts.join(", ")))
}

/// The value as a Python object, for `repr_call` and pickling.
pub(crate) fn obj<'py, T>(py: Python<'py>, value: T) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPyObject<'py>,
{
    value.into_bound_py_any(py)
}

/// `(args, kwargs)` of `__getnewargs_ex__`.
type NewArgs<'py> = (Bound<'py, PyTuple>, Bound<'py, PyDict>);

pub(crate) fn new_args<'py>(
    py: Python<'py>,
    args: Vec<Bound<'py, PyAny>>,
    kwargs: Vec<(&str, Bound<'py, PyAny>)>,
) -> PyResult<NewArgs<'py>> {
    let dict = PyDict::new(py);
    for (k, v) in kwargs {
        dict.set_item(k, v)?;
    }
    Ok((PyTuple::new(py, args)?, dict))
}

fn typed_ports(port: &BTreeMap<String, u16>) -> Vec<PyPort> {
    ports_from_map(port).into_iter().map(PyPort::from).collect()
}

fn status_name(status: &SessionStatus) -> String {
    status.as_str().to_owned()
}

/// One entry of :meth:`Client.list_sessions`. Frozen, comparable, hashable
/// and picklable.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "gameye",
    name = "SessionSummary",
    skip_from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PySessionSummary {
    /// The session id.
    #[pyo3(get)]
    id: String,
    /// The image name.
    #[pyo3(get)]
    image: String,
    /// The image tag, when the server says.
    #[pyo3(get)]
    tag: Option<String>,
    /// The location.
    #[pyo3(get)]
    location: String,
    /// The IP address of the session's host.
    #[pyo3(get)]
    host: String,
    /// Creation time, milliseconds since the Unix epoch.
    #[pyo3(get)]
    created: i64,
    port: BTreeMap<String, u16>,
    ports: Vec<PyPort>,
    /// ``"created"``, ``"running"``, ``"restarting"``, ``"exited"``,
    /// ``"dead"``, ``"draining"``, ``"shuttingdown"``,
    /// ``"server_unreachable"``, a newer server's status as it was sent, or
    /// ``None`` when the server did not say.
    #[pyo3(get)]
    status: Option<String>,
    labels: BTreeMap<String, String>,
    /// The number of players, when known.
    #[pyo3(get)]
    player_count: Option<i64>,
}

#[pymethods]
impl PySessionSummary {
    /// Builds a summary; ``list_sessions`` returns them, this is for tests.
    #[new]
    #[pyo3(signature = (id, image, location, host, created, port, *, tag=None, status=None, labels=None, player_count=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        image: String,
        location: String,
        host: String,
        created: i64,
        port: BTreeMap<String, u16>,
        tag: Option<String>,
        status: Option<String>,
        labels: Option<BTreeMap<String, String>>,
        player_count: Option<i64>,
    ) -> Self {
        PySessionSummary {
            ports: typed_ports(&port),
            id,
            image,
            tag,
            location,
            host,
            created,
            port,
            status,
            labels: labels.unwrap_or_default(),
            player_count,
        }
    }

    /// The exposed ports as the API gives them, ``{"80/tcp": 49160}``
    /// (a new dict on each access).
    #[getter]
    fn port(&self) -> BTreeMap<String, u16> {
        self.port.clone()
    }

    /// The exposed ports as typed :class:`Port` (a new list on each access);
    /// a key without a protocol is TCP, a key that is not a port is skipped.
    #[getter]
    fn ports(&self) -> Vec<PyPort> {
        self.ports.clone()
    }

    /// User-defined labels (a new dict on each access).
    #[getter]
    fn labels(&self) -> BTreeMap<String, String> {
        self.labels.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "SessionSummary",
            vec![
                ("id", obj(py, &self.id)?),
                ("image", obj(py, &self.image)?),
                ("tag", obj(py, &self.tag)?),
                ("location", obj(py, &self.location)?),
                ("host", obj(py, &self.host)?),
                ("created", obj(py, self.created)?),
                ("port", obj(py, &self.port)?),
                ("status", obj(py, &self.status)?),
                ("labels", obj(py, &self.labels)?),
                ("player_count", obj(py, self.player_count)?),
            ],
        )
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<NewArgs<'py>> {
        new_args(
            py,
            vec![
                obj(py, &self.id)?,
                obj(py, &self.image)?,
                obj(py, &self.location)?,
                obj(py, &self.host)?,
                obj(py, self.created)?,
                obj(py, &self.port)?,
            ],
            vec![
                ("tag", obj(py, &self.tag)?),
                ("status", obj(py, &self.status)?),
                ("labels", obj(py, &self.labels)?),
                ("player_count", obj(py, self.player_count)?),
            ],
        )
    }
}

impl From<SessionSummary> for PySessionSummary {
    fn from(s: SessionSummary) -> Self {
        PySessionSummary {
            ports: typed_ports(&s.port),
            id: s.id,
            image: s.image,
            tag: s.tag,
            location: s.location,
            host: s.host,
            created: s.created,
            port: s.port,
            status: s.status.as_ref().map(status_name),
            labels: s.labels,
            player_count: s.player_count,
        }
    }
}

/// The players of a described session. Frozen, comparable and hashable.
#[pyclass(frozen, eq, hash, module = "gameye", name = "Players", from_py_object)]
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct PyPlayers {
    joined: Vec<String>,
    /// How many players joined.
    #[pyo3(get)]
    joined_count: i64,
}

#[pymethods]
impl PyPlayers {
    /// Builds a players record; this is for tests.
    #[new]
    fn new(joined: Vec<String>, joined_count: i64) -> Self {
        PyPlayers {
            joined,
            joined_count,
        }
    }

    /// The ids of the players who joined (a new list on each access).
    #[getter]
    fn joined(&self) -> Vec<String> {
        self.joined.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "Players",
            vec![
                ("joined", obj(py, &self.joined)?),
                ("joined_count", obj(py, self.joined_count)?),
            ],
        )
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (Vec<String>, i64) {
        (self.joined.clone(), self.joined_count)
    }
}

impl From<Players> for PyPlayers {
    fn from(p: Players) -> Self {
        PyPlayers {
            joined: p.joined,
            joined_count: p.joined_count,
        }
    }
}

/// One session as :meth:`Client.get_session` describes it, with its
/// players. Frozen, comparable, hashable and picklable.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "gameye",
    name = "SessionDetails",
    skip_from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PySessionDetails {
    /// The session id.
    #[pyo3(get)]
    id: String,
    /// The image name.
    #[pyo3(get)]
    image: String,
    /// The image tag, when the server says.
    #[pyo3(get)]
    tag: Option<String>,
    /// The location.
    #[pyo3(get)]
    location: String,
    /// The IP address of the session's host.
    #[pyo3(get)]
    host: String,
    /// Creation time, milliseconds since the Unix epoch.
    #[pyo3(get)]
    created: i64,
    port: BTreeMap<String, u16>,
    ports: Vec<PyPort>,
    /// The status, as :attr:`SessionSummary.status` (never ``None`` here).
    #[pyo3(get)]
    status: String,
    labels: BTreeMap<String, String>,
    /// The players who joined.
    #[pyo3(get)]
    players: PyPlayers,
}

#[pymethods]
impl PySessionDetails {
    /// Builds the details; ``get_session`` returns them, this is for tests.
    #[new]
    #[pyo3(signature = (id, image, location, host, created, port, status, *, tag=None, labels=None, players=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        image: String,
        location: String,
        host: String,
        created: i64,
        port: BTreeMap<String, u16>,
        status: String,
        tag: Option<String>,
        labels: Option<BTreeMap<String, String>>,
        players: Option<PyPlayers>,
    ) -> Self {
        PySessionDetails {
            ports: typed_ports(&port),
            id,
            image,
            tag,
            location,
            host,
            created,
            port,
            status,
            labels: labels.unwrap_or_default(),
            players: players.unwrap_or_default(),
        }
    }

    /// The exposed ports as the API gives them, ``{"80/tcp": 49160}``
    /// (a new dict on each access).
    #[getter]
    fn port(&self) -> BTreeMap<String, u16> {
        self.port.clone()
    }

    /// The exposed ports as typed :class:`Port` (a new list on each access);
    /// a key without a protocol is TCP, a key that is not a port is skipped.
    #[getter]
    fn ports(&self) -> Vec<PyPort> {
        self.ports.clone()
    }

    /// User-defined labels (a new dict on each access).
    #[getter]
    fn labels(&self) -> BTreeMap<String, String> {
        self.labels.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "SessionDetails",
            vec![
                ("id", obj(py, &self.id)?),
                ("image", obj(py, &self.image)?),
                ("tag", obj(py, &self.tag)?),
                ("location", obj(py, &self.location)?),
                ("host", obj(py, &self.host)?),
                ("created", obj(py, self.created)?),
                ("port", obj(py, &self.port)?),
                ("status", obj(py, &self.status)?),
                ("labels", obj(py, &self.labels)?),
                ("players", obj(py, self.players.clone())?),
            ],
        )
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<NewArgs<'py>> {
        new_args(
            py,
            vec![
                obj(py, &self.id)?,
                obj(py, &self.image)?,
                obj(py, &self.location)?,
                obj(py, &self.host)?,
                obj(py, self.created)?,
                obj(py, &self.port)?,
                obj(py, &self.status)?,
            ],
            vec![
                ("tag", obj(py, &self.tag)?),
                ("labels", obj(py, &self.labels)?),
                ("players", obj(py, self.players.clone())?),
            ],
        )
    }
}

impl From<SessionDetails> for PySessionDetails {
    fn from(s: SessionDetails) -> Self {
        PySessionDetails {
            ports: typed_ports(&s.port),
            id: s.id,
            image: s.image,
            tag: s.tag,
            location: s.location,
            host: s.host,
            created: s.created,
            port: s.port,
            status: status_name(&s.status),
            labels: s.labels,
            players: s.players.into(),
        }
    }
}

/// The answer of :meth:`Client.join_players` and
/// :meth:`Client.leave_players`. Frozen, comparable and hashable.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "gameye",
    name = "PlayerCount",
    skip_from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyPlayerCount {
    /// The total number of players now in the session.
    #[pyo3(get)]
    count: i64,
    players: Vec<String>,
}

#[pymethods]
impl PyPlayerCount {
    /// Builds a player count; this is for tests.
    #[new]
    fn new(count: i64, players: Vec<String>) -> Self {
        PyPlayerCount { count, players }
    }

    /// The player ids the call joined or removed (a new list on each access).
    #[getter]
    fn players(&self) -> Vec<String> {
        self.players.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "PlayerCount",
            vec![
                ("count", obj(py, self.count)?),
                ("players", obj(py, &self.players)?),
            ],
        )
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (i64, Vec<String>) {
        (self.count, self.players.clone())
    }
}

impl From<PlayerCount> for PyPlayerCount {
    fn from(p: PlayerCount) -> Self {
        PyPlayerCount {
            count: p.count,
            players: p.players,
        }
    }
}

/// A location that can host an image. Frozen, comparable and hashable.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "gameye",
    name = "Location",
    skip_from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyLocation {
    /// The location id, as ``create_session`` takes it.
    #[pyo3(get)]
    id: String,
    ips: Vec<String>,
}

#[pymethods]
impl PyLocation {
    /// Builds a location; this is for tests.
    #[new]
    fn new(id: String, ips: Vec<String>) -> Self {
        PyLocation { id, ips }
    }

    /// IPv4 addresses to ping to measure latency to this location (a new
    /// list on each access).
    #[getter]
    fn ips(&self) -> Vec<String> {
        self.ips.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "Location",
            vec![("id", obj(py, &self.id)?), ("ips", obj(py, &self.ips)?)],
        )
    }

    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (String, Vec<String>) {
        (self.id.clone(), self.ips.clone())
    }
}

impl From<Location> for PyLocation {
    fn from(l: Location) -> Self {
        PyLocation {
            id: l.id,
            ips: l.ips,
        }
    }
}

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
#[pyclass(frozen, eq, hash, module = "gameye", name = "Session", from_py_object)]
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
