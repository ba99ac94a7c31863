//! Property tests (proptest): parsing, validation and decoding hold their
//! contracts for any input, and never panic.

use std::collections::BTreeMap;

use gameye_core::{parse_ttl, ErrorKind, SessionRun};
use proptest::prelude::*;

fn non_empty() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.:/=\\-\u{e9}\u{1F3AE}]{1,20}"
}

fn session_run() -> impl Strategy<Value = SessionRun> {
    (
        // An id is a path segment too (stop, logs): `.` and `..` are refused.
        proptest::option::of(
            non_empty().prop_filter("not a dot segment", |s| s != "." && s != ".."),
        ),
        non_empty(),
        non_empty(),
        proptest::option::of(proptest::collection::btree_map(
            non_empty(),
            non_empty(),
            0..4,
        )),
        proptest::option::of(proptest::collection::vec(non_empty(), 0..4)),
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::collection::btree_map(".{0,8}", ".{0,8}", 0..4)),
        proptest::option::of(".{0,10}"),
        proptest::option::of((0u32..100, 0u32..100).prop_map(|(h, m)| format!("{h}h{m}m"))),
        proptest::option::of(".{0,10}"),
    )
        .prop_map(
            |(id, location, image, env, args, restart, labels, version, ttl, external_id)| {
                SessionRun {
                    id,
                    location,
                    image,
                    env,
                    args,
                    restart,
                    labels,
                    version,
                    ttl,
                    external_id,
                }
            },
        )
}

/// The spec's ttl form, checked independently of the parser.
fn ttl_oracle(s: &str) -> bool {
    let re = |s: &str| -> bool {
        let (h, rest) = match s.find('h') {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => ("", s),
        };
        let h_ok = s.contains('h') != h.is_empty() && h.bytes().all(|b| b.is_ascii_digit());
        let m_ok = rest.is_empty()
            || (rest.ends_with('m')
                && rest.len() > 1
                && rest[..rest.len() - 1].bytes().all(|b| b.is_ascii_digit()));
        h_ok && m_ok
    };
    !s.is_empty() && re(s)
}

proptest! {
    #[test]
    fn valid_requests_round_trip_through_json(run in session_run()) {
        let json = serde_json::to_string(&run).unwrap();
        let back = SessionRun::from_json(&json).unwrap();
        prop_assert_eq!(back.into_inner(), run);
    }

    #[test]
    fn any_string_parses_or_names_a_field(s in ".{0,200}") {
        if let Err(e) = SessionRun::from_json(&s) {
            prop_assert_eq!(e.kind(), ErrorKind::InvalidRequest);
            prop_assert!(!e.violations().is_empty());
            prop_assert!(e.violations().iter().all(|v| !v.field.is_empty()));
        }
    }

    #[test]
    fn json_objects_with_wrong_types_name_fields(
        fields in proptest::collection::btree_map(
            prop_oneof![Just("location".to_string()), Just("image".to_string()), Just("env".to_string()),
                        Just("args".to_string()), Just("ttl".to_string()), Just("restart".to_string()), ".{1,6}"],
            prop_oneof![Just(serde_json::json!(1)), Just(serde_json::json!(null)), Just(serde_json::json!("x")),
                        Just(serde_json::json!([""])), Just(serde_json::json!({"k": 1})), Just(serde_json::json!(true))],
            0..6)
    ) {
        let value = serde_json::Value::Object(fields.into_iter().collect());
        if let Err(e) = SessionRun::from_value(value) {
            prop_assert!(e.violations().iter().all(|v| !v.field.is_empty() && !v.description.is_empty()));
        }
    }

    #[test]
    fn ttl_parser_matches_the_spec_form(s in "[0-9hm]{0,8}") {
        prop_assert_eq!(parse_ttl(&s).is_ok(), ttl_oracle(&s), "{:?}", s);
    }

    #[test]
    fn ttl_minutes_are_right(h in 0u64..1000, m in 0u64..1000) {
        prop_assert_eq!(parse_ttl(&format!("{h}h{m}m")), Ok(h * 60 + m));
        prop_assert_eq!(parse_ttl(&format!("{m}m")), Ok(m));
    }

    #[test]
    fn decoders_never_panic(status in 100u16..700, body in proptest::collection::vec(any::<u8>(), 0..600)) {
        gameye_core::__fuzz::decode_every_endpoint(status, &body);
    }

    #[test]
    fn decoders_never_panic_on_json_shapes(status in 100u16..700, s in r#"\{("[a-z]{1,8}":(\[\]|\{\}|1|"x"|null|\[\{"type":"tcp","container":1,"host":2\}\]),?){0,6}\}"#) {
        gameye_core::__fuzz::decode_every_endpoint(status, s.as_bytes());
    }

    #[test]
    fn port_maps_never_panic(map in proptest::collection::btree_map(".{0,12}", any::<u16>(), 0..8)) {
        let ports = gameye_core::ports_from_map(&map.into_iter().collect::<BTreeMap<_, _>>());
        prop_assert!(ports.len() <= 8);
    }
}
