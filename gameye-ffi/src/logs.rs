//! Session logs: the text so far, or a followed stream read line by line.

use std::ffi::c_char;

use gameye_core::{LogStream, Response};

use crate::client::GameyeClient;
use crate::ffi::{arg_ref, arg_str, try_arg};
use crate::panic::ffi_boundary;
use crate::result::{self, failure, from_core, GameyeResult};
use crate::status::GameyeStatus;

/// A followed log. Read it with `gameye_log_stream_next`, free it with
/// `gameye_log_stream_free` (at any point: that stops following).
/// Not thread-safe: use one stream from one thread at a time.
pub struct GameyeLogStream {
    lines: LogStream,
    http_status: u16,
}

/// The session's logs so far: `GET /logs?id=…`, blocking.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `text`/`text_len` hold the logs. Past the client's `max_log_bytes` the
/// call fails with `GAMEYE_STATUS_DECODE`: follow the log to stream it.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_logs_get(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let id = try_arg!(unsafe { arg_str(id, "id") });
        from_core(client.client.logs(id), |r, text| result::fill_text(r, text))
    })
}

/// Follows the session's logs: `GET /logs?id=…&follow=true`. Blocks until the
/// response starts (bounded by the request timeout), then returns.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// `GAMEYE_STATUS_OK`, `*stream_out` receives a stream that the caller reads
/// with `gameye_log_stream_next` and frees with `gameye_log_stream_free`;
/// otherwise `*stream_out` is NULL.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or NUL-terminated;
/// `stream_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn gameye_logs_follow(
    client: *const GameyeClient,
    id: *const c_char,
    stream_out: *mut *mut GameyeLogStream,
) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        if stream_out.is_null() {
            return failure(
                GameyeStatus::NullArgument,
                "NULL argument: `stream_out` must not be NULL",
            );
        }
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { *stream_out = std::ptr::null_mut() };
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let id = try_arg!(unsafe { arg_str(id, "id") });
        match client.client.follow_logs(id) {
            Ok(lines) => {
                let stream = Box::new(GameyeLogStream {
                    lines,
                    http_status: 200,
                });
                // SAFETY: as above.
                unsafe { *stream_out = Box::into_raw(stream) };
                result::ok()
            }
            Err(e) => result::from_error(&e),
        }
    })
}

/// The next line of a followed log, blocking until one arrives.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// `GAMEYE_STATUS_OK`, `text` is the line without its line ending, or NULL
/// when the log has ended (the session stopped); after the end, further calls
/// keep returning the end. A broken connection gives its transport status.
/// Thread safety: one thread at a time per stream.
///
/// # Safety
/// `stream` is NULL or a live stream from `gameye_logs_follow`.
#[no_mangle]
pub unsafe extern "C" fn gameye_log_stream_next(stream: *mut GameyeLogStream) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented; the caller does not share the stream across threads.
        let Some(stream) = (unsafe { stream.as_mut() }) else {
            return failure(
                GameyeStatus::NullArgument,
                "NULL argument: `stream` must not be NULL",
            );
        };
        let line = match stream.lines.blocking_next_line() {
            Some(Ok(line)) => Some(line),
            Some(Err(e)) => return result::from_error(&e),
            None => None,
        };
        let resp = Response {
            value: line,
            http_status: stream.http_status,
            body: Vec::new(),
        };
        from_core(Ok(resp), |r, line| {
            if let Some(line) = line {
                result::fill_text(r, line);
            }
        })
    })
}

/// Stops following and frees the stream (closing its connection).
///
/// Calling with NULL is fine. Must not be called twice, nor while another
/// thread is inside `gameye_log_stream_next` on the same stream.
///
/// # Safety
/// `stream` is NULL or a live stream from `gameye_logs_follow`.
#[no_mangle]
pub unsafe extern "C" fn gameye_log_stream_free(stream: *mut GameyeLogStream) {
    ffi_boundary!(|_| (), {
        if !stream.is_null() {
            // SAFETY: from `gameye_logs_follow`, freed once.
            drop(unsafe { Box::from_raw(stream) });
        }
    })
}
