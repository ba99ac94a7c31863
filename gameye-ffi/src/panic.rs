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

/// A hidden test hook, compiled only for tests: an exported function whose
/// body panics, to show the boundary turns it into a status.
#[cfg(test)]
#[no_mangle]
pub extern "C" fn gameye_test_hook_panic() -> *mut crate::GameyeResult {
    ffi_boundary!(crate::result::panicked, {
        if std::hint::black_box(true) {
            panic!("deliberate panic in a test hook");
        }
        crate::result::ok()
    })
}

#[cfg(test)]
mod tests {
    use crate::result::gameye_result_free;
    use crate::status::GameyeStatus;

    #[test]
    fn a_panic_in_an_exported_function_becomes_the_panic_status() {
        let r = super::gameye_test_hook_panic();
        // SAFETY: a fresh result from the boundary, freed once below.
        let result = unsafe { &*r };
        assert_eq!(result.status, GameyeStatus::Panic);
        // SAFETY: the message is a NUL-terminated string owned by the result.
        let msg = unsafe { std::ffi::CStr::from_ptr(result.message) };
        assert!(msg.to_str().unwrap().contains("deliberate panic"));
        // SAFETY: freed once.
        unsafe { gameye_result_free(r) };
        // The process lives on and the library keeps working.
        let json = c"{\"location\":\"europe\",\"image\":\"nginx\"}";
        // SAFETY: a NUL-terminated string; the result is freed once.
        unsafe {
            let ok = crate::gameye_session_validate(json.as_ptr());
            assert_eq!((*ok).status, GameyeStatus::Ok);
            gameye_result_free(ok);
        }
    }
}
