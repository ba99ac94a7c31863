//! `gameye-hostile`: runs the hostile test server (see the library's docs)
//! for the C and Python tests.
//!
//! ```text
//! gameye-hostile [--ready-file PATH] [--ca-dir DIR] [--max-seconds N]
//! ```
//!
//! Prints one JSON line, the manifest (`{"ca": PATH, "control": URL,
//! "listeners": {NAME: {"http": URL, "https": URL}}}`), to stdout and to
//! `--ready-file` (written under a temporary name, then renamed). Exits when
//! its stdin closes (so a test that dies takes the server with it) or after
//! `--max-seconds` (default 900).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use gameye_hostile::HostileServer;

struct Args {
    ready_file: Option<PathBuf>,
    ca_dir: Option<PathBuf>,
    max_seconds: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        ready_file: None,
        ca_dir: None,
        max_seconds: 900,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--ready-file" => args.ready_file = Some(value()?.into()),
            "--ca-dir" => args.ca_dir = Some(value()?.into()),
            "--max-seconds" => {
                args.max_seconds = value()?
                    .parse()
                    .map_err(|e| format!("--max-seconds: {e}"))?
            }
            "-h" | "--help" => {
                return Err(
                    "usage: gameye-hostile [--ready-file PATH] [--ca-dir DIR] [--max-seconds N]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gameye-hostile: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let server = HostileServer::start_with_ca_dir(args.ca_dir.as_deref())
        .map_err(|e| format!("cannot start: {e}"))?;
    let manifest = server.manifest_json();
    if let Some(path) = &args.ready_file {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, format!("{manifest}\n"))
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{manifest}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("stdout: {e}"))?;
    drop(out);

    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = done.send(());
    });
    let _ = wait.recv_timeout(Duration::from_secs(args.max_seconds));
    drop(server);
    Ok(())
}
