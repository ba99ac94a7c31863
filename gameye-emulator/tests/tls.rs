//! The emulator over https: it serves requests to a client that trusts only
//! its test CA; a client that connects and says nothing holds up no one and
//! is dropped after the handshake timeout; resumed handshakes are counted;
//! idle connections are closed; faults that drop a connection send no TLS
//! record; the binary's `--tls-test-ca` and `--tls-cert`/`--tls-key`.
//!
//! The client is rustls itself over a blocking `TcpStream`, not the SDK's
//! client, which these tests exist to check.

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TIMEOUT;
use gameye_emulator::tls::TestCa;
use gameye_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule, TlsStats, DEFAULT_TOKEN};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, StreamOwned};

type Tls = StreamOwned<ClientConnection, TcpStream>;

/// A client config that trusts only the CA in `ca_pem`. One config keeps
/// its TLS sessions, so connections made with it can resume.
fn trusting(ca_pem: &str) -> Arc<ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    // As browsers and curl do: h2 first; the emulator must pick http/1.1.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

fn connect(addr: SocketAddr, config: &Arc<ClientConfig>, name: &str) -> Tls {
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).unwrap();
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(TIMEOUT)).unwrap();
    let name = ServerName::try_from(name.to_string()).unwrap();
    StreamOwned::new(
        ClientConnection::new(Arc::clone(config), name).unwrap(),
        tcp,
    )
}

fn start(config: EmulatorConfig) -> (Emulator, TestCa) {
    let ca = TestCa::generate().unwrap();
    let emu = Emulator::start(EmulatorConfig {
        tls: Some(ca.tls_config()),
        control: true,
        ..config
    })
    .unwrap();
    (emu, ca)
}

/// Sends one keep-alive request and reads its response (a `Content-Length`
/// body); returns the status and the body.
fn exchange(tls: &mut Tls, method: &str, path: &str, body: &str) -> (u16, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(req.as_bytes()).unwrap();
    tls.flush().unwrap();
    let mut reader = BufReader::new(tls);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

/// Reads until the connection ends; returns what arrived and how it ended.
fn read_to_end(tls: &mut Tls) -> (Vec<u8>, std::io::Result<usize>) {
    let mut got = Vec::new();
    let end = tls.read_to_end(&mut got);
    (got, end)
}

fn stats(emu: &Emulator) -> TlsStats {
    emu.tls_stats().expect("the emulator serves https")
}

#[test]
fn serves_https_to_a_client_that_trusts_only_the_test_ca() {
    let (emu, ca) = start(EmulatorConfig::default());
    let url = emu.base_url();
    assert_eq!(url, format!("https://{}", emu.addr()));
    let config = trusting(&ca.ca_pem);
    for name in ["127.0.0.1", "localhost"] {
        let mut tls = connect(emu.addr(), &config, name);
        let (status, body) = exchange(
            &mut tls,
            "POST",
            "/session",
            r#"{"location":"europe","image":"nginx"}"#,
        );
        assert_eq!(status, 201, "{body}");
        let (status, body) = exchange(&mut tls, "GET", "/session", "");
        assert_eq!(status, 200, "{body}");
        assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
        assert_eq!(
            tls.conn.protocol_version(),
            Some(rustls::ProtocolVersion::TLSv1_3)
        );
    }
    assert_eq!(emu.session_count(), 2);

    // The control endpoint over https reports the same counts.
    let mut tls = connect(emu.addr(), &config, "127.0.0.1");
    let (status, body) = exchange(&mut tls, "GET", "/_emulator/tls", "");
    assert_eq!(status, 200);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["tls"], true);
    assert_eq!(report["handshakes"], stats(&emu).handshakes);
    assert_eq!(report["failed"], 0);

    // Another CA's certificate is refused by the client, and the server
    // counts the failed handshake.
    let stranger = TestCa::generate().unwrap();
    let mut tls = connect(emu.addr(), &trusting(&stranger.ca_pem), "127.0.0.1");
    let e = tls.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
    // A name the certificate does not hold is refused too.
    let mut tls = connect(emu.addr(), &config, "example.com");
    assert!(tls.write_all(b"GET / HTTP/1.1\r\n\r\n").is_err());
    // Plain http to the https port gets no HTTP answer.
    let plain = common::raw_exchange(
        emu.addr(),
        &common::request_text(emu.addr(), "GET", "/session", None),
        TIMEOUT,
    );
    assert!(!plain.bytes.starts_with(b"HTTP/"), "{:?}", plain.bytes);
    wait_until(|| stats(&emu).failed == 3, "three failed handshakes");
    assert_eq!(stats(&emu).handshakes, 3);
}

#[test]
fn plain_emulators_report_no_tls() {
    let emu = Emulator::start(EmulatorConfig {
        control: true,
        ..EmulatorConfig::default()
    })
    .unwrap();
    assert!(emu.base_url().starts_with("http://"));
    assert_eq!(emu.tls_stats(), None);
    let r = common::Client::new(emu.addr()).get("/_emulator/tls");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        serde_json::json!({"tls": false, "handshakes": 0, "resumed": 0, "failed": 0})
    );
}

#[test]
fn a_silent_client_holds_up_no_one_and_is_dropped_after_the_handshake_timeout() {
    let ca = TestCa::generate().unwrap();
    let timeout = Duration::from_secs(3);
    let mut tls = ca.tls_config();
    tls.handshake_timeout = timeout;
    let emu = Emulator::start(EmulatorConfig {
        tls: Some(tls),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let opened = Instant::now();
    let mut silent: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect_timeout(&emu.addr(), TIMEOUT).unwrap())
        .collect();

    // Were handshakes done on the accept path, this would wait for the
    // silent ones to time out first.
    let mut talker = connect(emu.addr(), &trusting(&ca.ca_pem), "127.0.0.1");
    let (status, _) = exchange(&mut talker, "GET", "/session", "");
    assert_eq!(status, 200);
    assert!(
        opened.elapsed() < timeout,
        "served only after {:?}",
        opened.elapsed()
    );

    // Each silent connection is closed after the timeout, not before.
    for s in &mut silent {
        s.set_read_timeout(Some(timeout + TIMEOUT)).unwrap();
        let mut buf = [0u8; 16];
        let end = loop {
            match s.read(&mut buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                end => break end,
            }
        };
        assert!(
            matches!(end, Ok(0)),
            "closed without a byte: {end:?} after {:?}",
            opened.elapsed()
        );
    }
    assert!(opened.elapsed() >= timeout, "{:?}", opened.elapsed());
    let s = stats(&emu);
    assert_eq!((s.handshakes, s.failed), (1, 3), "{s:?}");
}

#[test]
fn idle_connections_are_closed_and_the_next_handshake_resumes() {
    let (emu, ca) = start(EmulatorConfig {
        idle_timeout_ms: Some(300),
        ..EmulatorConfig::default()
    });
    let config = trusting(&ca.ca_pem);
    let mut first = connect(emu.addr(), &config, "127.0.0.1");
    // Two requests on one connection: a kept-alive connection in use stays.
    for pause in [0, 100] {
        std::thread::sleep(Duration::from_millis(pause));
        assert_eq!(exchange(&mut first, "GET", "/session", "").0, 200);
    }
    assert!(!first.conn.is_handshaking());
    let idle_from = Instant::now();
    // Left idle, it is closed cleanly: close_notify, then the end.
    let (got, end) = read_to_end(&mut first);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(end.unwrap(), 0, "closed with close_notify");
    assert!(idle_from.elapsed() >= Duration::from_millis(250));
    assert_eq!(stats(&emu).resumed, 0);

    // A new connection from the same client resumes the TLS session.
    let mut second = connect(emu.addr(), &config, "127.0.0.1");
    assert_eq!(exchange(&mut second, "GET", "/session", "").0, 200);
    assert_eq!(
        second.conn.handshake_kind(),
        Some(rustls::HandshakeKind::Resumed)
    );
    let s = stats(&emu);
    assert_eq!((s.handshakes, s.resumed, s.failed), (2, 1, 0), "{s:?}");

    // A client with its own cache (no session to resume) does a full one.
    let mut third = connect(emu.addr(), &trusting(&ca.ca_pem), "127.0.0.1");
    assert_eq!(exchange(&mut third, "GET", "/session", "").0, 200);
    assert_eq!(
        third.conn.handshake_kind(),
        Some(rustls::HandshakeKind::Full)
    );
    assert_eq!(stats(&emu).resumed, 1);
}

#[test]
fn idle_plain_http_connections_are_closed_too() {
    let emu = Emulator::start(EmulatorConfig {
        idle_timeout_ms: Some(200),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let mut tcp = TcpStream::connect_timeout(&emu.addr(), TIMEOUT).unwrap();
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    let req = format!(
        "GET /session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\r\n"
    );
    tcp.write_all(req.as_bytes()).unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    tcp.read_to_end(&mut got).unwrap();
    assert!(got.starts_with(b"HTTP/1.1 200"), "{got:?}");
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(EmulatorConfig::from_json_str(r#"{"idle_timeout_ms":0}"#).is_err());
}

#[test]
fn faults_that_drop_a_connection_send_no_tls_record() {
    let (emu, ca) = start(EmulatorConfig::default());
    let config = trusting(&ca.ca_pem);
    for (reset, handled) in [(false, false), (true, false), (false, true)] {
        emu.clear_faults();
        emu.add_fault(FaultRule::always(if handled {
            FaultAction::LostResponse { reset }
        } else {
            FaultAction::DropConnection { reset }
        }));
        let before = emu.session_count();
        let mut tls = connect(emu.addr(), &config, "127.0.0.1");
        let body = r#"{"location":"europe","image":"nginx"}"#;
        let req = format!(
            "POST /session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        tls.write_all(req.as_bytes()).unwrap();
        let (got, end) = read_to_end(&mut tls);
        assert!(got.is_empty(), "not a byte of a response: {got:?}");
        let e = end.unwrap_err();
        // No close_notify (nor any alert): the end of the TCP stream, or a
        // reset when asked.
        let want = if reset {
            ErrorKind::ConnectionReset
        } else {
            ErrorKind::UnexpectedEof
        };
        assert_eq!(e.kind(), want, "reset {reset}: {e}");
        assert_eq!(emu.session_count(), before + usize::from(handled));
    }
    // A fault that cuts a body works over https as over http.
    emu.clear_faults();
    emu.add_fault(FaultRule::always(FaultAction::TruncatedBody {
        status: Some(503),
        bytes: Some(10),
    }));
    let mut tls = connect(emu.addr(), &config, "127.0.0.1");
    tls.write_all(b"GET /session HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (got, end) = read_to_end(&mut tls);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert_eq!(text.split("\r\n\r\n").nth(1).map(str::len), Some(10));
    assert!(end.is_err(), "cut short, no close_notify");
}

// ---- the binary ----

const BIN: &str = env!("CARGO_BIN_EXE_gameye-emulator");

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gameye-emulator-tls-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts the binary with `args` and a port file; returns it, its port and
/// its listening line.
fn spawn(args: &[&std::ffi::OsStr], dir: &Path, name: &str) -> (Guard, u16, String) {
    let port_file = dir.join(name);
    let child = Command::new(BIN)
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    let port = loop {
        if let Ok(s) = std::fs::read_to_string(&port_file) {
            break s.trim().parse().unwrap();
        }
        assert!(Instant::now() < deadline, "port file never appeared");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut line = String::new();
    BufReader::new(guard.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (guard, port, line.trim_end().to_string())
}

#[test]
fn the_binary_serves_https_with_a_test_ca_or_given_files() {
    let dir = temp_dir("bin");
    let ca_dir = dir.join("ca");
    let (guard, port, line) = spawn(
        &["--tls-test-ca".as_ref(), ca_dir.as_os_str()],
        &dir,
        "port1",
    );
    assert_eq!(
        line,
        format!("gameye-emulator listening on https://127.0.0.1:{port}")
    );
    // The CA was there by the time the port file was.
    let ca_pem = std::fs::read_to_string(ca_dir.join("ca.pem")).unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut tls = connect(addr, &trusting(&ca_pem), "localhost");
    assert_eq!(exchange(&mut tls, "GET", "/session", "").0, 200);
    drop(guard);

    // The files it wrote, given as --tls-cert and --tls-key.
    let (cert, key) = (ca_dir.join("cert.pem"), ca_dir.join("key.pem"));
    let (_guard, port, line) = spawn(
        &[
            "--tls-cert".as_ref(),
            cert.as_os_str(),
            "--tls-key".as_ref(),
            key.as_os_str(),
        ],
        &dir,
        "port2",
    );
    assert!(line.contains("https://"), "{line}");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut tls = connect(addr, &trusting(&ca_pem), "127.0.0.1");
    assert_eq!(exchange(&mut tls, "GET", "/session", "").0, 200);

    // Half a pair, or both kinds at once, is a usage error; a key that is
    // not one is named.
    let run = |args: &[&std::ffi::OsStr]| Command::new(BIN).args(args).output().unwrap();
    let out = run(&["--tls-cert".as_ref(), cert.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "--tls-test-ca".as_ref(),
        dir.join("x").as_os_str(),
        "--tls-cert".as_ref(),
        cert.as_os_str(),
        "--tls-key".as_ref(),
        key.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "--tls-cert".as_ref(),
        cert.as_os_str(),
        "--tls-key".as_ref(),
        cert.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("private key"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Polls `cond` for up to five seconds.
fn wait_until(cond: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + TIMEOUT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
