//! `Client::close` over real HTTP against the emulator: calls in flight end
//! with `Cancelled`, later calls fail with it at once, clones share it, and
//! the client's I/O threads stop.

use std::time::{Duration, Instant};

use gameye_core::{Client, ClientConfig, ErrorKind, ListFilter, RetryPolicy, SessionRun};
use gameye_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule, DEFAULT_TOKEN};

/// The tests of this file run one at a time: one counts the process's I/O
/// threads, which the other's client would change.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn client(emu: &Emulator) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .request_timeout(Duration::from_secs(30))
            .retry(RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            }),
    )
    .unwrap()
}

/// How many threads of this process are named `gameye-io`; `None` without /proc.
fn io_threads() -> Option<usize> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    Some(
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|name| name.trim() == "gameye-io")
            .count(),
    )
}

#[test]
fn close_ends_calls_in_flight_and_refuses_new_ones() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.add_fault(FaultRule {
        method: Some("GET".into()),
        path: Some("/logs".into()),
        ..FaultRule::always(FaultAction::Stall)
    });
    let client = client(&emu);
    // Streamed calls (logs) wait on the client's I/O threads: both the
    // blocking and the async form end when the client is closed.
    let blocking = {
        let c = client.clone();
        std::thread::spawn(move || c.logs("stalled").map(|_| ()))
    };
    let asynchronous = {
        let c = client.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async { c.logs_async("stalled").await.map(|_| ()) })
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    client.close();
    for call in [blocking, asynchronous] {
        let err = call.join().unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(client.is_closed());
    // Later calls, blocking or async, fail at once; so do clones.
    let err = client
        .clone()
        .list_sessions(&ListFilter::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(err.to_string().contains("closed"), "{err}");
    let err = client
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(client.get_session_async("x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    client.close(); // idempotent
}

#[test]
fn close_stops_the_io_threads() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(before) = io_threads() else {
        eprintln!("SKIPPED: no /proc/self/task to count threads");
        return;
    };
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let client = client(&emu);
    client.list_sessions(&ListFilter::default()).unwrap();
    assert!(io_threads().unwrap() > before);
    client.close();
    // Joined by close(); polled (bounded) all the same.
    let deadline = Instant::now() + Duration::from_secs(5);
    while io_threads().unwrap() > before {
        assert!(Instant::now() < deadline, "the I/O threads did not stop");
        std::thread::sleep(Duration::from_millis(10));
    }
}
