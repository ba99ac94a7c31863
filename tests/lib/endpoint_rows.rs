//! The rows of the endpoint table's sweep (api/ENDPOINTS.md, through
//! `scripts/gen_endpoints.py --tsv`), for the Rust sweeps: the core's
//! (gameye-core/tests/endpoints.rs) and the CLI's (gameye-cli/tests/sweep.rs),
//! which include this file with `#[path]`.

/// One swept endpoint.
pub struct Row {
    /// The core method.
    pub name: String,
    /// The status the examples get: `OK`, `NOT_FOUND`, ...
    pub expect: String,
    /// Whether the read-only token (scope `session:read`) is refused.
    pub read_only_forbidden: bool,
    /// The command line after `gameye`, `{name}` where an argument goes.
    #[allow(dead_code)] // read by the CLI's sweep, not the core's
    pub cli: String,
    /// (name, type: `str`, `path` or `strs`, example values)
    pub args: Vec<(String, String, Vec<String>)>,
}

impl Row {
    /// The status the examples get with the read-only token.
    pub fn read_only_expect(&self) -> &str {
        if self.read_only_forbidden {
            "FORBIDDEN"
        } else {
            &self.expect
        }
    }

    /// The values of argument `i` refused before sending: empty, and for a
    /// path parameter `.`, `..` and a control character too.
    pub fn refused_values(&self, i: usize) -> &'static [&'static str] {
        if self.args[i].1 == "path" {
            &["", ".", "..", "a\tb"]
        } else {
            &[""]
        }
    }

    /// Each argument's values (one, or a list's), argument `arg` (a list's
    /// first element) set to `value`.
    pub fn values(&self, arg: Option<usize>, value: &str) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self.args.iter().map(|(_, _, v)| v.clone()).collect();
        if let Some(i) = arg {
            out[i][0] = value.to_string();
        }
        out
    }
}

/// The rows, from the table through `python3 scripts/gen_endpoints.py --tsv`.
pub fn rows() -> Vec<Row> {
    let out = std::process::Command::new("python3")
        .args(["scripts/gen_endpoints.py", "--tsv"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("python3 runs scripts/gen_endpoints.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Row> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(row)
        .collect();
    assert!(!rows.is_empty(), "the table sweeps endpoints");
    rows
}

fn row(line: &str) -> Row {
    let cells: Vec<&str> = line.split('\t').collect();
    let args = cells[6..]
        .iter()
        .map(|cell| {
            let parts: Vec<&str> = cell.splitn(3, ':').collect();
            let values = parts[2].split(',').map(String::from).collect();
            (parts[0].to_string(), parts[1].to_string(), values)
        })
        .collect();
    Row {
        name: cells[0].into(),
        expect: cells[3].into(),
        read_only_forbidden: cells[4] == "1",
        cli: cells[5].into(),
        args,
    }
}
