//! Placing sessions near players: the token-less ping and the pure choice
//! as module functions (`gameye._ping_locations`, `gameye._choose_location`,
//! wrapped in Python by `gameye.ping_locations` / `gameye.choose_location`),
//! and the body of `Client.create_session_near` / `AsyncClient.create_session_near`.
//!
//! Inputs cross as JSON text: the Python side hands over lists and dicts as
//! `json.dumps` writes them, the same documents the C ABI takes. The ping
//! report comes back as JSON (a document players send on to the backend);
//! the placements come back typed (`src/placement_types.rs`).

use gameye_core::{
    choose_location, locations_from_json, ping_locations, Client, PingOptions, PlacementPolicy,
    PlayerLatencies, ValidSessionRun,
};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::aio_future;
use crate::convert::RunKeywords;
use crate::error::{GameyeError, GameyeResult};
use crate::placement_types::{PyPlacedSession, PyPlacement};

/// Pings locations given as JSON; returns the report as JSON. Use
/// :func:`gameye.ping_locations`. The GIL is released while the probes are
/// out.
#[pyfunction]
pub(crate) fn _ping_locations(
    py: Python<'_>,
    locations_json: &str,
    options_json: &str,
) -> GameyeResult<String> {
    let locations = locations_from_json(locations_json)?;
    let options = PingOptions::from_json(options_json)?;
    let report = crate::exit_gate::detach(py, || ping_locations(&locations, &options))?;
    Ok(serde_json::to_string(&report).expect("a report always encodes"))
}

/// Ranks candidates (a JSON list of ids) by players' latencies (JSON) under
/// a policy (JSON); returns the :class:`Placement`. Use
/// :func:`gameye.choose_location`.
#[pyfunction]
pub(crate) fn _choose_location(
    candidates_json: &str,
    players_json: &str,
    policy_json: &str,
) -> GameyeResult<PyPlacement> {
    let candidates: Vec<String> = serde_json::from_str(candidates_json).map_err(|e| {
        gameye_core::Error::invalid_request(vec![gameye_core::Violation::new(
            "candidates",
            format!("must be a list of location ids: {e}"),
        )])
    })?;
    let players = PlayerLatencies::list_from_json(players_json)?;
    let policy = PlacementPolicy::from_json(policy_json)?;
    Ok(choose_location(&candidates, &players, &policy)?.into())
}

/// `json.dumps(value)`.
fn dumps(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<String> {
    py.import("json")?
        .call_method1("dumps", (value,))?
        .extract()
}

/// The arguments of `create_session_near`, converted at the call.
pub(crate) struct NearArgs {
    run: ValidSessionRun,
    players: Vec<PlayerLatencies>,
    policy: PlacementPolicy,
}

/// Converts `image`, `players`, `policy` and the other `SessionRun`
/// keywords.
pub(crate) fn near_args(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    players: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
    keywords: RunKeywords<'_, '_>,
) -> GameyeResult<NearArgs> {
    // The location is the ranking's to choose; a placeholder passes validation.
    let placeholder = PyString::new(py, "(chosen by placement)").into_any();
    let run = crate::convert::session_run(&placeholder, image, keywords)?;
    let players = PlayerLatencies::list_from_json(&dumps(py, players)?)?;
    let policy = match policy {
        Some(p) if !p.is_none() => PlacementPolicy::from_json(&dumps(py, p)?)?,
        _ => PlacementPolicy::default(),
    };
    Ok(NearArgs {
        run,
        players,
        policy,
    })
}

/// The blocking `Client.create_session_near`, with the GIL released.
pub(crate) fn create_near(
    py: Python<'_>,
    client: &Client,
    args: NearArgs,
) -> GameyeResult<Py<PyAny>> {
    let placed = crate::exit_gate::detach(py, || {
        client.create_session_near(args.run, &args.players, &args.policy)
    })?;
    Ok(Py::new(py, PyPlacedSession::from(placed.into_inner()))?.into_any())
}

/// The asyncio `AsyncClient.create_session_near`.
pub(crate) fn create_near_async<'py>(
    py: Python<'py>,
    client: &Client,
    args: NearArgs,
) -> PyResult<Bound<'py, PyAny>> {
    let core = client.clone();
    let fut = async move {
        core.create_session_near_async(args.run, &args.players, &args.policy)
            .await
    };
    aio_future::spawn_future(
        py,
        client,
        aio_future::Start::OnRuntime,
        fut,
        |py, result| {
            let placed = result.map_err(|e| PyErr::from(GameyeError::from(e)))?;
            Ok(Py::new(py, PyPlacedSession::from(placed.into_inner()))?.into_any())
        },
    )
}
