//! Response types. Decoding tolerates unknown fields (newer servers add them)
//! but not a body whose required fields are missing or mistyped.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A decoded success response with what arrived on the wire: the HTTP status
/// and the raw body, for callers (the C ABI, logs) that want them. Derefs to
/// the decoded value, so `client.create_session(r)?.id` reads naturally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<T> {
    /// The decoded value.
    pub value: T,
    /// The HTTP status the server answered with.
    pub http_status: u16,
    /// The body exactly as received.
    pub body: Vec<u8>,
    /// How many attempts the call took (1 without retries); counted as
    /// [`Error::attempts`](crate::Error::attempts) says.
    pub attempts: u32,
}

impl<T> Response<T> {
    /// The decoded value, dropping the wire details.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// The transport protocol of a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// A protocol this SDK version does not know, kept as the server sent it.
    #[serde(untagged)]
    Other(String),
}

impl Protocol {
    /// The name as the API spells it: `tcp`, `udp`, or the unknown name.
    pub fn as_str(&self) -> &str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Other(s) => s,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mapped port of a session: players connect to `host` port on the session's host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Port {
    /// The protocol, as the spec's `type`.
    #[serde(rename = "type")]
    pub protocol: Protocol,
    /// The port inside the container.
    pub container: u16,
    /// The port on the host machine that players connect to.
    pub host: u16,
}

/// A started session (the spec's `SessionRunOk`, with the id always known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    /// The session id: the server's, or the one the client sent when the
    /// server's answer omitted it.
    pub id: String,
    /// The IP address of the machine the session runs on.
    pub host: String,
    /// The mapped ports.
    pub ports: Vec<Port>,
}

#[derive(Deserialize)]
struct SessionRunOk {
    id: Option<String>,
    host: String,
    ports: Vec<Port>,
}

impl Session {
    /// Decodes a `201` body of `POST /session`. `sent_id` is the id the
    /// request carried; the spec lets the server omit `id`, and real servers
    /// have answered `{"host":"…","ports":[]}`.
    pub fn decode_created(http_status: u16, body: &[u8], sent_id: &str) -> Result<Session> {
        let ok: SessionRunOk = decode_json(http_status, body)?;
        Ok(Session {
            id: ok
                .id
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| sent_id.to_owned()),
            host: ok.host,
            ports: ok.ports,
        })
    }
}

/// Decodes a success body, turning any mismatch into a [`ErrorKind::Decode`](crate::ErrorKind::Decode)
/// error that names the problem and keeps an excerpt of the body.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    http_status: u16,
    body: &[u8],
) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        Error::decode(
            http_status,
            format!("response body does not match the API spec: {e}"),
            body,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn decodes_and_tolerates_unknown_fields() {
        let s = Session::decode_created(
            201,
            br#"{"id":"x","host":"1.2.3.4","ports":[{"type":"udp","container":7777,"host":49000,"new":1}],"extra":true}"#,
            "sent",
        )
        .unwrap();
        assert_eq!(s.id, "x");
        assert_eq!(s.ports[0].protocol, Protocol::Udp);
        assert_eq!((s.ports[0].container, s.ports[0].host), (7777, 49000));
    }

    #[test]
    fn missing_id_falls_back_to_sent_id() {
        let s = Session::decode_created(201, br#"{"host":"h","ports":[]}"#, "sent").unwrap();
        assert_eq!(s.id, "sent");
    }

    #[test]
    fn unknown_protocol_is_kept() {
        let s = Session::decode_created(
            201,
            br#"{"host":"h","ports":[{"type":"sctp","container":1,"host":2}]}"#,
            "i",
        )
        .unwrap();
        assert_eq!(s.ports[0].protocol, Protocol::Other("sctp".into()));
    }

    #[test]
    fn bad_bodies_are_decode_errors() {
        for body in [
            &b"<html>502 Bad Gateway</html>"[..],
            b"{\"host\":1,\"ports\":[]}",
            b"{\"ports\":[]}",
            b"{\"host\":\"h\",\"ports\":[{\"type\":\"tcp\",\"container\":70000,\"host\":1}]}",
            b"",
        ] {
            let e = Session::decode_created(201, body, "i").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert_eq!(e.http_status(), Some(201));
            assert!(e.body_excerpt().is_some());
        }
    }
}
