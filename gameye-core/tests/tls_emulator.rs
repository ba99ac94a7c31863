//! The Rust client over https, against the emulator serving TLS with a test
//! CA (`gameye_emulator::tls::TestCa`) that the client trusts through
//! `ca_bundle`: every operation of the API, a client that does not trust
//! the CA, and TLS session resumption after the emulator closed an idle
//! connection. `endpoints.rs` checks each operation's answers in detail
//! over plain http; here each is sent once over https and its result
//! checked.

use std::path::PathBuf;
use std::time::Duration;

use gameye_core::{
    Client, ClientConfig, ErrorKind, ListFilter, RetryPolicy, SessionRun, SessionStatus,
    StopOptions, StopOutcome,
};
use gameye_emulator::tls::TestCa;
use gameye_emulator::{Emulator, EmulatorConfig, TlsStats, DEFAULT_TOKEN};

/// A directory of its own per test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("gameye-tls-emulator-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An https emulator and the path of its CA's PEM file.
fn tls_emulator(config: EmulatorConfig, dir: &TempDir) -> (Emulator, PathBuf) {
    let ca = TestCa::generate().unwrap();
    ca.write_to(&dir.0).unwrap();
    let emu = Emulator::start(EmulatorConfig {
        tls: Some(ca.tls_config()),
        ..config
    })
    .unwrap();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    (emu, dir.0.join("ca.pem"))
}

/// A client without retries (each call is one request), trusting the CA.
fn client(emu: &Emulator, ca: &PathBuf) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .ca_bundle(ca)
            .retry(RetryPolicy::never()),
    )
    .unwrap()
}

fn stats(emu: &Emulator) -> TlsStats {
    emu.tls_stats().expect("the emulator serves https")
}

#[test]
fn every_operation_over_https() {
    let dir = TempDir::new("every");
    let (emu, ca) = tls_emulator(EmulatorConfig::default(), &dir);
    let c = client(&emu, &ca);

    let mut run = SessionRun::new("europe", "nginx");
    run.id = Some("tls-1".into());
    let created = c.create_session(run).unwrap();
    assert_eq!((created.http_status, created.id.as_str()), (201, "tls-1"));

    let listed = c.list_sessions(&ListFilter::default()).unwrap();
    assert_eq!(
        listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["tls-1"]
    );
    let described = c.get_session("tls-1").unwrap();
    assert_eq!(described.status, SessionStatus::Running);

    let joined = c
        .join_players("tls-1", &["p1".into(), "p2".into()])
        .unwrap();
    assert_eq!(joined.count, 2);
    let left = c.leave_players(&["p1".into()]).unwrap();
    assert_eq!(left.count, 1);
    assert_eq!(c.get_session("tls-1").unwrap().players.joined, ["p2"]);

    let locations = c.available_locations("nginx").unwrap();
    assert!(locations.iter().any(|l| l.id == "europe"));
    assert!(c.tag_exists("europe", "nginx", "1.25").unwrap().value);
    assert!(!c.tag_exists("europe", "nginx", "9.9").unwrap().value);

    let stopped = c.stop_session("tls-1", StopOptions::default()).unwrap();
    assert_eq!(
        (stopped.value, stopped.http_status),
        (StopOutcome::Stopped, 204)
    );

    let text = c.logs("tls-1").unwrap();
    assert!(!text.is_empty());
    // The session is over: following ends after the lines there are.
    let lines: Vec<String> = c
        .follow_logs("tls-1")
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lines.join("\n").trim_end(), text.trim_end());

    let dest = dir.0.join("artifact.tar.gz");
    let got = c.download_artifact_to_file("tls-1", "/", &dest).unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(bytes.len() as u64, got.value);
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");

    // The async form goes the same way.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let all = ListFilter {
        all: true,
        ..ListFilter::default()
    };
    assert_eq!(rt.block_on(c.list_sessions_async(&all)).unwrap().len(), 1);

    let s = stats(&emu);
    assert!(s.handshakes >= 1, "{s:?}");
    assert_eq!(s.failed, 0, "{s:?}");
}

#[test]
fn a_client_that_does_not_trust_the_test_ca_is_refused() {
    let dir = TempDir::new("untrusted");
    let (emu, _ca) = tls_emulator(EmulatorConfig::default(), &dir);
    let strict = Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .retry(RetryPolicy::never()),
    )
    .unwrap();
    let e = strict.get_session("x").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert_eq!(emu.session_count(), 0);
    // Another test CA is no better than none.
    let other = TempDir::new("untrusted-other");
    TestCa::generate().unwrap().write_to(&other.0).unwrap();
    let e = client(&emu, &other.0.join("ca.pem"))
        .list_sessions(&ListFilter::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
}

#[test]
fn the_client_resumes_its_tls_session_after_the_emulator_closed_an_idle_connection() {
    let dir = TempDir::new("resume");
    let config = EmulatorConfig {
        idle_timeout_ms: Some(200),
        ..EmulatorConfig::default()
    };
    let (emu, ca) = tls_emulator(config, &dir);
    let c = client(&emu, &ca);
    assert!(c.list_sessions(&ListFilter::default()).unwrap().is_empty());
    let s = stats(&emu);
    assert_eq!((s.handshakes, s.resumed), (1, 0), "{s:?}");

    // Long enough for the emulator to close the idle connection and for
    // the client to see it closed.
    std::thread::sleep(Duration::from_millis(600));
    assert!(c.list_sessions(&ListFilter::default()).unwrap().is_empty());
    let s = stats(&emu);
    assert_eq!(
        (s.handshakes, s.resumed, s.failed),
        (2, 1, 0),
        "a second connection, and a resumed session: {s:?}"
    );
}
