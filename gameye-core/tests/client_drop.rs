//! Dropping a client closes every connection it opened, those of blocking
//! calls made on other threads included (each thread keeps its own pool for
//! the blocking fast path). Counted in /proc: client-side TCP connections to
//! the emulator's port. Its own test binary, so no other test's sockets count.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use gameye_core::{Client, ClientConfig};
use gameye_emulator::{Emulator, EmulatorConfig, DEFAULT_TOKEN};

/// Established TCP connections of this process whose remote port is `port`.
fn connections_to(port: u16) -> usize {
    let mut n = 0;
    for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(rem), Some(state)) = (cols.get(2), cols.get(3)) else {
                continue;
            };
            let rem_port = rem
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if rem_port == Some(port) && *state == "01" {
                n += 1;
            }
        }
    }
    n
}

/// An emulator, its port and a client of it; `None` where connections
/// cannot be counted (no /proc).
fn emulator_and_client() -> Option<(Emulator, u16, Client)> {
    if !std::path::Path::new("/proc/self/net/tcp").exists() {
        return None;
    }
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let port = emu.addr().port();
    let client = Client::new(ClientConfig::new(DEFAULT_TOKEN).base_url(emu.base_url())).unwrap();
    Some((emu, port, client))
}

#[test]
fn dropping_the_client_closes_every_threads_connections() {
    let Some((_emu, port, client)) = emulator_and_client() else {
        eprintln!("SKIPPED: no /proc/self/net/tcp on this system");
        return;
    };
    const THREADS: usize = 4;
    let called = Arc::new(Barrier::new(THREADS + 1));
    let release = Arc::new(Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (client, called, release) =
                (client.clone(), Arc::clone(&called), Arc::clone(&release));
            std::thread::spawn(move || {
                client.list_sessions(&Default::default()).unwrap();
                drop(client);
                called.wait();
                // Alive, with this thread's pool, until the client is gone.
                release.wait();
            })
        })
        .collect();
    called.wait();
    let during = connections_to(port);
    assert!(
        during >= THREADS,
        "each thread's call holds a connection: {during}"
    );
    drop(client);
    let after = connections_to(port);
    release.wait();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        after, 0,
        "connections left open after the drop (were {during})"
    );
    // Nothing reopens them later either.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(connections_to(port), 0);
}

#[test]
fn each_thread_keeps_its_own_pool_for_blocking_calls() {
    let Some((_emu, port, client)) = emulator_and_client() else {
        eprintln!("SKIPPED: no /proc/self/net/tcp on this system");
        return;
    };
    // One call after the other, each thread kept alive: one shared pool
    // would reuse a single connection; the fast path keeps one per thread.
    const THREADS: usize = 3;
    let mut parked = Vec::new();
    for n in 1..=THREADS {
        let (called_tx, called_rx) = std::sync::mpsc::channel();
        let (again_tx, again_rx) = std::sync::mpsc::channel::<()>();
        let c = client.clone();
        let thread = std::thread::spawn(move || {
            c.list_sessions(&Default::default()).unwrap();
            called_tx.send(()).unwrap();
            // A second call on this thread reuses its own connection.
            if again_rx.recv().is_ok() {
                c.list_sessions(&Default::default()).unwrap();
            }
        });
        called_rx.recv().unwrap();
        assert_eq!(connections_to(port), n, "after the call of thread {n}");
        parked.push((thread, again_tx));
    }
    for (thread, again) in parked {
        again.send(()).unwrap();
        thread.join().unwrap();
    }
    drop(client);
    assert_eq!(connections_to(port), 0);
}
