//! The fault matrix (tests/fault-matrix.txt): every emulator fault against
//! create, get, list and stop, with the outcome each must give. TESTING.md
//! shows the same table; this test fails when the two disagree
//! (`GAMEYE_WRITE_TESTING=1` rewrites TESTING.md's table).

use std::time::{Duration, Instant};

use gameye_core::{
    Client, ClientConfig, Error, ErrorKind, ListFilter, RetryPolicy, SessionRun, StopOptions,
};
use gameye_emulator::{Emulator, EmulatorConfig, FaultRule, DEFAULT_TOKEN};

const MATRIX: &str = include_str!("../../tests/fault-matrix.txt");
const TESTING_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../TESTING.md");
const ENDPOINTS: [&str; 4] = ["create", "get", "list", "stop"];

struct Row {
    name: String,
    rule: String,
    expected: [String; 4],
}

fn rows() -> Vec<Row> {
    MATRIX
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split(" | ").map(str::trim).collect();
            assert_eq!(cols.len(), 6, "bad matrix line: {l}");
            Row {
                name: cols[0].into(),
                rule: cols[1].into(),
                expected: [cols[2], cols[3], cols[4], cols[5]].map(String::from),
            }
        })
        .collect()
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "timeout",
        ErrorKind::Transport => "transport",
        ErrorKind::Connect => "connect",
        ErrorKind::ServerError => "server_error",
        ErrorKind::NoCapacity => "no_capacity",
        ErrorKind::Decode => "decode",
        ErrorKind::Conflict => "conflict",
        ErrorKind::NotFound => "not_found",
        _ => "other",
    }
}

fn client(emu: &Emulator) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .request_timeout(Duration::from_millis(500))
            .retry(RetryPolicy {
                max_attempts: 4,
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(100),
                deadline: Duration::from_secs(3),
            }),
    )
    .unwrap()
}

/// Runs one endpoint under one fault rule; returns "ok" or the error kind.
fn run(emu: &Emulator, c: &Client, endpoint: &str, rule_json: &str) -> (String, Option<Error>) {
    emu.clear_faults();
    // Sessions the call needs exist before the fault is armed.
    let existing = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    let (method, path) = match endpoint {
        "create" => ("POST", "/session"),
        "get" => ("GET", "/session/*"),
        "list" => ("GET", "/session"),
        _ => ("DELETE", "/session/*"),
    };
    let mut rule: FaultRule = serde_json::from_str(rule_json).unwrap();
    rule.method = Some(method.into());
    rule.path = Some(path.into());
    emu.add_fault(rule);
    let outcome = match endpoint {
        "create" => c
            .create_session(SessionRun::new("europe", "nginx"))
            .map(drop),
        "get" => c.get_session(&existing.id).map(drop),
        "list" => c.list_sessions(&ListFilter::default()).map(drop),
        _ => c
            .stop_session(&existing.id, StopOptions::default())
            .map(drop),
    };
    emu.clear_faults();
    match outcome {
        Ok(()) => ("ok".into(), None),
        Err(e) => (kind_name(e.kind()).into(), Some(e)),
    }
}

#[test]
fn every_fault_gives_its_outcome_on_every_endpoint() {
    let rows = rows();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..ENDPOINTS.len())
            .map(|i| {
                let rows = &rows;
                s.spawn(move || {
                    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
                    let c = client(&emu);
                    let mut failures = Vec::new();
                    for row in rows {
                        let started = Instant::now();
                        let (got, err) = run(&emu, &c, ENDPOINTS[i], &row.rule);
                        let took = started.elapsed();
                        if got != row.expected[i] {
                            failures.push(format!(
                                "{} / {}: expected {}, got {got} ({err:?})",
                                row.name, ENDPOINTS[i], row.expected[i]
                            ));
                        }
                        if took > Duration::from_secs(5) {
                            failures
                                .push(format!("{} / {}: took {took:?}", row.name, ENDPOINTS[i]));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "fault matrix failures:\n{}",
        failures.join("\n")
    );
}

/// The matrix as the markdown table TESTING.md holds.
fn markdown() -> String {
    let mut t = String::from("| fault | create | get | list | stop |\n|---|---|---|---|---|\n");
    for row in rows() {
        let cells = row.expected.map(|e| {
            if e == "ok" {
                "success".to_string()
            } else {
                format!("`{e}` error")
            }
        });
        t.push_str(&format!("| {} | {} |\n", row.name, cells.join(" | ")));
    }
    t
}

#[test]
fn testing_md_shows_the_matrix() {
    const START: &str = "<!-- fault-matrix:start -->\n";
    const END: &str = "<!-- fault-matrix:end -->";
    let doc = std::fs::read_to_string(TESTING_MD).expect("TESTING.md exists");
    let (a, b) = (
        doc.find(START).expect("start marker") + START.len(),
        doc.find(END).expect("end marker"),
    );
    let table = markdown();
    if std::env::var_os("GAMEYE_WRITE_TESTING").is_some() {
        std::fs::write(TESTING_MD, format!("{}{table}{}", &doc[..a], &doc[b..])).unwrap();
        return;
    }
    assert!(
        doc[a..b] == table,
        "TESTING.md's fault matrix differs from tests/fault-matrix.txt: run with GAMEYE_WRITE_TESTING=1"
    );
}
