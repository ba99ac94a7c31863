//! `/session` endpoints: run, list, describe, stop.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::config::{EmulatorConfig, ImageConfig};
use crate::errors::{empty_response, json_response, now_ms, ApiError};
use crate::process::{ProcSpec, SessionProc, StopReason};
use crate::request::{authorize, bool_param, Req};
use crate::state::{MappedPort, Session, Shared, State, Status};
use crate::supervisor;
use crate::validate::{self, RunRequest};

/// `POST /session`. The order of checks is part of the contract (clients and
/// their tests rely on which error wins): auth, scope, body, location, image,
/// tag, id conflict, quota, capacity.
///
/// For an image with a command, the host ports are also checked free on
/// 127.0.0.1, a working directory is created, and a supervisor task starts
/// the process (after the 201 is built, so the process may still be starting
/// when the client reads it).
pub(crate) fn run(shared: &Arc<Shared>, req: &Req<'_>) -> Result<Response, ApiError> {
    let token = authorize(shared, req, "session:start")?;
    let cfg = &shared.config;
    let mut body = validate::run_request(req.body, cfg.max_ttl_minutes)?;
    // Config look-ups need no lock: the config never changes.
    let (location, image, tag) = find_image(cfg, &body)?;
    let id = body
        .id
        .take()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());

    let mut state = shared.lock();
    admit(&state, cfg, token, &id, location)?;
    let ports = map_ports(&mut state, image)?;
    let created = now_ms();
    let expires_at = body.ttl_minutes.map(|m| {
        let ms = m.saturating_mul(cfg.ttl_unit_ms);
        created.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))
    });
    let proc = match &image.command {
        None => None,
        Some(command) => {
            let workdir = shared
                .sessions_root
                .as_ref()
                .ok_or_else(|| std::io::Error::other("no sessions directory"))
                .and_then(|root| root.new_session_dir(&id));
            let workdir = match workdir {
                Ok(d) => d,
                Err(e) => {
                    state.free_ports(&ports);
                    return Err(ApiError::new(
                        500,
                        "INTERNAL_SERVER_ERROR",
                        "The session's working directory could not be created.",
                        e.to_string(),
                    ));
                }
            };
            let mut argv = command.clone();
            argv.extend(body.args.iter().cloned());
            Some(Arc::new(SessionProc::new(ProcSpec {
                id: id.clone(),
                workdir,
                argv,
                env: process_env(image, &body, &id, &cfg.host, &ports),
                restart: body.restart,
                expires_at,
                grace: Duration::from_millis(cfg.stop_grace_ms),
                log_limit: cfg.log_limit_bytes,
            })))
        }
    };
    let session = state.insert(Session {
        id,
        image: body.image,
        tag,
        location,
        created,
        ports,
        labels: body.labels,
        env: body.env,
        args: body.args,
        restart: body.restart,
        ttl: body.ttl,
        expires_at,
        external_id: body.external_id,
        status: Status::Running,
        players: Vec::new(),
        token,
        seq: 0,
        proc: proc.clone(),
    });
    let resp = json_response(
        201,
        &RunOk {
            id: (!req.omit_id).then_some(session.id.as_str()),
            host: &cfg.host,
            ports: &session.ports,
        },
    );
    drop(state);
    if let Some(proc) = proc {
        tokio::spawn(supervisor::supervise(Arc::clone(shared), proc));
    }
    Ok(resp)
}

/// The location's index, the image and the tag a run names (the image's
/// first tag when it names no version), or the 404 for the first missing.
fn find_image<'c>(
    cfg: &'c EmulatorConfig,
    body: &RunRequest,
) -> Result<(usize, &'c ImageConfig, String), ApiError> {
    let location = cfg
        .locations
        .iter()
        .position(|l| l.id == body.location)
        .ok_or_else(|| {
            ApiError::new(
                404,
                "LOCATION_NOT_FOUND",
                "The requested location does not exist.",
                format!("no location {:?}", body.location),
            )
        })?;
    let image = cfg
        .images
        .iter()
        .find(|i| i.name == body.image)
        .ok_or_else(|| {
            ApiError::new(
                404,
                "IMAGE_NOT_FOUND",
                "The requested image does not exist.",
                format!("no image {:?}", body.image),
            )
        })?;
    let tag = match &body.version {
        None => image.tags[0].clone(),
        Some(v) if image.tags.contains(v) => v.clone(),
        Some(v) => {
            return Err(ApiError::new(
                404,
                "TAG_NOT_FOUND",
                "The requested version of the image does not exist.",
                format!("image {:?} has no tag {:?}", image.name, v),
            ))
        }
    };
    Ok((location, image, tag))
}

/// The checks that need the state, in the contract's order: id conflict,
/// the token's quota, the location's capacity.
fn admit(
    state: &State,
    cfg: &EmulatorConfig,
    token: usize,
    id: &str,
    location: usize,
) -> Result<(), ApiError> {
    if state.sessions.contains_key(id) {
        return Err(ApiError::new(
            409,
            "SESSION_ID_CONFLICT",
            "A session with this id already exists. Please use a unique id; a UUID is recommended.",
            format!("session id {id:?} is taken"),
        ));
    }
    if let Some(quota) = cfg.tokens[token].quota {
        if state.started_per_token[token] >= quota {
            return Err(ApiError::new(
                402,
                "QUOTA_EXHAUSTED",
                "You have exhausted your quota.",
                format!("this token may start {quota} sessions and has started them all"),
            ));
        }
    }
    let capacity = cfg.locations[location].capacity;
    if state.running_per_location[location] >= capacity {
        return Err(no_capacity(format!(
            "location {:?} is at its capacity of {capacity} running sessions",
            cfg.locations[location].id
        )));
    }
    Ok(())
}

fn no_capacity(details: String) -> ApiError {
    ApiError::new(
        420,
        "NO_CAPACITY",
        "This session can currently not be started in the provided location. Please try again later!",
        details,
    )
}

/// Host ports for each of the image's ports.
fn map_ports(state: &mut State, image: &ImageConfig) -> Result<Vec<MappedPort>, ApiError> {
    let protos: Vec<&'static str> = image
        .ports
        .iter()
        .map(|p| if p.r#type == "udp" { "udp" } else { "tcp" })
        .collect();
    let host_ports = match image.command {
        // The process will bind these itself: hand out only ports free now.
        Some(_) => state.alloc_free_ports(&protos),
        None => state.alloc_ports(protos.len()),
    }
    .ok_or_else(|| no_capacity("no free host ports left".to_string()))?;
    Ok(image
        .ports
        .iter()
        .zip(protos)
        .zip(host_ports)
        .map(|((p, proto), host)| MappedPort {
            proto,
            container: p.container,
            host,
        })
        .collect())
}

/// A session process's environment: the image's defaults, then the
/// session's env, then what Gameye sets.
fn process_env(
    image: &ImageConfig,
    body: &RunRequest,
    id: &str,
    host: &str,
    ports: &[MappedPort],
) -> Vec<(String, String)> {
    let mut env: BTreeMap<String, String> = image.env.clone();
    env.extend(body.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    env.insert("GAMEYE_SESSION_ID".to_string(), id.to_string());
    env.insert("GAMEYE_HOST".to_string(), host.to_string());
    for p in ports {
        env.insert(
            format!(
                "GAMEYE_PORT_{}_{}",
                p.proto.to_ascii_uppercase(),
                p.container
            ),
            p.host.to_string(),
        );
    }
    env.into_iter().collect()
}

/// The spec's `SessionRunOk`.
#[derive(Serialize)]
struct RunOk<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    host: &'a str,
    ports: &'a [MappedPort],
}

impl Serialize for MappedPort {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("type", self.proto)?;
        m.serialize_entry("container", &self.container)?;
        m.serialize_entry("host", &self.host)?;
        m.end()
    }
}

/// The spec's `port` record: `{"80/tcp": 49160}`.
struct PortMap<'a>(&'a [MappedPort]);

impl Serialize for PortMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for p in self.0 {
            m.serialize_entry(&format_args!("{}/{}", p.container, p.proto), &p.host)?;
        }
        m.end()
    }
}

/// The spec's `SessionListEntry`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListEntry<'a> {
    id: &'a str,
    image: &'a str,
    tag: &'a str,
    location: &'a str,
    host: &'a str,
    created: i64,
    port: PortMap<'a>,
    status: &'static str,
    labels: &'a BTreeMap<String, String>,
    player_count: usize,
}

/// The spec's `DescribedSession`.
#[derive(Serialize)]
struct Described<'a> {
    id: &'a str,
    image: &'a str,
    tag: &'a str,
    location: &'a str,
    host: &'a str,
    created: i64,
    port: PortMap<'a>,
    status: &'static str,
    labels: &'a BTreeMap<String, String>,
    players: Players<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Players<'a> {
    joined: &'a [String],
    joined_count: usize,
}

/// Filters of `GET /session`, read from the raw query string.
#[derive(Default)]
struct ListQuery {
    all: bool,
    location: Option<String>,
    image: Option<String>,
    tag: Option<String>,
    host: Option<String>,
    players_lt: Option<i64>,
    players_gt: Option<i64>,
    labels: Vec<(String, String)>,
}

fn parse_list_query(query: &str) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        all: bool_param(query, "all")?,
        ..ListQuery::default()
    };
    let mut seen = std::collections::HashSet::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        // Every value the spec names is a single string or integer: a
        // repeated key (an array) or a nested deepObject key (an object) is
        // not one.
        if !seen.insert(k.clone()) {
            return Err(ApiError::invalid_query(&k, "must be given once"));
        }
        if k == "filter" || k == "playerCount" {
            return Err(ApiError::invalid_query(
                &k,
                "must be an object, sent as KEY[NAME]=VALUE",
            ));
        }
        if (k.starts_with("filter[") || k.starts_with("playerCount[")) && k.contains("][") {
            return Err(ApiError::invalid_query(&k, "must be a single value"));
        }
        if k == "filter[]" || k == "playerCount[]" {
            // PHP-style array syntax, not a deepObject property.
            return Err(ApiError::invalid_query(&k, "needs a property name"));
        }
        match k.as_ref() {
            "all" => {}
            "location" => q.location = Some(v.into_owned()),
            "image" => q.image = Some(v.into_owned()),
            "tag" => q.tag = Some(v.into_owned()),
            "host" => q.host = Some(v.into_owned()),
            key => {
                if let Some(label) = key
                    .strip_prefix("filter[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    q.labels.push((label.to_string(), v.into_owned()));
                } else if let Some(op) = key
                    .strip_prefix("playerCount[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    // Every key's value is an integer (the spec's
                    // additionalProperties); only lt and gt mean something.
                    let n = v
                        .parse::<i64>()
                        .map_err(|_| ApiError::invalid_query(key, "must be an integer"))?;
                    match op {
                        "lt" => q.players_lt = Some(n),
                        "gt" => q.players_gt = Some(n),
                        _ => {}
                    }
                }
                // Other parameters are ignored, as HTTP APIs usually do.
            }
        }
    }
    Ok(q)
}

/// `GET /session`: running sessions (or all with `all=true`) matching every
/// given filter, oldest first. Sessions of every token are visible.
pub(crate) fn list(shared: &Shared, req: &Req<'_>) -> Result<Response, ApiError> {
    authorize(shared, req, "session:read")?;
    let q = parse_list_query(req.query)?;
    let cfg = &shared.config;
    if q.host.as_ref().is_some_and(|h| *h != cfg.host) {
        return Ok(json_response(
            200,
            &ListOk {
                sessions: Vec::new(),
            },
        ));
    }
    let state = shared.lock();
    let mut matching: Vec<&Session> = state
        .sessions
        .values()
        .map(|s| &**s)
        .filter(|s| {
            let players = s.players.len() as i64;
            (q.all || s.status.is_active())
                && q.location
                    .as_ref()
                    .map_or(true, |l| *l == cfg.locations[s.location].id)
                && q.image.as_ref().map_or(true, |i| *i == s.image)
                && q.tag.as_ref().map_or(true, |t| *t == s.tag)
                && q.players_lt.map_or(true, |n| players < n)
                && q.players_gt.map_or(true, |n| players > n)
                && q.labels
                    .iter()
                    .all(|(k, v)| s.labels.get(k).is_some_and(|x| x == v))
        })
        .collect();
    matching.sort_unstable_by_key(|s| s.seq);
    let sessions = matching
        .into_iter()
        .map(|s| ListEntry {
            id: &s.id,
            image: &s.image,
            tag: &s.tag,
            location: &cfg.locations[s.location].id,
            host: &cfg.host,
            created: s.created,
            port: PortMap(&s.ports),
            status: s.status.as_str(),
            labels: &s.labels,
            player_count: s.players.len(),
        })
        .collect();
    Ok(json_response(200, &ListOk { sessions }))
}

#[derive(Serialize)]
struct ListOk<'a> {
    sessions: Vec<ListEntry<'a>>,
}

/// `GET /session/{id}`.
pub(crate) fn describe(shared: &Shared, req: &Req<'_>, id: &str) -> Result<Response, ApiError> {
    authorize(shared, req, "session:read")?;
    let cfg = &shared.config;
    let state = shared.lock();
    let s = state
        .sessions
        .get(id)
        .ok_or_else(|| ApiError::session_not_found(id))?;
    Ok(json_response(
        200,
        &Described {
            id: &s.id,
            image: &s.image,
            tag: &s.tag,
            location: &cfg.locations[s.location].id,
            host: &cfg.host,
            created: s.created,
            port: PortMap(&s.ports),
            status: s.status.as_str(),
            labels: &s.labels,
            players: Players {
                joined: &s.players,
                joined_count: s.players.len(),
            },
        },
    ))
}

/// `DELETE /session/{id}`: 204 and the session becomes `exited`; its ports
/// and its location's capacity are freed. A session running a process
/// answers once the process has ended (SIGTERM, then SIGKILL after the grace
/// period), so its logs and artifacts are final by the time the 204 arrives.
pub(crate) async fn stop(shared: &Shared, req: &Req<'_>, id: &str) -> Result<Response, ApiError> {
    authorize(shared, req, "session:stop")?;
    let proc = {
        let mut state = shared.lock();
        match state.sessions.get(id).map(|s| (s.status, s.proc.clone())) {
            None => return Err(ApiError::session_not_found(id)),
            Some((Status::Exited, _)) => {
                return Err(ApiError::new(
                    409,
                    "SESSION_ALREADY_TERMINATED",
                    "This session has already been terminated.",
                    format!("session {id:?} has exited"),
                ))
            }
            Some((_, proc)) => {
                state.stop(id, StopReason::Manual);
                proc
            }
        }
    };
    if let Some(proc) = proc {
        let limit = Duration::from_millis(shared.config.stop_grace_ms)
            .saturating_add(Duration::from_secs(5));
        proc.wait_ended(limit).await;
    }
    Ok(empty_response(204))
}
