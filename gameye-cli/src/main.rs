//! `gameye`: the command-line client of the Gameye Session API.
//!
//! Prints results as JSON on stdout (listings also as a table, with
//! `--output table`); errors go to stderr with an exit status per error kind
//! (see [`exit_codes::exit_code`]), so scripts can branch on them.

mod download;
mod exit_codes;
mod output;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

mod placement;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use gameye_core::{
    Client, ClientConfig, Environment, Error, ErrorKind, ListFilter, SessionRun, StopOptions,
};

use output::{json, render, OutputArgs};

/// Command-line client for the Gameye Session API.
#[derive(Parser)]
#[command(name = "gameye", version, about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalArgs {
    /// API token (sent as a bearer token; never printed).
    #[arg(long, env = "GAMEYE_TOKEN", global = true, hide_env_values = true)]
    token: Option<String>,
    /// API base URL [default: the sandbox, https://api.sandbox-gameye.gameye.net].
    #[arg(long, env = "GAMEYE_BASE_URL", global = true)]
    base_url: Option<String>,
    /// A Gameye environment instead of a base URL (wins over GAMEYE_BASE_URL).
    #[arg(long, global = true, value_enum)]
    environment: Option<EnvironmentArg>,
    /// Request timeout in seconds [default: 30].
    #[arg(long, global = true, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Connect timeout in seconds [default: 10].
    #[arg(long, global = true, value_name = "SECONDS")]
    connect_timeout: Option<f64>,
    /// How long a kept connection may idle and still be reused, in seconds; keep it
    /// under the idle timeout of any load balancer in front of the API [default: 30].
    #[arg(long, global = true, value_name = "SECONDS")]
    idle_timeout: Option<f64>,
    /// A PEM file of extra root certificates to trust (besides the built-in roots).
    #[arg(long, global = true, value_name = "PATH")]
    ca_bundle: Option<std::path::PathBuf>,
    /// Attempts per call, retries included (1 turns retries off) [default: 4].
    #[arg(long, global = true, value_name = "N")]
    max_attempts: Option<u32>,
    /// Upper bound of the first retry's backoff in seconds; it doubles per retry [default: 0.25].
    #[arg(long, global = true, value_name = "SECONDS")]
    initial_backoff: Option<f64>,
    /// Cap on one retry's backoff in seconds [default: 8].
    #[arg(long, global = true, value_name = "SECONDS")]
    max_backoff: Option<f64>,
    /// Overall time for one call, retries included, in seconds [default: 60].
    #[arg(long, global = true, value_name = "SECONDS")]
    deadline: Option<f64>,
    /// Allow plain http:// to a host that is not loopback (sends the token in clear).
    #[arg(long, global = true)]
    allow_insecure_http: bool,
    /// Send every request through this proxy (http://host:port or https://host:port;
    /// plain http only to a loopback proxy unless --allow-insecure-http).
    #[arg(long, global = true, value_name = "URL")]
    proxy: Option<String>,
    /// Use the environment's proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); off by default.
    #[arg(long, global = true)]
    proxy_from_env: bool,
    /// Cap on a JSON response body in bytes; a larger one is an error [default: 1048576].
    #[arg(long, global = true, value_name = "BYTES")]
    max_response_bytes: Option<usize>,
    /// Cap on the text of `logs` without --follow, in bytes [default: 16777216].
    #[arg(long, global = true, value_name = "BYTES")]
    max_log_bytes: Option<usize>,
    /// Requests in flight at once; more wait for a slot [default: 256].
    #[arg(long, global = true, value_name = "N")]
    max_concurrent_requests: Option<usize>,
    /// Start the local emulator in-process and send requests to it (no token or network needed).
    #[arg(long, global = true)]
    emulator: bool,
}

/// The `--environment` values.
#[derive(Clone, Copy, ValueEnum)]
enum EnvironmentArg {
    /// https://api.sandbox-gameye.gameye.net
    Sandbox,
    /// https://api.production-gameye.gameye.net
    Production,
}

impl From<EnvironmentArg> for Environment {
    fn from(e: EnvironmentArg) -> Self {
        match e {
            EnvironmentArg::Sandbox => Environment::Sandbox,
            EnvironmentArg::Production => Environment::Production,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Manage game sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Track players of sessions.
    #[command(subcommand)]
    Players(PlayersCommand),
    /// Print a session's logs (GET /logs).
    Logs {
        /// The session id.
        id: String,
        /// Keep printing new lines until the session ends.
        #[arg(long)]
        follow: bool,
    },
    /// Download files of terminated sessions.
    #[command(subcommand)]
    Artifacts(ArtifactsCommand),
    /// List the locations that can host an image, with their ping IPs;
    /// `locations ping IMAGE` pings them and prints a latency table.
    Locations {
        /// `IMAGE`, or `ping IMAGE`.
        #[arg(num_args = 1..=2, required = true, value_name = "[ping] IMAGE")]
        args: Vec<String>,
        /// With `ping`: echo requests per IP.
        #[arg(long, default_value_t = gameye_core::DEFAULT_PING_PROBES)]
        probes: u32,
        /// With `ping`: overall bound in seconds.
        #[arg(long, default_value_t = 2.0)]
        ping_timeout: f64,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Query image tags.
    #[command(subcommand)]
    Tag(TagCommand),
    /// Print a shell completion script, such as `gameye completions bash > /etc/bash_completion.d/gameye`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum SessionCommand {
    /// Start a session (POST /session) and print it as JSON.
    Create(CreateArgs),
    /// List sessions (GET /session).
    List(ListArgs),
    /// Describe a session with its players (GET /session/{id}).
    Get {
        /// The session id.
        id: String,
    },
    /// Stop a session (DELETE /session/{id}).
    Stop {
        /// The session id.
        id: String,
        /// Succeed also when the session is already stopped or unknown.
        #[arg(long)]
        idempotent: bool,
    },
}

#[derive(Subcommand)]
enum PlayersCommand {
    /// Register players as joined to a session.
    Join {
        /// The session id.
        #[arg(long)]
        session: String,
        /// Player ids.
        #[arg(required = true)]
        players: Vec<String>,
    },
    /// Remove players from their session.
    Leave {
        /// Player ids.
        #[arg(required = true)]
        players: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ArtifactsCommand {
    /// Download a file or folder of a terminated session as tar.gz.
    Download {
        /// The session id.
        #[arg(long)]
        session: String,
        /// The absolute path inside the container.
        #[arg(long)]
        path: String,
        /// Where to write the tar.gz; `-` for stdout. A progress bar goes to
        /// stderr when it is a terminal.
        #[arg(long, short = 'o', value_name = "PATH")]
        output_file: String,
    },
}

#[derive(Subcommand)]
enum TagCommand {
    /// Whether an image tag exists in a region; prints {"exists": true|false}.
    Exists {
        /// The region (location).
        region: String,
        /// The image name.
        image: String,
        /// The tag.
        version: String,
    },
}

#[derive(Args)]
struct ListArgs {
    /// Include stopped sessions.
    #[arg(long)]
    all: bool,
    /// Only this location.
    #[arg(long)]
    location: Option<String>,
    /// Only this image.
    #[arg(long)]
    image: Option<String>,
    /// Only this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Only this host IP.
    #[arg(long)]
    host: Option<String>,
    /// Only sessions with fewer players.
    #[arg(long)]
    player_count_lt: Option<i64>,
    /// Only sessions with more players.
    #[arg(long)]
    player_count_gt: Option<i64>,
    /// Only sessions with this label, KEY=VALUE (repeatable).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = key_value)]
    labels: Vec<(String, String)>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct CreateArgs {
    /// The region to host the session in, such as `europe`.
    #[arg(long, required_unless_present = "near")]
    location: Option<String>,
    /// Place the session near its players instead: a JSON file of their
    /// latencies, `[{"player": "alice", "locations": [{"id": "europe",
    /// "median_ms": 20, "loss": 0}]}]` (ping reports with "player" added);
    /// on 420 the next acceptable location is tried.
    #[arg(long, value_name = "LATENCIES.json", conflicts_with = "location")]
    near: Option<std::path::PathBuf>,
    /// With `--near`: the placement policy as JSON, such as `{"max_rtt_ms": 150}`.
    #[arg(long, value_name = "JSON", requires = "near")]
    policy: Option<String>,
    /// The application (image) name.
    #[arg(long)]
    image: String,
    /// The session id [default: a generated UUIDv4].
    #[arg(long)]
    id: Option<String>,
    /// An environment variable for the session, KEY=VALUE (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = key_value)]
    env: Vec<(String, String)>,
    /// A program argument (repeatable, in order).
    #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
    args: Vec<String>,
    /// A label, KEY=VALUE (repeatable).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = key_value)]
    labels: Vec<(String, String)>,
    /// The image tag to run.
    #[arg(long)]
    version: Option<String>,
    /// Lifetime such as 1m, 1h or 2h30m.
    #[arg(long)]
    ttl: Option<String>,
    /// Restart the session when it fails.
    #[arg(long)]
    restart: bool,
    /// A caller-provided identifier for the session.
    #[arg(long)]
    external_id: Option<String>,
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // An explicit --environment wins over GAMEYE_BASE_URL from the
    // environment, but not over an explicit --base-url.
    let base_url_from_env = matches.value_source("base_url") == Some(ValueSource::EnvVariable);
    match run(cli, base_url_from_env) {
        Ok(out) => {
            if !out.is_empty() {
                println!("{out}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gameye: {e}");
            ExitCode::from(exit_codes::exit_code(e.kind()))
        }
    }
}

fn run(cli: Cli, base_url_from_env: bool) -> Result<String, Error> {
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "gameye", &mut std::io::stdout());
        return Ok(String::new());
    }
    let mut g = cli.global;
    g.base_url =
        base_url_unless_environment(g.base_url, g.environment.is_some(), base_url_from_env)?;
    // Kept alive until the command finishes; dropping it stops the server.
    let mut _emulator = None;
    let (token, base_url) = if g.emulator {
        let emu = gameye_emulator::Emulator::start(gameye_emulator::EmulatorConfig::default())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connect,
                    format!("cannot start the emulator: {e}"),
                )
            })?;
        let url = emu.base_url();
        _emulator = Some(emu);
        let token = g
            .token
            .take()
            .unwrap_or_else(|| gameye_emulator::DEFAULT_TOKEN.to_owned());
        (token, Some(url))
    } else {
        let token = g.token.take().ok_or_else(|| {
            Error::invalid_config(
                "token",
                "is required: set GAMEYE_TOKEN or pass --token (or use --emulator)",
            )
        })?;
        (token, g.base_url.clone())
    };
    let client = Client::new(client_config(&g, token, base_url)?)?;
    execute(&client, cli.command)
}

/// The client configuration the global options give, with the token and
/// base URL already resolved.
fn client_config(
    g: &GlobalArgs,
    token: String,
    base_url: Option<String>,
) -> Result<ClientConfig, Error> {
    let mut config = ClientConfig::new(token)
        .allow_insecure_http(g.allow_insecure_http)
        .proxy_from_env(g.proxy_from_env);
    config.proxy = g.proxy.clone();
    if let Some(url) = base_url {
        config = config.base_url(url);
    } else if let Some(env) = g.environment {
        config = config.environment(env.into());
    }
    if let Some(secs) = g.timeout {
        config = config.request_timeout(seconds("timeout", secs)?);
    }
    if let Some(secs) = g.connect_timeout {
        config = config.connect_timeout(seconds("connect-timeout", secs)?);
    }
    if let Some(secs) = g.idle_timeout {
        config = config.idle_timeout(seconds("idle-timeout", secs)?);
    }
    if let Some(path) = &g.ca_bundle {
        config = config.ca_bundle(path.clone());
    }
    if let Some(n) = g.max_attempts {
        config.retry.max_attempts = n;
    }
    if let Some(secs) = g.initial_backoff {
        config.retry.initial_backoff = seconds("initial-backoff", secs)?;
    }
    if let Some(secs) = g.max_backoff {
        config.retry.max_backoff = seconds("max-backoff", secs)?;
    }
    if let Some(secs) = g.deadline {
        config.retry.deadline = seconds("deadline", secs)?;
    }
    if let Some(n) = g.max_response_bytes {
        config = config.max_response_bytes(n);
    }
    if let Some(n) = g.max_log_bytes {
        config = config.max_log_bytes(n);
    }
    if let Some(n) = g.max_concurrent_requests {
        config = config.max_concurrent_requests(n);
    }
    Ok(config)
}

/// The base URL to use: an explicit `--environment` wins over
/// `GAMEYE_BASE_URL` from the environment, but not over `--base-url`.
fn base_url_unless_environment(
    base_url: Option<String>,
    environment: bool,
    base_url_from_env: bool,
) -> Result<Option<String>, Error> {
    match (base_url, environment) {
        (Some(_), true) if base_url_from_env => Ok(None),
        (Some(_), true) => Err(Error::invalid_config(
            "environment",
            "give --base-url or --environment, not both",
        )),
        (url, _) => Ok(url),
    }
}

/// A duration option in seconds; the core rejects zero.
fn seconds(option: &str, secs: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(secs)
        .map_err(|_| Error::invalid_config(option, "must be a positive number of seconds"))
}

/// Runs one command; returns what to print on stdout.
fn execute(client: &Client, command: Command) -> Result<String, Error> {
    Ok(match command {
        Command::Session(SessionCommand::Create(a)) => {
            let near = a.near.clone();
            let policy = a.policy.clone();
            let request = SessionRun {
                id: a.id,
                location: a.location.unwrap_or_else(|| "(chosen by placement)".into()),
                image: a.image,
                env: (!a.env.is_empty()).then(|| a.env.into_iter().collect::<BTreeMap<_, _>>()),
                args: (!a.args.is_empty()).then_some(a.args),
                restart: a.restart.then_some(true),
                labels: (!a.labels.is_empty()).then(|| a.labels.into_iter().collect()),
                version: a.version,
                ttl: a.ttl,
                external_id: a.external_id,
            };
            match near {
                Some(path) => placement::create_near(client, request, &path, policy.as_deref())?,
                None => json(&client.create_session(request)?.value),
            }
        }
        Command::Session(SessionCommand::List(a)) => {
            let filter = ListFilter {
                all: a.all,
                location: a.location,
                image: a.image,
                tag: a.tag,
                host: a.host,
                player_count_lt: a.player_count_lt,
                player_count_gt: a.player_count_gt,
                labels: a.labels.into_iter().collect(),
            };
            render(
                &client.list_sessions(&filter)?.into_inner(),
                a.output.output,
            )
        }
        Command::Session(SessionCommand::Get { id }) => json(&client.get_session(&id)?.value),
        Command::Session(SessionCommand::Stop { id, idempotent }) => {
            let outcome = client.stop_session(&id, StopOptions { idempotent })?.value;
            json(&serde_json::json!({ "id": id, "outcome": outcome }))
        }
        Command::Players(PlayersCommand::Join { session, players }) => {
            json(&client.join_players(&session, &players)?.value)
        }
        Command::Players(PlayersCommand::Leave { players }) => {
            json(&client.leave_players(&players)?.value)
        }
        Command::Logs { id, follow: false } => client.logs(&id)?.into_inner(),
        Command::Logs { id, follow: true } => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            for line in client.follow_logs(&id)? {
                // A closed stdout (`| head`) ends following quietly.
                if writeln!(stdout, "{}", line?)
                    .and_then(|_| stdout.flush())
                    .is_err()
                {
                    break;
                }
            }
            String::new()
        }
        Command::Artifacts(ArtifactsCommand::Download {
            session,
            path,
            output_file,
        }) => {
            let written = download::download(client, &session, &path, &output_file)?;
            if output_file == "-" {
                String::new()
            } else {
                json(&serde_json::json!({ "path": output_file, "bytes": written }))
            }
        }
        Command::Locations {
            args,
            probes,
            ping_timeout,
            output,
        } => match args.as_slice() {
            [verb, image] if verb == "ping" => {
                placement::ping_table(client, image, probes, ping_timeout)?
            }
            [image] => render(
                &client.available_locations(image)?.into_inner(),
                output.output,
            ),
            _ => {
                return Err(gameye_core::Error::invalid_request(vec![
                    gameye_core::Violation::new(
                        "locations",
                        "use `locations IMAGE` or `locations ping IMAGE`",
                    ),
                ]))
            }
        },
        // Printed by `run` before a client is made.
        Command::Completions { .. } => String::new(),
        Command::Tag(TagCommand::Exists {
            region,
            image,
            version,
        }) => {
            let exists = client.tag_exists(&region, &image, &version)?.value;
            json(&serde_json::json!({ "exists": exists }))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_the_base_url_variable_only() {
        let url = || Some("http://127.0.0.1:9".to_owned());
        assert_eq!(
            base_url_unless_environment(url(), true, true).unwrap(),
            None
        );
        assert_eq!(
            base_url_unless_environment(url(), false, true).unwrap(),
            url()
        );
        assert_eq!(
            base_url_unless_environment(url(), false, false).unwrap(),
            url()
        );
        assert_eq!(
            base_url_unless_environment(None, true, false).unwrap(),
            None
        );
        let both = base_url_unless_environment(url(), true, false).unwrap_err();
        assert_eq!(both.kind(), ErrorKind::InvalidConfig);
    }

    #[test]
    fn global_options_reach_the_client() {
        let cli = Cli::try_parse_from([
            "gameye",
            "--environment",
            "production",
            "--connect-timeout",
            "2.5",
            "--timeout",
            "7",
            "--ca-bundle",
            "/etc/extra.pem",
            "--max-attempts",
            "2",
            "--idle-timeout",
            "12.5",
            "--initial-backoff",
            "0.1",
            "--max-backoff",
            "3",
            "--deadline",
            "40",
            "--max-response-bytes",
            "1003",
            "--max-log-bytes",
            "1004",
            "--max-concurrent-requests",
            "7",
            "--proxy",
            "https://proxy.example:3128",
            "--proxy-from-env",
            "--allow-insecure-http",
            "session",
            "list",
        ])
        .unwrap();
        let config = client_config(&cli.global, "t".into(), None).unwrap();
        assert_eq!(config.connect_timeout, Duration::from_millis(2500));
        assert_eq!(config.request_timeout, Duration::from_secs(7));
        assert_eq!(
            config.ca_bundle_path.as_deref(),
            Some(std::path::Path::new("/etc/extra.pem"))
        );
        assert_eq!(config.retry.max_attempts, 2);
        assert_eq!(config.idle_timeout, Duration::from_millis(12500));
        assert_eq!(config.retry.initial_backoff, Duration::from_millis(100));
        assert_eq!(config.retry.max_backoff, Duration::from_secs(3));
        assert_eq!(config.retry.deadline, Duration::from_secs(40));
        assert_eq!(config.max_response_bytes, 1003);
        assert_eq!(config.max_log_bytes, 1004);
        assert_eq!(config.max_concurrent_requests, 7);
        assert_eq!(config.proxy.as_deref(), Some("https://proxy.example:3128"));
        assert!(config.proxy_from_env && config.allow_insecure_http);
        let config = ClientConfig {
            ca_bundle_path: None,
            ..config
        };
        assert_eq!(
            Client::new(config).unwrap().base_url(),
            gameye_core::PRODUCTION_URL
        );
        // A base URL, when there is one, is used instead of the environment.
        let config =
            client_config(&cli.global, "t".into(), Some("http://127.0.0.1:9".into())).unwrap();
        let config = ClientConfig {
            ca_bundle_path: None,
            ..config
        };
        assert_eq!(
            Client::new(config).unwrap().base_url(),
            "http://127.0.0.1:9"
        );
    }
}
