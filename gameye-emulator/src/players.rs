//! `/session/player/join` and `/session/player/leave`: the players of
//! running sessions.

use axum::response::Response;
use serde::Serialize;

use crate::errors::{json_response, ApiError};
use crate::request::{authorize, Req};
use crate::state::Shared;
use crate::validate;

#[derive(Serialize)]
struct PlayersOk<'a> {
    count: usize,
    players: &'a [String],
}

/// `PUT /session/player/join`. The spec names no scope, so any valid token
/// may call it. Joining an exited session is a 404 (it no longer "exists" as
/// far as players are concerned); a player already in the session is not
/// added twice.
pub(crate) fn join(shared: &Shared, req: &Req<'_>) -> Result<Response, ApiError> {
    authorize(shared, req, "")?;
    let (id, players) = validate::join_request(req.body)?;
    let mut state = shared.lock();
    let session = state
        .sessions
        .get_mut(&id)
        .filter(|s| s.status.is_active())
        .ok_or_else(|| ApiError::session_not_found(&id))?;
    for p in &players {
        if !session.players.contains(p) {
            session.players.push(p.clone());
        }
    }
    Ok(json_response(
        200,
        &PlayersOk {
            count: session.players.len(),
            players: &players,
        },
    ))
}

/// `DELETE /session/player/leave`. The body names only players, so they are
/// removed from whichever running sessions hold them; `count` is the number of
/// players left in the first session touched. 404 when no session holds any.
pub(crate) fn leave(shared: &Shared, req: &Req<'_>) -> Result<Response, ApiError> {
    authorize(shared, req, "")?;
    let players = validate::leave_request(req.body)?;
    if players.is_empty() {
        // Nobody to remove: done, rather than a 404 for "no session holds
        // any of them", which would be vacuously true.
        return Ok(json_response(
            200,
            &PlayersOk {
                count: 0,
                players: &[],
            },
        ));
    }
    let mut state = shared.lock();
    let mut removed = Vec::new();
    let mut first: Option<(u64, usize)> = None;
    for s in state.sessions.values_mut() {
        if !s.status.is_active() {
            continue;
        }
        let before = s.players.len();
        s.players.retain(|p| {
            let leaving = players.contains(p);
            if leaving {
                removed.push(p.clone());
            }
            !leaving
        });
        if s.players.len() != before && first.is_none_or_older(s.seq) {
            first = Some((s.seq, s.players.len()));
        }
    }
    let Some((_, count)) = first else {
        return Err(ApiError::new(
            404,
            "SESSION_NOT_FOUND",
            "The provided session does not exist.",
            "no running session holds any of these players",
        ));
    };
    Ok(json_response(
        200,
        &PlayersOk {
            count,
            players: &removed,
        },
    ))
}

/// Small helper so "first" means the oldest session, not hash-map order.
trait OlderThan {
    fn is_none_or_older(&self, seq: u64) -> bool;
}

impl OlderThan for Option<(u64, usize)> {
    fn is_none_or_older(&self, seq: u64) -> bool {
        self.map_or(true, |(s, _)| seq < s)
    }
}
