//! https through a proxy, on the client's one connection layer: a CONNECT
//! tunnel through a plain (loopback) proxy and through an https proxy (TLS
//! inside TLS), with the proxy's credentials as `Proxy-Authorization` on the
//! CONNECT only; the token never crosses the proxy in clear; a refused
//! tunnel is a connect error naming the proxy's answer; `NO_PROXY` keeps
//! the origin direct. One test function changes the environment.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gameye_core::{Client, ClientConfig, ErrorKind, RetryPolicy, SessionRun};
use gameye_emulator::tls::TestCa;
use gameye_emulator::{Emulator, EmulatorConfig, DEFAULT_TOKEN};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What a proxy saw: each CONNECT head, and every byte it relayed.
#[derive(Default)]
struct Seen {
    heads: Vec<String>,
    relayed: Vec<u8>,
}

/// A CONNECT proxy on loopback, over TLS when `tls` is given. `refuse`
/// answers 407 instead of opening the tunnel. Runs on its own thread.
fn proxy(tls: Option<&TestCa>, refuse: bool) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let acceptor = tls.map(|ca| {
        use rustls::pki_types::pem::PemObject;
        let certs = rustls::pki_types::CertificateDer::pem_slice_iter(ca.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(ca.key_pem.as_bytes()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!(
        "{scheme}://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            // Bounded: the test process ends it anyway.
            for _ in 0..64 {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let log = Arc::clone(&log);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor {
                        Some(a) => {
                            if let Ok(tls) = a.accept(tcp).await {
                                serve(tls, log, refuse).await;
                            }
                        }
                        None => serve(tcp, log, refuse).await,
                    }
                });
            }
        });
    });
    (url, seen)
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, log: Arc<Mutex<Seen>>, refuse: bool) {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match s.read_u8().await {
            Ok(b) => head.push(b),
            Err(_) => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    log.lock().unwrap().heads.push(text.clone());
    if refuse {
        let _ = s
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    }
    let target = text
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let Ok(mut up) = tokio::net::TcpStream::connect(target).await else {
        return;
    };
    let _ = s
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await;
    // Relay both ways, keeping what went up (it must be TLS, never clear).
    let (mut down_r, mut down_w) = tokio::io::split(s);
    let (mut up_r, mut up_w) = up.split();
    let upward = async {
        let mut buf = [0u8; 16384];
        loop {
            match down_r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    log.lock().unwrap().relayed.extend_from_slice(&buf[..n]);
                    if up_w.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = up_w.shutdown().await;
    };
    let downward = async {
        let _ = tokio::io::copy(&mut up_r, &mut down_w).await;
        let _ = down_w.shutdown().await;
    };
    tokio::join!(upward, downward);
}

fn tls_emulator() -> (Emulator, TestCa, tempdir::Dir) {
    let ca = TestCa::generate().unwrap();
    let emu = Emulator::start(EmulatorConfig {
        tls: Some(ca.tls_config()),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let dir = tempdir::Dir::new();
    std::fs::write(dir.path().join("ca.pem"), &ca.ca_pem).unwrap();
    (emu, ca, dir)
}

mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!(
                "gameye-proxy-tunnel-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4()
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn config(emu: &Emulator, dir: &tempdir::Dir) -> ClientConfig {
    ClientConfig::new(DEFAULT_TOKEN)
        .base_url(emu.base_url())
        .ca_bundle(dir.path().join("ca.pem"))
        .request_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::never())
}

fn with_credentials(proxy: &str) -> String {
    proxy.replacen("://", "://gamer:s%40lt@", 1)
}

#[test]
fn https_goes_through_a_connect_tunnel_of_a_plain_or_an_https_proxy() {
    let (emu, ca, dir) = tls_emulator();
    // The https proxy presents the same loopback certificate, from the CA
    // the client was given.
    for proxy_tls in [None, Some(&ca)] {
        let (proxy, seen) = proxy(proxy_tls, false);
        let c = Client::new(config(&emu, &dir).proxy(with_credentials(&proxy))).unwrap();
        // Blocking (the fast path), then async (the client's runtime), then
        // blocking again on the kept tunnel.
        let s = c
            .create_session(SessionRun::new("europe", "nginx"))
            .unwrap_or_else(|e| panic!("via {proxy}: {e}"));
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(c.get_session_async(&s.id)).unwrap();
        c.stop_session(&s.id, Default::default()).unwrap();
        let seen = seen.lock().unwrap();
        assert!(!seen.heads.is_empty());
        let authority = emu.base_url().trim_start_matches("https://").to_owned();
        for head in &seen.heads {
            assert!(
                head.starts_with(&format!("CONNECT {authority} HTTP/1.1\r\n")),
                "{head}"
            );
            // "gamer:s@lt", base64.
            assert!(
                head.contains("Proxy-Authorization: Basic Z2FtZXI6c0BsdA==\r\n"),
                "{head}"
            );
            assert!(!head.contains(DEFAULT_TOKEN), "{head}");
        }
        let relayed = String::from_utf8_lossy(&seen.relayed);
        assert!(
            !relayed.contains(DEFAULT_TOKEN),
            "the token crossed the proxy in clear"
        );
        assert!(
            !relayed.contains("POST /session"),
            "a request crossed the proxy in clear"
        );
    }
}

#[test]
fn a_refused_tunnel_is_a_connect_error_naming_the_proxy_answer() {
    let (emu, _ca, dir) = tls_emulator();
    let (proxy, seen) = proxy(None, true);
    let c = Client::new(config(&emu, &dir).proxy(&proxy)).unwrap();
    let e = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert!(e.to_string().contains("407"), "{e}");
    assert!(!e.to_string().contains(DEFAULT_TOKEN), "{e}");
    assert_eq!(seen.lock().unwrap().heads.len(), 1);
}

#[test]
fn environment_proxies_and_no_proxy() {
    let (emu, _ca, dir) = tls_emulator();
    let (proxy, seen) = proxy(None, false);
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "https_proxy",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("HTTPS_PROXY", &proxy);
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let c = Client::new(config(&emu, &dir).proxy_from_env(true)).unwrap();
    c.list_sessions(&Default::default()).unwrap();
    assert_eq!(seen.lock().unwrap().heads.len(), 1, "HTTPS_PROXY is used");
    // Checked once: a config checked while HTTPS_PROXY was good keeps the
    // proxy it chose, whatever the variable says by the time the client is
    // made (`Client::new` takes a checked config without checking again).
    let json = format!(
        r#"{{"token":"{DEFAULT_TOKEN}","base_url":"{}","ca_bundle_path":"{}","proxy_from_env":true,"retry":{{"max_attempts":1}}}}"#,
        emu.base_url(),
        dir.path().join("ca.pem").display()
    );
    let valid = gameye_core::ValidClientConfig::from_json(&json).unwrap();
    std::env::set_var("HTTPS_PROXY", "http://proxy.example.com:3128");
    let e = gameye_core::ValidClientConfig::from_json(&json).unwrap_err();
    assert_eq!(e.violations()[0].field, "proxy_from_env", "{e}");
    Client::new(valid)
        .unwrap()
        .list_sessions(&Default::default())
        .unwrap();
    assert_eq!(
        seen.lock().unwrap().heads.len(),
        2,
        "the proxy chosen at the check"
    );
    std::env::set_var("HTTPS_PROXY", &proxy);
    // HTTP_PROXY is for plain http origins: an https one ignores it.
    std::env::remove_var("HTTPS_PROXY");
    std::env::set_var("HTTP_PROXY", "http://127.0.0.1:9");
    let c = Client::new(config(&emu, &dir).proxy_from_env(true)).unwrap();
    c.list_sessions(&Default::default()).unwrap();
    std::env::remove_var("HTTP_PROXY");
    std::env::set_var("HTTPS_PROXY", &proxy);
    // Not asked for: ignored.
    let c = Client::new(config(&emu, &dir)).unwrap();
    c.list_sessions(&Default::default()).unwrap();
    assert_eq!(seen.lock().unwrap().heads.len(), 2);
    // NO_PROXY names the origin: direct.
    for no_proxy in ["127.0.0.1", "127.0.0.0/8", "*", "example.com, 127.0.0.1"] {
        std::env::set_var("NO_PROXY", no_proxy);
        let c = Client::new(config(&emu, &dir).proxy_from_env(true)).unwrap();
        c.list_sessions(&Default::default()).unwrap();
        assert_eq!(seen.lock().unwrap().heads.len(), 2, "NO_PROXY={no_proxy}");
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("HTTPS_PROXY");
}
