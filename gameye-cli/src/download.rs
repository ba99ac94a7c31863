//! `artifacts download`: streams the tar.gz to a file (through a temporary
//! file renamed into place when complete) or to stdout, with a progress bar
//! on stderr when stderr is a terminal.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use gameye_core::{Client, Error, ErrorKind};
use indicatif::{ProgressBar, ProgressStyle};

/// A writer that advances a progress bar by what it writes.
struct Counted<W> {
    inner: W,
    bar: Option<ProgressBar>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A spinner with bytes and rate on stderr, or `None` when stderr is not a
/// terminal (a pipe or a log file gets no control characters).
fn progress_bar() -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {bytes} downloaded ({bytes_per_sec}, {elapsed})")
            .expect("the template is valid"),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

fn io_error(what: &str, path: &Path, e: io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what} {}: {e}", path.display()))
}

/// Removes the temporary file unless the download completed.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Downloads the artifact `path` of `session` to `dest` (`-` for stdout);
/// returns the number of bytes written.
pub fn download(client: &Client, session: &str, path: &str, dest: &str) -> Result<u64, Error> {
    let bar = progress_bar();
    let written = if dest == "-" {
        let mut out = Counted {
            inner: io::stdout().lock(),
            bar: bar.clone(),
        };
        client.download_artifact(session, path, &mut out)?.value
    } else {
        let dest = Path::new(dest);
        let name = dest.file_name().ok_or_else(|| {
            Error::invalid_request(vec![gameye_core::Violation::new(
                "output-file",
                "must name a file",
            )])
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.part", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file = File::create(&tmp).map_err(|e| io_error("cannot create", &tmp, e))?;
        let mut partial = Partial(Some(tmp.clone()));
        let mut out = Counted {
            inner: io::BufWriter::new(file),
            bar: bar.clone(),
        };
        let n = client.download_artifact(session, path, &mut out)?.value;
        let file = out
            .inner
            .into_inner()
            .map_err(|e| io_error("cannot write", &tmp, e.into_error()))?;
        file.sync_all()
            .map_err(|e| io_error("cannot write", &tmp, e))?;
        std::fs::rename(&tmp, dest).map_err(|e| io_error("cannot move into place", dest, e))?;
        partial.0 = None;
        n
    };
    if let Some(bar) = bar {
        bar.finish();
    }
    Ok(written)
}
