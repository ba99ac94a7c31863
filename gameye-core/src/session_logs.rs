//! Session logs: `GET /logs?id=…` as text, or followed line by line.

use http::Method;

use crate::call::{Call, Opened};
use crate::client::Client;
use crate::error::Result;
use crate::response::Response;
use crate::stream::ByteStream;
use crate::validate::require_non_empty;

/// A line longer than this is delivered in pieces of this size, so a stream
/// without newlines cannot grow memory without bound.
pub const MAX_LOG_LINE_BYTES: usize = 1024 * 1024;

/// A followed log: lines as the game server writes them, until the session
/// ends. Iterate it (blocking) or call [`LogStream::next_line`] (async).
/// Dropping it stops following and closes the connection.
///
/// The client's request timeout bounds opening it (up to the response head,
/// or the whole error body); once it streams, the time between lines is not
/// bounded: a quiet game server may log nothing for hours.
#[derive(Debug)]
pub struct LogStream {
    bytes: ByteStream,
    buf: Vec<u8>,
    done: bool,
    http_status: u16,
    attempts: u32,
}

impl LogStream {
    /// The HTTP status the follow was answered with (a 2xx).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// How many attempts opening the follow took (1 without retries).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The next line without its line ending, `None` when the log ended.
    pub async fn next_line(&mut self) -> Option<Result<String>> {
        loop {
            if let Some(line) = self.take_line() {
                return Some(Ok(line));
            }
            if self.done {
                return None;
            }
            match self.bytes.next_chunk().await {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => self.done = true,
            }
        }
    }

    /// The next line, blocking the calling thread.
    pub fn blocking_next_line(&mut self) -> Option<Result<String>> {
        crate::stream::park_on(self.next_line())
    }

    fn take_line(&mut self) -> Option<String> {
        take_line(&mut self.buf, self.done)
    }
}

/// A complete line from `buf`; once `done`, whatever is left.
fn take_line(buf: &mut Vec<u8>, done: bool) -> Option<String> {
    let end = match buf.iter().position(|&b| b == b'\n') {
        Some(i) => i + 1,
        None if buf.len() >= MAX_LOG_LINE_BYTES => MAX_LOG_LINE_BYTES,
        None if done && !buf.is_empty() => buf.len(),
        None => return None,
    };
    let rest = buf.split_off(end);
    let mut line = std::mem::replace(buf, rest);
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Some(
        String::from_utf8(line)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Splits `body` into lines as [`LogStream`] does, for fuzzing the splitter.
pub(crate) fn split_lines_for_fuzzing(body: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut buf = body.to_vec();
    let mut done = false;
    loop {
        match take_line(&mut buf, done) {
            Some(line) => lines.push(line),
            None if done => return lines,
            None => done = true,
        }
    }
}

impl Iterator for LogStream {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.blocking_next_line()
    }
}

fn logs_call(id: &str, follow: bool) -> Result<Call> {
    require_non_empty("id", id)?;
    let call = Call::new(Method::GET, &["logs"]).query("id", id);
    Ok(if follow {
        call.query("follow", "true")
    } else {
        call
    })
}

impl Client {
    /// The session's logs so far (`GET /logs?id=…`), as text. Fails with a
    /// decode error past the configured `max_log_bytes`; follow the log
    /// ([`Client::follow_logs`]) to stream a long one. Each attempt, body
    /// included, is bounded by the request timeout.
    pub fn logs(&self, id: &str) -> Result<Response<String>> {
        self.block_on(|c| async move { c.logs_impl(id.to_owned()).await })
    }

    /// The session's logs so far, from async code.
    pub async fn logs_async(&self, id: &str) -> Result<Response<String>> {
        let (this, id) = (self.clone(), id.to_owned());
        self.spawn(async move { this.logs_impl(id).await }).await
    }

    async fn logs_impl(&self, id: String) -> Result<Response<String>> {
        let limit = self.config().max_log_bytes;
        let hint = "; follow the logs to stream them instead";
        let raw = self
            .send_limited(logs_call(&id, false)?, limit, hint)
            .await?;
        raw.into_result(|_, body| Ok(String::from_utf8_lossy(body).into_owned()))
    }

    /// Follows the session's logs (`GET /logs?id=…&follow=true`): the lines so
    /// far, then new lines as they arrive, until the session ends.
    pub fn follow_logs(&self, id: &str) -> Result<LogStream> {
        self.block_on_shared(self.follow_logs_impl(id.to_owned()))
    }

    /// Follows the session's logs, from async code.
    pub async fn follow_logs_async(&self, id: &str) -> Result<LogStream> {
        let (this, id) = (self.clone(), id.to_owned());
        self.spawn(async move { this.follow_logs_impl(id).await })
            .await
    }

    async fn follow_logs_impl(&self, id: String) -> Result<LogStream> {
        let Opened {
            status,
            attempts,
            stream,
        } = self.open_stream(logs_call(&id, true)?).await?;
        Ok(LogStream {
            bytes: stream,
            buf: Vec::new(),
            done: false,
            http_status: status,
            attempts,
        })
    }
}
