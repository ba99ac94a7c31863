//! A tiny blocking HTTP/1.1 client over `std::net::TcpStream`, so the tests
//! speak raw HTTP to the emulator without pulling in a client crate (and
//! without sharing code with the SDK client they exist to check).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use gameye_emulator::DEFAULT_TOKEN;
use serde_json::Value;

/// No single test request should take long; a hang fails instead of blocking.
pub const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request with `Connection: close` and reads the whole response.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    timeout: Duration,
) -> std::io::Result<Resp> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    Ok(parse(&raw))
}

fn parse(raw: &[u8]) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of headers");
    let head = std::str::from_utf8(&raw[..split]).expect("headers are not UTF-8");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("bad status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..eol]).unwrap().trim(), 16).unwrap();
        data = &data[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// A client bound to one emulator and token.
pub struct Client {
    pub addr: SocketAddr,
    pub token: Option<String>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Client {
            addr,
            token: Some(DEFAULT_TOKEN.to_string()),
        }
    }

    pub fn with_token(addr: SocketAddr, token: Option<&str>) -> Self {
        Client {
            addr,
            token: token.map(str::to_string),
        }
    }

    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        send(self.addr, method, path, &headers, body, TIMEOUT).expect("request failed")
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, None)
    }

    pub fn delete(&self, path: &str) -> Resp {
        self.request("DELETE", path, None)
    }

    pub fn post(&self, path: &str, body: &str) -> Resp {
        self.request("POST", path, Some(body))
    }

    /// `POST /session` with a JSON value.
    pub fn run(&self, body: Value) -> Resp {
        self.post("/session", &body.to_string())
    }
}

/// Asserts the spec's `ErrorResponse` shape and returns the body.
pub fn assert_error(resp: &Resp, status: u16, code: &str, path: &str) -> Value {
    assert_eq!(resp.status, status, "body: {}", resp.text());
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let v = resp.json();
    let obj = v.as_object().expect("error body is not an object");
    assert_eq!(obj["statusCode"], Value::from(status));
    assert_eq!(obj["code"], Value::from(code), "body: {v}");
    assert!(obj["message"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(obj["details"].is_string());
    assert_eq!(obj["path"], Value::from(path));
    assert!(obj["identifier"].as_str().is_some_and(|s| !s.is_empty()));
    let ts = obj["timestamp"].as_str().expect("timestamp");
    // RFC 3339 UTC: 2024-05-01T12:00:00.123Z
    assert_eq!(ts.len(), 24, "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
    if status == 422 || code == "INVALID_QUERY_PARAMETER" {
        assert!(obj["violations"].is_array());
    } else {
        assert!(!obj.contains_key("violations"));
    }
    for k in obj.keys() {
        assert!(
            [
                "statusCode",
                "code",
                "message",
                "details",
                "path",
                "identifier",
                "timestamp",
                "violations"
            ]
            .contains(&k.as_str()),
            "unexpected field {k}"
        );
    }
    v
}

/// The `field`s of a 422 body's violations.
pub fn violation_fields(v: &Value) -> Vec<String> {
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert!(x["description"].as_str().is_some_and(|d| !d.is_empty()));
            x["field"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The text of a `Connection: close` request with the default token.
pub fn request_text(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> String {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n"
    );
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    req
}

/// Header names (lower case) and values.
pub type Headers = Vec<(String, String)>;

/// What a raw exchange got: every byte that arrived, and how reading ended
/// (`Ok` = end of file; an error = reset, or the timeout ran out).
pub struct Raw {
    pub bytes: Vec<u8>,
    pub end: std::io::Result<()>,
}

impl Raw {
    /// The status, headers and body so far, if a whole head arrived.
    pub fn head_and_body(&self) -> Option<(u16, Headers, &[u8])> {
        let split = self.bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&self.bytes[..split]).ok()?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Some((status, headers, &self.bytes[split + 4..]))
    }
}

/// Sends `request` as is and reads until the server closes the connection,
/// an error, or `timeout` in all. Never panics on what the server does.
pub fn raw_exchange(addr: SocketAddr, request: &str, timeout: Duration) -> Raw {
    let deadline = std::time::Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).expect("connect");
    stream.set_write_timeout(Some(timeout)).unwrap();
    stream.write_all(request.as_bytes()).expect("send request");
    let mut bytes = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let end = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break Err(std::io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    Raw { bytes, end }
}
