//! Argument checks shared by every exported function: NULL pointers and
//! UTF-8, each turned into a result that names the argument.

use std::ffi::{c_char, CStr};

use crate::client::GameyeClient;
use crate::result::{failure, GameyeResult};
use crate::status::GameyeStatus;

/// Borrows `*const T` as `&T`, or returns a `GAMEYE_STATUS_NULL_ARGUMENT`
/// result naming `name`.
///
/// # Safety
/// A non-NULL `ptr` must point to a live `T` for the returned lifetime.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, *mut GameyeResult> {
    // SAFETY: the caller's contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| null_argument(name))
}

/// Borrows a NUL-terminated C string as UTF-8 `&str`, or returns a result
/// naming `name` (NULL argument or invalid UTF-8 with the byte offset).
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string live for the returned lifetime.
pub(crate) unsafe fn arg_str<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<&'a str, *mut GameyeResult> {
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
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

/// Copies an array of `len` C strings into owned strings, naming the bad
/// element (`players[2]`) when one is NULL or not UTF-8. NULL with `len == 0`
/// is an empty array.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` pointers, each NULL or NUL-terminated.
pub(crate) unsafe fn arg_str_array(
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
    // SAFETY: the caller's contract: `len` readable pointers.
    let items = unsafe { std::slice::from_raw_parts(ptr, len) };
    items
        .iter()
        .enumerate()
        // SAFETY: each element is NULL or NUL-terminated, per the contract.
        .map(|(i, &p)| unsafe { arg_str(p, &format!("{name}[{i}]")) }.map(str::to_owned))
        .collect()
}

/// The client and one string argument, owned, as most endpoints take them.
///
/// # Safety
/// `client` is NULL or a live client; `value` is NULL or NUL-terminated.
pub(crate) unsafe fn client_and_str<'a>(
    client: *const GameyeClient,
    value: *const c_char,
    name: &str,
) -> Result<(&'a GameyeClient, String), *mut GameyeResult> {
    // SAFETY: the caller's contract.
    let client = unsafe { arg_ref(client, "client") }?;
    let value = unsafe { arg_str(value, name) }?;
    Ok((client, value.to_owned()))
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
