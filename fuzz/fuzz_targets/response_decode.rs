//! Fuzzes response decoding of every endpoint: the first two bytes pick the
//! HTTP status, the rest is the body. No decoder may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    gameye_core::__fuzz::decode_every_endpoint(status, &data[2..]);
});
