//! Frozen Python views of the core's placement results: `Placement`
//! (what `gameye.choose_location` returns) with its `RankedLocation`s and
//! `Exclusion`s, and `PlacedSession` (what `create_session_near` returns)
//! with its `PlacementAttempt`s. Mapping only: the ranking and the attempts
//! are the core's.

use gameye_core::{
    Exclusion, ExclusionReason, PlacedSession, Placement, PlacementAttempt, RankedLocation,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::types::{new_args, obj, repr_call, PySession};

/// `(args, kwargs)` of `__getnewargs_ex__`.
type NewArgs<'py> = (Bound<'py, PyTuple>, Bound<'py, PyDict>);

/// An acceptable location of a :class:`Placement`, with the figures it was
/// ranked by. Frozen, comparable and picklable.
#[pyclass(frozen, eq, module = "gameye", name = "RankedLocation", from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyRankedLocation {
    /// The location id.
    #[pyo3(get)]
    id: String,
    /// The highest median RTT among the players, in milliseconds (the first
    /// sort key).
    #[pyo3(get)]
    worst_ms: f64,
    /// The mean of the players' median RTTs, in milliseconds (the second
    /// sort key).
    #[pyo3(get)]
    mean_ms: f64,
    /// How many players had a sample for it.
    #[pyo3(get)]
    players_measured: usize,
}

#[pymethods]
impl PyRankedLocation {
    /// Builds a ranked location; placements come with them, this is for tests.
    #[new]
    fn new(id: String, worst_ms: f64, mean_ms: f64, players_measured: usize) -> Self {
        PyRankedLocation {
            id,
            worst_ms,
            mean_ms,
            players_measured,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "RankedLocation",
            vec![
                ("id", obj(py, &self.id)?),
                ("worst_ms", obj(py, self.worst_ms)?),
                ("mean_ms", obj(py, self.mean_ms)?),
                ("players_measured", obj(py, self.players_measured)?),
            ],
        )
    }
    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (String, f64, f64, usize) {
        (
            self.id.clone(),
            self.worst_ms,
            self.mean_ms,
            self.players_measured,
        )
    }
}

impl From<RankedLocation> for PyRankedLocation {
    fn from(r: RankedLocation) -> Self {
        PyRankedLocation {
            id: r.id,
            worst_ms: r.worst_ms,
            mean_ms: r.mean_ms,
            players_measured: r.players_measured,
        }
    }
}

/// A location a :class:`Placement` dropped, and why. Frozen, comparable and
/// picklable.
#[pyclass(frozen, eq, module = "gameye", name = "Exclusion", from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyExclusion {
    /// The location id.
    #[pyo3(get)]
    id: String,
    /// Why: ``"loss"`` (a player's loss is above ``max_loss``), ``"rtt"``
    /// (a player's median is above ``max_rtt_ms``), ``"no_sample"`` (a
    /// player has no sample for it) or ``"no_samples"`` (no player has).
    #[pyo3(get)]
    reason: String,
    /// The reason in words.
    #[pyo3(get)]
    message: String,
    /// The player the reason is about (``None`` for ``"no_samples"``).
    #[pyo3(get)]
    player: Option<String>,
    /// The player's loss (``"loss"`` only).
    #[pyo3(get)]
    loss: Option<f64>,
    /// The policy's limit on loss (``"loss"`` only).
    #[pyo3(get)]
    max_loss: Option<f64>,
    /// The player's median RTT in milliseconds (``"rtt"`` only).
    #[pyo3(get)]
    median_ms: Option<f64>,
    /// The policy's cap on the median RTT (``"rtt"`` only).
    #[pyo3(get)]
    max_rtt_ms: Option<f64>,
}

#[pymethods]
impl PyExclusion {
    /// Builds an exclusion; placements come with them, this is for tests.
    #[new]
    #[pyo3(signature = (id, reason, message, *, player=None, loss=None, max_loss=None, median_ms=None, max_rtt_ms=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        reason: String,
        message: String,
        player: Option<String>,
        loss: Option<f64>,
        max_loss: Option<f64>,
        median_ms: Option<f64>,
        max_rtt_ms: Option<f64>,
    ) -> Self {
        PyExclusion {
            id,
            reason,
            message,
            player,
            loss,
            max_loss,
            median_ms,
            max_rtt_ms,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "Exclusion",
            vec![
                ("id", obj(py, &self.id)?),
                ("reason", obj(py, &self.reason)?),
                ("message", obj(py, &self.message)?),
                ("player", obj(py, &self.player)?),
            ],
        )
    }
    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<NewArgs<'py>> {
        new_args(
            py,
            vec![
                obj(py, &self.id)?,
                obj(py, &self.reason)?,
                obj(py, &self.message)?,
            ],
            vec![
                ("player", obj(py, &self.player)?),
                ("loss", obj(py, self.loss)?),
                ("max_loss", obj(py, self.max_loss)?),
                ("median_ms", obj(py, self.median_ms)?),
                ("max_rtt_ms", obj(py, self.max_rtt_ms)?),
            ],
        )
    }
}

impl From<Exclusion> for PyExclusion {
    fn from(e: Exclusion) -> Self {
        let mut out = PyExclusion {
            id: e.id,
            reason: String::new(),
            message: e.message,
            player: None,
            loss: None,
            max_loss: None,
            median_ms: None,
            max_rtt_ms: None,
        };
        // The reason names are the core's JSON tags (`"reason": "loss"`).
        out.reason = match e.reason {
            ExclusionReason::Loss {
                player,
                loss,
                max_loss,
            } => {
                (out.player, out.loss, out.max_loss) = (Some(player), Some(loss), Some(max_loss));
                "loss"
            }
            ExclusionReason::Rtt {
                player,
                median_ms,
                max_rtt_ms,
            } => {
                (out.player, out.median_ms, out.max_rtt_ms) =
                    (Some(player), Some(median_ms), Some(max_rtt_ms));
                "rtt"
            }
            ExclusionReason::NoSample { player } => {
                out.player = Some(player);
                "no_sample"
            }
            ExclusionReason::NoSamples => "no_samples",
        }
        .to_owned();
        out
    }
}

/// The ranking of :func:`gameye.choose_location`: the acceptable locations,
/// best first, and the dropped ones with the reason. Frozen, comparable and
/// picklable.
#[pyclass(frozen, eq, module = "gameye", name = "Placement", from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyPlacement {
    ranked: Vec<PyRankedLocation>,
    excluded: Vec<PyExclusion>,
}

#[pymethods]
impl PyPlacement {
    /// Builds a placement; ``choose_location`` returns them, this is for tests.
    #[new]
    fn new(ranked: Vec<PyRankedLocation>, excluded: Vec<PyExclusion>) -> Self {
        PyPlacement { ranked, excluded }
    }

    /// Acceptable locations, best first: lowest worst-player median, then
    /// lowest mean, then id (a new list on each access).
    #[getter]
    fn ranked(&self) -> Vec<PyRankedLocation> {
        self.ranked.clone()
    }

    /// Every other candidate, in candidate order, with the reason (a new
    /// list on each access).
    #[getter]
    fn excluded(&self) -> Vec<PyExclusion> {
        self.excluded.clone()
    }

    /// The best location's id; ``None`` when none is acceptable.
    #[getter]
    fn best(&self) -> Option<String> {
        self.ranked.first().map(|r| r.id.clone())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "Placement",
            vec![
                ("ranked", obj(py, self.ranked.clone())?),
                ("excluded", obj(py, self.excluded.clone())?),
            ],
        )
    }
    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (Vec<PyRankedLocation>, Vec<PyExclusion>) {
        (self.ranked.clone(), self.excluded.clone())
    }
}

impl From<Placement> for PyPlacement {
    fn from(p: Placement) -> Self {
        PyPlacement {
            ranked: p.ranked.into_iter().map(Into::into).collect(),
            excluded: p.excluded.into_iter().map(Into::into).collect(),
        }
    }
}

/// One location :meth:`Client.create_session_near` tried. Frozen,
/// comparable, hashable and picklable.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "gameye",
    name = "PlacementAttempt",
    from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyPlacementAttempt {
    /// The location.
    #[pyo3(get)]
    location: String,
    /// The session id sent for it (a fresh one per location).
    #[pyo3(get)]
    session_id: String,
    /// ``"created"``, ``"no_capacity"`` (420: moved on) or ``"failed"``
    /// (stopped there).
    #[pyo3(get)]
    outcome: String,
    /// The error in words, for the ones that did not create.
    #[pyo3(get)]
    message: Option<String>,
}

#[pymethods]
impl PyPlacementAttempt {
    /// Builds an attempt; placed sessions come with them, this is for tests.
    #[new]
    #[pyo3(signature = (location, session_id, outcome, message=None))]
    fn new(location: String, session_id: String, outcome: String, message: Option<String>) -> Self {
        PyPlacementAttempt {
            location,
            session_id,
            outcome,
            message,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "PlacementAttempt",
            vec![
                ("location", obj(py, &self.location)?),
                ("session_id", obj(py, &self.session_id)?),
                ("outcome", obj(py, &self.outcome)?),
                ("message", obj(py, &self.message)?),
            ],
        )
    }
    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (String, String, String, Option<String>) {
        (
            self.location.clone(),
            self.session_id.clone(),
            self.outcome.clone(),
            self.message.clone(),
        )
    }
}

impl From<PlacementAttempt> for PyPlacementAttempt {
    fn from(a: PlacementAttempt) -> Self {
        PyPlacementAttempt {
            location: a.location,
            session_id: a.session_id,
            outcome: a.outcome,
            message: a.message,
        }
    }
}

/// A session :meth:`Client.create_session_near` started near its players:
/// the session, where, every location tried, and the ranking followed.
/// Frozen, comparable and picklable.
#[pyclass(
    frozen,
    eq,
    module = "gameye",
    name = "PlacedSession",
    skip_from_py_object
)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyPlacedSession {
    /// The session.
    #[pyo3(get)]
    session: PySession,
    /// The location it runs in.
    #[pyo3(get)]
    location: String,
    tried: Vec<PyPlacementAttempt>,
    /// The ranking the attempts followed.
    #[pyo3(get)]
    placement: PyPlacement,
}

#[pymethods]
impl PyPlacedSession {
    /// Builds a placed session; ``create_session_near`` returns them, this
    /// is for tests.
    #[new]
    fn new(
        session: PySession,
        location: String,
        tried: Vec<PyPlacementAttempt>,
        placement: PyPlacement,
    ) -> Self {
        PyPlacedSession {
            session,
            location,
            tried,
            placement,
        }
    }

    /// Every location tried, in order, the last being :attr:`location` (a
    /// new list on each access).
    #[getter]
    fn tried(&self) -> Vec<PyPlacementAttempt> {
        self.tried.clone()
    }

    /// The ranked locations, best first: ``placement.ranked``.
    #[getter]
    fn ranked(&self) -> Vec<PyRankedLocation> {
        self.placement.ranked.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_call(
            "PlacedSession",
            vec![
                ("session", obj(py, self.session.clone())?),
                ("location", obj(py, &self.location)?),
                ("tried", obj(py, self.tried.clone())?),
                ("placement", obj(py, self.placement.clone())?),
            ],
        )
    }
    /// The constructor arguments, so that instances pickle and copy.
    fn __getnewargs__(&self) -> (PySession, String, Vec<PyPlacementAttempt>, PyPlacement) {
        (
            self.session.clone(),
            self.location.clone(),
            self.tried.clone(),
            self.placement.clone(),
        )
    }
}

impl From<PlacedSession> for PyPlacedSession {
    fn from(p: PlacedSession) -> Self {
        PyPlacedSession {
            session: p.session.into(),
            location: p.location,
            tried: p.tried.into_iter().map(Into::into).collect(),
            placement: p.placement.into(),
        }
    }
}
