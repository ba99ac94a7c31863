//! Everything the emulator remembers between requests.
//!
//! One `Mutex<State>` guards all mutable session data. Requests hold it only
//! for map look-ups and counter updates (no I/O, no awaits), so a single lock
//! stays cheap under load and keeps every check-then-act atomic: two racing
//! `POST /session` calls can never both take the last unit of capacity.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::EmulatorConfig;
use crate::errors::now_ms;
use crate::faults::Faults;
use crate::process::{port_is_free, SessionProc, SessionsRoot, StopReason};
use crate::reqlog::RequestLog;

/// First host port handed out; below it sit well-known and ephemeral-ish
/// ranges a developer may already use locally.
pub(crate) const PORT_RANGE_START: u16 = 20_000;
/// One past the last host port handed out.
pub(crate) const PORT_RANGE_END: u16 = 60_000;

/// Runtime status of a session. `Restarting` only happens to sessions that
/// run a process with `restart: true`, between a failed exit and the restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Running,
    Restarting,
    Exited,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Restarting => "restarting",
            Status::Exited => "exited",
        }
    }

    /// Not stopped yet: holds capacity, is listed without `all=true`, can be
    /// joined and stopped.
    pub(crate) fn is_active(self) -> bool {
        self != Status::Exited
    }
}

/// One container port mapped to a host port.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MappedPort {
    /// "tcp" or "udp" (validated config values, interned as statics).
    pub proto: &'static str,
    pub container: u16,
    pub host: u16,
}

/// A stored session. Fields that no endpoint returns (env, args, restart,
/// external_id) are kept anyway so the emulator remembers what it was asked.
#[allow(dead_code)]
#[derive(Debug)]
pub(crate) struct Session {
    pub id: String,
    pub image: String,
    pub tag: String,
    /// Index into `config.locations`.
    pub location: usize,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    pub ports: Vec<MappedPort>,
    pub labels: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    pub args: Vec<String>,
    pub restart: bool,
    pub ttl: Option<String>,
    /// When the ttl runs out (ms since epoch); the session then becomes exited.
    pub expires_at: Option<i64>,
    pub external_id: Option<String>,
    pub status: Status,
    pub players: Vec<String>,
    /// Index into `config.tokens` of the token that started it.
    pub token: usize,
    /// Creation order, so listings are stable (the map itself is unordered).
    pub seq: u64,
    /// The process run for this session, if its image has a command.
    pub proc: Option<Arc<SessionProc>>,
}

/// Host ports in use, as a bitset over the whole u16 space (8 KiB), with a
/// rotating cursor so a freed port is not reused at once (clients that cache
/// an old session's port should not hit a new session by accident). Each
/// emulator starts its cursor at a random point of the range, so emulators
/// running side by side (parallel tests) seldom hand out the same ports to
/// processes that are about to bind them.
pub(crate) struct PortPool {
    used: Vec<u64>,
    cursor: u16,
}

impl PortPool {
    fn new() -> Self {
        PortPool {
            used: vec![0; 65_536 / 64],
            cursor: PORT_RANGE_START,
        }
    }

    fn with_random_start() -> Self {
        let span = u128::from(PORT_RANGE_END - PORT_RANGE_START);
        let offset = (uuid::Uuid::new_v4().as_u128() % span) as u16;
        PortPool {
            cursor: PORT_RANGE_START + offset,
            ..PortPool::new()
        }
    }

    fn is_used(&self, p: u16) -> bool {
        self.used[p as usize / 64] & (1 << (p % 64)) != 0
    }

    fn alloc(&mut self) -> Option<u16> {
        let span = PORT_RANGE_END - PORT_RANGE_START;
        for _ in 0..span {
            let p = self.cursor;
            self.cursor = if p + 1 >= PORT_RANGE_END {
                PORT_RANGE_START
            } else {
                p + 1
            };
            if !self.is_used(p) {
                self.used[p as usize / 64] |= 1 << (p % 64);
                return Some(p);
            }
        }
        None
    }

    fn free(&mut self, p: u16) {
        self.used[p as usize / 64] &= !(1 << (p % 64));
    }
}

/// All mutable data; see the module docs for why it sits behind one lock.
pub(crate) struct State {
    /// Boxed, so growing the map under the lock moves small entries only:
    /// with a million sessions an unboxed rehash stalls every request.
    pub sessions: HashMap<String, Box<Session>>,
    /// Running sessions per location (index as in `config.locations`).
    pub running_per_location: Vec<u32>,
    /// Sessions ever started per token (index as in `config.tokens`), for quotas.
    pub started_per_token: Vec<u32>,
    pub ports: PortPool,
    /// Earliest `expires_at` among running sessions, so the common case of
    /// "nothing to expire" costs one comparison.
    next_expiry: i64,
    next_seq: u64,
    /// Exited sessions in the order they exited, with when (ms since the
    /// epoch): the oldest are forgotten first ([`State::evict`]).
    exited: VecDeque<(i64, String)>,
    /// [`EmulatorConfig::exited_keep_max`].
    keep_max: usize,
    /// [`EmulatorConfig::exited_keep_secs`] in milliseconds.
    keep_ms: i64,
}

impl State {
    fn new(config: &EmulatorConfig) -> Self {
        State {
            sessions: HashMap::new(),
            running_per_location: vec![0; config.locations.len()],
            started_per_token: vec![0; config.tokens.len()],
            ports: PortPool::with_random_start(),
            next_expiry: i64::MAX,
            next_seq: 0,
            exited: VecDeque::new(),
            keep_max: config.exited_keep_max,
            keep_ms: i64::try_from(config.exited_keep_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX),
        }
    }

    /// Takes one host port per protocol in `protos` that is also free on
    /// 127.0.0.1 right now (checked by binding it), or none at all. Ports
    /// another program holds are skipped; a bounded number of tries keeps a
    /// machine short of ports from stalling the request.
    pub(crate) fn alloc_free_ports(&mut self, protos: &[&str]) -> Option<Vec<u16>> {
        const MAX_TRIES: usize = 4_000;
        let mut out: Vec<u16> = Vec::with_capacity(protos.len());
        let mut tries = 0;
        for proto in protos {
            loop {
                tries += 1;
                let port = (tries <= MAX_TRIES).then(|| self.ports.alloc()).flatten();
                let Some(port) = port else {
                    for p in out {
                        self.ports.free(p);
                    }
                    return None;
                };
                if port_is_free(proto, port) {
                    out.push(port);
                    break;
                }
                // Not ours to hand out; the cursor has moved past it anyway.
                self.ports.free(port);
            }
        }
        Some(out)
    }

    /// Gives back ports taken for a session that was not created after all.
    pub(crate) fn free_ports(&mut self, ports: &[MappedPort]) {
        for p in ports {
            self.ports.free(p.host);
        }
    }

    /// Takes `count` host ports, or none at all.
    pub(crate) fn alloc_ports(&mut self, count: usize) -> Option<Vec<u16>> {
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            match self.ports.alloc() {
                Some(p) => out.push(p),
                None => {
                    for p in out {
                        self.ports.free(p);
                    }
                    return None;
                }
            }
        }
        Some(out)
    }

    /// Stores a new running session and updates the counters.
    pub(crate) fn insert(&mut self, mut session: Session) -> &Session {
        session.seq = self.next_seq;
        self.next_seq += 1;
        self.running_per_location[session.location] += 1;
        self.started_per_token[session.token] += 1;
        if let Some(e) = session.expires_at {
            self.next_expiry = self.next_expiry.min(e);
        }
        let id = session.id.clone();
        self.sessions.entry(id).or_insert(Box::new(session))
    }

    /// Marks an active session exited and gives back its capacity. Without a
    /// process its ports are freed too; with one, the process is asked to stop
    /// and its ports are freed once it has ended ([`State::finish`]), so no
    /// new session is handed a port the old process still holds. Returns
    /// false if it was not active.
    pub(crate) fn stop(&mut self, id: &str, reason: StopReason) -> bool {
        let Some(s) = self.sessions.get_mut(id) else {
            return false;
        };
        if !s.status.is_active() {
            return false;
        }
        s.status = Status::Exited;
        self.running_per_location[s.location] -= 1;
        self.exited.push_back((now_ms(), s.id.clone()));
        match &s.proc {
            Some(proc) => proc.request_stop(reason),
            None => {
                for p in &s.ports {
                    self.ports.free(p.host);
                }
            }
        }
        true
    }

    /// Called once when a session's process has ended for good: the session
    /// becomes exited (if nothing stopped it before) and its ports are freed.
    pub(crate) fn finish(&mut self, id: &str) {
        let Some(s) = self.sessions.get_mut(id) else {
            return;
        };
        if s.status.is_active() {
            s.status = Status::Exited;
            self.running_per_location[s.location] -= 1;
            self.exited.push_back((now_ms(), s.id.clone()));
        }
        for p in &s.ports {
            self.ports.free(p.host);
        }
    }

    /// Moves an active session between `Running` and `Restarting`.
    pub(crate) fn set_active_status(&mut self, id: &str, status: Status) {
        if let Some(s) = self.sessions.get_mut(id) {
            if s.status.is_active() {
                s.status = status;
            }
        }
    }

    /// Forgets the oldest exited sessions while more than `exited_keep_max`
    /// are kept or the oldest exited over `exited_keep_secs` ago, so memory
    /// stays bounded however many sessions come and go. A session whose
    /// process is still stopping stays (with what comes after it) until the
    /// process has ended: its ports are freed only then. Called with
    /// [`State::expire`] at the start of every locked operation.
    pub(crate) fn evict(&mut self, now: i64) {
        while let Some((at, id)) = self.exited.front() {
            let over_count = self.exited.len() > self.keep_max;
            let over_age = now.saturating_sub(*at) >= self.keep_ms;
            if !over_count && !over_age {
                return;
            }
            let stopping = self
                .sessions
                .get(id)
                .and_then(|s| s.proc.as_ref())
                .is_some_and(|p| !p.has_ended());
            if stopping {
                return;
            }
            if let Some((_, id)) = self.exited.pop_front() {
                self.sessions.remove(&id);
            }
        }
    }

    /// How many exited sessions are remembered.
    #[cfg(test)]
    pub(crate) fn exited_count(&self) -> usize {
        self.exited.len()
    }

    /// Ends sessions whose ttl ran out. Called at the start of every locked
    /// operation instead of running a timer task: cheaper, and the result is
    /// the same for anyone looking.
    pub(crate) fn expire(&mut self, now: i64) {
        if now < self.next_expiry {
            return;
        }
        let expired: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.status.is_active() && s.expires_at.is_some_and(|e| e <= now))
            .map(|s| s.id.clone())
            .collect();
        for id in expired {
            self.stop(&id, StopReason::Ttl);
        }
        self.next_expiry = self
            .sessions
            .values()
            .filter(|s| s.status.is_active())
            .filter_map(|s| s.expires_at)
            .min()
            .unwrap_or(i64::MAX);
    }
}

/// Everything a request handler needs: the immutable config, the state, the
/// fault rules. Shared by `Arc` between the server and the [`crate::Emulator`]
/// handle.
pub(crate) struct Shared {
    pub config: EmulatorConfig,
    state: Mutex<State>,
    pub faults: Faults,
    /// Where session working directories go; `None` when no image has a
    /// command. Removes what it created when dropped (unless kept).
    pub sessions_root: Option<SessionsRoot>,
    /// Set when the emulator shuts down: no new process may start after it.
    pub closed: AtomicBool,
    /// `--log-requests`: where each request is logged, if anywhere.
    pub request_log: Option<RequestLog>,
    /// The TLS server when the emulator serves https.
    pub tls: Option<std::sync::Arc<crate::tls::TlsServer>>,
}

impl Shared {
    /// Creates the shared state; with any image that has a command, this also
    /// creates the sessions directory (hence the I/O error).
    pub(crate) fn new(mut config: EmulatorConfig) -> std::io::Result<Self> {
        let faults = Faults::new(std::mem::take(&mut config.faults));
        // Resolve relative paths now, so a later change of the current
        // directory does not move them.
        if let Ok(cwd) = std::env::current_dir() {
            config.resolve_paths(&cwd);
        }
        let sessions_root = if config.images.iter().any(|i| i.command.is_some()) {
            Some(SessionsRoot::create(
                config.sessions_dir.as_deref(),
                config.keep_sessions_dir,
            )?)
        } else {
            None
        };
        if config.log_requests.is_none() {
            config.log_requests =
                std::env::var_os(crate::reqlog::LOG_REQUESTS_ENV).map(std::path::PathBuf::from);
        }
        let request_log = match &config.log_requests {
            Some(path) => Some(RequestLog::open(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot open the request log {}: {e}", path.display()),
                )
            })?),
            None => None,
        };
        let tls = match &config.tls {
            Some(t) => Some(std::sync::Arc::new(crate::tls::TlsServer::new(t)?)),
            None => None,
        };
        let state = Mutex::new(State::new(&config));
        Ok(Shared {
            tls,
            config,
            state,
            faults,
            sessions_root,
            closed: AtomicBool::new(false),
            request_log,
        })
    }

    /// Whether the emulator is shutting down (no new process may start).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Locks the state and applies ttl expiry first, so every caller sees
    /// up-to-date statuses. A poisoned lock is recovered: a panicking handler
    /// must not take the whole emulator down with it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = now_ms();
        guard.expire(now);
        guard.evict(now);
        guard
    }

    /// Same as [`Shared::lock`] but without expiry, for cheap read-only counts.
    pub(crate) fn lock_raw(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, expires_at: Option<i64>, port: u16) -> Session {
        Session {
            id: id.to_string(),
            image: "nginx".to_string(),
            tag: "latest".to_string(),
            location: 0,
            created: 0,
            ports: vec![MappedPort {
                proto: "tcp",
                container: 80,
                host: port,
            }],
            labels: BTreeMap::new(),
            env: BTreeMap::new(),
            args: Vec::new(),
            restart: false,
            ttl: None,
            expires_at,
            external_id: None,
            status: Status::Running,
            players: Vec::new(),
            token: 0,
            seq: 0,
            proc: None,
        }
    }

    #[test]
    fn ttl_expiry_exits_sessions_and_frees_resources() {
        let mut state = State::new(&EmulatorConfig::default());
        let ports = state.alloc_ports(2).unwrap();
        state.insert(session("short", Some(1_000), ports[0]));
        state.insert(session("long", Some(5_000), ports[1]));
        state.insert(session("forever", None, 1));
        assert_eq!(state.running_per_location[0], 3);
        state.expire(999);
        assert_eq!(state.running_per_location[0], 3);
        state.expire(1_000);
        assert_eq!(state.sessions["short"].status, Status::Exited);
        assert_eq!(state.sessions["long"].status, Status::Running);
        assert!(!state.ports.is_used(ports[0]));
        assert!(state.ports.is_used(ports[1]));
        assert_eq!(state.running_per_location[0], 2);
        assert_eq!(state.next_expiry, 5_000);
        state.expire(i64::MAX - 1);
        assert_eq!(state.sessions["long"].status, Status::Exited);
        assert_eq!(state.sessions["forever"].status, Status::Running);
        assert_eq!(state.next_expiry, i64::MAX);
        assert_eq!(state.started_per_token[0], 3);
    }

    #[test]
    fn exited_sessions_are_forgotten_by_count_and_by_age() {
        let config = EmulatorConfig {
            exited_keep_max: 2,
            exited_keep_secs: 10,
            ..EmulatorConfig::default()
        };
        let mut state = State::new(&config);
        for id in ["a", "b", "c", "d"] {
            state.insert(session(id, None, 1));
        }
        for id in ["a", "b", "c"] {
            assert!(state.stop(id, StopReason::Manual));
        }
        let now = now_ms();
        state.evict(now);
        // Three exited, two kept: the first to exit goes.
        assert!(!state.sessions.contains_key("a"));
        assert_eq!(state.sessions["b"].status, Status::Exited);
        assert_eq!(state.exited_count(), 2);
        // Running sessions are never forgotten, however old.
        state.evict(now + 10_000);
        assert_eq!(state.exited_count(), 0);
        assert!(!state.sessions.contains_key("b") && !state.sessions.contains_key("c"));
        assert_eq!(state.sessions["d"].status, Status::Running);
        // A forgotten id is free again.
        state.insert(session("a", None, 1));
        assert_eq!(state.sessions["a"].status, Status::Running);
    }

    #[test]
    fn process_ports_skip_ports_held_elsewhere() {
        let mut state = State::new(&EmulatorConfig::default());
        state.ports = PortPool::new();
        // Held by us, or already by someone else: either way not free.
        let _held = std::net::TcpListener::bind(("127.0.0.1", PORT_RANGE_START));
        let got = state.alloc_free_ports(&["tcp", "udp"]).unwrap();
        assert!(!got.contains(&PORT_RANGE_START), "{got:?}");
        assert_ne!(got[0], got[1]);
        assert!(got.iter().all(|p| state.ports.is_used(*p)));
        assert!(!state.ports.is_used(PORT_RANGE_START));
    }

    #[test]
    fn ports_are_distinct_and_wrap() {
        let mut pool = PortPool::new();
        let a = pool.alloc().unwrap();
        let b = pool.alloc().unwrap();
        assert_ne!(a, b);
        let span = (PORT_RANGE_END - PORT_RANGE_START) as usize;
        let mut n = 2;
        while pool.alloc().is_some() {
            n += 1;
        }
        assert_eq!(n, span);
        pool.free(b);
        assert_eq!(pool.alloc(), Some(b));
        assert_eq!(pool.alloc(), None);
    }
}
