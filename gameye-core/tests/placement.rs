//! Placing sessions near players, for real: ICMP echo to loopback addresses
//! (and, in a network namespace the test makes, the not-permitted path), and
//! `create_session_near` against the emulator with a full location (420).

use std::process::Command;
use std::time::{Duration, Instant};

use gameye_core::{
    ping_locations, ping_locations_until, Client, ClientConfig, ErrorKind, Location,
    LocationLatency, PingOptions, PlacementPolicy, PlayerLatencies, RetryPolicy, SessionRun,
};
use gameye_emulator::{Emulator, EmulatorConfig, LocationConfig, DEFAULT_TOKEN};

fn loc(id: &str, ips: &[&str]) -> Location {
    Location {
        id: id.into(),
        ips: ips.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn fast() -> PingOptions {
    PingOptions {
        probes: 3,
        interval: Duration::from_millis(20),
        timeout: Duration::from_millis(1000),
    }
}

/// What this process may do: the tests run as root in CI, where raw
/// sockets always work; elsewhere datagram sockets may.
fn ping_or_explain(locations: &[Location], options: &PingOptions) -> gameye_core::PingReport {
    match ping_locations(locations, options) {
        Ok(r) => r,
        Err(e) if e.kind() == ErrorKind::PingNotPermitted && std::env::var("CI").is_err() => {
            panic!("ICMP is not permitted here, so loopback cannot be pinged: {e}")
        }
        Err(e) => panic!("ping failed: {e}"),
    }
}

#[test]
fn loopback_addresses_answer_every_probe() {
    let locations = [
        loc("one", &["127.0.0.1"]),
        loc("two", &["127.0.0.2", "127.0.0.3"]),
        loc("three", &["127.0.0.4"]),
    ];
    let started = Instant::now();
    let r = ping_or_explain(&locations, &fast());
    assert!(started.elapsed() < Duration::from_millis(1000) + Duration::from_millis(200));
    assert!(
        ["datagram", "raw"].contains(&r.method.as_str()),
        "{}",
        r.method
    );
    assert_eq!(r.locations.len(), 3);
    for l in &r.locations {
        let per_location = 3 * l.ips.len() as u32;
        assert_eq!(
            (l.stats.sent, l.stats.received),
            (per_location, per_location),
            "{l:?}"
        );
        assert_eq!(l.stats.loss, 0.0);
        let (min, med, p90) = (
            l.stats.min_ms.unwrap(),
            l.stats.median_ms.unwrap(),
            l.stats.p90_ms.unwrap(),
        );
        assert!(
            0.0 <= min && min <= med && med <= p90 && p90 < 500.0,
            "{l:?}"
        );
        for ip in &l.ips {
            assert_eq!(ip.stats.received, 3, "{ip:?}");
            assert!(ip.error.is_none());
        }
    }
    // Sorted best first.
    for w in r.locations.windows(2) {
        assert!(w[0].stats.median_ms <= w[1].stats.median_ms);
    }
}

#[test]
fn the_overall_bound_holds_and_limits_the_rounds() {
    // 10 rounds 100 ms apart cannot fit in 250 ms: only those with a full
    // interval left go out.
    let options = PingOptions {
        probes: 10,
        interval: Duration::from_millis(100),
        timeout: Duration::from_millis(250),
    };
    let started = Instant::now();
    let r = ping_or_explain(&[loc("one", &["127.0.0.1"])], &options);
    let took = started.elapsed();
    assert!(took < Duration::from_millis(250 + 100), "took {took:?}");
    let s = &r.locations[0].stats;
    assert!((1..=3).contains(&s.sent), "{s:?}");
    assert_eq!(s.received, s.sent);
}

#[test]
fn a_cancelled_ping_stops_early() {
    let options = PingOptions {
        probes: 50,
        interval: Duration::from_millis(100),
        timeout: Duration::from_secs(10),
    };
    let started = Instant::now();
    let e = ping_locations_until(&[loc("one", &["127.0.0.1"])], &options, &|| {
        started.elapsed() > Duration::from_millis(100)
    });
    match e {
        Err(e) if e.kind() == ErrorKind::PingNotPermitted => {
            panic!("ICMP is not permitted here: {e}")
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::Cancelled),
        Ok(r) => panic!("not cancelled: {r:?}"),
    }
    assert!(started.elapsed() < Duration::from_millis(500));
}

/// Runs this test binary's `child` test in a fresh network namespace with
/// `ping_group_range` set to `range`, as user nobody without capabilities.
/// Returns `None` (after saying so loudly) when namespaces cannot be made;
/// under `CI=true` that is a failure.
fn run_in_namespace(range: &str, expect: &str) -> Option<std::process::Output> {
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        "ip link set lo up && sysctl -qw net.ipv4.ping_group_range='{range}' && \
         exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
         --bounding-set=-all \"$0\" --exact namespace_child --ignored --nocapture"
    );
    let out = Command::new("unshare")
        .args(["-n", "--", "sh", "-c", &script])
        .arg(&exe)
        .env("GAMEYE_PING_EXPECT", expect)
        .output();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match out {
        Ok(o) if o.status.success() => Some(o),
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("namespace_child") => {
            panic!(
                "the child test failed:\n{}\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        }
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                Err(e) => e.to_string(),
            };
            eprintln!("SKIPPED LOUDLY: cannot make a network namespace (needs root, unshare, setpriv, ip): {why}");
            assert!(!ci, "under CI=true the namespace test must run: {why}");
            None
        }
    }
}

#[test]
fn not_permitted_names_the_cause_and_the_fix() {
    let Some(out) = run_in_namespace("1 0", "not_permitted") else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
fn unprivileged_datagram_sockets_ping_where_the_range_allows() {
    let Some(out) = run_in_namespace("0 2147483647", "datagram") else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Run by the two tests above inside their namespace, as nobody.
#[test]
#[ignore = "run inside a network namespace by the tests above"]
fn namespace_child() {
    let expect = std::env::var("GAMEYE_PING_EXPECT").expect("run by run_in_namespace");
    let r = ping_locations(&[loc("lo", &["127.0.0.1", "127.0.0.9"])], &fast());
    match expect.as_str() {
        "not_permitted" => {
            let e = r.expect_err("ICMP must be refused here");
            assert_eq!(e.kind(), ErrorKind::PingNotPermitted);
            let msg = e.to_string();
            assert!(
                msg.contains("net.ipv4.ping_group_range (now \"1 0\")"),
                "{msg}"
            );
            assert!(msg.contains("gid 65534"), "{msg}");
            assert!(
                msg.contains("sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""),
                "{msg}"
            );
            assert!(msg.contains("CAP_NET_RAW"), "{msg}");
        }
        "datagram" => {
            let r = r.expect("datagram ICMP is allowed here");
            assert_eq!(r.method, "datagram");
            assert_eq!(r.locations[0].stats.received, 6, "{r:?}");
        }
        other => panic!("unknown expectation {other}"),
    }
}

fn emulator() -> Emulator {
    let config = EmulatorConfig {
        locations: vec![
            LocationConfig {
                ips: vec!["127.0.0.2".into()],
                ..LocationConfig::new("europe", 100)
            },
            LocationConfig {
                ips: vec!["127.0.0.3".into()],
                ..LocationConfig::new("full", 0)
            },
            LocationConfig {
                ips: vec!["127.0.0.4".into()],
                ..LocationConfig::new("also-full", 0)
            },
            LocationConfig {
                ips: vec!["127.0.0.5".into()],
                ..LocationConfig::new("asia", 100)
            },
        ],
        ..EmulatorConfig::default()
    };
    Emulator::start(config).expect("emulator starts")
}

fn client(emu: &Emulator) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .retry(RetryPolicy::never()),
    )
    .unwrap()
}

fn player(name: &str, samples: &[(&str, f64)]) -> PlayerLatencies {
    PlayerLatencies {
        player: name.into(),
        locations: samples
            .iter()
            .map(|(id, ms)| LocationLatency {
                id: (*id).into(),
                median_ms: Some(*ms),
                loss: 0.0,
            })
            .collect(),
    }
}

#[test]
fn a_full_location_is_skipped_and_exactly_one_session_starts() {
    let emu = emulator();
    let c = client(&emu);
    let players = [
        player("a", &[("full", 5.0), ("europe", 20.0), ("asia", 90.0)]),
        player("b", &[("full", 6.0), ("europe", 25.0), ("asia", 80.0)]),
    ];
    let placed = c
        .create_session_near(
            SessionRun::new("ignored", "nginx"),
            &players,
            &PlacementPolicy::default(),
        )
        .unwrap()
        .value;
    assert_eq!(placed.location, "europe");
    let tried: Vec<_> = placed
        .tried
        .iter()
        .map(|t| (t.location.as_str(), t.outcome.as_str()))
        .collect();
    assert_eq!(tried, [("full", "no_capacity"), ("europe", "created")]);
    assert_ne!(placed.tried[0].session_id, placed.tried[1].session_id);
    assert_eq!(placed.session.id, placed.tried[1].session_id);
    assert_eq!(emu.session_count(), 1);
    let listed = c
        .list_sessions(&gameye_core::ListFilter::default())
        .unwrap()
        .value;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].location, "europe");
}

#[test]
fn every_location_full_is_no_capacity_within_the_limit() {
    let emu = emulator();
    let c = client(&emu);
    let players = [player(
        "a",
        &[("full", 5.0), ("also-full", 6.0), ("europe", 30.0)],
    )];
    let policy = PlacementPolicy {
        max_locations: 2,
        ..PlacementPolicy::default()
    };
    let e = c
        .create_session_near(SessionRun::new("x", "nginx"), &players, &policy)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoCapacity);
    assert!(e.to_string().contains("full, also-full"), "{e}");
    assert_eq!(
        emu.session_count(),
        0,
        "europe is past the limit: not tried"
    );
}

#[test]
fn no_acceptable_location_is_an_error_that_lists_the_reasons() {
    let emu = emulator();
    let c = client(&emu);
    let players = [player("a", &[("europe", 300.0)]), player("b", &[])];
    let policy = PlacementPolicy {
        max_rtt_ms: Some(100.0),
        ..PlacementPolicy::default()
    };
    let e = c
        .create_session_near(SessionRun::new("x", "nginx"), &players, &policy)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("above the cap"), "{e}");
    assert_eq!(emu.session_count(), 0);
}

#[test]
fn the_whole_flow_pings_the_emulators_ips_and_places_near_them() {
    let config = EmulatorConfig {
        locations: vec![
            LocationConfig {
                ips: vec!["127.0.0.2".into(), "127.0.0.3".into()],
                ..LocationConfig::new("europe", 1)
            },
            LocationConfig {
                ips: vec!["127.0.0.4".into()],
                ..LocationConfig::new("asia", 1)
            },
        ],
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(config).unwrap();
    let c = client(&emu);
    // 1. The backend lists the locations, each with its own IPs.
    let locations = c.available_locations("nginx").unwrap().value;
    assert_eq!(locations.len(), 2);
    assert!(locations
        .iter()
        .any(|l| l.ips == ["127.0.0.2", "127.0.0.3"]));
    // 2. A game client pings them, with no token and no client.
    let report = ping_or_explain(&locations, &fast());
    let mut json = serde_json::to_value(&report).unwrap();
    json["player"] = "alice".into();
    let alice: PlayerLatencies = serde_json::from_value(json).unwrap();
    assert_eq!(alice.locations.len(), 2);
    assert!(alice.locations.iter().all(|l| l.loss == 0.0));
    // Meanwhile the location alice ranks best fills up.
    let best = report.locations[0].id.clone();
    c.create_session(SessionRun::new(&best, "nginx")).unwrap();
    // 3. The backend places the session: the full one answers 420 and the
    //    session lands in the other, and only there.
    let placed = c
        .create_session_near(
            SessionRun::new("x", "nginx"),
            &[alice],
            &PlacementPolicy::default(),
        )
        .unwrap()
        .value;
    assert_eq!(placed.tried[0].location, best);
    assert_eq!(placed.tried[0].outcome, "no_capacity");
    assert_ne!(placed.location, best);
    assert_eq!(emu.session_count(), 2);
}
