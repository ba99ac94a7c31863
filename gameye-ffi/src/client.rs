//! `GameyeClient`: the opaque, thread-safe client handle.

use std::ffi::c_char;

use gameye_core::{Client, ClientConfig};

use crate::ffi::{arg_str, try_arg};
use crate::panic::ffi_boundary;
use crate::result::{self, failure, GameyeResult};
use crate::status::GameyeStatus;

/// A Gameye API client: a connection pool and the I/O threads that drive it.
///
/// Create one with `gameye_client_new` and share it: every function that
/// takes a `const GameyeClient *` may be called from many threads at once.
/// Free it with `gameye_client_free` once no call using it is running.
pub struct GameyeClient {
    pub(crate) client: Client,
}

/// Creates a client from a JSON configuration:
///
/// ```json
/// {"token": "...",                      // required
///  "base_url": "https://...",           // or "environment": "sandbox" | "production"
///  "connect_timeout_ms": 10000, "request_timeout_ms": 30000,
///  "allow_insecure_http": false,        // plain http is allowed to loopback hosts only
///  "max_response_bytes": 1048576,       // cap on a JSON response body
///  "max_log_bytes": 16777216,           // cap on gameye_logs_get's text
///  "retry": {"max_attempts": 4, "initial_backoff_ms": 250,
///            "max_backoff_ms": 8000, "deadline_ms": 60000},
///  "max_concurrent_requests": 256,      // more calls wait for a slot
///  "ca_bundle_path": "/etc/ssl/extra-roots.pem"}  // extra trusted roots (PEM)
/// ```
///
/// Retries: 420, 5xx and failures before or during a response are retried
/// with exponential backoff and full jitter (or the server's `Retry-After`),
/// up to `max_attempts`, all within `deadline_ms`; other 4xx never are.
/// TLS certificates are always verified.
///
/// Returns a result (never NULL) that the caller frees with `gameye_result_free`.
/// On `GAMEYE_STATUS_OK`, `*client_out` receives a new client that the caller
/// frees with `gameye_client_free`. On any error `*client_out` is set to NULL
/// (when `client_out` is not NULL) and the result's `message` names the bad
/// option; the token is never shown.
///
/// Thread safety: any thread.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `client_out` is NULL or
/// points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn gameye_client_new(
    config_json: *const c_char,
    client_out: *mut *mut GameyeClient,
) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        if client_out.is_null() {
            return failure(
                GameyeStatus::NullArgument,
                "NULL argument: `client_out` must not be NULL",
            );
        }
        // SAFETY: checked non-NULL; the caller gives a writable pointer.
        unsafe { *client_out = std::ptr::null_mut() };
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let json = try_arg!(unsafe { arg_str(config_json, "config_json") });
        let built = ClientConfig::from_json(json).and_then(Client::new);
        match built {
            Ok(client) => {
                let handle = Box::into_raw(Box::new(GameyeClient { client }));
                // SAFETY: as above.
                unsafe { *client_out = handle };
                result::ok()
            }
            Err(e) => result::from_error(&e),
        }
    })
}

/// Frees a client, closing its connections and stopping its I/O threads.
///
/// Calling with NULL is fine. Must not be called twice, nor while another
/// thread is still inside a call that uses this client. Results obtained
/// from the client stay valid: they are independent allocations.
///
/// # Safety
/// `client` is NULL or a client from `gameye_client_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn gameye_client_free(client: *mut GameyeClient) {
    ffi_boundary!(|_| (), {
        if !client.is_null() {
            // SAFETY: non-NULL clients come from `gameye_client_new` and are freed once.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}
