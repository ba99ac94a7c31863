//! A server that echoes the request (its `Authorization` header) back never
//! makes the SDK show the token: not in an error's message, details or
//! other fields, its body or excerpt, `Display`, `Debug`, nor in a log
//! event. And a create recovered after a 409 returns only the session it
//! sent the id of, counting only its own attempts.
//! (Own test binary: the log sink is process-wide.)

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use gameye_core::{Client, ClientConfig, Error, ErrorKind, LogLevel, RetryPolicy, SessionRun};

const TOKEN: &str = "tok-SECRET-echo-5f1d2c";
/// A part of the token that must not show either (a cut-off echo).
const PART: &str = "SECR";

/// What the server saw of one request.
#[derive(Debug)]
struct Seen {
    line: String,
    authorization: String,
}

type Reply = Arc<dyn Fn(&Seen) -> Vec<u8> + Send + Sync>;

/// A loopback server answering its first `replies.len()` connections with
/// one reply each, built from the request it got, then closing.
fn serve(replies: Vec<Reply>) -> (String, Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for reply in replies {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let seen = read_request(&mut conn);
            let _ = conn.write_all(&reply(&seen));
            let _ = conn.flush();
            let _ = conn.shutdown(std::net::Shutdown::Write);
            let _ = tx.send(seen);
        }
    });
    (url, rx)
}

/// Reads the head and the `Content-Length` body (unread bytes would make
/// the close a reset, which the client may see before the reply).
fn read_request(conn: &mut TcpStream) -> Seen {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break got.len(),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&got[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let length: usize = header("content-length").parse().unwrap_or(0);
    let mut body = got.len() - head_end;
    while body < length {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => body += n,
        }
    }
    Seen {
        line: head.lines().next().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
    }
}

/// A whole response with `connection: close`.
fn response(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn client(url: &str, max_attempts: u32) -> Client {
    Client::new(
        ClientConfig::new(TOKEN)
            .base_url(url)
            .request_timeout(Duration::from_secs(5))
            .retry(RetryPolicy {
                max_attempts,
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(20),
                deadline: Duration::from_secs(20),
            }),
    )
    .unwrap()
}

/// Every log event of this test binary, from the first call on.
fn log_events() -> Arc<Mutex<Vec<String>>> {
    static EVENTS: Mutex<Option<Arc<Mutex<Vec<String>>>>> = Mutex::new(None);
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let events: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&events);
        gameye_core::set_logger(
            LogLevel::Trace,
            Some(Arc::new(move |_, line: &str| {
                sink.lock().unwrap().push(line.to_owned())
            })),
        );
        *EVENTS.lock().unwrap() = Some(events);
    });
    EVENTS.lock().unwrap().clone().unwrap()
}

/// Where `text` shows the token or a part of it, a line for `leaks`.
fn check_hidden(leaks: &mut Vec<String>, what: &str, text: &str) {
    if text.contains(TOKEN) || text.contains(PART) {
        leaks.push(format!("{what} shows the token: {text}"));
    }
}

/// Every text of `e` a caller (or a binding) can see.
fn check_error_hidden(leaks: &mut Vec<String>, case: &str, e: &Error) {
    check_hidden(leaks, &format!("{case}: Display"), &e.to_string());
    check_hidden(leaks, &format!("{case}: Debug"), &format!("{e:?}"));
    check_hidden(leaks, &format!("{case}: message"), e.message());
    for (name, field) in [
        ("details", e.details()),
        ("code", e.code()),
        ("identifier", e.identifier()),
        ("body_excerpt", e.body_excerpt()),
    ] {
        check_hidden(leaks, &format!("{case}: {name}"), field.unwrap_or_default());
    }
    let body = String::from_utf8_lossy(e.body().unwrap_or_default());
    check_hidden(leaks, &format!("{case}: body"), &body);
    for v in e.violations() {
        check_hidden(leaks, &format!("{case}: violation"), &format!("{v:?}"));
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        check_hidden(leaks, &format!("{case}: source"), &s.to_string());
        source = s.source();
    }
}

/// The four echoes of the issue, each a reply to any request.
fn echoes() -> Vec<(&'static str, ErrorKind, Reply)> {
    vec![
        (
            "401 JSON message",
            ErrorKind::Unauthorized,
            Arc::new(|seen: &Seen| {
                let a = &seen.authorization;
                let body = serde_json::json!({
                    "statusCode": 401,
                    "code": format!("BAD_TOKEN {a}"),
                    "message": format!("token not valid: {a}"),
                    "details": format!("you sent Authorization: {a}"),
                    "identifier": a,
                    "path": format!("/session?auth={a}"),
                    "violations": [{"field": "authorization", "description": a}],
                });
                response("401 Unauthorized", "", body.to_string().as_bytes())
            }),
        ),
        (
            "502 HTML page",
            ErrorKind::ServerError,
            Arc::new(|seen: &Seen| {
                // The echo sits at the excerpt's start, and again where
                // the excerpt's cut falls inside the token (after `PART`).
                let head = format!("<html><pre>{}\n", seen.authorization);
                let before_cut = "Authorization: Bearer tok-SECRET".len();
                let pad = "x".repeat(gameye_core::BODY_EXCERPT_LIMIT - head.len() - before_cut);
                let body = format!(
                    "{head}{pad}Authorization: {}\n</pre></html>",
                    seen.authorization
                );
                response(
                    "502 Bad Gateway",
                    "content-type: text/html\r\n",
                    body.as_bytes(),
                )
            }),
        ),
        (
            "302 Location",
            ErrorKind::ClientError,
            Arc::new(|seen: &Seen| {
                let token = seen.authorization.trim_start_matches("Bearer ");
                let headers = format!(
                    "location: https://login.example/?token={token}&h={}\r\n",
                    seen.authorization.replace(' ', "%20")
                );
                response("302 Found", &headers, b"")
            }),
        ),
        (
            "cut-off 201",
            ErrorKind::Decode,
            Arc::new(|seen: &Seen| {
                let token = seen.authorization.trim_start_matches("Bearer ");
                // The echo whole, then cut inside the token.
                let body = format!(
                    r#"{{"id":"s","echo":"{}","host":"{}"#,
                    seen.authorization,
                    &token[..token.find(PART).unwrap() + PART.len()]
                );
                response(
                    "201 Created",
                    "content-type: application/json\r\n",
                    body.as_bytes(),
                )
            }),
        ),
    ]
}

#[test]
fn an_echoed_token_is_redacted_from_every_error_of_every_call() {
    let events = log_events();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Every leak of every case, so that one run names them all.
    let mut leaks = Vec::new();
    for (case, kind, reply) in echoes() {
        // The same reply for: a blocking create, an async create, a blocking
        // get, and the blocking streams (a followed log, an artifact), which
        // take another path (`block_on_shared`).
        let (url, seen) = serve(vec![reply.clone(); 5]);
        let c = client(&url, 1);
        let mut errors = vec![
            c.create_session(SessionRun::new("europe", "nginx"))
                .unwrap_err(),
            runtime
                .block_on(c.create_session_async(SessionRun::new("europe", "nginx")))
                .unwrap_err(),
            c.get_session("some-id").unwrap_err(),
        ];
        // A 2xx head opens a stream (the cut-off 201 is a body the caller
        // reads): only the other echoes are errors there.
        if kind != ErrorKind::Decode {
            errors.push(c.follow_logs("some-id").unwrap_err());
            errors.push(c.open_artifact("some-id", "/a.log").unwrap_err());
        }
        for e in &errors {
            // The server did echo it: the test sees what it must hide.
            let got = seen.recv_timeout(Duration::from_secs(5)).unwrap();
            assert_eq!(got.authorization, format!("Bearer {TOKEN}"), "{case}");
            assert_eq!(e.kind(), kind, "{case}: {e}");
            check_error_hidden(&mut leaks, case, e);
            if !e.to_string().contains("<redacted>") {
                leaks.push(format!("{case}: the echo is not marked: {e}"));
            }
        }
        if case == "302 Location" {
            // The Location stays readable around the token.
            let details = errors[0].details().unwrap();
            if !details.starts_with("https://login.example/?token=<redacted>&h=") {
                leaks.push(format!("{case}: details {details}"));
            }
        }
    }
    let events = events.lock().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.contains("GET /session/some-id -> 401")),
        "events were captured: {events:?}"
    );
    for e in events.iter() {
        check_hidden(&mut leaks, "log event", e);
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

/// A description with `id`, as `GET /session/{id}` gives it.
fn described(id: &str, host: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "id": id, "image": "nginx", "location": "europe", "host": host,
        "created": 1_700_000_000_000_i64, "port": {"7777/udp": 49000},
        "status": "running", "labels": {}, "players": {"joined": [], "joinedCount": 0},
    });
    response(
        "200 OK",
        "content-type: application/json\r\n",
        body.to_string().as_bytes(),
    )
}

fn status_only(status: &'static str) -> Reply {
    Arc::new(move |_: &Seen| response(status, "content-type: application/json\r\n", b"{}"))
}

/// `max_attempts - 1` answers of 503, then 409 for the replay, then
/// `description` for the describe that follows.
fn lost_create(max_attempts: u32, description: Reply) -> (String, Receiver<Seen>) {
    let mut replies: Vec<Reply> = (1..max_attempts)
        .map(|_| status_only("503 Service Unavailable"))
        .collect();
    replies.push(status_only("409 Conflict"));
    replies.push(description);
    serve(replies)
}

#[test]
fn a_409_recovery_returning_another_sessions_id_is_a_conflict() {
    let (url, seen) = lost_create(
        2,
        Arc::new(|_: &Seen| described("someone-elses-session", "10.9.8.7")),
    );
    let mut run = SessionRun::new("europe", "nginx");
    run.id = Some("my-session".into());
    let e = client(&url, 2).create_session(run).unwrap_err();
    // 503, 409, describe.
    let lines: Vec<String> = (0..3)
        .map(|_| seen.recv_timeout(Duration::from_secs(5)).unwrap().line)
        .collect();
    assert!(
        lines[2].starts_with("GET /session/my-session "),
        "{lines:?}"
    );
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let details = e.details().unwrap_or_default();
    assert!(
        details.contains("my-session") && details.contains("someone-elses-session"),
        "the details name both ids: {details}"
    );
    assert!(e.to_string().contains("someone-elses-session"), "{e}");
    assert_eq!(e.attempts(), 2, "{e}");
}

#[test]
fn a_recovered_create_counts_its_own_attempts_only() {
    for max_attempts in [2, 3] {
        let (url, seen) = lost_create(
            max_attempts,
            Arc::new(|seen: &Seen| {
                let id = seen
                    .line
                    .split(' ')
                    .nth(1)
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap();
                described(id, "1.2.3.4")
            }),
        );
        let mut run = SessionRun::new("europe", "nginx");
        run.id = Some("mine".into());
        let s = client(&url, max_attempts).create_session(run).unwrap();
        for _ in 0..=max_attempts {
            seen.recv_timeout(Duration::from_secs(5)).unwrap();
        }
        assert_eq!((s.id.as_str(), s.host.as_str()), ("mine", "1.2.3.4"));
        // The describe is a request of its own, not an attempt of the create.
        assert_eq!(s.attempts, max_attempts, "max_attempts {max_attempts}");
    }
}
