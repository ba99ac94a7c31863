//! Fault injection, as a client sees it.

mod common;

use std::time::{Duration, Instant};

use common::{assert_error, Client};
use gameye_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule};
use serde_json::json;

fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig::default()).expect("start");
    let c = Client::new(emu.addr());
    (emu, c)
}

fn run_nginx(c: &Client) -> common::Resp {
    c.run(json!({"location": "europe", "image": "nginx"}))
}

fn rule(method: Option<&str>, path: Option<&str>, action: FaultAction) -> FaultRule {
    FaultRule {
        method: method.map(str::to_string),
        path: path.map(str::to_string),
        image: None,
        times: None,
        action,
    }
}

#[test]
fn status_fault_answers_without_handling() {
    let (emu, c) = start();
    let mut r = rule(
        Some("POST"),
        Some("/session"),
        FaultAction::Status {
            status: 503,
            retry_after: Some(7),
        },
    );
    r.times = Some(2);
    emu.add_fault(r);
    for _ in 0..2 {
        let resp = run_nginx(&c);
        assert_error(&resp, 503, "SERVICE_UNAVAILABLE", "/session");
        assert_eq!(resp.header("retry-after"), Some("7"));
    }
    assert_eq!(emu.session_count(), 0);
    // Used up: normal handling again.
    assert_eq!(run_nginx(&c).status, 201);
    // Other methods and paths were never affected.
    assert_eq!(c.get("/session").status, 200);
}

#[test]
fn status_fault_fires_before_auth() {
    let (emu, _) = start();
    emu.add_fault(rule(
        None,
        None,
        FaultAction::Status {
            status: 429,
            retry_after: None,
        },
    ));
    let anon = Client::with_token(emu.addr(), None);
    let resp = anon.get("/anything");
    assert_error(&resp, 429, "TOO_MANY_REQUESTS", "/anything");
    assert_eq!(resp.header("retry-after"), None);
}

#[test]
fn latency_fault_delays_then_handles() {
    let (emu, c) = start();
    emu.add_fault(rule(
        None,
        Some("/session"),
        FaultAction::Latency { ms: 300 },
    ));
    let t = Instant::now();
    assert_eq!(run_nginx(&c).status, 201);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(emu.session_count(), 1);
    // Prefix rules leave non-matching paths fast.
    let t = Instant::now();
    assert_eq!(c.get("/nope").status, 404);
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[test]
fn omit_id_fault_drops_id_but_creates_session() {
    let (emu, c) = start();
    let mut r = rule(None, None, FaultAction::OmitId);
    r.times = Some(1);
    emu.add_fault(r);
    let resp = run_nginx(&c);
    assert_eq!(resp.status, 201);
    let v = resp.json();
    assert!(v.get("id").is_none(), "{v}");
    assert_eq!(v["host"], "127.0.0.1");
    assert_eq!(v["ports"].as_array().unwrap().len(), 1);
    assert_eq!(emu.session_count(), 1);
    assert!(run_nginx(&c).json()["id"].is_string());
}

#[test]
fn html_body_fault() {
    let (emu, c) = start();
    emu.add_fault(rule(None, None, FaultAction::HtmlBody { status: 502 }));
    let resp = run_nginx(&c);
    assert_eq!(resp.status, 502);
    assert_eq!(resp.header("content-type"), Some("text/html"));
    assert!(resp.text().contains("<html>"));
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.body).is_err());
    assert_eq!(emu.session_count(), 0);
}

#[test]
fn malformed_json_fault() {
    let (emu, c) = start();
    emu.add_fault(rule(None, None, FaultAction::MalformedJson { status: 201 }));
    let resp = run_nginx(&c);
    assert_eq!(resp.status, 201);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert!(!resp.body.is_empty());
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.body).is_err());
    emu.clear_faults();
    assert_eq!(run_nginx(&c).status, 201);
}

#[test]
fn stall_fault_never_answers_and_does_not_block_shutdown() {
    let (emu, c) = start();
    emu.add_fault(rule(None, Some("/session/*"), FaultAction::Stall));
    let err = common::send(
        c.addr,
        "GET",
        "/session/x",
        &[],
        None,
        Duration::from_millis(300),
    )
    .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    // A request still stalled (the client has not given up) must not hold
    // up shutdown.
    let addr = c.addr;
    let stalled = std::thread::spawn(move || {
        common::send(addr, "GET", "/session/y", &[], None, Duration::from_secs(5))
    });
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    emu.shutdown();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The stalled client gets a 503 or a closed connection, not a hang.
    if let Ok(resp) = stalled.join().unwrap() {
        assert_eq!(resp.status, 503);
    }
}

#[test]
fn image_rule_matches_only_that_image() {
    let (emu, c) = start();
    emu.add_fault(FaultRule {
        method: Some("POST".into()),
        path: Some("/session".into()),
        image: Some("my-game".into()),
        times: None,
        action: FaultAction::Status {
            status: 500,
            retry_after: None,
        },
    });
    assert_eq!(run_nginx(&c).status, 201);
    let resp = c.run(json!({"location": "europe", "image": "my-game"}));
    assert_error(&resp, 500, "INTERNAL_SERVER_ERROR", "/session");
    // A body that is not JSON has no image, so the rule does not match it.
    assert_eq!(c.post("/session", "nope").status, 422);
}

#[test]
fn first_matching_rule_wins_in_order() {
    let (emu, c) = start();
    let mut first = rule(
        Some("GET"),
        None,
        FaultAction::Status {
            status: 500,
            retry_after: None,
        },
    );
    first.times = Some(1);
    emu.add_fault(first);
    emu.add_fault(rule(
        None,
        None,
        FaultAction::Status {
            status: 502,
            retry_after: None,
        },
    ));
    assert_eq!(c.get("/session").status, 500);
    assert_eq!(c.get("/session").status, 502);
    assert_eq!(run_nginx(&c).status, 502);
    emu.clear_faults();
    assert_eq!(c.get("/session").status, 200);
}

#[test]
fn faults_from_config_json() {
    let config = EmulatorConfig::from_json_str(
        r#"{"faults": [
            {"method": "DELETE", "path": "/session/*", "times": 1,
             "action": {"kind": "status", "status": 503, "retry_after": 1}}
        ]}"#,
    )
    .unwrap();
    let emu = Emulator::start(config).unwrap();
    let c = Client::new(emu.addr());
    let id = run_nginx(&c).json()["id"].as_str().unwrap().to_string();
    let path = format!("/session/{id}");
    assert_error(&c.delete(&path), 503, "SERVICE_UNAVAILABLE", &path);
    assert_eq!(c.delete(&path).status, 204);
}
