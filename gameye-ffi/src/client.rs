//! `GameyeClient`: the opaque, thread-safe client handle.

use std::ffi::c_char;

use gameye_core::{Client, ValidClientConfig};

use crate::args::{arg_out, arg_ref, arg_str, try_arg};
use crate::handle::BoxHandle;
use crate::panic::ffi_panic_boundary;
use crate::result::{self, GameyeResult};

/// A Gameye API client: a connection pool and the I/O threads that drive it.
///
/// Create one with `gameye_client_new` and share it: every function that
/// takes a `const GameyeClient *` may be called from many threads at once.
/// Free it with `gameye_client_free` once no call using it is running.
///
/// Threads: the `_async` functions, log streams and artifact downloads run
/// on the client's own I/O threads (two), sharing one connection pool. A
/// blocking JSON call (`gameye_session_create`, `gameye_logs_get`, ...)
/// instead runs entirely on the calling thread, with a small runtime and
/// connection pool that each calling thread keeps for this client: no
/// hand-off to the I/O threads and back. So each thread that makes
/// blocking calls holds its own kept-alive connection (one per thread, not
/// per call); all of them are closed by `gameye_client_free`, also those of
/// other threads. A blocking call made from inside a library callback (a
/// log callback, say) runs on the shared pool instead.
///
/// After `fork()` a child makes its own client: one inherited from the
/// parent is not usable there (its threads do not exist in the child), and
/// freeing it in the child leaks its runtimes and pools rather than
/// disturbing the parent's connections.
pub struct GameyeClient {
    pub(crate) client: Client,
}

// SAFETY: the handle is the `Box<GameyeClient>` itself.
unsafe impl BoxHandle for GameyeClient {
    type Owner = GameyeClient;
}

/// The client and one string argument, owned, as most endpoints take them.
pub(crate) fn client_and_str<'a>(
    client: *const GameyeClient,
    value: *const c_char,
    name: &str,
) -> Result<(&'a GameyeClient, String), *mut GameyeResult> {
    let client = arg_ref(client, "client")?;
    let value = arg_str(value, name)?;
    Ok((client, value.to_owned()))
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
///  "ca_bundle_path": "/etc/ssl/extra-roots.pem",  // extra trusted roots (PEM)
///  "proxy": "http://127.0.0.1:3128",    // every request through this proxy
///  "proxy_from_env": false,             // use HTTPS_PROXY/HTTP_PROXY/NO_PROXY
///  "idle_timeout_ms": 30000}            // a kept connection idle longer is not reused
/// ```
///
/// `idle_timeout_ms`: keep it under the idle timeout of any load balancer or
/// proxy in front of the API, so the client drops a connection before that
/// closes it under a request.
///
/// Timeouts: `request_timeout_ms` bounds each attempt end to end, from
/// sending to the last byte of the body, error bodies and
/// `gameye_logs_get`'s text included. For `gameye_logs_follow` and artifact
/// downloads it bounds the attempt up to the response head (and the whole
/// body of an error answer); after a 2xx head the stream has no idle
/// timeout. `retry.deadline_ms` bounds the whole call, retries included.
///
/// Retries: 420, 5xx and failures before or during a response are retried
/// with exponential backoff and full jitter (or the server's `Retry-After`),
/// up to `max_attempts`, all within `deadline_ms`; other 4xx never are.
/// After an ambiguous attempt (sent, then its answer lost or cut, or a 5xx)
/// the replay's answer is read for what it says: a create meeting 409 for
/// its own id describes the session and returns it; a stop meeting 409 or
/// 404 is `GAMEYE_STOP_STOPPED`; a join meeting 409 reads the count back
/// from the session; a leave meeting 404 succeeds with `player_count` -1
/// (unknown); reads are repeated as they are. Every endpoint's replay can be
/// read this way, so every endpoint is retried.
///
/// Redirects are never followed (the API has none): a 3xx gives
/// `GAMEYE_STATUS_CLIENT_ERROR` with the `Location` in `details`.
///
/// Proxies are used only when configured: `proxy`, or `proxy_from_env`
/// for the environment's variables (ignored by default, so a variable set
/// for other programs never routes the token elsewhere). As for `base_url`,
/// a plain `http://` proxy is accepted only on a loopback host unless
/// `allow_insecure_http` is set; proxy credentials are never shown.
/// TLS certificates are always verified. An invalid `base_url` or `proxy`
/// is never echoed with its `user:password@`.
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
    ffi_panic_boundary!({
        let client_out = try_arg!(arg_out(client_out, "client_out"));
        let json = try_arg!(arg_str(config_json, "config_json"));
        // Parsed and checked once; the client takes it as checked.
        let built = ValidClientConfig::from_json(json).and_then(Client::new);
        match built {
            Ok(client) => {
                client_out.set(GameyeClient::into_handle(Box::new(GameyeClient { client })));
                result::ok()
            }
            Err(e) => result::from_error(&e),
        }
    })
}

/// Frees a client, closing its connections and stopping its I/O threads.
/// Every connection the client opened is closed before this returns,
/// including those of blocking calls made on other threads (each thread
/// keeps its own small pool for blocking calls; all are closed here).
///
/// Calling with NULL is fine. Must not be called twice, nor while another
/// thread is still inside a call that uses this client. Results obtained
/// from the client stay valid: they are independent allocations.
///
/// # Safety
/// `client` is NULL or a client from `gameye_client_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn gameye_client_free(client: *mut GameyeClient) {
    ffi_panic_boundary!({ drop(GameyeClient::take(client)) })
}
