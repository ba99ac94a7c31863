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

/// Checks a value sent as one path segment (a session id, an image, a
/// region, a version, a location): not empty, not `.` or `..` (which URL
/// rules would collapse into another path), and free of control characters
/// (which URL rules would strip, so `"victim\t"` would address `victim`).
/// Every other value is percent-encoded as exactly one segment.
pub(crate) fn require_path_segment(field: &str, value: &str) -> Result<()> {
    require_non_empty(field, value)?;
    match path_segment_problem(value) {
        Some(problem) => Err(Error::invalid_request(vec![Violation::new(field, problem)])),
        None => Ok(()),
    }
}

/// Why a non-empty `value` cannot be sent as one path segment, if it cannot.
pub(crate) fn path_segment_problem(value: &str) -> Option<&'static str> {
    if value == "." || value == ".." {
        Some("must not be \".\" or \"..\"")
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters (tab, CR, LF, NUL, ...)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments() {
        for ok in ["victim", "...", "a/b", "%2e%2e", ". .", "é"] {
            require_path_segment("id", ok).unwrap();
        }
        for bad in ["", ".", "..", "a\tb", "\r", "\n", "\0", "\u{7f}", "\u{85}"] {
            let e = require_path_segment("id", bad).unwrap_err();
            assert_eq!(e.violations()[0].field, "id");
            assert!(!e.to_string().chars().any(char::is_control));
        }
    }
}
