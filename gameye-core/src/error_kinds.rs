//! The one table of error kinds: for each [`ErrorKind`], its stable number
//! (the C ABI's `GameyeStatus`) and its stable name (the C name
//! `GAMEYE_STATUS_<NAME>`, Python's `.kind`). The README's error table is
//! checked against it.
//!
//! The core knows nothing of its bindings beyond these: each binding maps
//! the kinds to its own names in a table of its own (the Python exception
//! classes in `bindings/python/src/error.rs`, the CLI's exit statuses in
//! `gameye-cli/src/exit_codes.rs`, the C, C++ and C# status enums), and
//! `tests/surface/check.py` fails when one of them misses a kind.
//!
//! To add a kind: add the variant to [`ErrorKind`], then a row here (the
//! match below does not compile without it) with a new number, then the C
//! enum variant in `gameye-ffi/src/status.rs` (its test checks the number
//! and name), the Python class (`gameye/_errors.py` and the table in the
//! binding's `error.rs`), the CLI's exit status, the C++ and C# enums and a
//! README row; the surface check lists what is missing. Numbers are never
//! reused.

use crate::error::ErrorKind;

/// The stable number and name of one [`ErrorKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind this row describes.
    pub kind: ErrorKind,
    /// The stable number, the C ABI's `GameyeStatus` value.
    pub status: u32,
    /// The stable lowercase name: Python's `GameyeError.kind`; uppercased
    /// after `GAMEYE_STATUS_`, the C name.
    pub name: &'static str,
}

/// Defines [`ErrorKind::info`] (an exhaustive match: a kind without a row
/// does not compile) and [`ERROR_KINDS`] (every kind, in table order) from
/// one list of rows.
macro_rules! kind_table {
    ($($kind:ident => $status:literal, $name:literal;)*) => {
        impl ErrorKind {
            /// This kind's row of the table: number and name.
            pub const fn info(self) -> KindInfo {
                match self {
                    $(ErrorKind::$kind => KindInfo {
                        kind: ErrorKind::$kind,
                        status: $status,
                        name: $name,
                    },)*
                }
            }
        }

        /// Every error kind, in table order.
        pub const ERROR_KINDS: &[ErrorKind] = &[$(ErrorKind::$kind),*];
    };
}

kind_table! {
    InvalidRequest => 100, "invalid_request";
    InvalidConfig  => 101, "invalid_config";
    Unauthorized   => 401, "unauthorized";
    QuotaExhausted => 402, "quota_exhausted";
    Forbidden      => 403, "forbidden";
    NotFound       => 404, "not_found";
    Conflict       => 409, "conflict";
    NoCapacity     => 420, "no_capacity";
    InvalidSyntax  => 422, "invalid_syntax";
    ClientError    => 499, "client_error";
    ServerError    => 500, "server_error";
    Connect        => 600, "connect";
    Tls            => 601, "tls";
    Timeout        => 602, "timeout";
    Transport      => 603, "transport";
    Decode         => 610, "decode";
    Io             => 620, "io";
    Cancelled      => 630, "cancelled";
    PingNotPermitted => 640, "ping_not_permitted";
}

impl ErrorKind {
    /// The kind whose stable number is `status`, if any.
    pub fn from_status(status: u32) -> Option<ErrorKind> {
        ERROR_KINDS
            .iter()
            .copied()
            .find(|k| k.info().status == status)
    }

    /// The C name of this kind's status, such as `GAMEYE_STATUS_NOT_FOUND`.
    pub fn status_name(self) -> String {
        format!("GAMEYE_STATUS_{}", self.info().name.to_ascii_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn numbers_and_names_are_unique() {
        let mut statuses = HashSet::new();
        let mut names = HashSet::new();
        for kind in ERROR_KINDS {
            let info = kind.info();
            assert_eq!(info.kind, *kind);
            assert!(statuses.insert(info.status), "{kind:?}: number reused");
            assert!(names.insert(info.name), "{kind:?}: name reused");
            assert!(info
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert_eq!(ErrorKind::from_status(info.status), Some(*kind));
        }
        assert_eq!(ErrorKind::from_status(0), None);
    }

    #[test]
    fn http_kinds_use_their_http_status_as_number() {
        for status in [401, 402, 403, 404, 409, 420, 422] {
            let kind = ErrorKind::from_http_status(status).unwrap();
            assert_eq!(kind.info().status, u32::from(status));
        }
        assert_eq!(ErrorKind::from_http_status(418).unwrap().info().status, 499);
        assert_eq!(ErrorKind::from_http_status(503).unwrap().info().status, 500);
    }

    /// The README's "Errors: one table for every layer" gives each kind the
    /// C name and number this table does, row by row. (Its Python class and
    /// exit status columns are checked by the Python tests and the CLI's.)
    #[test]
    fn readme_error_table_agrees() {
        let readme = include_str!("../../README.md");
        let mut seen = HashSet::new();
        for line in readme.lines().filter(|l| l.contains("`GAMEYE_STATUS_")) {
            if !line.starts_with("| ") {
                continue;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | http | meaning | `NAME` (number) | `Class` ... | exit |
            let status_cell = cells[3];
            let name = status_cell.split('`').nth(1).unwrap();
            let number: u32 = status_cell
                .rsplit('(')
                .next()
                .and_then(|s| s.strip_suffix(')'))
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("no number in {status_cell:?}"));
            let Some(kind) = ErrorKind::from_status(number) else {
                continue; // a C-only status (NULL argument, panic, ...)
            };
            assert_eq!(name, kind.status_name(), "{line}");
            seen.insert(kind);
        }
        for kind in ERROR_KINDS {
            assert!(seen.contains(kind), "{kind:?} has no README row");
        }
    }
}
