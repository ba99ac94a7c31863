//! What the emulator serves: tokens, locations, images, and injected faults.
//!
//! The configuration is plain data so that it can come from a JSON file (for the
//! binary) or be built in code (for in-process tests). Every field has a default,
//! and a JSON file only replaces the fields it names, so a test config can say
//! `{"locations": [{"id": "tiny", "capacity": 1}]}` and keep everything else.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::faults::FaultRule;
use crate::tls::TlsConfig;

/// The bearer token the default configuration accepts.
///
/// Fixed and public on purpose: the emulator is for local tests and offline
/// development, where a well-known token saves every caller from configuring one.
pub const DEFAULT_TOKEN: &str = "gameye-emulator-token";

/// Every scope the Session API defines; the default token holds all of them.
pub const ALL_SCOPES: &[&str] = &[
    "session:start",
    "session:read",
    "session:stop",
    "logs:read",
    "artifact:read",
    "regions:read",
];

/// The full emulator configuration.
///
/// `Default` gives the documented defaults (see the crate docs). When read from
/// JSON, unknown fields are rejected (typos should fail loudly, not silently fall
/// back to a default), and each field the file omits keeps its default; a list
/// the file names replaces the default list as a whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Bearer tokens that are accepted, with their scopes and quotas.
    pub tokens: Vec<TokenConfig>,
    /// Locations (regions) sessions can be started in.
    pub locations: Vec<LocationConfig>,
    /// Images (applications) that can be started, with their tags and ports.
    pub images: Vec<ImageConfig>,
    /// The host IP reported for every session (`host` in responses).
    pub host: String,
    /// The longest `ttl` accepted, in minutes; a longer one is answered with 422.
    pub max_ttl_minutes: u32,
    /// Faults to inject from the start; see [`FaultRule`].
    pub faults: Vec<FaultRule>,
    /// Serve the control endpoints under `/_emulator/` (fault rules, session
    /// count; see the crate docs) to clients on a loopback address, without
    /// a token. Default `false`: those paths are unknown routes.
    pub control: bool,
    /// Where the working directories of sessions whose image has a
    /// [`ImageConfig::command`] are created, one fresh directory per session.
    /// `None` (the default) means a new temporary directory per emulator.
    /// A relative path is taken relative to the current directory (or, in a
    /// config file, to the file's directory).
    pub sessions_dir: Option<PathBuf>,
    /// Keep the session working directories (and the temporary directory
    /// holding them) when the emulator stops. Default `false`: they are
    /// removed on shutdown, after every process has been stopped.
    pub keep_sessions_dir: bool,
    /// How long `DELETE /session/{id}`, a `ttl` running out, or the emulator
    /// shutting down waits after SIGTERM before it sends SIGKILL to a
    /// session's process (on Windows: after CTRL_BREAK before it ends the
    /// process's job), in milliseconds. Default 5000.
    pub stop_grace_ms: u64,
    /// How long one minute of a session's `ttl` lasts, in milliseconds.
    /// Default 60000 (a real minute). **For tests only**: a small value lets a
    /// test watch `ttl: "1m"` run out in a fraction of a second. Must be at
    /// least 1.
    pub ttl_unit_ms: u64,
    /// How much of a running session's output (stdout and stderr together)
    /// is kept for `GET /logs`, in bytes; older output is dropped, whole lines
    /// at a time. Default 1 MiB. Must be at least 1.
    pub log_limit_bytes: usize,
    /// How many exited sessions are remembered (still described, listed
    /// with `all=true`, and answering 409 to a second stop); beyond it the
    /// oldest exited ones are forgotten (then 404, and their ids are free
    /// again). Default 10,000 ([`DEFAULT_EXITED_KEEP_MAX`]), so a long `wrk`
    /// run of creates and stops keeps its memory flat.
    pub exited_keep_max: usize,
    /// How long an exited session is remembered after it exited, in
    /// seconds. Default 3600 ([`DEFAULT_EXITED_KEEP_SECS`]).
    pub exited_keep_secs: u64,
    /// Append one JSON line per request to this file (method, path, query,
    /// headers with the bearer token redacted, body); see the crate docs.
    /// Default `None`: nothing is logged. Relative paths as for
    /// `sessions_dir`.
    pub log_requests: Option<PathBuf>,
    /// Serve https with this certificate and key instead of plain http (on
    /// the same listener; [`crate::Emulator::base_url`] then starts with
    /// `https://`). Default `None`. Not read from a config file: the binary
    /// takes `--tls-cert`/`--tls-key` or `--tls-test-ca`;
    /// [`crate::tls::TestCa`] makes a certificate for tests.
    #[serde(skip)]
    pub tls: Option<TlsConfig>,
    /// Close a connection on which no byte was read or written for this
    /// many milliseconds, as load balancers close idle connections (a
    /// request whose answer is that slow is cut off too). Default `None`:
    /// connections stay open until the client closes them. Must be at least
    /// 1.
    pub idle_timeout_ms: Option<u64>,
}

/// One accepted bearer token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The token string, as sent in `Authorization: Bearer <token>`.
    pub token: String,
    /// Scopes the token holds; omitted in JSON means every scope in [`ALL_SCOPES`].
    #[serde(default = "all_scopes")]
    pub scopes: Vec<String>,
    /// How many sessions this token may ever start (stopped ones still count,
    /// like a billing quota); `None` means unlimited. Exhausted → 402.
    #[serde(default)]
    pub quota: Option<u32>,
}

/// One location (region).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationConfig {
    /// The location id used in `location` of `POST /session`.
    pub id: String,
    /// How many sessions may be running here at once; more → 420. Default 100.
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// IPs reported by `GET /available-location/{image}` for latency pings.
    /// Default empty.
    #[serde(default)]
    pub ips: Vec<String>,
}

/// One image (application).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageConfig {
    /// The image name used in `image` of `POST /session`.
    pub name: String,
    /// Available version tags; the first is used when a request names none.
    /// Default `["latest"]`; must not be empty.
    #[serde(default = "default_tags")]
    pub tags: Vec<String>,
    /// Container ports each session of this image exposes. Default none.
    #[serde(default)]
    pub ports: Vec<PortConfig>,
    /// A local program to run for each session of this image, as an argv
    /// (`["python3", "/path/to/server.py", "--flag"]`); the session's `args`
    /// are appended to it. `None` (the default) runs nothing: sessions only
    /// get allocated ports and a synthetic log.
    ///
    /// The program (`command[0]`) is looked up on `PATH` when it is a bare
    /// name; when it is a relative path (it contains a `/`), it is resolved
    /// against the config file's directory when the config was loaded with
    /// [`EmulatorConfig::from_json_file`], and against the current directory
    /// at start otherwise. Later elements are passed unchanged, and the
    /// process runs in the session's own working directory, so give an
    /// interpreter's script as an absolute path (or make the script the
    /// program). See the crate docs for what the process gets and how it is
    /// stopped.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Environment variables set for every session's process of this image
    /// (only used with `command`); a session's own `env` overrides them.
    /// Default none.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// One container port of an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortConfig {
    /// `"tcp"` or `"udp"`.
    pub r#type: String,
    /// The port inside the container (1..=65535).
    pub container: u16,
}

/// Default of [`EmulatorConfig::stop_grace_ms`].
pub const DEFAULT_STOP_GRACE_MS: u64 = 5_000;

/// Default of [`EmulatorConfig::log_limit_bytes`]: 1 MiB.
pub const DEFAULT_LOG_LIMIT_BYTES: usize = 1 << 20;

/// Default of [`EmulatorConfig::exited_keep_max`].
pub const DEFAULT_EXITED_KEEP_MAX: usize = 10_000;

/// Default of [`EmulatorConfig::exited_keep_secs`]: one hour.
pub const DEFAULT_EXITED_KEEP_SECS: u64 = 3_600;

fn all_scopes() -> Vec<String> {
    ALL_SCOPES.iter().map(|s| s.to_string()).collect()
}

fn default_capacity() -> u32 {
    100
}

fn default_tags() -> Vec<String> {
    vec!["latest".to_string()]
}

impl TokenConfig {
    /// A token with every scope and no quota.
    pub fn new(token: impl Into<String>) -> Self {
        TokenConfig {
            token: token.into(),
            scopes: all_scopes(),
            quota: None,
        }
    }
}

impl ImageConfig {
    /// An image with the tag `latest`, no ports and no command.
    pub fn new(name: impl Into<String>) -> Self {
        ImageConfig {
            name: name.into(),
            tags: default_tags(),
            ports: Vec::new(),
            command: None,
            env: BTreeMap::new(),
        }
    }
}

impl LocationConfig {
    /// A location with the given capacity and no ping IPs.
    pub fn new(id: impl Into<String>, capacity: u32) -> Self {
        LocationConfig {
            id: id.into(),
            capacity,
            ips: Vec::new(),
        }
    }
}

impl PortConfig {
    /// A TCP container port.
    pub fn tcp(container: u16) -> Self {
        PortConfig {
            r#type: "tcp".to_string(),
            container,
        }
    }

    /// A UDP container port.
    pub fn udp(container: u16) -> Self {
        PortConfig {
            r#type: "udp".to_string(),
            container,
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        // Each location its own loopback IPs, as real ones have their own,
        // so a ping of the list measures every address (they all answer).
        let loc = |id: &str, ips: &[&str]| LocationConfig {
            id: id.to_string(),
            capacity: 100,
            ips: ips.iter().map(|ip| ip.to_string()).collect(),
        };
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        EmulatorConfig {
            tokens: vec![TokenConfig::new(DEFAULT_TOKEN)],
            locations: vec![
                loc("europe", &["127.0.0.1"]),
                loc("north-america", &["127.0.0.2", "127.0.0.3"]),
                loc("asia", &["127.0.0.4"]),
            ],
            images: vec![
                ImageConfig {
                    tags: tags(&["latest", "1.25"]),
                    ports: vec![PortConfig::tcp(80)],
                    ..ImageConfig::new("nginx")
                },
                ImageConfig {
                    tags: tags(&["latest", "1.0.0"]),
                    ports: vec![PortConfig::udp(7777), PortConfig::tcp(7778)],
                    ..ImageConfig::new("my-game")
                },
            ],
            host: "127.0.0.1".to_string(),
            max_ttl_minutes: 1440,
            faults: Vec::new(),
            control: false,
            sessions_dir: None,
            keep_sessions_dir: false,
            stop_grace_ms: DEFAULT_STOP_GRACE_MS,
            ttl_unit_ms: 60_000,
            log_limit_bytes: DEFAULT_LOG_LIMIT_BYTES,
            exited_keep_max: DEFAULT_EXITED_KEEP_MAX,
            exited_keep_secs: DEFAULT_EXITED_KEEP_SECS,
            log_requests: None,
            tls: None,
            idle_timeout_ms: None,
        }
    }
}

impl EmulatorConfig {
    /// Reads and validates a JSON config file.
    ///
    /// Relative paths in it are taken relative to the file's directory: a
    /// program path in an image's `command` (when it contains a `/`) and
    /// `sessions_dir`.
    ///
    /// Errors are human-readable strings (they end up on the binary's stderr).
    pub fn from_json_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        let mut config = Self::from_json_str(&text)
            .map_err(|e| format!("config file {}: {e}", path.display()))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Absolute, so a later change of the current directory cannot matter.
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        config.resolve_paths(&dir);
        Ok(config)
    }

    /// Makes relative program paths (`command[0]` containing a `/`) and a
    /// relative `sessions_dir` absolute against `base`. Bare program names
    /// are left for the `PATH` look-up.
    pub(crate) fn resolve_paths(&mut self, base: &Path) {
        for image in &mut self.images {
            if let Some(program) = image.command.as_mut().and_then(|c| c.first_mut()) {
                if program.contains('/') && Path::new(program.as_str()).is_relative() {
                    *program = base.join(program.as_str()).to_string_lossy().into_owned();
                }
            }
        }
        for path in [&mut self.sessions_dir, &mut self.log_requests]
            .into_iter()
            .flatten()
        {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
    }

    /// Parses and validates a JSON config.
    pub fn from_json_str(s: &str) -> Result<Self, String> {
        let config: EmulatorConfig =
            serde_json::from_str(s).map_err(|e| format!("invalid config: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: duplicates, port types, empty tag lists, fault
    /// statuses. [`crate::Emulator::start`] and [`crate::serve`] call it too, so a
    /// config built in code gets the same checks.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = HashSet::new();
        for t in &self.tokens {
            if t.token.is_empty() {
                return Err("tokens: a token must not be empty".to_string());
            }
            if !seen.insert(t.token.as_str()) {
                return Err(format!("tokens: duplicate token {:?}", t.token));
            }
        }
        seen.clear();
        for l in &self.locations {
            if l.id.is_empty() {
                return Err("locations: an id must not be empty".to_string());
            }
            if !seen.insert(l.id.as_str()) {
                return Err(format!("locations: duplicate id {:?}", l.id));
            }
        }
        seen.clear();
        for i in &self.images {
            if i.name.is_empty() {
                return Err("images: a name must not be empty".to_string());
            }
            if !seen.insert(i.name.as_str()) {
                return Err(format!("images: duplicate name {:?}", i.name));
            }
            if i.tags.is_empty() {
                return Err(format!("images: {:?} has no tags", i.name));
            }
            if let Some(command) = &i.command {
                match command.first() {
                    None => return Err(format!("images: {:?} has an empty command", i.name)),
                    Some(p) if p.is_empty() => {
                        return Err(format!("images: {:?} has an empty program name", i.name))
                    }
                    Some(_) => {}
                }
                if command.iter().any(|a| a.contains('\0')) {
                    return Err(format!(
                        "images: {:?} has a NUL byte in its command",
                        i.name
                    ));
                }
            }
            for (k, v) in &i.env {
                if k.is_empty() || k.contains('=') || k.contains('\0') || v.contains('\0') {
                    return Err(format!(
                        "images: {:?} has an invalid env variable {k:?}",
                        i.name
                    ));
                }
            }
            let mut seen_ports = HashSet::new();
            for p in &i.ports {
                // Each port becomes one GAMEYE_PORT_* variable of the process.
                if i.command.is_some() && !seen_ports.insert((p.r#type.as_str(), p.container)) {
                    return Err(format!(
                        "images: {:?} lists port {}/{} twice",
                        i.name, p.container, p.r#type
                    ));
                }
                if p.r#type != "tcp" && p.r#type != "udp" {
                    return Err(format!(
                        "images: {:?} has port type {:?}; expected \"tcp\" or \"udp\"",
                        i.name, p.r#type
                    ));
                }
                if p.container == 0 {
                    return Err(format!("images: {:?} has container port 0", i.name));
                }
            }
        }
        if self.ttl_unit_ms == 0 {
            return Err("ttl_unit_ms must be at least 1".to_string());
        }
        if self.log_limit_bytes == 0 {
            return Err("log_limit_bytes must be at least 1".to_string());
        }
        if self.idle_timeout_ms == Some(0) {
            return Err("idle_timeout_ms must be at least 1".to_string());
        }
        if let Some(tls) = &self.tls {
            tls.server_config()?;
        }
        for (n, f) in self.faults.iter().enumerate() {
            f.validate().map_err(|e| format!("faults[{n}]: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultAction;

    #[test]
    fn partial_file_keeps_other_defaults() {
        let c =
            EmulatorConfig::from_json_str(r#"{"locations":[{"id":"tiny","capacity":1}]}"#).unwrap();
        assert_eq!(c.locations, vec![LocationConfig::new("tiny", 1)]);
        assert_eq!(c.images, EmulatorConfig::default().images);
        assert_eq!(c.tokens[0].token, DEFAULT_TOKEN);
        assert_eq!(c.max_ttl_minutes, 1440);
    }

    #[test]
    fn token_scopes_default_to_all() {
        let c = EmulatorConfig::from_json_str(r#"{"tokens":[{"token":"t","quota":2}]}"#).unwrap();
        assert_eq!(c.tokens[0].scopes.len(), ALL_SCOPES.len());
        assert_eq!(c.tokens[0].quota, Some(2));
    }

    #[test]
    fn rejects_unknown_fields_and_bad_values() {
        assert!(EmulatorConfig::from_json_str(r#"{"hots":"1.2.3.4"}"#).is_err());
        assert!(EmulatorConfig::from_json_str(
            r#"{"images":[{"name":"x","ports":[{"type":"sctp","container":1}]}]}"#
        )
        .is_err());
        assert!(EmulatorConfig::from_json_str(r#"{"images":[{"name":"x","tags":[]}]}"#).is_err());
        assert!(EmulatorConfig::from_json_str(r#"{"locations":[{"id":"a"},{"id":"a"}]}"#).is_err());
    }

    #[test]
    fn process_fields_parse_validate_and_resolve() {
        let c = EmulatorConfig::from_json_str(
            r#"{"images":[{"name":"game","ports":[{"type":"tcp","container":7778}],
                "command":["./bin/server","--fast"],"env":{"MODE":"test"}}],
                "sessions_dir":"runs","keep_sessions_dir":true,"stop_grace_ms":250,
                "ttl_unit_ms":100,"log_limit_bytes":4096}"#,
        )
        .unwrap();
        assert_eq!(c.images[0].env["MODE"], "test");
        assert_eq!(c.stop_grace_ms, 250);
        assert_eq!(c.ttl_unit_ms, 100);
        assert_eq!(c.log_limit_bytes, 4096);
        assert!(c.keep_sessions_dir);
        let d = EmulatorConfig::default();
        assert_eq!(d.stop_grace_ms, 5_000);
        assert_eq!(d.ttl_unit_ms, 60_000);
        assert_eq!(d.log_limit_bytes, 1 << 20);
        assert_eq!(d.sessions_dir, None);
        assert!(d.images.iter().all(|i| i.command.is_none()));

        // From a file, relative paths are relative to the file's directory;
        // bare program names stay for the PATH look-up.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("emulator.json");
        std::fs::write(
            &file,
            r#"{"sessions_dir":"runs","images":[
                {"name":"a","command":["./bin/server","./not-the-program"]},
                {"name":"b","command":["python3","x.py"]},
                {"name":"c","command":["/abs/server"]}]}"#,
        )
        .unwrap();
        let c = EmulatorConfig::from_json_file(&file).unwrap();
        let base = std::path::absolute(dir.path()).unwrap();
        let program = |n: usize| c.images[n].command.as_ref().unwrap()[0].clone();
        assert_eq!(Path::new(&program(0)), base.join("./bin/server").as_path());
        assert_eq!(
            c.images[0].command.as_ref().unwrap()[1],
            "./not-the-program"
        );
        assert_eq!(program(1), "python3");
        assert_eq!(program(2), "/abs/server");
        assert_eq!(c.sessions_dir, Some(base.join("runs")));

        for bad in [
            r#"{"images":[{"name":"x","command":[]}]}"#,
            r#"{"images":[{"name":"x","command":[""]}]}"#,
            r#"{"images":[{"name":"x","command":["a"],"env":{"A=B":"1"}}]}"#,
            r#"{"images":[{"name":"x","command":["a"],
                "ports":[{"type":"tcp","container":1},{"type":"tcp","container":1}]}]}"#,
            r#"{"ttl_unit_ms":0}"#,
            r#"{"log_limit_bytes":0}"#,
            r#"{"idle_timeout_ms":0}"#,
            // Keys belong to the binary's flags, not to a file.
            r#"{"tls":{"cert_chain_pem":"x","key_pem":"y"}}"#,
        ] {
            assert!(EmulatorConfig::from_json_str(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_faults() {
        let c = EmulatorConfig::from_json_str(
            r#"{"faults":[
                {"method":"POST","path":"/session","times":1,"action":{"kind":"status","status":503,"retry_after":2}},
                {"path":"/session/*","action":{"kind":"latency","ms":10}},
                {"image":"nginx","action":{"kind":"omit_id"}},
                {"action":{"kind":"html_body","status":502}},
                {"action":{"kind":"malformed_json","status":200}},
                {"action":{"kind":"stall"}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(c.faults.len(), 6);
        assert_eq!(
            c.faults[0].action,
            FaultAction::Status {
                status: 503,
                retry_after: Some(2)
            }
        );
        assert_eq!(c.faults[5].action, FaultAction::Stall);
        assert!(EmulatorConfig::from_json_str(
            r#"{"faults":[{"action":{"kind":"status","status":5000}}]}"#
        )
        .is_err());
        let err = EmulatorConfig::from_json_str(
            r#"{"faults":[{"action":{"kind":"stall"}},
                {"action":{"kind":"slow_drip","interval_ms":5,"bytes_per_second":5}}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("faults[1]"), "{err}");
    }

    #[test]
    fn parses_new_fault_kinds_and_control() {
        let c = EmulatorConfig::from_json_str(
            r#"{"control": true, "faults":[
                {"action":{"kind":"drop_connection","reset":true}},
                {"action":{"kind":"lost_response"}},
                {"action":{"kind":"truncated_body","bytes":3}},
                {"action":{"kind":"wrong_content_type","content_type":"text/html"}},
                {"action":{"kind":"oversized_body","status":200,"bytes":1000000}},
                {"action":{"kind":"slow_drip","status":503,"chunk_bytes":2,"interval_ms":10}}
            ]}"#,
        )
        .unwrap();
        assert!(c.control);
        assert!(!EmulatorConfig::default().control);
        assert_eq!(c.faults.len(), 6);
        assert_eq!(
            c.faults[1].action,
            FaultAction::LostResponse { reset: false }
        );
    }
}
