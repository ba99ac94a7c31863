//! Session endpoints: start (`POST /session`), list (`GET /session`),
//! describe (`GET /session/{id}`) and stop (`DELETE /session/{id}`).

use std::collections::BTreeMap;
use std::fmt;

use http::Method;
use serde::{Deserialize, Deserializer, Serialize};

use crate::call::Call;
use crate::client::Client;
use crate::diagnostics::{log_event, LogLevel};
use crate::error::{Error, ErrorKind, Result};
use crate::request::{IntoValidSessionRun, SessionRun, ValidSessionRun};
use crate::response::{decode_json, Port, Protocol, Response, Session};

/// The runtime status of a session's container (the spec's `SessionStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// `created`
    Created,
    /// `running`
    Running,
    /// `restarting`
    Restarting,
    /// `exited`
    Exited,
    /// `dead`
    Dead,
    /// `draining`
    Draining,
    /// `shuttingdown`
    ShuttingDown,
    /// `server_unreachable`
    ServerUnreachable,
    /// A status a newer server sends that this version does not know.
    Other(String),
}

impl SessionStatus {
    /// The status as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            SessionStatus::Created => "created",
            SessionStatus::Running => "running",
            SessionStatus::Restarting => "restarting",
            SessionStatus::Exited => "exited",
            SessionStatus::Dead => "dead",
            SessionStatus::Draining => "draining",
            SessionStatus::ShuttingDown => "shuttingdown",
            SessionStatus::ServerUnreachable => "server_unreachable",
            SessionStatus::Other(s) => s,
        }
    }

    fn parse(s: String) -> Self {
        match s.as_str() {
            "created" => SessionStatus::Created,
            "running" => SessionStatus::Running,
            "restarting" => SessionStatus::Restarting,
            "exited" => SessionStatus::Exited,
            "dead" => SessionStatus::Dead,
            "draining" => SessionStatus::Draining,
            "shuttingdown" => SessionStatus::ShuttingDown,
            "server_unreachable" => SessionStatus::ServerUnreachable,
            _ => SessionStatus::Other(s),
        }
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SessionStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(SessionStatus::parse)
    }
}

impl Serialize for SessionStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One entry of `GET /session` (the spec's `SessionListEntry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    /// The session id.
    pub id: String,
    /// The image name.
    pub image: String,
    /// The image tag, when the server says.
    #[serde(default)]
    pub tag: Option<String>,
    /// The location.
    pub location: String,
    /// The host IP address.
    pub host: String,
    /// Creation time, milliseconds since the Unix epoch.
    #[serde(deserialize_with = "millis")]
    pub created: i64,
    /// Exposed ports as the API gives them: `{"80/tcp": 49160}`.
    pub port: BTreeMap<String, u16>,
    /// The status, when the server says.
    #[serde(default)]
    pub status: Option<SessionStatus>,
    /// User-defined labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The number of players, when known (missing or null otherwise).
    #[serde(default)]
    pub player_count: Option<i64>,
}

/// The players of a described session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Players {
    /// The ids of the players who joined.
    #[serde(default)]
    pub joined: Vec<String>,
    /// How many players joined.
    #[serde(default)]
    pub joined_count: i64,
}

/// `GET /session/{id}` (the spec's `DescribedSession`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDetails {
    /// The session id.
    pub id: String,
    /// The image name.
    pub image: String,
    /// The image tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// The location.
    pub location: String,
    /// The host IP address.
    pub host: String,
    /// Creation time, milliseconds since the Unix epoch.
    #[serde(deserialize_with = "millis")]
    pub created: i64,
    /// Exposed ports as the API gives them: `{"80/tcp": 49160}`.
    pub port: BTreeMap<String, u16>,
    /// The status.
    pub status: SessionStatus,
    /// User-defined labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The players who joined.
    #[serde(default)]
    pub players: Players,
}

/// Typed ports from the API's `{"80/tcp": 49160}` map. A key without a
/// protocol is TCP (Docker's default); a key that is not a port is skipped.
pub fn ports_from_map(map: &BTreeMap<String, u16>) -> Vec<Port> {
    map.iter()
        .filter_map(|(key, &host)| {
            let (port, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
            let container = port.parse::<u16>().ok()?;
            let protocol = match proto.to_ascii_lowercase().as_str() {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                other => Protocol::Other(other.to_owned()),
            };
            Some(Port {
                protocol,
                container,
                host,
            })
        })
        .collect()
}

impl SessionSummary {
    /// The ports as typed [`Port`]s.
    pub fn ports(&self) -> Vec<Port> {
        ports_from_map(&self.port)
    }
}

impl SessionDetails {
    /// The ports as typed [`Port`]s.
    pub fn ports(&self) -> Vec<Port> {
        ports_from_map(&self.port)
    }
}

/// The spec types `created` as a number; servers send integer milliseconds,
/// but a float must not fail the whole list.
fn millis<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
        .ok_or_else(|| serde::de::Error::custom(format!("created is not a timestamp: {n}")))
}

#[derive(Deserialize)]
pub(crate) struct SessionListOk {
    pub(crate) sessions: Vec<SessionSummary>,
}

/// Filters of `GET /session`. The default lists every running session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Include sessions in every status, not only running ones (`all=true`).
    pub all: bool,
    /// Only this location.
    pub location: Option<String>,
    /// Only this image.
    pub image: Option<String>,
    /// Only this tag.
    pub tag: Option<String>,
    /// Only this host IP.
    pub host: Option<String>,
    /// Only sessions with fewer players than this (`playerCount[lt]`).
    pub player_count_lt: Option<i64>,
    /// Only sessions with more players than this (`playerCount[gt]`).
    pub player_count_gt: Option<i64>,
    /// Only sessions with all these labels (`filter[KEY]=VALUE`).
    pub labels: BTreeMap<String, String>,
}

/// The JSON form of [`ListFilter`], as C callers give it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFilterJson {
    #[serde(default)]
    all: bool,
    location: Option<String>,
    image: Option<String>,
    tag: Option<String>,
    host: Option<String>,
    player_count_lt: Option<i64>,
    player_count_gt: Option<i64>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

impl ListFilter {
    /// Parses `{"all": true, "location": "...", "image": "...", "tag": "...",
    /// "host": "...", "player_count_lt": N, "player_count_gt": N,
    /// "labels": {"KEY": "VALUE"}}`; every field is optional, unknown fields
    /// are errors.
    pub fn from_json(json: &str) -> Result<Self> {
        let f: ListFilterJson = serde_json::from_str(json).map_err(|e| {
            crate::Error::invalid_request(vec![crate::Violation::new(
                "(filter)",
                format!("not a valid list filter: {e}"),
            )])
        })?;
        Ok(ListFilter {
            all: f.all,
            location: f.location,
            image: f.image,
            tag: f.tag,
            host: f.host,
            player_count_lt: f.player_count_lt,
            player_count_gt: f.player_count_gt,
            labels: f.labels,
        })
    }

    fn apply(&self, mut call: Call) -> Call {
        if self.all {
            call = call.query("all", "true");
        }
        for (key, value) in [
            ("location", &self.location),
            ("image", &self.image),
            ("tag", &self.tag),
            ("host", &self.host),
        ] {
            if let Some(v) = value {
                call = call.query(key, v.as_str());
            }
        }
        if let Some(n) = self.player_count_lt {
            call = call.query("playerCount[lt]", n.to_string());
        }
        if let Some(n) = self.player_count_gt {
            call = call.query("playerCount[gt]", n.to_string());
        }
        for (k, v) in &self.labels {
            call = call.query(format!("filter[{k}]"), v.as_str());
        }
        call
    }
}

/// How [`Client::stop_session`] treats a session that is already gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopOptions {
    /// Count 404 (no such session) and 409 (already terminated) as stopped,
    /// so a retried or repeated stop succeeds.
    pub idempotent: bool,
}

/// What a stop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopOutcome {
    /// 204: the session was running and is now terminated.
    Stopped,
    /// 409 with `idempotent`: the session had already terminated.
    AlreadyStopped,
    /// 404 with `idempotent`: no such session (never existed or expired).
    NotFound,
}

/// A fresh UUIDv4 for a create's `id` (what makes its retries
/// idempotent). Drawn from a user-space generator per thread rather than a
/// `getrandom` system call per create (BENCHMARKS.md): unique, not secret
/// (the id is no credential). Seeded from the OS, and again after a
/// `fork()`: a child's copy of the generator would repeat the parent's ids.
pub(crate) fn new_session_id() -> String {
    thread_local! {
        /// The generator and the fork generation it was seeded in.
        static IDS: std::cell::Cell<Option<(u64, fastrand::Rng)>> =
            const { std::cell::Cell::new(None) };
    }
    let generation = crate::fork::generation();
    let bits = IDS
        .try_with(|ids| {
            let mut rng = match ids.take() {
                Some((seeded_in, rng)) if seeded_in == generation => rng,
                _ => fastrand::Rng::with_seed(uuid::Uuid::new_v4().as_u64_pair().0),
            };
            let bits = rng.u128(..);
            ids.set(Some((generation, rng)));
            bits
        })
        // During thread teardown: straight from the OS.
        .unwrap_or_else(|_| uuid::Uuid::new_v4().as_u128());
    uuid::Builder::from_random_bytes(bits.to_le_bytes())
        .into_uuid()
        .to_string()
}

impl Client {
    /// Starts a session (`POST /session`), blocking the calling thread.
    ///
    /// A [`SessionRun`] is validated first; a [`ValidSessionRun`] (from
    /// [`SessionRun::from_json`] or [`SessionRun::validated`]) was validated
    /// already and is not checked again. When it has no `id`, a UUIDv4 is
    /// generated before sending, so the returned [`Session::id`] is known even
    /// if the server's answer omits it.
    pub fn create_session(&self, request: impl IntoValidSessionRun) -> Result<Response<Session>> {
        let request = request.into_valid()?;
        self.block_on(|c| async move { c.create_session_impl(request).await })
    }

    /// Starts a session (`POST /session`) from async code.
    pub async fn create_session_async(
        &self,
        request: impl IntoValidSessionRun,
    ) -> Result<Response<Session>> {
        let (this, request) = (self.clone(), request.into_valid()?);
        self.spawn(async move { this.create_session_impl(request).await })
            .await
    }

    /// The one create: `request` was validated on the way here, once.
    pub(crate) async fn create_session_impl(
        &self,
        request: ValidSessionRun,
    ) -> Result<Response<Session>> {
        let mut request = request.into_inner();
        let id = request.id.get_or_insert_with(new_session_id).clone();
        let call = Call::new(Method::POST, &["session"]).json(&request)?;
        let created = async {
            let raw = self.send(call).await?;
            if raw.status == 409 && raw.attempts.ambiguous {
                return self.recover_created(&request, raw.attempts.count).await;
            }
            raw.into_result(|status, body| Session::decode_created(status, body, &id))
        };
        // Redacted here already, not only when the call returns: placement
        // keeps a failed create's text in its successful result.
        created
            .await
            .map_err(|e| e.redact(self.config().token.expose()))
    }

    /// A retried create met 409 for its own id: an earlier attempt created
    /// the session but its answer was lost. Describe it and return it as the
    /// success it was, provided it is the session this request asked for:
    /// the description must name the id this call sent (a server that
    /// answers with another session's must not hand it over), and the
    /// image and location it asked for. Anything else is a `Conflict`
    /// naming both ids. `attempts` stays the create's: the description is
    /// another request, not an attempt of this one.
    async fn recover_created(
        &self,
        request: &SessionRun,
        attempts: u32,
    ) -> Result<Response<Session>> {
        let id = request.id.clone().unwrap_or_default();
        let conflict = |why: &str| {
            Error::new(
                ErrorKind::Conflict,
                format!("session id {id:?} is taken after a retried create: {why}"),
            )
            .with_http_status(409)
            .with_attempts(attempts)
        };
        let described = self
            .get_session_impl(id.clone())
            .await
            .map_err(|e| conflict(&format!("describing it failed: {e}")))?;
        let d = &described.value;
        if d.id != id {
            return Err(conflict(&format!(
                "describing it returned session {:?} (host {:?}) instead",
                d.id, d.host
            ))
            .with_details(format!(
                "sent session id {id:?}, described session id {:?}",
                d.id
            )));
        }
        if d.image != request.image || d.location != request.location {
            return Err(conflict("it belongs to another image or location"));
        }
        log_event!(
            LogLevel::Info,
            "create recovered after a lost response: session {:?} exists",
            d.id
        );
        Ok(Response {
            value: Session {
                id: d.id.clone(),
                host: d.host.clone(),
                ports: d.ports(),
            },
            http_status: described.http_status,
            body: described.body,
            attempts,
        })
    }

    /// Lists sessions (`GET /session`): running ones, or all with `filter.all`.
    pub fn list_sessions(&self, filter: &ListFilter) -> Result<Response<Vec<SessionSummary>>> {
        self.block_on(|c| async move { c.list_sessions_impl(filter.clone()).await })
    }

    /// Lists sessions (`GET /session`) from async code.
    pub async fn list_sessions_async(
        &self,
        filter: &ListFilter,
    ) -> Result<Response<Vec<SessionSummary>>> {
        let (this, filter) = (self.clone(), filter.clone());
        self.spawn(async move { this.list_sessions_impl(filter).await })
            .await
    }

    async fn list_sessions_impl(
        &self,
        filter: ListFilter,
    ) -> Result<Response<Vec<SessionSummary>>> {
        let call = filter.apply(Call::new(Method::GET, &["session"]));
        self.send(call).await?.into_result(|status, body| {
            decode_json::<SessionListOk>(status, body).map(|ok| ok.sessions)
        })
    }

    /// Describes one session (`GET /session/{id}`), with its players.
    pub fn get_session(&self, id: &str) -> Result<Response<SessionDetails>> {
        self.block_on(|c| async move { c.get_session_impl(id.to_owned()).await })
    }

    /// Describes one session (`GET /session/{id}`) from async code.
    pub async fn get_session_async(&self, id: &str) -> Result<Response<SessionDetails>> {
        let (this, id) = (self.clone(), id.to_owned());
        self.spawn(async move { this.get_session_impl(id).await })
            .await
    }

    pub(crate) async fn get_session_impl(&self, id: String) -> Result<Response<SessionDetails>> {
        let call = Call::new(Method::GET, &["session"]).param("id", &id)?;
        self.send(call).await?.into_result(decode_json)
    }

    /// Stops a session (`DELETE /session/{id}`); the container gets SIGTERM.
    /// 404 and 409 are errors unless `options.idempotent` is set.
    pub fn stop_session(&self, id: &str, options: StopOptions) -> Result<Response<StopOutcome>> {
        self.block_on(|c| async move { c.stop_session_impl(id.to_owned(), options).await })
    }

    /// Stops a session (`DELETE /session/{id}`) from async code.
    pub async fn stop_session_async(
        &self,
        id: &str,
        options: StopOptions,
    ) -> Result<Response<StopOutcome>> {
        let (this, id) = (self.clone(), id.to_owned());
        self.spawn(async move { this.stop_session_impl(id, options).await })
            .await
    }

    async fn stop_session_impl(
        &self,
        id: String,
        options: StopOptions,
    ) -> Result<Response<StopOutcome>> {
        let call = Call::new(Method::DELETE, &["session"]).param("id", &id)?;
        let raw = self.send(call).await?;
        let outcome = match (raw.status, options.idempotent) {
            (200..=299, _) => StopOutcome::Stopped,
            // "Already terminated" (or "no such session", once it is gone)
            // right after an attempt whose answer was lost: that attempt is
            // what stopped it.
            (409 | 404, _) if raw.attempts.ambiguous => StopOutcome::Stopped,
            (409, true) => StopOutcome::AlreadyStopped,
            (404, true) => StopOutcome::NotFound,
            _ => return Err(raw.into_error()),
        };
        Ok(Response {
            value: outcome,
            http_status: raw.status,
            body: raw.body,
            attempts: raw.attempts.count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_forked_child_draws_other_session_ids_than_its_parent() {
        let _ = new_session_id(); // the generator exists before the fork
        let mut fds = [0; 2];
        // SAFETY: a pipe into a local array; the child only draws an id,
        // writes it and leaves with `_exit` (no destructor, no test harness).
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let pid = libc::fork();
            assert!(pid >= 0);
            if pid == 0 {
                let id = new_session_id();
                libc::write(fds[1], id.as_ptr().cast(), id.len());
                libc::_exit(0);
            }
            let mut buf = [0u8; 36];
            let n = libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len());
            libc::waitpid(pid, std::ptr::null_mut(), 0);
            libc::close(fds[0]);
            libc::close(fds[1]);
            assert_eq!(n, 36);
            let child = std::str::from_utf8(&buf).unwrap().to_owned();
            assert_ne!(
                child,
                new_session_id(),
                "the child repeated the parent's next id"
            );
        }
    }

    #[test]
    fn session_ids_are_distinct_uuid_v4s() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_session_id()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            let uuid = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(uuid.get_version_num(), 4, "{id}");
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
    }

    #[test]
    fn list_entries_decode_as_the_spec_gives_them() {
        let body = br#"{"sessions":[
            {"id":"a","image":"nginx","location":"europe","host":"1.2.3.4","created":1648472895000,
             "port":{"80/tcp":49160,"7777/udp":49161,"bogus":1},"labels":{"k":"v"},"playerCount":null,
             "status":"warming_up"},
            {"id":"b","image":"nginx","location":"europe","host":"h","created":1.5e12,"port":{},"playerCount":3,"extra":1}
        ]}"#;
        let list: SessionListOk = serde_json::from_slice(body).unwrap();
        let a = &list.sessions[0];
        assert_eq!(a.created, 1_648_472_895_000);
        assert_eq!(a.player_count, None);
        assert_eq!(a.status, Some(SessionStatus::Other("warming_up".into())));
        let ports = a.ports();
        assert_eq!(ports.len(), 2, "unparsable keys are skipped");
        assert!(ports.contains(&Port {
            protocol: Protocol::Udp,
            container: 7777,
            host: 49161
        }));
        assert_eq!(list.sessions[1].player_count, Some(3));
        assert_eq!(list.sessions[1].created, 1_500_000_000_000);
    }

    #[test]
    fn filters_become_the_spec_query() {
        let f = ListFilter {
            all: true,
            location: Some("europe".into()),
            player_count_lt: Some(8),
            player_count_gt: Some(0),
            labels: [("mode".to_string(), "duel & co".to_string())].into(),
            ..ListFilter::default()
        };
        let call = f.apply(Call::new(Method::GET, &["session"]));
        let q: Vec<_> = call.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            q,
            [
                "all=true",
                "location=europe",
                "playerCount[lt]=8",
                "playerCount[gt]=0",
                "filter[mode]=duel & co"
            ]
        );
    }

    #[test]
    fn status_round_trips() {
        for s in [
            "created",
            "running",
            "restarting",
            "exited",
            "dead",
            "draining",
            "shuttingdown",
            "server_unreachable",
            "new",
        ] {
            let st: SessionStatus = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert_eq!(st.as_str(), s);
        }
    }
}
