//! The client against a hostile network (issue 17), through the hostile
//! server of `tests/hostile` (one listener per misbehaviour, over plain http
//! and TLS with a test CA), in this process:
//!
//! 1. no SIGPIPE: the scenarios run in a child process of this test binary
//!    with SIGPIPE at its default (as a C host leaves it), so a write that
//!    raises it kills the child and fails the test;
//! 2. a kept connection the server already closed is re-sent, not failed:
//!    1,000 creates with retries off, plain and TLS, blocking and async;
//! 3. a server that echoes the token never makes the SDK show it;
//! 4. 409 recovery returns only the session this call sent the id of, and
//!    `attempts` never exceeds `max_attempts`;
//! 5. what already held: TLS failures send no request, nonsense
//!    `Retry-After`, slow/huge/endless headers, broken framing, hostile
//!    JSON, unasked gzip, a server that never answers (8 threads), IPv6.
//!
//! What `hostile_http.rs`, `tls_and_secrets.rs` and `retries.rs` already
//! prove is not repeated here (TESTING.md, "Hostile network", maps each).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use gameye_core::{
    Client, ClientConfig, Error, ErrorKind, ListFilter, LogLevel, RetryPolicy, SessionRun,
    StopOptions,
};
use gameye_hostile::{HostileServer, Scheme, BAD_TLS, NONSENSE_RETRY_AFTER};

const TOKEN: &str = "tok-HOSTILE-e3b0c442-98fc";
/// A piece of the token, which must not show either (a cut-off echo).
const PART: &str = "HOSTILE-e3b0";
const BOTH: [Scheme; 2] = [Scheme::Http, Scheme::Https];

/// One server for the whole binary (and one per child process).
fn server() -> &'static HostileServer {
    static SERVER: OnceLock<HostileServer> = OnceLock::new();
    SERVER.get_or_init(|| HostileServer::start().expect("the hostile server starts"))
}

/// A config for listener `name`, trusting the test CA.
fn config(name: &str, scheme: Scheme) -> ClientConfig {
    ClientConfig::new(TOKEN)
        .base_url(server().url(name, scheme))
        .ca_bundle(server().ca_path())
}

fn client(name: &str, scheme: Scheme, retry: RetryPolicy) -> Client {
    Client::new(
        config(name, scheme)
            .retry(retry)
            .request_timeout(Duration::from_secs(5)),
    )
    .unwrap()
}

fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        deadline: Duration::from_secs(10),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn run(id: &str) -> SessionRun {
    let mut r = SessionRun::new("europe", "nginx");
    r.id = Some(id.to_owned());
    r
}

/// A unique session id (the conflict and retry listeners keep state per id).
fn fresh_id(what: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{what}-{}-{n}", std::process::id())
}

// ---------------------------------------------------------------- 1. SIGPIPE

/// Runs `scenario` in a child process of this test binary with SIGPIPE at
/// SIG_DFL; the test fails if the child is killed (SIGPIPE: status 141 in
/// a shell) or fails. `name` is the calling test's name.
fn with_default_sigpipe(name: &str, scenario: impl FnOnce()) {
    if std::env::var_os("GAMEYE_HOSTILE_SIGPIPE_CHILD").is_some() {
        #[cfg(unix)]
        // SAFETY: sets a signal disposition; no handler runs Rust code.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
        scenario();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("GAMEYE_HOSTILE_SIGPIPE_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_ne!(
            out.status.signal(),
            Some(libc::SIGPIPE),
            "{name}: the process was killed by SIGPIPE\n{stdout}\n{stderr}"
        );
    }
    assert!(
        out.status.success(),
        "{name}: the child failed: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "{name}: the child ran nothing: {stdout}"
    );
}

/// A load balancer closing idle connections after 20 ms, a create every
/// 60 ms, the default config: the library's write to the dead connection
/// (rustls's closing message) must not raise SIGPIPE; every create succeeds.
#[test]
fn idle_close_never_raises_sigpipe() {
    with_default_sigpipe("idle_close_never_raises_sigpipe", || {
        for scheme in [Scheme::Https, Scheme::Http] {
            let c = Client::new(config("idle_close", scheme)).unwrap();
            for i in 0..6 {
                let r = c.create_session(run(&fresh_id("idle")));
                assert!(r.is_ok(), "{scheme:?} create {i}: {}", r.unwrap_err());
                std::thread::sleep(Duration::from_millis(60));
            }
            let rt = runtime();
            for i in 0..4 {
                let r = rt.block_on(c.create_session_async(run(&fresh_id("idle"))));
                assert!(r.is_ok(), "{scheme:?} async create {i}: {}", r.unwrap_err());
                std::thread::sleep(Duration::from_millis(60));
            }
        }
    });
}

/// A create with a 4 MiB body.
fn big_run() -> SessionRun {
    let mut r = run(&fresh_id("big"));
    r.env = Some([("BIG".to_owned(), "x".repeat(4 << 20))].into());
    r
}

/// The server answers 201 before reading a 4 MiB body, then resets: the
/// library is still writing the body. Over https, and over plain http under
/// load (4 threads). Whatever each call returns, the process lives.
#[test]
fn early_answer_then_reset_never_raises_sigpipe() {
    with_default_sigpipe("early_answer_then_reset_never_raises_sigpipe", || {
        let body = big_run();
        for scheme in [Scheme::Https, Scheme::Http] {
            let c = client("early_answer_reset", scheme, RetryPolicy::never());
            std::thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        for _ in 0..3 {
                            let r = c.create_session(body.clone());
                            if let Err(e) = r {
                                assert_kind_in(&e, &[ErrorKind::Transport, ErrorKind::Timeout]);
                            }
                        }
                    });
                }
            });
            let rt = runtime();
            for _ in 0..3 {
                if let Err(e) = rt.block_on(c.create_session_async(body.clone())) {
                    assert_kind_in(&e, &[ErrorKind::Transport, ErrorKind::Timeout]);
                }
            }
        }
    });
}

fn assert_kind_in(e: &Error, kinds: &[ErrorKind]) {
    assert!(kinds.contains(&e.kind()), "want one of {kinds:?}, got {e}");
}

// ------------------------------------------------- 2. stale kept connections

/// 1,000 sequential creates with retries off against a server that closes
/// after every answer without saying so: none fails, each is one attempt.
fn stale_creates(scheme: Scheme, asynchronous: bool) {
    const CALLS: usize = 1000;
    let c = client("close_after_answer", scheme, RetryPolicy::never());
    let before = server().counts("close_after_answer", scheme);
    let mut failures = Vec::new();
    let mut check =
        |i: usize, r: gameye_core::Result<gameye_core::Response<gameye_core::Session>>| match r {
            Ok(s) => assert_eq!(s.attempts, 1, "call {i}: a re-send is not an attempt"),
            Err(e) => failures.push(format!("call {i}: {e}")),
        };
    if asynchronous {
        runtime().block_on(async {
            for i in 0..CALLS {
                check(i, c.create_session_async(run(&fresh_id("stale"))).await);
            }
        });
    } else {
        for i in 0..CALLS {
            check(i, c.create_session(run(&fresh_id("stale"))));
        }
    }
    assert!(
        failures.is_empty(),
        "{scheme:?} async={asynchronous}: {} of {CALLS} creates failed; first: {}",
        failures.len(),
        failures[0]
    );
    let after = server().counts("close_after_answer", scheme);
    assert!(after.requests - before.requests >= CALLS as u64);
}

#[test]
fn stale_connections_plain_blocking() {
    stale_creates(Scheme::Http, false);
}

#[test]
fn stale_connections_plain_async() {
    stale_creates(Scheme::Http, true);
}

#[test]
fn stale_connections_tls_blocking() {
    stale_creates(Scheme::Https, false);
}

#[test]
fn stale_connections_tls_async() {
    stale_creates(Scheme::Https, true);
}

/// Every method, not only creates: list, describe and stop, 50 each per
/// path, with retries off.
#[test]
fn stale_connections_every_method() {
    for scheme in BOTH {
        let c = client("close_after_answer", scheme, RetryPolicy::never());
        let rt = runtime();
        for i in 0..50 {
            let id = fresh_id("m");
            let calls: [(&str, gameye_core::Result<()>); 6] = [
                ("list", c.list_sessions(&ListFilter::default()).map(drop)),
                ("get", c.get_session(&id).map(drop)),
                (
                    "stop",
                    c.stop_session(&id, StopOptions::default()).map(drop),
                ),
                (
                    "list async",
                    rt.block_on(c.list_sessions_async(&ListFilter::default()))
                        .map(drop),
                ),
                ("get async", rt.block_on(c.get_session_async(&id)).map(drop)),
                (
                    "stop async",
                    rt.block_on(c.stop_session_async(&id, StopOptions::default()))
                        .map(drop),
                ),
            ];
            for (what, r) in calls {
                assert!(r.is_ok(), "{scheme:?} {what} {i}: {}", r.unwrap_err());
            }
        }
    }
}

/// A kept connection closed by the server after 20 ms idle, reused 60 ms
/// later, with retries off: re-sent, never failed.
#[test]
fn idle_closed_connections_fail_no_call() {
    for scheme in BOTH {
        let c = client("idle_close", scheme, RetryPolicy::never());
        let rt = runtime();
        for i in 0..6 {
            let r = c.create_session(run(&fresh_id("idle")));
            assert!(r.is_ok(), "{scheme:?} create {i}: {}", r.unwrap_err());
            std::thread::sleep(Duration::from_millis(60));
            let r = rt.block_on(c.create_session_async(run(&fresh_id("idle"))));
            assert!(r.is_ok(), "{scheme:?} async create {i}: {}", r.unwrap_err());
            std::thread::sleep(Duration::from_millis(60));
        }
    }
}

// ----------------------------------------------------------- 3. echoed token

fn assert_hidden(what: &str, text: &str) {
    assert!(
        !text.contains(TOKEN) && !text.contains(PART),
        "{what} shows the token: {text}"
    );
}

/// Every text of an error that a user may see or log.
fn assert_error_hides_the_token(what: &str, e: &Error) {
    assert_hidden(&format!("{what}: Display"), &e.to_string());
    assert_hidden(&format!("{what}: Debug"), &format!("{e:?}"));
    assert_hidden(&format!("{what}: message"), e.message());
    for (field, value) in [
        ("details", e.details()),
        ("code", e.code()),
        ("identifier", e.identifier()),
        ("body_excerpt", e.body_excerpt()),
    ] {
        assert_hidden(&format!("{what}: {field}"), value.unwrap_or(""));
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        assert_hidden(&format!("{what}: source"), &format!("{s} {s:?}"));
        source = s.source();
    }
}

/// The four echoes of the issue (a 401 JSON `message`, a 502 HTML page, a
/// 302 `Location`, a cut-off 201: its JSON cut, or the message itself), for
/// every endpoint shape, blocking and async, plain and TLS: no error text
/// and no log line shows the token.
#[test]
fn an_echoed_token_never_shows() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&lines);
    gameye_core::set_logger(
        LogLevel::Debug,
        Some(Arc::new(move |_, line: &str| {
            sink.lock().unwrap().push(line.to_owned())
        })),
    );
    let rt = runtime();
    for name in [
        "echo_401_json",
        "echo_502_html",
        "echo_302_location",
        "echo_cut_201",
        "echo_cut_201_eof",
    ] {
        for scheme in BOTH {
            let before = server().counts(name, scheme).requests;
            let c = client(name, scheme, RetryPolicy::never());
            let results: Vec<(&str, gameye_core::Result<()>)> = vec![
                ("create", c.create_session(run("e")).map(drop)),
                (
                    "create async",
                    rt.block_on(c.create_session_async(run("e"))).map(drop),
                ),
                ("get", c.get_session("e").map(drop)),
                (
                    "list async",
                    rt.block_on(c.list_sessions_async(&ListFilter::default()))
                        .map(drop),
                ),
                ("logs", c.logs("e").map(drop)),
            ];
            let mut errors = 0;
            for (what, r) in results {
                if let Err(e) = r {
                    errors += 1;
                    assert_error_hides_the_token(&format!("{name} {scheme:?} {what}"), &e);
                }
            }
            assert!(errors >= 4, "{name} {scheme:?}: only {errors} calls failed");
            // The server really echoed: it saw the requests.
            assert!(server().counts(name, scheme).requests > before);
        }
    }
    gameye_core::set_logger(LogLevel::Warn, None);
    let lines = lines.lock().unwrap();
    assert!(!lines.is_empty(), "no log event at all");
    for line in lines.iter() {
        assert_hidden("a log event", line);
    }
}

// ------------------------------------------------------------ 4. 409 recovery

/// A create gets 503, its replay 409, and describing the id gives another
/// id and host: CONFLICT naming both ids, never the other session; with the
/// same id the recovery returns it. `attempts` never exceeds `max_attempts`.
#[test]
fn a_409_recovery_returns_only_the_session_this_call_sent() {
    let rt = runtime();
    for scheme in BOTH {
        for asynchronous in [false, true] {
            let create = |c: &Client, id: &str| {
                if asynchronous {
                    rt.block_on(c.create_session_async(run(id)))
                } else {
                    c.create_session(run(id))
                }
            };
            let label = format!("{scheme:?} async={asynchronous}");
            let c = client("conflict_other_id", scheme, quick_retries(2));
            let id = fresh_id("mine");
            let e = match create(&c, &id) {
                Ok(s) => panic!("{label}: returned another session: {:?}", s.value),
                Err(e) => e,
            };
            assert_eq!(e.kind(), ErrorKind::Conflict, "{label}: {e}");
            let details = e.details().unwrap_or("");
            assert!(
                details.contains(&id) && details.contains(&format!("other-{id}")),
                "{label}: details must name both ids: {details:?} ({e})"
            );
            assert!(
                e.attempts() <= 2,
                "{label}: attempts {} > max_attempts 2",
                e.attempts()
            );

            let c = client("conflict_same_id", scheme, quick_retries(2));
            let id = fresh_id("mine");
            let s = create(&c, &id).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(s.id, id, "{label}");
            assert!(
                s.attempts <= 2,
                "{label}: attempts {} > max_attempts 2",
                s.attempts
            );
        }
    }
}

// ------------------------------------------------------- 5. what must hold

/// A certificate that is self-signed, for another host or expired, and a
/// TLS 1.1 server: TLS error, and the listener never received a request.
#[test]
fn tls_failures_send_no_request() {
    let rt = runtime();
    for name in BAD_TLS {
        let before = server().counts(name, Scheme::Https);
        let c = client(name, Scheme::Https, RetryPolicy::never());
        let e = c.create_session(run("t")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Tls, "{name}: {e}");
        let e = rt
            .block_on(c.list_sessions_async(&ListFilter::default()))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Tls, "{name} async: {e}");
        let after = server().counts(name, Scheme::Https);
        assert!(
            after.connections > before.connections,
            "{name}: never connected"
        );
        assert_eq!(
            after.requests, before.requests,
            "{name}: a request was sent"
        );
    }
}

/// `Retry-After` values that are no number of seconds (words, negative,
/// fractions, 10^23, a past date, empty, hex): each retried after the
/// client's own backoff, and the create succeeds, quickly.
#[test]
fn nonsense_retry_after_is_survived() {
    for scheme in BOTH {
        let attempts = NONSENSE_RETRY_AFTER.len() as u32 + 1;
        let c = client("retry_after_nonsense", scheme, quick_retries(attempts));
        let started = Instant::now();
        let s = c.create_session(run(&fresh_id("ra"))).unwrap();
        assert_eq!(s.attempts, attempts, "{scheme:?}");
        let took = started.elapsed();
        assert!(took < Duration::from_secs(4), "{scheme:?}: took {took:?}");
    }
}

/// Slow headers end with the request timeout; huge and endless ones are
/// refused without reading them all.
#[test]
fn slow_huge_and_endless_headers_are_bounded() {
    for scheme in BOTH {
        let c = Client::new(
            config("slow_headers", scheme)
                .retry(RetryPolicy::never())
                .request_timeout(Duration::from_millis(800)),
        )
        .unwrap();
        let started = Instant::now();
        let e = c.create_session(run("s")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{scheme:?}: {e}");
        assert!(started.elapsed() < Duration::from_secs(3));
        for name in ["huge_headers", "endless_headers"] {
            let c = client(name, scheme, RetryPolicy::never());
            let started = Instant::now();
            let e = c.create_session(run("h")).unwrap_err();
            assert_kind_in(&e, &[ErrorKind::Transport, ErrorKind::Decode]);
            let took = started.elapsed();
            assert!(took < Duration::from_secs(4), "{name} {scheme:?}: {took:?}");
        }
    }
}

/// Broken chunked encoding and conflicting `Content-Length` are refused;
/// a flood of `100 Continue` and an HTTP/1.0 body ended by the close are
/// read through to the real answer.
#[test]
fn broken_and_odd_framing() {
    for scheme in BOTH {
        for name in ["broken_chunked", "conflicting_content_length"] {
            let c = client(name, scheme, RetryPolicy::never());
            let e = c.create_session(run("f")).unwrap_err();
            assert_kind_in(&e, &[ErrorKind::Transport, ErrorKind::Decode]);
        }
        for name in ["continue_flood", "http10_close_delimited"] {
            let c = client(name, scheme, RetryPolicy::never());
            let id = fresh_id("f");
            let s = c
                .create_session(run(&id))
                .unwrap_or_else(|e| panic!("{name} {scheme:?}: {e}"));
            assert_eq!(s.id, id, "{name} {scheme:?}");
        }
    }
}

/// JSON nested 100,000 deep, a 10 MiB string, and a gzip body the client
/// did not ask for: refused as undecodable, and the client works after.
#[test]
fn hostile_bodies_are_refused() {
    for scheme in BOTH {
        for name in ["deep_json", "huge_string", "unasked_gzip"] {
            let c = client(name, scheme, RetryPolicy::never());
            let e = c.create_session(run("j")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode, "{name} {scheme:?}: {e}");
            // The next call on the same client is answered as well.
            let e = c.create_session(run("j")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode, "{name} {scheme:?} again: {e}");
        }
    }
}

/// 8 threads create at once against a server that never answers a create:
/// each ends with TIMEOUT within the request timeout, and the same client
/// then works (the listener answers other requests).
#[test]
fn a_server_that_never_answers_times_out_on_8_threads() {
    for scheme in BOTH {
        let c = Client::new(
            config("never_answers", scheme)
                .retry(RetryPolicy::never())
                .request_timeout(Duration::from_millis(500)),
        )
        .unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let c = &c;
                s.spawn(move || {
                    let started = Instant::now();
                    let e = c.create_session(run(&format!("n{t}"))).unwrap_err();
                    assert_eq!(e.kind(), ErrorKind::Timeout, "{scheme:?} thread {t}: {e}");
                    let took = started.elapsed();
                    assert!(
                        took < Duration::from_millis(2000),
                        "{scheme:?} {t}: {took:?}"
                    );
                });
            }
        });
        let listed = c.list_sessions(&ListFilter::default());
        assert!(
            listed.is_ok(),
            "{scheme:?} afterwards: {}",
            listed.unwrap_err()
        );
    }
}

/// `[::1]`, plain and TLS (the certificate names `::1`).
#[test]
fn ipv6_loopback_works() {
    if server().try_url("ok_v6", Scheme::Http).is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "no IPv6 loopback on this machine"
        );
        eprintln!("SKIPPED ipv6_loopback_works: no IPv6 loopback on this machine");
        return;
    }
    for scheme in BOTH {
        let c = client("ok_v6", scheme, RetryPolicy::never());
        assert!(c.base_url().contains("[::1]"), "{}", c.base_url());
        let id = fresh_id("v6");
        assert_eq!(c.create_session(run(&id)).unwrap().id, id, "{scheme:?}");
        assert_eq!(c.get_session(&id).unwrap().id, id, "{scheme:?}");
    }
}
