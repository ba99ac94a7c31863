//! Session logs: the text so far, or a followed stream read line by line,
//! blocking or through operations. The stream is the core's
//! [`LogFollower`]; this module checks arguments and turns its outcomes into
//! results.

use std::ffi::c_char;

use gameye_core::{Error, LogFollower, NextLine, ReadStart, Response};

use crate::args::{arg_out, arg_ref, try_arg};
use crate::client::{client_and_str, GameyeClient};
use crate::handle::BoxHandle;
use crate::operation::{GameyeOperation, ResultPtr};
use crate::panic::{ffi_panic_boundary, PanicFallback};
use crate::result::{self, failure, from_core, GameyeResult};
use crate::spawn::{self, start_call, start_with, try_arg_op};
use crate::status::GameyeStatus;

/// A followed log. Read it with `gameye_log_stream_next` (blocking) or
/// `gameye_log_stream_next_async`; free it with `gameye_log_stream_free` at
/// any point, which stops following.
pub struct GameyeLogStream {
    follower: LogFollower,
}

// SAFETY: the handle is the `Box<GameyeLogStream>` itself.
unsafe impl BoxHandle for GameyeLogStream {
    type Owner = GameyeLogStream;
}

/// A panic in `gameye_logs_follow_async` gives NULL, as a bad argument does.
impl PanicFallback for *mut GameyeLogStream {
    fn fallback(_: String) -> Self {
        std::ptr::null_mut()
    }
}

/// The result of a read: a line, the end, or why there is none. A line or
/// the end carries the `http_status` and `attempts` of the request that
/// opened the stream.
fn read_result(follower: &LogFollower, outcome: NextLine) -> *mut GameyeResult {
    let line = match outcome {
        NextLine::Line(line) => Some(line),
        NextLine::End => None,
        NextLine::Failed(e) => return result::from_error(&e),
        NextLine::Closed => {
            return failure(
                GameyeStatus::Cancelled,
                "cancelled: the log stream was closed, or a read of it was cancelled",
            )
        }
        NextLine::Busy => {
            return failure(
                GameyeStatus::InvalidRequest,
                "invalid request: another read of this log stream is in progress",
            )
        }
    };
    let resp = Response {
        value: (),
        http_status: follower.http_status().unwrap_or(0),
        body: Vec::new(),
        attempts: follower.attempts().unwrap_or(0),
    };
    from_core(Ok::<_, Error>(resp), |r, _| {
        if let Some(line) = &line {
            result::fill_text(r, line);
        }
    })
}

/// The session's logs so far: `GET /logs?id=…`, blocking.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `text`/`text_len` hold the logs. Past the client's `max_log_bytes` the
/// call fails with `GAMEYE_STATUS_DECODE`: follow the log to stream it.
/// The request timeout bounds each attempt, the whole text included.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_logs_get(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, id) = try_arg!(client_and_str(client, id, "id"));
        from_core(client.client.logs(&id), |r, text| {
            result::fill_text(r, text)
        })
    })
}

/// Non-blocking `gameye_logs_get`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_logs_get`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_logs_get_async(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, id) = try_arg_op!(client_and_str(client, id, "id"));
        start_call(
            client,
            |c| async move { c.logs_async(&id).await },
            |r, text| result::fill_text(r, text),
        )
    })
}

/// Follows the session's logs: `GET /logs?id=…&follow=true`. Blocks until the
/// response starts, then returns. The request timeout bounds each attempt up
/// to the response head (and the whole body of an error answer, so a server
/// dripping a 404 cannot hold it). Once the stream is open, the time between
/// lines is not bounded: a quiet session may log nothing for hours; free
/// the stream to stop waiting.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// `GAMEYE_STATUS_OK` its `http_status` and `attempts` are those of opening
/// the stream, and `*stream_out` receives a stream that the caller reads
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
    ffi_panic_boundary!({
        let stream_out = try_arg!(arg_out(stream_out, "stream_out"));
        let (client, id) = try_arg!(client_and_str(client, id, "id"));
        match client.client.follow_logs(&id) {
            Ok(lines) => {
                let opened = Response {
                    value: (),
                    http_status: lines.http_status(),
                    body: Vec::new(),
                    attempts: lines.attempts(),
                };
                stream_out.set(GameyeLogStream::into_handle(Box::new(GameyeLogStream {
                    follower: LogFollower::new(client.client.clone(), lines),
                })));
                from_core(Ok::<_, Error>(opened), |_, _| {})
            }
            Err(e) => result::from_error(&e),
        }
    })
}

/// Non-blocking follow: returns a stream at once, without I/O; the first
/// read (`gameye_log_stream_next_async`) opens the log, and an error opening
/// it (such as `GAMEYE_STATUS_NOT_FOUND`) is that read's result. Returns NULL
/// only for a NULL `client` or a NULL / non-UTF-8 `id`. Free the stream with
/// `gameye_log_stream_free`. Once the log is open, every read's result
/// carries the `http_status` and `attempts` of the request that opened it
/// (retries included), as `gameye_logs_follow`'s result does.
/// Thread safety: any thread; never blocks.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_logs_follow_async(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeLogStream {
    ffi_panic_boundary!({
        match client_and_str(client, id, "id") {
            Ok((client, id)) => GameyeLogStream::into_handle(Box::new(GameyeLogStream {
                follower: LogFollower::unopened(client.client.clone(), id),
            })),
            Err(error_result) => {
                // This function reports a bad argument as NULL only.
                drop(GameyeResult::take(error_result));
                std::ptr::null_mut()
            }
        }
    })
}

/// The next line of a followed log, blocking until one arrives.
///
/// Returns a result (never NULL), freed with `gameye_result_free`. On
/// `GAMEYE_STATUS_OK`, `text` is the line without its line ending, or NULL
/// when the log has ended (the session stopped); after the end, further calls
/// keep returning the end. A line or the end carries the `http_status` and
/// `attempts` of the request that opened the stream. A broken connection
/// gives its transport status.
/// After the stream was closed (`gameye_log_stream_close`) or a pending
/// async read of it was cancelled, it returns `GAMEYE_STATUS_CANCELLED` at once.
///
/// Thread safety: any thread, one read at a time per stream (a concurrent
/// read gets `GAMEYE_STATUS_INVALID_REQUEST`). Another thread may close or
/// free the stream while this call blocks: the call then returns
/// `GAMEYE_STATUS_CANCELLED` promptly (within 100 ms) and does not touch the
/// stream again. It may be called from a callback on a library thread.
///
/// # Safety
/// `stream` is NULL or a live stream.
#[no_mangle]
pub unsafe extern "C" fn gameye_log_stream_next(stream: *mut GameyeLogStream) -> *mut GameyeResult {
    ffi_panic_boundary!({
        // The stream is not touched after this copy, so another thread may
        // free it while this call waits.
        let follower = try_arg!(arg_ref(stream, "stream")).follower.clone();
        let outcome = follower.blocking_next_line();
        read_result(&follower, outcome)
    })
}

/// Non-blocking `gameye_log_stream_next`: an operation (never NULL) whose
/// result is the next line (or the end, or an error), as for the blocking
/// call. Cancelling or freeing the operation while the read is pending ends
/// the stream: every later read returns `GAMEYE_STATUS_CANCELLED` (follow the
/// log again to go on). Cancelling or freeing it once the read completed
/// leaves the stream as it is. Closing or freeing the stream while a read is
/// pending is fine: the read completes with `GAMEYE_STATUS_CANCELLED`.
///
/// # Safety
/// `stream` is NULL or a live stream.
#[no_mangle]
pub unsafe extern "C" fn gameye_log_stream_next_async(
    stream: *mut GameyeLogStream,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let follower = try_arg_op!(arg_ref(stream, "stream")).follower.clone();
        match follower.begin_read() {
            ReadStart::Done(outcome) => spawn::done(read_result(&follower, outcome)),
            ReadStart::Pending(read) => {
                // Cancelling the pending operation closes the stream before
                // the cancel returns (the read's task is dropped later).
                let (client, on_cancel) = (follower.client().clone(), follower.clone());
                start_with(
                    &client,
                    None,
                    Some(Box::new(move || on_cancel.close())),
                    async move { ResultPtr(read_result(&follower, read.line().await)) },
                )
            }
        }
    })
}

/// Ends following without freeing the stream: a read blocked in
/// `gameye_log_stream_next` (on any thread) returns `GAMEYE_STATUS_CANCELLED`
/// within 100 ms, a pending async read completes with it, and every later
/// read returns it at once. The connection closes once no read holds it.
/// NULL is fine; closing twice is fine.
///
/// Thread safety: any thread, also while another thread reads the stream.
///
/// # Safety
/// `stream` is NULL or a live stream.
#[no_mangle]
pub unsafe extern "C" fn gameye_log_stream_close(stream: *mut GameyeLogStream) {
    ffi_panic_boundary!({
        if let Some(stream) = GameyeLogStream::borrow(stream) {
            stream.follower.close();
        }
    })
}

/// Stops following and frees the stream: as `gameye_log_stream_close`, then
/// the handle is gone (the connection closes once no read holds it). Calling
/// with NULL is fine. Must not be called twice.
///
/// Thread safety: any thread. It may be called while another thread is
/// blocked in `gameye_log_stream_next` on this stream (that read returns
/// `GAMEYE_STATUS_CANCELLED` within 100 ms) or while async reads are pending;
/// no other call on the stream may start once it has begun.
///
/// # Safety
/// `stream` is NULL or a live stream.
#[no_mangle]
pub unsafe extern "C" fn gameye_log_stream_free(stream: *mut GameyeLogStream) {
    ffi_panic_boundary!({
        if let Some(stream) = GameyeLogStream::take(stream) {
            stream.follower.close();
        }
    })
}
