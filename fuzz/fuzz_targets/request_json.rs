//! Fuzzes the request JSON entry point through the C ABI: the bytes go to
//! `gameye_session_validate` (the parsing and validation of
//! `gameye_session_create`, without network) as a NUL-terminated string,
//! whatever they are, UTF-8 or not. The result must be OK or a named error,
//! and freeing it must be clean.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // C strings end at the first NUL: cut there, as a C caller's would.
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let mut c = data[..end].to_vec();
    c.push(0);
    // SAFETY: a NUL-terminated buffer that outlives the call; the result is
    // freed once.
    unsafe {
        let r = gameye::gameye_session_validate(c.as_ptr().cast());
        assert!(!r.is_null());
        let status = (*r).status;
        assert!(
            matches!(
                status,
                gameye::GameyeStatus::Ok
                    | gameye::GameyeStatus::InvalidRequest
                    | gameye::GameyeStatus::InvalidUtf8
            ),
            "unexpected status {status:?}"
        );
        if status == gameye::GameyeStatus::InvalidRequest {
            assert!((*r).violations_len > 0 && !(*r).message.is_null());
        }
        gameye::gameye_result_free(r);
    }
});
