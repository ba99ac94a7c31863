//! Runs the real `gameye` binary, against its in-process emulator or a
//! closed port, and checks output and exit statuses.

use std::process::{Command, Output};

fn gameye(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gameye"));
    cmd.args(args)
        .env_remove("GAMEYE_TOKEN")
        .env_remove("GAMEYE_BASE_URL");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("gameye runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn creates_a_session_on_the_embedded_emulator() {
    let out = gameye(
        &[
            "session",
            "create",
            "--emulator",
            "--location",
            "europe",
            "--image",
            "nginx",
            "--id",
            "cli-1",
            "--env",
            "SECRET=hunter2",
            "--arg",
            "--max=8",
            "--label",
            "q=1",
            "--ttl",
            "1h",
            "--version",
            "1.25",
            "--restart",
            "--external-id",
            "ext",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["id"], "cli-1");
    assert_eq!(json["host"], "127.0.0.1");
    assert_eq!(json["ports"][0]["type"], "tcp");
    assert_eq!(json["ports"][0]["container"], 80);
    assert!(!text(&out.stdout).contains("hunter2"));
}

#[test]
fn each_error_kind_has_its_exit_status() {
    let cases: &[(&[&str], i32)] = &[
        (&["--location", "mars", "--image", "nginx"], 15),
        (
            &["--location", "europe", "--image", "nginx", "--ttl", "90s"],
            10,
        ),
        (
            &["--location", "europe", "--image", "nginx", "--ttl", "25h"],
            18,
        ),
    ];
    for (extra, code) in cases {
        let mut args = vec!["session", "create", "--emulator"];
        args.extend_from_slice(extra);
        let out = gameye(&args, &[]);
        assert_eq!(
            out.status.code(),
            Some(*code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
        assert!(
            text(&out.stderr).starts_with("gameye: "),
            "{}",
            text(&out.stderr)
        );
    }
    let out = gameye(
        &[
            "session",
            "create",
            "--emulator",
            "--token",
            "wrong",
            "--location",
            "europe",
            "--image",
            "nginx",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(12), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("wrong"),
        "token printed: {}",
        text(&out.stderr)
    );
}

#[test]
fn token_and_url_come_from_the_environment() {
    let out = gameye(
        &[
            "session",
            "create",
            "--location",
            "europe",
            "--image",
            "nginx",
        ],
        &[
            ("GAMEYE_TOKEN", "s3cr3t-token"),
            ("GAMEYE_BASE_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_eq!(out.status.code(), Some(21), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("127.0.0.1:1"));
    assert!(!text(&out.stderr).contains("s3cr3t"));

    let out = gameye(
        &[
            "session",
            "create",
            "--location",
            "europe",
            "--image",
            "nginx",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(11));
    assert!(text(&out.stderr).contains("GAMEYE_TOKEN"));

    let out = gameye(
        &[
            "session",
            "create",
            "--location",
            "europe",
            "--image",
            "nginx",
            "--base-url",
            "http://example.com",
        ],
        &[("GAMEYE_TOKEN", "t")],
    );
    assert_eq!(
        out.status.code(),
        Some(11),
        "plain http to a remote host is refused"
    );
}

/// Runs `gameye` against a shared emulator with its token.
fn against(emu: &gameye_emulator::Emulator, args: &[&str]) -> Output {
    let url = emu.base_url();
    gameye(
        args,
        &[
            ("GAMEYE_TOKEN", gameye_emulator::DEFAULT_TOKEN),
            ("GAMEYE_BASE_URL", &url),
        ],
    )
}

fn ok_json(out: Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

#[test]
fn every_subcommand_against_one_emulator() {
    let emu = gameye_emulator::Emulator::start(gameye_emulator::EmulatorConfig::default()).unwrap();
    for (id, loc) in [("s1", "europe"), ("s2", "asia")] {
        ok_json(against(
            &emu,
            &[
                "session",
                "create",
                "--location",
                loc,
                "--image",
                "nginx",
                "--id",
                id,
                "--label",
                "mode=duel",
            ],
        ));
    }
    let list = ok_json(against(
        &emu,
        &[
            "session",
            "list",
            "--label",
            "mode=duel",
            "--location",
            "europe",
        ],
    ));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], "s1");
    assert!(list[0]["created"].as_i64().unwrap() > 1_600_000_000_000);
    let out = against(&emu, &["session", "list", "--output", "table"]);
    assert!(out.status.success());
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("PORTS"),
        "{table}"
    );
    assert!(
        table.contains("80/tcp->") && table.contains("running"),
        "{table}"
    );

    let joined = ok_json(against(
        &emu,
        &["players", "join", "--session", "s1", "p1", "p2"],
    ));
    assert_eq!(joined["count"], 2);
    let left = ok_json(against(&emu, &["players", "leave", "p1"]));
    assert_eq!(left["count"], 1);
    let got = ok_json(against(&emu, &["session", "get", "s1"]));
    assert_eq!(got["players"]["joined"], serde_json::json!(["p2"]));
    assert_eq!(got["status"], "running");

    let logs = against(&emu, &["logs", "s1"]);
    assert!(logs.status.success() && !logs.stdout.is_empty());
    let stopped = ok_json(against(&emu, &["session", "stop", "s1"]));
    assert_eq!(stopped["outcome"], "stopped");
    let again = against(&emu, &["session", "stop", "s1"]);
    assert_eq!(again.status.code(), Some(16), "409 has its exit status");
    let idem = ok_json(against(&emu, &["session", "stop", "s1", "--idempotent"]));
    assert_eq!(idem["outcome"], "already_stopped");
    let follow = against(&emu, &["logs", "s1", "--follow"]);
    assert!(follow.status.success(), "{}", text(&follow.stderr));
    assert!(text(&follow.stdout).lines().count() >= 2);

    let dir = std::env::temp_dir().join(format!("gameye-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("s1.tar.gz");
    let saved = ok_json(against(
        &emu,
        &[
            "artifacts",
            "download",
            "--session",
            "s1",
            "--path",
            "/",
            "--output",
            dest.to_str().unwrap(),
        ],
    ));
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(saved["bytes"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    let piped = against(
        &emu,
        &[
            "artifacts",
            "download",
            "--session",
            "s1",
            "--path",
            "/",
            "-o",
            "-",
        ],
    );
    assert!(piped.status.success());
    assert_eq!(&piped.stdout[..2], &[0x1f, 0x8b]);
    std::fs::remove_dir_all(&dir).unwrap();

    let locs = ok_json(against(&emu, &["locations", "nginx"]));
    assert!(locs.as_array().unwrap().iter().any(|l| l["id"] == "europe"));
    assert_eq!(
        ok_json(against(&emu, &["tag", "exists", "europe", "nginx", "1.25"]))["exists"],
        true
    );
    assert_eq!(
        ok_json(against(&emu, &["tag", "exists", "europe", "nginx", "0"]))["exists"],
        false
    );
    let missing = against(&emu, &["session", "get", "nope"]);
    assert_eq!(missing.status.code(), Some(15));
}

#[test]
fn proxies_only_when_asked() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let emu = gameye_emulator::Emulator::start(gameye_emulator::EmulatorConfig::default()).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let url = emu.base_url();
    let env = [
        ("GAMEYE_TOKEN", gameye_emulator::DEFAULT_TOKEN),
        ("GAMEYE_BASE_URL", url.as_str()),
        ("HTTP_PROXY", proxy.as_str()),
        ("http_proxy", proxy.as_str()),
        ("ALL_PROXY", proxy.as_str()),
    ];
    let args = ["session", "list", "--max-attempts", "1"];
    ok_json(gameye(&args, &env));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "HTTP_PROXY used unasked");
    let out = gameye(&[&args[..], &["--proxy", &proxy]].concat(), &env);
    assert!(!out.status.success());
    assert_eq!(hits.swap(0, Ordering::SeqCst), 1, "--proxy not used");
    let out = gameye(&[&args[..], &["--proxy-from-env"]].concat(), &env);
    assert!(!out.status.success());
    assert_eq!(
        hits.swap(0, Ordering::SeqCst),
        1,
        "--proxy-from-env not used"
    );
    let out = gameye(
        &[&args[..], &["--proxy", "http://10.1.2.3:3128"]].concat(),
        &env,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("proxy"), "{}", text(&out.stderr));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}
