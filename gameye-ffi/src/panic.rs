//! The panic boundary: no Rust panic ever unwinds into C.

/// Runs an exported function's body, turning a panic into `$on_panic`.
///
/// Every `extern "C"` function's body goes through this macro, so the rule
/// holds by construction: a panic becomes [`GameyeStatus::Panic`](crate::GameyeStatus::Panic)
/// (or the documented NULL/zero value), never an abort or an unwind into C.
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(payload) => $on_panic($crate::panic::describe(&*payload)),
        }
    }};
}

pub(crate) use ffi_boundary;

/// The message of a panic payload, for the result's `message`.
pub(crate) fn describe(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic payload");
    format!("internal error (panic) in libgameye: {what}")
}
