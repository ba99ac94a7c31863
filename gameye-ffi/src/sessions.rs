//! Session endpoints: create, list, get, stop.

use std::ffi::c_char;

use gameye_core::{ListFilter, SessionRun, StopOptions, ValidSessionRun};

use crate::args::{arg_opt_str, arg_ref, arg_str, try_arg};
use crate::client::{client_and_str, GameyeClient};
use crate::operation::GameyeOperation;
use crate::panic::ffi_panic_boundary;
use crate::result::{self, from_core, GameyeResult};
use crate::spawn::{start_call, try_arg_op};

type ArgResult<T> = Result<T, *mut GameyeResult>;

/// The checked arguments of `gameye_session_create`: the request parsed
/// and validated, once (the create sends it without checking again).
fn create_args<'a>(
    client: *const GameyeClient,
    request_json: *const c_char,
) -> ArgResult<(&'a GameyeClient, ValidSessionRun)> {
    let client = arg_ref(client, "client")?;
    let json = arg_str(request_json, "request_json")?;
    let request = SessionRun::from_json(json).map_err(|e| result::from_error(&e))?;
    Ok((client, request))
}

/// The checked arguments of `gameye_session_list`.
fn list_args<'a>(
    client: *const GameyeClient,
    filter_json: *const c_char,
) -> ArgResult<(&'a GameyeClient, ListFilter)> {
    let client = arg_ref(client, "client")?;
    let filter = match arg_opt_str(filter_json, "filter_json")? {
        Some(json) => ListFilter::from_json(json).map_err(|e| result::from_error(&e))?,
        None => ListFilter::default(),
    };
    Ok((client, filter))
}

fn stop_options(flags: u32) -> StopOptions {
    StopOptions {
        idempotent: flags & GAMEYE_STOP_IDEMPOTENT != 0,
    }
}

/// `gameye_session_stop` flag: count "no such session" (404) and "already
/// terminated" (409) as stopped, so a repeated or retried stop succeeds.
pub const GAMEYE_STOP_IDEMPOTENT: u32 = 1;

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
    ffi_panic_boundary!({
        let (client, request) = try_arg!(create_args(client, request_json));
        from_core(client.client.create_session(request), result::fill_session)
    })
}

/// Checks a `SessionRun` request JSON exactly as `gameye_session_create`
/// would, without sending anything: strict parsing, unknown fields, types,
/// required and non-empty fields, `ttl` form. No client and no network.
///
/// Returns a result (never NULL), freed with `gameye_result_free`:
/// `GAMEYE_STATUS_OK`, or `GAMEYE_STATUS_INVALID_REQUEST` with one violation
/// per bad field (or NULL argument / invalid UTF-8).
/// Thread safety: any thread.
///
/// # Safety
/// `request_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_validate(request_json: *const c_char) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let json = try_arg!(arg_str(request_json, "request_json"));
        match SessionRun::from_json(json) {
            Ok(_) => result::ok(),
            Err(e) => result::from_error(&e),
        }
    })
}

/// Lists sessions: `GET /session`, blocking.
///
/// `filter_json` is NULL (every running session) or
/// `{"all": true, "location": "...", "image": "...", "tag": "...", "host": "...",
/// "player_count_lt": 8, "player_count_gt": 0, "labels": {"KEY": "VALUE"}}`,
/// every field optional; unknown fields give `GAMEYE_STATUS_INVALID_REQUEST`.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `sessions`/`sessions_len` hold the sessions.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `filter_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_list(
    client: *const GameyeClient,
    filter_json: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, filter) = try_arg!(list_args(client, filter_json));
        from_core(client.client.list_sessions(&filter), |r, list| {
            result::fill_sessions(r, list)
        })
    })
}

/// Describes one session: `GET /session/{id}`, blocking.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `session_info` holds it, with `joined` players. Unknown id: `GAMEYE_STATUS_NOT_FOUND`.
/// Path parameters are sent literally, each as exactly one percent-encoded
/// path segment (`a/b` is `a%2Fb`); `.`, `..` and values with control
/// characters (tab, CR, LF, NUL, ...) are refused before sending with
/// `GAMEYE_STATUS_INVALID_REQUEST` naming the field.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_get(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, id) = try_arg!(client_and_str(client, id, "id"));
        from_core(client.client.get_session(&id), result::fill_details)
    })
}

/// Stops a session: `DELETE /session/{id}`, blocking. The container gets SIGTERM.
///
/// `flags` is 0 or `GAMEYE_STOP_IDEMPOTENT`. Without it, an unknown session
/// gives `GAMEYE_STATUS_NOT_FOUND` and an already terminated one
/// `GAMEYE_STATUS_CONFLICT`; with it both are `GAMEYE_STATUS_OK`, and
/// `stop_outcome` says which case it was. After an ambiguous attempt (the
/// answer of an earlier attempt lost), a replay answered 409 or 404 means
/// that attempt stopped it: `GAMEYE_STATUS_OK` with `GAMEYE_STOP_STOPPED`
/// and the attempt count, flag or not. The id is a path parameter:
/// sent literally, as exactly one percent-encoded
/// path segment (`a/b` is `a%2Fb`); `.`, `..` and values with control
/// characters (tab, CR, LF, NUL, ...) are refused before sending with
/// `GAMEYE_STATUS_INVALID_REQUEST` naming the field.
///
/// Returns a result (never NULL), freed with `gameye_result_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_stop(
    client: *const GameyeClient,
    id: *const c_char,
    flags: u32,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, id) = try_arg!(client_and_str(client, id, "id"));
        from_core(
            client.client.stop_session(&id, stop_options(flags)),
            result::fill_stop,
        )
    })
}

/// Non-blocking `gameye_session_create`: returns at once with an operation
/// (never NULL) whose result is what `gameye_session_create` would return.
/// Bad arguments give an operation that is already done with the error.
/// Free the operation with `gameye_operation_free`.
/// Thread safety: any thread; never blocks on I/O.
///
/// # Safety
/// As `gameye_session_create`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_create_async(
    client: *const GameyeClient,
    request_json: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, request) = try_arg_op!(create_args(client, request_json));
        start_call(
            client,
            |c| async move { c.create_session_async(request).await },
            result::fill_session,
        )
    })
}

/// Non-blocking `gameye_session_list`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_session_list`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_list_async(
    client: *const GameyeClient,
    filter_json: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, filter) = try_arg_op!(list_args(client, filter_json));
        start_call(
            client,
            |c| async move { c.list_sessions_async(&filter).await },
            |r, list| result::fill_sessions(r, list),
        )
    })
}

/// Non-blocking `gameye_session_get`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_session_get`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_get_async(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, id) = try_arg_op!(client_and_str(client, id, "id"));
        start_call(
            client,
            |c| async move { c.get_session_async(&id).await },
            result::fill_details,
        )
    })
}

/// Non-blocking `gameye_session_stop`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_session_stop`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_session_stop_async(
    client: *const GameyeClient,
    id: *const c_char,
    flags: u32,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, id) = try_arg_op!(client_and_str(client, id, "id"));
        start_call(
            client,
            |c| async move { c.stop_session_async(&id, stop_options(flags)).await },
            result::fill_stop,
        )
    })
}
