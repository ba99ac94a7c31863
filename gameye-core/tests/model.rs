//! A model-based test of the client against the emulator
//! (proptest-state-machine).
//!
//! Random sequences of calls go through `gameye_core::Client` to a real
//! emulator over HTTP: create (with and without an id, into a full
//! location, of an unknown image), get, list with each filter, join, leave,
//! stop, logs, artifacts, tag and locations, while fault rules are switched
//! on and off between calls (a fault that fails every request, or a burst
//! that the client must retry through). A plain model predicts every answer.
//! After every step the client's answer, the emulator's state (read
//! in-process, past the faults) and, when no fault is armed, the client's
//! own listing must agree with the model:
//! - sessions created = sessions listed (no session lost, none doubled
//!   under retries);
//! - player counts are right;
//! - a stopped session stays stopped.
//!
//! Cases: `MODEL_CASES` (default 64, as in the test command); steps per
//! case: up to `MODEL_STEPS` (default 30). The longer recorded run is in
//! TESTING.md.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use gameye_core::{
    Client, ClientConfig, ErrorKind, ListFilter, RetryPolicy, SessionRun, StopOptions, StopOutcome,
};
use gameye_emulator::{
    Emulator, EmulatorConfig, FaultRule, ImageConfig, LocationConfig, PortConfig, DEFAULT_TOKEN,
};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};

/// Ids a create may fix; a create without one gets a generated id.
const IDS: [&str; 4] = ["alpha", "bravo", "charlie", "delta"];
/// Locations and their capacities of running sessions (small, so creates
/// run into "no capacity").
const LOCATIONS: [(&str, u32); 2] = [("europe", 3), ("asia", 2)];
/// Images with their tags; the last one does not exist.
const IMAGES: [(&str, &[&str]); 3] = [
    ("nginx", &["latest", "1.25"]),
    ("my-game", &["latest", "1.0.0"]),
    ("ghost", &[]),
];
const VERSIONS: [&str; 4] = ["latest", "1.25", "1.0.0", "9.9"];
const MODES: [&str; 2] = ["duel", "ffa"];
const PLAYERS: [&str; 5] = ["p0", "p1", "p2", "p3", "p4"];

/// A fault that fails every request until switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Persistent {
    /// 500 on every request: a `ServerError` after the retries.
    Status500,
    /// The connection dropped before handling: a `Transport` error.
    Drop,
}

/// A fault on the next request(s) that the client must retry through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Burst {
    /// 503 twice, not handled.
    Status503,
    /// The connection dropped before handling, once.
    DropBefore,
    /// Handled, then the response lost, once.
    LostResponse,
    /// Handled, then the body cut short, once.
    Truncated,
}

impl Burst {
    /// Whether the client cannot tell if its first attempt acted (it was
    /// sent, and no complete answer came back).
    fn ambiguous(self) -> bool {
        !matches!(self, Burst::Status503)
    }
}

#[derive(Clone, Debug)]
enum ListKind {
    Active,
    All,
    Location(usize),
    Image(usize),
    Mode(usize),
    PlayersLt(i64),
    PlayersGt(i64),
}

#[derive(Clone, Debug)]
enum Step {
    Create {
        id: Option<usize>,
        location: usize,
        image: usize,
        mode: usize,
    },
    Get(usize),
    GetUnknown,
    List(ListKind),
    Join(usize, Vec<usize>),
    Leave(Vec<usize>),
    Stop {
        slot: usize,
        idempotent: bool,
    },
    Logs(usize),
    Artifact(usize),
    Tag {
        location: usize,
        image: usize,
        version: usize,
    },
    Locations(usize),
    FaultOn(Persistent),
    FaultOff,
    Arm(Burst),
}

impl Step {
    fn sends_request(&self) -> bool {
        !matches!(self, Step::FaultOn(_) | Step::FaultOff | Step::Arm(_))
    }
}

/// One session as the model knows it; its index in `Model::sessions` (its
/// slot) is its creation order.
#[derive(Clone, Debug)]
struct ModelSession {
    fixed_id: Option<&'static str>,
    location: usize,
    image: usize,
    mode: usize,
    running: bool,
    players: Vec<&'static str>,
}

/// What the last step must have answered.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Nothing,
    Fail(ErrorKind),
    Created,
    Session(usize),
    Listed(Vec<usize>),
    Joined(usize),
    /// `None`: after an ambiguous attempt, only success is certain.
    Left(Option<(usize, BTreeSet<&'static str>)>),
    Stopped(StopOutcome),
    Logs(usize),
    Artifact,
    Tag(bool),
    Locations(Vec<&'static str>),
}

#[derive(Clone, Debug)]
struct Model {
    sessions: Vec<ModelSession>,
    persistent: Option<Persistent>,
    burst: Option<Burst>,
    expect: Expect,
}

impl Model {
    fn running_in(&self, location: usize) -> u32 {
        self.sessions
            .iter()
            .filter(|s| s.running && s.location == location)
            .count() as u32
    }

    fn id_taken(&self, id: usize) -> bool {
        self.sessions.iter().any(|s| s.fixed_id == Some(IDS[id]))
    }

    /// Players (of `wanted`) in some running session.
    fn present(&self, wanted: &[usize]) -> BTreeSet<&'static str> {
        wanted
            .iter()
            .map(|&p| PLAYERS[p])
            .filter(|p| {
                self.sessions
                    .iter()
                    .any(|s| s.running && s.players.contains(p))
            })
            .collect()
    }
}

struct Reference;

fn players_strategy() -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..PLAYERS.len()).collect::<Vec<_>>(), 1..=3)
}

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model {
            sessions: Vec::new(),
            persistent: None,
            burst: None,
            expect: Expect::Nothing,
        })
        .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let create = (
            proptest::option::weighted(0.5, 0..IDS.len()),
            0..LOCATIONS.len(),
            prop_oneof![9 => 0..2usize, 1 => Just(2usize)],
            0..MODES.len(),
        )
            .prop_map(|(id, location, image, mode)| Step::Create {
                id,
                location,
                image,
                mode,
            });
        let list = prop_oneof![
            Just(ListKind::Active),
            Just(ListKind::All),
            (0..LOCATIONS.len()).prop_map(ListKind::Location),
            (0..3usize).prop_map(ListKind::Image),
            (0..MODES.len()).prop_map(ListKind::Mode),
            (0..4i64).prop_map(ListKind::PlayersLt),
            (0..4i64).prop_map(ListKind::PlayersGt),
        ]
        .prop_map(Step::List);
        let faults = prop_oneof![
            Just(Step::FaultOn(Persistent::Status500)),
            Just(Step::FaultOn(Persistent::Drop)),
            Just(Step::FaultOff),
            Just(Step::Arm(Burst::Status503)),
            Just(Step::Arm(Burst::DropBefore)),
            Just(Step::Arm(Burst::LostResponse)),
            Just(Step::Arm(Burst::Truncated)),
        ];
        let global = prop_oneof![
            3 => create.clone(),
            2 => list,
            1 => Just(Step::GetUnknown),
            2 => players_strategy().prop_map(Step::Leave),
            1 => (0..LOCATIONS.len(), 0..3usize, 0..VERSIONS.len())
                .prop_map(|(location, image, version)| Step::Tag { location, image, version }),
            1 => (0..3usize).prop_map(Step::Locations),
            2 => faults,
        ];
        if state.sessions.is_empty() {
            return prop_oneof![3 => create, 1 => global].boxed();
        }
        let n = state.sessions.len();
        let per_session = prop_oneof![
            2 => (0..n).prop_map(Step::Get),
            3 => (0..n, players_strategy()).prop_map(|(s, p)| Step::Join(s, p)),
            2 => (0..n, any::<bool>()).prop_map(|(slot, idempotent)| Step::Stop { slot, idempotent }),
            1 => (0..n).prop_map(Step::Logs),
            1 => (0..n).prop_map(Step::Artifact),
        ];
        prop_oneof![3 => global, 2 => per_session].boxed()
    }

    fn preconditions(state: &Model, step: &Step) -> bool {
        let n = state.sessions.len();
        let armed = state.burst.is_some();
        match step {
            Step::Get(s) | Step::Logs(s) | Step::Artifact(s) | Step::Join(s, _) => *s < n,
            // Under a burst the client retries; a retry that meets 409 for
            // an id it did not create, or a stop of a session already
            // stopped, reads as its own earlier attempt having acted. Both
            // readings are right from the client's side, so the model
            // keeps those cases out of bursts rather than guess.
            Step::Stop { slot, .. } => *slot < n && (!armed || state.sessions[*slot].running),
            Step::Create { id: Some(id), .. } => !(armed && state.id_taken(*id)),
            // Leaving players nobody holds after a 503 burst: whether 503 is
            // "ambiguous" is the client's call (issue 9 item 16).
            Step::Leave(p) => {
                !(state.burst == Some(Burst::Status503) && state.present(p).is_empty())
            }
            Step::FaultOn(_) => state.persistent.is_none() && !armed,
            Step::Arm(_) => state.persistent.is_none() && !armed,
            _ => true,
        }
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        let burst = if step.sends_request() {
            state.burst.take()
        } else {
            None
        };
        if step.sends_request() {
            if let Some(p) = state.persistent {
                state.expect = Expect::Fail(match p {
                    Persistent::Status500 => ErrorKind::ServerError,
                    Persistent::Drop => ErrorKind::Transport,
                });
                return state;
            }
        }
        state.expect = match step {
            Step::Create {
                id,
                location,
                image,
                mode,
            } => {
                // The emulator's order: image, then id, then capacity.
                if IMAGES[*image].1.is_empty() {
                    Expect::Fail(ErrorKind::NotFound)
                } else if id.is_some_and(|i| state.id_taken(i)) {
                    Expect::Fail(ErrorKind::Conflict)
                } else if state.running_in(*location) >= LOCATIONS[*location].1 {
                    Expect::Fail(ErrorKind::NoCapacity)
                } else {
                    state.sessions.push(ModelSession {
                        fixed_id: id.map(|i| IDS[i]),
                        location: *location,
                        image: *image,
                        mode: *mode,
                        running: true,
                        players: Vec::new(),
                    });
                    Expect::Created
                }
            }
            Step::Get(s) => Expect::Session(*s),
            Step::GetUnknown => Expect::Fail(ErrorKind::NotFound),
            Step::List(kind) => Expect::Listed(
                state
                    .sessions
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        let players = s.players.len() as i64;
                        match kind {
                            ListKind::All => true,
                            ListKind::Active => s.running,
                            ListKind::Location(l) => s.running && s.location == *l,
                            ListKind::Image(i) => s.running && s.image == *i,
                            ListKind::Mode(m) => s.running && s.mode == *m,
                            ListKind::PlayersLt(n) => s.running && players < *n,
                            ListKind::PlayersGt(n) => s.running && players > *n,
                        }
                    })
                    .map(|(i, _)| i)
                    .collect(),
            ),
            Step::Join(s, players) => {
                let session = &mut state.sessions[*s];
                if session.running {
                    for &p in players {
                        if !session.players.contains(&PLAYERS[p]) {
                            session.players.push(PLAYERS[p]);
                        }
                    }
                    Expect::Joined(session.players.len())
                } else {
                    Expect::Fail(ErrorKind::NotFound)
                }
            }
            Step::Leave(players) => {
                let present = state.present(players);
                // The emulator answers with the count of the oldest session
                // it removed a player from.
                let mut first_count = None;
                for s in state.sessions.iter_mut().filter(|s| s.running) {
                    let before = s.players.len();
                    s.players.retain(|p| !present.contains(p));
                    if s.players.len() != before && first_count.is_none() {
                        first_count = Some(s.players.len());
                    }
                }
                match (burst.is_some_and(Burst::ambiguous), first_count) {
                    // Issue 9 item 16: after an ambiguous attempt, a replay
                    // answered 404 means the players are no longer in the
                    // session, which is what leave asked for.
                    (true, _) => Expect::Left(None),
                    (false, Some(count)) => Expect::Left(Some((count, present))),
                    (false, None) => Expect::Fail(ErrorKind::NotFound),
                }
            }
            Step::Stop { slot, idempotent } => {
                let session = &mut state.sessions[*slot];
                if session.running {
                    session.running = false;
                    Expect::Stopped(StopOutcome::Stopped)
                } else if *idempotent {
                    Expect::Stopped(StopOutcome::AlreadyStopped)
                } else {
                    Expect::Fail(ErrorKind::Conflict)
                }
            }
            // An artifact streams its body to the caller's sink: once the
            // head has arrived, a body cut short is a `Transport` error, not
            // a retry. `logs` buffers its text inside the attempt, so a cut
            // body is retried like any lost response (docs/src/concepts/retries.md).
            Step::Artifact(_) if burst == Some(Burst::Truncated) => {
                Expect::Fail(ErrorKind::Transport)
            }
            Step::Logs(s) => Expect::Logs(*s),
            Step::Artifact(_) => Expect::Artifact,
            Step::Tag { image, version, .. } => {
                if IMAGES[*image].1.is_empty() {
                    Expect::Fail(ErrorKind::NotFound)
                } else {
                    Expect::Tag(IMAGES[*image].1.contains(&VERSIONS[*version]))
                }
            }
            Step::Locations(image) => {
                if IMAGES[*image].1.is_empty() {
                    Expect::Fail(ErrorKind::NotFound)
                } else {
                    Expect::Locations(
                        (0..LOCATIONS.len())
                            .filter(|&l| state.running_in(l) < LOCATIONS[l].1)
                            .map(|l| LOCATIONS[l].0)
                            .collect(),
                    )
                }
            }
            Step::FaultOn(p) => {
                state.persistent = Some(*p);
                Expect::Nothing
            }
            Step::FaultOff => {
                state.persistent = None;
                state.burst = None;
                Expect::Nothing
            }
            Step::Arm(b) => {
                state.burst = Some(*b);
                Expect::Nothing
            }
        };
        state
    }
}

/// The system under test: a client and its emulator, and the id of each
/// session the model knows, by slot.
struct Harness {
    emulator: Emulator,
    client: Client,
    ids: Vec<String>,
}

fn emulator_config() -> EmulatorConfig {
    EmulatorConfig {
        locations: LOCATIONS
            .iter()
            .map(|(id, capacity)| LocationConfig::new(*id, *capacity))
            .collect(),
        images: IMAGES
            .iter()
            .filter(|(_, tags)| !tags.is_empty())
            .map(|(name, tags)| ImageConfig {
                tags: tags.iter().map(|t| t.to_string()).collect(),
                ports: vec![PortConfig::tcp(80)],
                ..ImageConfig::new(*name)
            })
            .collect(),
        ..EmulatorConfig::default()
    }
}

fn rule(json: serde_json::Value) -> FaultRule {
    serde_json::from_value(json).expect("a valid fault rule")
}

fn persistent_rule(p: Persistent) -> FaultRule {
    rule(match p {
        Persistent::Status500 => {
            serde_json::json!({"path": "/*", "action": {"kind": "status", "status": 500}})
        }
        Persistent::Drop => {
            serde_json::json!({"path": "/*", "action": {"kind": "drop_connection"}})
        }
    })
}

fn burst_rule(b: Burst) -> FaultRule {
    rule(match b {
        Burst::Status503 => serde_json::json!(
            {"path": "/*", "times": 2, "action": {"kind": "status", "status": 503}}),
        Burst::DropBefore => serde_json::json!(
            {"path": "/*", "times": 1, "action": {"kind": "drop_connection"}}),
        Burst::LostResponse => serde_json::json!(
            {"path": "/*", "times": 1, "action": {"kind": "lost_response"}}),
        Burst::Truncated => serde_json::json!(
            {"path": "/*", "times": 1, "action": {"kind": "truncated_body"}}),
    })
}

fn list_filter(kind: &ListKind) -> ListFilter {
    let mut f = ListFilter::default();
    match kind {
        ListKind::Active => {}
        ListKind::All => f.all = true,
        ListKind::Location(l) => f.location = Some(LOCATIONS[*l].0.into()),
        ListKind::Image(i) => f.image = Some(IMAGES[*i].0.into()),
        ListKind::Mode(m) => f.labels = BTreeMap::from([("mode".into(), MODES[*m].into())]),
        ListKind::PlayersLt(n) => f.player_count_lt = Some(*n),
        ListKind::PlayersGt(n) => f.player_count_gt = Some(*n),
    }
    f
}

fn names(players: &[usize]) -> Vec<String> {
    players.iter().map(|&p| PLAYERS[p].to_string()).collect()
}

/// Checks a failed call against the expected kind, and that a success was
/// expected otherwise; returns the value on success.
fn expect_ok<T: std::fmt::Debug>(
    r: gameye_core::Result<T>,
    expect: &Expect,
    step: &Step,
) -> Option<T> {
    match (expect, r) {
        (Expect::Fail(kind), Err(e)) => {
            assert_eq!(e.kind(), *kind, "{step:?}: {e}");
            None
        }
        (Expect::Fail(kind), Ok(v)) => panic!("{step:?}: expected {kind:?}, got ok {v:?}"),
        (_, Err(e)) => panic!("{step:?}: expected {expect:?}, got {:?}: {e}", e.kind()),
        (_, Ok(v)) => Some(v),
    }
}

struct ClientUnderTest;

impl StateMachineTest for ClientUnderTest {
    type SystemUnderTest = Harness;
    type Reference = Reference;

    fn init_test(_: &Model) -> Harness {
        let emulator = Emulator::start(emulator_config()).expect("emulator starts");
        // Generous timeouts: every fault here answers at once, so only a
        // loaded machine would reach them, and a timeout would make an
        // attempt ambiguous that the model counts as clean.
        let client = Client::new(
            ClientConfig::new(DEFAULT_TOKEN)
                .base_url(emulator.base_url())
                .request_timeout(Duration::from_millis(5000))
                .retry(RetryPolicy {
                    max_attempts: 4,
                    initial_backoff: Duration::from_millis(5),
                    max_backoff: Duration::from_millis(20),
                    deadline: Duration::from_secs(20),
                }),
        )
        .expect("client");
        Harness {
            emulator,
            client,
            ids: Vec::new(),
        }
    }

    fn apply(mut h: Harness, model: &Model, step: Step) -> Harness {
        let expect = &model.expect;
        let c = &h.client;
        match &step {
            Step::Create {
                id,
                location,
                image,
                mode,
            } => {
                let mut run = SessionRun::new(LOCATIONS[*location].0, IMAGES[*image].0);
                run.id = id.map(|i| IDS[i].to_string());
                run.labels = Some(BTreeMap::from([("mode".into(), MODES[*mode].into())]));
                if let Some(s) = expect_ok(c.create_session(run), expect, &step) {
                    let got = s.into_inner().id;
                    if let Some(i) = id {
                        assert_eq!(got, IDS[*i], "{step:?}: the id asked for");
                    }
                    h.ids.push(got);
                }
            }
            Step::Get(slot) => {
                if let Some(d) = expect_ok(c.get_session(&h.ids[*slot]), expect, &step) {
                    let d = d.into_inner();
                    let m = &model.sessions[*slot];
                    assert_eq!(d.id, h.ids[*slot]);
                    let want = if m.running { "running" } else { "exited" };
                    assert_eq!(d.status.as_str(), want, "{step:?}: status");
                    assert_eq!(d.players.joined_count as usize, m.players.len(), "{step:?}");
                    let got: BTreeSet<&str> = d.players.joined.iter().map(String::as_str).collect();
                    let want: BTreeSet<&str> = m.players.iter().copied().collect();
                    assert_eq!(got, want, "{step:?}: players");
                }
            }
            Step::GetUnknown => {
                expect_ok(c.get_session("no-such-session"), expect, &step);
            }
            Step::List(kind) => {
                if let Some(list) = expect_ok(c.list_sessions(&list_filter(kind)), expect, &step) {
                    let got: Vec<String> = list.into_inner().into_iter().map(|s| s.id).collect();
                    let Expect::Listed(slots) = expect else {
                        unreachable!()
                    };
                    let want: Vec<String> = slots.iter().map(|&s| h.ids[s].clone()).collect();
                    let (mut g, mut w) = (got.clone(), want);
                    g.sort();
                    w.sort();
                    assert_eq!(
                        g, w,
                        "{step:?}: listed = created (no session lost or doubled)"
                    );
                }
            }
            Step::Join(slot, players) => {
                let r = c.join_players(&h.ids[*slot], &names(players));
                if let Some(j) = expect_ok(r, expect, &step) {
                    let Expect::Joined(count) = expect else {
                        unreachable!()
                    };
                    assert_eq!(
                        j.into_inner().count as usize,
                        *count,
                        "{step:?}: player count"
                    );
                }
            }
            Step::Leave(players) => {
                // Issue 9 item 16: when a burst made the first attempt
                // ambiguous, `Expect::Left(None)`: the replay's 404 must read
                // as "left" (the client reported NotFound before its fix).
                let r = c.leave_players(&names(players));
                if let Some(l) = expect_ok(r, expect, &step) {
                    if let Expect::Left(Some((count, present))) = expect {
                        let l = l.into_inner();
                        assert_eq!(l.count as usize, *count, "{step:?}: count left");
                        let got: BTreeSet<&str> = l.players.iter().map(String::as_str).collect();
                        let want: BTreeSet<&str> = present.iter().copied().collect();
                        assert_eq!(got, want, "{step:?}: players that left");
                    }
                }
            }
            Step::Stop { slot, idempotent } => {
                let r = c.stop_session(
                    &h.ids[*slot],
                    StopOptions {
                        idempotent: *idempotent,
                    },
                );
                if let Some(o) = expect_ok(r, expect, &step) {
                    let Expect::Stopped(want) = expect else {
                        unreachable!()
                    };
                    assert_eq!(o.into_inner(), *want, "{step:?}");
                }
            }
            Step::Logs(slot) => {
                if let Some(text) = expect_ok(c.logs(&h.ids[*slot]), expect, &step) {
                    let text = text.into_inner();
                    assert!(text.contains(&h.ids[*slot]), "{step:?}: {text}");
                    let exited = text.contains(" exited");
                    assert_eq!(exited, !model.sessions[*slot].running, "{step:?}: {text}");
                }
            }
            Step::Artifact(slot) => {
                let mut bytes = Vec::new();
                let r = c.download_artifact(&h.ids[*slot], "/logs/crash.log", &mut bytes);
                if expect_ok(r, expect, &step).is_some() {
                    assert!(bytes.starts_with(&[0x1f, 0x8b]), "{step:?}: a gzip archive");
                }
            }
            Step::Tag {
                location,
                image,
                version,
            } => {
                let r = c.tag_exists(LOCATIONS[*location].0, IMAGES[*image].0, VERSIONS[*version]);
                if let Some(exists) = expect_ok(r, expect, &step) {
                    let Expect::Tag(want) = expect else {
                        unreachable!()
                    };
                    assert_eq!(exists.into_inner(), *want, "{step:?}");
                }
            }
            Step::Locations(image) => {
                if let Some(l) = expect_ok(c.available_locations(IMAGES[*image].0), expect, &step) {
                    let got: Vec<String> = l.into_inner().into_iter().map(|l| l.id).collect();
                    let Expect::Locations(want) = expect else {
                        unreachable!()
                    };
                    assert_eq!(got, *want, "{step:?}: locations with capacity left");
                }
            }
            Step::FaultOn(p) => h.emulator.add_fault(persistent_rule(*p)),
            Step::FaultOff => h.emulator.clear_faults(),
            Step::Arm(b) => h.emulator.add_fault(burst_rule(*b)),
        }
        h
    }

    fn check_invariants(h: &Harness, model: &Model) {
        // The emulator's own state, read past the fault rules.
        let snapshot = h.emulator.sessions();
        let ids: Vec<&str> = snapshot.iter().map(|s| s.id.as_str()).collect();
        let want: Vec<&str> = h.ids.iter().map(String::as_str).collect();
        assert_eq!(
            ids, want,
            "the emulator holds exactly the sessions created, once each"
        );
        for ((s, m), id) in snapshot.iter().zip(&model.sessions).zip(&h.ids) {
            if let Some(fixed) = m.fixed_id {
                assert_eq!(id, fixed);
            }
            let status = if m.running { "running" } else { "exited" };
            assert_eq!(s.status, status, "{id}: a stopped session stays stopped");
            assert_eq!(s.location, LOCATIONS[m.location].0, "{id}");
            assert_eq!(s.image, IMAGES[m.image].0, "{id}");
            assert_eq!(
                s.labels.get("mode").map(String::as_str),
                Some(MODES[m.mode])
            );
            let mut players = s.players.clone();
            players.sort();
            players.dedup();
            assert_eq!(players.len(), s.players.len(), "{id}: a player twice");
            let mut want: Vec<String> = m.players.iter().map(|p| p.to_string()).collect();
            want.sort();
            assert_eq!(players, want, "{id}: players");
        }
        // The client's own view, when no fault stands in the way.
        if model.persistent.is_none() && model.burst.is_none() {
            let all = h
                .client
                .list_sessions(&ListFilter {
                    all: true,
                    ..ListFilter::default()
                })
                .expect("list all");
            let mut got: Vec<String> = all.into_inner().into_iter().map(|s| s.id).collect();
            let mut want = h.ids.clone();
            got.sort();
            want.sort();
            assert_eq!(got, want, "sessions created = sessions listed");
        }
    }
}

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn max_steps() -> usize {
    env_or("MODEL_STEPS", 30) as usize
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: env_or("MODEL_CASES", 64),
        max_shrink_iters: 256,
        failure_persistence: None,
        .. Config::default()
    })]

    #[test]
    fn client_agrees_with_the_model(sequential 1..max_steps() => ClientUnderTest);
}

/// What the client sends, as the emulator's request log (`log_requests`)
/// records it: one line per request, every endpoint, the token redacted.
#[test]
fn client_requests_as_the_request_log_records_them() {
    let dir = std::env::temp_dir().join(format!("gameye-model-reqlog-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("requests.jsonl");
    let emulator = Emulator::start(EmulatorConfig {
        log_requests: Some(log.clone()),
        ..emulator_config()
    })
    .unwrap();
    let c = Client::new(
        ClientConfig::new(DEFAULT_TOKEN)
            .base_url(emulator.base_url())
            .retry(RetryPolicy::never()),
    )
    .unwrap();
    let mut run = SessionRun::new("europe", "nginx");
    run.id = Some("logged".into());
    run.labels = Some(BTreeMap::from([("mode".into(), "duel".into())]));
    run.ttl = Some("1h30m".into());
    c.create_session(run).unwrap();
    let filter = ListFilter {
        location: Some("europe".into()),
        player_count_lt: Some(4),
        labels: BTreeMap::from([("mode".into(), "duel".into())]),
        ..ListFilter::default()
    };
    c.list_sessions(&filter).unwrap();
    c.get_session("logged").unwrap();
    c.join_players("logged", &names(&[0, 1])).unwrap();
    c.leave_players(&names(&[1])).unwrap();
    c.logs("logged").unwrap();
    c.stop_session("logged", StopOptions::default()).unwrap();
    c.download_artifact("logged", "/logs/crash.log", &mut Vec::new())
        .unwrap();
    c.tag_exists("europe", "nginx", "1.25").unwrap();
    c.available_locations("nginx").unwrap();
    drop(emulator);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(DEFAULT_TOKEN), "the token is in the log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["method"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("POST", "/session"),
        ("GET", "/session"),
        ("GET", "/session/logged"),
        ("PUT", "/session/player/join"),
        ("DELETE", "/session/player/leave"),
        ("GET", "/logs"),
        ("DELETE", "/session/logged"),
        ("GET", "/artifacts"),
        ("GET", "/tag/europe/nginx/1.25"),
        ("GET", "/available-location/nginx"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(seen, want, "one request per call, no retries");
    for l in &lines {
        assert_eq!(l["headers"]["authorization"], "Bearer [REDACTED]", "{l}");
    }
    let body = |i: usize| -> serde_json::Value {
        serde_json::from_str(lines[i]["body"].as_str().expect("a body")).unwrap()
    };
    let create = body(0);
    assert_eq!(create["id"], "logged");
    assert_eq!(create["location"], "europe");
    assert_eq!(create["image"], "nginx");
    assert_eq!(create["ttl"], "1h30m");
    assert_eq!(create["labels"], serde_json::json!({"mode": "duel"}));
    assert_eq!(lines[0]["headers"]["content-type"], "application/json");
    // The list filters, as the spec's deepObject style spells them.
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(lines[1]["query"].as_str().unwrap().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query.get("location").map(String::as_str), Some("europe"));
    assert_eq!(query.get("playerCount[lt]").map(String::as_str), Some("4"));
    assert_eq!(query.get("filter[mode]").map(String::as_str), Some("duel"));
    assert_eq!(
        body(3),
        serde_json::json!({"session": "logged", "players": ["p0", "p1"]})
    );
    assert_eq!(body(4), serde_json::json!({"players": ["p1"]}));
    assert!(lines[5]["query"].as_str().unwrap().contains("id=logged"));
    let artifact_query = lines[7]["query"].as_str().unwrap();
    assert!(
        artifact_query.contains("session=logged"),
        "{artifact_query}"
    );
    assert!(
        artifact_query.contains("path=%2Flogs%2Fcrash.log")
            || artifact_query.contains("path=/logs/crash.log"),
        "{artifact_query}"
    );
    for i in [1, 2, 5, 6, 7, 8, 9] {
        assert_eq!(lines[i]["body"], serde_json::Value::Null, "{}", lines[i]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
