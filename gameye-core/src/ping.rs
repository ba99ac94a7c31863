//! Latency to locations: ICMP echo to every IP that
//! `GET /available-location/{image}` lists, from a game client that has no
//! token and no [`Client`](crate::Client).
//!
//! All IPs of all locations are pinged at once: round `k` of probes goes out
//! to every IP at `k * interval`, and everything ends at the overall bound.
//! ICMP echo is sent without privileges where the OS allows it:
//! - Linux: a datagram ICMP socket (`SOCK_DGRAM`, `IPPROTO_ICMP`), allowed
//!   when the process's group is inside `net.ipv4.ping_group_range`;
//!   otherwise a raw socket, allowed with `CAP_NET_RAW` (root).
//! - macOS and the BSDs: a datagram ICMP socket, or a raw socket as root.
//! - Windows: `IcmpSendEcho2` from the ICMP helper API (no admin needed).
//!
//! When neither is permitted the call fails with
//! [`ErrorKind::PingNotPermitted`](crate::ErrorKind::PingNotPermitted), whose
//! message names the cause and the fix, rather than reporting 100 % loss.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result, Violation};
use crate::locations::Location;

mod options;
mod probe;
// The prober of each OS: `sys::probe(targets, options, cancelled)` sends the
// echo requests and records what came back; the rest is the same everywhere.
#[cfg(unix)]
mod unix;
#[cfg(not(any(unix, windows)))]
mod unsupported;
#[cfg(windows)]
mod windows;

pub use options::{PingOptions, DEFAULT_PING_INTERVAL, DEFAULT_PING_PROBES, DEFAULT_PING_TIMEOUT};
pub(crate) use probe::{Target, TargetOutcome};
#[cfg(unix)]
use unix as sys;
#[cfg(not(any(unix, windows)))]
use unsupported as sys;
#[cfg(windows)]
use windows as sys;

/// Most IPs one call pings (all locations together).
const MAX_TARGETS: usize = 1024;

/// Round-trip statistics of a set of probes, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PingStats {
    /// Fastest reply, or `None` when no reply came.
    pub min_ms: Option<f64>,
    /// Median reply (the mean of the middle two for an even count), or `None`.
    pub median_ms: Option<f64>,
    /// 90th percentile (nearest rank), or `None`.
    pub p90_ms: Option<f64>,
    /// Share of sent probes that got no reply in time, 0.0..=1.0; 1.0 when none was sent.
    pub loss: f64,
    /// Echo requests sent.
    pub sent: u32,
    /// Echo replies received in time.
    pub received: u32,
}

impl PingStats {
    /// Statistics of `rtts` (replies, in any order) out of `sent` probes.
    pub fn from_samples(mut rtts: Vec<f64>, sent: u32) -> PingStats {
        rtts.retain(|r| r.is_finite());
        rtts.sort_by(f64::total_cmp);
        let n = rtts.len();
        let median = match n {
            0 => None,
            _ if n % 2 == 1 => Some(rtts[n / 2]),
            _ => Some((rtts[n / 2 - 1] + rtts[n / 2]) / 2.0),
        };
        // Nearest rank: the smallest sample with at least 90 % at or below it.
        let p90 = (n > 0).then(|| rtts[(n * 9).div_ceil(10).max(1) - 1]);
        let received = n as u32;
        PingStats {
            min_ms: rtts.first().copied(),
            median_ms: median,
            p90_ms: p90,
            loss: if sent == 0 {
                1.0
            } else {
                1.0 - f64::from(received.min(sent)) / f64::from(sent)
            },
            sent,
            received,
        }
    }
}

/// One IP of a location and how it answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpPing {
    /// The address as the location lists it.
    pub ip: String,
    /// Its statistics.
    #[serde(flatten)]
    pub stats: PingStats,
    /// Why this IP could not be (fully) pinged: not an IPv4 address, or
    /// sending failed (network unreachable). `None` when all went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One location's latency: statistics over the replies of all its IPs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationPing {
    /// The location id.
    pub id: String,
    /// Statistics over all replies from all of the location's IPs.
    #[serde(flatten)]
    pub stats: PingStats,
    /// Each IP on its own, in the order the location lists them.
    pub ips: Vec<IpPing>,
}

/// The outcome of [`ping_locations`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PingReport {
    /// How the echo requests were sent: `"datagram"` (unprivileged ICMP
    /// socket), `"raw"` (raw socket) or `"icmp_api"` (Windows), or `"none"`
    /// when there was nothing to ping.
    pub method: String,
    /// Every location, best first: lowest median, then lowest loss, then id;
    /// locations without any reply last.
    pub locations: Vec<LocationPing>,
}

/// The JSON `available_locations` returns: `{"locations": [...]}` (the
/// response body), or the bare array.
#[derive(Deserialize)]
#[serde(untagged)]
enum LocationsJson {
    Body { locations: Vec<Location> },
    List(Vec<Location>),
}

/// Parses the locations as `GET /available-location/{image}` returns them:
/// the body `{"locations": [{"id": "...", "ips": ["..."]}]}`, or the bare array.
pub fn locations_from_json(json: &str) -> Result<Vec<Location>> {
    serde_json::from_str::<LocationsJson>(json)
        .map(|l| match l {
            LocationsJson::Body { locations } | LocationsJson::List(locations) => locations,
        })
        .map_err(|e| {
            Error::invalid_request(vec![Violation::new(
                "(locations)",
                format!(
                    "not a location list like {{\"locations\":[{{\"id\":\"europe\",\"ips\":[\"1.2.3.4\"]}}]}}: {e}"
                ),
            )])
        })
}

/// Pings every IP of every location: `options.probes` echo requests each,
/// all at once, bounded by `options.timeout`. Blocks the calling thread for
/// at most about the bound. Needs no token and no client.
///
/// Errors: `InvalidRequest` for bad options or more than 1024 IPs;
/// `PingNotPermitted` when the OS lets this process send no ICMP echo (the
/// message names the cause and the fix).
pub fn ping_locations(locations: &[Location], options: &PingOptions) -> Result<PingReport> {
    ping_locations_until(locations, options, &|| false)
}

/// [`ping_locations`] that stops early, with `ErrorKind::Cancelled`, once
/// `cancelled()` returns true: checked at least every 20 ms on Unix; on
/// Windows between probes (a probe in flight waits for its reply or the bound).
pub fn ping_locations_until(
    locations: &[Location],
    options: &PingOptions,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<PingReport> {
    options.validate()?;
    let mut targets = Vec::new();
    let mut outcomes: Vec<Vec<TargetOutcome>> = Vec::with_capacity(locations.len());
    // Index into `targets` for each (location, ip), or None for a bad address.
    let mut index: Vec<Vec<Option<usize>>> = Vec::with_capacity(locations.len());
    for loc in locations {
        let mut row = Vec::with_capacity(loc.ips.len());
        let mut outs = Vec::with_capacity(loc.ips.len());
        for ip in &loc.ips {
            match ip.trim().parse::<std::net::Ipv4Addr>() {
                Ok(addr) => {
                    row.push(Some(targets.len()));
                    targets.push(Target { addr });
                    outs.push(TargetOutcome::default());
                }
                Err(_) => {
                    row.push(None);
                    outs.push(TargetOutcome {
                        error: Some(format!("{ip:?} is not an IPv4 address")),
                        ..TargetOutcome::default()
                    });
                }
            }
        }
        index.push(row);
        outcomes.push(outs);
    }
    if targets.len() > MAX_TARGETS {
        return Err(Error::invalid_request(vec![Violation::new(
            "(locations)",
            format!(
                "{} IPs to ping; at most {MAX_TARGETS} per call",
                targets.len()
            ),
        )]));
    }
    let (method, probed) = if targets.is_empty() {
        ("none", Vec::new())
    } else {
        sys::probe(&targets, options, cancelled)?
    };
    for (li, row) in index.iter().enumerate() {
        for (ii, t) in row.iter().enumerate() {
            if let Some(t) = t {
                outcomes[li][ii] = probed[*t].clone();
            }
        }
    }
    Ok(report(method, locations, outcomes))
}

/// Builds the sorted report from what each IP recorded.
pub(crate) fn report(
    method: &str,
    locations: &[Location],
    outcomes: Vec<Vec<TargetOutcome>>,
) -> PingReport {
    let mut out: Vec<LocationPing> = locations
        .iter()
        .zip(outcomes)
        .map(|(loc, outs)| {
            let mut all = Vec::new();
            let mut sent = 0;
            let ips = loc
                .ips
                .iter()
                .zip(outs)
                .map(|(ip, o)| {
                    all.extend_from_slice(&o.rtts_ms);
                    sent += o.sent;
                    IpPing {
                        ip: ip.clone(),
                        stats: PingStats::from_samples(o.rtts_ms, o.sent),
                        error: o.error,
                    }
                })
                .collect();
            LocationPing {
                id: loc.id.clone(),
                stats: PingStats::from_samples(all, sent),
                ips,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |l: &LocationPing| l.stats.median_ms.unwrap_or(f64::INFINITY);
        key(a)
            .total_cmp(&key(b))
            .then(a.stats.loss.total_cmp(&b.stats.loss))
            .then_with(|| a.id.cmp(&b.id))
    });
    PingReport {
        method: method.to_owned(),
        locations: out,
    }
}

/// [`ping_locations`] from async code, on any executor: the pinging runs on
/// its own thread and the future waits for it. Dropping the future stops it.
pub async fn ping_locations_async(
    locations: Vec<Location>,
    options: PingOptions,
) -> Result<PingReport> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let guard = StopOnDrop(Arc::clone(&stop));
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("gameye-ping".into())
        .spawn(move || {
            let r = ping_locations_until(&locations, &options, &|| stop.load(Ordering::Acquire));
            let _ = tx.send(r);
        })
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start the ping thread: {e}")))?;
    let r = rx.await.unwrap_or_else(|_| {
        Err(Error::new(
            ErrorKind::Cancelled,
            "the ping thread ended without a result",
        ))
    });
    drop(guard);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_follow_their_definitions() {
        let s = PingStats::from_samples(vec![5.0, 1.0, 3.0, 2.0, 4.0], 10);
        assert_eq!(s.min_ms, Some(1.0));
        assert_eq!(s.median_ms, Some(3.0));
        assert_eq!(s.p90_ms, Some(5.0));
        assert_eq!((s.sent, s.received), (10, 5));
        assert!((s.loss - 0.5).abs() < 1e-9);
        let even = PingStats::from_samples(vec![1.0, 2.0, 3.0, 4.0], 4);
        assert_eq!(even.median_ms, Some(2.5));
        assert_eq!(even.loss, 0.0);
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(PingStats::from_samples(ten, 10).p90_ms, Some(9.0));
        let none = PingStats::from_samples(vec![], 0);
        assert_eq!((none.median_ms, none.loss), (None, 1.0));
    }

    #[test]
    fn options_and_locations_parse_and_name_bad_fields() {
        let o = PingOptions::from_json(r#"{"probes":3,"interval_ms":10}"#).unwrap();
        assert_eq!(o.probes, 3);
        assert_eq!(o.timeout, DEFAULT_PING_TIMEOUT);
        let e = PingOptions::from_json(r#"{"probes":0}"#).unwrap_err();
        assert_eq!(e.violations()[0].field, "probes");
        let e = PingOptions::from_json(r#"{"probs":3}"#).unwrap_err();
        assert!(e.to_string().contains("probs"), "{e}");
        let body = r#"{"locations":[{"id":"a","ips":["127.0.0.1"]}]}"#;
        assert_eq!(locations_from_json(body).unwrap()[0].id, "a");
        let list = r#"[{"id":"b","ips":[]}]"#;
        assert_eq!(locations_from_json(list).unwrap()[0].id, "b");
        assert!(locations_from_json("{").is_err());
        assert!(locations_from_json(r#"{"locations":[{"ips":[]}]}"#).is_err());
    }

    #[test]
    fn reports_sort_best_first_with_silent_locations_last() {
        let loc = |id: &str| Location {
            id: id.into(),
            ips: vec!["127.0.0.1".into()],
        };
        let out = |rtts: Vec<f64>| {
            vec![TargetOutcome {
                sent: 4,
                rtts_ms: rtts,
                error: None,
            }]
        };
        let r = report(
            "raw",
            &[loc("silent"), loc("slow"), loc("fast"), loc("fast-lossy")],
            vec![
                out(vec![]),
                out(vec![50.0; 4]),
                out(vec![10.0; 4]),
                out(vec![10.0; 2]),
            ],
        );
        let ids: Vec<_> = r.locations.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["fast", "fast-lossy", "slow", "silent"]);
        assert_eq!(r.locations[3].stats.loss, 1.0);
    }

    #[test]
    fn too_many_ips_are_refused_before_any_probe() {
        let locs = vec![Location {
            id: "huge".into(),
            ips: vec!["127.0.0.1".into(); MAX_TARGETS + 1],
        }];
        let e = ping_locations(&locs, &PingOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.to_string().contains("1025 IPs"), "{e}");
    }

    #[test]
    fn bad_ips_are_named_and_not_sent() {
        let locs = vec![Location {
            id: "x".into(),
            ips: vec!["not-an-ip".into(), "::1".into()],
        }];
        let r = ping_locations(&locs, &PingOptions::default()).unwrap();
        assert_eq!(r.method, "none");
        let ips = &r.locations[0].ips;
        assert!(ips[0].error.as_deref().unwrap().contains("not-an-ip"));
        assert!(ips[1].error.as_deref().unwrap().contains("IPv4"));
        assert_eq!(r.locations[0].stats.sent, 0);
    }
}
