//! Everything the emulator remembers between requests.
//!
//! One `Mutex<State>` guards all mutable session data. Requests hold it only
//! for map look-ups and counter updates (no I/O, no awaits), so a single lock
//! stays cheap under load and keeps every check-then-act atomic: two racing
//! `POST /session` calls can never both take the last unit of capacity.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::config::EmulatorConfig;
use crate::errors::now_ms;
use crate::faults::Faults;

/// First host port handed out; below it sit well-known and ephemeral-ish
/// ranges a developer may already use locally.
pub(crate) const PORT_RANGE_START: u16 = 20_000;
/// One past the last host port handed out.
pub(crate) const PORT_RANGE_END: u16 = 60_000;

/// Runtime status of a session; the emulator only ever has these two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Running,
    Exited,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Exited => "exited",
        }
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
}

/// Host ports in use, as a bitset over the whole u16 space (8 KiB), with a
/// rotating cursor so a freed port is not reused at once (clients that cache
/// an old session's port should not hit a new session by accident).
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
    pub sessions: HashMap<String, Session>,
    /// Running sessions per location (index as in `config.locations`).
    pub running_per_location: Vec<u32>,
    /// Sessions ever started per token (index as in `config.tokens`), for quotas.
    pub started_per_token: Vec<u32>,
    pub ports: PortPool,
    /// Earliest `expires_at` among running sessions, so the common case of
    /// "nothing to expire" costs one comparison.
    next_expiry: i64,
    next_seq: u64,
}

impl State {
    fn new(config: &EmulatorConfig) -> Self {
        State {
            sessions: HashMap::new(),
            running_per_location: vec![0; config.locations.len()],
            started_per_token: vec![0; config.tokens.len()],
            ports: PortPool::new(),
            next_expiry: i64::MAX,
            next_seq: 0,
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
        self.sessions.entry(id).or_insert(session)
    }

    /// Marks a running session exited and gives back its ports and capacity.
    /// Returns false if it was not running.
    pub(crate) fn stop(&mut self, id: &str) -> bool {
        let Some(s) = self.sessions.get_mut(id) else {
            return false;
        };
        if s.status != Status::Running {
            return false;
        }
        s.status = Status::Exited;
        self.running_per_location[s.location] -= 1;
        for p in &s.ports {
            self.ports.free(p.host);
        }
        true
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
            .filter(|s| s.status == Status::Running && s.expires_at.is_some_and(|e| e <= now))
            .map(|s| s.id.clone())
            .collect();
        for id in expired {
            self.stop(&id);
        }
        self.next_expiry = self
            .sessions
            .values()
            .filter(|s| s.status == Status::Running)
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
}

impl Shared {
    pub(crate) fn new(mut config: EmulatorConfig) -> Self {
        let faults = Faults::new(std::mem::take(&mut config.faults));
        let state = Mutex::new(State::new(&config));
        Shared {
            config,
            state,
            faults,
        }
    }

    /// Locks the state and applies ttl expiry first, so every caller sees
    /// up-to-date statuses. A poisoned lock is recovered: a panicking handler
    /// must not take the whole emulator down with it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        guard.expire(now_ms());
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
