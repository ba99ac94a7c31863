//! Placing a session near its players: rank the candidate locations by the
//! latencies the players measured ([`choose_location`], a pure function),
//! then create the session in the best one, moving on to the next when a
//! location answers 420 ([`Client::create_session_near`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::diagnostics::{log_event, LogLevel};
use crate::error::{Error, ErrorKind, Result, Violation};
use crate::request::SessionRun;
use crate::response::{Response, Session};

/// Default most loss a player may see to a location (20 %).
const DEFAULT_MAX_LOSS: f64 = 0.2;
/// Default number of locations `create_session_near` tries.
const DEFAULT_MAX_LOCATIONS: u32 = 3;

/// Which locations are acceptable, and how many [`Client::create_session_near`] tries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlacementPolicy {
    /// Drop a location when any player's loss to it is above this (0.0..=1.0). Default 0.2.
    pub max_loss: f64,
    /// Drop a location when any player's median RTT to it is above this many
    /// milliseconds. Default none.
    pub max_rtt_ms: Option<f64>,
    /// Keep a location that some players have no sample for, ranking it by
    /// the players who do. Default false: a missing sample excludes it.
    pub allow_missing: bool,
    /// How many locations `create_session_near` tries, moving on after each
    /// 420, before it gives up (at least 1). Default 3.
    pub max_locations: u32,
}

impl Default for PlacementPolicy {
    fn default() -> Self {
        PlacementPolicy {
            max_loss: DEFAULT_MAX_LOSS,
            max_rtt_ms: None,
            allow_missing: false,
            max_locations: DEFAULT_MAX_LOCATIONS,
        }
    }
}

impl PlacementPolicy {
    /// Parses `{"max_loss": 0.2, "max_rtt_ms": 150, "allow_missing": false,
    /// "max_locations": 3}`; every field optional, unknown fields are errors.
    pub fn from_json(json: &str) -> Result<Self> {
        let p: PlacementPolicy = serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(vec![Violation::new(
                "(policy)",
                format!("not a valid placement policy: {e}"),
            )])
        })?;
        p.validate()?;
        Ok(p)
    }

    /// Checks the bounds each field documents.
    pub fn validate(&self) -> Result<()> {
        let mut v = Vec::new();
        if !(0.0..=1.0).contains(&self.max_loss) {
            v.push(Violation::new("max_loss", "must be 0.0..=1.0"));
        }
        if let Some(cap) = self.max_rtt_ms {
            if !(cap.is_finite() && cap >= 0.0) {
                v.push(Violation::new("max_rtt_ms", "must be a finite number >= 0"));
            }
        }
        if self.max_locations == 0 {
            v.push(Violation::new("max_locations", "must be at least 1"));
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_request(v))
        }
    }
}

/// One player's measurement of one location. A
/// [`LocationPing`](crate::LocationPing) (from a ping report) reads as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationLatency {
    /// The location id.
    pub id: String,
    /// The median round trip in milliseconds; `None` (or absent) when no reply came.
    #[serde(default)]
    pub median_ms: Option<f64>,
    /// The share of probes lost, 0.0..=1.0. Default 0.
    #[serde(default)]
    pub loss: f64,
}

/// What one player measured. The JSON form is a ping report with the
/// player's id added: `{"player": "alice", "locations": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayerLatencies {
    /// The player's id, used in exclusion reasons.
    pub player: String,
    /// The locations this player pinged.
    pub locations: Vec<LocationLatency>,
}

impl PlayerLatencies {
    /// Parses a JSON array of players' measurements.
    pub fn list_from_json(json: &str) -> Result<Vec<PlayerLatencies>> {
        serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(vec![Violation::new(
                "(players)",
                format!(
                    "not a list like [{{\"player\":\"alice\",\"locations\":[{{\"id\":\"europe\",\"median_ms\":20,\"loss\":0}}]}}]: {e}"
                ),
            )])
        })
    }
}

/// An acceptable location, with the figures it was ranked by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedLocation {
    /// The location id.
    pub id: String,
    /// The highest median RTT among the players (the first sort key).
    pub worst_ms: f64,
    /// The mean of the players' median RTTs (the second sort key).
    pub mean_ms: f64,
    /// How many players had a sample for it.
    pub players_measured: usize,
}

/// Why a location was dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ExclusionReason {
    /// A player's loss is above the policy's `max_loss`.
    Loss {
        /// The player.
        player: String,
        /// Their loss.
        loss: f64,
        /// The policy's limit.
        max_loss: f64,
    },
    /// A player's median RTT is above the policy's `max_rtt_ms`.
    Rtt {
        /// The player.
        player: String,
        /// Their median RTT.
        median_ms: f64,
        /// The policy's cap.
        max_rtt_ms: f64,
    },
    /// A player has no sample for it (and the policy does not allow that).
    NoSample {
        /// The player.
        player: String,
    },
    /// No player has a sample for it.
    NoSamples,
}

/// An excluded location and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The location id.
    pub id: String,
    /// Why.
    #[serde(flatten)]
    pub reason: ExclusionReason,
    /// The reason in words.
    pub message: String,
}

/// The outcome of [`choose_location`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// Acceptable locations, best first: lowest worst-player median, then
    /// lowest mean, then id.
    pub ranked: Vec<RankedLocation>,
    /// Every other candidate, in candidate order, with the reason.
    pub excluded: Vec<Exclusion>,
}

impl Placement {
    /// The best location, if any is acceptable.
    pub fn best(&self) -> Option<&str> {
        self.ranked.first().map(|r| r.id.as_str())
    }
}

/// Ranks `candidates` (location ids; duplicates count once) by what
/// `players` measured, under `policy`. Pure: the same input gives the same
/// output. A player's sample is their entry with the location's id (the
/// first, when they list one twice); a sample without a median counts as missing.
///
/// Errors (`InvalidRequest`, naming the field): a bad policy, or a sample
/// with a negative or non-finite RTT, or a loss outside 0..=1.
pub fn choose_location(
    candidates: &[String],
    players: &[PlayerLatencies],
    policy: &PlacementPolicy,
) -> Result<Placement> {
    policy.validate()?;
    validate_samples(players)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut ranked = Vec::new();
    let mut excluded = Vec::new();
    let samples: Vec<BTreeMap<&str, &LocationLatency>> = players
        .iter()
        .map(|p| {
            let mut m = BTreeMap::new();
            for l in &p.locations {
                m.entry(l.id.as_str()).or_insert(l);
            }
            m
        })
        .collect();
    for id in candidates {
        if !seen.insert(id.as_str()) {
            continue;
        }
        match judge(id, players, &samples, policy) {
            Ok(r) => ranked.push(r),
            Err(reason) => excluded.push(Exclusion {
                id: id.clone(),
                message: describe(id, &reason),
                reason,
            }),
        }
    }
    ranked.sort_by(|a, b| {
        a.worst_ms
            .total_cmp(&b.worst_ms)
            .then(a.mean_ms.total_cmp(&b.mean_ms))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(Placement { ranked, excluded })
}

fn validate_samples(players: &[PlayerLatencies]) -> Result<()> {
    let mut v = Vec::new();
    for (pi, p) in players.iter().enumerate() {
        for (li, l) in p.locations.iter().enumerate() {
            if let Some(m) = l.median_ms {
                if !(m.is_finite() && m >= 0.0) {
                    v.push(Violation::new(
                        format!("players[{pi}].locations[{li}].median_ms"),
                        "must be a finite number >= 0",
                    ));
                }
            }
            if !(0.0..=1.0).contains(&l.loss) {
                v.push(Violation::new(
                    format!("players[{pi}].locations[{li}].loss"),
                    "must be 0.0..=1.0",
                ));
            }
        }
    }
    if v.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_request(v))
    }
}

/// Ranks one location, or says why it is out. Checks go player by player,
/// so the reason names the first player (in input order) that rules it out.
fn judge(
    id: &str,
    players: &[PlayerLatencies],
    samples: &[BTreeMap<&str, &LocationLatency>],
    policy: &PlacementPolicy,
) -> std::result::Result<RankedLocation, ExclusionReason> {
    let mut medians = Vec::new();
    for (p, s) in players.iter().zip(samples) {
        let sample = s.get(id).copied();
        if let Some(l) = sample {
            if l.loss > policy.max_loss {
                return Err(ExclusionReason::Loss {
                    player: p.player.clone(),
                    loss: l.loss,
                    max_loss: policy.max_loss,
                });
            }
        }
        match sample.and_then(|l| l.median_ms) {
            Some(m) => {
                if let Some(cap) = policy.max_rtt_ms.filter(|cap| m > *cap) {
                    return Err(ExclusionReason::Rtt {
                        player: p.player.clone(),
                        median_ms: m,
                        max_rtt_ms: cap,
                    });
                }
                medians.push(m);
            }
            None if policy.allow_missing => {}
            None => {
                return Err(ExclusionReason::NoSample {
                    player: p.player.clone(),
                })
            }
        }
    }
    if medians.is_empty() {
        return Err(ExclusionReason::NoSamples);
    }
    Ok(RankedLocation {
        id: id.to_owned(),
        worst_ms: medians.iter().copied().fold(f64::MIN, f64::max),
        mean_ms: medians.iter().sum::<f64>() / medians.len() as f64,
        players_measured: medians.len(),
    })
}

fn describe(id: &str, reason: &ExclusionReason) -> String {
    match reason {
        ExclusionReason::Loss {
            player,
            loss,
            max_loss,
        } => format!(
            "{id}: player {player:?} loses {:.0} % of probes, above the limit of {:.0} %",
            loss * 100.0,
            max_loss * 100.0
        ),
        ExclusionReason::Rtt {
            player,
            median_ms,
            max_rtt_ms,
        } => format!(
            "{id}: player {player:?} has a median RTT of {median_ms:.1} ms, above the cap of {max_rtt_ms:.1} ms"
        ),
        ExclusionReason::NoSample { player } => {
            format!("{id}: player {player:?} has no sample for it")
        }
        ExclusionReason::NoSamples => format!("{id}: no player has a sample for it"),
    }
}

/// One location `create_session_near` tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacementAttempt {
    /// The location.
    pub location: String,
    /// The session id sent for it (a fresh one per location).
    pub session_id: String,
    /// `"created"`, `"no_capacity"` (420: moved on) or `"failed"` (stopped there).
    pub outcome: String,
    /// The error in words, for the ones that did not create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A session created near its players.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacedSession {
    /// The session.
    pub session: Session,
    /// The location it runs in.
    pub location: String,
    /// Every location tried, in order, the last being `location`.
    pub tried: Vec<PlacementAttempt>,
    /// The ranking the attempts followed.
    pub placement: Placement,
}

impl Client {
    /// Creates `run` near the players: in the best location by
    /// [`choose_location`] over the image's candidates `run` is sent to;
    /// on 420 (no capacity) in the next, trying at most
    /// `policy.max_locations` locations. `run.location` is ignored (the
    /// ranking chooses); candidates are the locations any player measured.
    ///
    /// Exactly once: each location tried gets its own session id (the
    /// caller's `run.id` for the first, fresh ones after), and a location
    /// is only left after a 420, which means nothing was created. Any other
    /// error ends the call at that location (it may have acted), so no
    /// second session can start. Each location's create follows the client's
    /// retry policy (so a 420 may first be retried there). Each location's
    /// request (its location and id set) is validated once, before it is sent.
    ///
    /// Errors: `InvalidRequest` when no location is acceptable (the message
    /// lists each exclusion); `NoCapacity` when every location tried
    /// answered 420 (the message lists them); otherwise the error of the
    /// location that failed.
    pub fn create_session_near(
        &self,
        run: impl Into<SessionRun>,
        players: &[PlayerLatencies],
        policy: &PlacementPolicy,
    ) -> Result<Response<PlacedSession>> {
        let run = run.into();
        self.block_on(|c| async move {
            c.create_session_near_impl(run, players.to_vec(), policy.clone())
                .await
        })
    }

    /// [`Client::create_session_near`] from async code.
    pub async fn create_session_near_async(
        &self,
        run: impl Into<SessionRun>,
        players: &[PlayerLatencies],
        policy: &PlacementPolicy,
    ) -> Result<Response<PlacedSession>> {
        let (this, run) = (self.clone(), run.into());
        let (players, policy) = (players.to_vec(), policy.clone());
        self.spawn(async move { this.create_session_near_impl(run, players, policy).await })
            .await
    }

    async fn create_session_near_impl(
        &self,
        run: SessionRun,
        players: Vec<PlayerLatencies>,
        policy: PlacementPolicy,
    ) -> Result<Response<PlacedSession>> {
        let mut candidates: Vec<String> = Vec::new();
        for p in &players {
            for l in &p.locations {
                if !candidates.contains(&l.id) {
                    candidates.push(l.id.clone());
                }
            }
        }
        let placement = choose_location(&candidates, &players, &policy)?;
        if placement.ranked.is_empty() {
            let why: Vec<String> = placement
                .excluded
                .iter()
                .map(|e| e.message.clone())
                .collect();
            return Err(Error::invalid_request(vec![Violation::new(
                "(players)",
                format!(
                    "no acceptable location: {}",
                    if why.is_empty() {
                        "no player measured any location".to_owned()
                    } else {
                        why.join("; ")
                    }
                ),
            )]));
        }
        let mut tried = Vec::new();
        let mut total_attempts = 0;
        for (n, loc) in placement
            .ranked
            .iter()
            .take(policy.max_locations as usize)
            .enumerate()
        {
            let mut attempt = run.clone();
            attempt.location = loc.id.clone();
            if n > 0 || attempt.id.is_none() {
                attempt.id = Some(crate::sessions::new_session_id());
            }
            let session_id = attempt.id.clone().unwrap_or_default();
            let outcome = match attempt.validated() {
                Ok(valid) => self.create_session_impl(valid).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(resp) => {
                    tried.push(PlacementAttempt {
                        location: loc.id.clone(),
                        session_id,
                        outcome: "created".into(),
                        message: None,
                    });
                    return Ok(Response {
                        value: PlacedSession {
                            session: resp.value,
                            location: loc.id.clone(),
                            tried,
                            placement,
                        },
                        http_status: resp.http_status,
                        body: resp.body,
                        attempts: total_attempts + resp.attempts,
                    });
                }
                Err(e) if e.kind() == ErrorKind::NoCapacity => {
                    total_attempts += e.attempts();
                    log_event!(
                        LogLevel::Info,
                        "no capacity in {} for session {session_id}; trying the next location",
                        loc.id
                    );
                    tried.push(PlacementAttempt {
                        location: loc.id.clone(),
                        session_id,
                        outcome: "no_capacity".into(),
                        message: Some(e.to_string()),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        let list: Vec<&str> = tried.iter().map(|t| t.location.as_str()).collect();
        Err(Error::new(
            ErrorKind::NoCapacity,
            format!(
                "no capacity in any location tried ({}); {} acceptable in all",
                list.join(", "),
                placement.ranked.len()
            ),
        )
        .with_attempts(total_attempts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn player(name: &str, samples: &[(&str, Option<f64>, f64)]) -> PlayerLatencies {
        PlayerLatencies {
            player: name.into(),
            locations: samples
                .iter()
                .map(|(id, m, loss)| LocationLatency {
                    id: (*id).into(),
                    median_ms: *m,
                    loss: *loss,
                })
                .collect(),
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_worst_player_decides_then_the_mean() {
        let players = [
            player(
                "a",
                &[
                    ("eu", Some(10.0), 0.0),
                    ("us", Some(40.0), 0.0),
                    ("as", Some(40.0), 0.0),
                ],
            ),
            player(
                "b",
                &[
                    ("eu", Some(90.0), 0.0),
                    ("us", Some(50.0), 0.0),
                    ("as", Some(50.0), 0.0),
                ],
            ),
        ];
        // us and as tie on the worst (50); us wins nothing on the mean (45 = 45),
        // so the id breaks the tie; eu has the best mean but the worst worst.
        let p = choose_location(
            &ids(&["eu", "us", "as"]),
            &players,
            &PlacementPolicy::default(),
        )
        .unwrap();
        let order: Vec<_> = p.ranked.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(order, ["as", "us", "eu"]);
        assert_eq!(p.ranked[2].worst_ms, 90.0);
        assert_eq!(p.ranked[2].mean_ms, 50.0);
    }

    #[test]
    fn exclusions_say_why() {
        let players = [
            player(
                "a",
                &[
                    ("lossy", Some(10.0), 0.5),
                    ("far", Some(300.0), 0.0),
                    ("ok", Some(20.0), 0.0),
                ],
            ),
            player(
                "b",
                &[
                    ("ok", Some(30.0), 0.0),
                    ("far", Some(10.0), 0.0),
                    ("lossy", Some(1.0), 0.0),
                ],
            ),
        ];
        let policy = PlacementPolicy {
            max_rtt_ms: Some(200.0),
            ..PlacementPolicy::default()
        };
        let p = choose_location(
            &ids(&["lossy", "far", "ok", "unmeasured"]),
            &players,
            &policy,
        )
        .unwrap();
        assert_eq!(p.best(), Some("ok"));
        let reasons: Vec<_> = p.excluded.iter().map(|e| (&*e.id, &e.reason)).collect();
        assert!(
            matches!(reasons[0], ("lossy", ExclusionReason::Loss { player, .. }) if player == "a")
        );
        assert!(
            matches!(reasons[1], ("far", ExclusionReason::Rtt { median_ms, .. }) if *median_ms == 300.0)
        );
        assert!(
            matches!(reasons[2], ("unmeasured", ExclusionReason::NoSample { player }) if player == "a")
        );
        assert!(
            p.excluded[0].message.contains("50 %"),
            "{}",
            p.excluded[0].message
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["excluded"][1]["reason"], "rtt");
    }

    #[test]
    fn missing_samples_are_allowed_only_by_the_policy() {
        let players = [
            player("a", &[("eu", Some(10.0), 0.0), ("us", Some(5.0), 0.0)]),
            player("b", &[("eu", Some(20.0), 0.0), ("us", None, 1.0)]),
        ];
        let strict =
            choose_location(&ids(&["eu", "us"]), &players, &PlacementPolicy::default()).unwrap();
        assert_eq!(strict.best(), Some("eu"));
        // b's us sample has 100 % loss: over the loss limit before missing.
        assert!(matches!(
            strict.excluded[0].reason,
            ExclusionReason::Loss { .. }
        ));
        let lenient = PlacementPolicy {
            allow_missing: true,
            max_loss: 1.0,
            ..PlacementPolicy::default()
        };
        let p = choose_location(&ids(&["us", "eu", "nobody"]), &players, &lenient).unwrap();
        assert_eq!(p.best(), Some("us"));
        assert_eq!(p.ranked[0].players_measured, 1);
        assert_eq!(p.excluded[0].reason, ExclusionReason::NoSamples);
    }

    #[test]
    fn bad_numbers_are_named() {
        let players = [player(
            "a",
            &[("eu", Some(f64::NAN), 0.0), ("us", Some(1.0), 2.0)],
        )];
        let e = choose_location(&ids(&["eu"]), &players, &PlacementPolicy::default()).unwrap_err();
        let fields: Vec<_> = e.violations().iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "players[0].locations[0].median_ms",
                "players[0].locations[1].loss"
            ]
        );
        let e = PlacementPolicy::from_json(r#"{"max_locations":0}"#).unwrap_err();
        assert_eq!(e.violations()[0].field, "max_locations");
        assert!(PlacementPolicy::from_json(r#"{"max_loss":0.5,"extra":1}"#).is_err());
        assert!(PlayerLatencies::list_from_json("[{}]").is_err());
    }

    #[test]
    fn a_ping_report_reads_as_a_players_latencies() {
        let report = crate::ping::report(
            "raw",
            &[crate::Location {
                id: "eu".into(),
                ips: vec!["127.0.0.1".into()],
            }],
            vec![vec![crate::ping::TargetOutcome {
                rtts_ms: vec![3.0],
                sent: 1,
                error: None,
            }]],
        );
        let mut json = serde_json::to_value(&report).unwrap();
        json["player"] = "alice".into();
        let p: PlayerLatencies = serde_json::from_value(json).unwrap();
        assert_eq!(p.locations[0].median_ms, Some(3.0));
        assert_eq!(p.locations[0].loss, 0.0);
    }

    fn arb_players() -> impl Strategy<Value = Vec<PlayerLatencies>> {
        let sample = (
            0usize..6,
            prop::option::weighted(0.9, 0.0f64..500.0),
            0.0f64..=1.0,
        );
        prop::collection::vec(prop::collection::vec(sample, 0..8), 0..5).prop_map(|ps| {
            ps.into_iter()
                .enumerate()
                .map(|(i, s)| PlayerLatencies {
                    player: format!("p{i}"),
                    locations: s
                        .into_iter()
                        .map(|(l, m, loss)| LocationLatency {
                            id: format!("loc{l}"),
                            median_ms: m,
                            loss,
                        })
                        .collect(),
                })
                .collect()
        })
    }

    fn arb_policy() -> impl Strategy<Value = PlacementPolicy> {
        (
            0.0f64..=1.0,
            prop::option::of(0.0f64..600.0),
            any::<bool>(),
            1u32..5,
        )
            .prop_map(|(max_loss, max_rtt_ms, allow_missing, max_locations)| {
                PlacementPolicy {
                    max_loss,
                    max_rtt_ms,
                    allow_missing,
                    max_locations,
                }
            })
    }

    fn sample<'a>(p: &'a PlayerLatencies, id: &str) -> Option<&'a LocationLatency> {
        p.locations.iter().find(|l| l.id == id)
    }

    proptest! {
        #[test]
        fn every_candidate_is_ranked_or_excluded_once(
            players in arb_players(), policy in arb_policy(), extra in 0usize..8
        ) {
            let candidates: Vec<String> = (0..extra).map(|i| format!("loc{}", i % 7)).collect();
            let p = choose_location(&candidates, &players, &policy).unwrap();
            let mut all: Vec<&str> = p.ranked.iter().map(|r| r.id.as_str())
                .chain(p.excluded.iter().map(|e| e.id.as_str())).collect();
            all.sort_unstable();
            let mut want: Vec<&str> = candidates.iter().map(String::as_str).collect();
            want.sort_unstable();
            want.dedup();
            prop_assert_eq!(all, want);
        }

        #[test]
        fn the_ranking_is_sorted_and_respects_the_policy(
            players in arb_players(), policy in arb_policy()
        ) {
            let candidates: Vec<String> = (0..6).map(|i| format!("loc{i}")).collect();
            let p = choose_location(&candidates, &players, &policy).unwrap();
            for w in p.ranked.windows(2) {
                prop_assert!((w[0].worst_ms, w[0].mean_ms) <= (w[1].worst_ms, w[1].mean_ms));
            }
            for r in &p.ranked {
                prop_assert!(r.mean_ms <= r.worst_ms + 1e-9);
                prop_assert!(r.players_measured >= 1);
                for pl in &players {
                    match sample(pl, &r.id) {
                        Some(s) => {
                            prop_assert!(s.loss <= policy.max_loss);
                            if let (Some(m), Some(cap)) = (s.median_ms, policy.max_rtt_ms) {
                                prop_assert!(m <= cap);
                            }
                            if let Some(m) = s.median_ms {
                                prop_assert!(m <= r.worst_ms);
                            } else {
                                prop_assert!(policy.allow_missing);
                            }
                        }
                        None => prop_assert!(policy.allow_missing),
                    }
                }
            }
            // Excluded for a player's reason: that reason holds.
            for e in &p.excluded {
                match &e.reason {
                    ExclusionReason::Loss { player, loss, .. } => {
                        let pl = players.iter().find(|x| &x.player == player).unwrap();
                        prop_assert!(*loss > policy.max_loss);
                        prop_assert_eq!(sample(pl, &e.id).unwrap().loss, *loss);
                    }
                    ExclusionReason::Rtt { median_ms, max_rtt_ms, .. } => {
                        prop_assert!(median_ms > max_rtt_ms);
                    }
                    ExclusionReason::NoSample { player } => {
                        prop_assert!(!policy.allow_missing);
                        let pl = players.iter().find(|x| &x.player == player).unwrap();
                        prop_assert!(sample(pl, &e.id).and_then(|s| s.median_ms).is_none());
                    }
                    ExclusionReason::NoSamples => {}
                }
            }
        }

        #[test]
        fn it_is_pure_and_ignores_candidate_order(
            players in arb_players(), policy in arb_policy()
        ) {
            let candidates: Vec<String> = (0..6).map(|i| format!("loc{i}")).collect();
            let mut reversed = candidates.clone();
            reversed.reverse();
            let a = choose_location(&candidates, &players, &policy).unwrap();
            let b = choose_location(&candidates, &players, &policy).unwrap();
            let c = choose_location(&reversed, &players, &policy).unwrap();
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.ranked, c.ranked);
        }

        #[test]
        fn a_better_sample_never_lowers_a_location(
            players in arb_players(), improve in 0usize..6, by in 0.0f64..100.0
        ) {
            // Lowering one player's RTT to a location keeps it at least as high.
            prop_assume!(!players.is_empty());
            let policy = PlacementPolicy { max_loss: 1.0, ..PlacementPolicy::default() };
            let candidates: Vec<String> = (0..6).map(|i| format!("loc{i}")).collect();
            let id = format!("loc{improve}");
            let before = choose_location(&candidates, &players, &policy).unwrap();
            let mut better = players.clone();
            for l in better[0].locations.iter_mut().filter(|l| l.id == id) {
                l.median_ms = l.median_ms.map(|m| (m - by).max(0.0));
            }
            let after = choose_location(&candidates, &better, &policy).unwrap();
            let pos = |p: &Placement| p.ranked.iter().position(|r| r.id == id);
            if let (Some(b), Some(a)) = (pos(&before), pos(&after)) {
                prop_assert!(a <= b);
            }
        }
    }
}
