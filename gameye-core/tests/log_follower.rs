//! `LogFollower` over real HTTP against the emulator: the semantics the C
//! ABI and the Python binding share (close wakes a blocked read, a dropped
//! read closes the stream, one read at a time, errors once then the end, and
//! the opening request's status and attempts).

use std::time::{Duration, Instant};

use gameye_core::{
    Client, ClientConfig, ErrorKind, LogFollower, NextLine, ReadStart, RetryPolicy, SessionRun,
};
use gameye_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule, DEFAULT_TOKEN};

fn client(emu: &Emulator) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .request_timeout(Duration::from_secs(10))
            .retry(RetryPolicy {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(20),
                ..RetryPolicy::default()
            }),
    )
    .unwrap()
}

/// A session whose (synthetic) log has two lines.
fn session(c: &Client) -> String {
    c.create_session(SessionRun::new("europe", "nginx"))
        .unwrap()
        .into_inner()
        .id
}

/// An emulator whose `GET /logs` answers fire `action` (`times` times, or
/// always), a client of it, and a session.
fn with_logs_fault(action: FaultAction, times: Option<u32>) -> (Emulator, Client, String) {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu);
    let id = session(&c);
    emu.add_fault(FaultRule {
        method: Some("GET".into()),
        path: Some("/logs".into()),
        times,
        ..FaultRule::always(action)
    });
    (emu, c, id)
}

fn line(outcome: NextLine) -> String {
    match outcome {
        NextLine::Line(line) => line,
        other => panic!("expected a line, got {other:?}"),
    }
}

fn cancelled(outcome: &NextLine) -> bool {
    matches!(outcome, NextLine::Failed(e) if e.kind() == ErrorKind::Cancelled)
}

#[test]
fn close_from_another_thread_wakes_a_blocked_read() {
    // The head arrives, the first line never does.
    let drip = FaultAction::SlowDrip {
        status: None,
        chunk_bytes: Some(1),
        interval_ms: Some(60_000),
        bytes_per_second: None,
    };
    let (_emu, c, id) = with_logs_fault(drip, None);
    let follower = LogFollower::new(c.clone(), c.follow_logs(&id).unwrap());
    let closer = {
        let follower = follower.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            follower.close();
            Instant::now()
        })
    };
    let outcome = follower.blocking_next_line();
    let woke = Instant::now();
    let closed_at = closer.join().unwrap();
    assert!(cancelled(&outcome), "the blocked read: {outcome:?}");
    let delay = woke.saturating_duration_since(closed_at);
    assert!(
        delay <= Duration::from_millis(100),
        "woke {delay:?} after close"
    );
    assert!(follower.is_closed());
    assert!(matches!(follower.blocking_next_line(), NextLine::Closed));
}

#[test]
fn an_unopened_follower_reports_the_request_that_opened_it() {
    let status_503 = FaultAction::Status {
        status: 503,
        retry_after: None,
    };
    let (_emu, c, id) = with_logs_fault(status_503, Some(1));
    let follower = LogFollower::unopened(c.clone(), id);
    assert_eq!((follower.http_status(), follower.attempts()), (None, None));
    assert!(line(follower.blocking_next_line()).starts_with("[gameye-emulator]"));
    assert_eq!(
        (follower.http_status(), follower.attempts()),
        (Some(200), Some(2)),
        "the first attempt was answered 503"
    );
    assert!(line(follower.blocking_next_line()).starts_with("[gameye-emulator]"));
    // The session still runs, but the synthetic log ends after what exists.
    assert!(matches!(follower.blocking_next_line(), NextLine::End));
    assert!(matches!(follower.blocking_next_line(), NextLine::End));
    assert!(!follower.is_closed());
}

#[test]
fn an_open_error_is_given_once_then_the_end() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu);
    let follower = LogFollower::unopened(c.clone(), "no-such-session");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match rt.block_on(follower.open()) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound),
        Ok(()) => panic!("opened an unknown session's log"),
    }
    assert!(matches!(rt.block_on(follower.next_line()), NextLine::End));
    assert_eq!(follower.http_status(), None);
}

#[test]
fn one_read_at_a_time_and_a_dropped_read_closes_the_stream() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu);
    let id = session(&c);
    let follower = LogFollower::unopened(c.clone(), id);
    let ReadStart::Pending(read) = follower.begin_read() else {
        panic!("the first read holds the stream");
    };
    assert!(matches!(
        follower.begin_read(),
        ReadStart::Done(NextLine::Busy)
    ));
    // A cancelled async read: the line it was reading is lost, so the
    // stream cannot go on.
    drop(read);
    assert!(follower.is_closed());
    assert!(matches!(follower.blocking_next_line(), NextLine::Closed));
}
