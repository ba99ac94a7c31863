//! `gameye-emulator`: run the Gameye Session API emulator as a process, for C
//! and Python tests and offline development.
//!
//! Faults come from the config file and from `--fault JSON` (repeatable, one
//! rule each, appended after the file's); `--control` serves the loopback
//! control endpoints under `/_emulator/`. `--tls-cert`/`--tls-key` or
//! `--tls-test-ca DIR` serve https instead of http. The library's crate docs
//! describe every fault kind and endpoint.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use gameye_emulator::tls::TestCa;
use gameye_emulator::{EmulatorConfig, FaultRule, TlsConfig};

/// A local HTTP server implementing the Gameye Session API, for tests and
/// offline development. Default token: gameye-emulator-token.
#[derive(Parser, Debug)]
#[command(name = "gameye-emulator", version)]
struct Args {
    /// Port to listen on; 0 picks a free one (see --port-file).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind. Only loopback addresses unless --allow-non-loopback.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Allow binding a non-loopback address. The emulator accepts a publicly
    /// known token, so exposing it beyond this machine must be deliberate.
    #[arg(long)]
    allow_non_loopback: bool,
    /// JSON config file; the fields it names replace the defaults. Relative
    /// paths in it (an image's `command` program, `sessions_dir`) are taken
    /// relative to the file's directory.
    #[arg(long, value_name = "FILE.json")]
    config: Option<PathBuf>,
    /// Write the bound port number to this file once listening (written to a
    /// temporary name and renamed, so readers never see a partial file).
    #[arg(long, value_name = "PATH")]
    port_file: Option<PathBuf>,
    /// Inject a fault: one fault rule as inline JSON, such as
    /// '{"path":"/session","method":"POST","times":2,"action":{"kind":"status","status":503}}'.
    /// Repeatable; the rules apply in the order given, after those of the
    /// config file.
    #[arg(long = "fault", value_name = "JSON")]
    faults: Vec<String>,
    /// Serve the control endpoints under /_emulator/ (fault rules, the
    /// session count, TLS handshake counts) to loopback clients, without a
    /// token.
    #[arg(long)]
    control: bool,
    /// Append one JSON line per request to FILE: method, path, query,
    /// headers (the bearer token redacted) and body. Overrides the config
    /// file's `log_requests`.
    #[arg(long, value_name = "FILE")]
    log_requests: Option<PathBuf>,
    /// Remember at most N exited sessions (the oldest are forgotten first).
    /// Overrides the config file's `exited_keep_max` (default 10000).
    #[arg(long, value_name = "N")]
    exited_keep_max: Option<usize>,
    /// Forget an exited session this many seconds after it exited.
    /// Overrides the config file's `exited_keep_secs` (default 3600).
    #[arg(long, value_name = "SECONDS")]
    exited_keep_secs: Option<u64>,
    /// Close a connection idle (no byte either way) for this many
    /// milliseconds, as a load balancer does. Overrides the config file's
    /// `idle_timeout_ms` (default: never).
    #[arg(long, value_name = "MS")]
    idle_timeout_ms: Option<u64>,
    /// Serve https (only) with this PEM certificate chain; needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve https (only) with a new test CA: writes DIR/ca.pem (trust this
    /// one, e.g. as the SDK's ca_bundle_path), DIR/cert.pem and DIR/key.pem
    /// (a certificate for 127.0.0.1, ::1 and localhost), all before the port
    /// file. A new CA on every start; one DIR per emulator.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["tls_cert", "tls_key"])]
    tls_test_ca: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gameye-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    if !args.bind.is_loopback() && !args.allow_non_loopback {
        return Err(format!(
            "refusing to bind non-loopback address {}; pass --allow-non-loopback to do it anyway",
            args.bind
        ));
    }
    let mut config = match &args.config {
        Some(path) => EmulatorConfig::from_json_file(path)?,
        None => EmulatorConfig::default(),
    };
    for (n, spec) in args.faults.iter().enumerate() {
        let rule: FaultRule = serde_json::from_str(spec)
            .map_err(|e| format!("--fault #{}: invalid fault rule: {e}", n + 1))?;
        config.faults.push(rule);
    }
    config.control |= args.control;
    if let Some(path) = args.log_requests {
        config.log_requests = Some(path);
    }
    if let Some(n) = args.exited_keep_max {
        config.exited_keep_max = n;
    }
    if let Some(secs) = args.exited_keep_secs {
        config.exited_keep_secs = secs;
    }
    if let Some(ms) = args.idle_timeout_ms {
        config.idle_timeout_ms = Some(ms);
    }
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some(TlsConfig::from_pem_files(cert, key)?);
    }
    if let Some(dir) = &args.tls_test_ca {
        let ca = TestCa::generate()?;
        // Written before the port file, so whoever waits for that finds them.
        ca.write_to(dir)
            .map_err(|e| format!("cannot write the test CA to {}: {e}", dir.display()))?;
        config.tls = Some(ca.tls_config());
    }
    config.validate()?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.bind, args.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        let shutdown = install_shutdown_signal()
            .map_err(|e| format!("cannot install signal handlers: {e}"))?;
        if let Some(path) = &args.port_file {
            write_port_file(path, local.port())
                .map_err(|e| format!("cannot write port file {}: {e}", path.display()))?;
        }
        {
            // Tests wait for this line, so it must not sit in a buffer.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "gameye-emulator listening on {scheme}://{local}");
            let _ = out.flush();
        }
        gameye_emulator::serve(listener, config, shutdown)
            .await
            .map_err(|e| e.to_string())
    })
}

/// Writes atomically: a reader polling for the file sees either nothing or
/// the whole number.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, format!("{port}\n"))?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Installs the SIGINT/SIGTERM handlers now (before the port is announced, so
/// a test that signals as soon as it sees the port cannot kill the process
/// uncleanly) and returns a future that resolves on the first signal.
#[cfg(unix)]
fn install_shutdown_signal(
) -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Elsewhere only Ctrl-C exists.
#[cfg(not(unix))]
fn install_shutdown_signal(
) -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
