//! Proxies are used only when configured: `HTTP_PROXY` and friends in the
//! environment are ignored unless `proxy_from_env` is set, and a proxy URL
//! obeys the clear-text rule of `base_url`. One test function, because it
//! changes the process environment.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gameye_core::{Client, ClientConfig, ErrorKind, RetryPolicy};
use gameye_emulator::{Emulator, EmulatorConfig, DEFAULT_TOKEN};

/// A fake proxy on loopback: counts connections and answers 502 to each.
fn fake_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let contacted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&contacted);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            count.fetch_add(1, Ordering::SeqCst);
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (url, contacted)
}

fn once() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    }
}

#[test]
fn proxies_are_explicit_and_never_carry_the_token_in_clear() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let (proxy, contacted) = fake_proxy();
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(var, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let config = ClientConfig::new(DEFAULT_TOKEN)
        .base_url(emu.base_url())
        .retry(once());

    // The environment's proxy is ignored by default.
    let c = Client::new(config.clone()).unwrap();
    c.list_sessions(&Default::default()).unwrap();
    assert_eq!(contacted.load(Ordering::SeqCst), 0, "HTTP_PROXY was used");

    // An explicit proxy is used.
    let c = Client::new(config.clone().proxy(&proxy)).unwrap();
    let e = c.list_sessions(&Default::default()).unwrap_err();
    assert_eq!(e.http_status(), Some(502), "{e}");
    assert_eq!(contacted.swap(0, Ordering::SeqCst), 1);
    let c = Client::new(
        ClientConfig::from_json(&format!(
            r#"{{"token":"t","base_url":"{}","proxy":"{proxy}","retry":{{"max_attempts":1}}}}"#,
            emu.base_url()
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        c.list_sessions(&Default::default())
            .unwrap_err()
            .http_status(),
        Some(502)
    );
    assert_eq!(contacted.swap(0, Ordering::SeqCst), 1);

    // The environment's proxy, when asked for.
    let c = Client::new(config.clone().proxy_from_env(true)).unwrap();
    assert_eq!(
        c.list_sessions(&Default::default())
            .unwrap_err()
            .http_status(),
        Some(502)
    );
    assert_eq!(contacted.swap(0, Ordering::SeqCst), 1);

    // Plain http to a proxy that is not loopback would carry the token in clear.
    for bad in ["http://10.1.2.3:3128", "http://proxy.example.com"] {
        let e = Client::new(config.clone().proxy(bad)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad}");
        assert_eq!(e.violations()[0].field, "proxy", "{bad}");
        Client::new(config.clone().proxy(bad).allow_insecure_http(true)).unwrap();
        std::env::set_var("HTTP_PROXY", bad);
        let e = Client::new(config.clone().proxy_from_env(true)).unwrap_err();
        assert_eq!(e.violations()[0].field, "proxy_from_env", "{bad}: {e}");
        std::env::set_var("HTTP_PROXY", &proxy);
    }
    Client::new(config.clone().proxy("https://proxy.example.com:3128")).unwrap();
    for bad in [
        "ftp://proxy.example.com",
        "not a url",
        "http://user:hunter2@bad host:1",
    ] {
        let e = Client::new(config.clone().proxy(bad)).unwrap_err();
        assert_eq!(e.violations()[0].field, "proxy", "{bad}");
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e}");
    }
    // Proxy credentials are allowed, and never shown.
    let with_auth = config.clone().proxy("http://user:hunter2@127.0.0.1:9");
    assert!(!format!("{with_auth:?}").contains("hunter2"));
    Client::new(with_auth).unwrap();
    assert_eq!(contacted.load(Ordering::SeqCst), 0);
}
