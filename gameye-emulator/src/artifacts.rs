//! `GET /artifacts`: a `.tar.gz` of a file or folder of a session. Real for
//! sessions that ran a process, synthetic for the others.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;

use crate::archive::{self, ArchiveError};
use crate::errors::{raw_response, status_code, ApiError};
use crate::request::{authorize, required_param, Req};
use crate::state::Shared;

fn artifact_not_found(details: String) -> ApiError {
    ApiError::new(
        404,
        "ARTIFACT_NOT_FOUND",
        "The requested file or folder does not exist in the session.",
        details,
    )
}

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
    let session = required_param(req.query, "session", ApiError::session_not_named)?;
    let path = required_param(req.query, "path", artifact_not_found)?;
    let (proc, created_ms) = {
        let state = shared.lock();
        let s = state
            .sessions
            .get(&session)
            .ok_or_else(|| ApiError::session_not_found(&session))?;
        (s.proc.clone(), s.created)
    };
    let Some(proc) = proc else {
        let content = format!("gameye-emulator artifact of session {session} at {path}\n");
        let name = path.trim_start_matches('/');
        let name = if name.is_empty() { "artifact" } else { name };
        // Dated by the session, not the clock: the same download twice gives
        // the same bytes.
        let tar = archive::tar_one_file(name, content.as_bytes(), created_ms / 1000);
        return Ok(raw_response(
            200,
            ARTIFACT_CONTENT_TYPE,
            archive::gzip_stored(&tar),
        ));
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
    let rel = archive::relative_path(&path).ok_or_else(escapes)?;
    let root = proc.workdir.clone();
    let built = tokio::task::spawn_blocking(move || archive::build(&root, &rel))
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
