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

/// `gameye session create` of an nginx session in europe.
const CREATE_NGINX: [&str; 6] = [
    "session",
    "create",
    "--location",
    "europe",
    "--image",
    "nginx",
];

/// `gameye session create --location europe --image nginx EXTRA...`.
fn create_nginx(extra: &[&str], envs: &[(&str, &str)]) -> Output {
    gameye(&[&CREATE_NGINX[..], extra].concat(), envs)
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
    let out = create_nginx(
        &[],
        &[
            ("GAMEYE_TOKEN", "s3cr3t-token"),
            ("GAMEYE_BASE_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_eq!(out.status.code(), Some(21), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("127.0.0.1:1"));
    assert!(!text(&out.stderr).contains("s3cr3t"));

    let out = create_nginx(&[], &[]);
    assert_eq!(out.status.code(), Some(11));
    assert!(text(&out.stderr).contains("GAMEYE_TOKEN"));

    let out = create_nginx(
        &["--base-url", "http://example.com"],
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
            "--output-file",
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

/// An emulator with one stopped session, `done`, whose artifact `/` exists.
fn emulator_with_a_stopped_session() -> gameye_emulator::Emulator {
    let emu = gameye_emulator::Emulator::start(gameye_emulator::EmulatorConfig::default()).unwrap();
    ok_json(against(
        &emu,
        &[&CREATE_NGINX[..], &["--id", "done"]].concat(),
    ));
    ok_json(against(&emu, &["session", "stop", "done"]));
    emu
}

#[test]
fn every_listing_command_prints_json_or_a_table() {
    let emu = emulator_with_a_stopped_session();
    ok_json(against(
        &emu,
        &[
            "session",
            "create",
            "--location",
            "asia",
            "--image",
            "nginx",
            "--id",
            "live",
        ],
    ));
    for (args, header, row) in [
        (&["session", "list"][..], "ID", "live"),
        (&["locations", "nginx"][..], "ID", "europe"),
    ] {
        let default = ok_json(against(&emu, args));
        assert!(default.is_array(), "{args:?}: JSON by default");
        let mut json_args = args.to_vec();
        json_args.extend(["--output", "json"]);
        assert_eq!(ok_json(against(&emu, &json_args)), default);
        let mut table_args = args.to_vec();
        table_args.extend(["--output", "table"]);
        let out = against(&emu, &table_args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let table = text(&out.stdout);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with(header), "{table}");
        assert!(lines.iter().skip(1).any(|l| l.starts_with(row)), "{table}");
        assert_eq!(
            lines.len(),
            default.as_array().unwrap().len() + 1,
            "{table}"
        );
        let mut bad = args.to_vec();
        bad.extend(["--output", "yaml"]);
        assert_eq!(against(&emu, &bad).status.code(), Some(2), "unknown format");
    }
    let locations = text(&against(&emu, &["locations", "nginx", "--output", "table"]).stdout);
    assert!(
        locations.lines().next().unwrap().contains("IPS"),
        "{locations}"
    );
    assert!(locations.contains("127.0.0.1"), "{locations}");
}

#[test]
fn downloads_take_output_file_and_output_means_a_format() {
    let emu = emulator_with_a_stopped_session();
    let dir = std::env::temp_dir().join(format!("gameye-cli-of-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("done.tar.gz");
    let base = ["artifacts", "download", "--session", "done", "--path", "/"];
    let mut args = base.to_vec();
    args.extend(["--output-file", dest.to_str().unwrap()]);
    let out = against(&emu, &args);
    let saved = ok_json(out);
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(saved["bytes"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("done.tar.gz")]);
    // Not a terminal: no progress bar, stderr stays clean.
    let mut short = base.to_vec();
    short.extend(["-o", "-"]);
    let piped = against(&emu, &short);
    assert!(piped.status.success());
    assert_eq!(piped.stdout, bytes);
    assert!(piped.stderr.is_empty(), "{}", text(&piped.stderr));
    // `--output` is the listing format, not a path, on downloads too.
    let mut old = base.to_vec();
    old.extend(["--output", dest.to_str().unwrap()]);
    assert_eq!(against(&emu, &old).status.code(), Some(2));
    // A failed download leaves nothing behind.
    let missing = dir.join("missing.tar.gz");
    let failed = against(
        &emu,
        &[
            "artifacts",
            "download",
            "--session",
            "nope",
            "--path",
            "/",
            "-o",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(failed.status.code(), Some(15), "{}", text(&failed.stderr));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_download_shows_progress_when_stderr_is_a_terminal() {
    // `script` (util-linux) runs the command on a pseudo-terminal.
    let script = std::path::Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("SKIPPED: no /usr/bin/script to provide a terminal");
        return;
    }
    let emu = emulator_with_a_stopped_session();
    let dir = std::env::temp_dir().join(format!("gameye-cli-tty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("done.tar.gz");
    let command = format!(
        "{} artifacts download --session done --path / --output-file {}",
        env!("CARGO_BIN_EXE_gameye"),
        dest.display()
    );
    let out = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .env("GAMEYE_TOKEN", gameye_emulator::DEFAULT_TOKEN)
        .env("GAMEYE_BASE_URL", emu.base_url())
        .output()
        .unwrap();
    let seen = text(&out.stdout);
    assert!(out.status.success(), "{seen}");
    assert!(
        seen.contains("downloaded"),
        "no progress bar on the terminal: {seen:?}"
    );
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = gameye(&["completions", shell], &[]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in ["session", "artifacts", "output-file", "environment"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script is valid bash.
    if std::path::Path::new("/bin/bash").exists() {
        let out = gameye(&["completions", "bash"], &[]);
        let dir = std::env::temp_dir().join(format!("gameye-cli-comp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("gameye.bash");
        std::fs::write(&file, &out.stdout).unwrap();
        let check = Command::new("/bin/bash")
            .arg("-n")
            .arg(&file)
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", text(&check.stderr));
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert_eq!(gameye(&["completions", "tcsh"], &[]).status.code(), Some(2));
}

#[test]
fn connection_options_match_the_other_layers() {
    let emu = gameye_emulator::Emulator::start(gameye_emulator::EmulatorConfig::default()).unwrap();
    // Accepted and used: a call still works with them.
    let list = against(
        &emu,
        &[
            "--connect-timeout",
            "2.5",
            "--timeout",
            "5",
            "session",
            "list",
        ],
    );
    ok_json(list);
    // Each is checked by the core, naming the option.
    let cases: &[(&[&str], &str)] = &[
        (&["--connect-timeout", "0"], "connect_timeout"),
        (&["--connect-timeout=-1"], "connect-timeout"),
        (
            &["--ca-bundle", "/no/such/bundle.pem"],
            "/no/such/bundle.pem",
        ),
        (
            &[
                "--environment",
                "production",
                "--base-url",
                "http://127.0.0.1:9",
            ],
            "not both",
        ),
    ];
    refused_naming(cases);
    let bad = gameye(
        &[
            "--environment",
            "staging",
            "--token",
            "t",
            "session",
            "list",
        ],
        &[],
    );
    assert_eq!(
        bad.status.code(),
        Some(2),
        "unknown environment is a usage error"
    );
    // A CA bundle that is not PEM is refused too.
    let dir = std::env::temp_dir().join(format!("gameye-cli-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let out = gameye(
        &[
            "--ca-bundle",
            junk.to_str().unwrap(),
            "--token",
            "t",
            "session",
            "list",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_config_key_has_a_flag_that_reaches_the_core() {
    let emu = gameye_emulator::Emulator::start(gameye_emulator::EmulatorConfig::default()).unwrap();
    // Accepted and used: a call still works with every one of them.
    ok_json(against(
        &emu,
        &[
            "--idle-timeout",
            "5",
            "--initial-backoff",
            "0.1",
            "--max-backoff",
            "1",
            "--deadline",
            "30",
            "--max-attempts",
            "2",
            "--max-response-bytes",
            "1000000",
            "--max-log-bytes",
            "1000000",
            "--max-concurrent-requests",
            "4",
            "session",
            "list",
        ],
    ));
    // Zero or negative: refused, naming the option (exit 11, invalid config).
    let cases: &[(&[&str], &str)] = &[
        (&["--idle-timeout", "0"], "idle_timeout"),
        (&["--idle-timeout=-1"], "idle-timeout"),
        (&["--initial-backoff=-1"], "initial-backoff"),
        (&["--max-backoff=-1"], "max-backoff"),
        (&["--max-response-bytes", "0"], "max_response_bytes"),
        (&["--max-log-bytes", "0"], "max_log_bytes"),
        (
            &["--max-concurrent-requests", "0"],
            "max_concurrent_requests",
        ),
        (&["--max-attempts", "0"], "max_attempts"),
        (&["--deadline", "0"], "deadline"),
    ];
    refused_naming(cases);
    // Small caps make real answers too large (exit 25, decode).
    let out = against(&emu, &["--max-response-bytes", "16", "locations", "nginx"]);
    assert_eq!(out.status.code(), Some(25), "{}", text(&out.stderr));
    let created = ok_json(against(&emu, &CREATE_NGINX));
    let id = created["id"].as_str().unwrap();
    let logs = against(&emu, &["logs", id]);
    assert!(logs.status.success(), "{}", text(&logs.stderr));
    assert!(logs.stdout.len() > 16, "{}", text(&logs.stdout));
    let out = against(&emu, &["--max-log-bytes", "16", "logs", id]);
    assert_eq!(out.status.code(), Some(25), "{}", text(&out.stderr));
}

#[test]
fn a_token_the_server_echoes_back_is_never_printed() {
    use std::io::{Read, Write};
    const TOKEN: &str = "tok-SECRET-cli-echo-8e2b";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        // One 401 whose JSON echoes the Authorization header it got.
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let auth = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("authorization")
                    .then(|| v.trim().to_owned())
            })
            .unwrap_or_default();
        let body = serde_json::json!({
            "statusCode": 401, "message": format!("token not valid: {auth}"),
            "details": format!("Authorization: {auth}"),
        })
        .to_string();
        let _ = conn.write_all(
            format!(
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        auth
    });
    let out = gameye(
        &["session", "get", "some-id", "--max-attempts", "1"],
        &[("GAMEYE_TOKEN", TOKEN), ("GAMEYE_BASE_URL", url.as_str())],
    );
    assert_eq!(server.join().unwrap(), format!("Bearer {TOKEN}"), "echoed");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(12), "{stderr}");
    assert!(stderr.contains("<redacted>"), "{stderr}");
    for shown in [&stdout, &stderr] {
        assert!(
            !shown.contains(TOKEN) && !shown.contains("SECRET"),
            "{shown}"
        );
    }
}

#[test]
fn creates_and_stops_over_https_with_a_ca_bundle() {
    use gameye_emulator::{tls::TestCa, Emulator, EmulatorConfig};
    let ca = TestCa::generate().unwrap();
    let dir = std::env::temp_dir().join(format!("gameye-cli-tls-{}", std::process::id()));
    ca.write_to(&dir).unwrap();
    let bundle = dir.join("ca.pem");
    let emu = Emulator::start(EmulatorConfig {
        tls: Some(ca.tls_config()),
        ..EmulatorConfig::default()
    })
    .unwrap();
    assert!(emu.base_url().starts_with("https://"));
    let with_bundle = |args: &[&str]| {
        let mut all = vec!["--ca-bundle", bundle.to_str().unwrap()];
        all.extend_from_slice(args);
        against(&emu, &all)
    };
    let created = ok_json(with_bundle(
        &[&CREATE_NGINX[..], &["--id", "tls-1"]].concat(),
    ));
    assert_eq!(created["id"], "tls-1");
    let stopped = ok_json(with_bundle(&["session", "stop", "tls-1"]));
    assert_eq!(stopped["outcome"], "stopped");
    assert_eq!(emu.sessions()[0].status, "exited");
    let tls = emu.tls_stats().unwrap();
    assert!(tls.handshakes >= 2 && tls.failed == 0, "{tls:?}");

    // Without the bundle the test CA is not trusted: a TLS error.
    let out = against(&emu, &["session", "get", "tls-1", "--max-attempts", "1"]);
    assert_eq!(
        out.status.code(),
        Some(22), // TLS's exit status (gameye-cli/src/exit_codes.rs)
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Each set of global flags makes `session list` exit 11 (invalid config)
/// with a message naming the option.
fn refused_naming(cases: &[(&[&str], &str)]) {
    for (flags, named) in cases {
        let mut args = flags.to_vec();
        args.extend(["--token", "t", "session", "list"]);
        let out = gameye(&args, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(11), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}
