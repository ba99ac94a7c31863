//! Windows: `IcmpSendEcho2` from the ICMP helper API, which needs no
//! admin. Each target gets a thread that sends its rounds synchronously.

use std::time::Instant;

use windows_sys::Win32::Foundation::{GetLastError, INVALID_HANDLE_VALUE};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    IcmpCloseHandle, IcmpCreateFile, IcmpSendEcho2, ICMP_ECHO_REPLY,
};

use super::options::PingOptions;
use super::probe::{cancelled_error, Target, TargetOutcome, MAGIC, PAYLOAD_LEN};
use crate::error::{Error, ErrorKind, Result};

/// IP_SUCCESS in an `ICMP_ECHO_REPLY`.
const IP_SUCCESS: u32 = 0;

pub(super) fn probe(
    targets: &[Target],
    options: &PingOptions,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<(&'static str, Vec<TargetOutcome>)> {
    // SAFETY: no preconditions; the handle is closed below.
    let probe_handle = unsafe { IcmpCreateFile() };
    if probe_handle == INVALID_HANDLE_VALUE {
        // SAFETY: no preconditions.
        let code = unsafe { GetLastError() };
        return Err(Error::new(
            ErrorKind::PingNotPermitted,
            format!(
                "ICMP echo is not available: IcmpCreateFile failed with error {code}. \
                 Fix: check that the IP Helper service and IPv4 are enabled"
            ),
        ));
    }
    // SAFETY: a handle from IcmpCreateFile, closed once.
    unsafe { IcmpCloseHandle(probe_handle) };
    let start = Instant::now();
    let deadline = start + options.timeout;
    let outcomes: Vec<TargetOutcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .map(|t| scope.spawn(move || probe_one(t, options, start, deadline, cancelled)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if cancelled() {
        return Err(cancelled_error());
    }
    Ok(("icmp_api", outcomes))
}

fn probe_one(
    t: &Target,
    options: &PingOptions,
    start: Instant,
    deadline: Instant,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> TargetOutcome {
    let mut out = TargetOutcome::default();
    // SAFETY: no preconditions; closed at the end.
    let handle = unsafe { IcmpCreateFile() };
    if handle == INVALID_HANDLE_VALUE {
        out.error = Some("IcmpCreateFile failed".into());
        return out;
    }
    let mut payload = [0u8; PAYLOAD_LEN];
    payload[..4].copy_from_slice(&MAGIC);
    let reply_len = std::mem::size_of::<ICMP_ECHO_REPLY>() + PAYLOAD_LEN + 8 + 64;
    let mut reply = vec![0u8; reply_len];
    // IPAddr is the address in network byte order.
    let dest = u32::from_ne_bytes(t.addr.octets());
    for round in 0..options.probes {
        let due = start + options.interval * round;
        let now = Instant::now();
        if cancelled() || now >= deadline {
            break;
        }
        if round > 0 && deadline.saturating_duration_since(due) < options.interval {
            break;
        }
        std::thread::sleep(due.saturating_duration_since(now));
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout_ms = left.as_millis().clamp(1, u128::from(u32::MAX)) as u32;
        let sent = Instant::now();
        out.sent += 1;
        // SAFETY: valid handle and buffers of the given sizes; no event
        // or APC routine, so the call is synchronous.
        let n = unsafe {
            IcmpSendEcho2(
                handle,
                std::ptr::null_mut(),
                None,
                std::ptr::null(),
                dest,
                payload.as_ptr().cast(),
                PAYLOAD_LEN as u16,
                std::ptr::null(),
                reply.as_mut_ptr().cast(),
                reply_len as u32,
                timeout_ms,
            )
        };
        if n > 0 {
            // SAFETY: the buffer starts with an ICMP_ECHO_REPLY on success.
            let r = unsafe { std::ptr::read_unaligned(reply.as_ptr().cast::<ICMP_ECHO_REPLY>()) };
            if r.Status == IP_SUCCESS {
                // The API reports whole milliseconds; our own clock is finer.
                let measured = sent.elapsed().as_secs_f64() * 1000.0;
                let api = f64::from(r.RoundTripTime);
                out.rtts_ms
                    .push(if measured < api + 1.0 { measured } else { api });
            }
        }
    }
    // SAFETY: a handle from IcmpCreateFile, closed once.
    unsafe { IcmpCloseHandle(handle) };
    out
}
