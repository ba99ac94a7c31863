//! # libgameye: the C ABI of the Gameye Session API SDK
//!
//! Every exported function:
//! - checks each pointer for NULL and each string for UTF-8, and says which
//!   argument was wrong (`GAMEYE_STATUS_NULL_ARGUMENT`, `GAMEYE_STATUS_INVALID_UTF8`);
//! - catches panics, which become `GAMEYE_STATUS_PANIC` (or, for functions
//!   without a result or status, their documented NULL/0 value), never an
//!   unwind into C;
//! - documents who owns what it returns and which function frees it.
//!
//! The library must not be unloaded (`dlclose`) while the process runs: Rust
//! thread-local destructors of its I/O threads would run unmapped code.
//!
//! # Inside: the boundary
//!
//! Each exported function's body is one `ffi_panic_boundary!` call
//! (`panic.rs`; a test fails for one that is not). Its signature stays outside,
//! where cbindgen reads it.
//!
//! The pointer contract: every exported function documents, in its
//! `# Safety` section, that each pointer argument is NULL or valid as its
//! type says for the duration of the call (a handle: live, from this
//! library; a string: NUL-terminated), and which calls give a handle up.
//! The helpers that read such pointers, the argument checks (`args.rs`) and
//! the handle conversions (`handle.rs`), are safe functions that rely on
//! exactly that: they are only ever given an exported function's own
//! arguments, unchanged, and never a pointer made up inside the library.
//! This is the one place that argument is made; their `SAFETY` comments
//! point here.

use std::ffi::c_char;

use panic::ffi_panic_boundary;

mod args;
mod artifacts;
mod client;
mod diagnostics;
mod gate;
mod handle;
mod locations;
#[cfg(all(test, gameye_loom))]
mod loom_tests;
mod operation;
mod panic;
mod placement;
mod players;
mod result;
mod session_logs;
mod sessions;
mod spawn;
mod status;
mod sync;

pub use artifacts::{
    gameye_artifacts_download, gameye_artifacts_download_async, gameye_artifacts_save,
    gameye_artifacts_save_async, GameyeWriteCallback,
};
pub use client::{gameye_client_free, gameye_client_new, GameyeClient};
pub use diagnostics::{gameye_set_logger, GameyeLogCallback, GameyeLogLevel};
pub use locations::{
    gameye_locations_available, gameye_locations_available_async, gameye_tag_exists,
    gameye_tag_exists_async,
};
pub use operation::queue::{gameye_queue_drain, gameye_queue_free, gameye_queue_new, GameyeQueue};
pub use operation::{
    gameye_operation_cancel, gameye_operation_free, gameye_operation_poll,
    gameye_operation_set_callback, gameye_operation_take_result, gameye_operation_wait,
    GameyeCompletionCallback, GameyeOperation,
};
pub use placement::{
    gameye_locations_choose, gameye_locations_ping, gameye_locations_ping_async,
    gameye_session_create_near, gameye_session_create_near_async,
};
pub use players::{
    gameye_players_join, gameye_players_join_async, gameye_players_leave,
    gameye_players_leave_async,
};
pub use result::{
    gameye_result_free, gameye_result_status, gameye_status_name, GameyeKeyValue, GameyeLocation,
    GameyePort, GameyeResult, GameyeSession, GameyeSessionInfo, GameyeSessionState,
    GameyeStopOutcome, GameyeViolation,
};
pub use session_logs::{
    gameye_log_stream_close, gameye_log_stream_free, gameye_log_stream_next,
    gameye_log_stream_next_async, gameye_logs_follow, gameye_logs_follow_async, gameye_logs_get,
    gameye_logs_get_async, GameyeLogStream,
};
pub use sessions::{
    gameye_session_create, gameye_session_create_async, gameye_session_get,
    gameye_session_get_async, gameye_session_list, gameye_session_list_async, gameye_session_stop,
    gameye_session_stop_async, gameye_session_validate, GAMEYE_STOP_IDEMPOTENT,
};
pub use status::GameyeStatus;

/// The major version of this header. Equal to the crate's (checked by a test).
pub const GAMEYE_VERSION_MAJOR: u32 = 0;
/// The minor version of this header.
pub const GAMEYE_VERSION_MINOR: u32 = 1;
/// The patch version of this header.
pub const GAMEYE_VERSION_PATCH: u32 = 0;

/// The library's version, such as `"0.1.0"`: compare with the
/// `GAMEYE_VERSION_*` macros to detect a header/library mismatch.
/// The string is static: never free it. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn gameye_version() -> *const c_char {
    ffi_panic_boundary!({
        const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
        VERSION.as_ptr().cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_crate_version() {
        let expected = [
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR"),
            env!("CARGO_PKG_VERSION_PATCH"),
        ];
        let actual = [
            GAMEYE_VERSION_MAJOR,
            GAMEYE_VERSION_MINOR,
            GAMEYE_VERSION_PATCH,
        ]
        .map(|n| n.to_string());
        assert_eq!(actual, expected);
        // SAFETY: a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(gameye_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn header_is_up_to_date() {
        let fresh = include_str!(concat!(env!("OUT_DIR"), "/gameye.h"));
        let checked_in =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../include/gameye.h"))
                .expect("include/gameye.h is missing");
        assert!(
            fresh == checked_in,
            "include/gameye.h differs from what cbindgen generates: \
             regenerate it with `GAMEYE_WRITE_HEADER=1 cargo build -p gameye-ffi` and commit it"
        );
    }
}
