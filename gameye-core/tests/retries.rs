//! The retry policy over real HTTP against the emulator's faults: what is
//! retried, how many times, within which deadline, and that a create never
//! starts two sessions.

use std::time::{Duration, Instant};

use gameye_core::{Client, ClientConfig, ErrorKind, RetryPolicy, SessionRun};
use gameye_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule, DEFAULT_TOKEN};

fn policy(max_attempts: u32, deadline_ms: u64) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        deadline: Duration::from_millis(deadline_ms),
    }
}

fn client(emu: &Emulator, retry: RetryPolicy) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emu.base_url())
            .request_timeout(Duration::from_millis(500))
            .retry(retry),
    )
    .unwrap()
}

/// A new client, whose first request goes out on a new connection: a lost
/// answer there is a failed attempt, retried under the policy. (On a kept
/// connection it is re-sent at once, uncounted: see
/// `a_lost_answer_on_a_kept_connection_is_resent_at_once_uncounted`.)
fn fresh(emu: &Emulator) -> Client {
    client(emu, policy(4, 10_000))
}

fn create_burst(times: u32, action: FaultAction) -> FaultRule {
    FaultRule {
        method: Some("POST".into()),
        path: Some("/session".into()),
        times: Some(times),
        ..FaultRule::always(action)
    }
}

fn status(status: u16, retry_after: Option<u64>) -> FaultAction {
    FaultAction::Status {
        status,
        retry_after,
    }
}

#[test]
fn a_5xx_burst_is_retried_to_success() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.add_fault(create_burst(2, status(503, None)));
    let s = client(&emu, policy(4, 10_000))
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert_eq!(s.attempts, 3);
    assert_eq!(s.http_status, 201);
    assert_eq!(emu.session_count(), 1);
}

#[test]
fn retry_after_is_honoured_within_the_deadline() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.add_fault(create_burst(1, status(420, Some(1))));
    let started = Instant::now();
    let s = client(&emu, policy(4, 10_000))
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(s.attempts, 2);

    // A Retry-After past the deadline ends the call at once with the 420.
    emu.add_fault(create_burst(1, status(420, Some(120))));
    let started = Instant::now();
    let e = client(&emu, policy(4, 5_000))
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoCapacity);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(e.attempts(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn other_4xx_are_never_retried() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu, policy(5, 10_000));
    for (loc, img, kind) in [
        ("atlantis", "nginx", ErrorKind::NotFound),
        ("europe", "nope", ErrorKind::NotFound),
    ] {
        let e = c.create_session(SessionRun::new(loc, img)).unwrap_err();
        assert_eq!((e.kind(), e.attempts()), (kind, 1));
    }
    emu.add_fault(create_burst(5, status(429, None)));
    let e = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::ClientError, 1));
    let e = c.create_session(SessionRun::new("", "nginx")).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::InvalidRequest, 0));
}

#[test]
fn attempts_and_deadline_bound_every_call() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.add_fault(FaultRule::always(status(503, None)));
    let e = client(&emu, policy(3, 10_000))
        .get_session("x")
        .unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::ServerError, 3));

    emu.clear_faults();
    emu.add_fault(FaultRule::always(FaultAction::Stall));
    let started = Instant::now();
    let e = client(&emu, policy(100, 1_200))
        .list_sessions(&Default::default())
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.attempts() >= 2, "timeouts before a response are retried");
    assert!(took < Duration::from_secs(3), "deadline holds: {took:?}");
}

#[test]
fn connect_errors_are_retried() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = Client::new(
        ClientConfig::new("t")
            .base_url(format!("http://127.0.0.1:{port}"))
            .retry(policy(3, 10_000)),
    )
    .unwrap();
    let e = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Connect, 3));
}

#[test]
fn the_default_policy_is_documented() {
    let p = RetryPolicy::default();
    assert_eq!(p.max_attempts, gameye_core::DEFAULT_MAX_ATTEMPTS);
    assert_eq!(p.deadline, gameye_core::DEFAULT_DEADLINE);
    let c =
        ClientConfig::from_json(r#"{"token":"t","retry":{"max_attempts":2,"deadline_ms":900}}"#)
            .unwrap();
    assert_eq!(c.retry.max_attempts, 2);
    assert_eq!(c.retry.deadline, Duration::from_millis(900));
    assert_eq!(
        c.retry.initial_backoff,
        gameye_core::DEFAULT_INITIAL_BACKOFF
    );
    let e = ClientConfig::from_json(r#"{"token":"t","retry":{"max_attempts":0}}"#).unwrap_err();
    assert_eq!(e.violations()[0].field, "retry.max_attempts");
}

#[test]
fn a_lost_create_response_never_starts_a_second_session() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.add_fault(create_burst(1, FaultAction::LostResponse { reset: false }));
    let c = client(&emu, policy(4, 10_000));
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert_eq!(emu.session_count(), 1, "exactly one session");
    assert_eq!(
        s.attempts, 2,
        "lost, then 409 for its own id (the describe is no attempt)"
    );
    let listed = c.list_sessions(&Default::default()).unwrap();
    assert_eq!(listed[0].id, s.id);
    assert_eq!(
        listed[0].port.values().next(),
        s.ports.first().map(|p| &p.host)
    );

    // The same with the caller's own id.
    emu.add_fault(create_burst(1, FaultAction::LostResponse { reset: true }));
    let mut run = SessionRun::new("europe", "my-game");
    run.id = Some("mine".into());
    let s = c.create_session(run.clone()).unwrap();
    assert_eq!(s.id, "mine");
    assert_eq!(s.ports.len(), 2);
    assert_eq!(emu.session_count(), 2);

    // A plain 409 on the first attempt is someone else's id: still a conflict.
    let e = c.create_session(run).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Conflict, 1));
}

/// An nginx session on `c`, and the next `times` stops of `emu` losing
/// their answers after the server acted.
fn session_whose_stop_answers_are_lost(
    emu: &Emulator,
    c: &Client,
    times: u32,
) -> gameye_core::Response<gameye_core::Session> {
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    emu.add_fault(FaultRule {
        method: Some("DELETE".into()),
        times: Some(times),
        ..FaultRule::always(FaultAction::LostResponse { reset: false })
    });
    s
}

#[test]
fn a_lost_stop_response_is_still_a_stop() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu, policy(4, 10_000));
    let s = session_whose_stop_answers_are_lost(&emu, &c, 1);
    let stopped = fresh(&emu)
        .stop_session(&s.id, gameye_core::StopOptions::default())
        .unwrap();
    assert_eq!(stopped.value, gameye_core::StopOutcome::Stopped);
    assert_eq!(stopped.attempts, 2);
}

#[test]
fn a_dropped_connection_before_handling_is_retried() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    emu.add_fault(create_burst(
        2,
        FaultAction::DropConnection { reset: false },
    ));
    let s = client(&emu, policy(4, 10_000))
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    assert_eq!((s.attempts, s.http_status), (3, 201));
    assert_eq!(emu.session_count(), 1);
}

/// `times: 1` rules on one method and path, fired in order.
fn rules(method: &str, path: &str, actions: Vec<FaultAction>) -> Vec<FaultRule> {
    actions
        .into_iter()
        .map(|action| FaultRule {
            method: Some(method.into()),
            path: Some(path.into()),
            times: Some(1),
            ..FaultRule::always(action)
        })
        .collect()
}

#[test]
fn a_stop_answered_404_after_a_lost_response_is_a_stop() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu, policy(4, 10_000));
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    // The stop acts but its answer is lost; the replay meets 404 (the
    // session already gone).
    for rule in rules(
        "DELETE",
        "/session/*",
        vec![FaultAction::LostResponse { reset: true }, status(404, None)],
    ) {
        emu.add_fault(rule);
    }
    let stopped = fresh(&emu)
        .stop_session(&s.id, gameye_core::StopOptions::default())
        .unwrap();
    assert_eq!(stopped.value, gameye_core::StopOutcome::Stopped);
    assert_eq!(stopped.attempts, 2);
    // Without an ambiguous attempt, 404 stays an error.
    let e = c
        .stop_session("no-such", gameye_core::StopOptions::default())
        .unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::NotFound, 1));
}

#[test]
fn a_leave_answered_404_after_a_lost_response_is_a_leave() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu, policy(4, 10_000));
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    let players = vec!["p1".to_string(), "p2".to_string()];
    c.join_players(&s.id, &players).unwrap();
    emu.add_fault(FaultRule {
        method: Some("DELETE".into()),
        path: Some("/session/player/leave".into()),
        times: Some(1),
        ..FaultRule::always(FaultAction::LostResponse { reset: false })
    });
    let left = fresh(&emu).leave_players(&players).unwrap();
    assert_eq!(left.attempts, 2);
    assert_eq!(left.players, players);
    assert_eq!(left.count, -1, "the count is unknown after a lost answer");
    let d = c.get_session(&s.id).unwrap();
    assert!(d.players.joined.is_empty(), "they left");
    // A plain 404 (nobody of these in a session) stays an error.
    let e = c.leave_players(&players).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::NotFound, 1));
}

#[test]
fn a_join_answered_409_after_a_lost_response_is_a_join() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let c = client(&emu, policy(4, 10_000));
    let s = c
        .create_session(SessionRun::new("europe", "nginx"))
        .unwrap();
    let players = vec!["p1".to_string()];
    // The join acts, its answer is lost, the replay meets "already joined".
    for rule in rules(
        "PUT",
        "/session/player/join",
        vec![FaultAction::LostResponse { reset: true }, status(409, None)],
    ) {
        emu.add_fault(rule);
    }
    let joined = fresh(&emu).join_players(&s.id, &players).unwrap();
    assert_eq!(joined.players, players);
    assert_eq!(joined.count, 1, "the count read back from the session");
    assert_eq!(joined.attempts, 2, "lost, 409 (the describe is no attempt)");
    // The plain replay (the emulator joins idempotently) is fine as well.
    emu.add_fault(FaultRule {
        method: Some("PUT".into()),
        times: Some(1),
        ..FaultRule::always(FaultAction::LostResponse { reset: false })
    });
    let joined = fresh(&emu).join_players(&s.id, &players).unwrap();
    assert_eq!((joined.count, joined.attempts), (1, 2));
    // A 409 on the first attempt is the server's answer, not a replay.
    for rule in rules("PUT", "/session/player/join", vec![status(409, None)]) {
        emu.add_fault(rule);
    }
    let e = c.join_players(&s.id, &players).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Conflict, 1));
}

#[test]
fn a_lost_answer_on_a_kept_connection_is_resent_at_once_uncounted() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    // Retries off: the re-send after a stale kept connection is no retry.
    let c = client(&emu, policy(1, 10_000));
    let s = session_whose_stop_answers_are_lost(&emu, &c, 1);
    let started = std::time::Instant::now();
    let stopped = c
        .stop_session(&s.id, gameye_core::StopOptions::default())
        .unwrap();
    // The first stop acted; the re-send met 404 or 409, read as after any
    // replay: stopped.
    assert_eq!(stopped.value, gameye_core::StopOutcome::Stopped);
    assert_eq!(stopped.attempts, 1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "no backoff"
    );
    // A second loss in a row (on the fresh connection too) is a failed
    // attempt: with retries off, the call fails.
    let s = session_whose_stop_answers_are_lost(&emu, &c, 2);
    let e = c
        .stop_session(&s.id, gameye_core::StopOptions::default())
        .unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Transport, 1), "{e}");
}
