//! The Session API contract, spoken as raw HTTP to an in-process emulator.

mod common;

use std::collections::HashSet;

use common::{assert_error, violation_fields, Client};
use gameye_emulator::{
    Emulator, EmulatorConfig, ImageConfig, LocationConfig, PortConfig, TokenConfig,
};
use serde_json::{json, Value};

fn start() -> (Emulator, Client) {
    start_with(EmulatorConfig::default())
}

fn start_with(config: EmulatorConfig) -> (Emulator, Client) {
    let emu = Emulator::start(config).expect("start");
    let client = Client::new(emu.addr());
    (emu, client)
}

fn nginx() -> Value {
    json!({"location": "europe", "image": "nginx"})
}

#[test]
fn run_returns_spec_shape() {
    let (emu, c) = start();
    let r = c.run(json!({"id": "s-1", "location": "europe", "image": "nginx"}));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["host", "id", "ports"]);
    assert_eq!(v["id"], "s-1");
    assert_eq!(v["host"], "127.0.0.1");
    let ports = v["ports"].as_array().unwrap();
    assert_eq!(ports.len(), 1);
    assert_eq!(ports[0]["type"], "tcp");
    assert_eq!(ports[0]["container"], 80);
    let host = ports[0]["host"].as_u64().unwrap();
    assert!((20_000..60_000).contains(&host));
    assert_eq!(ports[0].as_object().unwrap().len(), 3);
    assert_eq!(emu.session_count(), 1);
    assert!(emu.base_url().starts_with("http://127.0.0.1:"));
}

#[test]
fn run_without_id_generates_uuid_v4() {
    let (_emu, c) = start();
    let r = c.run(nginx());
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    assert_eq!(uuid.get_version_num(), 4);
    assert_eq!(c.get(&format!("/session/{id}")).status, 200);
}

#[test]
fn host_ports_are_distinct_across_sessions() {
    let (_emu, c) = start();
    let mut seen = HashSet::new();
    for _ in 0..20 {
        let r = c.run(json!({"location": "asia", "image": "my-game"}));
        assert_eq!(r.status, 201);
        let v = r.json();
        let ports = v["ports"].as_array().unwrap();
        assert_eq!(ports[0]["type"], "udp");
        assert_eq!(ports[0]["container"], 7777);
        assert_eq!(ports[1]["type"], "tcp");
        assert_eq!(ports[1]["container"], 7778);
        for p in ports {
            assert!(seen.insert(p["host"].as_u64().unwrap()), "port reused");
        }
    }
    assert_eq!(seen.len(), 40);
}

#[test]
fn concurrent_runs_respect_capacity() {
    let config = EmulatorConfig {
        locations: vec![LocationConfig::new("tiny", 5)],
        ..EmulatorConfig::default()
    };
    let (emu, _) = start_with(config);
    let addr = emu.addr();
    let handles: Vec<_> = (0..16)
        .map(|_| {
            std::thread::spawn(move || {
                Client::new(addr)
                    .run(json!({"location": "tiny", "image": "nginx"}))
                    .status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 420).count(), 11);
}

#[test]
fn unauthorized_401() {
    let (emu, _) = start();
    for token in [None, Some("wrong-token")] {
        let c = Client::with_token(emu.addr(), token);
        let r = c.run(nginx());
        assert_error(&r, 401, "UNAUTHORIZED", "/session");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        for (m, p) in [
            ("GET", "/session"),
            ("GET", "/session/x"),
            ("DELETE", "/session/x"),
        ] {
            assert_error(&c.request(m, p, None), 401, "UNAUTHORIZED", p);
        }
    }
    // Wrong scheme.
    let r = common::send(
        emu.addr(),
        "GET",
        "/session",
        &[("Authorization", "Basic Zm9vOmJhcg==")],
        None,
        common::TIMEOUT,
    )
    .unwrap();
    assert_error(&r, 401, "UNAUTHORIZED", "/session");
    // Scheme is case-insensitive.
    let auth = format!("bearer {}", gameye_emulator::DEFAULT_TOKEN);
    let r = common::send(
        emu.addr(),
        "GET",
        "/session",
        &[("Authorization", &auth)],
        None,
        common::TIMEOUT,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(emu.session_count(), 0);
}

#[test]
fn forbidden_403_without_scope() {
    let mut config = EmulatorConfig::default();
    config.tokens.push(TokenConfig {
        token: "reader".into(),
        scopes: vec!["session:read".into()],
        quota: None,
    });
    let (emu, c) = start_with(config);
    let reader = Client::with_token(emu.addr(), Some("reader"));
    // Scope is checked before the body.
    assert_error(
        &reader.post("/session", "garbage"),
        403,
        "FORBIDDEN",
        "/session",
    );
    assert_error(&reader.run(nginx()), 403, "FORBIDDEN", "/session");
    let id = c.run(nginx()).json()["id"].as_str().unwrap().to_string();
    let path = format!("/session/{id}");
    assert_error(&reader.delete(&path), 403, "FORBIDDEN", &path);
    assert_eq!(reader.get(&path).status, 200);
    assert_eq!(reader.get("/session").status, 200);
    assert_eq!(emu.session_count(), 1);
}

#[test]
fn validation_422_names_each_field() {
    let (emu, c) = start();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("not json", vec!["body"]),
        ("[]", vec!["body"]),
        ("\"europe\"", vec!["body"]),
        ("{}", vec!["location", "image"]),
        (r#"{"location":"europe"}"#, vec!["image"]),
        (r#"{"location":"","image":"nginx"}"#, vec!["location"]),
        (r#"{"location":"europe","image":7}"#, vec!["image"]),
        (
            r#"{"location":"europe","image":"nginx","id":""}"#,
            vec!["id"],
        ),
        (
            r#"{"location":"europe","image":"nginx","id":null}"#,
            vec!["id"],
        ),
        (
            r#"{"location":"europe","image":"nginx","env":{"A":"1","B":""}}"#,
            vec!["env.B"],
        ),
        (
            r#"{"location":"europe","image":"nginx","env":["A"]}"#,
            vec!["env"],
        ),
        (
            r#"{"location":"europe","image":"nginx","args":["-x",""]}"#,
            vec!["args[1]"],
        ),
        (
            r#"{"location":"europe","image":"nginx","args":"-x"}"#,
            vec!["args"],
        ),
        (
            r#"{"location":"europe","image":"nginx","restart":"yes"}"#,
            vec!["restart"],
        ),
        (
            r#"{"location":"europe","image":"nginx","labels":{"a":1}}"#,
            vec!["labels.a"],
        ),
        (
            r#"{"location":"europe","image":"nginx","version":1}"#,
            vec!["version"],
        ),
        (
            r#"{"location":"europe","image":"nginx","external_id":1}"#,
            vec!["external_id"],
        ),
        (
            r#"{"location":"europe","image":"nginx","region":"eu"}"#,
            vec!["region"],
        ),
        (
            r#"{"location":"europe","image":"nginx","ttl":"1d"}"#,
            vec!["ttl"],
        ),
        (
            r#"{"location":"europe","image":"nginx","ttl":"30m1h"}"#,
            vec!["ttl"],
        ),
        (
            r#"{"location":"europe","image":"nginx","ttl":"25h"}"#,
            vec!["ttl"],
        ),
        (
            r#"{"location":"europe","image":"nginx","ttl":5}"#,
            vec!["ttl"],
        ),
    ];
    for (body, fields) in cases {
        let r = c.post("/session", body);
        let v = assert_error(&r, 422, "VALIDATION_FAILED", "/session");
        let mut got = violation_fields(&v);
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "body {body}");
    }
    // Several bad fields are all reported at once.
    let v = c
        .post("/session", r#"{"location":1,"image":"","extra":true}"#)
        .json();
    let mut got = violation_fields(&v);
    got.sort();
    assert_eq!(got, ["extra", "image", "location"]);
    // Valid optional fields are accepted.
    let r = c.run(json!({
        "location": "europe", "image": "nginx", "version": "1.25",
        "env": {"A": "1"}, "args": ["--x"], "restart": true,
        "labels": {"k": ""}, "ttl": "2h30m", "external_id": "ext-1"
    }));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(emu.session_count(), 1);
}

#[test]
fn max_ttl_is_configurable() {
    let config = EmulatorConfig {
        max_ttl_minutes: 60,
        ..EmulatorConfig::default()
    };
    let (_emu, c) = start_with(config);
    let mut body = nginx();
    body["ttl"] = json!("1h");
    assert_eq!(c.run(body.clone()).status, 201);
    body["ttl"] = json!("1h1m");
    let v = assert_error(&c.run(body), 422, "VALIDATION_FAILED", "/session");
    assert_eq!(violation_fields(&v), ["ttl"]);
}

#[test]
fn not_found_404_location_image_tag() {
    let (emu, c) = start();
    let r = c.run(json!({"location": "mars", "image": "nope"}));
    assert_error(&r, 404, "LOCATION_NOT_FOUND", "/session");
    let r = c.run(json!({"location": "europe", "image": "nope"}));
    assert_error(&r, 404, "IMAGE_NOT_FOUND", "/session");
    let r = c.run(json!({"location": "europe", "image": "nginx", "version": "9.9"}));
    assert_error(&r, 404, "TAG_NOT_FOUND", "/session");
    // A tag of another image is not a tag of this one.
    let r = c.run(json!({"location": "europe", "image": "nginx", "version": "1.0.0"}));
    assert_error(&r, 404, "TAG_NOT_FOUND", "/session");
    assert_eq!(emu.session_count(), 0);
    // The default tag is the first one.
    let id = c.run(nginx()).json()["id"].as_str().unwrap().to_string();
    assert_eq!(c.get(&format!("/session/{id}")).json()["tag"], "latest");
}

#[test]
fn conflict_409_on_reused_id() {
    let (emu, c) = start();
    let body = json!({"id": "dup", "location": "europe", "image": "nginx"});
    assert_eq!(c.run(body.clone()).status, 201);
    assert_error(&c.run(body.clone()), 409, "SESSION_ID_CONFLICT", "/session");
    // Still taken after the session exited: the emulator holds it.
    assert_eq!(c.delete("/session/dup").status, 204);
    assert_error(&c.run(body), 409, "SESSION_ID_CONFLICT", "/session");
    assert_eq!(emu.session_count(), 1);
}

#[test]
fn quota_402_counts_sessions_ever_started() {
    let config = EmulatorConfig {
        tokens: vec![TokenConfig {
            token: "limited".into(),
            scopes: gameye_emulator::ALL_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            quota: Some(2),
        }],
        ..EmulatorConfig::default()
    };
    let (emu, _) = start_with(config);
    let c = Client::with_token(emu.addr(), Some("limited"));
    let first = c.run(nginx()).json()["id"].as_str().unwrap().to_string();
    assert_eq!(c.run(nginx()).status, 201);
    assert_error(&c.run(nginx()), 402, "QUOTA_EXHAUSTED", "/session");
    // Stopping does not give quota back.
    assert_eq!(c.delete(&format!("/session/{first}")).status, 204);
    assert_error(&c.run(nginx()), 402, "QUOTA_EXHAUSTED", "/session");
    // Conflict is checked before quota.
    let r = c.run(json!({"id": first, "location": "europe", "image": "nginx"}));
    assert_error(&r, 409, "SESSION_ID_CONFLICT", "/session");
}

#[test]
fn capacity_420_counts_running_sessions() {
    let mut config = EmulatorConfig {
        locations: vec![LocationConfig::new("one", 1), LocationConfig::new("two", 1)],
        ..EmulatorConfig::default()
    };
    config.tokens[0].quota = Some(3);
    let (_emu, c) = start_with(config);
    let one = json!({"location": "one", "image": "nginx"});
    let first = c.run(one.clone()).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(&c.run(one.clone()), 420, "NO_CAPACITY", "/session");
    // Other locations are unaffected.
    assert_eq!(
        c.run(json!({"location": "two", "image": "nginx"})).status,
        201
    );
    // Stopping frees capacity.
    assert_eq!(c.delete(&format!("/session/{first}")).status, 204);
    assert_eq!(c.run(one.clone()).status, 201);
    // Quota (3 used) wins over capacity.
    assert_error(&c.run(one), 402, "QUOTA_EXHAUSTED", "/session");
}

#[test]
fn check_order_follows_the_contract() {
    let (_emu, c) = start();
    // Body before location.
    let r = c.run(json!({"location": "mars", "image": "nginx", "ttl": "x"}));
    assert_error(&r, 422, "VALIDATION_FAILED", "/session");
    // Location before image before tag.
    let r = c.run(json!({"location": "mars", "image": "nope", "version": "x"}));
    assert_error(&r, 404, "LOCATION_NOT_FOUND", "/session");
    let r = c.run(json!({"location": "europe", "image": "nope", "version": "x"}));
    assert_error(&r, 404, "IMAGE_NOT_FOUND", "/session");
    // Tag before id conflict.
    c.run(json!({"id": "a", "location": "europe", "image": "nginx"}));
    let r = c.run(json!({"id": "a", "location": "europe", "image": "nginx", "version": "x"}));
    assert_error(&r, 404, "TAG_NOT_FOUND", "/session");
    // Token before everything.
    let anon = Client::with_token(c.addr, None);
    assert_error(
        &anon.post("/session", "garbage"),
        401,
        "UNAUTHORIZED",
        "/session",
    );
}

#[test]
fn list_filters_and_shape() {
    let (_emu, c) = start();
    let run = |id: &str, loc: &str, image: &str, version: &str, labels: Value| {
        let r = c.run(json!({"id": id, "location": loc, "image": image,
            "version": version, "labels": labels}));
        assert_eq!(r.status, 201, "{}", r.text());
    };
    run(
        "a",
        "europe",
        "nginx",
        "latest",
        json!({"mode": "ffa", "tier": "1"}),
    );
    run("b", "europe", "my-game", "1.0.0", json!({"mode": "ctf"}));
    run("c", "asia", "nginx", "1.25", json!({"mode": "ffa"}));
    assert_eq!(c.delete("/session/c").status, 204);

    let ids = |query: &str| -> Vec<String> {
        let r = c.get(&format!("/session{query}"));
        assert_eq!(r.status, 200, "{query}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        let v = r.json();
        assert_eq!(v.as_object().unwrap().len(), 1);
        v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(""), ["a", "b"]);
    assert_eq!(ids("?all=true"), ["a", "b", "c"]);
    assert_eq!(ids("?all=false"), ["a", "b"]);
    assert_eq!(ids("?location=europe"), ["a", "b"]);
    assert_eq!(ids("?location=asia&all=true"), ["c"]);
    assert_eq!(ids("?image=my-game"), ["b"]);
    assert_eq!(ids("?tag=latest"), ["a"]);
    assert_eq!(ids("?host=127.0.0.1"), ["a", "b"]);
    assert!(ids("?host=10.0.0.1").is_empty());
    assert_eq!(ids("?filter[mode]=ffa"), ["a"]);
    assert_eq!(ids("?filter%5Bmode%5D=ffa&all=true"), ["a", "c"]);
    assert_eq!(ids("?filter[mode]=ffa&filter[tier]=1"), ["a"]);
    assert!(ids("?filter[mode]=ffa&filter[tier]=2").is_empty());
    assert!(ids("?filter[missing]=x").is_empty());
    assert_eq!(ids("?playerCount[lt]=1"), ["a", "b"]);
    assert!(ids("?playerCount[gt]=0").is_empty());
    assert_eq!(ids("?unknown=1"), ["a", "b"]);

    let v = c.get("/session?image=nginx").json();
    let s = &v["sessions"][0];
    assert_eq!(s["id"], "a");
    assert_eq!(s["image"], "nginx");
    assert_eq!(s["tag"], "latest");
    assert_eq!(s["location"], "europe");
    assert_eq!(s["host"], "127.0.0.1");
    assert!(s["created"].is_i64());
    let port = s["port"].as_object().unwrap();
    assert_eq!(port.len(), 1);
    assert!(port["80/tcp"].as_u64().is_some());
    assert_eq!(s["status"], "running");
    assert_eq!(s["labels"], json!({"mode": "ffa", "tier": "1"}));
    assert_eq!(s["playerCount"], 0);

    let v = c.get("/session?image=my-game").json();
    let port = v["sessions"][0]["port"].as_object().unwrap();
    let mut keys: Vec<&str> = port.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["7777/udp", "7778/tcp"]);

    let v = c.get("/session?all=true&location=asia").json();
    assert_eq!(v["sessions"][0]["status"], "exited");

    // The spec documents no 400/422 for GET /session: a malformed query
    // value is its documented 403 (TESTING.md, "Where the spec is silent").
    for (query, field) in [
        ("playerCount[lt]=many", "playerCount[lt]"),
        ("playerCount[other]=x", "playerCount[other]"),
        ("all=null", "all"),
        ("all=", "all"),
        ("all=true&all=true", "all"),
        ("location=a&location=b", "location"),
        ("filter=x", "filter"),
        ("filter[a][b]=x", "filter[a][b]"),
        ("filter[a]=x&filter[a]=y", "filter[a]"),
        ("filter[]=x", "filter[]"),
    ] {
        let r = c.get(&format!("/session?{query}"));
        let v = assert_error(&r, 403, "INVALID_QUERY_PARAMETER", "/session");
        assert_eq!(violation_fields(&v), [field], "{query}");
    }
    // Keys the spec allows but gives no meaning are ignored.
    assert_eq!(c.get("/session?playerCount[eq]=1").status, 200);
}

#[test]
fn what_the_spec_allows_is_accepted() {
    let (_emu, c) = start();
    // An empty ttl is no ttl.
    let r = c.run(json!({"id": "t", "location": "europe", "image": "nginx", "ttl": ""}));
    assert_eq!(r.status, 201, "{}", r.text());
    // Empty player lists and empty player ids.
    let join = |body: &str| c.request("PUT", "/session/player/join", Some(body));
    let r = join(r#"{"session":"t","players":[]}"#);
    assert_eq!(r.json(), json!({"count": 0, "players": []}));
    let r = join(r#"{"session":"t","players":["", "a"]}"#);
    assert_eq!(r.json(), json!({"count": 2, "players": ["", "a"]}));
    let leave = |body: &str| c.request("DELETE", "/session/player/leave", Some(body));
    let r = leave(r#"{"players":[]}"#);
    assert_eq!(r.json(), json!({"count": 0, "players": []}));
    let r = leave(r#"{"players":["", "zed"]}"#);
    assert_eq!(r.json(), json!({"count": 1, "players": [""]}));
    // An empty session id is a session that does not exist.
    let r = join(r#"{"session":"","players":["a"]}"#);
    assert_error(&r, 404, "SESSION_NOT_FOUND", "/session/player/join");
}

#[test]
fn describe_session() {
    let (_emu, c) = start();
    let r = c.run(
        json!({"id": "d 1/x", "location": "north-america", "image": "nginx",
        "version": "1.25", "labels": {"k": "v"}}),
    );
    assert_eq!(r.status, 201);
    let host_port = r.json()["ports"][0]["host"].as_u64().unwrap();
    let r = c.get("/session/d%201%2Fx");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["id"], "d 1/x");
    assert_eq!(v["image"], "nginx");
    assert_eq!(v["tag"], "1.25");
    assert_eq!(v["location"], "north-america");
    assert_eq!(v["host"], "127.0.0.1");
    let created = v["created"].as_i64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(
        (now - created).abs() < 60_000,
        "created {created} is not ms"
    );
    assert_eq!(v["port"], json!({"80/tcp": host_port}));
    assert_eq!(v["status"], "running");
    assert_eq!(v["labels"], json!({"k": "v"}));
    assert_eq!(v["players"], json!({"joined": [], "joinedCount": 0}));

    assert_error(
        &c.get("/session/nope"),
        404,
        "SESSION_NOT_FOUND",
        "/session/nope",
    );
}

#[test]
fn stop_session() {
    let (emu, c) = start();
    let id = c.run(nginx()).json()["id"].as_str().unwrap().to_string();
    let path = format!("/session/{id}");
    let r = c.delete(&path);
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(c.get(&path).json()["status"], "exited");
    assert_error(&c.delete(&path), 409, "SESSION_ALREADY_TERMINATED", &path);
    assert_error(
        &c.delete("/session/nope"),
        404,
        "SESSION_NOT_FOUND",
        "/session/nope",
    );
    assert_eq!(emu.session_count(), 1);
    assert!(c.get("/session").json()["sessions"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn stopped_sessions_free_their_ports() {
    let config = EmulatorConfig {
        images: vec![ImageConfig {
            ports: (1..=10_000).map(PortConfig::tcp).collect(),
            ..ImageConfig::new("many")
        }],
        ..EmulatorConfig::default()
    };
    let (_emu, c) = start_with(config);
    let run = || c.run(json!({"location": "europe", "image": "many"}));
    let mut ids = Vec::new();
    for _ in 0..4 {
        let r = run();
        assert_eq!(r.status, 201);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    // 40000 host ports are in use: no room for another session.
    assert_error(&run(), 420, "NO_CAPACITY", "/session");
    assert_eq!(c.delete(&format!("/session/{}", ids[0])).status, 204);
    assert_eq!(run().status, 201);
}

#[test]
fn unknown_route_and_method() {
    let (_emu, c) = start();
    for path in ["/", "/sessions", "/session/", "/session/a/b", "/v1/session"] {
        assert_error(&c.get(path), 404, "ROUTE_NOT_FOUND", path);
    }
    let r = c.request("PUT", "/session", Some("{}"));
    assert_error(&r, 405, "METHOD_NOT_ALLOWED", "/session");
    let r = c.request("PATCH", "/session/x", None);
    assert_error(&r, 405, "METHOD_NOT_ALLOWED", "/session/x");
    // RFC 9110: every 405 lists what the path supports.
    for (method, path, allow) in [
        ("PUT", "/session", "GET, POST"),
        ("TRACE", "/session/x", "GET, DELETE"),
        ("GET", "/session/player/join", "PUT"),
        ("GET", "/session/player/leave", "DELETE"),
        ("POST", "/logs", "GET"),
        ("DELETE", "/artifacts", "GET"),
        ("PUT", "/available-location/nginx", "GET"),
        ("POST", "/tag/europe/nginx/latest", "GET"),
    ] {
        let r = c.request(method, path, None);
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
    }
}

#[test]
fn players_join_and_leave() {
    let (_emu, c) = start();
    c.run(json!({"id": "p", "location": "europe", "image": "nginx"}));
    c.run(json!({"id": "q", "location": "europe", "image": "nginx"}));
    let r = c.request(
        "PUT",
        "/session/player/join",
        Some(r#"{"session":"p","players":["alice","bob"]}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"count": 2, "players": ["alice", "bob"]}));
    let v = c.get("/session/p").json();
    assert_eq!(
        v["players"],
        json!({"joined": ["alice", "bob"], "joinedCount": 2})
    );
    let ids = |q: &str| -> Vec<String> {
        c.get(&format!("/session?{q}")).json()["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("playerCount[gt]=1"), ["p"]);
    assert_eq!(ids("playerCount[lt]=2"), ["q"]);
    assert_eq!(ids("playerCount[gt]=0&playerCount[lt]=3"), ["p"]);

    let r = c.request(
        "DELETE",
        "/session/player/leave",
        Some(r#"{"players":["alice"]}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"count": 1, "players": ["alice"]}));
    assert_eq!(c.get("/session").json()["sessions"][0]["playerCount"], 1);

    let r = c.request(
        "PUT",
        "/session/player/join",
        Some(r#"{"session":"nope","players":["x"]}"#),
    );
    assert_error(&r, 404, "SESSION_NOT_FOUND", "/session/player/join");
    let r = c.request("PUT", "/session/player/join", Some(r#"{"players":[1]}"#));
    let v = assert_error(&r, 422, "VALIDATION_FAILED", "/session/player/join");
    let mut f = violation_fields(&v);
    f.sort();
    assert_eq!(f, ["players[0]", "session"]);
    let r = c.request(
        "DELETE",
        "/session/player/leave",
        Some(r#"{"players":["nobody"]}"#),
    );
    assert_error(&r, 404, "SESSION_NOT_FOUND", "/session/player/leave");
}

#[test]
fn available_locations_and_tags() {
    let config = EmulatorConfig {
        locations: vec![
            LocationConfig {
                id: "full".into(),
                capacity: 0,
                ips: vec!["10.0.0.1".into()],
            },
            LocationConfig {
                id: "open".into(),
                capacity: 5,
                ips: vec!["10.0.0.2".into()],
            },
        ],
        ..EmulatorConfig::default()
    };
    let (_emu, c) = start_with(config);
    let r = c.get("/available-location/nginx");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"locations": [{"id": "open", "ips": ["10.0.0.2"]}]})
    );
    assert_error(
        &c.get("/available-location/nope"),
        404,
        "IMAGE_NOT_FOUND",
        "/available-location/nope",
    );
    assert_eq!(
        c.get("/tag/open/nginx/1.25").json(),
        json!({"exists": true})
    );
    assert_eq!(
        c.get("/tag/open/nginx/2.0").json(),
        json!({"exists": false})
    );
    assert_error(
        &c.get("/tag/open/nope/1"),
        404,
        "IMAGE_NOT_FOUND",
        "/tag/open/nope/1",
    );
    assert_error(
        &c.get("/tag/mars/nginx/1"),
        404,
        "LOCATION_NOT_FOUND",
        "/tag/mars/nginx/1",
    );
}

#[test]
fn logs_and_artifacts() {
    let (_emu, c) = start();
    c.run(json!({"id": "l", "location": "europe", "image": "nginx"}));
    let r = c.get("/logs?id=l&follow=true");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(r.text().contains("session l started"));
    assert_error(&c.get("/logs?id=nope"), 404, "SESSION_NOT_FOUND", "/logs");
    // The spec documents no 422 here: no id names no session.
    assert_error(&c.get("/logs"), 404, "SESSION_NOT_FOUND", "/logs");
    assert_error(&c.get("/logs?id="), 404, "SESSION_NOT_FOUND", "/logs");
    assert_error(
        &c.get("/logs?id=l&follow=maybe"),
        403,
        "INVALID_QUERY_PARAMETER",
        "/logs",
    );

    let r = c.get("/artifacts?session=l&path=/tmp/crash.log");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-tar"));
    assert_eq!(&r.body[..2], &[0x1f, 0x8b], "gzip magic");
    assert_error(
        &c.get("/artifacts?session=nope&path=/x"),
        404,
        "SESSION_NOT_FOUND",
        "/artifacts",
    );
    for query in ["session=l", "session=l&path=", "path=/x", ""] {
        let r = c.get(&format!("/artifacts?{query}"));
        assert_eq!(r.status, 404, "{query}: {}", r.text());
    }
}

#[test]
fn error_identifiers_are_unique() {
    let (_emu, c) = start();
    let a = c.get("/nope").json()["identifier"].clone();
    let b = c.get("/nope").json()["identifier"].clone();
    assert_ne!(a, b);
}

#[test]
fn keep_alive_connections_work() {
    use std::io::{BufRead, BufReader, Read, Write};
    let (emu, _) = start();
    let stream = std::net::TcpStream::connect(emu.addr()).unwrap();
    stream.set_read_timeout(Some(common::TIMEOUT)).unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    let body = nginx().to_string();
    for _ in 0..3 {
        write!(
            w,
            "POST /session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            gameye_emulator::DEFAULT_TOKEN,
            body.len(),
            body
        )
        .unwrap();
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 201"), "{status}");
        let mut len = 0;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut buf = vec![0; len];
        r.read_exact(&mut buf).unwrap();
    }
    assert_eq!(emu.session_count(), 3);
}

#[test]
fn works_inside_another_runtime_and_stops_promptly() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let emu = Emulator::start(EmulatorConfig::default()).unwrap();
        let addr = emu.addr();
        let status = tokio::task::spawn_blocking(move || Client::new(addr).run(nginx()).status)
            .await
            .unwrap();
        assert_eq!(status, 201);
        let t = std::time::Instant::now();
        emu.shutdown();
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
        assert!(std::net::TcpStream::connect(addr).is_err());
    });
}

#[test]
fn invalid_config_is_rejected_at_start() {
    let mut config = EmulatorConfig::default();
    config.images[0].ports.push(PortConfig {
        r#type: "sctp".into(),
        container: 9,
    });
    let err = Emulator::start(config).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn serve_on_own_listener() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(gameye_emulator::serve(
            listener,
            EmulatorConfig::default(),
            async {
                let _ = rx.await;
            },
        ));
        let status = tokio::task::spawn_blocking(move || Client::new(addr).run(nginx()).status)
            .await
            .unwrap();
        assert_eq!(status, 201);
        tx.send(()).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), server)
            .await
            .expect("serve did not stop")
            .unwrap()
            .unwrap();
    });
}
