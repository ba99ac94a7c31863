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

fn with_times(mut r: FaultRule, times: u32) -> FaultRule {
    r.times = Some(times);
    r
}

fn post_session_raw(addr: std::net::SocketAddr, body: &str) -> common::Raw {
    let req = common::request_text(addr, "POST", "/session", Some(body));
    common::raw_exchange(addr, &req, TIMEOUT)
}

use common::TIMEOUT;

/// The connection ends with no status line: end of file or reset, never the
/// timeout.
fn assert_no_response(raw: &common::Raw) {
    assert!(
        raw.bytes.is_empty(),
        "got bytes: {:?}",
        String::from_utf8_lossy(&raw.bytes)
    );
    if let Err(e) = &raw.end {
        assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the connection was left open: {e:?}"
        );
    }
}

#[test]
fn drop_connection_closes_before_handling() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(
            Some("POST"),
            Some("/session"),
            FaultAction::DropConnection { reset: false },
        ),
        1,
    ));
    let body = json!({"id": "dropped", "location": "europe", "image": "nginx"}).to_string();
    let raw = post_session_raw(c.addr, &body);
    assert_no_response(&raw);
    assert!(raw.end.is_ok(), "expected a clean close: {:?}", raw.end);
    // Nothing was created: the retry is the first real attempt.
    assert_eq!(emu.session_count(), 0);
    assert_eq!(c.get("/session/dropped").status, 404);
    assert_eq!(c.post("/session", &body).status, 201);
}

#[test]
fn drop_connection_with_reset() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(None, None, FaultAction::DropConnection { reset: true }),
        1,
    ));
    let req = common::request_text(c.addr, "GET", "/session", None);
    let raw = common::raw_exchange(c.addr, &req, TIMEOUT);
    assert_no_response(&raw);
    let err = raw.end.expect_err("expected a reset");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err:?}");
    // The emulator itself carries on.
    assert_eq!(c.get("/session").status, 200);
}

#[test]
fn lost_response_creates_the_session_and_retry_meets_409() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(
            Some("POST"),
            Some("/session"),
            FaultAction::LostResponse { reset: false },
        ),
        1,
    ));
    let body = json!({"id": "lost-1", "location": "europe", "image": "nginx"}).to_string();
    let raw = post_session_raw(c.addr, &body);
    assert_no_response(&raw);
    // It was handled all the same.
    assert_eq!(emu.session_count(), 1);
    let got = c.get("/session/lost-1");
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.json()["status"], "running");
    // A client retrying with its own id learns it already exists.
    let retry = c.post("/session", &body);
    assert_error(&retry, 409, "SESSION_ID_CONFLICT", "/session");
    assert_eq!(emu.fault_hits(), 1);
}

#[test]
fn lost_response_on_stop_still_stops() {
    let (emu, c) = start();
    let id = run_nginx(&c).json()["id"].as_str().unwrap().to_string();
    let path = format!("/session/{id}");
    emu.add_fault(with_times(
        rule(
            Some("DELETE"),
            Some("/session/*"),
            FaultAction::LostResponse { reset: true },
        ),
        1,
    ));
    let req = common::request_text(c.addr, "DELETE", &path, None);
    let raw = common::raw_exchange(c.addr, &req, TIMEOUT);
    assert_no_response(&raw);
    assert_eq!(c.get(&path).json()["status"], "exited");
    // The retry finds it stopped already.
    assert_eq!(c.delete(&path).status, 409);
}

#[test]
fn truncated_body_after_handling() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(
            Some("POST"),
            Some("/session"),
            FaultAction::TruncatedBody {
                status: None,
                bytes: None,
            },
        ),
        1,
    ));
    let body = json!({"id": "cut", "location": "europe", "image": "nginx"}).to_string();
    let raw = post_session_raw(c.addr, &body);
    let (status, headers, got) = raw.head_and_body().expect("a whole head");
    assert_eq!(status, 201);
    let len: usize = header(&headers, "content-length").parse().unwrap();
    assert_eq!(header(&headers, "content-type"), "application/json");
    assert_eq!(got.len(), len / 2, "{:?}", String::from_utf8_lossy(got));
    assert!(got.starts_with(b"{"));
    assert!(serde_json::from_slice::<serde_json::Value>(got).is_err());
    assert_ended(&raw);
    // Handled: the session exists.
    assert_eq!(c.get("/session/cut").status, 200);
}

#[test]
fn truncated_body_with_status_and_bytes() {
    let (emu, c) = start();
    emu.add_fault(rule(
        None,
        None,
        FaultAction::TruncatedBody {
            status: Some(503),
            bytes: Some(5),
        },
    ));
    let body = json!({"location": "europe", "image": "nginx"}).to_string();
    let raw = post_session_raw(c.addr, &body);
    let (status, headers, got) = raw.head_and_body().expect("a whole head");
    assert_eq!(status, 503);
    let len: usize = header(&headers, "content-length").parse().unwrap();
    assert!(len > 100, "{len}");
    assert_eq!(got, b"{\"sta");
    assert_ended(&raw);
    // Not handled.
    assert_eq!(emu.session_count(), 0);
}

/// The connection ended (closed or reset) rather than timing out.
fn assert_ended(raw: &common::Raw) {
    if let Err(e) = &raw.end {
        assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the connection was left open: {e:?}"
        );
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

#[test]
fn wrong_content_type_keeps_the_json() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(
            None,
            None,
            FaultAction::WrongContentType { content_type: None },
        ),
        1,
    ));
    let resp = run_nginx(&c);
    assert_eq!(resp.status, 201);
    assert_eq!(resp.header("content-type"), Some("text/plain"));
    assert!(resp.json()["id"].is_string());
    assert_eq!(emu.session_count(), 1);

    emu.add_fault(rule(
        None,
        Some("/session"),
        FaultAction::WrongContentType {
            content_type: Some("application/octet-stream".into()),
        },
    ));
    let resp = c.get("/session");
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(resp.json()["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn oversized_body_is_valid_json_of_exactly_that_size() {
    let (emu, c) = start();
    let size = 5 * 1024 * 1024 + 3;
    emu.add_fault(with_times(
        rule(
            None,
            None,
            FaultAction::OversizedBody {
                status: 500,
                bytes: size,
            },
        ),
        1,
    ));
    let resp = run_nginx(&c);
    assert_eq!(resp.status, 500);
    assert_eq!(
        resp.header("content-length"),
        Some(size.to_string().as_str())
    );
    assert_eq!(resp.body.len() as u64, size);
    let v = resp.json();
    assert_eq!(v["statusCode"], 500);
    assert_eq!(v["code"], "INTERNAL_SERVER_ERROR");
    assert_eq!(v["path"], "/session");
    assert!(v["details"].as_str().unwrap().len() > 5_000_000);
    assert_eq!(emu.session_count(), 0);

    // Smaller than the bare error body: the bare body.
    emu.add_fault(with_times(
        rule(
            None,
            None,
            FaultAction::OversizedBody {
                status: 200,
                bytes: 10,
            },
        ),
        1,
    ));
    let resp = c.get("/session");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["details"], "");
}

/// A client that stops reading after a few bytes does not hurt the emulator.
#[test]
fn oversized_body_abandoned_by_the_client() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(
            None,
            None,
            FaultAction::OversizedBody {
                status: 200,
                bytes: 1 << 40,
            },
        ),
        1,
    ));
    {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(c.addr).unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        s.write_all(common::request_text(c.addr, "GET", "/session", None).as_bytes())
            .unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        let head = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
        assert!(head.contains("content-length: 1099511627776"), "{head}");
    }
    assert_eq!(c.get("/session").status, 200);
    let t = Instant::now();
    emu.shutdown();
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}

#[test]
fn slow_drip_sends_the_whole_body_slowly() {
    let (emu, c) = start();
    let id = run_nginx(&c).json()["id"].as_str().unwrap().to_string();
    let path = format!("/session/{id}");
    let len = c.get(&path).body.len();
    let chunk = (len / 4 + 1) as u32;
    emu.add_fault(with_times(
        rule(
            Some("GET"),
            None,
            FaultAction::SlowDrip {
                status: None,
                chunk_bytes: Some(chunk),
                interval_ms: Some(100),
                bytes_per_second: None,
            },
        ),
        1,
    ));
    let t = Instant::now();
    let resp = c.get(&path);
    let took = t.elapsed();
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-length"),
        Some(len.to_string().as_str())
    );
    assert_eq!(resp.json()["id"], id.as_str());
    // Four chunks, each after 100 ms.
    assert!(took >= Duration::from_millis(390), "{took:?}");
}

#[test]
fn slow_drip_outlasts_a_whole_request_timeout() {
    let (emu, c) = start();
    emu.add_fault(rule(
        None,
        None,
        FaultAction::SlowDrip {
            status: Some(503),
            chunk_bytes: None,
            interval_ms: None,
            bytes_per_second: Some(20),
        },
    ));
    let req = common::request_text(c.addr, "GET", "/session", None);
    let raw = common::raw_exchange(c.addr, &req, Duration::from_millis(600));
    // The head arrived at once, then a few bytes of the body.
    let (status, headers, got) = raw.head_and_body().expect("a whole head");
    assert_eq!(status, 503);
    let len: usize = header(&headers, "content-length").parse().unwrap();
    assert!(!got.is_empty() && got.len() <= 14, "{} bytes", got.len());
    assert!(got.len() < len);
    let err = raw.end.expect_err("the body cannot have finished");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    // Shutdown cuts a drip short instead of waiting for it.
    let addr = c.addr;
    let dripping = std::thread::spawn(move || {
        common::raw_exchange(
            addr,
            &common::request_text(addr, "GET", "/x", None),
            TIMEOUT,
        )
    });
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    emu.shutdown();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_ended(&dripping.join().unwrap());
}

#[test]
fn burst_of_503_then_success() {
    let config = EmulatorConfig::from_json_str(
        r#"{"faults": [{"path": "/session", "method": "POST", "times": 3,
                        "action": {"kind": "status", "status": 503}}]}"#,
    )
    .unwrap();
    let emu = Emulator::start(config).unwrap();
    let c = Client::new(emu.addr());
    for _ in 0..3 {
        let resp = run_nginx(&c);
        assert_error(&resp, 503, "SERVICE_UNAVAILABLE", "/session");
        assert_eq!(resp.header("retry-after"), None);
    }
    assert_eq!(run_nginx(&c).status, 201);
    assert_eq!(run_nginx(&c).status, 201);
    assert_eq!(emu.session_count(), 2);
    let faults = emu.faults();
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0].hits, 3);
    assert_eq!(faults[0].rule.times, Some(0));
    assert_eq!(emu.fault_hits(), 3);
}

#[test]
fn burst_of_420_with_and_without_retry_after() {
    let (emu, c) = start();
    emu.add_fault(with_times(
        rule(
            Some("POST"),
            Some("/session"),
            FaultAction::Status {
                status: 420,
                retry_after: Some(3),
            },
        ),
        2,
    ));
    emu.add_fault(with_times(
        rule(
            Some("POST"),
            Some("/session"),
            FaultAction::Status {
                status: 420,
                retry_after: None,
            },
        ),
        1,
    ));
    for _ in 0..2 {
        let resp = run_nginx(&c);
        assert_error(&resp, 420, "NO_CAPACITY", "/session");
        assert_eq!(resp.header("retry-after"), Some("3"));
    }
    let resp = run_nginx(&c);
    assert_error(&resp, 420, "NO_CAPACITY", "/session");
    assert_eq!(resp.header("retry-after"), None);
    assert_eq!(run_nginx(&c).status, 201);
    assert_eq!(emu.fault_hits(), 3);
}

fn start_with_control() -> (Emulator, Client) {
    let config = EmulatorConfig {
        control: true,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(config).expect("start");
    let c = Client::new(emu.addr());
    (emu, c)
}

#[test]
fn control_endpoint_manages_faults_without_a_token() {
    let (emu, _) = start_with_control();
    let anon = Client::with_token(emu.addr(), None);
    let c = Client::new(emu.addr());

    let resp = anon.post(
        "/_emulator/faults",
        r#"{"path":"/session","method":"POST","times":2,"action":{"kind":"status","status":503}}"#,
    );
    assert_eq!(resp.status, 201, "{}", resp.text());
    assert_eq!(resp.json()["faults"].as_array().unwrap().len(), 1);
    assert_eq!(run_nginx(&c).status, 503);

    let list = anon.get("/_emulator/faults").json();
    assert_eq!(list["faults"][0]["hits"], 1);
    assert_eq!(list["faults"][0]["times"], 1);
    assert_eq!(list["faults"][0]["action"]["kind"], "status");
    assert_eq!(list["total_hits"], 1);

    // A list of rules is accepted too; bad ones are refused whole.
    let resp = anon.post(
        "/_emulator/faults",
        r#"[{"action":{"kind":"latency","ms":1}},{"action":{"kind":"status","status":5000}}]"#,
    );
    assert_error(&resp, 422, "VALIDATION_FAILED", "/_emulator/faults");
    let resp = anon.post("/_emulator/faults", r#"{"action":{"kind":"explode"}}"#);
    assert_error(&resp, 422, "VALIDATION_FAILED", "/_emulator/faults");
    assert_eq!(emu.faults().len(), 1);

    let resp = anon.delete("/_emulator/faults");
    assert_eq!(resp.status, 204);
    assert!(emu.faults().is_empty());
    assert_eq!(run_nginx(&c).status, 201);

    assert_eq!(
        anon.get("/_emulator/sessions/count").json(),
        json!({"count": 1})
    );
    assert_eq!(anon.request("PUT", "/_emulator/faults", None).status, 405);
    assert_error(
        &anon.get("/_emulator/nothing"),
        404,
        "ROUTE_NOT_FOUND",
        "/_emulator/nothing",
    );
}

#[test]
fn faults_never_apply_to_the_control_endpoint() {
    let (emu, c) = start_with_control();
    emu.add_fault(rule(
        None,
        None,
        FaultAction::DropConnection { reset: false },
    ));
    emu.add_fault(rule(None, None, FaultAction::Stall));
    assert_eq!(c.get("/_emulator/sessions/count").json()["count"], 0);
    let list = c.get("/_emulator/faults").json();
    assert_eq!(list["faults"].as_array().unwrap().len(), 2);
    assert_eq!(list["total_hits"], 0);
    assert_eq!(c.delete("/_emulator/faults").status, 204);
    assert_eq!(c.get("/session").status, 200);
}

#[test]
fn control_endpoint_is_off_by_default() {
    let (emu, c) = start();
    emu.add_fault(rule(
        None,
        None,
        FaultAction::Status {
            status: 500,
            retry_after: None,
        },
    ));
    // An unknown route, untouched by faults.
    assert_error(
        &c.get("/_emulator/sessions/count"),
        404,
        "ROUTE_NOT_FOUND",
        "/_emulator/sessions/count",
    );
    assert_error(
        &c.post("/_emulator/faults", r#"{"action":{"kind":"stall"}}"#),
        404,
        "ROUTE_NOT_FOUND",
        "/_emulator/faults",
    );
    assert_eq!(emu.faults().len(), 1);
}

#[test]
fn session_count_endpoint_under_parallel_creates() {
    let (emu, c) = start_with_control();
    let addr = c.addr;
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let c = Client::new(addr);
                for _ in 0..20 {
                    assert_eq!(run_nginx(&c).status, 201);
                    assert!(c.get("/_emulator/sessions/count").status == 200);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(c.get("/_emulator/sessions/count").json()["count"], 80);
    assert_eq!(emu.session_count(), 80);
}
