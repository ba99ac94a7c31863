//! The one table of error kinds: for each [`ErrorKind`], its stable number
//! (the C ABI's `GameyeStatus`), its name (Python's `.kind`, and the C name
//! `GAMEYE_STATUS_<NAME>`), the CLI's exit status and the Python exception
//! class. The C status enum, the CLI and the Python binding derive their
//! mappings from it; the README's error table is checked against it.
//!
//! To add a kind: add the variant to [`ErrorKind`], then a row here (the
//! match below does not compile without it) with a new number and exit
//! status, then the C enum variant in `gameye-ffi/src/status.rs` (its test
//! checks the number and name), the Python class in `gameye/_errors.py` (a
//! Python test checks it exists), the C# constant (checked against the
//! header) and a README row. Numbers and exit statuses are never reused.

use crate::error::ErrorKind;

/// How every layer numbers and names one [`ErrorKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind this row describes.
    pub kind: ErrorKind,
    /// The stable number, the C ABI's `GameyeStatus` value.
    pub status: u32,
    /// The stable lowercase name: Python's `GameyeError.kind`; uppercased
    /// after `GAMEYE_STATUS_`, the C name.
    pub name: &'static str,
    /// The process exit status of the `gameye` CLI.
    pub exit_code: u8,
    /// The Python exception class (in `gameye._errors`).
    pub python_class: &'static str,
}

/// Defines [`ErrorKind::info`] (an exhaustive match: a kind without a row
/// does not compile) and [`ERROR_KINDS`] (every kind, in table order) from
/// one list of rows.
macro_rules! kind_table {
    ($($kind:ident => $status:literal, $name:literal, $exit:literal, $class:literal;)*) => {
        impl ErrorKind {
            /// This kind's row of the table: number, name, CLI exit status
            /// and Python class.
            pub const fn info(self) -> KindInfo {
                match self {
                    $(ErrorKind::$kind => KindInfo {
                        kind: ErrorKind::$kind,
                        status: $status,
                        name: $name,
                        exit_code: $exit,
                        python_class: $class,
                    },)*
                }
            }
        }

        /// Every error kind, in table order.
        pub const ERROR_KINDS: &[ErrorKind] = &[$(ErrorKind::$kind),*];
    };
}

kind_table! {
    InvalidRequest => 100, "invalid_request", 10, "InvalidRequestError";
    InvalidConfig  => 101, "invalid_config",  11, "ConfigurationError";
    Unauthorized   => 401, "unauthorized",    12, "AuthenticationError";
    QuotaExhausted => 402, "quota_exhausted", 13, "QuotaExceededError";
    Forbidden      => 403, "forbidden",       14, "PermissionDeniedError";
    NotFound       => 404, "not_found",       15, "NotFoundError";
    Conflict       => 409, "conflict",        16, "ConflictError";
    NoCapacity     => 420, "no_capacity",     17, "NoCapacityError";
    InvalidSyntax  => 422, "invalid_syntax",  18, "InvalidRequestError";
    ClientError    => 499, "client_error",    19, "ClientError";
    ServerError    => 500, "server_error",    20, "ServerError";
    Connect        => 600, "connect",         21, "TransportError";
    Tls            => 601, "tls",             22, "TransportError";
    Timeout        => 602, "timeout",         23, "TimeoutError";
    Transport      => 603, "transport",       24, "TransportError";
    Decode         => 610, "decode",          25, "DecodeError";
    Io             => 620, "io",              26, "DownloadError";
    Cancelled      => 630, "cancelled",       27, "CancelledError";
    PingNotPermitted => 640, "ping_not_permitted", 28, "PingNotPermittedError";
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
    fn numbers_names_and_exit_codes_are_unique() {
        let mut statuses = HashSet::new();
        let mut names = HashSet::new();
        let mut exits = HashSet::new();
        for kind in ERROR_KINDS {
            let info = kind.info();
            assert_eq!(info.kind, *kind);
            assert!(statuses.insert(info.status), "{kind:?}: number reused");
            assert!(names.insert(info.name), "{kind:?}: name reused");
            assert!(exits.insert(info.exit_code), "{kind:?}: exit status reused");
            // 0 is success, 1 an unexpected failure, 2 clap's usage error.
            assert!(
                info.exit_code >= 10,
                "{kind:?}: exit status {}",
                info.exit_code
            );
            assert!(info
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(info.python_class.ends_with("Error"));
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

    /// The README's "Errors: one table for every layer" says what this table
    /// says, row by row.
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
            let info = kind.info();
            assert_eq!(name, kind.status_name(), "{line}");
            let class = cells[4].split('`').nth(1).unwrap_or("");
            assert_eq!(class, info.python_class, "{line}");
            assert_eq!(cells[5], info.exit_code.to_string(), "{line}");
            seen.insert(kind);
        }
        for kind in ERROR_KINDS {
            assert!(seen.contains(kind), "{kind:?} has no README row");
        }
    }
}
