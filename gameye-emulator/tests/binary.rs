//! The `gameye-emulator` binary: port file, listening line, signals, flags.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Client;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_gameye-emulator");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gameye-emulator-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Kills the child if a test fails half-way, so no process outlives the run.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_file(path: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            return s;
        }
        assert!(Instant::now() < deadline, "port file never appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "process did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn port_file_listening_line_and_clean_stop() {
    let dir = temp_dir("portfile");
    let port_file = dir.join("port");
    let child = Command::new(BIN)
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let port: u16 = wait_for_file(&port_file).trim().parse().unwrap();
    assert_ne!(port, 0);
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    let mut line = String::new();
    BufReader::new(guard.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim_end(),
        format!("gameye-emulator listening on http://127.0.0.1:{port}")
    );

    let c = Client::new(SocketAddr::from(([127, 0, 0, 1], port)));
    let r = c.run(json!({"location": "europe", "image": "nginx"}));
    assert_eq!(r.status, 201, "{}", r.text());

    #[cfg(unix)]
    {
        sigterm(&guard.0);
        let status = wait_exit(&mut guard.0);
        assert!(status.success(), "{status:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_file_is_used() {
    let dir = temp_dir("config");
    let config = dir.join("emu.json");
    std::fs::write(
        &config,
        r#"{"tokens":[{"token":"custom"}],"host":"10.1.2.3","locations":[{"id":"lab","capacity":1}]}"#,
    )
    .unwrap();
    let port_file = dir.join("port");
    let child = Command::new(BIN)
        .args(["--port", "0", "--config"])
        .arg(&config)
        .arg("--port-file")
        .arg(&port_file)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let port: u16 = wait_for_file(&port_file).trim().parse().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let c = Client::with_token(addr, Some("custom"));
    let r = c.run(json!({"location": "lab", "image": "nginx"}));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["host"], "10.1.2.3");
    assert_eq!(Client::new(addr).get("/session").status, 401);
    #[cfg(unix)]
    {
        sigterm(&guard.0);
        assert!(wait_exit(&mut guard.0).success());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_config_file_fails_with_message() {
    let dir = temp_dir("badconfig");
    let config = dir.join("emu.json");
    std::fs::write(&config, r#"{"tokenz":[]}"#).unwrap();
    let out = Command::new(BIN)
        .args(["--port", "0", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tokenz"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn non_loopback_bind_is_refused_without_flag() {
    let out = Command::new(BIN)
        .args(["--port", "0", "--bind", "0.0.0.0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--allow-non-loopback"), "{err}");
    assert!(out.stdout.is_empty());
}

/// A relative `command` in a config file is found next to the file (not in
/// the current directory), and SIGTERM to the emulator stops the session's
/// process and removes its working directory.
#[cfg(unix)]
#[test]
fn config_command_is_relative_to_the_file_and_stopped_with_the_emulator() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("command");
    std::fs::create_dir(dir.join("bin")).unwrap();
    let script = dir.join("bin/server.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"ready pid=$$ session=$GAMEYE_SESSION_ID args=$*\"\nexec sleep 60\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.join("emu.json");
    std::fs::write(
        &config,
        r#"{"images":[{"name":"game","command":["./bin/server.sh","--from-image"]}],
            "sessions_dir":"runs","stop_grace_ms":1000}"#,
    )
    .unwrap();
    let port_file = dir.join("port");
    let child = Command::new(BIN)
        .args(["--port", "0", "--config"])
        .arg(&config)
        .arg("--port-file")
        .arg(&port_file)
        .current_dir("/")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let port: u16 = wait_for_file(&port_file).trim().parse().unwrap();
    let c = Client::new(SocketAddr::from(([127, 0, 0, 1], port)));
    let r = c.run(json!({"id": "g-1", "location": "europe", "image": "game", "args": ["--x"]}));
    assert_eq!(r.status, 201, "{}", r.text());

    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = c.get("/logs?id=g-1").text();
        if log.contains("ready pid=") {
            break log;
        }
        assert!(Instant::now() < deadline, "no output: {log:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(log.contains("session=g-1 args=--from-image --x"), "{log}");
    let pid: i32 = log
        .split("ready pid=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    let runs = dir.join("runs");
    assert_eq!(std::fs::read_dir(&runs).unwrap().count(), 1);

    sigterm(&guard.0);
    assert!(wait_exit(&mut guard.0).success());
    // SAFETY: signal 0 only checks whether the process exists.
    assert!(
        unsafe { libc::kill(pid, 0) } != 0,
        "session process survived"
    );
    assert_eq!(
        std::fs::read_dir(&runs).unwrap().count(),
        0,
        "session directory left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts the binary with `args` on a free port and returns it with a client.
fn spawn_with(name: &str, args: &[&str]) -> (Guard, Client, PathBuf) {
    let dir = temp_dir(name);
    let port_file = dir.join("port");
    let child = Command::new(BIN)
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let guard = Guard(child);
    let port: u16 = wait_for_file(&port_file).trim().parse().unwrap();
    let c = Client::new(SocketAddr::from(([127, 0, 0, 1], port)));
    (guard, c, dir)
}

#[test]
fn fault_flags_are_applied_in_order() {
    let (mut guard, c, dir) = spawn_with(
        "faultflag",
        &[
            "--fault",
            r#"{"path":"/session","method":"POST","times":2,"action":{"kind":"status","status":503}}"#,
            "--fault",
            r#"{"path":"/session","method":"POST","times":1,"action":{"kind":"status","status":420,"retry_after":4}}"#,
        ],
    );
    let body = json!({"location": "europe", "image": "nginx"});
    assert_eq!(c.run(body.clone()).status, 503);
    assert_eq!(c.run(body.clone()).status, 503);
    let r = c.run(body.clone());
    assert_eq!(r.status, 420);
    assert_eq!(r.header("retry-after"), Some("4"));
    assert_eq!(c.run(body).status, 201);
    // Without --control the control endpoint does not exist.
    assert_eq!(c.get("/_emulator/sessions/count").status, 404);
    #[cfg(unix)]
    {
        sigterm(&guard.0);
        assert!(wait_exit(&mut guard.0).success());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn control_flag_serves_the_control_endpoint() {
    let (mut guard, c, dir) = spawn_with("control", &["--control"]);
    let anon = Client::with_token(c.addr, None);
    let r = anon.post(
        "/_emulator/faults",
        r#"{"method":"POST","path":"/session","times":1,"action":{"kind":"lost_response"}}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = json!({"id": "cli-lost", "location": "europe", "image": "nginx"}).to_string();
    let raw = common::raw_exchange(
        c.addr,
        &common::request_text(c.addr, "POST", "/session", Some(&body)),
        common::TIMEOUT,
    );
    assert!(
        raw.bytes.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&raw.bytes)
    );
    assert_eq!(
        anon.get("/_emulator/sessions/count").json(),
        json!({"count": 1})
    );
    assert_eq!(c.post("/session", &body).status, 409);
    assert_eq!(anon.get("/_emulator/faults").json()["faults"][0]["hits"], 1);
    assert_eq!(anon.delete("/_emulator/faults").status, 204);
    #[cfg(unix)]
    {
        sigterm(&guard.0);
        assert!(wait_exit(&mut guard.0).success());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_fault_flag_fails_with_message() {
    for (spec, needle) in [
        (r#"{"action":{"kind":"explode"}}"#, "explode"),
        (r#"{"action":{"kind":"status","status":5000}}"#, "5000"),
        ("not json", "--fault #1"),
    ] {
        let child = Command::new(BIN)
            .args(["--port", "0", "--fault", spec])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Bounded: a spec wrongly accepted would start a server for good.
        let mut guard = Guard(child);
        assert!(!wait_exit(&mut guard.0).success(), "{spec}");
        let mut err = String::new();
        let mut out = String::new();
        use std::io::Read;
        guard
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        guard
            .0
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(err.contains(needle), "{spec}: {err}");
        assert!(out.is_empty(), "{out}");
    }
}

#[test]
fn log_requests_writes_one_json_line_per_request_without_the_token() {
    let dir = temp_dir("reqlog");
    let log = dir.join("requests.jsonl");
    let (mut guard, c, _) = spawn_with("reqlog-run", &["--log-requests", log.to_str().unwrap()]);
    let body = json!({"id": "logged", "location": "europe", "image": "nginx"});
    assert_eq!(c.run(body.clone()).status, 201);
    assert_eq!(c.get("/session?all=true&filter%5Bmode%5D=duel").status, 200);
    let raw = "{\"players\":[\"a\",\u{1}\"b\"]}";
    assert_eq!(
        c.request("DELETE", "/session/player/leave", Some(raw))
            .status,
        422
    );
    assert_eq!(c.request("DELETE", "/session/logged", None).status, 204);
    #[cfg(unix)]
    {
        sigterm(&guard.0);
        assert!(wait_exit(&mut guard.0).success());
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains(gameye_emulator::DEFAULT_TOKEN),
        "the token is in the log: {text}"
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4, "{text}");
    let create = &lines[0];
    assert_eq!(create["method"], "POST");
    assert_eq!(create["path"], "/session");
    assert_eq!(create["query"], "");
    assert_eq!(create["headers"]["authorization"], "Bearer [REDACTED]");
    assert_eq!(create["headers"]["content-type"], "application/json");
    let sent: serde_json::Value = serde_json::from_str(create["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent, body);
    assert!(create["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(lines[1]["method"], "GET");
    assert_eq!(lines[1]["query"], "all=true&filter%5Bmode%5D=duel");
    assert_eq!(lines[1]["body"], serde_json::Value::Null);
    // A body that is not JSON is logged as the text it is.
    assert_eq!(lines[2]["body"], raw);
    assert_eq!(lines[3]["method"], "DELETE");
    assert_eq!(lines[3]["path"], "/session/logged");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exited_session_bound_flags_forget_the_oldest() {
    let (_guard, c, dir) = spawn_with(
        "exitedbound",
        &["--exited-keep-max", "2", "--exited-keep-secs", "3600"],
    );
    for id in ["e1", "e2", "e3"] {
        let body = json!({"id": id, "location": "europe", "image": "nginx"});
        assert_eq!(c.run(body).status, 201);
        assert_eq!(
            c.request("DELETE", &format!("/session/{id}"), None).status,
            204
        );
    }
    // Two exited sessions are kept; the first to exit is forgotten, and its
    // id is free again.
    assert_eq!(c.get("/session/e1").status, 404);
    assert_eq!(c.get("/session/e2").json()["status"], "exited");
    assert_eq!(c.get("/session/e3").json()["status"], "exited");
    let listed = c.get("/session?all=true").json()["sessions"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(listed, 2);
    let again = json!({"id": "e1", "location": "europe", "image": "nginx"});
    assert_eq!(c.run(again).status, 201);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exited_sessions_are_forgotten_after_their_age() {
    let (_guard, c, dir) = spawn_with("exitedage", &["--exited-keep-secs", "1"]);
    let body = json!({"id": "old", "location": "europe", "image": "nginx"});
    assert_eq!(c.run(body).status, 201);
    assert_eq!(c.request("DELETE", "/session/old", None).status, 204);
    assert_eq!(c.get("/session/old").json()["status"], "exited");
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(c.get("/session/old").status, 404);
    let _ = std::fs::remove_dir_all(&dir);
}
