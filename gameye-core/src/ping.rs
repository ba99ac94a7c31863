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

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result, Violation};
use crate::locations::Location;

/// Default number of echo requests per IP.
pub const DEFAULT_PING_PROBES: u32 = 5;
/// Default time between two rounds of probes.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_millis(200);
/// Default overall bound of one [`ping_locations`] call.
pub const DEFAULT_PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Most probes per IP a call may ask for.
const MAX_PROBES: u32 = 100;
/// Most IPs one call pings (all locations together).
const MAX_TARGETS: usize = 1024;
/// Longest overall bound a call may ask for.
const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// How [`ping_locations`] pings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PingOptions {
    /// Echo requests per IP (1..=100).
    pub probes: u32,
    /// Time between two rounds of probes (at least 1 ms). A round is only
    /// sent while at least one interval is left before the bound, so fewer
    /// than `probes` may go out when `probes * interval` exceeds `timeout`.
    pub interval: Duration,
    /// Overall bound of the call (1 ms..=60 s): probes unanswered by then count as lost.
    pub timeout: Duration,
}

impl Default for PingOptions {
    fn default() -> Self {
        PingOptions {
            probes: DEFAULT_PING_PROBES,
            interval: DEFAULT_PING_INTERVAL,
            timeout: DEFAULT_PING_TIMEOUT,
        }
    }
}

/// The JSON form of [`PingOptions`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PingOptionsJson {
    probes: Option<u32>,
    interval_ms: Option<u64>,
    timeout_ms: Option<u64>,
}

impl PingOptions {
    /// Parses `{"probes": 5, "interval_ms": 200, "timeout_ms": 2000}`; every
    /// field is optional, unknown fields are errors.
    pub fn from_json(json: &str) -> Result<Self> {
        let o: PingOptionsJson = serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(vec![Violation::new(
                "(options)",
                format!("not valid ping options: {e}"),
            )])
        })?;
        let d = PingOptions::default();
        let opts = PingOptions {
            probes: o.probes.unwrap_or(d.probes),
            interval: o.interval_ms.map_or(d.interval, Duration::from_millis),
            timeout: o.timeout_ms.map_or(d.timeout, Duration::from_millis),
        };
        opts.validate()?;
        Ok(opts)
    }

    /// Checks the bounds each field documents.
    pub fn validate(&self) -> Result<()> {
        let mut v = Vec::new();
        if !(1..=MAX_PROBES).contains(&self.probes) {
            v.push(Violation::new(
                "probes",
                format!("must be 1..={MAX_PROBES}, got {}", self.probes),
            ));
        }
        if self.interval < Duration::from_millis(1) {
            v.push(Violation::new("interval", "must be at least 1 ms"));
        }
        if self.timeout < Duration::from_millis(1) || self.timeout > MAX_TIMEOUT {
            v.push(Violation::new(
                "timeout",
                format!("must be 1 ms..=60 s, got {:?}", self.timeout),
            ));
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_request(v))
        }
    }
}

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

fn cancelled_error() -> Error {
    Error::new(ErrorKind::Cancelled, "cancelled: the ping was cancelled")
}

/// The echo payload: identifies our probes among all ICMP a raw socket sees.
const MAGIC: [u8; 4] = *b"GYPG";
/// Bytes of payload after the 8-byte ICMP header.
const PAYLOAD_LEN: usize = 24;

/// An ICMP echo request carrying `nonce`, target `index` and `round`.
#[cfg_attr(windows, allow(dead_code))]
fn echo_request(ident: u16, seq: u16, nonce: u64, index: u32, round: u32) -> [u8; 8 + PAYLOAD_LEN] {
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
fn parse_reply(packet: &[u8], nonce: u64) -> Option<(u32, u32)> {
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

#[cfg(unix)]
mod sys {
    //! Unix: one ICMP socket (datagram, else raw) for all targets, driven by
    //! one loop on the calling thread.

    use std::io;
    use std::mem::MaybeUninit;
    use std::net::SocketAddrV4;
    use std::time::{Duration, Instant};

    use socket2::{Domain, Protocol, SockAddr, Socket, Type};

    use super::{cancelled_error, echo_request, parse_reply, Target, TargetOutcome};
    use crate::error::{Error, ErrorKind, Result};
    use crate::PingOptions;

    /// The longest the loop sleeps between cancellation checks.
    const TICK: Duration = Duration::from_millis(20);

    pub(super) fn probe(
        targets: &[Target],
        options: &PingOptions,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Result<(&'static str, Vec<TargetOutcome>)> {
        let (socket, method) = open_socket()?;
        let nonce = fastrand::u64(..);
        let ident = fastrand::u16(..);
        let start = Instant::now();
        let deadline = start + options.timeout;
        let n = targets.len();
        let rounds = options.probes as usize;
        let mut sent_at: Vec<Vec<Option<Instant>>> = vec![vec![None; rounds]; n];
        let mut answered: Vec<Vec<bool>> = vec![vec![false; rounds]; n];
        let mut outcomes = vec![TargetOutcome::default(); n];
        let mut next_round = 0usize;
        let mut seq: u16 = 0;
        let mut outstanding = 0usize;
        let mut buf = [MaybeUninit::<u8>::uninit(); 1500];
        loop {
            if cancelled() {
                return Err(cancelled_error());
            }
            let now = Instant::now();
            // Send a round when it is due and a full interval is left for its replies.
            if next_round < rounds {
                let due = start + options.interval * next_round as u32;
                if now >= due {
                    if deadline.saturating_duration_since(now) >= options.interval
                        || next_round == 0
                    {
                        for (i, t) in targets.iter().enumerate() {
                            if outcomes[i].error.is_some() {
                                continue;
                            }
                            seq = seq.wrapping_add(1);
                            let packet =
                                echo_request(ident, seq, nonce, i as u32, next_round as u32);
                            let to = SockAddr::from(SocketAddrV4::new(t.addr, 0));
                            match socket.send_to(&packet, &to) {
                                Ok(_) => {
                                    sent_at[i][next_round] = Some(Instant::now());
                                    outcomes[i].sent += 1;
                                    outstanding += 1;
                                }
                                Err(e) => outcomes[i].error = Some(format!("sending failed: {e}")),
                            }
                        }
                        next_round += 1;
                    } else {
                        next_round = rounds;
                    }
                }
            }
            let now = Instant::now();
            if now >= deadline || (next_round >= rounds && outstanding == 0) {
                break;
            }
            let mut wake = deadline.min(now + TICK);
            if next_round < rounds {
                wake = wake.min(start + options.interval * next_round as u32);
            }
            let wait = wake
                .saturating_duration_since(now)
                .max(Duration::from_micros(100));
            socket
                .set_read_timeout(Some(wait))
                .map_err(|e| io_error("setting the socket timeout", &e))?;
            match socket.recv_from(&mut buf) {
                Ok((len, from)) => {
                    let received = Instant::now();
                    // SAFETY: `recv_from` initialised the first `len` bytes.
                    let packet =
                        unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), len) };
                    let Some((i, round)) = parse_reply(packet, nonce) else {
                        continue;
                    };
                    let (i, round) = (i as usize, round as usize);
                    if i >= n || round >= rounds || answered[i][round] {
                        continue;
                    }
                    // A reply must come from the address probed.
                    if from.as_socket_ipv4().map(|a| *a.ip()) != Some(targets[i].addr) {
                        continue;
                    }
                    if let Some(at) = sent_at[i][round] {
                        answered[i][round] = true;
                        outstanding -= 1;
                        outcomes[i]
                            .rtts_ms
                            .push(received.duration_since(at).as_secs_f64() * 1000.0);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                // ICMP errors queued on the socket (unreachable): keep listening.
                Err(_) => {}
            }
        }
        Ok((method, outcomes))
    }

    fn open_socket() -> Result<(Socket, &'static str)> {
        let dgram = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4));
        let dgram_err = match dgram {
            Ok(s) => return Ok((s, "datagram")),
            Err(e) => e,
        };
        let raw_err = match Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)) {
            Ok(s) => return Ok((s, "raw")),
            Err(e) => e,
        };
        let denied = |e: &io::Error| {
            e.kind() == io::ErrorKind::PermissionDenied
                || matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES))
        };
        if denied(&dgram_err) && denied(&raw_err) {
            Err(Error::new(ErrorKind::PingNotPermitted, not_permitted()))
        } else {
            Err(Error::new(
                ErrorKind::PingNotPermitted,
                format!(
                    "cannot open an ICMP socket: datagram socket: {dgram_err}; raw socket: {raw_err}"
                ),
            ))
        }
    }

    /// The cause and the fix, in this OS's terms.
    fn not_permitted() -> String {
        // SAFETY: getgid has no preconditions and cannot fail.
        let gid = unsafe { libc::getgid() };
        if cfg!(target_os = "linux") {
            let range = std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range")
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|_| "unknown".into());
            format!(
                "ICMP echo is not permitted for this process: datagram ICMP sockets need the \
                 process's group (gid {gid}) inside net.ipv4.ping_group_range (now \"{range}\"), \
                 and raw sockets need CAP_NET_RAW. Fix: run \
                 `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` (persist it in \
                 /etc/sysctl.d/), or grant the program CAP_NET_RAW \
                 (`setcap cap_net_raw+ep PROGRAM`)"
            )
        } else {
            format!(
                "ICMP echo is not permitted for this process (gid {gid}): neither a datagram \
                 ICMP socket nor a raw socket could be opened. Fix: allow unprivileged ICMP \
                 sockets on this system, or run with the privilege for raw sockets"
            )
        }
    }

    fn io_error(what: &str, e: &io::Error) -> Error {
        Error::new(ErrorKind::Io, format!("{what}: {e}"))
    }
}

#[cfg(windows)]
mod sys {
    //! Windows: `IcmpSendEcho2` from the ICMP helper API, which needs no
    //! admin. Each target gets a thread that sends its rounds synchronously.

    use std::time::Instant;

    use windows_sys::Win32::Foundation::{GetLastError, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::NetworkManagement::IpHelper::{
        IcmpCloseHandle, IcmpCreateFile, IcmpSendEcho2, ICMP_ECHO_REPLY,
    };

    use super::{cancelled_error, Target, TargetOutcome, MAGIC, PAYLOAD_LEN};
    use crate::error::{Error, ErrorKind, Result};
    use crate::PingOptions;

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
                let r =
                    unsafe { std::ptr::read_unaligned(reply.as_ptr().cast::<ICMP_ECHO_REPLY>()) };
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
}

#[cfg(not(any(unix, windows)))]
mod sys {
    use super::{Target, TargetOutcome};
    use crate::error::{Error, ErrorKind, Result};
    use crate::PingOptions;

    pub(super) fn probe(
        _: &[Target],
        _: &PingOptions,
        _: &(dyn Fn() -> bool + Sync),
    ) -> Result<(&'static str, Vec<TargetOutcome>)> {
        Err(Error::new(
            ErrorKind::PingNotPermitted,
            "ICMP echo is not implemented on this platform",
        ))
    }
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
