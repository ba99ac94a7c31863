//! The one error type of the SDK: every failure, client-side or server-side,
//! is an [`Error`] whose [`ErrorKind`] says which case it is.

use std::fmt;

use serde::Deserialize;

/// How many bytes of an unexpected response body an error keeps, so that a
/// proxy's HTML page or a truncated body can be diagnosed without holding it all.
pub const BODY_EXCERPT_LIMIT: usize = 512;

/// Which case an [`Error`] is. Stable: bindings map each kind to a status or
/// an exception class, so new kinds are only ever added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request failed client-side validation and was not sent.
    InvalidRequest,
    /// The client configuration is invalid (missing token, bad URL, insecure URL).
    InvalidConfig,
    /// 401: the bearer token is missing or wrong.
    Unauthorized,
    /// 402: the organization's quota is exhausted.
    QuotaExhausted,
    /// 403: the token lacks the scope this endpoint needs.
    Forbidden,
    /// 404: the location, image, tag, organization or session does not exist.
    NotFound,
    /// 409: the session id is taken (create) or the session already stopped (stop).
    Conflict,
    /// 420: no capacity in the location, or too many sessions started too fast. Retry later.
    NoCapacity,
    /// 422: the server rejected the request syntax; see [`Error::violations`].
    InvalidSyntax,
    /// Any other 4xx status.
    ClientError,
    /// Any 5xx status.
    ServerError,
    /// The connection could not be established (refused, DNS, unreachable).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connect or request timeout ran out before a full response arrived.
    Timeout,
    /// Any other transport failure (connection reset, broken body stream).
    Transport,
    /// The response did not have the shape the spec gives (HTML from a proxy,
    /// malformed JSON, a body over the size limit).
    Decode,
    /// Writing a download to the caller's file or writer failed.
    Io,
    /// The caller cancelled the call before it finished.
    Cancelled,
    /// The OS lets this process send no ICMP echo (no unprivileged ICMP
    /// socket, no raw socket); the message names the cause and the fix.
    PingNotPermitted,
}

impl ErrorKind {
    /// The kind an HTTP error status maps to, or `None` for a non-error status.
    pub fn from_http_status(status: u16) -> Option<ErrorKind> {
        Some(match status {
            401 => ErrorKind::Unauthorized,
            402 => ErrorKind::QuotaExhausted,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            420 => ErrorKind::NoCapacity,
            422 => ErrorKind::InvalidSyntax,
            400..=499 => ErrorKind::ClientError,
            500..=599 => ErrorKind::ServerError,
            _ => return None,
        })
    }

    /// A short lowercase description, used as the prefix of error messages.
    pub fn description(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::InvalidConfig => "invalid client configuration",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::QuotaExhausted => "quota exhausted",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::NoCapacity => "no capacity, retry later",
            ErrorKind::InvalidSyntax => "invalid syntax",
            ErrorKind::ClientError => "client error",
            ErrorKind::ServerError => "server error",
            ErrorKind::Connect => "connection failed",
            ErrorKind::Tls => "TLS failure",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "transport failure",
            ErrorKind::Decode => "unexpected response",
            ErrorKind::Io => "local I/O failure",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::PingNotPermitted => "ICMP ping not permitted",
        }
    }
}

/// One problem with one field, as the spec's `FieldViolation`. Client-side
/// validation produces the same shape, so callers handle both alike.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Violation {
    /// The field, as a path such as `location`, `env.PORT` or `args[2]`.
    pub field: String,
    /// What is wrong with it.
    pub description: String,
}

impl Violation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Violation {
            field: field.into(),
            description: description.into(),
        }
    }
}

/// The spec's `ErrorResponse` body, kept field by field as the server sent it.
/// Every field is optional because a server (or a proxy) may omit any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    /// `statusCode`: the status the server says it answered with.
    pub status_code: Option<i64>,
    /// `code`: the server's machine-readable error code.
    pub code: Option<String>,
    /// `message`: the server's human-readable message.
    pub message: Option<String>,
    /// `details`: optional further explanation.
    pub details: Option<String>,
    /// `path`: the request path the server saw.
    pub path: Option<String>,
    /// `timestamp`: when the server answered.
    pub timestamp: Option<String>,
    /// `identifier`: the server's id of this request, for support tickets.
    pub identifier: Option<String>,
    /// `violations`: per-field problems (422).
    pub violations: Option<Vec<Violation>>,
}

/// Any failure of an SDK call. Never contains the API token: a token that
/// a server (or proxy) echoes back is replaced by `<redacted>` in every
/// text the error keeps (message, details and the other `ErrorResponse`
/// fields, violations, the body and its excerpt) before the client
/// returns it.
/// One pointer wide, so `Result`s stay small on the success path.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    http_status: Option<u16>,
    api: Option<Box<ApiErrorBody>>,
    violations: Vec<Violation>,
    body_excerpt: Option<String>,
    body: Option<Vec<u8>>,
    retry_after: Option<std::time::Duration>,
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                http_status: None,
                api: None,
                violations: Vec::new(),
                body_excerpt: None,
                body: None,
                retry_after: None,
                attempts: 0,
                source: None,
            }),
        }
    }

    /// A client-side validation failure listing every bad field.
    pub fn invalid_request(violations: Vec<Violation>) -> Self {
        let message = violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.description))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Error::new(ErrorKind::InvalidRequest, message);
        e.inner.violations = violations;
        e
    }

    /// An invalid client configuration, naming the option.
    pub fn invalid_config(field: &str, description: impl fmt::Display) -> Self {
        let mut e = Error::new(ErrorKind::InvalidConfig, format!("{field}: {description}"));
        e.inner.violations = vec![Violation::new(field, description.to_string())];
        e
    }

    /// A response that does not match the spec, keeping a bounded excerpt of the body.
    pub fn decode(http_status: u16, message: impl Into<String>, body: &[u8]) -> Self {
        let mut e = Error::new(ErrorKind::Decode, message);
        e.inner.http_status = Some(http_status);
        e.inner.body_excerpt = Some(excerpt(body));
        e.inner.body = Some(body.to_vec());
        e
    }

    /// The error for a non-success HTTP status, from the response body.
    /// A body that is not an `ErrorResponse` is kept as an excerpt.
    pub fn from_response(http_status: u16, body: &[u8]) -> Self {
        let kind = ErrorKind::from_http_status(http_status).unwrap_or(ErrorKind::Decode);
        let parsed = serde_json::from_slice::<ApiErrorBody>(body).ok();
        let message = match parsed.as_ref().and_then(|b| b.message.as_deref()) {
            Some(m) if !m.is_empty() => m.to_owned(),
            _ => format!("HTTP {http_status}"),
        };
        let mut e = Error::new(kind, message);
        e.inner.http_status = Some(http_status);
        e.inner.body = Some(body.to_vec());
        match parsed {
            Some(mut body) => {
                e.inner.violations = body.violations.take().unwrap_or_default();
                e.inner.api = Some(Box::new(body));
            }
            None if !body.is_empty() => e.inner.body_excerpt = Some(excerpt(body)),
            None => {}
        }
        e
    }

    /// A 3xx answer: the API has no redirects, so none is followed (the
    /// token must not travel to another origin or over plain http). The
    /// `Location` is the error's [`Error::details`].
    pub(crate) fn redirect(http_status: u16, location: Option<&str>, body: &[u8]) -> Self {
        let location = location.unwrap_or("(no Location header)");
        let mut e = Error::new(
            ErrorKind::ClientError,
            "redirect not followed (the API has none); Location",
        );
        e.inner.http_status = Some(http_status);
        e.inner.body = Some(body.to_vec());
        e.inner.api = Some(Box::new(ApiErrorBody {
            details: Some(location.to_owned()),
            ..ApiErrorBody::default()
        }));
        e
    }

    /// This error with `details` as its details, for errors the client
    /// makes itself (a refused recovery names what it found there).
    pub(crate) fn with_details(mut self, details: impl Into<String>) -> Self {
        let api = self.inner.api.get_or_insert_with(Box::default);
        api.details = Some(details.into());
        self
    }

    /// This error with the HTTP status of the response behind it.
    pub(crate) fn with_http_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    /// This error with every occurrence of `secret` (the API token) replaced
    /// by [`REDACTED`] in all the text it holds: message, the server's
    /// `ErrorResponse` fields, violations, the body and its excerpt, the
    /// source's text. A server that echoes the request (its `Authorization`
    /// header) must not make the SDK show the token. Forms a server may
    /// echo it in are found too (JSON- or `Debug`-escaped, percent-encoded),
    /// as is a cut-off token at the end of a truncated body. A secret
    /// shorter than [`MIN_REDACTED_LEN`] is left alone: its letters occur in
    /// ordinary text by chance, and it guards nothing.
    pub(crate) fn redact(mut self, secret: &str) -> Error {
        let Some(secret) = Secret::new(secret) else {
            return self;
        };
        let inner = &mut *self.inner;
        secret.in_string(&mut inner.message);
        for v in &mut inner.violations {
            secret.in_string(&mut v.field);
            secret.in_string(&mut v.description);
        }
        if let Some(api) = inner.api.as_deref_mut() {
            for text in [
                &mut api.code,
                &mut api.message,
                &mut api.details,
                &mut api.path,
                &mut api.timestamp,
                &mut api.identifier,
            ]
            .into_iter()
            .flatten()
            {
                secret.in_string(text);
            }
            for v in api.violations.iter_mut().flatten() {
                secret.in_string(&mut v.field);
                secret.in_string(&mut v.description);
            }
        }
        if let Some(body) = &mut inner.body {
            secret.in_body(body);
        }
        // The excerpt is cut from the redacted body again: cut from the
        // original, it may end inside the token, where no search finds it.
        match (&inner.body, &mut inner.body_excerpt) {
            (Some(body), Some(ex)) => *ex = excerpt(body),
            (None, Some(ex)) => {
                secret.in_string(ex);
            }
            _ => {}
        }
        if let Some(source) = &inner.source {
            let mut text = source.to_string();
            if secret.in_string(&mut text) {
                inner.source = Some(Box::new(RedactedSource(text)));
            }
        }
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<std::time::Duration>) -> Self {
        self.inner.retry_after = after;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// How many attempts of the retry policy the call made before failing:
    /// 0 when nothing was sent (client-side validation), 1 without retries,
    /// never more than the policy's `max_attempts`. Not counted: a request
    /// that reads back what a lost attempt did (the describe after a
    /// retried create or join met 409), and the re-send after a stale kept
    /// connection. `create_session_near` adds up the creates of each
    /// location it tried.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Which case this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The readable message, without the kind prefix.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The server's `ErrorResponse` body, when it sent one.
    pub fn api(&self) -> Option<&ApiErrorBody> {
        self.inner.api.as_deref()
    }

    /// The server's `code`, when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.inner.api.as_ref()?.code.as_deref()
    }

    /// The server's `details`, when it sent them.
    pub fn details(&self) -> Option<&str> {
        self.inner.api.as_ref()?.details.as_deref()
    }

    /// The server's request `identifier`, when it sent one.
    pub fn identifier(&self) -> Option<&str> {
        self.inner.api.as_ref()?.identifier.as_deref()
    }

    /// Per-field problems: the server's (422) or the client-side validation's.
    pub fn violations(&self) -> &[Violation] {
        &self.inner.violations
    }

    /// A bounded excerpt of a body that could not be decoded.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.body_excerpt.as_deref()
    }

    /// The response body exactly as received, when a response arrived
    /// (bounded by the client's response size cap).
    pub fn body(&self) -> Option<&[u8]> {
        self.inner.body.as_deref()
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.inner.retry_after
    }
}

/// What [`Error::redact`] puts where the token was.
pub(crate) const REDACTED: &str = "<redacted>";

/// The shortest secret [`Error::redact`] searches for (see there).
pub(crate) const MIN_REDACTED_LEN: usize = 8;

/// The shortest start of the token that counts as a cut-off token at the
/// end of a body: shorter ones end ordinary bodies by chance.
const MIN_CUT_PREFIX: usize = 4;

/// `text` with the token replaced by [`REDACTED`], for text from a server
/// that is logged without becoming an [`Error`].
pub(crate) fn redact_text<'a>(text: &'a str, secret: &str) -> std::borrow::Cow<'a, str> {
    let mut owned = None;
    if let Some(secret) = Secret::new(secret) {
        let mut s = text.to_owned();
        if secret.in_string(&mut s) {
            owned = Some(s);
        }
    }
    owned.map_or(std::borrow::Cow::Borrowed(text), std::borrow::Cow::Owned)
}

/// The forms a secret takes in what a server sends back: as is, escaped
/// for JSON (`\"`, `\\`, `\/`) or by `Debug`, percent-encoded (a URL
/// in a `Location`). Longest first, so no form is cut by a shorter one.
struct Secret {
    forms: Vec<String>,
}

impl Secret {
    fn new(secret: &str) -> Option<Secret> {
        if secret.len() < MIN_REDACTED_LEN {
            return None;
        }
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').to_owned();
        let mut forms = vec![
            secret.to_owned(),
            json.replace('/', "\\/"),
            json,
            secret.escape_debug().to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        ];
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        Some(Secret { forms })
    }

    /// Replaces every form in `text`; whether any was there.
    fn in_string(&self, text: &mut String) -> bool {
        let mut found = false;
        for form in &self.forms {
            if text.contains(form.as_str()) {
                *text = text.replace(form.as_str(), REDACTED);
                found = true;
            }
        }
        found
    }

    /// Replaces every form in `body`, and a start of the token that ends it
    /// (a body cut off inside the token).
    fn in_body(&self, body: &mut Vec<u8>) {
        for form in &self.forms {
            let form = form.as_bytes();
            if !body.windows(form.len()).any(|w| w == form) {
                continue;
            }
            let mut out = Vec::with_capacity(body.len());
            let mut rest = &body[..];
            while let Some(at) = rest.windows(form.len()).position(|w| w == form) {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(REDACTED.as_bytes());
                rest = &rest[at + form.len()..];
            }
            out.extend_from_slice(rest);
            *body = out;
        }
        let cut = (self.forms.iter().map(String::as_bytes))
            .flat_map(|form| (MIN_CUT_PREFIX..form.len()).rev().map(move |n| &form[..n]))
            .find(|prefix| body.ends_with(prefix));
        if let Some(prefix) = cut {
            body.truncate(body.len() - prefix.len());
            body.extend_from_slice(REDACTED.as_bytes());
        }
    }
}

/// The text of an error's source that held the token, redacted.
#[derive(Debug)]
struct RedactedSource(String);

impl fmt::Display for RedactedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedactedSource {}

/// At most [`BODY_EXCERPT_LIMIT`] bytes, as lossy UTF-8 cut on a char boundary.
fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_EXCERPT_LIMIT)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if body.len() > BODY_EXCERPT_LIMIT {
        s.push('…');
    }
    s
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.kind.description())?;
        if let Some(status) = self.inner.http_status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, ": {}", self.inner.message)?;
        if let Some(code) = self.code() {
            write!(f, " [code {code}]")?;
        }
        if let Some(details) = self.details().filter(|d| !d.is_empty()) {
            write!(f, ": {details}")?;
        }
        // Client-side violations are the message already; the server's are extra.
        if self.inner.api.is_some() {
            for v in &self.inner.violations {
                write!(f, "; {}: {}", v.field, v.description)?;
            }
        }
        if let Some(id) = self.identifier() {
            write!(f, " (request {id})")?;
        }
        if let Some(ex) = &self.inner.body_excerpt {
            write!(f, "; body starts: {ex:?}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("http_status", &self.inner.http_status)
            .field("api", &self.inner.api)
            .field("violations", &self.inner.violations)
            .field("body_excerpt", &self.inner.body_excerpt)
            .field("source", &self.inner.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failure while reading a response body (the head had arrived): TLS
/// when rustls failed, else transport. Here rather than in the client
/// because every reader of a response body (the client, streamed bodies)
/// needs it.
pub(crate) fn transport_error(e: hyper::Error) -> Error {
    let kind = if caused_by_tls(&e) {
        ErrorKind::Tls
    } else {
        ErrorKind::Transport
    };
    let message = format!("error reading response body: {}", message_with_causes(&e));
    Error::new(kind, message).with_source(e)
}

/// `e`'s message, then each cause in its chain that the text so far does
/// not already hold.
pub(crate) fn message_with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

/// Whether rustls failed somewhere in `e`'s cause chain.
pub(crate) fn caused_by_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if is_rustls(s) {
            return true;
        }
        source = s.source();
    }
    false
}

/// Whether `e` is a rustls error, possibly wrapped in (nested) `io::Error`s,
/// whose `source()` skips the wrapped error.
fn is_rustls(mut e: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if e.is::<rustls::Error>() {
            return true;
        }
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => e = inner,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_maps_to_kind() {
        let cases = [
            (401, ErrorKind::Unauthorized),
            (402, ErrorKind::QuotaExhausted),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (420, ErrorKind::NoCapacity),
            (422, ErrorKind::InvalidSyntax),
            (400, ErrorKind::ClientError),
            (429, ErrorKind::ClientError),
            (500, ErrorKind::ServerError),
            (503, ErrorKind::ServerError),
        ];
        for (status, kind) in cases {
            assert_eq!(ErrorKind::from_http_status(status), Some(kind), "{status}");
        }
        assert_eq!(ErrorKind::from_http_status(201), None);
    }

    #[test]
    fn api_error_keeps_every_field() {
        let body = br#"{"statusCode":422,"code":"INVALID","message":"bad","details":"d",
            "path":"/session","timestamp":"t","identifier":"req-1",
            "violations":[{"field":"ttl","description":"too long"}]}"#;
        let e = Error::from_response(422, body);
        assert_eq!(e.kind(), ErrorKind::InvalidSyntax);
        assert_eq!(e.http_status(), Some(422));
        assert_eq!(e.code(), Some("INVALID"));
        assert_eq!(e.details(), Some("d"));
        assert_eq!(e.identifier(), Some("req-1"));
        let api = e.api().unwrap();
        assert_eq!(api.status_code, Some(422));
        assert_eq!(api.path.as_deref(), Some("/session"));
        assert_eq!(api.timestamp.as_deref(), Some("t"));
        assert_eq!(e.violations(), &[Violation::new("ttl", "too long")]);
        let shown = e.to_string();
        assert!(
            shown.contains("ttl: too long") && shown.contains("req-1"),
            "{shown}"
        );
    }

    /// Every text of `e`, as a caller can see it.
    fn all_text(e: &Error) -> String {
        format!(
            "{e} {e:?} {:?} {:?} {:?}",
            e.api(),
            e.body().map(String::from_utf8_lossy),
            e.violations()
        )
    }

    #[test]
    fn redact_replaces_the_token_in_every_field_and_form() {
        // A token with characters JSON, `Debug` and URLs escape.
        let token = r#"t0k"en\with/slash"#;
        let json_form = r#"t0k\"en\\with\/slash"#;
        let body = format!(
            r#"{{"message":"got {json_form}","details":"d {json_form}","code":"{json_form}",
            "identifier":"id","path":"/x?t=t0k%22en%5Cwith%2Fslash","timestamp":"now",
            "violations":[{{"field":"auth","description":"{json_form}"}}]}}"#
        );
        let e = Error::from_response(401, body.as_bytes());
        assert!(all_text(&e).contains("t0k"), "the echo is there");
        let e = e.redact(token);
        let text = all_text(&e);
        assert!(!text.contains("t0k"), "{text}");
        assert_eq!(e.message(), "got <redacted>");
        assert_eq!(e.details(), Some("d <redacted>"));
        assert_eq!(e.api().unwrap().path.as_deref(), Some("/x?t=<redacted>"));
        assert_eq!(e.violations()[0].description, "<redacted>");
        assert_eq!(e.identifier(), Some("id"), "other text is kept");
    }

    #[test]
    fn redact_recuts_the_excerpt_and_ends_a_cut_off_token() {
        let token = "tok-SECRET-5f1d2c";
        // The excerpt's cut falls inside the token.
        let mut html = "x".repeat(BODY_EXCERPT_LIMIT - 8);
        html.push_str(token);
        let e = Error::from_response(502, html.as_bytes());
        assert!(e.body_excerpt().unwrap().ends_with("tok-SECR…"));
        let e = e.redact(token);
        assert!(!all_text(&e).contains("SECR"), "{}", all_text(&e));
        // A body cut off inside the token: its start is redacted too.
        let e = Error::decode(201, "cut", b"{\"echo\":\"tok-SEC").redact(token);
        assert_eq!(e.body(), Some(&b"{\"echo\":\"<redacted>"[..]));
        assert!(!all_text(&e).contains("tok-"), "{}", all_text(&e));
        // A body that merely ends like many do is left alone.
        let e = Error::decode(201, "cut", b"{\"a\":\"to").redact(token);
        assert_eq!(e.body(), Some(&b"{\"a\":\"to"[..]));
    }

    #[test]
    fn redact_covers_the_source_and_leaves_short_secrets_alone() {
        let token = "secret-token-value";
        let e = Error::new(ErrorKind::Transport, "failed")
            .with_source(std::io::Error::other(format!("peer said {token}")))
            .redact(token);
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert_eq!(source, "peer said <redacted>");
        assert!(!format!("{e:?}").contains(token));
        // A one-letter "token" would turn every such letter into a marker.
        let e = Error::from_response(404, br#"{"message":"session not found"}"#).redact("t");
        assert_eq!(e.message(), "session not found");
        assert_eq!(
            redact_text("a secret-token-value b", token),
            "a <redacted> b"
        );
    }

    #[test]
    fn html_error_body_keeps_bounded_excerpt() {
        let html = format!("<html>{}</html>", "x".repeat(5000));
        let e = Error::from_response(502, html.as_bytes());
        assert_eq!(e.kind(), ErrorKind::ServerError);
        let ex = e.body_excerpt().unwrap();
        assert!(ex.starts_with("<html>") && ex.len() <= BODY_EXCERPT_LIMIT + 4);
    }
}
