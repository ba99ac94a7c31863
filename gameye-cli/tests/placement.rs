//! `gameye locations ping IMAGE` and `gameye session create --near FILE`,
//! run as the real binary: against the in-process emulator, and against an
//! emulator this test starts with a full location (420).

use std::process::{Command, Output};

use gameye_emulator::{Emulator, EmulatorConfig, LocationConfig, DEFAULT_TOKEN};

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
fn locations_ping_prints_a_latency_table() {
    let out = gameye(
        &["locations", "ping", "nginx", "--emulator", "--probes", "3"],
        &[],
    );
    if out.status.code() == Some(28) {
        panic!("ICMP is not permitted here: {}", text(&out.stderr));
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("LOCATION")
            && lines[0].contains("MEDIAN")
            && lines[0].contains("LOSS")
    );
    // The in-process emulator gives each location its own loopback IPs.
    for (id, ip) in [
        ("europe", "127.0.0.1"),
        ("north-america", "127.0.0.2"),
        ("north-america", "127.0.0.3"),
        ("asia", "127.0.0.4"),
    ] {
        let row = lines
            .iter()
            .find(|l| l.starts_with(id) && l.contains(ip))
            .unwrap_or_else(|| panic!("{id} {ip} in\n{table}"));
        assert!(row.contains(" ms") && row.ends_with(" 0 %"), "{row}");
    }
    // The plain form still lists.
    let out = gameye(&["locations", "nginx", "--emulator"], &[]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.as_array().unwrap().len() >= 3);
    let out = gameye(&["locations", "a", "b", "--emulator"], &[]);
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
}

#[test]
fn session_create_near_falls_back_on_420() {
    let emu = Emulator::start(EmulatorConfig {
        locations: vec![
            LocationConfig::new("full", 0),
            LocationConfig::new("europe", 10),
        ],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("gameye-cli-near-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("latencies.json");
    std::fs::write(
        &file,
        r#"[{"player":"alice","locations":[{"id":"full","median_ms":5},{"id":"europe","median_ms":30}]}]"#,
    )
    .unwrap();
    let url = emu.base_url();
    let env = [
        ("GAMEYE_TOKEN", DEFAULT_TOKEN),
        ("GAMEYE_BASE_URL", url.as_str()),
    ];
    let path = file.to_str().unwrap();
    let args = [
        "session",
        "create",
        "--image",
        "nginx",
        "--near",
        path,
        "--max-attempts",
        "1",
    ];
    let out = gameye(&args, &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["location"], "europe");
    assert_eq!(json["tried"][0]["location"], "full");
    assert_eq!(json["tried"][0]["outcome"], "no_capacity");
    assert_eq!(json["session"]["id"], json["tried"][1]["session_id"]);
    assert_eq!(emu.session_count(), 1);

    // Only the full one allowed: 420's exit status, nothing started.
    let mut limited = args.to_vec();
    limited.extend(["--policy", r#"{"max_locations":1}"#]);
    let out = gameye(&limited, &env);
    assert_eq!(out.status.code(), Some(17), "{}", text(&out.stderr));
    assert_eq!(emu.session_count(), 1);

    // A missing file and a bad policy are invalid requests.
    let out = gameye(
        &[
            "session",
            "create",
            "--image",
            "nginx",
            "--near",
            "/nonexistent/x.json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("/nonexistent/x.json"));
    let mut bad = args.to_vec();
    bad.extend(["--policy", r#"{"max_loss":7}"#]);
    let out = gameye(&bad, &env);
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    // --location and --near exclude each other.
    let out = gameye(
        &[
            "session",
            "create",
            "--image",
            "x",
            "--location",
            "e",
            "--near",
            path,
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
