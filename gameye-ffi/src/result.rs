//! `GameyeResult`: the owned outcome of every call, and the builder that
//! lays out its memory so that one `gameye_result_free` releases all of it.

use std::ffi::{c_char, CString};
use std::ptr;

use gameye_core::{Error, Session};

use crate::panic::ffi_boundary;
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

/// The outcome of a call. Allocated only by libgameye and freed only with
/// `gameye_result_free`: never allocate, copy by value or free one yourself.
/// Every pointer in it stays valid until that free. Strings are NUL-terminated
/// UTF-8. Future versions only append fields.
#[repr(C)]
pub struct GameyeResult {
    /// `GAMEYE_STATUS_OK` or what went wrong.
    pub status: GameyeStatus,
    /// The HTTP status of the response, 0 when no response arrived.
    pub http_status: u16,
    /// A readable description of the error; NULL on success. Never contains the token.
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
    /// when no response arrived.
    pub body: *const c_char,
    /// The number of bytes in `body`, without the terminating NUL.
    pub body_len: usize,
    /// The started session, on success of `gameye_session_create`; otherwise NULL.
    pub session: *const GameyeSession,
}

/// The allocation behind a `*mut GameyeResult`: the public struct first (so
/// the pointers are interchangeable), then the storage its pointers point into.
/// Heap buffers do not move when this struct moves, so the pointers stay valid.
#[repr(C)]
pub(crate) struct ResultAlloc {
    public: GameyeResult,
    strings: Vec<CString>,
    violations: Vec<GameyeViolation>,
    body: Vec<u8>,
    ports: Vec<GameyePort>,
    session: Option<Box<GameyeSession>>,
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
            },
            strings: Vec::new(),
            violations: Vec::new(),
            body: Vec::new(),
            ports: Vec::new(),
            session: None,
        })
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

    fn set_body(&mut self, body: &[u8]) {
        self.body = Vec::with_capacity(body.len() + 1);
        self.body.extend_from_slice(body);
        self.body.push(0);
        self.public.body = self.body.as_ptr().cast();
        self.public.body_len = body.len();
    }

    fn into_raw(self: Box<Self>) -> *mut GameyeResult {
        Box::into_raw(self).cast()
    }
}

/// A result for an error of the core.
pub(crate) fn from_error(e: &Error) -> *mut GameyeResult {
    let mut r = ResultAlloc::new(e.kind().into());
    r.public.http_status = e.http_status().unwrap_or(0);
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
    r.violations = violations;
    if !r.violations.is_empty() {
        r.public.violations = r.violations.as_ptr();
        r.public.violations_len = r.violations.len();
    }
    if let Some(body) = e.body() {
        r.set_body(body);
    }
    r.into_raw()
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

/// A success carrying a started session.
pub(crate) fn session(resp: &gameye_core::Response<Session>) -> *mut GameyeResult {
    let mut r = ResultAlloc::new(GameyeStatus::Ok);
    r.public.http_status = resp.http_status;
    r.set_body(&resp.body);
    let ports: Vec<GameyePort> = resp
        .ports
        .iter()
        .map(|p| GameyePort {
            protocol: r.string(p.protocol.as_str()),
            container: p.container,
            host: p.host,
        })
        .collect();
    r.ports = ports;
    let session = Box::new(GameyeSession {
        id: r.string(&resp.id),
        host: r.string(&resp.host),
        ports: if r.ports.is_empty() {
            ptr::null()
        } else {
            r.ports.as_ptr()
        },
        ports_len: r.ports.len(),
    });
    r.public.session = &*session;
    r.session = Some(session);
    r.into_raw()
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
    ffi_boundary!(|_| (), {
        if !result.is_null() {
            // SAFETY: every non-NULL `*mut GameyeResult` handed out comes from
            // `ResultAlloc::into_raw`, and the caller gives it back exactly once.
            drop(unsafe { Box::from_raw(result.cast::<ResultAlloc>()) });
        }
    })
}

/// The status of a result, or `GAMEYE_STATUS_NULL_ARGUMENT` when `result` is NULL.
/// A convenience for languages that cannot read struct fields easily.
/// Thread safety: any thread.
///
/// # Safety
/// `result` is NULL or a result returned by libgameye and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn gameye_result_status(result: *const GameyeResult) -> GameyeStatus {
    // SAFETY: non-NULL results are valid until freed, per the ownership rule above.
    unsafe { result.as_ref() }.map_or(GameyeStatus::NullArgument, |r| r.status)
}

/// The static name of a status number, such as `"GAMEYE_STATUS_NOT_FOUND"`,
/// or `"GAMEYE_STATUS_UNKNOWN"` for a number this version does not define.
/// The string is static: never free it. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn gameye_status_name(status: u32) -> *const c_char {
    crate::status::from_u32(status).map_or(c"GAMEYE_STATUS_UNKNOWN".as_ptr(), |s| s.name().as_ptr())
}
