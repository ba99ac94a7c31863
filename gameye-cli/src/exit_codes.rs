//! The CLI's exit status for each error kind: its own table, as each
//! binding has its own names for the kinds (`tests/surface/check.py` fails
//! when a kind has no row). The numbers are stable, documented in the
//! README's error table, and scripts branch on them: never change or reuse
//! one. 0 is success, 1 an unexpected failure, 2 clap's usage error.

use gameye_core::ErrorKind;

/// The process exit status of an error of `kind`.
pub(crate) fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidRequest => 10,
        ErrorKind::InvalidConfig => 11,
        ErrorKind::Unauthorized => 12,
        ErrorKind::QuotaExhausted => 13,
        ErrorKind::Forbidden => 14,
        ErrorKind::NotFound => 15,
        ErrorKind::Conflict => 16,
        ErrorKind::NoCapacity => 17,
        ErrorKind::InvalidSyntax => 18,
        ErrorKind::ClientError => 19,
        ErrorKind::ServerError => 20,
        ErrorKind::Connect => 21,
        ErrorKind::Tls => 22,
        ErrorKind::Timeout => 23,
        ErrorKind::Transport => 24,
        ErrorKind::Decode => 25,
        ErrorKind::Io => 26,
        ErrorKind::Cancelled => 27,
        ErrorKind::PingNotPermitted => 28,
        // `ErrorKind` is non-exhaustive: a kind newer than this table is an
        // unexpected failure until it has its row (the surface check and the
        // test below fail meanwhile).
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn exit_statuses_are_unique_and_clear_of_the_reserved_ones() {
        let mut seen = HashSet::new();
        for kind in gameye_core::ERROR_KINDS {
            let code = exit_code(*kind);
            assert!(seen.insert(code), "{kind:?}: exit status {code} reused");
            assert!(code >= 10, "{kind:?}: exit status {code}");
        }
    }

    /// The README's error table gives each kind the exit status it has here
    /// (its last column; C-only rows have none).
    #[test]
    fn readme_error_table_agrees() {
        let readme = include_str!("../../README.md");
        let mut seen = HashSet::new();
        for line in readme.lines().filter(|l| l.starts_with("| ")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let Some(number) = cells
                .get(3)
                .filter(|c| c.contains("`GAMEYE_STATUS_"))
                .and_then(|c| c.rsplit('(').next())
                .and_then(|s| s.strip_suffix(')'))
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Some(kind) = ErrorKind::from_status(number) else {
                continue; // a C-only status (NULL argument, panic, ...)
            };
            assert_eq!(cells[5], exit_code(kind).to_string(), "{line}");
            seen.insert(kind);
        }
        for kind in gameye_core::ERROR_KINDS {
            assert!(seen.contains(kind), "{kind:?} has no README row");
        }
    }
}
