//! The spec's `ErrorResponse` and the helpers that build HTTP responses.
//!
//! Every error the emulator sends carries all fields the spec marks required
//! (statusCode, code, message, details, path, identifier, timestamp), because
//! clients are tested against exactly this shape.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

/// One entry of `violations` (the spec's `FieldViolation`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Violation {
    pub field: String,
    pub description: String,
}

impl Violation {
    pub(crate) fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Violation {
            field: field.into(),
            description: description.into(),
        }
    }
}

/// An error before it knows which request path it answers.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: String,
    pub violations: Option<Vec<Violation>>,
    /// For a 405: the methods the path supports, sent as the `Allow` header
    /// (RFC 9110 requires it on every 405).
    pub allow: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    status_code: u16,
    code: &'a str,
    message: &'a str,
    details: &'a str,
    path: &'a str,
    identifier: String,
    timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    violations: Option<&'a [Violation]>,
}

impl ApiError {
    pub(crate) fn new(
        status: u16,
        code: &'static str,
        message: impl Into<String>,
        details: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: details.into(),
            violations: None,
            allow: None,
        }
    }

    pub(crate) fn unauthorized(details: &str) -> Self {
        Self::new(
            401,
            "UNAUTHORIZED",
            "You are not authorized. Please make sure that the included bearer token is correct.",
            details,
        )
    }

    pub(crate) fn forbidden(scope: &str) -> Self {
        Self::new(
            403,
            "FORBIDDEN",
            "Your API token may not have the required permissions to invoke this endpoint.",
            format!("the token lacks the scope {scope:?}"),
        )
    }

    pub(crate) fn validation(violations: Vec<Violation>) -> Self {
        let details = violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.description))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            status: 422,
            code: "VALIDATION_FAILED",
            message: "Bad request. The request body or parameters are invalid.".to_string(),
            details,
            violations: Some(violations),
            allow: None,
        }
    }

    /// A malformed query parameter value. The spec documents neither 400
    /// nor 422 for the endpoints that take such parameters (`GET /session`,
    /// `GET /logs`), so this is their documented 4xx that is not about the
    /// resource: 403, with code `INVALID_QUERY_PARAMETER` and the field in
    /// `violations` (see TESTING.md, "Where the spec is silent").
    pub(crate) fn invalid_query(field: &str, description: &str) -> Self {
        let mut err = Self::new(
            403,
            "INVALID_QUERY_PARAMETER",
            "A query parameter is invalid.",
            format!("{field}: {description}"),
        );
        err.violations = Some(vec![Violation::new(field, description)]);
        err
    }

    pub(crate) fn session_not_found(id: &str) -> Self {
        Self::new(
            404,
            "SESSION_NOT_FOUND",
            "The specified session does not exist.",
            format!("no session with id {id:?}"),
        )
    }

    /// The 404 for a query parameter that should name a session and is
    /// missing or empty.
    pub(crate) fn session_not_named(details: String) -> Self {
        Self::new(
            404,
            "SESSION_NOT_FOUND",
            "The specified session does not exist.",
            details,
        )
    }

    /// Renders the spec's `ErrorResponse` for a request to `path`.
    pub(crate) fn into_response(self, path: &str) -> Response {
        let body = ErrorBody {
            status_code: self.status,
            code: self.code,
            message: &self.message,
            details: &self.details,
            path,
            identifier: uuid::Uuid::new_v4().to_string(),
            timestamp: rfc3339_now(),
            violations: self.violations.as_deref(),
        };
        let mut resp = json_response(self.status, &body);
        if self.status == 401 {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(allow) = self.allow {
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        resp
    }
}

/// A response with a JSON body and `content-type: application/json`.
pub(crate) fn json_response<T: Serialize + ?Sized>(status: u16, value: &T) -> Response {
    // Serializing plain structs and maps cannot fail.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    raw_response(status, "application/json", bytes)
}

/// A response with the given body and content type.
pub(crate) fn raw_response(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status_code(status);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// A response with no body (204).
pub(crate) fn empty_response(status: u16) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status_code(status);
    resp
}

/// Statuses come from code and validated config, so the fallback is unreachable
/// in practice; 500 is the honest answer if it ever happens.
pub(crate) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Milliseconds since the Unix epoch, the unit of `created` in the spec.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The current time as RFC 3339 UTC with milliseconds, e.g.
/// `2024-05-01T12:00:00.123Z`. Hand-written to avoid a date crate for one format.
pub(crate) fn rfc3339_now() -> String {
    format_rfc3339_ms(now_ms())
}

pub(crate) fn format_rfc3339_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A 405 that lists the supported methods in its `Allow` header and details.
pub(crate) fn method_not_allowed(allow: &'static str) -> ApiError {
    let mut err = ApiError::new(
        405,
        "METHOD_NOT_ALLOWED",
        "The endpoint does not support this method.",
        format!("allowed: {allow}"),
    );
    err.allow = Some(allow);
    err
}

/// A canonical machine-readable code for an injected status.
pub(crate) fn code_for(status: u16) -> &'static str {
    match status {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        402 => "QUOTA_EXHAUSTED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        409 => "CONFLICT",
        420 => "NO_CAPACITY",
        422 => "VALIDATION_FAILED",
        429 => "TOO_MANY_REQUESTS",
        500 => "INTERNAL_SERVER_ERROR",
        502 => "BAD_GATEWAY",
        503 => "SERVICE_UNAVAILABLE",
        504 => "GATEWAY_TIMEOUT",
        _ => "INJECTED_FAULT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_rfc3339_ms(1_648_472_895_123),
            "2022-03-28T13:08:15.123Z"
        );
        assert_eq!(
            format_rfc3339_ms(951_782_400_000),
            "2000-02-29T00:00:00.000Z"
        );
    }
}
