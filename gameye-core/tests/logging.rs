//! The log hook: events arrive at the level set, and never carry the token
//! or `env` values. (Own test binary: the sink is process-wide.)

use std::sync::{Arc, Mutex};

use gameye_core::{set_logger, Client, ClientConfig, LogLevel, SessionRun};
use gameye_emulator::{Emulator, EmulatorConfig, TokenConfig};

#[test]
fn events_at_every_level_without_secrets() {
    let mut config = EmulatorConfig::default();
    config.tokens.push(TokenConfig::new("s3cr3t-token-value"));
    let emu = Emulator::start(config).unwrap();
    let lines: Arc<Mutex<Vec<(LogLevel, String)>>> = Arc::default();
    let sink = Arc::clone(&lines);
    set_logger(
        LogLevel::Trace,
        Some(Arc::new(move |level, msg: &str| {
            sink.lock().unwrap().push((level, msg.to_owned()))
        })),
    );
    let c = Client::new(ClientConfig::new("s3cr3t-token-value").base_url(emu.base_url())).unwrap();
    let mut run = SessionRun::new("europe", "nginx");
    run.env = Some([("PASSWORD".to_string(), "hunter2-env-value".to_string())].into());
    c.create_session(run).unwrap();
    c.get_session("missing").unwrap_err();
    let bad = Client::new(ClientConfig::new("t").base_url("http://127.0.0.1:1")).unwrap();
    bad.create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();

    let got = lines.lock().unwrap().clone();
    let has =
        |level: LogLevel, needle: &str| got.iter().any(|(l, m)| *l == level && m.contains(needle));
    assert!(
        has(LogLevel::Debug, "request start: POST /session"),
        "{got:?}"
    );
    assert!(
        has(LogLevel::Info, "request end: POST /session -> 201 in"),
        "{got:?}"
    );
    assert!(
        has(LogLevel::Info, "GET /session/missing -> 404"),
        "{got:?}"
    );
    assert!(
        has(LogLevel::Error, "request failed: POST /session"),
        "{got:?}"
    );
    for (_, m) in &got {
        assert!(
            !m.contains("s3cr3t") && !m.contains("hunter2"),
            "secret in log: {m}"
        );
    }

    // A higher threshold filters; None turns logging off.
    lines.lock().unwrap().clear();
    let sink = Arc::clone(&lines);
    set_logger(
        LogLevel::Error,
        Some(Arc::new(move |l, m: &str| {
            sink.lock().unwrap().push((l, m.to_owned()))
        })),
    );
    c.create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert!(lines.lock().unwrap().is_empty());
    set_logger(LogLevel::Trace, None);
    bad.create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert!(lines.lock().unwrap().is_empty());
}
