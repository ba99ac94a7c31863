//! Client-side checks shared by the endpoints: a request that cannot be
//! right is refused before it is sent, with the field named.

use crate::error::{Error, Result, Violation};

/// Fails with an invalid-request error naming `field` when `value` is empty.
pub(crate) fn require_non_empty(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        Err(Error::invalid_request(vec![Violation::new(
            field,
            "must not be empty",
        )]))
    } else {
        Ok(())
    }
}

/// Checks a list of player ids: at least one, none empty.
pub(crate) fn require_players(players: &[String]) -> Result<()> {
    let mut v = Vec::new();
    if players.is_empty() {
        v.push(Violation::new(
            "players",
            "must list at least one player id",
        ));
    }
    for (i, p) in players.iter().enumerate() {
        if p.is_empty() {
            v.push(Violation::new(format!("players[{i}]"), "must not be empty"));
        }
    }
    if v.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_request(v))
    }
}
