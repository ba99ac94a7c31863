//! The server's own checks: each listener the SDK's tests rely on really
//! misbehaves as named (else those tests would prove nothing).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use super::*;

fn raw(url: &str, request: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(request.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // Until the server closes or goes quiet (keep-alive listeners).
    while let Ok(n) = tcp.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if got.windows(4).any(|w| w == b"\r\n\r\n") {
            tcp.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn create(id: &str) -> String {
    let body = format!(r#"{{"id":"{id}","location":"europe","image":"nginx"}}"#);
    format!(
        "POST /session HTTP/1.1\r\nhost: x\r\nauthorization: Bearer tok-ECHO-42\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn the_manifest_names_every_listener_and_the_ca() {
    let s = HostileServer::start().unwrap();
    let m: serde_json::Value = serde_json::from_str(&s.manifest_json()).unwrap();
    for (name, _) in Behaviour::ALL {
        for scheme in ["http", "https"] {
            let url = m["listeners"][name][scheme].as_str().unwrap();
            assert!(url.starts_with(&format!("{scheme}://127.0.0.1:")), "{url}");
        }
    }
    for name in BAD_TLS {
        assert!(m["listeners"][name]["https"].is_string(), "{name}");
        assert!(m["listeners"][name].get("http").is_none(), "{name}");
    }
    let ca = std::fs::read_to_string(m["ca"].as_str().unwrap()).unwrap();
    assert_eq!(ca, s.ca_pem());
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let dir = s.ca_path().parent().unwrap().to_path_buf();
    drop(s);
    assert!(!dir.exists(), "the CA directory is removed on drop");
}

#[test]
fn ok_answers_a_create_with_the_sent_id_and_counts_it() {
    let s = HostileServer::start().unwrap();
    let got = raw(&s.url("ok", Scheme::Http), &create("abc"));
    assert!(got.starts_with("HTTP/1.1 201 Created\r\n"), "{got}");
    assert!(got.contains(r#""id":"abc""#), "{got}");
    let want = Counts {
        connections: 1,
        requests: 1,
    };
    assert_eq!(s.counts("ok", Scheme::Http), want);
    let control = raw(
        s.control_url(),
        "GET /counts/ok/http HTTP/1.1\r\nhost: x\r\n\r\n",
    );
    assert!(
        control.ends_with(r#"{"connections":1,"requests":1}"#),
        "{control}"
    );
}

#[test]
fn the_echo_listeners_echo_the_token() {
    let s = HostileServer::start().unwrap();
    for name in [
        "echo_401_json",
        "echo_502_html",
        "echo_302_location",
        "echo_cut_201",
        "echo_cut_201_eof",
    ] {
        let got = raw(&s.url(name, Scheme::Http), &create("e"));
        assert!(got.contains("tok-ECHO-42"), "{name}: {got}");
    }
    let got = raw(&s.url("echo_302_location", Scheme::Http), &create("e"));
    assert!(got.contains("location: https://login.example/?token=tok-ECHO-42\r\n"));
}

#[test]
fn the_conflict_listeners_answer_503_then_409_and_describe_by_their_rule() {
    let s = HostileServer::start().unwrap();
    let url = s.url("conflict_other_id", Scheme::Http);
    assert!(raw(&url, &create("c1")).starts_with("HTTP/1.1 503 "));
    assert!(raw(&url, &create("c1")).starts_with("HTTP/1.1 409 "));
    let got = raw(&url, "GET /session/c1 HTTP/1.1\r\nhost: x\r\n\r\n");
    assert!(got.contains(r#""id":"other-c1""#), "{got}");
    assert!(got.contains(r#""host":"10.9.8.7""#), "{got}");
    assert!(got.contains(r#""image":"nginx""#), "{got}");
    let url = s.url("conflict_same_id", Scheme::Http);
    assert!(raw(&url, &create("c1")).starts_with("HTTP/1.1 503 "));
    let got = raw(&url, "GET /session/c1 HTTP/1.1\r\nhost: x\r\n\r\n");
    assert!(got.contains(r#""id":"c1""#), "{got}");
}

/// A rustls client trusting only the test CA: the good certificate passes,
/// each bad one fails the handshake, and no bad listener counts a request.
#[test]
fn only_the_good_certificate_passes_a_verifying_client() {
    let s = HostileServer::start().unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(s.ca_pem().as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let handshake = |name: &str| -> Result<String, rustls::Error> {
        let url = s.url(name, Scheme::Https);
        let mut tcp = TcpStream::connect(url.trim_start_matches("https://")).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let host = ServerName::try_from("127.0.0.1").unwrap();
        let mut conn = rustls::ClientConnection::new(Arc::clone(&config), host).unwrap();
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(|e| {
                e.into_inner()
                    .and_then(|e| e.downcast::<rustls::Error>().ok())
                    .map(|e| *e)
                    .unwrap_or(rustls::Error::HandshakeNotComplete)
            })?;
        }
        let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
        tls.write_all(create("t").as_bytes()).unwrap();
        let mut got = [0u8; 64];
        let n = tls.read(&mut got).unwrap();
        Ok(String::from_utf8_lossy(&got[..n]).into_owned())
    };
    assert!(handshake("ok").unwrap().starts_with("HTTP/1.1 201 "));
    assert_eq!(s.counts("ok", Scheme::Https).requests, 1);
    for name in BAD_TLS {
        let e = handshake(name).unwrap_err();
        assert!(
            !matches!(e, rustls::Error::HandshakeNotComplete),
            "{name}: {e}"
        );
        let counts = s.counts(name, Scheme::Https);
        assert_eq!((counts.connections, counts.requests), (1, 0), "{name}");
    }
}

/// The early answer really comes before the body is read, and the
/// connection really ends with a reset.
#[test]
fn early_answer_reset_answers_then_resets() {
    let s = HostileServer::start().unwrap();
    let url = s.url("early_answer_reset", Scheme::Http);
    let mut tcp = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(b"POST /session HTTP/1.1\r\nhost: x\r\ncontent-length: 4194304\r\n\r\n")
        .unwrap();
    let mut got = [0u8; 256];
    let n = tcp.read(&mut got).unwrap();
    assert!(got[..n].starts_with(b"HTTP/1.1 201 "));
    // Writing the body meets the reset.
    let chunk = vec![b'x'; 64 * 1024];
    let failed = (0..64).any(|_| tcp.write_all(&chunk).is_err());
    assert!(failed, "the connection was not reset");
}
