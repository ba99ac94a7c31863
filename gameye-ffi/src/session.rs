//! Session endpoints.

use std::ffi::c_char;

use gameye_core::SessionRun;

use crate::client::GameyeClient;
use crate::ffi::{arg_ref, arg_str, try_arg};
use crate::panic::ffi_boundary;
use crate::result::{self, GameyeResult};

/// Starts a session: `POST /session`, blocking the calling thread until the
/// answer (or the client's request timeout).
///
/// `request_json` is the spec's `SessionRun` body, such as
/// `{"location": "europe", "image": "nginx", "env": {"K": "v"}, "ttl": "1h"}`.
/// It is parsed strictly and validated before anything is sent: unknown
/// fields, wrong types, empty required strings and a malformed `ttl` give
/// `GAMEYE_STATUS_INVALID_REQUEST` with one violation per bad field. Without
/// an `id`, a UUIDv4 is generated and sent, and the result's session carries it.
///
/// Returns a result (never NULL) that the caller frees with `gameye_result_free`.
/// On `GAMEYE_STATUS_OK` its `session` holds the id, host and ports.
///
/// Thread safety: any thread; many threads may share one client.
///
/// # Safety
/// `client` is NULL or a live client; `request_json` is NULL or a
/// NUL-terminated string. Both are only borrowed during the call.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_create(
    client: *const GameyeClient,
    request_json: *const c_char,
) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        // SAFETY: the caller passes NULL or a live client / NUL-terminated string.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let json = try_arg!(unsafe { arg_str(request_json, "request_json") });
        let request = match SessionRun::from_json(json) {
            Ok(r) => r,
            Err(e) => return result::from_error(&e),
        };
        match client.client.create_session(request) {
            Ok(resp) => result::session(&resp),
            Err(e) => result::from_error(&e),
        }
    })
}
