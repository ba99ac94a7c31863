//! Unix: one ICMP socket (datagram, else raw) for all targets, driven by
//! one loop on the calling thread.

use std::io;
use std::mem::MaybeUninit;
use std::net::SocketAddrV4;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::options::PingOptions;
use super::probe::{cancelled_error, echo_request, parse_reply, Target, TargetOutcome};
use crate::error::{Error, ErrorKind, Result};

/// The longest the loop sleeps between cancellation checks.
const TICK: Duration = Duration::from_millis(20);

/// Sends `options.probes` rounds of echo requests to every target, a round
/// each `options.interval`, and records the replies until all are in or
/// `options.timeout` has passed.
pub(super) fn probe(
    targets: &[Target],
    options: &PingOptions,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<(&'static str, Vec<TargetOutcome>)> {
    let (socket, method) = open_socket()?;
    let rounds = options.probes as usize;
    let mut run = Run::new(socket, targets, rounds);
    let start = Instant::now();
    let deadline = start + options.timeout;
    let mut next_round = 0usize;
    let mut buf = [MaybeUninit::<u8>::uninit(); 1500];
    loop {
        if cancelled() {
            return Err(cancelled_error());
        }
        let now = Instant::now();
        // Send a round when it is due and a full interval is left for its replies.
        if next_round < rounds && now >= start + options.interval * next_round as u32 {
            if deadline.saturating_duration_since(now) >= options.interval || next_round == 0 {
                run.send_round(next_round);
                next_round += 1;
            } else {
                next_round = rounds;
            }
        }
        let now = Instant::now();
        if now >= deadline || (next_round >= rounds && run.outstanding == 0) {
            break;
        }
        let mut wake = deadline.min(now + TICK);
        if next_round < rounds {
            wake = wake.min(start + options.interval * next_round as u32);
        }
        let wait = wake
            .saturating_duration_since(now)
            .max(Duration::from_micros(100));
        run.receive(&mut buf, wait)?;
    }
    Ok((method, run.outcomes))
}

/// One probe run on one socket: what went out when, and what came back.
struct Run<'a> {
    socket: Socket,
    targets: &'a [Target],
    /// Marks this run's packets among all ICMP the socket sees.
    nonce: u64,
    ident: u16,
    seq: u16,
    rounds: usize,
    /// When each target's probe of each round went out.
    sent_at: Vec<Vec<Option<Instant>>>,
    /// Whether each target's probe of each round was answered.
    answered: Vec<Vec<bool>>,
    outcomes: Vec<TargetOutcome>,
    /// Probes sent and not answered yet.
    outstanding: usize,
}

impl<'a> Run<'a> {
    fn new(socket: Socket, targets: &'a [Target], rounds: usize) -> Self {
        let n = targets.len();
        Run {
            socket,
            targets,
            nonce: fastrand::u64(..),
            ident: fastrand::u16(..),
            seq: 0,
            rounds,
            sent_at: vec![vec![None; rounds]; n],
            answered: vec![vec![false; rounds]; n],
            outcomes: vec![TargetOutcome::default(); n],
            outstanding: 0,
        }
    }

    /// Sends round `round` to every target that sending has not failed for.
    fn send_round(&mut self, round: usize) {
        for (i, t) in self.targets.iter().enumerate() {
            if self.outcomes[i].error.is_some() {
                continue;
            }
            self.seq = self.seq.wrapping_add(1);
            let packet = echo_request(self.ident, self.seq, self.nonce, i as u32, round as u32);
            let to = SockAddr::from(SocketAddrV4::new(t.addr, 0));
            match self.socket.send_to(&packet, &to) {
                Ok(_) => {
                    self.sent_at[i][round] = Some(Instant::now());
                    self.outcomes[i].sent += 1;
                    self.outstanding += 1;
                }
                Err(e) => self.outcomes[i].error = Some(format!("sending failed: {e}")),
            }
        }
    }

    /// Waits up to `wait` for one packet, and records it if it answers a
    /// probe of this run.
    fn receive(&mut self, buf: &mut [MaybeUninit<u8>], wait: Duration) -> Result<()> {
        self.socket
            .set_read_timeout(Some(wait))
            .map_err(|e| io_error("setting the socket timeout", &e))?;
        // An error is a timeout, an interruption, or an ICMP error queued on
        // the socket (unreachable): keep listening either way.
        if let Ok((len, from)) = self.socket.recv_from(buf) {
            let received = Instant::now();
            // SAFETY: `recv_from` initialised the first `len` bytes.
            let packet = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), len) };
            self.record(packet, &from, received);
        }
        Ok(())
    }

    /// Records the round trip of the probe `packet` answers, if it is a first
    /// answer, from the address probed.
    fn record(&mut self, packet: &[u8], from: &SockAddr, received: Instant) {
        let Some((i, round)) = parse_reply(packet, self.nonce) else {
            return;
        };
        let (i, round) = (i as usize, round as usize);
        if i >= self.targets.len() || round >= self.rounds || self.answered[i][round] {
            return;
        }
        if from.as_socket_ipv4().map(|a| *a.ip()) != Some(self.targets[i].addr) {
            return;
        }
        if let Some(at) = self.sent_at[i][round] {
            self.answered[i][round] = true;
            self.outstanding -= 1;
            self.outcomes[i]
                .rtts_ms
                .push(received.duration_since(at).as_secs_f64() * 1000.0);
        }
    }
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
