//! Hostile servers and hostile arguments over real HTTP: the request timeout
//! holds while a server drips an error body, path parameters are sent
//! literally (or refused), a huge declared `Content-Length` allocates
//! nothing, redirects are reported instead of followed, and a bad
//! `base_url` never echoes its credentials.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gameye_core::{
    Client, ClientConfig, ErrorKind, LogLevel, RetryPolicy, SessionRun, StopOptions,
};
use gameye_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule, DEFAULT_TOKEN};

/// A loopback HTTP server that answers every request with `response` and
/// closes the connection; it reports each request head (request line and
/// headers) and counts connections.
fn raw_server(response: Vec<u8>) -> (String, Receiver<String>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = channel();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            count.fetch_add(1, Ordering::SeqCst);
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let head = read_head(&mut conn);
            if tx.send(head).is_err() {
                return;
            }
            let _ = conn.write_all(&response);
        }
    });
    (url, rx, accepted)
}

fn read_head(conn: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn once() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    }
}

fn client_for(url: &str, timeout_ms: u64, retry: RetryPolicy) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(url)
            .request_timeout(Duration::from_millis(timeout_ms))
            .retry(retry),
    )
    .unwrap()
}

#[test]
fn the_request_timeout_holds_while_an_error_body_drips() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    // A 404 whose ~300-byte body arrives one byte per 100 ms: 30 s.
    emu.add_fault(FaultRule {
        path: Some("/logs".into()),
        ..FaultRule::always(FaultAction::SlowDrip {
            status: Some(404),
            chunk_bytes: None,
            interval_ms: None,
            bytes_per_second: None,
        })
    });
    let c = client_for(&emu.base_url(), 1000, once());
    let started = Instant::now();
    let e = c.logs("some-session").unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(took < Duration::from_millis(2500), "logs_get took {took:?}");

    let started = Instant::now();
    let e = c.follow_logs("some-session").unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(took < Duration::from_millis(2500), "follow took {took:?}");

    // With retries, each attempt is bounded the same way.
    let c = client_for(
        &emu.base_url(),
        500,
        RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(10),
            deadline: Duration::from_secs(30),
        },
    );
    let started = Instant::now();
    let e = c.logs("some-session").unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Timeout, 2), "{e}");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn a_dripping_logs_body_is_bounded_too() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client_for(&emu.base_url(), 1000, once());
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    emu.add_fault(FaultRule {
        path: Some("/logs".into()),
        ..FaultRule::always(FaultAction::SlowDrip {
            status: None,
            chunk_bytes: None,
            interval_ms: None,
            bytes_per_second: None,
        })
    });
    let started = Instant::now();
    let e = c.logs(&s.id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn control_characters_and_dot_segments_are_refused() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client_for(&emu.base_url(), 2000, once());
    let mut run = SessionRun::new("europe", "nginx");
    run.id = Some("victim".into());
    c.create_session(run).unwrap();

    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&lines);
    gameye_core::set_logger(
        LogLevel::Debug,
        Some(Arc::new(move |_, line: &str| {
            sink.lock().unwrap().push(line.to_owned())
        })),
    );
    for bad in [
        "victim\t",
        "victim\r",
        "victim\n",
        "victim\0",
        "\tvictim",
        "vic\u{7f}tim",
        "victim\u{85}",
        ".",
        "..",
    ] {
        for e in [
            c.stop_session(bad, StopOptions::default()).unwrap_err(),
            c.get_session(bad).unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{bad:?}: {e}");
            assert_eq!(e.violations()[0].field, "id", "{bad:?}");
            assert_eq!(e.attempts(), 0);
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
        }
        let e = c.available_locations(bad).unwrap_err();
        assert_eq!(e.violations()[0].field, "image", "{bad:?}");
        for (args, field) in [
            ([bad, "nginx", "v1"], "region"),
            (["eu", bad, "v1"], "image"),
            (["eu", "nginx", bad], "version"),
        ] {
            let e = c.tag_exists(args[0], args[1], args[2]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{bad:?}");
            assert_eq!(e.violations()[0].field, field, "{bad:?}");
        }
    }
    gameye_core::set_logger(LogLevel::Warn, None);
    for line in lines.lock().unwrap().iter() {
        assert!(
            !line.chars().any(char::is_control),
            "raw control in {line:?}"
        );
    }
    // The victim was never touched.
    let d = c.get_session("victim").unwrap();
    assert_eq!(d.status.as_str(), "running");
}

#[test]
fn every_other_value_is_exactly_one_encoded_segment() {
    let (url, heads, _) = raw_server(
        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
    );
    let c = client_for(&url, 2000, once());
    for (value, encoded) in [
        ("a/b", "a%2Fb"),
        ("../x", "..%2Fx"),
        ("...", "..."),
        ("a?b#c", "a%3Fb%23c"),
        ("100%", "100%25"),
        ("%2e%2e", "%252e%252e"),
        ("sp ace", "sp%20ace"),
        ("\\..", "%5C.."),
        ("é", "%C3%A9"),
    ] {
        let e = c.get_session(value).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{value:?}: {e}");
        let head = heads.recv_timeout(Duration::from_secs(5)).unwrap();
        let line = head.lines().next().unwrap();
        assert_eq!(
            line,
            format!("GET /session/{encoded} HTTP/1.1"),
            "{value:?}"
        );

        c.stop_session(value, StopOptions::default()).unwrap_err();
        let head = heads.recv_timeout(Duration::from_secs(5)).unwrap();
        let line = head.lines().next().unwrap();
        assert_eq!(line, format!("DELETE /session/{encoded} HTTP/1.1"));

        c.tag_exists(value, value, value).unwrap_err();
        let head = heads.recv_timeout(Duration::from_secs(5)).unwrap();
        let line = head.lines().next().unwrap();
        assert_eq!(
            line,
            format!("GET /tag/{encoded}/{encoded}/{encoded} HTTP/1.1")
        );
    }
}

#[test]
fn a_huge_declared_content_length_allocates_nothing() {
    let (url, _heads, _) = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000000000000000\r\nconnection: close\r\n\r\n{\"sessions\":["
            .to_vec(),
    );
    let c = Client::new(
        ClientConfig::from_json(&format!(
            r#"{{"token":"t","base_url":"{url}","max_response_bytes":{},"max_log_bytes":{},
                "retry":{{"max_attempts":1}}}}"#,
            usize::MAX,
            usize::MAX
        ))
        .unwrap(),
    )
    .unwrap();
    let e = c.list_sessions(&Default::default()).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Transport | ErrorKind::Decode),
        "{e}"
    );
    let e = c.logs("x").unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Transport | ErrorKind::Decode),
        "{e}"
    );
    // Under the default cap the declared length alone is refused.
    let c = client_for(&url, 2000, once());
    let e = c.list_sessions(&Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
}

#[test]
fn redirects_are_reported_not_followed() {
    let (target, _target_heads, contacted) = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\nconnection: close\r\n\r\n{\"sessions\":[]}"
            .to_vec(),
    );
    for status in [301, 302, 303, 307, 308] {
        let location = format!("{target}/session");
        let (url, _heads, _) = raw_server(
            format!(
                "HTTP/1.1 {status} Moved\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            .into_bytes(),
        );
        let c = client_for(&url, 2000, once());
        let e = c.list_sessions(&Default::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ClientError, "{status}: {e}");
        assert_eq!(e.http_status(), Some(status));
        assert_eq!(e.details(), Some(location.as_str()), "{e}");
        assert!(e.to_string().contains(&location), "{e}");
        // Streams too.
        let e = c.follow_logs("x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ClientError, "{status}: {e}");
    }
    assert_eq!(
        contacted.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
}

#[test]
fn a_bad_base_url_never_echoes_its_credentials() {
    for url in [
        "https://user:hunter2@exa mple.com",
        "https://user:hunter2@example.com:99999/x",
        "http://user:hunter2@[::1",
        "user:hunter2@example.com",
        "https://:hunter2@/",
        "https://user:hunter2@@example.com:x",
        "ftp://user:hunter2@example.com/",
    ] {
        let e =
            ClientConfig::from_json(&format!(r#"{{"token":"t","base_url":"{url}"}}"#)).unwrap_err();
        assert_eq!(e.violations()[0].field, "base_url", "{url}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("hunter2"), "{url}: {shown}");
        let e = Client::new(ClientConfig::new("t").base_url(url)).unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("hunter2"), "{url}: {shown}");
    }
}

/// The blocking fast path keeps its connection between calls (plain http).
/// A server that closes it after each answer, without saying so, costs a new
/// connection per call, never a failed call, even with no retries: the
/// closed connection is noticed before a request is written to it.
#[test]
fn a_kept_connection_the_server_closed_is_replaced() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (heads_tx, heads) = channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let head = read_head(&mut conn);
            let _ =
                conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"sessions\":[]}");
            // Closed before the test is told of the request, so before
            // the next call starts.
            drop(conn);
            if heads_tx.send(head).is_err() {
                return;
            }
        }
    });
    let c = client_for(&url, 2000, once());
    let host = url.trim_start_matches("http://");
    for i in 0..50 {
        let listed = c.list_sessions(&Default::default());
        assert!(listed.is_ok(), "call {i}: {}", listed.unwrap_err());
        let head = heads.recv().unwrap().to_ascii_lowercase();
        // What each request carries.
        for line in [
            "get /session http/1.1".to_owned(),
            format!("host: {host}"),
            "authorization: bearer ".to_owned(),
            "user-agent: gameye-rs/".to_owned(),
            "accept: */*".to_owned(),
        ] {
            assert!(head.contains(&line), "call {i}: no {line:?} in {head}");
        }
    }
}

/// An async call's connection is kept for the next call, and closed by
/// `close` (not left open until the client is dropped).
#[test]
fn close_closes_the_kept_connection_of_an_async_call() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (closed_tx, closed) = channel();
    std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        read_head(&mut conn);
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"sessions\":[]}");
        // Reports when the client closes the connection.
        let mut buf = [0u8; 64];
        let eof = matches!(conn.read(&mut buf), Ok(0));
        let _ = closed_tx.send(eof);
    });
    let c = client_for(&url, 2000, once());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(c.list_sessions_async(&Default::default()))
        .unwrap();
    assert!(
        closed.recv_timeout(Duration::from_millis(300)).is_err(),
        "the connection was not kept"
    );
    c.close();
    assert_eq!(closed.recv_timeout(Duration::from_secs(5)), Ok(true));
}
