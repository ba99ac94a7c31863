//! Criterion benchmarks of the core's hot path, the CPU work of one
//! `create_session` outside the network: parsing and validating the request
//! (`SessionRun::from_json`, `SessionRun::validate`), serializing it
//! (`serde_json::to_vec`), and decoding the 201 answer
//! (`Session::decode_created`) or an error answer (`Error::from_response`).
//!
//! Each group also times plain `serde_json` on the same bytes
//! (`baseline_*`), the floor any JSON client pays, so the ratio of the two
//! says what the SDK's strictness costs on top. scripts/bench.sh reads the
//! medians from target/criterion/*/*/new/estimates.json.
//!
//! ```sh
//! cargo bench -p gameye-core --bench hot_path
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gameye_core::{Error, Session, SessionRun};

/// A realistic request: every optional field a game server start uses.
const REQUEST: &str = r#"{"id":"0b9f6f4e-3c1a-4d7e-9a55-6f2b8c1d2e3f","location":"europe","image":"my-game","version":"1.0.0","env":{"MODE":"duel","MAP":"de_dust2","MAX_PLAYERS":"8"},"args":["--headless","--max=8","--tickrate=128"],"restart":true,"labels":{"match":"m-123456","queue":"ranked-eu"},"ttl":"2h30m","external_id":"match-123456"}"#;

/// The 201 body of `POST /session` for an image with two ports.
const CREATED: &[u8] = br#"{"id":"0b9f6f4e-3c1a-4d7e-9a55-6f2b8c1d2e3f","host":"203.0.113.17","ports":[{"type":"udp","container":7777,"host":49160},{"type":"tcp","container":7778,"host":49161}]}"#;

/// A 422 body with violations, the richest error the API sends.
const ERROR_422: &[u8] = br#"{"statusCode":422,"code":"VALIDATION_FAILED","message":"The request is invalid","details":"ttl must be a duration","identifier":"req-7f3a","violations":[{"field":"ttl","description":"must be a duration such as 1h30m"},{"field":"env.MODE","description":"must not be empty"}]}"#;

fn request(c: &mut Criterion) {
    let run = SessionRun::from_json(REQUEST).expect("the bench request is valid");
    let mut g = c.benchmark_group("request");
    g.bench_function("from_json", |b| {
        b.iter(|| SessionRun::from_json(black_box(REQUEST)).unwrap())
    });
    g.bench_function("baseline_parse_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(REQUEST)).unwrap())
    });
    g.bench_function("validate", |b| {
        b.iter(|| black_box(&run).validate().unwrap())
    });
    g.bench_function("to_vec", |b| {
        b.iter(|| serde_json::to_vec(black_box(&run)).unwrap())
    });
    let value: serde_json::Value = serde_json::from_str(REQUEST).unwrap();
    g.bench_function("baseline_to_vec_value", |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)).unwrap())
    });
    g.finish();
}

fn response(c: &mut Criterion) {
    let mut g = c.benchmark_group("response");
    g.bench_function("decode_created", |b| {
        b.iter(|| Session::decode_created(201, black_box(CREATED), "sent-id").unwrap())
    });
    g.bench_function("baseline_parse_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(CREATED)).unwrap())
    });
    g.bench_function("error_422", |b| {
        b.iter(|| Error::from_response(422, black_box(ERROR_422)))
    });
    g.finish();
}

criterion_group!(benches, request, response);
criterion_main!(benches);
