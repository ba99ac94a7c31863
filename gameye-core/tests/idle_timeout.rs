//! A kept connection is reused while it idles less than `idle_timeout`,
//! and closed and replaced once it idled longer, before a load balancer
//! with a longer idle timeout would close it under a request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gameye_core::{Client, ClientConfig, RetryPolicy, DEFAULT_IDLE_TIMEOUT};

/// A keep-alive server answering every request with an empty session
/// list; counts the connections it accepted.
fn keep_alive_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for conn in listener.incoming().take(64) {
            let Ok(conn) = conn else { return };
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                conn.set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut out = conn;
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answer = b"{\"sessions\":[]}";
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        answer.len()
                    );
                    if out.write_all(head.as_bytes()).is_err() || out.write_all(answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, accepted)
}

#[test]
fn an_idle_connection_is_reused_within_the_idle_timeout_and_replaced_after() {
    // Under the idle timeouts of AWS ALB (60 s) and nginx (75 s).
    assert!(DEFAULT_IDLE_TIMEOUT < Duration::from_secs(60));
    let (url, accepted) = keep_alive_server();
    let c = Client::new(
        ClientConfig::new("t")
            .base_url(&url)
            .idle_timeout(Duration::from_millis(300))
            .retry(RetryPolicy::never()),
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for _ in 0..5 {
        c.list_sessions(&Default::default()).unwrap();
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "reused while fresh");
    std::thread::sleep(Duration::from_millis(500));
    c.list_sessions(&Default::default()).unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "replaced after idling");
    // The client's own connections (async calls) follow the same rule.
    rt.block_on(c.list_sessions_async(&Default::default()))
        .unwrap();
    rt.block_on(c.list_sessions_async(&Default::default()))
        .unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
    std::thread::sleep(Duration::from_millis(500));
    rt.block_on(c.list_sessions_async(&Default::default()))
        .unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 4);
    // The config's JSON form sets it too; zero is refused, naming it.
    let config = ClientConfig::from_json(r#"{"token":"t","idle_timeout_ms":1500}"#).unwrap();
    assert_eq!(config.idle_timeout, Duration::from_millis(1500));
    let e = ClientConfig::from_json(r#"{"token":"t","idle_timeout_ms":0}"#).unwrap_err();
    assert_eq!(e.violations()[0].field, "idle_timeout");
}
