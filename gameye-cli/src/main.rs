//! `gameye`: the command-line client of the Gameye Session API.
//!
//! Prints results as JSON on stdout; errors go to stderr with an exit status
//! per error kind (see [`exit_code`]), so scripts can branch on them.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use gameye_core::{Client, ClientConfig, Error, ErrorKind, SessionRun};

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
}

#[derive(Subcommand)]
enum SessionCommand {
    /// Start a session (POST /session) and print it as JSON.
    Create(CreateArgs),
}

#[derive(Args)]
struct CreateArgs {
    /// The region to host the session in, such as `europe`.
    #[arg(long)]
    location: String,
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
        Ok(json) => {
            println!("{json}");
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
    let client = Client::new(config)?;
    match cli.command {
        Command::Session(SessionCommand::Create(a)) => {
            let request = SessionRun {
                id: a.id,
                location: a.location,
                image: a.image,
                env: (!a.env.is_empty()).then(|| a.env.into_iter().collect::<BTreeMap<_, _>>()),
                args: (!a.args.is_empty()).then_some(a.args),
                restart: a.restart.then_some(true),
                labels: (!a.labels.is_empty()).then(|| a.labels.into_iter().collect()),
                version: a.version,
                ttl: a.ttl,
                external_id: a.external_id,
            };
            let session = client.create_session(request)?.into_inner();
            Ok(serde_json::to_string_pretty(&session).expect("a session always serializes"))
        }
    }
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
        _ => 1,
    }
}
