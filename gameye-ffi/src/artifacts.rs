//! Artifacts: a terminated session's file or folder as tar.gz, streamed to a
//! file or to the caller's callback, never held whole in memory.

use std::ffi::{c_char, c_void};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use gameye_core::ErrorKind;

use crate::args::{arg_str, try_arg};
use crate::client::{client_and_str, GameyeClient};
use crate::gate::Gate;
use crate::operation::{GameyeOperation, ResultPtr};
use crate::panic::ffi_panic_boundary;
use crate::result::{self, from_core, GameyeResult};
use crate::spawn::{start_call, start_with, try_arg_op};
use crate::status::GameyeStatus;

type DownloadArgs<'a> = (&'a GameyeClient, String, String);

/// The checked client, session and path of a download.
fn download_args<'a>(
    client: *const GameyeClient,
    session: *const c_char,
    path: *const c_char,
) -> Result<DownloadArgs<'a>, *mut GameyeResult> {
    let (client, session) = client_and_str(client, session, "session")?;
    let path = arg_str(path, "path")?.to_owned();
    Ok((client, session, path))
}

/// Receives a downloaded chunk: `len` bytes at `data`, valid only during the
/// call. Return 0 to continue, anything else to stop the download (which
/// then ends with `GAMEYE_STATUS_CANCELLED`). Called on the thread that
/// called `gameye_artifacts_download`.
pub type GameyeWriteCallback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, data: *const u8, len: usize) -> i32>;

/// Downloads an artifact (`GET /artifacts?session=…&path=…`): the tar.gz of
/// `path` in the terminated session's container, written to the file
/// `dest_path`. The file appears only when complete (written beside it under
/// a temporary name, then renamed), so a failure never leaves a partial file.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `bytes_written` is the file's size. A file that cannot be written gives
/// `GAMEYE_STATUS_IO`.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_artifacts_save(
    client: *const GameyeClient,
    session: *const c_char,
    path: *const c_char,
    dest_path: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, session, path) = try_arg!(download_args(client, session, path));
        let dest = try_arg!(arg_str(dest_path, "dest_path"));
        from_core(
            client
                .client
                .download_artifact_to_file(&session, &path, Path::new(dest)),
            result::fill_bytes_written,
        )
    })
}

/// Adapts the C callback to `std::io::Write`, remembering a refusal.
struct CallbackWriter {
    write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32,
    userdata: *mut c_void,
    /// Set when the callback refuses a chunk; shared so the outcome can be
    /// read after the writer moved into an async download.
    refused: Arc<AtomicBool>,
    /// For async downloads: closed by cancel/free, after which no write runs.
    gate: Option<Gate>,
}

// SAFETY: the async form documents that the callback runs on a library
// thread; the host vouches that its callback and userdata allow that.
unsafe impl Send for CallbackWriter {}

impl CallbackWriter {
    fn new(write: GameyeWriteCallback, userdata: *mut c_void) -> Result<Self, *mut GameyeResult> {
        let write = write.ok_or_else(|| {
            result::failure(
                GameyeStatus::NullArgument,
                "NULL argument: `write` must not be NULL",
            )
        })?;
        Ok(CallbackWriter {
            write,
            userdata,
            refused: Arc::new(AtomicBool::new(false)),
            gate: None,
        })
    }

    /// The result of a download through this writer: a refusal by the
    /// callback is a cancellation, not an I/O failure.
    fn finish(
        refused: &AtomicBool,
        outcome: gameye_core::Result<gameye_core::Response<u64>>,
    ) -> *mut GameyeResult {
        match outcome {
            Err(e) if refused.load(Ordering::Acquire) && e.kind() == ErrorKind::Io => {
                result::failure(
                    GameyeStatus::Cancelled,
                    "cancelled: the write callback stopped the download",
                )
            }
            outcome => from_core(outcome, result::fill_bytes_written),
        }
    }
}

impl Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: the caller vouches for the callback and its userdata; the
        // slice is valid for the duration of the call.
        let call = || unsafe { (self.write)(self.userdata, buf.as_ptr(), buf.len()) };
        let code = match &self.gate {
            Some(gate) => gate.pass(call).unwrap_or(1),
            None => call(),
        };
        if code != 0 {
            self.refused.store(true, Ordering::Release);
            return Err(std::io::Error::other(
                "the write callback stopped the download",
            ));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Downloads an artifact (`GET /artifacts?session=…&path=…`), handing the
/// tar.gz to `write` chunk by chunk as it arrives, on the calling thread.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `bytes_written` is the total handed to `write`. If `write` returns non-zero
/// the download stops with `GAMEYE_STATUS_CANCELLED`.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or NUL-terminated;
/// `write` is NULL or a function safe to call with `userdata`.
#[no_mangle]
pub unsafe extern "C" fn gameye_artifacts_download(
    client: *const GameyeClient,
    session: *const c_char,
    path: *const c_char,
    write: GameyeWriteCallback,
    userdata: *mut c_void,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, session, path) = try_arg!(download_args(client, session, path));
        let mut out = try_arg!(CallbackWriter::new(write, userdata));
        let outcome = client.client.download_artifact(&session, &path, &mut out);
        CallbackWriter::finish(&out.refused, outcome)
    })
}

/// Non-blocking `gameye_artifacts_save`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_artifacts_save`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_artifacts_save_async(
    client: *const GameyeClient,
    session: *const c_char,
    path: *const c_char,
    dest_path: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, session, path) = try_arg_op!(download_args(client, session, path));
        let dest = try_arg_op!(arg_str(dest_path, "dest_path")).to_owned();
        start_call(
            client,
            |c| async move {
                c.download_artifact_to_file_async(&session, &path, Path::new(&dest))
                    .await
            },
            result::fill_bytes_written,
        )
    })
}

/// Non-blocking `gameye_artifacts_download`: `write` is called on a library
/// I/O thread as chunks arrive (so it must be thread-safe and quick, such as
/// appending to a buffer or a file). Once `gameye_operation_cancel` or
/// `gameye_operation_free` returns, `write` is never called again (they wait
/// for a call in progress on another thread). `write` may itself cancel or
/// free the operation: the download stops, no further `write` follows, and a
/// cancelled operation completes with `GAMEYE_STATUS_CANCELLED`. See
/// `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_artifacts_download`, and `write` with `userdata` must be safe to
/// call from another thread until the operation completes or is freed.
#[no_mangle]
pub unsafe extern "C" fn gameye_artifacts_download_async(
    client: *const GameyeClient,
    session: *const c_char,
    path: *const c_char,
    write: GameyeWriteCallback,
    userdata: *mut c_void,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, session, path) = try_arg_op!(download_args(client, session, path));
        let mut out = try_arg_op!(CallbackWriter::new(write, userdata));
        let gate = Gate::default();
        out.gate = Some(gate.clone());
        let refused = Arc::clone(&out.refused);
        let c = client.client.clone();
        start_with(&client.client, Some(gate), None, async move {
            let outcome = c.download_artifact_async(&session, &path, out).await;
            ResultPtr(CallbackWriter::finish(&refused, outcome))
        })
    })
}
