//! `GameyeResult`: the owned outcome of every call, and the builder that
//! lays out its memory so that one `gameye_result_free` releases all of it.

use std::any::Any;
use std::ffi::{c_char, CString};
use std::ptr;

use gameye_core::{
    Error, Location, PlayerCount, Port, Response, Session, SessionDetails, SessionStatus,
    SessionSummary, StopOutcome,
};

use crate::handle::BoxHandle;
use crate::panic::{ffi_panic_boundary, PanicFallback};
use crate::status::GameyeStatus;

/// One mapped port of a session.
#[repr(C)]
pub struct GameyePort {
    /// The protocol as the API spells it (the spec's `type`): `"tcp"` or `"udp"`,
    /// or a newer name this version does not know. Never NULL.
    pub protocol: *const c_char,
    /// The port inside the container.
    pub container: u16,
    /// The port on the host that players connect to.
    pub host: u16,
}

/// A started session.
#[repr(C)]
pub struct GameyeSession {
    /// The session id (the server's, or the one sent when the server omitted it). Never NULL.
    pub id: *const c_char,
    /// The IP address players connect to. Never NULL.
    pub host: *const c_char,
    /// `ports_len` ports (NULL when `ports_len` is 0).
    pub ports: *const GameyePort,
    /// The number of entries in `ports`.
    pub ports_len: usize,
}

/// One problem with one field, from client-side validation or the server's 422.
#[repr(C)]
pub struct GameyeViolation {
    /// The field, such as `"location"`, `"env.PORT"` or `"args[2]"`. Never NULL.
    pub field: *const c_char,
    /// What is wrong with it. Never NULL.
    pub description: *const c_char,
}

/// A key and its value (labels).
#[repr(C)]
pub struct GameyeKeyValue {
    /// The key. Never NULL.
    pub key: *const c_char,
    /// The value. Never NULL.
    pub value: *const c_char,
}

/// A session's status as a number; `status` strings carry the exact text.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameyeSessionState {
    /// The server did not say.
    Unknown = 0,
    /// `created`
    Created = 1,
    /// `running`
    Running = 2,
    /// `restarting`
    Restarting = 3,
    /// `exited`
    Exited = 4,
    /// `dead`
    Dead = 5,
    /// `draining`
    Draining = 6,
    /// `shuttingdown`
    ShuttingDown = 7,
    /// `server_unreachable`
    ServerUnreachable = 8,
    /// A status newer than this library; read the `status` string.
    Other = 255,
}

impl From<&SessionStatus> for GameyeSessionState {
    fn from(s: &SessionStatus) -> Self {
        match s {
            SessionStatus::Created => GameyeSessionState::Created,
            SessionStatus::Running => GameyeSessionState::Running,
            SessionStatus::Restarting => GameyeSessionState::Restarting,
            SessionStatus::Exited => GameyeSessionState::Exited,
            SessionStatus::Dead => GameyeSessionState::Dead,
            SessionStatus::Draining => GameyeSessionState::Draining,
            SessionStatus::ShuttingDown => GameyeSessionState::ShuttingDown,
            SessionStatus::ServerUnreachable => GameyeSessionState::ServerUnreachable,
            SessionStatus::Other(_) => GameyeSessionState::Other,
        }
    }
}

/// A listed or described session (the spec's `SessionListEntry` / `DescribedSession`).
#[repr(C)]
pub struct GameyeSessionInfo {
    /// The session id. Never NULL.
    pub id: *const c_char,
    /// The image name. Never NULL.
    pub image: *const c_char,
    /// The image tag, or NULL when the server did not say.
    pub tag: *const c_char,
    /// The location. Never NULL.
    pub location: *const c_char,
    /// The host IP address. Never NULL.
    pub host: *const c_char,
    /// Creation time in milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// `ports_len` ports, from the API's `{"80/tcp": 49160}` map.
    pub ports: *const GameyePort,
    /// The number of entries in `ports`.
    pub ports_len: usize,
    /// The status as the API spells it, or NULL when the server did not say.
    pub status: *const c_char,
    /// The status as a number.
    pub state: GameyeSessionState,
    /// `labels_len` labels.
    pub labels: *const GameyeKeyValue,
    /// The number of entries in `labels`.
    pub labels_len: usize,
    /// The number of players, or -1 when the server did not say.
    pub player_count: i64,
    /// The ids of the players who joined (described sessions only).
    pub joined: *const *const c_char,
    /// The number of entries in `joined`.
    pub joined_len: usize,
}

/// A location that can host an image.
#[repr(C)]
pub struct GameyeLocation {
    /// The location id. Never NULL.
    pub id: *const c_char,
    /// `ips_len` IPv4 addresses to ping.
    pub ips: *const *const c_char,
    /// The number of entries in `ips`.
    pub ips_len: usize,
}

/// What `gameye_session_stop` did.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameyeStopOutcome {
    /// Not a stop call, or the stop failed.
    None = 0,
    /// The session was running and is now terminated (204).
    Stopped = 1,
    /// With `GAMEYE_STOP_IDEMPOTENT`: it had already terminated (409).
    AlreadyStopped = 2,
    /// With `GAMEYE_STOP_IDEMPOTENT`: no such session (404).
    NotFound = 3,
}

/// The outcome of a call. Allocated only by libgameye and freed only with
/// `gameye_result_free`: never allocate, copy by value or free one yourself.
/// Every pointer in it stays valid until that free. Strings are NUL-terminated
/// UTF-8. Each call fills the fields its documentation names; the others are
/// NULL or 0. Future versions only append fields.
#[repr(C)]
pub struct GameyeResult {
    /// `GAMEYE_STATUS_OK` or what went wrong.
    pub status: GameyeStatus,
    /// The HTTP status of the response, 0 when no response arrived.
    pub http_status: u16,
    /// A readable description of the error; NULL on success. Never contains
    /// the token: where a server echoed it back (in its message, details,
    /// body or a redirect's `Location`), every string and the `body` of this
    /// result show `<redacted>` instead.
    pub message: *const c_char,
    /// The API's error `code`, or NULL.
    pub code: *const c_char,
    /// The API's error `details`, or NULL.
    pub details: *const c_char,
    /// The API's request `identifier` (quote it to support), or NULL.
    pub identifier: *const c_char,
    /// `violations_len` field violations (NULL when none).
    pub violations: *const GameyeViolation,
    /// The number of entries in `violations`.
    pub violations_len: usize,
    /// The response body as received (NUL-terminated for convenience, but it
    /// may hold other NUL bytes and need not be UTF-8: use `body_len`), or NULL
    /// when no response arrived. Streamed downloads leave it NULL.
    pub body: *const c_char,
    /// The number of bytes in `body`, without the terminating NUL.
    pub body_len: usize,
    /// `gameye_session_create`: the started session; otherwise NULL.
    pub session: *const GameyeSession,
    /// `gameye_session_list`: `sessions_len` sessions.
    pub sessions: *const GameyeSessionInfo,
    /// The number of entries in `sessions`.
    pub sessions_len: usize,
    /// `gameye_session_get`: the described session; otherwise NULL.
    pub session_info: *const GameyeSessionInfo,
    /// `gameye_players_join` / `gameye_players_leave`: the session's player
    /// count after the call; -1 otherwise.
    pub player_count: i64,
    /// `gameye_players_join` / `gameye_players_leave`: the player ids affected.
    pub players: *const *const c_char,
    /// The number of entries in `players`.
    pub players_len: usize,
    /// `gameye_logs_get`: the logs; `gameye_log_stream_next`: one line without
    /// its line ending, or NULL at the end of the stream. Lossless UTF-8 (invalid
    /// bytes become U+FFFD); use `text_len`. `gameye_locations_ping`,
    /// `gameye_locations_choose`, `gameye_session_create_near`: a JSON document.
    pub text: *const c_char,
    /// The number of bytes in `text`, without the terminating NUL.
    pub text_len: usize,
    /// `gameye_locations_available`: `locations_len` locations.
    pub locations: *const GameyeLocation,
    /// The number of entries in `locations`.
    pub locations_len: usize,
    /// `gameye_tag_exists`: 1 when the tag exists, 0 when not.
    pub tag_exists: u8,
    /// `gameye_session_stop`: what the stop did.
    pub stop_outcome: GameyeStopOutcome,
    /// `gameye_artifacts_download` / `gameye_artifacts_save`: bytes written.
    pub bytes_written: u64,
    /// How many attempts of the client's retry policy the call made: 1
    /// without retries, never more than `max_attempts`, 0 when nothing was
    /// sent (a client-side error). Not counted: a request that reads back
    /// what a lost attempt did (describing the session when a retried
    /// create or join meets 409), and the re-send after a stale kept
    /// connection. `gameye_session_create_near` adds up the creates of each
    /// location it tried (each at most `max_attempts`).
    pub attempts: u32,
}

/// The allocation behind a `*mut GameyeResult`: the public struct first (so
/// the pointers are interchangeable), then the storage its pointers point into.
/// Heap buffers do not move when their owners move, so the pointers stay valid.
#[repr(C)]
pub(crate) struct ResultAlloc {
    public: GameyeResult,
    strings: Vec<CString>,
    /// Boxed slices and boxes of the public structs, type-erased.
    kept: Vec<Box<dyn Any>>,
}

impl ResultAlloc {
    fn new(status: GameyeStatus) -> Box<Self> {
        Box::new(ResultAlloc {
            public: GameyeResult {
                status,
                http_status: 0,
                message: ptr::null(),
                code: ptr::null(),
                details: ptr::null(),
                identifier: ptr::null(),
                violations: ptr::null(),
                violations_len: 0,
                body: ptr::null(),
                body_len: 0,
                session: ptr::null(),
                sessions: ptr::null(),
                sessions_len: 0,
                session_info: ptr::null(),
                player_count: -1,
                players: ptr::null(),
                players_len: 0,
                text: ptr::null(),
                text_len: 0,
                locations: ptr::null(),
                locations_len: 0,
                tag_exists: 0,
                stop_outcome: GameyeStopOutcome::None,
                bytes_written: 0,
                attempts: 0,
            },
            strings: Vec::new(),
            kept: Vec::new(),
        })
    }

    /// A success with the wire details of `resp`.
    fn ok<T>(resp: &Response<T>) -> Box<Self> {
        let mut r = ResultAlloc::new(GameyeStatus::Ok);
        r.public.http_status = resp.http_status;
        r.public.attempts = resp.attempts;
        if !resp.body.is_empty() {
            let (body, len) = r.bytes(&resp.body);
            r.public.body = body;
            r.public.body_len = len;
        }
        r
    }

    /// Stores a string and returns a pointer valid for the result's lifetime.
    /// Interior NULs (possible in server text) become U+FFFD so nothing is cut.
    fn string(&mut self, s: &str) -> *const c_char {
        let c = CString::new(s)
            .unwrap_or_else(|_| CString::new(s.replace('\0', "\u{FFFD}")).expect("NULs replaced"));
        let p = c.as_ptr();
        self.strings.push(c);
        p
    }

    fn opt_string(&mut self, s: Option<&str>) -> *const c_char {
        s.map_or(ptr::null(), |s| self.string(s))
    }

    /// Stores bytes with a terminating NUL (they may hold NULs themselves).
    fn bytes(&mut self, b: &[u8]) -> (*const c_char, usize) {
        let mut v = Vec::with_capacity(b.len() + 1);
        v.extend_from_slice(b);
        v.push(0);
        let (p, _) = self.slice(v);
        (p.cast(), b.len())
    }

    /// Keeps `items` and returns a pointer to them and their count
    /// (NULL for none).
    fn slice<T: 'static>(&mut self, items: Vec<T>) -> (*const T, usize) {
        if items.is_empty() {
            return (ptr::null(), 0);
        }
        let boxed = items.into_boxed_slice();
        let out = (boxed.as_ptr(), boxed.len());
        self.kept.push(Box::new(boxed));
        out
    }

    fn one<T: 'static>(&mut self, item: T) -> *const T {
        let boxed = Box::new(item);
        let p: *const T = &*boxed;
        self.kept.push(boxed);
        p
    }

    fn strings_array(&mut self, items: &[String]) -> (*const *const c_char, usize) {
        let ptrs: Vec<*const c_char> = items.iter().map(|s| self.string(s)).collect();
        self.slice(ptrs)
    }

    fn ports(&mut self, ports: &[Port]) -> (*const GameyePort, usize) {
        let ports: Vec<GameyePort> = ports
            .iter()
            .map(|p| GameyePort {
                protocol: self.string(p.protocol.as_str()),
                container: p.container,
                host: p.host,
            })
            .collect();
        self.slice(ports)
    }

    fn labels<'a>(
        &mut self,
        labels: impl Iterator<Item = (&'a String, &'a String)>,
    ) -> (*const GameyeKeyValue, usize) {
        let kvs: Vec<GameyeKeyValue> = labels
            .map(|(k, v)| GameyeKeyValue {
                key: self.string(k),
                value: self.string(v),
            })
            .collect();
        self.slice(kvs)
    }

    fn summary(&mut self, s: &SessionSummary) -> GameyeSessionInfo {
        let (ports, ports_len) = self.ports(&s.ports());
        let (labels, labels_len) = self.labels(s.labels.iter());
        GameyeSessionInfo {
            id: self.string(&s.id),
            image: self.string(&s.image),
            tag: self.opt_string(s.tag.as_deref()),
            location: self.string(&s.location),
            host: self.string(&s.host),
            created_ms: s.created,
            ports,
            ports_len,
            status: self.opt_string(s.status.as_ref().map(SessionStatus::as_str)),
            state: s
                .status
                .as_ref()
                .map_or(GameyeSessionState::Unknown, Into::into),
            labels,
            labels_len,
            player_count: s.player_count.unwrap_or(-1),
            joined: ptr::null(),
            joined_len: 0,
        }
    }

    fn into_raw(self: Box<Self>) -> *mut GameyeResult {
        GameyeResult::into_handle(self)
    }
}

// SAFETY: `ResultAlloc` is `#[repr(C)]` with the `GameyeResult` first.
unsafe impl BoxHandle for GameyeResult {
    type Owner = ResultAlloc;
}

/// A panic gives a result with `GAMEYE_STATUS_PANIC` (never NULL).
impl PanicFallback for *mut GameyeResult {
    fn fallback(message: String) -> Self {
        panicked(message)
    }
}

/// A result for an error of the core.
pub(crate) fn from_error(e: &Error) -> *mut GameyeResult {
    let mut r = ResultAlloc::new(e.kind().into());
    r.public.http_status = e.http_status().unwrap_or(0);
    r.public.attempts = e.attempts();
    r.public.message = r.string(&e.to_string());
    r.public.code = r.opt_string(e.code());
    r.public.details = r.opt_string(e.details());
    r.public.identifier = r.opt_string(e.identifier());
    let violations: Vec<GameyeViolation> = e
        .violations()
        .iter()
        .map(|v| GameyeViolation {
            field: r.string(&v.field),
            description: r.string(&v.description),
        })
        .collect();
    (r.public.violations, r.public.violations_len) = r.slice(violations);
    if let Some(body) = e.body() {
        (r.public.body, r.public.body_len) = r.bytes(body);
    }
    r.into_raw()
}

/// A result for `Ok(value)` built by `fill`, or for the error.
pub(crate) fn from_core<T>(
    outcome: gameye_core::Result<Response<T>>,
    fill: impl FnOnce(&mut ResultAlloc, &T),
) -> *mut GameyeResult {
    match outcome {
        Ok(resp) => {
            let mut r = ResultAlloc::ok(&resp);
            fill(&mut r, &resp.value);
            r.into_raw()
        }
        Err(e) => from_error(&e),
    }
}

/// A result for a failure detected in the FFI layer itself (NULL pointer,
/// invalid UTF-8, panic), with no response behind it.
pub(crate) fn failure(status: GameyeStatus, message: &str) -> *mut GameyeResult {
    let mut r = ResultAlloc::new(status);
    r.public.message = r.string(message);
    r.into_raw()
}

/// The result of a caught panic.
pub(crate) fn panicked(message: String) -> *mut GameyeResult {
    failure(GameyeStatus::Panic, &message)
}

/// A bare success with no payload.
pub(crate) fn ok() -> *mut GameyeResult {
    ResultAlloc::new(GameyeStatus::Ok).into_raw()
}

/// A success whose payload is `text` (a JSON document), with no response behind it.
pub(crate) fn ok_text(text: &str) -> *mut GameyeResult {
    let mut r = ResultAlloc::new(GameyeStatus::Ok);
    fill_text(&mut r, text);
    r.into_raw()
}

/// Fills `session` from a started session.
pub(crate) fn fill_session(r: &mut ResultAlloc, s: &Session) {
    let (ports, ports_len) = r.ports(&s.ports);
    let session = GameyeSession {
        id: r.string(&s.id),
        host: r.string(&s.host),
        ports,
        ports_len,
    };
    r.public.session = r.one(session);
}

/// Fills `sessions` from a list.
pub(crate) fn fill_sessions(r: &mut ResultAlloc, list: &[SessionSummary]) {
    let infos: Vec<GameyeSessionInfo> = list.iter().map(|s| r.summary(s)).collect();
    (r.public.sessions, r.public.sessions_len) = r.slice(infos);
}

/// Fills `session_info` from a described session.
pub(crate) fn fill_details(r: &mut ResultAlloc, d: &SessionDetails) {
    let summary = SessionSummary {
        id: d.id.clone(),
        image: d.image.clone(),
        tag: d.tag.clone(),
        location: d.location.clone(),
        host: d.host.clone(),
        created: d.created,
        port: d.port.clone(),
        status: Some(d.status.clone()),
        labels: d.labels.clone(),
        player_count: Some(d.players.joined_count),
    };
    let mut info = r.summary(&summary);
    (info.joined, info.joined_len) = r.strings_array(&d.players.joined);
    r.public.session_info = r.one(info);
}

/// Fills `player_count` and `players`.
pub(crate) fn fill_players(r: &mut ResultAlloc, p: &PlayerCount) {
    r.public.player_count = p.count;
    (r.public.players, r.public.players_len) = r.strings_array(&p.players);
}

/// Fills `text`.
pub(crate) fn fill_text(r: &mut ResultAlloc, text: &str) {
    (r.public.text, r.public.text_len) = r.bytes(text.as_bytes());
}

/// Fills `locations`.
pub(crate) fn fill_locations(r: &mut ResultAlloc, locations: &[Location]) {
    let locs: Vec<GameyeLocation> = locations
        .iter()
        .map(|l| {
            let (ips, ips_len) = r.strings_array(&l.ips);
            GameyeLocation {
                id: r.string(&l.id),
                ips,
                ips_len,
            }
        })
        .collect();
    (r.public.locations, r.public.locations_len) = r.slice(locs);
}

/// Fills `tag_exists`.
pub(crate) fn fill_tag(r: &mut ResultAlloc, exists: &bool) {
    r.public.tag_exists = u8::from(*exists);
}

/// Fills `stop_outcome`.
pub(crate) fn fill_stop(r: &mut ResultAlloc, outcome: &StopOutcome) {
    r.public.stop_outcome = match outcome {
        StopOutcome::Stopped => GameyeStopOutcome::Stopped,
        StopOutcome::AlreadyStopped => GameyeStopOutcome::AlreadyStopped,
        StopOutcome::NotFound => GameyeStopOutcome::NotFound,
    };
}

/// Fills `bytes_written`.
pub(crate) fn fill_bytes_written(r: &mut ResultAlloc, n: &u64) {
    r.public.bytes_written = *n;
}

/// Frees a result and everything it points to.
///
/// Calling with NULL is fine. Must not be called twice on the same result,
/// and no pointer read from the result may be used afterwards.
/// Thread safety: a result may be freed on any thread, but not while another
/// thread still reads it.
///
/// # Safety
/// `result` is NULL or a result returned by libgameye and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn gameye_result_free(result: *mut GameyeResult) {
    ffi_panic_boundary!({ drop(GameyeResult::take(result)) })
}

/// The status of a result, or `GAMEYE_STATUS_NULL_ARGUMENT` when `result` is NULL.
/// A convenience for languages that cannot read struct fields easily.
/// Thread safety: any thread.
///
/// # Safety
/// `result` is NULL or a result returned by libgameye and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn gameye_result_status(result: *const GameyeResult) -> GameyeStatus {
    ffi_panic_boundary!({
        GameyeResult::borrow(result).map_or(GameyeStatus::NullArgument, |r| r.status)
    })
}

/// The static name of a status number, such as `"GAMEYE_STATUS_NOT_FOUND"`,
/// or `"GAMEYE_STATUS_UNKNOWN"` for a number this version does not define.
/// The string is static: never free it. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn gameye_status_name(status: u32) -> *const c_char {
    ffi_panic_boundary!({
        crate::status::from_u32(status)
            .map_or(c"GAMEYE_STATUS_UNKNOWN".as_ptr(), |s| s.name().as_ptr())
    })
}
