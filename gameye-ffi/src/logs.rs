//! Session logs: the text so far, or a followed stream read line by line,
//! blocking or through operations.

use std::ffi::c_char;

use gameye_core::{Client, Error, LogStream, Response};
use tokio::sync::watch;

use crate::client::GameyeClient;
use crate::ffi::{client_and_str, try_arg};
use crate::follow::{Begin, Follow};
use crate::operation::{self, start_call, start_with, try_arg_op, GameyeOperation, ResultPtr};
use crate::panic::ffi_boundary;
use crate::result::{self, failure, from_core, GameyeResult};
use crate::status::GameyeStatus;
use crate::sync::{lock, Arc, Mutex};

/// A followed log. Read it with `gameye_log_stream_next` (blocking) or
/// `gameye_log_stream_next_async`; free it with `gameye_log_stream_free` at
/// any point, which stops following.
pub struct GameyeLogStream {
    client: Client,
    shared: Arc<StreamShared>,
}

/// What the handle and its reads share; outlives the handle while a read runs.
struct StreamShared {
    follow: Mutex<Follow<LogStream>>,
    /// Set to true by close and free: wakes a read in progress.
    closed: watch::Sender<bool>,
}

impl StreamShared {
    fn new(follow: Follow<LogStream>) -> Arc<Self> {
        Arc::new(StreamShared {
            follow: Mutex::new(follow),
            closed: watch::Sender::new(false),
        })
    }

    /// Ends the stream for good: later reads give `GAMEYE_STATUS_CANCELLED`.
    fn cancel(&self) {
        let idle = lock(&self.follow).cancel();
        drop(idle);
    }

    /// Ends the stream and wakes a read in progress, which returns
    /// `GAMEYE_STATUS_CANCELLED` at once.
    fn close(&self) {
        self.cancel();
        self.closed.send_replace(true);
    }
}

/// Gives the stream back after a read; if the read is dropped midway (a
/// cancelled operation, a closed stream), marks the log ended instead of
/// leaving it busy.
struct Lease {
    shared: Arc<StreamShared>,
    stream: Option<LogStream>,
    /// False when the read was refused (another read holds the stream).
    held: bool,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let back = lock(&self.shared.follow).finish(self.stream.take());
        drop(back);
    }
}

fn cancelled() -> *mut GameyeResult {
    failure(
        GameyeStatus::Cancelled,
        "cancelled: the log stream was closed, or a read of it was cancelled",
    )
}

/// Reads the next line, opening the log first if needed; a close of the
/// stream ends the read at once with `GAMEYE_STATUS_CANCELLED`. Never blocks
/// the caller's thread on a lock: a concurrent read is refused.
async fn next_line(client: Client, shared: Arc<StreamShared>) -> *mut GameyeResult {
    let mut closed = shared.closed.subscribe();
    tokio::select! {
        biased;
        _ = closed.wait_for(|closed| *closed) => cancelled(),
        line = read_line(client, shared) => line,
    }
}

async fn read_line(client: Client, shared: Arc<StreamShared>) -> *mut GameyeResult {
    let begun = lock(&shared.follow).begin();
    // From here on the read holds the stream: the lease gives it back.
    let mut lease = Lease {
        shared,
        stream: None,
        held: true,
    };
    match begun {
        Begin::Read(s) => lease.stream = Some(s),
        Begin::Open(id) => match client.follow_logs_async(&id).await {
            Ok(s) => lease.stream = Some(s),
            Err(e) => return result::from_error(&e),
        },
        Begin::Busy => {
            // Another read owns the stream: leave its state alone.
            lease.held = false;
            return failure(
                GameyeStatus::InvalidRequest,
                "invalid request: another read of this log stream is in progress",
            );
        }
        Begin::Ended => return line_result(None),
        Begin::Cancelled => return cancelled(),
    }
    let next = match lease.stream.as_mut() {
        Some(stream) => stream.next_line().await,
        None => None,
    };
    match next {
        Some(Ok(line)) => line_result(Some(&line)),
        Some(Err(e)) => {
            lease.stream = None;
            result::from_error(&e)
        }
        None => {
            lease.stream = None;
            line_result(None)
        }
    }
}

fn line_result(line: Option<&str>) -> *mut GameyeResult {
    let resp = Response {
        value: (),
        http_status: 200,
        body: Vec::new(),
        attempts: 1,
    };
    from_core(Ok::<_, Error>(resp), |r, _| {
        if let Some(line) = line {
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
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let (client, id) = try_arg!(unsafe { client_and_str(client, id, "id") });
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
    ffi_boundary!(operation::on_panic, {
        // SAFETY: as documented.
        let (client, id) = try_arg_op!(unsafe { client_and_str(client, id, "id") });
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
        let (client, id) = try_arg!(unsafe { client_and_str(client, id, "id") });
        match client.client.follow_logs(&id) {
            Ok(lines) => {
                let opened = Response {
                    value: (),
                    http_status: lines.http_status(),
                    body: Vec::new(),
                    attempts: lines.attempts(),
                };
                let stream = Box::new(GameyeLogStream {
                    client: client.client.clone(),
                    shared: StreamShared::new(Follow::Open(lines)),
                });
                // SAFETY: as above.
                unsafe { *stream_out = Box::into_raw(stream) };
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
/// `gameye_log_stream_free`.
/// Thread safety: any thread; never blocks.
///
/// # Safety
/// `client` is NULL or a live client; `id` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_logs_follow_async(
    client: *const GameyeClient,
    id: *const c_char,
) -> *mut GameyeLogStream {
    ffi_boundary!(|_| std::ptr::null_mut(), {
        // SAFETY: as documented.
        match unsafe { client_and_str(client, id, "id") } {
            Ok((client, id)) => Box::into_raw(Box::new(GameyeLogStream {
                client: client.client.clone(),
                shared: StreamShared::new(Follow::NotOpened(id)),
            })),
            Err(error_result) => {
                // SAFETY: an unreturned result of ours.
                unsafe { result::gameye_result_free(error_result) };
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
/// keep returning the end. A broken connection gives its transport status.
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
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented; the stream is not touched after these copies,
        // so another thread may free it while this call waits.
        let Some((client, shared)) =
            (unsafe { stream.as_ref() }).map(|s| (s.client.clone(), Arc::clone(&s.shared)))
        else {
            return failure(
                GameyeStatus::NullArgument,
                "NULL argument: `stream` must not be NULL",
            );
        };
        let work = next_line(client.clone(), shared);
        // The read runs on the I/O threads; this thread waits for its result.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        drop(client.spawn_background(async move {
            let _ = tx.send(ResultPtr(work.await));
        }));
        match crate::sync::blocking(|| rx.recv()) {
            Ok(r) => r.0,
            Err(_) => result::panicked("the log read task failed".into()),
        }
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
    ffi_boundary!(operation::on_panic, {
        // SAFETY: as documented.
        let Some(stream) = (unsafe { stream.as_ref() }) else {
            return operation::done(failure(
                GameyeStatus::NullArgument,
                "NULL argument: `stream` must not be NULL",
            ));
        };
        let work = next_line(stream.client.clone(), Arc::clone(&stream.shared));
        let on_cancel = Arc::clone(&stream.shared);
        start_with(
            &stream.client,
            None,
            Some(Box::new(move || on_cancel.cancel())),
            async move { ResultPtr(work.await) },
        )
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
    ffi_boundary!(|_| (), {
        // SAFETY: as documented.
        if let Some(stream) = unsafe { stream.as_ref() } {
            stream.shared.close();
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
    ffi_boundary!(|_| (), {
        if !stream.is_null() {
            // SAFETY: from `gameye_logs_follow(_async)`, freed once.
            let stream = unsafe { Box::from_raw(stream) };
            stream.shared.close();
        }
    })
}
