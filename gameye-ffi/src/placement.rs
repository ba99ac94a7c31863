//! Placing sessions near players: ping locations (no client, no token),
//! choose a location from players' latencies, create near the players.
//! Inputs and the rich outputs are JSON documents, so the result layout
//! needs no new fields: outputs come back in the result's `text`.

use std::ffi::c_char;

use gameye_core::{
    choose_location, locations_from_json, ping_locations_until, Location, PingOptions,
    PlacedSession, PlacementPolicy, PlayerLatencies, ValidSessionRun,
};
use serde::Deserialize;

use crate::args::{arg_opt_str, arg_ref, arg_str, try_arg};
use crate::client::GameyeClient;
use crate::gate::Gate;
use crate::operation::GameyeOperation;
use crate::panic::ffi_panic_boundary;
use crate::result::{self, from_core, from_error, GameyeResult, ResultAlloc};
use crate::spawn::{start_call, start_thread, try_arg_op};

type ArgResult<T> = Result<T, *mut GameyeResult>;

/// The checked arguments of `gameye_locations_ping`.
fn ping_args(
    locations_json: *const c_char,
    options_json: *const c_char,
) -> ArgResult<(Vec<Location>, PingOptions)> {
    let json = arg_str(locations_json, "locations_json")?;
    let locations = locations_from_json(json).map_err(|e| from_error(&e))?;
    let options = match arg_opt_str(options_json, "options_json")? {
        Some(o) => PingOptions::from_json(o).map_err(|e| from_error(&e))?,
        None => PingOptions::default(),
    };
    Ok((locations, options))
}

fn json_text<T: serde::Serialize>(value: &T) -> *mut GameyeResult {
    match serde_json::to_string(value) {
        Ok(text) => result::ok_text(&text),
        Err(e) => result::failure(
            crate::GameyeStatus::Panic,
            &format!("internal error: cannot encode the result: {e}"),
        ),
    }
}

fn ping(locations: &[Location], options: &PingOptions, gate: Option<&Gate>) -> *mut GameyeResult {
    let cancelled = || gate.is_some_and(Gate::is_closed);
    match ping_locations_until(locations, options, &cancelled) {
        Ok(report) => json_text(&report),
        Err(e) => from_error(&e),
    }
}

/// Pings every IP of every location with ICMP echo and reports each
/// location's latency, blocking for at most about the options' time bound
/// (default 2 s). Needs no client and no token: for game clients.
///
/// `locations_json` is the locations as `gameye_locations_available` gets
/// them: its result's `body` (`{"locations": [{"id": "europe", "ips":
/// ["1.2.3.4"]}]}`), or the bare array. `options_json` is NULL (defaults) or
/// `{"probes": 5, "interval_ms": 200, "timeout_ms": 2000}` (every field
/// optional; probes 1..=100, timeout up to 60000).
///
/// All IPs are pinged at once; `probes` rounds go out `interval_ms` apart
/// while a full interval is left before the bound; replies after the bound
/// count as lost. ICMP goes out without privileges where the OS allows it
/// (Linux/macOS datagram ICMP sockets, Windows `IcmpSendEcho2`), else over a
/// raw socket where the process may open one.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// success `text`/`text_len` hold the report, a JSON object:
///
/// ```text
/// {"method", "locations": [{"id", "min_ms", "median_ms", "p90_ms", "loss",
///   "sent", "received", "ips": [{"ip", "min_ms", "median_ms", "p90_ms",
///   "loss", "sent", "received", "error"?}]}]}
/// ```
///
/// with the locations best first (lowest median, then loss); RTTs are null
/// without a reply. `method` is one of `"datagram"`, `"raw"`, `"icmp_api"`
/// or `"none"`. `GAMEYE_STATUS_PING_NOT_PERMITTED` when the OS lets this process
/// send no ICMP echo: `message` names the cause and the fix.
/// `GAMEYE_STATUS_INVALID_REQUEST` for malformed JSON, naming the field.
///
/// Thread safety: any thread, any number at once.
///
/// # Safety
/// `locations_json` is NULL or NUL-terminated; `options_json` is NULL or
/// NUL-terminated. Both are only borrowed during the call.
#[no_mangle]
pub unsafe extern "C" fn gameye_locations_ping(
    locations_json: *const c_char,
    options_json: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (locations, options) = try_arg!(ping_args(locations_json, options_json));
        ping(&locations, &options, None)
    })
}

/// Non-blocking `gameye_locations_ping`: returns at once with an operation
/// (never NULL) that completes with the same result; poll, wait, or register
/// a callback as for `gameye_session_create_async`, and free it with
/// `gameye_operation_free`. The ping runs on a thread of its own (no client
/// needed). Cancelling completes the operation at once with
/// `GAMEYE_STATUS_CANCELLED`; cancelling or freeing it stops the ping's
/// thread within about 20 ms on Unix (on Windows once the probe in flight is
/// answered or the bound passes).
///
/// Thread safety: any thread, any number at once.
///
/// # Safety
/// As `gameye_locations_ping`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_locations_ping_async(
    locations_json: *const c_char,
    options_json: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (locations, options) = try_arg_op!(ping_args(locations_json, options_json));
        start_thread(Gate::default(), move |gate| {
            ping(&locations, &options, Some(&gate))
        })
    })
}

/// Candidates as the caller may give them: ids, or locations.
#[derive(Deserialize)]
#[serde(untagged)]
enum CandidatesJson {
    Ids(Vec<String>),
    Locations(Vec<Location>),
    Body { locations: Vec<Location> },
}

/// The checked arguments of `gameye_locations_choose`.
fn choose_args(
    candidates_json: *const c_char,
    players_json: *const c_char,
    policy_json: *const c_char,
) -> ArgResult<(Vec<String>, Vec<PlayerLatencies>, PlacementPolicy)> {
    let c = arg_str(candidates_json, "candidates_json")?;
    let candidates = match serde_json::from_str::<CandidatesJson>(c) {
        Ok(CandidatesJson::Ids(ids)) => ids,
        Ok(CandidatesJson::Locations(l) | CandidatesJson::Body { locations: l }) => {
            l.into_iter().map(|l| l.id).collect()
        }
        Err(e) => {
            return Err(from_error(&gameye_core::Error::invalid_request(vec![
                gameye_core::Violation::new(
                    "(candidates)",
                    format!("not a list of location ids or locations: {e}"),
                ),
            ])))
        }
    };
    let (players, policy) = players_and_policy(players_json, policy_json)?;
    Ok((candidates, players, policy))
}

/// The players' latencies (required) and the placement policy (NULL: the
/// default), checked.
fn players_and_policy(
    players_json: *const c_char,
    policy_json: *const c_char,
) -> ArgResult<(Vec<PlayerLatencies>, PlacementPolicy)> {
    let p = arg_str(players_json, "players_json")?;
    let players = PlayerLatencies::list_from_json(p).map_err(|e| from_error(&e))?;
    let policy = match arg_opt_str(policy_json, "policy_json")? {
        Some(p) => PlacementPolicy::from_json(p).map_err(|e| from_error(&e))?,
        None => PlacementPolicy::default(),
    };
    Ok((players, policy))
}

/// Ranks candidate locations by what the players measured. Pure: no
/// network, no client; the same input gives the same output.
///
/// `candidates_json`: location ids (`["europe", "asia"]`), or locations as
/// `gameye_locations_available` returns them (its `body`, or the array).
/// `players_json`: `[{"player": "alice", "locations": [{"id": "europe",
/// "median_ms": 23.5, "loss": 0.0}]}]`; a player's ping report with
/// `"player"` added is such an entry. `policy_json`: NULL (defaults) or
/// `{"max_loss": 0.2, "max_rtt_ms": 150, "allow_missing": false,
/// "max_locations": 3}`, every field optional.
///
/// The policy: drop a location when any player's loss is above `max_loss`,
/// or their median RTT above `max_rtt_ms`, or (unless `allow_missing`) a
/// player has no sample for it; rank the rest by the worst player's median,
/// then the mean, then id.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// success `text` holds
///
/// ```text
/// {"ranked": [{"id", "worst_ms", "mean_ms", "players_measured"}],
///  "excluded": [{"id", "reason", "player"?, ..., "message"}]}
/// ```
///
/// where `reason` is one of `"loss"`, `"rtt"`, `"no_sample"` or
/// `"no_samples"`.
/// `GAMEYE_STATUS_INVALID_REQUEST` names a malformed field.
///
/// Thread safety: any thread.
///
/// # Safety
/// Each argument is NULL or NUL-terminated; only borrowed during the call.
#[no_mangle]
pub unsafe extern "C" fn gameye_locations_choose(
    candidates_json: *const c_char,
    players_json: *const c_char,
    policy_json: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (candidates, players, policy) =
            try_arg!(choose_args(candidates_json, players_json, policy_json));
        match choose_location(&candidates, &players, &policy) {
            Ok(p) => json_text(&p),
            Err(e) => from_error(&e),
        }
    })
}

type NearArgs<'a> = (
    &'a GameyeClient,
    ValidSessionRun,
    Vec<PlayerLatencies>,
    PlacementPolicy,
);

/// The checked arguments of `gameye_session_create_near`.
fn near_args<'a>(
    client: *const GameyeClient,
    request_json: *const c_char,
    players_json: *const c_char,
    policy_json: *const c_char,
) -> ArgResult<NearArgs<'a>> {
    let client = arg_ref(client, "client")?;
    let json = arg_str(request_json, "request_json")?;
    let run = near_run(json).map_err(|e| from_error(&e))?;
    let (players, policy) = players_and_policy(players_json, policy_json)?;
    Ok((client, run, players, policy))
}

/// The request, whose `location` may be left out: the ranking sets it.
fn near_run(json: &str) -> gameye_core::Result<ValidSessionRun> {
    let mut value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        gameye_core::Error::invalid_request(vec![gameye_core::Violation::new(
            "(request)",
            format!("not valid JSON: {e}"),
        )])
    })?;
    if let Some(obj) = value.as_object_mut() {
        obj.entry("location")
            .or_insert_with(|| serde_json::Value::from("(chosen by placement)"));
    }
    gameye_core::SessionRun::from_json(&value.to_string())
}

fn fill_placed(r: &mut ResultAlloc, placed: &PlacedSession) {
    result::fill_session(r, &placed.session);
    let report = serde_json::json!({
        "location": placed.location,
        "tried": placed.tried,
        "placement": placed.placement,
    });
    result::fill_text(r, &report.to_string());
}

/// Starts a session near its players: ranks the locations the players
/// measured as `gameye_locations_choose` does, creates the session in the
/// best one, and on 420 (no capacity) moves on to the next, trying at most
/// the policy's `max_locations` (default 3). Blocking.
///
/// `request_json` is the `SessionRun` body of `gameye_session_create`; its
/// `location` may be left out (it is ignored). `players_json` and
/// `policy_json` are as for `gameye_locations_choose`.
///
/// Exactly once: each location tried gets its own session id (the
/// request's `id` for the first, fresh UUIDs after); a location is only
/// left after a 420, which means nothing was created there; any other error
/// ends the call at that location, so no second session can start.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// success `session` holds the session and `text` holds
///
/// ```text
/// {"location": "europe",
///  "tried": [{"location", "session_id", "outcome", "message"?}],
///  "placement": {...}}
/// ```
///
/// where `outcome` is `"created"` or `"no_capacity"`.
/// `GAMEYE_STATUS_NO_CAPACITY` when every location tried answered 420 (the
/// message lists them); `GAMEYE_STATUS_INVALID_REQUEST` when no location is
/// acceptable (the message gives each reason) or an argument is malformed.
///
/// Thread safety: any thread; many threads may share one client.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or
/// NUL-terminated (`policy_json` may be NULL). Only borrowed during the call.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_create_near(
    client: *const GameyeClient,
    request_json: *const c_char,
    players_json: *const c_char,
    policy_json: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, run, players, policy) =
            try_arg!(near_args(client, request_json, players_json, policy_json));
        from_core(
            client.client.create_session_near(run, &players, &policy),
            fill_placed,
        )
    })
}

/// Non-blocking `gameye_session_create_near`; see `gameye_session_create_async`.
/// Returns an operation (never NULL), freed with `gameye_operation_free`.
/// Cancelling stops the create in progress; a location may then have
/// acted, as with a cancelled `gameye_session_create_async`.
/// Thread safety: any thread.
///
/// # Safety
/// As `gameye_session_create_near`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_create_near_async(
    client: *const GameyeClient,
    request_json: *const c_char,
    players_json: *const c_char,
    policy_json: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, run, players, policy) =
            try_arg_op!(near_args(client, request_json, players_json, policy_json));
        start_call(
            client,
            |c| async move { c.create_session_near_async(run, &players, &policy).await },
            fill_placed,
        )
    })
}
