//! The endpoint table's sweep through the real `gameye` binary: every
//! endpoint api/ENDPOINTS.md sweeps, run as its `cli` line with the table's
//! examples (rows from `scripts/gen_endpoints.py --tsv`; a new endpoint
//! needs no edit here), against an emulator with the shared configuration
//! (tests/emulator-config.json). The exit status is the table's status;
//! each argument empty (and `.`, `..`, a TAB in a path parameter) is an
//! invalid request; a wrong token is unauthorized, the read-only token
//! forbidden where its scope is too small.

use std::process::{Command, Output};

use gameye_emulator::{Emulator, EmulatorConfig, DEFAULT_TOKEN};

/// The exit status of each status the table's examples may get (the CLI's
/// table is `exit_codes.rs`; a status missing here fails the test by name).
const EXIT: &[(&str, i32)] = &[
    ("OK", 0),
    ("INVALID_REQUEST", 10),
    ("UNAUTHORIZED", 12),
    ("FORBIDDEN", 14),
    ("NOT_FOUND", 15),
    ("CONFLICT", 16),
];

fn exit_status(status: &str) -> i32 {
    EXIT.iter()
        .find(|(s, _)| *s == status)
        .unwrap_or_else(|| panic!("add {status}'s exit status to EXIT"))
        .1
}

#[path = "../../tests/lib/endpoint_rows.rs"]
mod endpoint_rows;
use endpoint_rows::Row;

/// The row's command line, argument `arg` (a list's first element) set to `value`.
fn argv(row: &Row, arg: Option<usize>, value: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in row.cli.split_whitespace() {
        let slot = word.strip_prefix('{').and_then(|w| w.strip_suffix('}'));
        let Some(i) = slot.and_then(|s| row.args.iter().position(|(n, _, _)| n == s)) else {
            out.push(word.to_string());
            continue;
        };
        out.extend(row.values(arg, value).swap_remove(i));
    }
    out
}

fn gameye(emu: &Emulator, token: &str, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gameye"))
        .args(args)
        .env("GAMEYE_TOKEN", token)
        .env("GAMEYE_BASE_URL", emu.base_url())
        .output()
        .expect("gameye runs")
}

fn expect(out: Output, status: &str, what: &str) {
    let code = out.status.code();
    assert_eq!(
        code,
        Some(exit_status(status)),
        "{what}: want {status}; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if status == "OK" {
        let json: Result<serde_json::Value, _> = serde_json::from_slice(&out.stdout);
        assert!(
            json.is_ok(),
            "{what}: prints JSON: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn the_endpoint_tables_sweep_through_the_cli() {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/emulator-config.json");
    let emu = Emulator::start(EmulatorConfig::from_json_file(config.as_ref()).unwrap()).unwrap();
    for row in &endpoint_rows::rows() {
        let what = format!("{} (`gameye {}`)", row.name, row.cli);
        expect(
            gameye(&emu, DEFAULT_TOKEN, &argv(row, None, "")),
            &row.expect,
            &what,
        );
        for (i, (arg, _, _)) in row.args.iter().enumerate() {
            for value in row.refused_values(i) {
                let out = gameye(&emu, DEFAULT_TOKEN, &argv(row, Some(i), value));
                expect(
                    out,
                    "INVALID_REQUEST",
                    &format!("{what}: {arg} = {value:?}"),
                );
            }
        }
        let examples = argv(row, None, "");
        expect(
            gameye(&emu, "wrong-token", &examples),
            "UNAUTHORIZED",
            &format!("{what}: a wrong token"),
        );
        expect(
            gameye(&emu, "read-only-token", &examples),
            row.read_only_expect(),
            &format!("{what}: the read-only token"),
        );
    }
}
