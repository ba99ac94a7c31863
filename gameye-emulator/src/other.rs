//! The remaining endpoints of the spec: players, locations, tags, logs and
//! artifacts. They are simple, but present, so a client can exercise every
//! operation offline. Logs and artifacts are real for sessions that run a
//! process, synthetic for the others.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde::Serialize;
use tokio::sync::watch;

use crate::artifacts::{self, ArchiveError};
use crate::errors::{json_response, now_ms, raw_response, status_code, ApiError};
use crate::routes::{authorize, Req};
use crate::state::{Shared, Status};
use crate::validate;

fn image_not_found(image: &str) -> ApiError {
    ApiError::new(
        404,
        "IMAGE_NOT_FOUND",
        "Image not found or you are not authorized to use this image.",
        format!("no image {image:?}"),
    )
}

#[derive(Serialize)]
struct PlayersOk<'a> {
    count: usize,
    players: &'a [String],
}

/// `PUT /session/player/join`. The spec names no scope, so any valid token
/// may call it. Joining an exited session is a 404 (it no longer "exists" as
/// far as players are concerned); a player already in the session is not
/// added twice.
pub(crate) fn join(shared: &Shared, req: &Req<'_>) -> Result<Response, ApiError> {
    authorize(shared, req, "")?;
    let (id, players) = validate::join_request(req.body)?;
    let mut state = shared.lock();
    let session = state
        .sessions
        .get_mut(&id)
        .filter(|s| s.status.is_active())
        .ok_or_else(|| ApiError::session_not_found(&id))?;
    for p in &players {
        if !session.players.contains(p) {
            session.players.push(p.clone());
        }
    }
    Ok(json_response(
        200,
        &PlayersOk {
            count: session.players.len(),
            players: &players,
        },
    ))
}

/// `DELETE /session/player/leave`. The body names only players, so they are
/// removed from whichever running sessions hold them; `count` is the number of
/// players left in the first session touched. 404 when no session holds any.
pub(crate) fn leave(shared: &Shared, req: &Req<'_>) -> Result<Response, ApiError> {
    authorize(shared, req, "")?;
    let players = validate::leave_request(req.body)?;
    if players.is_empty() {
        // Nobody to remove: done, rather than a 404 for "no session holds
        // any of them", which would be vacuously true.
        return Ok(json_response(
            200,
            &PlayersOk {
                count: 0,
                players: &[],
            },
        ));
    }
    let mut state = shared.lock();
    let mut removed = Vec::new();
    let mut first: Option<(u64, usize)> = None;
    for s in state.sessions.values_mut() {
        if !s.status.is_active() {
            continue;
        }
        let before = s.players.len();
        s.players.retain(|p| {
            let leaving = players.contains(p);
            if leaving {
                removed.push(p.clone());
            }
            !leaving
        });
        if s.players.len() != before && first.is_none_or_older(s.seq) {
            first = Some((s.seq, s.players.len()));
        }
    }
    let Some((_, count)) = first else {
        return Err(ApiError::new(
            404,
            "SESSION_NOT_FOUND",
            "The provided session does not exist.",
            "no running session holds any of these players",
        ));
    };
    Ok(json_response(
        200,
        &PlayersOk {
            count,
            players: &removed,
        },
    ))
}

/// Small helper so "first" means the oldest session, not hash-map order.
trait OlderThan {
    fn is_none_or_older(&self, seq: u64) -> bool;
}

impl OlderThan for Option<(u64, usize)> {
    fn is_none_or_older(&self, seq: u64) -> bool {
        self.map_or(true, |(s, _)| seq < s)
    }
}

#[derive(Serialize)]
struct LocationEntry<'a> {
    id: &'a str,
    ips: &'a [String],
}

#[derive(Serialize)]
struct LocationsOk<'a> {
    locations: Vec<LocationEntry<'a>>,
}

/// `GET /available-location/{image}`: locations with free capacity.
pub(crate) fn available_locations(
    shared: &Shared,
    req: &Req<'_>,
    image: &str,
) -> Result<Response, ApiError> {
    authorize(shared, req, "regions:read")?;
    let cfg = &shared.config;
    if !cfg.images.iter().any(|i| i.name == image) {
        return Err(image_not_found(image));
    }
    let state = shared.lock();
    let locations = cfg
        .locations
        .iter()
        .enumerate()
        .filter(|(n, l)| state.running_per_location[*n] < l.capacity)
        .map(|(_, l)| LocationEntry {
            id: &l.id,
            ips: &l.ips,
        })
        .collect();
    Ok(json_response(200, &LocationsOk { locations }))
}

#[derive(Serialize)]
struct TagOk {
    exists: bool,
}

/// `GET /tag/{region}/{image}/{version}`.
pub(crate) fn tag_exists(
    shared: &Shared,
    req: &Req<'_>,
    region: &str,
    image: &str,
    version: &str,
) -> Result<Response, ApiError> {
    authorize(shared, req, "regions:read")?;
    let cfg = &shared.config;
    let img = cfg
        .images
        .iter()
        .find(|i| i.name == image)
        .ok_or_else(|| image_not_found(image))?;
    if !cfg.locations.iter().any(|l| l.id == region) {
        return Err(ApiError::new(
            404,
            "LOCATION_NOT_FOUND",
            "The requested location does not exist.",
            format!("no location {region:?}"),
        ));
    }
    Ok(json_response(
        200,
        &TagOk {
            exists: img.tags.iter().any(|t| t == version),
        },
    ))
}

/// A required query parameter that names a resource: missing or empty, it
/// names none, so the answer is the spec's 404 for that resource (the spec
/// documents no 400 or 422 for these endpoints). Given twice (an array, not
/// the string the spec names), it is a 403 [`ApiError::invalid_query`].
fn required_param(
    query: &str,
    name: &'static str,
    not_found: impl FnOnce(String) -> ApiError,
) -> Result<String, ApiError> {
    let mut values = form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == name);
    let value = values.next().map(|(_, v)| v.into_owned());
    if values.next().is_some() {
        return Err(ApiError::invalid_query(name, "must be given once"));
    }
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| not_found(format!("the query parameter {name:?} is missing or empty")))
}

/// Reads an optional boolean query parameter (`true`/`1`, `false`/`0`).
/// Anything else, the empty value included, is a 403
/// [`ApiError::invalid_query`].
pub(crate) fn bool_param(query: &str, name: &'static str) -> Result<bool, ApiError> {
    let mut value = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == name {
            if value.is_some() {
                return Err(ApiError::invalid_query(name, "must be given once"));
            }
            value = Some(match v.as_ref() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err(ApiError::invalid_query(name, "must be true or false")),
            });
        }
    }
    Ok(value.unwrap_or(false))
}

/// `GET /logs?id=..[&follow=true]`.
///
/// For a session running a process: its stdout and stderr so far, or with
/// `follow=true` a chunked stream of what exists and then each line as it is
/// written, ending when the process has ended for good (or the emulator
/// stops). For other sessions: a short synthetic log, returned whole even with
/// `follow=true`, which a following client sees as the session ending.
pub(crate) fn logs(
    shared: &Shared,
    req: &Req<'_>,
    shutdown: &watch::Receiver<bool>,
) -> Result<Response, ApiError> {
    authorize(shared, req, "logs:read")?;
    let id = required_param(req.query, "id", |details| {
        ApiError::new(
            404,
            "SESSION_NOT_FOUND",
            "The specified session does not exist.",
            details,
        )
    })?;
    let follow = bool_param(req.query, "follow")?;
    let state = shared.lock();
    let s = state
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::session_not_found(&id))?;
    if let Some(proc) = &s.proc {
        let proc = std::sync::Arc::clone(proc);
        drop(state);
        if !follow {
            return Ok(raw_response(200, LOG_CONTENT_TYPE, proc.log_text()));
        }
        let mut resp = Response::new(Body::from_stream(proc.follow(shutdown.clone())));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(LOG_CONTENT_TYPE),
        );
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(resp);
    }
    let mut text = format!(
        "[gameye-emulator] session {} started: image {}:{} in {}\n\
         [gameye-emulator] this is a synthetic log; the emulator runs no container\n",
        s.id, s.image, s.tag, shared.config.locations[s.location].id
    );
    if s.status == Status::Exited {
        text.push_str(&format!("[gameye-emulator] session {} exited\n", s.id));
    }
    Ok(raw_response(200, LOG_CONTENT_TYPE, text.into_bytes()))
}

fn artifact_not_found(details: String) -> ApiError {
    ApiError::new(
        404,
        "ARTIFACT_NOT_FOUND",
        "The requested file or folder does not exist in the session.",
        details,
    )
}

const LOG_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// The spec's content type for artifacts (the body is gzip-compressed).
const ARTIFACT_CONTENT_TYPE: &str = "application/x-tar";

/// `GET /artifacts?session=..&path=..`.
///
/// For a session that ran a process: once the process has ended (before that
/// 404, as the spec says artifacts exist only after termination), a
/// `.tar.gz` of the file or folder at `path`, where `/` is the session's
/// working directory; a path that leaves it is a 422, a missing one a 404.
/// The archive is built in a blocking task into a temporary file and
/// streamed. For other sessions: a real `.tar.gz` holding one small text
/// file named after `path`, so download code can be tested end to end.
pub(crate) async fn artifacts(shared: &Shared, req: &Req<'_>) -> Result<Response, ApiError> {
    authorize(shared, req, "artifact:read")?;
    let session = required_param(req.query, "session", |details| {
        ApiError::new(
            404,
            "SESSION_NOT_FOUND",
            "The specified session does not exist.",
            details,
        )
    })?;
    let path = required_param(req.query, "path", artifact_not_found)?;
    let proc = {
        let state = shared.lock();
        let s = state
            .sessions
            .get(&session)
            .ok_or_else(|| ApiError::session_not_found(&session))?;
        s.proc.clone()
    };
    let Some(proc) = proc else {
        let content = format!("gameye-emulator artifact of session {session} at {path}\n");
        let name = path.trim_start_matches('/');
        let name = if name.is_empty() { "artifact" } else { name };
        let tar = tar_one_file(name, content.as_bytes(), now_ms() / 1000);
        return Ok(raw_response(200, ARTIFACT_CONTENT_TYPE, gzip_stored(&tar)));
    };
    if !proc.has_ended() {
        return Err(ApiError::new(
            404,
            "ARTIFACT_NOT_AVAILABLE",
            "Artifacts are only available after the session has terminated.",
            format!(
                "session {session:?} is still running; stop it (DELETE /session/{session}) \
                 or wait for it to exit, then download its artifacts"
            ),
        ));
    }
    // The spec documents no 422 here; a path outside the session's root
    // holds nothing of the session's.
    let escapes = || {
        artifact_not_found(format!(
            "the path {path:?} leaves the session's root directory"
        ))
    };
    let rel = artifacts::relative_path(&path).ok_or_else(escapes)?;
    let root = proc.workdir.clone();
    let built = tokio::task::spawn_blocking(move || artifacts::build(&root, &rel))
        .await
        .unwrap_or_else(|e| Err(ArchiveError::Io(std::io::Error::other(e.to_string()))));
    let (file, len) = match built {
        Ok(f) => f,
        Err(ArchiveError::Escapes) => return Err(escapes()),
        Err(ArchiveError::NotFound) => {
            return Err(artifact_not_found(format!(
                "nothing at {path:?} in session {session:?}"
            )))
        }
        Err(ArchiveError::Io(e)) => {
            return Err(ApiError::new(
                500,
                "INTERNAL_SERVER_ERROR",
                "The artifact could not be archived.",
                e.to_string(),
            ))
        }
    };
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status_code(200);
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ARTIFACT_CONTENT_TYPE),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"artifact.tar.gz\""),
    );
    Ok(resp)
}

/// A ustar archive with one regular file. Names longer than the 100-byte
/// field keep their tail, which holds the file name.
fn tar_one_file(name: &str, data: &[u8], mtime: i64) -> Vec<u8> {
    let mut h = [0u8; 512];
    let name = name.as_bytes();
    let name = &name[name.len().saturating_sub(99)..];
    h[..name.len()].copy_from_slice(name);
    let mut field = |at: usize, len: usize, value: u64| {
        let s = format!("{value:0width$o}\0", width = len - 1);
        h[at..at + len].copy_from_slice(s.as_bytes());
    };
    field(100, 8, 0o644); // mode
    field(108, 8, 0); // uid
    field(116, 8, 0); // gid
    field(124, 12, data.len() as u64); // size
    field(136, 12, mtime.max(0) as u64); // mtime
    h[156] = b'0'; // regular file
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    // The checksum is computed with its own field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());

    let mut out = Vec::with_capacity(512 + data.len() + 512 + 1024);
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.resize(out.len() + 1024, 0); // end-of-archive marker
    out
}

/// Gzip with uncompressed ("stored") deflate blocks: valid for every gunzip,
/// and it spares a compression dependency for a test fixture.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn archive_unpacks_with_system_tar() {
        let tgz = gzip_stored(&tar_one_file("logs/crash.log", b"hello\n", 0));
        let dir = std::env::temp_dir().join(format!("gameye-emu-tar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.tar.gz");
        std::fs::write(&file, &tgz).unwrap();
        let status = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&file)
            .arg("-C")
            .arg(&dir)
            .status();
        if let Ok(status) = status {
            assert!(status.success());
            assert_eq!(
                std::fs::read(dir.join("logs/crash.log")).unwrap(),
                b"hello\n"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
