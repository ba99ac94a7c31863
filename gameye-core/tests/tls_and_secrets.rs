//! Transport security: certificate verification is always on for https, a
//! custom CA bundle extends the trusted roots, plain http to a remote host is
//! refused; and the token never appears in any Debug or Display output.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use gameye_core::{
    ApiToken, Client, ClientConfig, Error, ErrorKind, RetryPolicy, SessionRun, StopOptions,
};

/// A one-connection HTTPS server on loopback with a fresh self-signed
/// certificate for `localhost`; returns its port and the CA's PEM.
fn tls_server() -> (u16, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let pem = cert.pem();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        // Serve a few connections (a failed handshake uses one), then stop.
        for _ in 0..4 {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut buf = [0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            if got.is_empty() {
                continue;
            }
            let body = br#"{"id":"tls","host":"127.0.0.1","ports":[]}"#;
            let head = format!(
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = tls.write_all(head.as_bytes());
            let _ = tls.write_all(body);
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (port, pem)
}

#[test]
fn certificates_are_verified_and_a_ca_bundle_extends_the_roots() {
    let (port, pem) = tls_server();
    let url = format!("https://localhost:{port}");
    let strict = Client::new(
        ClientConfig::new("t")
            .base_url(&url)
            .retry(RetryPolicy::never()),
    )
    .unwrap();
    let e = strict
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "self-signed is refused: {e}");

    let dir = std::env::temp_dir().join(format!("gameye-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("ca.pem");
    std::fs::write(&bundle, pem).unwrap();
    let trusting = Client::new(
        ClientConfig::new("t")
            .base_url(&url)
            .ca_bundle(&bundle)
            .retry(RetryPolicy::never()),
    )
    .unwrap();
    let s = trusting
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert_eq!(s.id, "tls");

    std::fs::write(&bundle, "not a certificate").unwrap();
    let e = Client::new(ClientConfig::new("t").ca_bundle(&bundle)).unwrap_err();
    assert_eq!(e.violations()[0].field, "ca_bundle_path");
    let e = Client::new(ClientConfig::new("t").ca_bundle(dir.join("missing.pem"))).unwrap_err();
    assert_eq!(e.violations()[0].field, "ca_bundle_path");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let e = Client::new(ClientConfig::new("t").base_url("http://api.example.com")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(Client::new(
        ClientConfig::new("t")
            .base_url("http://api.example.com")
            .allow_insecure_http(true)
    )
    .is_ok());
}

const TOKEN: &str = "tok-SECRET-7f3a9c";

fn assert_hidden(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
    assert!(
        !text.contains("SECRET"),
        "{what} shows part of the token: {text}"
    );
}

#[test]
fn the_token_never_appears_in_debug_or_display() {
    let config = ClientConfig::new(TOKEN).base_url("http://127.0.0.1:1");
    assert_hidden("ClientConfig Debug", &format!("{config:?}"));
    let token = ApiToken::new(TOKEN);
    assert_hidden("ApiToken Debug", &format!("{token:?}"));
    assert_hidden("ApiToken Display", &format!("{token}"));
    let client = Client::new(config.clone().retry(RetryPolicy::never())).unwrap();
    assert_hidden("Client Debug", &format!("{client:?}"));

    let mut errors: Vec<Error> = vec![
        client
            .create_session(SessionRun::new("europe", "nginx"))
            .unwrap_err(),
        client.get_session("x").unwrap_err(),
        client
            .stop_session("x", StopOptions::default())
            .unwrap_err(),
        client.logs("x").unwrap_err(),
        ClientConfig::from_json(&format!(r#"{{"token":"{TOKEN} with space"}}"#)).unwrap_err(),
        ClientConfig::from_json(&format!(r#"{{"token":"{TOKEN}","nope":1}}"#)).unwrap_err(),
        Client::new(ClientConfig::new(TOKEN).base_url("http://remote.example")).unwrap_err(),
    ];
    errors.push(Client::new(ClientConfig::new(format!("{TOKEN}\n"))).unwrap_err());
    for e in &errors {
        assert_hidden("Error Display", &e.to_string());
        assert_hidden("Error Debug", &format!("{e:?}"));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            assert_hidden("error source", &format!("{s} {s:?}"));
            source = s.source();
        }
    }
}
