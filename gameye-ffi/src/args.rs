//! Argument checks shared by every exported function: NULL pointers, UTF-8
//! and out-parameters, each failure turned into a result that names the
//! argument.
//!
//! These take raw pointers and are safe to call under the crate's pointer
//! contract (see the crate docs): each pointer is an exported function's
//! own argument, passed on unchanged, and that function's `# Safety`
//! section is what they rely on.

use std::ffi::{c_char, CStr};

use crate::handle::BoxHandle;
use crate::result::{failure, GameyeResult};
use crate::status::GameyeStatus;

/// Borrows a handle, or returns a `GAMEYE_STATUS_NULL_ARGUMENT` result
/// naming `name`.
pub(crate) fn arg_ref<'a, T: BoxHandle>(
    ptr: *const T,
    name: &str,
) -> Result<&'a T, *mut GameyeResult> {
    T::borrow(ptr).ok_or_else(|| null_argument(name))
}

/// Borrows a NUL-terminated C string as UTF-8 `&str`, or returns a result
/// naming `name` (NULL argument or invalid UTF-8 with the byte offset).
pub(crate) fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, *mut GameyeResult> {
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: the pointer contract: non-NULL, so NUL-terminated and live for the call.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        failure(
            GameyeStatus::InvalidUtf8,
            &format!(
                "invalid UTF-8: argument `{name}` is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
        )
    })
}

/// An optional string argument: NULL gives `None`.
pub(crate) fn arg_opt_str<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, *mut GameyeResult> {
    if ptr.is_null() {
        return Ok(None);
    }
    arg_str(ptr, name).map(Some)
}

/// Copies an array of `len` C strings into owned strings, naming the bad
/// element (`players[2]`) when one is NULL or not UTF-8. NULL with `len == 0`
/// is an empty array.
pub(crate) fn arg_str_array(
    ptr: *const *const c_char,
    len: usize,
    name: &str,
) -> Result<Vec<String>, *mut GameyeResult> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: the pointer contract: non-NULL, so `len` readable pointers.
    let items = unsafe { std::slice::from_raw_parts(ptr, len) };
    items
        .iter()
        .enumerate()
        .map(|(i, &p)| arg_str(p, &format!("{name}[{i}]")).map(str::to_owned))
        .collect()
}

/// An out-parameter that receives a handle: checked non-NULL and set to
/// NULL at once, so that every error leaves NULL in it.
pub(crate) struct Out<T>(*mut *mut T);

/// Checks the out-parameter `ptr` (named `name` in the error) and clears it.
pub(crate) fn arg_out<T>(ptr: *mut *mut T, name: &str) -> Result<Out<T>, *mut GameyeResult> {
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: the pointer contract: non-NULL, so writable for one pointer.
    unsafe { *ptr = std::ptr::null_mut() };
    Ok(Out(ptr))
}

impl<T> Out<T> {
    /// Writes the handle for the caller, who owns it from now on.
    pub(crate) fn set(self, handle: *mut T) {
        // SAFETY: checked non-NULL and writable in `arg_out`.
        unsafe { *self.0 = handle };
    }
}

fn null_argument(name: &str) -> *mut GameyeResult {
    failure(
        GameyeStatus::NullArgument,
        &format!("NULL argument: `{name}` must not be NULL"),
    )
}

/// Unwraps an argument check, returning its error result from the function.
macro_rules! try_arg {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(result) => return result,
        }
    };
}

pub(crate) use try_arg;
