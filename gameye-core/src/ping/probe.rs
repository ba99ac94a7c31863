//! What every OS's prober shares: the targets it is given, what it records
//! for each, and the ICMP echo packets it sends and recognises.

use crate::error::{Error, ErrorKind};

/// One address to probe: which location and IP it belongs to.
#[derive(Debug)]
pub(crate) struct Target {
    pub addr: std::net::Ipv4Addr,
}

/// What the prober recorded for one target.
#[derive(Debug, Default, Clone)]
pub(crate) struct TargetOutcome {
    pub rtts_ms: Vec<f64>,
    pub sent: u32,
    pub error: Option<String>,
}

/// The error of a ping stopped by its caller.
pub(super) fn cancelled_error() -> Error {
    Error::new(ErrorKind::Cancelled, "cancelled: the ping was cancelled")
}

/// The echo payload: identifies our probes among all ICMP a raw socket sees.
pub(super) const MAGIC: [u8; 4] = *b"GYPG";
/// Bytes of payload after the 8-byte ICMP header.
pub(super) const PAYLOAD_LEN: usize = 24;

/// An ICMP echo request carrying `nonce`, target `index` and `round`.
#[cfg_attr(windows, allow(dead_code))]
pub(super) fn echo_request(
    ident: u16,
    seq: u16,
    nonce: u64,
    index: u32,
    round: u32,
) -> [u8; 8 + PAYLOAD_LEN] {
    let mut p = [0u8; 8 + PAYLOAD_LEN];
    p[0] = 8; // echo request
    p[4..6].copy_from_slice(&ident.to_be_bytes());
    p[6..8].copy_from_slice(&seq.to_be_bytes());
    p[8..12].copy_from_slice(&MAGIC);
    p[12..20].copy_from_slice(&nonce.to_be_bytes());
    p[20..24].copy_from_slice(&index.to_be_bytes());
    p[24..28].copy_from_slice(&round.to_be_bytes());
    let sum = checksum(&p);
    p[2..4].copy_from_slice(&sum.to_be_bytes());
    p
}

/// The Internet checksum (RFC 1071).
fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The (index, round) an echo reply answers, if it is one of ours. Raw
/// sockets (and datagram sockets on macOS) deliver the IPv4 header too.
#[cfg_attr(windows, allow(dead_code))]
pub(super) fn parse_reply(packet: &[u8], nonce: u64) -> Option<(u32, u32)> {
    let icmp = match packet.first() {
        Some(b) if b >> 4 == 4 => packet.get(usize::from(b & 0x0f) * 4..)?,
        _ => packet,
    };
    if icmp.len() < 8 + PAYLOAD_LEN || icmp[0] != 0 || icmp[8..12] != MAGIC {
        return None;
    }
    if u64::from_be_bytes(icmp[12..20].try_into().ok()?) != nonce {
        return None;
    }
    let index = u32::from_be_bytes(icmp[20..24].try_into().ok()?);
    let round = u32::from_be_bytes(icmp[24..28].try_into().ok()?);
    Some((index, round))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_requests_round_trip_through_the_parser() {
        let mut p = echo_request(7, 1, 42, 3, 2);
        assert_eq!(checksum(&p), 0, "a packet with its checksum sums to zero");
        assert_eq!(parse_reply(&p, 42), None, "a request is not a reply");
        p[0] = 0;
        assert_eq!(parse_reply(&p, 42), Some((3, 2)));
        assert_eq!(parse_reply(&p, 43), None, "another call's nonce");
        let mut with_ip = vec![0x45u8];
        with_ip.extend_from_slice(&[0; 19]);
        with_ip.extend_from_slice(&p);
        assert_eq!(parse_reply(&with_ip, 42), Some((3, 2)));
        assert_eq!(parse_reply(&with_ip[..30], 42), None);
        assert_eq!(parse_reply(&[], 42), None);
        assert_eq!(parse_reply(&[0x4f], 42), None);
    }
}
