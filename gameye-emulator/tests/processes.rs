//! Sessions that run a real local process (an image with a `command`):
//! ports, environment, logs (also followed live), stop with SIGTERM and
//! SIGKILL, restarts, ttl, artifacts, and shutdown without orphans.
//!
//! The processes are small Python scripts under `tests/fixtures/`. Every wait
//! has a timeout, and every emulator is dropped at the end of its test (also
//! when the test panics), which stops and reaps its processes.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{assert_error, Client};
use gameye_emulator::{Emulator, EmulatorConfig, ImageConfig, LocationConfig, PortConfig};
use serde_json::{json, Value};

/// Long enough for a Python process to start on a loaded 2-core CI machine.
const WAIT: Duration = Duration::from_secs(20);

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `echo`: the echo server; `behave`: behaviours.py, whose mode is the
/// session's first arg. Both have a UDP and a TCP port.
fn config() -> EmulatorConfig {
    let ports = vec![PortConfig::udp(7777), PortConfig::tcp(7778)];
    let mut env = BTreeMap::new();
    env.insert("TEST_IMAGE_DEFAULT".to_string(), "image".to_string());
    env.insert("TEST_OVERRIDE".to_string(), "image".to_string());
    // The default grace period (5 s) before SIGKILL.
    let mut config = EmulatorConfig::default();
    config.images.push(ImageConfig {
        ports: vec![PortConfig::tcp(7778)],
        command: Some(vec!["python3".into(), fixture("echo_server.py")]),
        ..ImageConfig::new("echo")
    });
    config.images.push(ImageConfig {
        ports,
        command: Some(vec!["python3".into(), fixture("behaviours.py")]),
        env,
        ..ImageConfig::new("behave")
    });
    config.locations.push(LocationConfig::new("solo", 1));
    config
}

fn start(config: EmulatorConfig) -> (Emulator, Client) {
    let emu = Emulator::start(config).expect("emulator starts");
    let client = Client::new(emu.addr());
    (emu, client)
}

fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn status(c: &Client, id: &str) -> String {
    let r = c.get(&format!("/session/{id}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["status"].as_str().unwrap().to_string()
}

fn logs(c: &Client, id: &str) -> String {
    let r = c.get(&format!("/logs?id={id}"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    r.text()
}

fn wait_for_log(c: &Client, id: &str, needle: &str) -> String {
    let mut last = String::new();
    let found = wait_until(WAIT, || {
        last = logs(c, id);
        last.contains(needle)
    });
    assert!(
        found,
        "{needle:?} never appeared in the log of {id}:\n{last}"
    );
    last
}

fn wait_for_status(c: &Client, id: &str, want: &str) {
    let mut last = String::new();
    let ok = wait_until(WAIT, || {
        last = status(c, id);
        last == want
    });
    assert!(ok, "session {id} stayed {last:?}, expected {want:?}");
}

fn listed(c: &Client, query: &str) -> Vec<String> {
    c.get(&format!("/session{query}")).json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// The host port mapped to a container port in a 201 body.
fn host_port(run: &Value, proto: &str, container: u64) -> u16 {
    run["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == proto && p["container"] == container)
        .and_then(|p| p["host"].as_u64())
        .expect("mapped port") as u16
}

fn pid_in(log: &str) -> i32 {
    let at = log.find("ready pid=").expect("ready line") + "ready pid=".len();
    log[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn process_exists(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// The entries (name, content) of a `.tar.gz`.
fn untar(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    archive
        .entries()
        .expect("a tar.gz")
        .map(|e| {
            let mut e = e.expect("an entry");
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, data)
        })
        .collect()
}

/// `GET /logs?follow=true`, read incrementally.
struct Follow {
    stream: TcpStream,
    raw: Vec<u8>,
    body: Vec<u8>,
    ended: bool,
    eof: bool,
}

impl Follow {
    fn open(addr: SocketAddr, id: &str) -> Follow {
        let mut stream = TcpStream::connect_timeout(&addr, common::TIMEOUT).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        write!(
            stream,
            "GET /logs?id={id}&follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            gameye_emulator::DEFAULT_TOKEN
        )
        .unwrap();
        let mut f = Follow {
            stream,
            raw: Vec::new(),
            body: Vec::new(),
            ended: false,
            eof: false,
        };
        let deadline = Instant::now() + common::TIMEOUT;
        let head_end = loop {
            if let Some(i) = f.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            assert!(Instant::now() < deadline, "no response headers");
            assert!(!f.read_some(), "connection closed before the headers");
        };
        let head = String::from_utf8_lossy(&f.raw[..head_end]).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        assert!(head.contains("content-type: text/plain"), "{head}");
        f.raw.drain(..head_end + 4);
        f
    }

    /// Reads what is there; returns true at end of stream.
    fn read_some(&mut self) -> bool {
        let mut buf = [0u8; 8192];
        match self.stream.read(&mut buf) {
            Ok(0) => self.eof = true,
            Ok(n) => self.raw.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => self.eof = true,
        }
        self.eof
    }

    /// Moves the complete chunks from `raw` to `body`.
    fn dechunk(&mut self) {
        loop {
            let Some(eol) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                return;
            };
            let size = std::str::from_utf8(&self.raw[..eol])
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .expect("chunk size");
            if self.raw.len() < eol + 2 + size + 2 {
                return;
            }
            self.body
                .extend_from_slice(&self.raw[eol + 2..eol + 2 + size]);
            self.raw.drain(..eol + 2 + size + 2);
            if size == 0 {
                self.ended = true;
                return;
            }
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.text().contains(needle) {
            assert!(
                Instant::now() < deadline && !self.ended && !self.eof,
                "{needle:?} never arrived on the follow stream:\n{}",
                self.text()
            );
            self.read_some();
            self.dechunk();
        }
    }

    /// Waits for the final chunk; returns false if it did not come in time.
    fn wait_end(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.ended {
            if Instant::now() >= deadline || self.eof {
                return false;
            }
            self.read_some();
            self.dechunk();
        }
        true
    }
}

#[test]
fn echo_server_end_to_end() {
    let (emu, c) = start(config());
    let r = c.run(
        json!({"id": "echo-1", "location": "europe", "image": "echo",
        "args": ["--players=8", "two words"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let run = r.json();
    let port = host_port(&run, "tcp", 7778);
    assert_eq!(run["host"], "127.0.0.1");

    // The first line arrives live on a follow stream opened right away.
    let mut follow = Follow::open(emu.addr(), "echo-1");
    follow.wait_for(&format!("listening on {port}\n"));
    assert_eq!(status(&c, "echo-1"), "running");

    // The reported host:port is the process's own socket.
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect to the session");
    conn.set_read_timeout(Some(common::TIMEOUT)).unwrap();
    conn.write_all(b"ping\n").unwrap();
    let mut echoed = [0u8; 5];
    conn.read_exact(&mut echoed).unwrap();
    assert_eq!(&echoed, b"ping\n");
    drop(conn);

    // Without follow: what the process wrote so far, stderr included.
    let text = wait_for_log(&c, "echo-1", "args: --players=8 two words");
    assert!(text.contains(&format!("listening on {port}")), "{text}");

    // Artifacts exist only once the session has terminated.
    let v = assert_error(
        &c.get("/artifacts?session=echo-1&path=/crash.log"),
        404,
        "ARTIFACT_NOT_AVAILABLE",
        "/artifacts",
    );
    assert!(v["message"].as_str().unwrap().contains("terminated"));

    // Stop: SIGTERM, the script exits cleanly (well before the 5 s grace
    // period would bring SIGKILL), the follow stream ends.
    let t = Instant::now();
    assert_eq!(c.delete("/session/echo-1").status, 204);
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    assert!(follow.wait_end(WAIT), "follow stream did not end");
    assert!(
        follow.text().contains("got SIGTERM, exiting"),
        "{}",
        follow.text()
    );
    assert_eq!(status(&c, "echo-1"), "exited");
    assert!(!listed(&c, "").contains(&"echo-1".to_string()));
    assert!(listed(&c, "?all=true").contains(&"echo-1".to_string()));
    assert_error(
        &c.delete("/session/echo-1"),
        409,
        "SESSION_ALREADY_TERMINATED",
        "/session/echo-1",
    );
    // The process is gone, so its port can be bound again.
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("port released");
    // A follow stream opened after the end returns the log and ends at once.
    let mut late = Follow::open(emu.addr(), "echo-1");
    assert!(late.wait_end(common::TIMEOUT));
    assert!(late.text().contains("listening on"));

    // The artifact is a real tar.gz of the file in the working directory.
    let r = c.get("/artifacts?session=echo-1&path=/crash.log");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/x-tar"));
    let entries = untar(&r.body);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].0, "crash.log");
    assert_eq!(entries[0].1, b"session echo-1 crashed on purpose\n");

    // `/` is the whole working directory.
    let r = c.get("/artifacts?session=echo-1&path=/");
    assert_eq!(r.status, 200);
    let names: Vec<String> = untar(&r.body).into_iter().map(|e| e.0).collect();
    assert!(names.contains(&"crash.log".to_string()), "{names:?}");

    // Paths outside it hold nothing of the session's (404: the spec
    // documents no 422 here); missing ones are 404 too.
    let v = assert_error(
        &c.get("/artifacts?session=echo-1&path=/../../etc/passwd"),
        404,
        "ARTIFACT_NOT_FOUND",
        "/artifacts",
    );
    assert!(v["details"].as_str().unwrap().contains("leaves"), "{v}");
    assert_error(
        &c.get("/artifacts?session=echo-1&path=/nope.log"),
        404,
        "ARTIFACT_NOT_FOUND",
        "/artifacts",
    );
    let dir = emu.session_dir("echo-1").expect("a working directory");
    assert!(dir.join("crash.log").is_file());
    assert!(dir.starts_with(emu.sessions_dir().unwrap()));
}

#[test]
fn env_and_args_are_passed_through() {
    let (emu, c) = start(config());
    let r = c.run(json!({"id": "env-1", "location": "solo", "image": "behave",
        "args": ["env", "a b", "--x=1"],
        "env": {"TEST_OVERRIDE": "session", "TEST_SESSION": "yes", "GAMEYE_HOST": "ignored"}}));
    assert_eq!(r.status, 201, "{}", r.text());
    let run = r.json();
    // It exits 0 by itself: the session becomes exited and frees its slot.
    wait_for_status(&c, "env-1", "exited");
    let text = logs(&c, "env-1");
    let udp = host_port(&run, "udp", 7777);
    let tcp = host_port(&run, "tcp", 7778);
    assert_ne!(udp, tcp);
    for line in [
        "ARGS=a b|--x=1".to_string(),
        "ENV GAMEYE_SESSION_ID=env-1".to_string(),
        "ENV GAMEYE_HOST=127.0.0.1".to_string(),
        format!("ENV GAMEYE_PORT_UDP_7777={udp}"),
        format!("ENV GAMEYE_PORT_TCP_7778={tcp}"),
        "ENV TEST_IMAGE_DEFAULT=image".to_string(),
        "ENV TEST_OVERRIDE=session".to_string(),
        "ENV TEST_SESSION=yes".to_string(),
        format!("CWD={}", emu.session_dir("env-1").unwrap().display()),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert!(
        !text.contains("[gameye-emulator]"),
        "a clean exit is not noted"
    );
    assert!(!listed(&c, "").contains(&"env-1".to_string()));
    // The single slot of "solo" is free again.
    let r = c.run(json!({"location": "solo", "image": "nginx"}));
    assert_eq!(r.status, 201, "{}", r.text());
}

#[test]
fn restart_on_failure_but_not_after_stop() {
    let (emu, c) = start(config());
    let r = c.run(json!({"id": "r-1", "location": "europe", "image": "behave",
        "args": ["fail-once"], "restart": true}));
    assert_eq!(r.status, 201);
    let text = wait_for_log(&c, "r-1", "second run");
    assert!(text.contains("first run, failing"), "{text}");
    assert!(
        text.contains("[gameye-emulator] the process exited with code 1"),
        "{text}"
    );
    assert!(text.contains("[gameye-emulator] restarting in"), "{text}");
    assert_eq!(status(&c, "r-1"), "running");
    // The working directory survived the restart (the marker is there).
    assert!(emu.session_dir("r-1").unwrap().join("ran-once").is_file());
    assert_eq!(c.delete("/session/r-1").status, 204);
    assert_eq!(status(&c, "r-1"), "exited");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(logs(&c, "r-1").matches("second run").count(), 1);

    // A process that always fails is seen `restarting`, stays listed, and a
    // stop while it waits to restart ends it for good.
    let r = c.run(json!({"id": "r-2", "location": "europe", "image": "behave",
        "args": ["fail-always"], "restart": true}));
    assert_eq!(r.status, 201);
    wait_for_status(&c, "r-2", "restarting");
    assert!(listed(&c, "").contains(&"r-2".to_string()));
    assert_eq!(c.delete("/session/r-2").status, 204);
    assert_eq!(status(&c, "r-2"), "exited");
    let failures = logs(&c, "r-2").matches("failing").count();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(logs(&c, "r-2").matches("failing").count(), failures);

    // Without `restart`, a failure ends the session.
    let r = c.run(json!({"id": "r-3", "location": "europe", "image": "behave",
        "args": ["fail-always"]}));
    assert_eq!(r.status, 201);
    wait_for_status(&c, "r-3", "exited");
    let text = logs(&c, "r-3");
    assert_eq!(text.matches("failing").count(), 1, "{text}");
    assert!(text.contains("exited with code 3"), "{text}");
    assert!(!text.contains("restarting"), "{text}");
}

#[test]
fn ttl_stops_the_process() {
    let config = EmulatorConfig {
        // "1m" lasts 400 ms here.
        ttl_unit_ms: 400,
        ..config()
    };
    let (emu, c) = start(config);
    let started = Instant::now();
    let r = c.run(json!({"id": "t-1", "location": "europe", "image": "behave",
        "args": ["sleep"], "ttl": "1m", "restart": true}));
    assert_eq!(r.status, 201);
    let plain = c.run(json!({"id": "t-2", "location": "europe", "image": "nginx", "ttl": "1m"}));
    assert_eq!(plain.status, 201);
    let mut follow = Follow::open(emu.addr(), "t-1");
    follow.wait_for("ready pid=");
    let pid = pid_in(&follow.text());
    // Nobody asks anything: the ttl alone ends the process and the stream.
    assert!(follow.wait_end(WAIT), "the ttl did not end the session");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(!process_exists(pid));
    assert_eq!(status(&c, "t-1"), "exited");
    wait_for_status(&c, "t-2", "exited");
    // Stopped by its ttl, not failed: no restart.
    assert!(!logs(&c, "t-1").contains("restarting"));
}

#[test]
fn sigkill_after_the_grace_period() {
    let config = EmulatorConfig {
        stop_grace_ms: 300,
        ..config()
    };
    let (_emu, c) = start(config);
    let r = c.run(json!({"id": "k-1", "location": "europe", "image": "behave",
        "args": ["ignore-term"]}));
    assert_eq!(r.status, 201);
    let pid = pid_in(&wait_for_log(&c, "k-1", "ready pid="));
    assert!(process_exists(pid));
    let t = Instant::now();
    assert_eq!(c.delete("/session/k-1").status, 204);
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(!process_exists(pid), "still alive after SIGKILL");
    assert!(logs(&c, "k-1").contains("got SIGTERM, ignoring"));
    assert_eq!(status(&c, "k-1"), "exited");
}

#[test]
fn a_program_that_cannot_start_ends_the_session() {
    let mut config = config();
    config.images.push(ImageConfig {
        command: Some(vec!["/nonexistent/gameye-test-program".into()]),
        ..ImageConfig::new("broken")
    });
    let (_emu, c) = start(config);
    let r = c.run(json!({"id": "b-1", "location": "europe", "image": "broken", "restart": true}));
    assert_eq!(r.status, 201);
    wait_for_status(&c, "b-1", "exited");
    let text = logs(&c, "b-1");
    assert!(
        text.contains("[gameye-emulator] cannot start \"/nonexistent/gameye-test-program\""),
        "{text}"
    );
    // Ended, so its (empty) working directory is downloadable.
    let r = c.get("/artifacts?session=b-1&path=/");
    assert_eq!(r.status, 200);
    assert!(untar(&r.body).is_empty());
}

#[test]
fn shutdown_stops_every_process_and_removes_the_directories() {
    let config = EmulatorConfig {
        stop_grace_ms: 300,
        ..config()
    };
    let (emu, c) = start(config);
    let mut pids = Vec::new();
    for (id, mode) in [("s-1", "sleep"), ("s-2", "ignore-term")] {
        let r = c.run(json!({"id": id, "location": "europe", "image": "behave",
            "args": [mode], "restart": true}));
        assert_eq!(r.status, 201);
        pids.push(pid_in(&wait_for_log(&c, id, "ready pid=")));
    }
    let dir = emu.sessions_dir().unwrap();
    assert!(dir.is_dir());
    // A client still following a log must not hold the shutdown up.
    let mut follow = Follow::open(emu.addr(), "s-1");
    follow.wait_for("ready");
    let t = Instant::now();
    drop(emu);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(follow.wait_end(common::TIMEOUT) || follow.eof);
    for pid in pids {
        assert!(!process_exists(pid), "process {pid} outlived the emulator");
    }
    assert!(!dir.exists(), "sessions dir {} left behind", dir.display());
}

#[test]
fn sessions_dir_can_be_chosen_and_kept() {
    let base = tempfile::tempdir().unwrap();
    let chosen: PathBuf = base.path().join("sessions");
    let config = EmulatorConfig {
        sessions_dir: Some(chosen.clone()),
        keep_sessions_dir: true,
        ..config()
    };
    let (emu, c) = start(config);
    assert_eq!(emu.sessions_dir(), Some(chosen.clone()));
    let r = c.run(
        json!({"id": "keep/me", "location": "europe", "image": "behave",
        "args": ["fail-once"]}),
    );
    assert_eq!(r.status, 201);
    wait_for_status(&c, "keep%2Fme", "exited");
    let dir = emu.session_dir("keep/me").unwrap();
    assert!(dir.starts_with(&chosen), "{}", dir.display());
    drop(emu);
    assert!(
        dir.join("ran-once").is_file(),
        "kept directory lost its files"
    );
}

#[test]
fn distinct_free_ports_for_processes() {
    let (emu, c) = start(config());
    let mut seen = std::collections::HashSet::new();
    for n in 0..5 {
        let r = c.run(
            json!({"id": format!("p-{n}"), "location": "europe", "image": "behave",
            "args": ["sleep"]}),
        );
        assert_eq!(r.status, 201);
        let v = r.json();
        for p in v["ports"].as_array().unwrap() {
            assert!(
                seen.insert(p["host"].as_u64().unwrap()),
                "port handed twice"
            );
        }
    }
    for n in 0..5 {
        wait_for_log(&c, &format!("p-{n}"), "ready pid=");
    }
    drop(emu);
}
