//! The contract test: every response the emulator gives, for every operation
//! of the Gameye Session API spec and every status the spec lists for it, is
//! checked against the spec itself.
//!
//! The spec is read from the shared folder beside the project (it is not
//! copied into the project). The schema of each response is looked up in the
//! spec's `paths` → operation → `responses` → status → `content` → media type
//! → `schema`, and JSON bodies are validated with a JSON Schema validator
//! (draft 4, the dialect OpenAPI 3.0 schemas are based on) against a document
//! made of that schema plus the spec's `components`, so `$ref:
//! '#/components/schemas/X'` resolves inside the spec. Responses without a
//! schema are checked for the media type the spec names (and 204 for an empty
//! body). At the end, every (operation, status) pair the spec declares must
//! have been seen, except the few listed in [`NOT_PRODUCIBLE`] with a reason.
//!
//! Without the spec file the test says so loudly and passes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::{Client, Resp};
use gameye_emulator::{
    Emulator, EmulatorConfig, ImageConfig, LocationConfig, PortConfig, TokenConfig,
};
use serde_json::{json, Value};

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/spec/gameye-session-api.yaml"
);

/// Operation/status pairs the spec lists that the emulator cannot produce,
/// and why.
const NOT_PRODUCIBLE: &[(&str, &str, u16, &str)] = &[
    (
        "GET",
        "/tag/{region}/{image}/{version}",
        400,
        "every region/image/version triple is a valid question; unknown ones are 404",
    ),
    (
        "PUT",
        "/session/player/join",
        403,
        "the spec names no scope for this operation, so any valid token may call it",
    ),
    (
        "DELETE",
        "/session/player/leave",
        403,
        "the spec names no scope for this operation, so any valid token may call it",
    ),
];

/// Statuses the emulator answers that the spec does not list for the
/// operation; their bodies must still be the spec's `ErrorResponse`.
const UNDOCUMENTED: &[(&str, &str, u16, &str)] = &[
    (
        "GET",
        "/logs",
        422,
        "a missing `id` or a `follow` that is not a boolean",
    ),
    (
        "GET",
        "/artifacts",
        422,
        "a missing `session`/`path`, or a path leaving the session's directory",
    ),
];

/// YAML to JSON; map keys become strings (the spec's status codes are
/// written as YAML integers).
fn to_json(v: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => panic!("unsupported YAML key {other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => to_json(t.value),
    }
}

struct Spec {
    doc: Value,
    /// (METHOD, template, status) seen so far.
    covered: BTreeSet<(String, String, u16)>,
    checked: usize,
}

impl Spec {
    fn load() -> Option<Spec> {
        let text = match std::fs::read_to_string(SPEC_PATH) {
            Ok(t) => t,
            Err(e) => {
                println!(
                    "SKIPPED the contract test: cannot read the spec at {SPEC_PATH} ({e}); \
                     nothing was checked"
                );
                eprintln!("SKIPPED the contract test: spec not found at {SPEC_PATH}");
                return None;
            }
        };
        let yaml: serde_norway::Value = serde_norway::from_str(&text).expect("the spec is YAML");
        Some(Spec {
            doc: to_json(yaml),
            covered: BTreeSet::new(),
            checked: 0,
        })
    }

    fn operation(&self, method: &str, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "the spec has no operation {method} {template}"
        );
        op
    }

    /// Validates `instance` against `schema` (a schema object from the spec).
    fn validate(&self, schema: &Value, instance: &Value, what: &str) -> Result<(), String> {
        let mut root = match schema {
            Value::Object(m) => m.clone(),
            other => panic!("{what}: schema is not an object: {other}"),
        };
        root.insert("components".to_string(), self.doc["components"].clone());
        let validator = jsonschema::draft4::new(&Value::Object(root))
            .unwrap_or_else(|e| panic!("{what}: the spec's schema does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("at {:?}: {e}", e.instance_path.to_string()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }

    fn error_schema() -> Value {
        json!({"$ref": "#/components/schemas/ErrorResponse"})
    }

    /// Checks one response of `METHOD template` against the spec.
    fn check(&mut self, method: &str, template: &str, resp: &Resp) {
        let what = format!("{method} {template} -> {}", resp.status);
        let op = self.operation(method, template).clone();
        let declared = &op["responses"][resp.status.to_string()];
        if declared.is_null() {
            let allowed = UNDOCUMENTED
                .iter()
                .any(|(m, t, s, _)| *m == method && *t == template && *s == resp.status);
            assert!(
                allowed,
                "{what}: the spec lists no such status for this operation; body: {}",
                resp.text()
            );
            self.check_json(&Self::error_schema(), resp, &what);
        } else {
            match declared.get("content").and_then(Value::as_object) {
                None => assert!(
                    resp.body.is_empty(),
                    "{what}: the spec declares no content, got {:?}",
                    resp.text()
                ),
                Some(content) => {
                    let ct = resp
                        .header("content-type")
                        .unwrap_or_else(|| panic!("{what}: no content-type"));
                    let media = ct.split(';').next().unwrap().trim().to_ascii_lowercase();
                    let entry = content.get(&media).unwrap_or_else(|| {
                        panic!(
                            "{what}: content-type {ct:?} is not one the spec lists: {:?}",
                            content.keys().collect::<Vec<_>>()
                        )
                    });
                    match entry.get("schema") {
                        Some(schema) => self.check_json(schema, resp, &what),
                        None if media == "application/x-tar" => assert_eq!(
                            resp.body.get(..2),
                            Some(&[0x1f, 0x8b][..]),
                            "{what}: not a .tar.gz"
                        ),
                        None => {}
                    }
                }
            }
        }
        self.covered
            .insert((method.to_string(), template.to_string(), resp.status));
        self.checked += 1;
    }

    fn check_json(&self, schema: &Value, resp: &Resp, what: &str) {
        let body: Value = serde_json::from_slice(&resp.body)
            .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {}", resp.text()));
        if let Err(errors) = self.validate(schema, &body, what) {
            panic!("{what}: body does not match the spec:\n{errors}\nbody: {body}");
        }
    }

    /// Every (METHOD, template, status) the spec declares.
    fn declared(&self) -> BTreeSet<(String, String, u16)> {
        let mut out = BTreeSet::new();
        for (template, item) in self.doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                    continue; // `parameters` and other non-operation keys
                };
                for status in responses.keys() {
                    out.insert((
                        method.to_ascii_uppercase(),
                        template.clone(),
                        status.parse().expect("numeric status"),
                    ));
                }
            }
        }
        out
    }
}

/// A client that checks every response it gets against the spec.
struct Checked<'a> {
    spec: &'a mut Spec,
    addr: std::net::SocketAddr,
}

impl Checked<'_> {
    fn call(
        &mut self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
        template: &str,
    ) -> Resp {
        let c = Client::with_token(self.addr, token);
        let body = body.map(|b| b.to_string());
        let resp = c.request(method, path, body.as_deref());
        self.spec.check(method, template, &resp);
        resp
    }
}

const TOKEN: Option<&str> = Some(gameye_emulator::DEFAULT_TOKEN);
const NO_SCOPES: Option<&str> = Some("no-scopes");
const BAD: Option<&str> = Some("not-a-token");

fn config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.tokens.push(TokenConfig {
        scopes: Vec::new(),
        ..TokenConfig::new("no-scopes")
    });
    config.tokens.push(TokenConfig {
        quota: Some(1),
        ..TokenConfig::new("quota-1")
    });
    config.locations.push(LocationConfig::new("full", 0));
    let script = format!(
        "{}/tests/fixtures/behaviours.py",
        env!("CARGO_MANIFEST_DIR")
    );
    config.images.push(ImageConfig {
        ports: vec![PortConfig::tcp(7778)],
        command: Some(vec!["python3".into(), script]),
        ..ImageConfig::new("behave")
    });
    config
}

#[test]
fn the_validator_rejects_what_the_spec_forbids() {
    let Some(spec) = Spec::load() else { return };
    let ok =
        json!({"id": "a", "host": "h", "ports": [{"type": "tcp", "container": 80, "host": 1}]});
    let schema = json!({"$ref": "#/components/schemas/SessionRunOk"});
    spec.validate(&schema, &ok, "ok").unwrap();
    let mut extra = ok.clone();
    extra["surprise"] = json!(1);
    assert!(spec.validate(&schema, &extra, "extra").is_err());
    let bad_port = json!({"host": "h", "ports": [{"type": "sctp", "container": 80, "host": 1}]});
    assert!(spec.validate(&schema, &bad_port, "bad port").is_err());
    let no_identifier = json!({"statusCode": 404, "code": "X", "message": "m",
        "details": "d", "path": "/", "timestamp": "t"});
    assert!(spec
        .validate(&Spec::error_schema(), &no_identifier, "error")
        .is_err());
}

#[test]
fn every_response_matches_the_spec() {
    let Some(mut spec) = Spec::load() else { return };
    let emu = Emulator::start(config()).expect("emulator starts");
    let mut api = Checked {
        spec: &mut spec,
        addr: emu.addr(),
    };
    let run = |loc: &str, id: &str| json!({"id": id, "location": loc, "image": "nginx"});

    // POST /session
    let t = "/session";
    let r = api.call(TOKEN, "POST", "/session", Some(run("europe", "c-1")), t);
    assert_eq!(r.status, 201);
    api.call(None, "POST", "/session", Some(run("europe", "x")), t);
    api.call(NO_SCOPES, "POST", "/session", Some(run("europe", "x")), t);
    let q = Some("quota-1");
    assert_eq!(
        api.call(q, "POST", "/session", Some(run("europe", "q-1")), t)
            .status,
        201
    );
    assert_eq!(
        api.call(q, "POST", "/session", Some(run("europe", "q-2")), t)
            .status,
        402
    );
    api.call(TOKEN, "POST", "/session", Some(run("nowhere", "x")), t);
    api.call(TOKEN, "POST", "/session", Some(run("europe", "c-1")), t);
    assert_eq!(
        api.call(TOKEN, "POST", "/session", Some(run("full", "x")), t)
            .status,
        420
    );
    api.call(TOKEN, "POST", "/session", Some(json!({"location": ""})), t);
    let with_everything = json!({"id": "c-2", "location": "asia", "image": "my-game",
        "version": "1.0.0", "env": {"A": "1"}, "args": ["--x"], "restart": true,
        "labels": {"mode": "ffa"}, "ttl": "1h30m", "external_id": "ext"});
    assert_eq!(
        api.call(TOKEN, "POST", "/session", Some(with_everything), t)
            .status,
        201
    );
    // A generated id, and a session that runs a process.
    api.call(
        TOKEN,
        "POST",
        "/session",
        Some(json!({"location": "europe", "image": "nginx"})),
        t,
    );
    let r = api.call(
        TOKEN,
        "POST",
        "/session",
        Some(json!({"id": "p-1", "location": "europe", "image": "behave",
            "args": ["fail-always"], "restart": true})),
        t,
    );
    assert_eq!(r.status, 201);

    // PUT /session/player/join and DELETE /session/player/leave
    let t = "/session/player/join";
    let join = json!({"session": "c-1", "players": ["p1", "p2"]});
    assert_eq!(api.call(TOKEN, "PUT", t, Some(join.clone()), t).status, 200);
    api.call(None, "PUT", t, Some(join), t);
    api.call(
        TOKEN,
        "PUT",
        t,
        Some(json!({"session": "nope", "players": ["p"]})),
        t,
    );
    api.call(TOKEN, "PUT", t, Some(json!({"players": 3})), t);
    let t = "/session/player/leave";
    let leave = json!({"players": ["p1"]});
    assert_eq!(
        api.call(TOKEN, "DELETE", t, Some(leave.clone()), t).status,
        200
    );
    api.call(None, "DELETE", t, Some(leave), t);
    api.call(TOKEN, "DELETE", t, Some(json!({"players": ["nobody"]})), t);
    api.call(TOKEN, "DELETE", t, Some(json!({})), t);

    // GET /session
    let t = "/session";
    for query in [
        "",
        "?all=true",
        "?location=asia&image=my-game&tag=1.0.0&host=127.0.0.1",
        "?playerCount%5Blt%5D=5&playerCount%5Bgt%5D=0&filter%5Bmode%5D=ffa",
    ] {
        let r = api.call(TOKEN, "GET", &format!("/session{query}"), None, t);
        assert_eq!(r.status, 200);
    }
    api.call(BAD, "GET", "/session", None, t);
    api.call(NO_SCOPES, "GET", "/session", None, t);

    // GET /session/{id}: also a session seen `restarting`.
    let t = "/session/{id}";
    for id in ["c-1", "c-2"] {
        assert_eq!(
            api.call(TOKEN, "GET", &format!("/session/{id}"), None, t)
                .status,
            200
        );
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = api.call(TOKEN, "GET", "/session/p-1", None, t);
        if r.json()["status"] == "restarting" {
            break;
        }
        assert!(Instant::now() < deadline, "p-1 never seen restarting");
        std::thread::sleep(Duration::from_millis(10));
    }
    api.call(None, "GET", "/session/c-1", None, t);
    api.call(NO_SCOPES, "GET", "/session/c-1", None, t);
    api.call(TOKEN, "GET", "/session/nope", None, t);

    // GET /available-location/{image} and GET /tag/{region}/{image}/{version}
    let t = "/available-location/{image}";
    assert_eq!(
        api.call(TOKEN, "GET", "/available-location/nginx", None, t)
            .status,
        200
    );
    api.call(None, "GET", "/available-location/nginx", None, t);
    api.call(NO_SCOPES, "GET", "/available-location/nginx", None, t);
    api.call(TOKEN, "GET", "/available-location/nope", None, t);
    let t = "/tag/{region}/{image}/{version}";
    for path in ["/tag/europe/nginx/1.25", "/tag/europe/nginx/9.9"] {
        assert_eq!(api.call(TOKEN, "GET", path, None, t).status, 200);
    }
    api.call(None, "GET", "/tag/europe/nginx/1.25", None, t);
    api.call(NO_SCOPES, "GET", "/tag/europe/nginx/1.25", None, t);
    api.call(TOKEN, "GET", "/tag/europe/nope/1", None, t);
    api.call(TOKEN, "GET", "/tag/nowhere/nginx/1", None, t);

    // GET /logs and GET /artifacts while sessions run.
    let t = "/logs";
    assert_eq!(api.call(TOKEN, "GET", "/logs?id=c-1", None, t).status, 200);
    assert_eq!(api.call(TOKEN, "GET", "/logs?id=p-1", None, t).status, 200);
    api.call(None, "GET", "/logs?id=c-1", None, t);
    api.call(NO_SCOPES, "GET", "/logs?id=c-1", None, t);
    api.call(TOKEN, "GET", "/logs?id=nope", None, t);
    api.call(TOKEN, "GET", "/logs", None, t);
    api.call(TOKEN, "GET", "/logs?id=c-1&follow=maybe", None, t);
    let t = "/artifacts";
    assert_eq!(
        api.call(TOKEN, "GET", "/artifacts?session=c-1&path=/a.log", None, t)
            .status,
        200
    );
    api.call(None, "GET", "/artifacts?session=c-1&path=/a", None, t);
    api.call(NO_SCOPES, "GET", "/artifacts?session=c-1&path=/a", None, t);
    api.call(TOKEN, "GET", "/artifacts?session=nope&path=/a", None, t);
    let r = api.call(TOKEN, "GET", "/artifacts?session=p-1&path=/", None, t);
    assert_eq!(r.status, 404, "not terminated yet");
    api.call(TOKEN, "GET", "/artifacts?session=c-1", None, t);

    // DELETE /session/{id}
    let t = "/session/{id}";
    api.call(None, "DELETE", "/session/c-1", None, t);
    api.call(NO_SCOPES, "DELETE", "/session/c-1", None, t);
    api.call(TOKEN, "DELETE", "/session/nope", None, t);
    for id in ["c-1", "p-1"] {
        assert_eq!(
            api.call(TOKEN, "DELETE", &format!("/session/{id}"), None, t)
                .status,
            204
        );
    }
    assert_eq!(
        api.call(TOKEN, "DELETE", "/session/c-1", None, t).status,
        409
    );
    assert_eq!(
        api.call(TOKEN, "GET", "/session/p-1", None, t).json()["status"],
        "exited"
    );

    // Logs and artifacts of a session that has terminated.
    let t = "/logs";
    let r = api.call(TOKEN, "GET", "/logs?id=p-1&follow=true", None, t);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("failing"));
    let t = "/artifacts";
    assert_eq!(
        api.call(TOKEN, "GET", "/artifacts?session=p-1&path=/", None, t)
            .status,
        200
    );
    api.call(
        TOKEN,
        "GET",
        "/artifacts?session=p-1&path=/missing",
        None,
        t,
    );
    api.call(TOKEN, "GET", "/artifacts?session=p-1&path=/../x", None, t);
    api.call(TOKEN, "GET", "/session?all=true", None, "/session");
    drop(emu);

    // Unknown routes and methods answer with the ErrorResponse shape too.
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = Client::new(emu.addr());
    for (m, p) in [("GET", "/nope"), ("PATCH", "/session")] {
        let r = c.request(m, p, None);
        assert!(r.status == 404 || r.status == 405, "{}", r.status);
        spec.check_json(&Spec::error_schema(), &r, &format!("{m} {p}"));
    }

    // Every status the spec declares was produced and checked.
    let skipped: BTreeSet<(String, String, u16)> = NOT_PRODUCIBLE
        .iter()
        .map(|(m, t, s, _)| (m.to_string(), t.to_string(), *s))
        .collect();
    let missing: Vec<_> = spec
        .declared()
        .difference(&spec.covered)
        .filter(|k| !skipped.contains(*k))
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "the spec declares responses this test never produced: {missing:?}"
    );
    for k in &skipped {
        assert!(
            spec.declared().contains(k),
            "NOT_PRODUCIBLE lists {k:?}, which the spec does not declare"
        );
    }
    let mut per_status: BTreeMap<u16, usize> = BTreeMap::new();
    for (_, _, s) in &spec.covered {
        *per_status.entry(*s).or_default() += 1;
    }
    for s in [401, 402, 403, 404, 409, 420, 422] {
        assert!(per_status.contains_key(&s), "no {s} was checked");
    }
    println!(
        "contract: {} responses checked against {SPEC_PATH}, {} (operation, status) pairs",
        spec.checked,
        spec.covered.len()
    );
}
