//! `gameye`: the command-line client of the Gameye Session API.
//!
//! Prints results as JSON on stdout; errors go to stderr with an exit status
//! per error kind (see [`exit_code`]), so scripts can branch on them.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

mod placement;

use clap::{Args, Parser, Subcommand, ValueEnum};

use gameye_core::{
    Client, ClientConfig, Error, ErrorKind, ListFilter, SessionRun, SessionSummary, StopOptions,
};

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
    /// Request timeout in seconds.
    #[arg(long, global = true, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Attempts per call, retries included (1 turns retries off) [default: 4].
    #[arg(long, global = true, value_name = "N")]
    max_attempts: Option<u32>,
    /// Overall time for one call, retries included, in seconds [default: 60].
    #[arg(long, global = true, value_name = "SECONDS")]
    deadline: Option<f64>,
    /// Allow plain http:// to a host that is not loopback (sends the token in clear).
    #[arg(long, global = true)]
    allow_insecure_http: bool,
    /// Start the local emulator in-process and send requests to it (no token or network needed).
    #[arg(long, global = true)]
    emulator: bool,
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
    },
    /// Query image tags.
    #[command(subcommand)]
    Tag(TagCommand),
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
        /// Where to write the tar.gz; `-` for stdout.
        #[arg(long, short)]
        output: String,
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

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Json,
    Table,
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
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    output: OutputFormat,
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
    let cli = Cli::parse();
    match run(cli) {
        Ok(out) => {
            if !out.is_empty() {
                println!("{out}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gameye: {e}");
            ExitCode::from(exit_code(e.kind()))
        }
    }
}

fn run(cli: Cli) -> Result<String, Error> {
    let g = cli.global;
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
            .unwrap_or_else(|| gameye_emulator::DEFAULT_TOKEN.to_owned());
        (token, Some(url))
    } else {
        let token = g.token.ok_or_else(|| {
            Error::invalid_config(
                "token",
                "is required: set GAMEYE_TOKEN or pass --token (or use --emulator)",
            )
        })?;
        (token, g.base_url)
    };
    let mut config = ClientConfig::new(token).allow_insecure_http(g.allow_insecure_http);
    if let Some(url) = base_url {
        config = config.base_url(url);
    }
    if let Some(secs) = g.timeout {
        let t = Duration::try_from_secs_f64(secs).map_err(|_| {
            Error::invalid_config("timeout", "must be a positive number of seconds")
        })?;
        config = config.request_timeout(t);
    }
    if let Some(n) = g.max_attempts {
        config.retry.max_attempts = n;
    }
    if let Some(secs) = g.deadline {
        config.retry.deadline = Duration::try_from_secs_f64(secs).map_err(|_| {
            Error::invalid_config("deadline", "must be a positive number of seconds")
        })?;
    }
    let client = Client::new(config)?;
    execute(&client, cli.command)
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("API types always serialize")
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
            let sessions = client.list_sessions(&filter)?.into_inner();
            match a.output {
                OutputFormat::Json => json(&sessions),
                OutputFormat::Table => table(&sessions),
            }
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
            output,
        }) => {
            let written = if output == "-" {
                let mut stdout = std::io::stdout().lock();
                client
                    .download_artifact(&session, &path, &mut stdout)?
                    .value
            } else {
                client
                    .download_artifact_to_file(&session, &path, std::path::Path::new(&output))?
                    .value
            };
            if output == "-" {
                String::new()
            } else {
                json(&serde_json::json!({ "path": output, "bytes": written }))
            }
        }
        Command::Locations {
            args,
            probes,
            ping_timeout,
        } => match args.as_slice() {
            [verb, image] if verb == "ping" => {
                placement::ping_table(client, image, probes, ping_timeout)?
            }
            [image] => json(&client.available_locations(image)?.value),
            _ => {
                return Err(gameye_core::Error::invalid_request(vec![
                    gameye_core::Violation::new(
                        "locations",
                        "use `locations IMAGE` or `locations ping IMAGE`",
                    ),
                ]))
            }
        },
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

/// A readable table of sessions, one per line, columns aligned.
fn table(sessions: &[SessionSummary]) -> String {
    let header = [
        "ID", "IMAGE", "LOCATION", "HOST", "PORTS", "STATUS", "PLAYERS",
    ]
    .map(String::from);
    let rows: Vec<[String; 7]> = sessions
        .iter()
        .map(|s| {
            let ports = s
                .ports()
                .iter()
                .map(|p| format!("{}/{}->{}", p.container, p.protocol, p.host))
                .collect::<Vec<_>>()
                .join(",");
            [
                s.id.clone(),
                match &s.tag {
                    Some(tag) => format!("{}:{tag}", s.image),
                    None => s.image.clone(),
                },
                s.location.clone(),
                s.host.clone(),
                ports,
                s.status.as_ref().map_or("-".into(), |st| st.to_string()),
                s.player_count.map_or("-".into(), |n| n.to_string()),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            row.iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The process exit status for each error kind. Stable: scripts rely on it.
/// (2 is clap's usage error.)
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidRequest => 10,
        ErrorKind::InvalidConfig => 11,
        ErrorKind::Unauthorized => 12,
        ErrorKind::QuotaExhausted => 13,
        ErrorKind::Forbidden => 14,
        ErrorKind::NotFound => 15,
        ErrorKind::Conflict => 16,
        ErrorKind::NoCapacity => 17,
        ErrorKind::InvalidSyntax => 18,
        ErrorKind::ClientError => 19,
        ErrorKind::ServerError => 20,
        ErrorKind::Connect => 21,
        ErrorKind::Tls => 22,
        ErrorKind::Timeout => 23,
        ErrorKind::Transport => 24,
        ErrorKind::Decode => 25,
        ErrorKind::Io => 26,
        ErrorKind::Cancelled => 27,
        ErrorKind::PingNotPermitted => 28,
        _ => 1,
    }
}
