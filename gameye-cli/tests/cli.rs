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
