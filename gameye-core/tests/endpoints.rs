//! Every endpoint besides create, over real HTTP against the emulator:
//! success shapes and the documented error statuses.

use std::collections::HashSet;
use std::io::Read;

use gameye_core::{
    Client, ClientConfig, ErrorKind, ListFilter, Protocol, RetryPolicy, SessionRun, SessionStatus,
    StopOptions, StopOutcome,
};
use gameye_emulator::{
    Emulator, EmulatorConfig, FaultAction, FaultRule, TokenConfig, DEFAULT_TOKEN,
};

fn emulator() -> Emulator {
    let mut config = EmulatorConfig::default();
    config.tokens.push(TokenConfig {
        scopes: vec!["session:start".into()],
        ..TokenConfig::new("start-only")
    });
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

fn start(c: &Client, id: &str, location: &str, labels: &[(&str, &str)]) {
    let mut run = SessionRun::new(location, "nginx");
    run.id = Some(id.into());
    run.labels = Some(
        labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    c.create_session(run).unwrap();
}

fn ids(c: &Client, filter: &ListFilter) -> HashSet<String> {
    c.list_sessions(filter)
        .unwrap()
        .into_inner()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn list_filters_describe_and_stop() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    start(&c, "a", "europe", &[("mode", "duel")]);
    start(&c, "b", "europe", &[("mode", "ffa")]);
    start(&c, "c", "asia", &[("mode", "duel")]);

    let all = c.list_sessions(&ListFilter::default()).unwrap();
    assert_eq!(all.http_status, 200);
    assert_eq!(all.len(), 3);
    let a = all.iter().find(|s| s.id == "a").unwrap();
    assert_eq!((a.image.as_str(), a.location.as_str()), ("nginx", "europe"));
    assert!(a.created > 1_600_000_000_000, "created is in milliseconds");
    assert_eq!(a.status, Some(SessionStatus::Running));
    assert_eq!(a.ports()[0].protocol, Protocol::Tcp);
    assert_eq!(a.ports()[0].container, 80);
    assert_eq!(a.labels.get("mode").map(String::as_str), Some("duel"));

    let europe = ListFilter {
        location: Some("europe".into()),
        ..ListFilter::default()
    };
    assert_eq!(ids(&c, &europe), set(&["a", "b"]));
    let duel = ListFilter {
        labels: [("mode".into(), "duel".into())].into(),
        ..ListFilter::default()
    };
    assert_eq!(ids(&c, &duel), set(&["a", "c"]));
    let both = ListFilter {
        location: Some("europe".into()),
        ..duel.clone()
    };
    assert_eq!(ids(&c, &both), set(&["a"]));
    let image = ListFilter {
        image: Some("my-game".into()),
        ..ListFilter::default()
    };
    assert!(ids(&c, &image).is_empty());
    let host = ListFilter {
        host: Some("127.0.0.1".into()),
        tag: Some("latest".into()),
        ..ListFilter::default()
    };
    assert_eq!(ids(&c, &host), set(&["a", "b", "c"]));

    c.join_players("a", &["p1".into(), "p2".into()]).unwrap();
    let few = ListFilter {
        player_count_lt: Some(1),
        ..ListFilter::default()
    };
    assert_eq!(ids(&c, &few), set(&["b", "c"]));
    let busy = ListFilter {
        player_count_gt: Some(1),
        ..ListFilter::default()
    };
    assert_eq!(ids(&c, &busy), set(&["a"]));

    let d = c.get_session("a").unwrap();
    assert_eq!(d.id, "a");
    assert_eq!(d.status, SessionStatus::Running);
    assert_eq!(d.tag.as_deref(), Some("latest"));
    assert_eq!(d.players.joined_count, 2);
    assert_eq!(d.players.joined, ["p1", "p2"]);
    assert_eq!(d.ports().len(), 1);
    assert_eq!(
        c.get_session("nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );

    let stopped = c.stop_session("a", StopOptions::default()).unwrap();
    assert_eq!(
        (stopped.value, stopped.http_status),
        (StopOutcome::Stopped, 204)
    );
    assert_eq!(c.get_session("a").unwrap().status, SessionStatus::Exited);
    assert_eq!(ids(&c, &ListFilter::default()), set(&["b", "c"]));
    let everything = ListFilter {
        all: true,
        ..ListFilter::default()
    };
    assert_eq!(ids(&c, &everything), set(&["a", "b", "c"]));

    let again = c.stop_session("a", StopOptions::default()).unwrap_err();
    assert_eq!(
        (again.kind(), again.http_status()),
        (ErrorKind::Conflict, Some(409))
    );
    let missing = c.stop_session("zzz", StopOptions::default()).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    let idem = StopOptions { idempotent: true };
    assert_eq!(
        c.stop_session("a", idem).unwrap().value,
        StopOutcome::AlreadyStopped
    );
    assert_eq!(
        c.stop_session("zzz", idem).unwrap().value,
        StopOutcome::NotFound
    );
    assert_eq!(
        c.stop_session("b", idem).unwrap().value,
        StopOutcome::Stopped
    );
}

#[test]
fn players_join_and_leave() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    start(&c, "s", "europe", &[]);
    let joined = c
        .join_players("s", &["p1".into(), "p2".into(), "p3".into()])
        .unwrap();
    assert_eq!(joined.count, 3);
    assert_eq!(joined.players, ["p1", "p2", "p3"]);
    let left = c.leave_players(&["p2".into()]).unwrap();
    assert_eq!(left.count, 2);
    assert_eq!(left.players, ["p2"]);
    assert_eq!(c.get_session("s").unwrap().players.joined, ["p1", "p3"]);

    assert_eq!(
        c.join_players("nope", &["p".into()]).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let e = c.join_players("s", &[]).unwrap_err();
    assert_eq!(
        (e.kind(), e.violations()[0].field.as_str()),
        (ErrorKind::InvalidRequest, "players")
    );
    let e = c.leave_players(&["".into()]).unwrap_err();
    assert_eq!(e.violations()[0].field, "players[0]");
}

#[test]
fn logs_text_and_follow() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    start(&c, "s", "europe", &[]);
    assert!(
        !c.logs("s").unwrap().is_empty(),
        "a running session has logs"
    );
    c.stop_session("s", StopOptions::default()).unwrap();
    let text = c.logs("s").unwrap();
    assert_eq!(text.http_status, 200);
    // The session is over, so following ends after the lines that exist.
    let lines: Vec<String> = c.follow_logs("s").unwrap().map(Result::unwrap).collect();
    assert!(!lines.is_empty());
    assert_eq!(lines.join("\n").trim_end(), text.trim_end());
    assert_eq!(c.logs("nope").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        c.follow_logs("nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(c.logs("").unwrap_err().kind(), ErrorKind::InvalidRequest);
}

#[test]
fn artifacts_stream_to_file() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    start(&c, "s", "europe", &[]);
    c.stop_session("s", StopOptions::default()).unwrap();
    let dir = std::env::temp_dir().join(format!("gameye-artifact-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("artifact.tar.gz");
    let got = c.download_artifact_to_file("s", "/", &dest).unwrap();
    assert_eq!(got.http_status, 200);
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(bytes.len() as u64, got.value);
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
    gunzip_check(&bytes);

    let e = c
        .download_artifact_to_file("nope", "/", &dir.join("x.tar.gz"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(!dir.join("x.tar.gz").exists(), "no partial file on error");
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "temporary files are removed");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Checks the bytes are a complete gzip stream holding a tar archive, with
/// the system's `gzip`.
fn gunzip_check(bytes: &[u8]) {
    let mut out = Vec::new();
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip is installed");
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    assert!(child.wait().unwrap().success(), "artifact is valid gzip");
    assert!(out.len() >= 512, "a tar archive inside");
}

#[test]
fn locations_and_tags() {
    let emu = emulator();
    let c = client(&emu, DEFAULT_TOKEN);
    let locs = c.available_locations("nginx").unwrap();
    let names: HashSet<_> = locs.iter().map(|l| l.id.as_str()).collect();
    assert!(names.contains("europe"), "{names:?}");
    assert!(locs.iter().all(|l| !l.ips.is_empty()));
    assert_eq!(
        c.available_locations("nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(c.tag_exists("europe", "nginx", "1.25").unwrap().value);
    assert!(!c.tag_exists("europe", "nginx", "9.9").unwrap().value);
    assert_eq!(
        c.tag_exists("europe", "", "1").unwrap_err().kind(),
        ErrorKind::InvalidRequest
    );
}

#[test]
fn every_endpoint_maps_auth_and_server_errors() {
    let emu = emulator();
    let owner = client(&emu, DEFAULT_TOKEN);
    start(&owner, "s", "europe", &[]);
    let tmp = std::env::temp_dir().join(format!("gameye-auth-{}.tar.gz", std::process::id()));
    type Call = Box<dyn Fn(&Client) -> gameye_core::Error>;
    let calls: Vec<(&str, Call)> = vec![
        (
            "list",
            Box::new(|c| c.list_sessions(&ListFilter::default()).unwrap_err()),
        ),
        ("get", Box::new(|c| c.get_session("s").unwrap_err())),
        (
            "stop",
            Box::new(|c| c.stop_session("s", StopOptions::default()).unwrap_err()),
        ),
        ("logs", Box::new(|c| c.logs("s").unwrap_err())),
        ("follow", Box::new(|c| c.follow_logs("s").unwrap_err())),
        (
            "artifacts",
            Box::new(move |c| c.download_artifact_to_file("s", "/", &tmp).unwrap_err()),
        ),
        (
            "locations",
            Box::new(|c| c.available_locations("nginx").unwrap_err()),
        ),
        (
            "tag",
            Box::new(|c| c.tag_exists("europe", "nginx", "1.25").unwrap_err()),
        ),
    ];
    let wrong = client(&emu, "wrong-token");
    let limited = client(&emu, "start-only");
    for (name, call) in &calls {
        assert_eq!(call(&wrong).kind(), ErrorKind::Unauthorized, "{name} 401");
        assert_eq!(call(&limited).kind(), ErrorKind::Forbidden, "{name} 403");
    }
    emu.add_fault(FaultRule::always(FaultAction::Status {
        status: 500,
        retry_after: None,
    }));
    for (name, call) in &calls {
        let e = call(&owner);
        assert_eq!(
            (e.kind(), e.http_status()),
            (ErrorKind::ServerError, Some(500)),
            "{name}"
        );
    }
    for (status, kind) in [
        (402, ErrorKind::QuotaExhausted),
        (409, ErrorKind::Conflict),
        (420, ErrorKind::NoCapacity),
        (422, ErrorKind::InvalidSyntax),
    ] {
        emu.clear_faults();
        emu.add_fault(FaultRule::always(FaultAction::Status {
            status,
            retry_after: None,
        }));
        for (name, call) in &calls {
            assert_eq!(call(&owner).kind(), kind, "{name} {status}");
        }
    }
}

// ---- the endpoint table's sweep ----------------------------------------------

/// A swept endpoint's arguments: the table's examples, one perhaps
/// replaced ([`endpoint_rows::Row::values`]).
struct Args(Vec<Vec<String>>);

impl Args {
    fn s(&self, i: usize) -> &str {
        &self.0[i][0]
    }
    fn list(&self, i: usize) -> Vec<String> {
        self.0[i].clone()
    }
}

type SweepCall = Box<dyn Fn(&Client, &Args) -> gameye_core::Result<()>>;

/// `name, name_async(arguments);` per swept endpoint of api/ENDPOINTS.md,
/// the arguments made from `a` (named first: `a =>`), the row's [`Args`]: the blocking call and
/// its `_async` twin (on a runtime of its own). A new endpoint adds a line.
macro_rules! sweep_calls {
    ($a:ident => $($name:ident, $name_async:ident($($arg:expr),*);)*) => {
        fn sweep_calls() -> Vec<(&'static str, SweepCall, SweepCall)> {
            vec![$((
                stringify!($name),
                Box::new(|c: &Client, $a: &Args| {
                    let _ = $a;
                    c.$name($($arg),*).map(|_| ())
                }),
                Box::new(|c: &Client, $a: &Args| {
                    let _ = $a;
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(c.$name_async($($arg),*)).map(|_| ())
                }),
            )),*]
        }
    };
}

sweep_calls! { a =>
    list_sessions, list_sessions_async(&ListFilter::default());
    get_session, get_session_async(a.s(0));
    stop_session, stop_session_async(a.s(0), StopOptions::default());
    join_players, join_players_async(a.s(0), &a.list(1));
    leave_players, leave_players_async(&a.list(0));
    logs, logs_async(a.s(0));
    available_locations, available_locations_async(a.s(0));
    tag_exists, tag_exists_async(a.s(0), a.s(1), a.s(2));
}

#[path = "../../tests/lib/endpoint_rows.rs"]
mod endpoint_rows;

fn check_status(got: gameye_core::Result<()>, want: &str, what: &str) {
    match got {
        Ok(()) => assert_eq!(want, "OK", "{what}: want {want}, got success"),
        Err(e) => assert_eq!(
            e.kind().status_name(),
            format!("GAMEYE_STATUS_{want}"),
            "{what}: {e}"
        ),
    }
}

/// Every endpoint the table api/ENDPOINTS.md sweeps, blocking and async: the
/// examples get the table's status from the shared emulator configuration;
/// each argument empty is an invalid request naming it (and `.`, `..`, a
/// TAB in a path parameter); a wrong token is
/// unauthorized, the read-only one forbidden where its scope is too small.
/// The table and `sweep_calls!` name the same endpoints.
#[test]
fn the_endpoint_tables_sweep() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/emulator-config.json");
    let emu = Emulator::start(EmulatorConfig::from_json_file(path.as_ref()).unwrap()).unwrap();
    let (c, wrong, read_only) = (
        client(&emu, DEFAULT_TOKEN),
        client(&emu, "wrong-token"),
        client(&emu, "read-only-token"),
    );
    let rows = endpoint_rows::rows();
    let calls = sweep_calls();
    let table: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let here: Vec<&str> = calls.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        table, here,
        "sweep_calls! names the table's swept endpoints, in its order"
    );
    for (row, (name, blocking, non_blocking)) in rows.iter().zip(&calls) {
        for (call, how) in [(blocking, "blocking"), (non_blocking, "async")] {
            let what = format!("{name} ({how})");
            check_status(
                call(&c, &Args(row.values(None, ""))),
                &row.expect,
                &format!("{what}: the examples"),
            );
            for (i, (arg, kind, _)) in row.args.iter().enumerate() {
                let field = if kind == "strs" {
                    format!("{arg}[0]")
                } else {
                    arg.clone()
                };
                for value in row.refused_values(i) {
                    let err = call(&c, &Args(row.values(Some(i), value))).unwrap_err();
                    assert_eq!(
                        err.kind(),
                        ErrorKind::InvalidRequest,
                        "{what}: {arg} = {value:?}: {err}"
                    );
                    let fields: Vec<&str> =
                        err.violations().iter().map(|v| v.field.as_str()).collect();
                    assert_eq!(fields, [field.as_str()], "{what}: {arg} = {value:?}");
                }
            }
            check_status(
                call(&wrong, &Args(row.values(None, ""))),
                "UNAUTHORIZED",
                &format!("{what}: a wrong token"),
            );
            check_status(
                call(&read_only, &Args(row.values(None, ""))),
                row.read_only_expect(),
                &format!("{what}: the read-only token"),
            );
        }
    }
}
