//! TLS session resumption (issue 18, item 3): when the server has closed an
//! idle kept-alive connection, the next call connects again and resumes the
//! earlier TLS session instead of a full handshake, on TLS 1.3 (tickets) and
//! TLS 1.2 (session ids), for blocking and async calls alike (one rustls
//! session cache per client). The server counts what rustls did on its side;
//! the client's debug log must say the same. (Own test binary: the log sink is
//! process-wide.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gameye_core::{set_logger, Client, ClientConfig, LogLevel, RetryPolicy, SessionRun};
use rustls::HandshakeKind;

/// Calls per variant: the first connects with a full handshake, each later
/// one after the server closed the connection.
const CALLS: usize = 4;

/// A TLS server on loopback with a fresh self-signed certificate for
/// `localhost`, speaking only `version`. Each connection gets one 201 answer
/// that does not announce a close (so the client keeps the connection), then
/// the server closes it; the handshake kind of each connection is sent on
/// the returned channel once that connection is closed. Returns the port,
/// the certificate's PEM and the channel.
fn closing_server(
    version: &'static rustls::SupportedProtocolVersion,
) -> (u16, String, mpsc::Receiver<Option<HandshakeKind>>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let pem = cert.pem();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // rustls's defaults: a stateful session cache of 256, and two TLS 1.3
    // tickets per handshake naming its entries.
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
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
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Bounded: one connection per expected call, and a few spare for a
        // client that reconnects more often than expected (the test then
        // fails on the counts, not on a hang).
        for _ in 0..CALLS * 2 {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            if read_request(&mut tls) {
                let body = br#"{"id":"resumed","host":"127.0.0.1","ports":[]}"#;
                let head = format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(body);
                let _ = tls.flush();
            }
            let kind = tls.conn.handshake_kind();
            // The server closes the idle connection: close_notify, then FIN.
            tls.conn.send_close_notify();
            let _ = tls.flush();
            let _ = tls.sock.shutdown(std::net::Shutdown::Both);
            drop(tls);
            if tx.send(kind).is_err() {
                return;
            }
        }
    });
    (port, pem, rx)
}

/// Reads one request head and its `content-length` body; false when the
/// connection ended first.
fn read_request(tls: &mut impl Read) -> bool {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while got.len() < head_end + length {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// Makes CALLS creates on one client against a fresh closing server speaking
/// `version` (the last one async), each after the server closed the previous
/// connection; returns the server's handshake kinds and the port.
fn run_variant(
    version: &'static rustls::SupportedProtocolVersion,
    dir: &std::path::Path,
) -> (Vec<Option<HandshakeKind>>, u16) {
    let (port, pem, closed) = closing_server(version);
    let bundle = dir.join(format!("ca-{port}.pem"));
    std::fs::write(&bundle, pem).unwrap();
    let client = Client::new(
        ClientConfig::new("t")
            .base_url(format!("https://localhost:{port}"))
            .ca_bundle(&bundle)
            // A stale connection may still be re-sent once (uncounted); no
            // other retry may hide a failed call.
            .retry(RetryPolicy::never()),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut kinds = Vec::new();
    for call in 0..CALLS {
        let session = if call + 1 < CALLS {
            client.create_session(SessionRun::new("europe", "nginx"))
        } else {
            // The async path runs on the client's I/O threads, with their own
            // connections: it resumes from the same cache.
            rt.block_on(client.create_session_async(SessionRun::new("europe", "nginx")))
        }
        .unwrap_or_else(|e| panic!("call {call} over {version:?}: {e}"));
        assert_eq!(session.id, "resumed");
        // Wait until the server has closed this call's connection, so the
        // next call finds its kept connection closed.
        kinds.push(closed.recv_timeout(Duration::from_secs(10)).unwrap());
    }
    drop(client);
    // No extra connection was made (one per call).
    assert!(
        closed.recv_timeout(Duration::from_millis(100)).is_err(),
        "more connections than calls over {version:?}"
    );
    (kinds, port)
}

#[test]
fn a_reconnect_resumes_the_tls_session_and_the_log_says_so() {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&lines);
    set_logger(
        LogLevel::Debug,
        Some(Arc::new(move |_, m: &str| {
            sink.lock().unwrap().push(m.to_owned())
        })),
    );
    let dir = std::env::temp_dir().join(format!("gameye-resumption-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let (kinds, port) = run_variant(version, &dir);
        let mut expected = vec![Some(HandshakeKind::Full)];
        expected.resize(CALLS, Some(HandshakeKind::Resumed));
        assert_eq!(kinds, expected, "server-side handshakes over {version:?}");

        let got = lines.lock().unwrap().clone();
        let count = |what: &str| {
            let needle = format!("tls: {what} handshake with localhost:{port}");
            got.iter().filter(|m| m.contains(&needle)).count()
        };
        assert_eq!(count("full"), 1, "{version:?}: {got:#?}");
        assert_eq!(count("resumed"), CALLS - 1, "{version:?}: {got:#?}");
    }

    set_logger(LogLevel::Debug, None);
    std::fs::remove_dir_all(&dir).unwrap();
}
