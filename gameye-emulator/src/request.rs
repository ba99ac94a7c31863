//! What every endpoint handler is given, and the checks each starts with:
//! the server's context ([`App`]), the request ([`Req`]), the bearer token
//! and scope ([`authorize`]), and the query parameters.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method};
use tokio::sync::watch;

use crate::errors::ApiError;
use crate::state::Shared;

/// Per-server context: the shared emulator plus the shutdown signal that
/// wakes stalled and delayed requests, so a graceful stop never waits on them.
pub(crate) struct App {
    pub shared: Arc<Shared>,
    pub shutdown: watch::Receiver<bool>,
}

/// One request as the endpoint handlers see it (body already read).
pub(crate) struct Req<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
    /// Set by the `omit_id` fault: drop `id` from a 201 body.
    pub omit_id: bool,
}

/// Checks the bearer token and, if `scope` is non-empty, that the token holds
/// it. Returns the token's index in the config.
pub(crate) fn authorize(shared: &Shared, req: &Req<'_>, scope: &str) -> Result<usize, ApiError> {
    let value = req
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("the Authorization header is missing"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
    // The scheme name is case-insensitive (RFC 7235).
    let token = match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => value[7..].trim(),
        _ => {
            return Err(ApiError::unauthorized(
                "the Authorization header must be \"Bearer <token>\"",
            ))
        }
    };
    let idx = shared
        .config
        .tokens
        .iter()
        .position(|t| t.token == token)
        .ok_or_else(|| ApiError::unauthorized("the bearer token is not known"))?;
    if !scope.is_empty() && !shared.config.tokens[idx].scopes.iter().any(|s| s == scope) {
        return Err(ApiError::forbidden(scope));
    }
    Ok(idx)
}

/// A required query parameter that names a resource: missing or empty, it
/// names none, so the answer is the spec's 404 for that resource (the spec
/// documents no 400 or 422 for these endpoints). Given twice (an array, not
/// the string the spec names), it is a 403 [`ApiError::invalid_query`].
pub(crate) fn required_param(
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
