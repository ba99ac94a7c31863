//! `Client::create_session` over real HTTP: against the emulator for the
//! API's statuses, and against raw loopback sockets for transport failures.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use gameye_core::{Client, ClientConfig, ErrorKind, Protocol, RetryPolicy, SessionRun};
use gameye_emulator::{
    Emulator, EmulatorConfig, FaultAction, FaultRule, LocationConfig, TokenConfig, DEFAULT_TOKEN,
};

fn emulator() -> Emulator {
    let mut config = EmulatorConfig::default();
    config.tokens.push(TokenConfig {
        scopes: vec!["session:read".into()],
        ..TokenConfig::new("read-only")
    });
    config.tokens.push(TokenConfig {
        quota: Some(1),
        ..TokenConfig::new("quota-1")
    });
    config.locations.retain(|l| l.id != "europe");
    config
        .locations
        .push(LocationConfig::new("europe", 100_000));
    config.locations.push(LocationConfig::new("full", 0));
    Emulator::start(config).expect("emulator starts")
}

/// A client without retries: these tests check how each answer maps, once.
fn client(emu: &Emulator, token: &str) -> Client {
    Client::new(
        ClientConfig::new(token)
            .base_url(emu.base_url())
            .retry(RetryPolicy::never()),
    )
    .unwrap()
}

fn on_image(image: &str, action: FaultAction) -> FaultRule {
    FaultRule {
        image: Some(image.into()),
        ..FaultRule::always(action)
    }
}

#[test]
fn creates_with_generated_and_given_ids() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert_eq!(s.http_status, 201);
    let id = uuid::Uuid::parse_str(&s.id).expect("generated id is a UUID");
    assert_eq!(id.get_version_num(), 4);
    assert_eq!(s.host, "127.0.0.1");
    assert_eq!(s.ports.len(), 1);
    assert_eq!(
        (s.ports[0].protocol.clone(), s.ports[0].container),
        (Protocol::Tcp, 80)
    );
    assert!(String::from_utf8_lossy(&s.body).contains(&s.id));

    let mut req = SessionRun::new("europe", "my-game");
    req.id = Some("given".into());
    req.env = Some([("K".to_string(), "v".to_string())].into());
    req.args = Some(vec!["--max=8".into()]);
    req.labels = Some([("q".to_string(), "1".to_string())].into());
    req.version = Some("1.0.0".into());
    req.ttl = Some("1h".into());
    req.restart = Some(true);
    req.external_id = Some("ext".into());
    let s = c.create_session(req.clone()).unwrap();
    assert_eq!(s.id, "given");
    assert_eq!(s.ports.len(), 2);
    let hosts: HashSet<u16> = s.ports.iter().map(|p| p.host).collect();
    assert_eq!(hosts.len(), 2, "distinct host ports");

    let e = c.create_session(req).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.http_status(), Some(409));
    let api = e.api().expect("ErrorResponse kept");
    assert_eq!(api.status_code, Some(409));
    assert!(api.code.is_some() && api.message.is_some() && api.details.is_some());
    assert_eq!(api.path.as_deref(), Some("/session"));
    assert!(api.timestamp.is_some() && api.identifier.is_some());
    assert_eq!(emu.session_count(), 2);
}

#[test]
fn every_api_status_has_its_kind() {
    let emu = emulator();
    emu.add_fault(on_image(
        "boom",
        FaultAction::Status {
            status: 503,
            retry_after: Some(7),
        },
    ));
    emu.add_fault(on_image(
        "teapot",
        FaultAction::Status {
            status: 418,
            retry_after: None,
        },
    ));
    let c = client(&emu, DEFAULT_TOKEN);
    let create =
        |c: &Client, loc: &str, img: &str| c.create_session(SessionRun::new(loc, img)).unwrap_err();

    assert_eq!(
        create(&client(&emu, "nope"), "europe", "nginx").kind(),
        ErrorKind::Unauthorized
    );
    assert_eq!(
        create(&client(&emu, "read-only"), "europe", "nginx").kind(),
        ErrorKind::Forbidden
    );
    let quota = client(&emu, "quota-1");
    quota
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert_eq!(
        create(&quota, "europe", "nginx").kind(),
        ErrorKind::QuotaExhausted
    );
    assert_eq!(create(&c, "atlantis", "nginx").kind(), ErrorKind::NotFound);
    assert_eq!(create(&c, "europe", "no-such").kind(), ErrorKind::NotFound);
    let mut tagged = SessionRun::new("europe", "nginx");
    tagged.version = Some("0.0.0".into());
    assert_eq!(
        c.create_session(tagged).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(create(&c, "full", "nginx").kind(), ErrorKind::NoCapacity);
    let mut long = SessionRun::new("europe", "nginx");
    long.ttl = Some("48h".into());
    let e = c.create_session(long).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidSyntax);
    assert_eq!(e.violations()[0].field, "ttl");
    let e = create(&c, "europe", "boom");
    assert_eq!(
        (e.kind(), e.http_status()),
        (ErrorKind::ServerError, Some(503))
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    let e = create(&c, "europe", "teapot");
    assert_eq!(
        (e.kind(), e.http_status()),
        (ErrorKind::ClientError, Some(418))
    );
}

#[test]
fn odd_bodies_are_handled() {
    let emu = emulator();
    emu.add_fault(on_image("nginx", FaultAction::OmitId));
    emu.add_fault(on_image("my-game", FaultAction::HtmlBody { status: 201 }));
    let c = client(&emu, DEFAULT_TOKEN);
    let mut req = SessionRun::new("europe", "nginx");
    req.id = Some("sent-id".into());
    let s = c.create_session(req).unwrap();
    assert_eq!(s.id, "sent-id", "201 without id falls back to the sent id");
    assert!(!String::from_utf8_lossy(&s.body).contains("sent-id"));

    let e = c
        .create_session(SessionRun::new("europe", "my-game"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.body_excerpt().unwrap().contains("<html"), "{e}");
}

#[test]
fn invalid_requests_are_not_sent() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    let mut req = SessionRun::new("", "nginx");
    req.ttl = Some("1 hour".into());
    let e = c.create_session(req).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let fields: Vec<_> = e.violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["location", "ttl"]);
    assert_eq!(emu.session_count(), 0);
}

#[test]
fn async_create_works_from_another_runtime() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ids: Vec<String> = rt.block_on(async {
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move {
                    c.create_session_async(SessionRun::new("europe", "nginx"))
                        .await
                        .map(|s| s.into_inner().id)
                })
            })
            .collect();
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap().unwrap());
        }
        ids
    });
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 20);
    // The blocking call also works from inside a runtime (it must not panic).
    let s = rt.block_on(async { c.create_session(SessionRun::new("europe", "nginx")) });
    assert!(s.is_ok());
}

/// Accepts one connection on loopback and answers it with `reply` (after
/// reading the request head), returning the port and the request it read.
fn one_shot_server(reply: Vec<u8>) -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = sock.write_all(&reply);
        let _ = sock.flush();
        std::thread::sleep(Duration::from_millis(100));
        String::from_utf8_lossy(&got).into_owned()
    });
    (port, handle)
}

fn http_reply(status: &str, body: &[u8]) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(body);
    reply
}

#[test]
fn sends_token_user_agent_and_json() {
    let reply = http_reply("201 Created", br#"{"id":"x","host":"h","ports":[]}"#);
    let (port, server) = one_shot_server(reply);
    let c = Client::new(
        ClientConfig::new("tok-123").base_url(format!("http://127.0.0.1:{port}/prefix/")),
    )
    .unwrap();
    c.create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    let request = server.join().unwrap().to_ascii_lowercase();
    assert!(
        request.starts_with("post /prefix/session http/1.1"),
        "{request}"
    );
    assert!(request.contains("authorization: bearer tok-123"));
    assert!(request.contains(&format!(
        "user-agent: gameye-rs/{}",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(request.contains("content-type: application/json"));
}

#[test]
fn oversized_body_fails_cleanly() {
    let (port, _server) = one_shot_server(http_reply("201 Created", &vec![b'x'; 2 << 20]));
    let c =
        Client::new(ClientConfig::new("t").base_url(format!("http://127.0.0.1:{port}"))).unwrap();
    let e = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("limit"), "{e}");
}

#[test]
fn transport_failures_are_distinguished() {
    // Connect: nothing listens on a just-closed port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c =
        Client::new(ClientConfig::new("t").base_url(format!("http://127.0.0.1:{port}"))).unwrap();
    let e = c.create_session(SessionRun::new("e", "i")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");

    // TLS: a plain-text server behind an https URL.
    let (port, _server) = one_shot_server(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec());
    let c =
        Client::new(ClientConfig::new("t").base_url(format!("https://127.0.0.1:{port}"))).unwrap();
    let e = c.create_session(SessionRun::new("e", "i")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");

    // Timeout: the emulator never answers.
    let emu = emulator();
    emu.add_fault(FaultRule::always(FaultAction::Stall));
    let c = Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .request_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let started = Instant::now();
    let e = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(e.http_status(), None);
}

#[test]
fn one_client_shared_by_threads() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                s.spawn(move || {
                    (0..25)
                        .map(|_| {
                            c.create_session(SessionRun::new("europe", "nginx"))
                                .unwrap()
                                .into_inner()
                                .id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 200);
    assert_eq!(emu.session_count(), 200);
}
