//! Artifacts: `GET /artifacts?session=…&path=…`, a tar.gz of a file or folder
//! of a terminated session, streamed to a writer or a file, never held whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use http::Method;

use crate::call::{Call, Opened};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::stream::ByteStream;
use crate::validate::require_non_empty;

fn artifact_call(session: &str, path: &str) -> Result<Call> {
    require_non_empty("session", session)?;
    require_non_empty("path", path)?;
    Ok(Call::new(Method::GET, &["artifacts"])
        .query("session", session)
        .query("path", path))
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what}: {e}"))
}

impl Client {
    /// Opens the artifact's tar.gz as a stream of chunks.
    pub fn open_artifact(&self, session: &str, path: &str) -> Result<(u16, ByteStream)> {
        let call = artifact_call(session, path)?;
        let opened = self.block_on_shared(self.open_stream(call))?;
        Ok((opened.status, opened.stream))
    }

    /// Opens the artifact's tar.gz as a stream of chunks, from async code.
    pub async fn open_artifact_async(
        &self,
        session: &str,
        path: &str,
    ) -> Result<(u16, ByteStream)> {
        let (this, call) = (self.clone(), artifact_call(session, path)?);
        let opened = self
            .spawn(async move { this.open_stream(call).await })
            .await?;
        Ok((opened.status, opened.stream))
    }

    /// Streams the artifact's tar.gz into `out`, chunk by chunk; returns the
    /// number of bytes written (the response's `body` is left empty).
    pub fn download_artifact(
        &self,
        session: &str,
        path: &str,
        out: &mut dyn Write,
    ) -> Result<Response<u64>> {
        self.block_on_shared(self.download_into(artifact_call(session, path)?, out))
    }

    /// As [`Client::download_artifact`], from async code. `out` is written on
    /// the client's I/O threads, so keep its writes short (a file, a buffer).
    pub async fn download_artifact_async(
        &self,
        session: &str,
        path: &str,
        mut out: impl Write + Send + 'static,
    ) -> Result<Response<u64>> {
        let (this, call) = (self.clone(), artifact_call(session, path)?);
        self.spawn(async move { this.download_into(call, &mut out).await })
            .await
    }

    async fn download_into<W: Write + ?Sized>(
        &self,
        call: Call,
        out: &mut W,
    ) -> Result<Response<u64>> {
        let Opened {
            status,
            attempts,
            mut stream,
        } = self.open_stream(call).await?;
        let mut written = 0u64;
        while let Some(chunk) = stream.next_chunk().await {
            let chunk = chunk?;
            out.write_all(&chunk)
                .map_err(|e| io_error("cannot write the artifact", e))?;
            written += chunk.len() as u64;
        }
        out.flush()
            .map_err(|e| io_error("cannot write the artifact", e))?;
        Ok(Response {
            value: written,
            http_status: status,
            body: Vec::new(),
            attempts,
        })
    }

    /// Downloads the artifact's tar.gz to `dest`. It is written to a
    /// temporary file beside `dest` and renamed into place only when complete,
    /// so a failed download never leaves a truncated file at `dest`.
    pub fn download_artifact_to_file(
        &self,
        session: &str,
        path: &str,
        dest: &Path,
    ) -> Result<Response<u64>> {
        let call = artifact_call(session, path)?;
        self.block_on_shared(self.download_to_file(call, dest.to_owned()))
    }

    /// As [`Client::download_artifact_to_file`], from async code.
    pub async fn download_artifact_to_file_async(
        &self,
        session: &str,
        path: &str,
        dest: &Path,
    ) -> Result<Response<u64>> {
        let (this, call, dest) = (self.clone(), artifact_call(session, path)?, dest.to_owned());
        self.spawn(async move { this.download_to_file(call, dest).await })
            .await
    }

    async fn download_to_file(&self, call: Call, dest: PathBuf) -> Result<Response<u64>> {
        let file_name = dest.file_name().ok_or_else(|| {
            Error::invalid_request(vec![crate::Violation::new("dest", "must name a file")])
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(file_name);
        tmp_name.push(format!(".{}.part", uuid::Uuid::new_v4().simple()));
        let tmp = dest.with_file_name(tmp_name);
        // Removes the partial file on every way out but success, including
        // this future being dropped (a cancelled async download).
        let mut partial = PartialFile(Some(tmp.clone()));
        let file = std::fs::File::create(&tmp)
            .map_err(|e| io_error(&format!("cannot create {}", tmp.display()), e))?;
        let mut out = std::io::BufWriter::new(file);
        let resp = self.download_into(call, &mut out).await?;
        let file = out
            .into_inner()
            .map_err(|e| io_error("cannot write the artifact", e.into_error()))?;
        file.sync_all()
            .map_err(|e| io_error("cannot write the artifact", e))?;
        std::fs::rename(&tmp, &dest)
            .map_err(|e| io_error(&format!("cannot move into {}", dest.display()), e))?;
        partial.0 = None;
        Ok(resp)
    }
}

/// A temporary download file, removed when dropped unless it was kept.
struct PartialFile(Option<PathBuf>);

impl Drop for PartialFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}
