//! Fuzzes path parameters through the C ABI, over real HTTP to a loopback
//! server started once: the first byte picks the endpoint and the argument
//! (session id of get/stop, image of available-locations, region, image or
//! version of tag-exists), the rest is the value, cut at its first NUL as a
//! C caller's string would be. Every value must either be refused before
//! sending (`INVALID_REQUEST` naming the field, or `INVALID_UTF8`) or reach
//! the server as exactly one path segment that percent-decodes back to the
//! value. No log line may carry a raw control character.
#![no_main]

use std::ffi::{c_char, c_void, CStr, CString};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};

use gameye::{GameyeClient, GameyeLogLevel, GameyeResult, GameyeStatus};
use libfuzzer_sys::fuzz_target;

/// Request lines the server saw since the last input.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Shared(*mut GameyeClient);
// SAFETY: a GameyeClient may be used from any thread.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// Answers every request 404 on a kept-alive connection, recording its
/// request line.
fn serve(listener: TcpListener) {
    for conn in listener.incoming() {
        let Ok(mut conn) = conn else { return };
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head: Vec<u8> = pending.drain(..end + 4).collect();
                    let line = String::from_utf8_lossy(&head)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    SEEN.lock().unwrap().push(line);
                    let answer = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
                    if conn.write_all(answer).is_err() {
                        return;
                    }
                }
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => pending.extend_from_slice(&buf[..n]),
                }
            }
        });
    }
}

unsafe extern "C" fn check_log(_: *mut c_void, _: GameyeLogLevel, message: *const c_char) {
    // SAFETY: the library passes a NUL-terminated message.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    assert!(
        !text.chars().any(char::is_control),
        "raw control character in a log line: {text:?}"
    );
}

fn client() -> *mut GameyeClient {
    static CLIENT: OnceLock<Shared> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            std::thread::spawn(move || serve(listener));
            let config = CString::new(format!(
                r#"{{"token":"t","base_url":"{url}","request_timeout_ms":5000,"retry":{{"max_attempts":1}}}}"#
            ))
            .unwrap();
            let mut client = std::ptr::null_mut();
            // SAFETY: valid arguments; the result is freed once.
            unsafe {
                let r = gameye::gameye_client_new(config.as_ptr(), &mut client);
                assert_eq!((*r).status, GameyeStatus::Ok);
                gameye::gameye_result_free(r);
                gameye::gameye_set_logger(GameyeLogLevel::Debug as u32, Some(check_log), std::ptr::null_mut());
            }
            Shared(client)
        })
        .0
}

/// Percent-decodes one path segment.
fn decode(segment: &str) -> Vec<u8> {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("valid escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn is_sendable(value: &[u8]) -> bool {
    match std::str::from_utf8(value) {
        Ok(s) => !s.is_empty() && s != "." && s != ".." && !s.chars().any(char::is_control),
        Err(_) => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let value = &rest[..end];
    let c_value = CString::new(value).unwrap();
    let x = c"x".as_ptr();
    let v = c_value.as_ptr();
    let client = client();
    SEEN.lock().unwrap().clear();
    // (field, path template: request line prefix, segment index of the value)
    // SAFETY: a live client and NUL-terminated strings; each result is freed once.
    let (field, r, method, segments, at): (&str, *mut GameyeResult, &str, usize, usize) = unsafe {
        match pick % 6 {
            0 => ("id", gameye::gameye_session_get(client, v), "GET", 2, 1),
            1 => ("id", gameye::gameye_session_stop(client, v, 0), "DELETE", 2, 1),
            2 => ("image", gameye::gameye_locations_available(client, v), "GET", 2, 1),
            3 => ("region", gameye::gameye_tag_exists(client, v, x, x), "GET", 4, 1),
            4 => ("image", gameye::gameye_tag_exists(client, x, v, x), "GET", 4, 2),
            _ => ("version", gameye::gameye_tag_exists(client, x, x, v), "GET", 4, 3),
        }
    };
    // SAFETY: a result from the library, read then freed once.
    unsafe {
        assert!(!r.is_null());
        let status = (*r).status;
        let seen = std::mem::take(&mut *SEEN.lock().unwrap());
        if is_sendable(value) {
            assert_eq!(status, GameyeStatus::NotFound, "{value:?}");
            assert_eq!(seen.len(), 1, "{value:?}: {seen:?}");
            let line = &seen[0];
            let target = line
                .strip_prefix(&format!("{method} "))
                .and_then(|l| l.strip_suffix(" HTTP/1.1"))
                .unwrap_or_else(|| panic!("bad request line {line:?}"));
            let parts: Vec<&str> = target.split('/').skip(1).collect();
            assert_eq!(parts.len(), segments, "{value:?} -> {target:?}");
            assert!(!target.contains(['?', '#']), "{target:?}");
            assert_eq!(decode(parts[at]), value, "{value:?} -> {target:?}");
        } else {
            assert!(seen.is_empty(), "{value:?} was sent: {seen:?}");
            match status {
                GameyeStatus::InvalidUtf8 => assert!(std::str::from_utf8(value).is_err()),
                GameyeStatus::InvalidRequest => {
                    assert!((*r).violations_len >= 1);
                    let named = CStr::from_ptr((*(*r).violations).field).to_str().unwrap();
                    assert_eq!(named, field, "{value:?}");
                    let message = CStr::from_ptr((*r).message).to_string_lossy();
                    assert!(!message.chars().any(char::is_control), "{message:?}");
                }
                other => panic!("{value:?}: unexpected status {other:?}"),
            }
        }
        gameye::gameye_result_free(r);
    }
});
