//! The status enum of the C ABI: stable numbers, never renumbered.
//!
//! The numbers of error kinds come from the core's one table
//! (`gameye_core::ErrorKind::info`, in `gameye-core/src/error_kinds.rs`);
//! the variants are spelled out here because they are ABI and cbindgen reads
//! them. The C-only statuses (OK, NULL argument, invalid UTF-8, panic) have
//! no kind.

use gameye_core::ErrorKind;

/// The outcome of a call. Numbers are stable across versions; new statuses
/// only ever get new numbers. API errors reuse their HTTP status as number.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameyeStatus {
    /// Success.
    Ok = 0,
    /// The request failed client-side validation and was not sent; see `violations`.
    InvalidRequest = 100,
    /// The client configuration is invalid; `message` names the option.
    InvalidConfig = 101,
    /// A required pointer argument was NULL; `message` names it.
    NullArgument = 102,
    /// A string argument was not valid UTF-8; `message` names it.
    InvalidUtf8 = 103,
    /// HTTP 401: the token is missing or wrong.
    Unauthorized = 401,
    /// HTTP 402: quota exhausted.
    QuotaExhausted = 402,
    /// HTTP 403: the token lacks the scope for this endpoint.
    Forbidden = 403,
    /// HTTP 404: location, image, tag, organization or session not found.
    NotFound = 404,
    /// HTTP 409: the id is taken, or the session already stopped.
    Conflict = 409,
    /// HTTP 420: no capacity or too many sessions in a short time; retry later.
    NoCapacity = 420,
    /// HTTP 422: the server rejected the syntax; see `violations`.
    InvalidSyntax = 422,
    /// Any other HTTP 4xx; see `http_status`.
    ClientError = 499,
    /// Any HTTP 5xx; see `http_status`.
    ServerError = 500,
    /// The connection could not be established.
    Connect = 600,
    /// The TLS handshake failed.
    Tls = 601,
    /// The connect or request timeout ran out.
    Timeout = 602,
    /// Another transport failure (connection reset, broken body).
    Transport = 603,
    /// The response did not match the API spec; `body` holds what arrived.
    Decode = 610,
    /// Writing a download to the caller's file or callback failed.
    Io = 620,
    /// The call was cancelled by the caller.
    Cancelled = 630,
    /// The OS lets this process send no ICMP echo; `message` names the
    /// cause and the fix (such as the `sysctl` line).
    PingNotPermitted = 640,
    /// A bug in libgameye panicked; the call failed but the process is intact.
    Panic = 900,
}

impl From<ErrorKind> for GameyeStatus {
    /// The status of a core error kind: its number in the core's one table
    /// (`ErrorKind::info`). The test below checks that every kind's number
    /// is a variant here, with the same name.
    fn from(kind: ErrorKind) -> Self {
        // A number without a variant would be a bug the test catches; still
        // an error, never OK.
        from_u32(kind.info().status).unwrap_or(GameyeStatus::Transport)
    }
}

/// A panic gives `GAMEYE_STATUS_PANIC`.
impl crate::panic::PanicFallback for GameyeStatus {
    fn fallback(_: String) -> Self {
        GameyeStatus::Panic
    }
}

impl GameyeStatus {
    /// A static, NUL-terminated name such as `"GAMEYE_STATUS_NOT_FOUND"`.
    pub(crate) fn name(self) -> &'static std::ffi::CStr {
        match self {
            GameyeStatus::Ok => c"GAMEYE_STATUS_OK",
            GameyeStatus::InvalidRequest => c"GAMEYE_STATUS_INVALID_REQUEST",
            GameyeStatus::InvalidConfig => c"GAMEYE_STATUS_INVALID_CONFIG",
            GameyeStatus::NullArgument => c"GAMEYE_STATUS_NULL_ARGUMENT",
            GameyeStatus::InvalidUtf8 => c"GAMEYE_STATUS_INVALID_UTF8",
            GameyeStatus::Unauthorized => c"GAMEYE_STATUS_UNAUTHORIZED",
            GameyeStatus::QuotaExhausted => c"GAMEYE_STATUS_QUOTA_EXHAUSTED",
            GameyeStatus::Forbidden => c"GAMEYE_STATUS_FORBIDDEN",
            GameyeStatus::NotFound => c"GAMEYE_STATUS_NOT_FOUND",
            GameyeStatus::Conflict => c"GAMEYE_STATUS_CONFLICT",
            GameyeStatus::NoCapacity => c"GAMEYE_STATUS_NO_CAPACITY",
            GameyeStatus::InvalidSyntax => c"GAMEYE_STATUS_INVALID_SYNTAX",
            GameyeStatus::ClientError => c"GAMEYE_STATUS_CLIENT_ERROR",
            GameyeStatus::ServerError => c"GAMEYE_STATUS_SERVER_ERROR",
            GameyeStatus::Connect => c"GAMEYE_STATUS_CONNECT",
            GameyeStatus::Tls => c"GAMEYE_STATUS_TLS",
            GameyeStatus::Timeout => c"GAMEYE_STATUS_TIMEOUT",
            GameyeStatus::Transport => c"GAMEYE_STATUS_TRANSPORT",
            GameyeStatus::Decode => c"GAMEYE_STATUS_DECODE",
            GameyeStatus::Io => c"GAMEYE_STATUS_IO",
            GameyeStatus::Cancelled => c"GAMEYE_STATUS_CANCELLED",
            GameyeStatus::PingNotPermitted => c"GAMEYE_STATUS_PING_NOT_PERMITTED",
            GameyeStatus::Panic => c"GAMEYE_STATUS_PANIC",
        }
    }
}

/// Every status, for lookups by number.
const ALL: [GameyeStatus; 23] = [
    GameyeStatus::Ok,
    GameyeStatus::InvalidRequest,
    GameyeStatus::InvalidConfig,
    GameyeStatus::NullArgument,
    GameyeStatus::InvalidUtf8,
    GameyeStatus::Unauthorized,
    GameyeStatus::QuotaExhausted,
    GameyeStatus::Forbidden,
    GameyeStatus::NotFound,
    GameyeStatus::Conflict,
    GameyeStatus::NoCapacity,
    GameyeStatus::InvalidSyntax,
    GameyeStatus::ClientError,
    GameyeStatus::ServerError,
    GameyeStatus::Connect,
    GameyeStatus::Tls,
    GameyeStatus::Timeout,
    GameyeStatus::Transport,
    GameyeStatus::Decode,
    GameyeStatus::Io,
    GameyeStatus::Cancelled,
    GameyeStatus::PingNotPermitted,
    GameyeStatus::Panic,
];

/// The status with this number, if this version defines one. Numbers come
/// from C as plain integers; turning an unknown one into the enum would be UB.
pub(crate) fn from_u32(n: u32) -> Option<GameyeStatus> {
    ALL.into_iter().find(|s| *s as u32 == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable() {
        // These numbers are ABI: this test is the record that they never change.
        let expected = [
            0, 100, 101, 102, 103, 401, 402, 403, 404, 409, 420, 422, 499, 500, 600, 601, 602, 603,
            610, 620, 630, 640, 900,
        ];
        assert_eq!(ALL.map(|s| s as u32), expected);
        for s in ALL {
            assert_eq!(from_u32(s as u32), Some(s));
            assert!(s.name().to_str().unwrap().starts_with("GAMEYE_STATUS_"));
        }
        assert_eq!(from_u32(1), None);
    }

    #[test]
    fn every_core_kind_has_its_status_and_name() {
        for kind in gameye_core::ERROR_KINDS {
            let status = GameyeStatus::from(*kind);
            assert_eq!(status as u32, kind.info().status, "{kind:?}");
            assert_eq!(
                status.name().to_str().unwrap(),
                kind.status_name(),
                "{kind:?}"
            );
        }
        // Every status that is not C-only is some kind's.
        let c_only = [
            GameyeStatus::Ok,
            GameyeStatus::NullArgument,
            GameyeStatus::InvalidUtf8,
            GameyeStatus::Panic,
        ];
        for s in ALL {
            assert!(
                c_only.contains(&s) || ErrorKind::from_status(s as u32).is_some(),
                "{s:?} has no row in the core's table"
            );
        }
    }
}
