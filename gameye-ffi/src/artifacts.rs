//! Artifacts: a terminated session's file or folder as tar.gz, streamed to a
//! file or to the caller's callback, never held whole in memory.

use std::ffi::{c_char, c_void};
use std::io::Write;
use std::path::Path;

use gameye_core::ErrorKind;

use crate::client::GameyeClient;
use crate::ffi::{arg_ref, arg_str, try_arg};
use crate::panic::ffi_boundary;
use crate::result::{self, from_core, GameyeResult};
use crate::status::GameyeStatus;

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
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let session = try_arg!(unsafe { arg_str(session, "session") });
        let path = try_arg!(unsafe { arg_str(path, "path") });
        let dest = try_arg!(unsafe { arg_str(dest_path, "dest_path") });
        from_core(
            client
                .client
                .download_artifact_to_file(session, path, Path::new(dest)),
            result::fill_bytes_written,
        )
    })
}

/// Adapts the C callback to `std::io::Write`, remembering a refusal.
struct CallbackWriter {
    write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32,
    userdata: *mut c_void,
    refused: bool,
}

impl Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: the caller vouches for the callback and its userdata; the
        // slice is valid for the duration of the call.
        if unsafe { (self.write)(self.userdata, buf.as_ptr(), buf.len()) } != 0 {
            self.refused = true;
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
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let session = try_arg!(unsafe { arg_str(session, "session") });
        let path = try_arg!(unsafe { arg_str(path, "path") });
        let Some(write) = write else {
            return result::failure(
                GameyeStatus::NullArgument,
                "NULL argument: `write` must not be NULL",
            );
        };
        let mut out = CallbackWriter {
            write,
            userdata,
            refused: false,
        };
        let outcome = client.client.download_artifact(session, path, &mut out);
        match outcome {
            Err(e) if out.refused && e.kind() == ErrorKind::Io => result::failure(
                GameyeStatus::Cancelled,
                "cancelled: the write callback stopped the download",
            ),
            outcome => from_core(outcome, result::fill_bytes_written),
        }
    })
}
