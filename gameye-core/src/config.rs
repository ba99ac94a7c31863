//! Client configuration: token, endpoint, timeouts, and the checks that keep
//! the bearer token off plain-text connections.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::retry::{RetryJson, RetryPolicy};

/// The sandbox environment, the default endpoint.
pub const SANDBOX_URL: &str = "https://api.sandbox-gameye.gameye.net";
/// The production environment.
pub const PRODUCTION_URL: &str = "https://api.production-gameye.gameye.net";
/// Default time allowed to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, from send to the last body byte.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a JSON response body; a larger body fails with a decode error.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Default cap on the requests one client has in flight at once.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 256;
/// Default cap on the text of `GET /logs` without follow.
pub const DEFAULT_MAX_LOG_BYTES: usize = 16 * 1024 * 1024;
/// Default time a kept connection may stay idle before it is closed rather
/// than reused: under the idle timeouts of common load balancers (AWS ALB
/// 60 s, nginx 75 s, Azure 4 min), so the client drops a connection before
/// one of them closes it under a request.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The `User-Agent` the client sends.
pub const USER_AGENT: &str = concat!("gameye-rs/", env!("CARGO_PKG_VERSION"));

/// A [`ClientConfig`] that passed every check, with what the checks parsed
/// (the base URL, the proxy): made once, and taken by [`Client::new`]
/// without checking again.
///
/// [`Client::new`]: crate::Client::new
#[derive(Debug, Clone)]
pub struct ValidClientConfig {
    config: ClientConfig,
    base: url::Url,
    proxy: Option<url::Url>,
}

impl ValidClientConfig {
    /// Parses the JSON configuration (see [`ClientConfig::from_json`]) and
    /// checks it, once.
    pub fn from_json(json: &str) -> Result<Self> {
        ClientConfig::parse_json(json)?.into_valid()
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The configuration, given back.
    pub fn into_config(self) -> ClientConfig {
        self.config
    }

    /// The base URL, parsed.
    pub(crate) fn base(&self) -> &url::Url {
        &self.base
    }

    /// The proxy requests go through, if any, parsed.
    pub(crate) fn proxy(&self) -> Option<&url::Url> {
        self.proxy.as_ref()
    }
}

/// What [`Client::new`](crate::Client::new) takes: a [`ClientConfig`],
/// checked on the way, or a [`ValidClientConfig`], checked already.
pub trait IntoValidClientConfig {
    /// Checks the configuration, unless it was checked already.
    fn into_valid(self) -> Result<ValidClientConfig>;
}

impl IntoValidClientConfig for ClientConfig {
    fn into_valid(self) -> Result<ValidClientConfig> {
        let (base, proxy) = self.check()?;
        Ok(ValidClientConfig {
            config: self,
            base,
            proxy,
        })
    }
}

impl IntoValidClientConfig for ValidClientConfig {
    fn into_valid(self) -> Result<ValidClientConfig> {
        Ok(self)
    }
}

/// A Gameye environment preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// `https://api.sandbox-gameye.gameye.net`
    Sandbox,
    /// `https://api.production-gameye.gameye.net`
    Production,
}

impl Environment {
    /// The base URL of this environment.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => SANDBOX_URL,
            Environment::Production => PRODUCTION_URL,
        }
    }
}

/// The API bearer token. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into())
    }

    /// The secret value, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Everything a [`Client`](crate::Client) needs. Build with [`ClientConfig::new`]
/// and the setters, or parse JSON with [`ClientConfig::from_json`].
/// [`ClientConfig::validate`] (run by `Client::new`) enforces every rule
/// here, so every binding gets the same checks.
#[derive(Clone)]
pub struct ClientConfig {
    /// The bearer token (required).
    pub token: ApiToken,
    /// The API base URL (a path prefix is kept). Exclusive with
    /// `environment`; with neither, [`SANDBOX_URL`].
    pub base_url: Option<String>,
    /// An environment preset instead of `base_url`.
    pub environment: Option<Environment>,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request.
    pub request_timeout: Duration,
    /// Allow plain `http://` to a host that is not loopback. Off by default,
    /// because the bearer token would travel in clear.
    pub allow_insecure_http: bool,
    /// Cap on a JSON response body.
    pub max_response_bytes: usize,
    /// Cap on the logs text fetched without follow.
    pub max_log_bytes: usize,
    /// Which failures are retried, how often, and the deadline of one call.
    pub retry: RetryPolicy,
    /// How many requests the client sends at once; more calls wait for a
    /// slot (within their deadline). Bursts then reuse warm connections.
    pub max_concurrent_requests: usize,
    /// Extra trusted root certificates (a PEM file), for a corporate proxy
    /// that re-signs TLS. Added to the built-in roots; verification itself
    /// is always on and cannot be turned off.
    pub ca_bundle_path: Option<std::path::PathBuf>,
    /// The proxy every request goes through (`http://host:port` or
    /// `https://host:port`, credentials allowed and never shown). Plain
    /// `http://` only to a loopback proxy or with `allow_insecure_http`.
    /// Takes precedence over `proxy_from_env`.
    pub proxy: Option<String>,
    /// How long a kept connection may stay idle and still be reused; an
    /// older one is closed and a fresh one opened. Keep it under the idle
    /// timeout of any load balancer or proxy in front of the API.
    pub idle_timeout: Duration,
    /// Use the proxies of the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`). Off by default: a variable set for other
    /// programs must not route the bearer token through an unknown host.
    /// The same clear-text rule as `proxy` applies to each variable.
    pub proxy_from_env: bool,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("token", &self.token)
            .field("base_url", &self.base_url.as_deref().map(redact_userinfo))
            .field("environment", &self.environment)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_log_bytes", &self.max_log_bytes)
            .field("retry", &self.retry)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("ca_bundle_path", &self.ca_bundle_path)
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            .field("proxy_from_env", &self.proxy_from_env)
            .field("idle_timeout", &self.idle_timeout)
            .finish()
    }
}

/// `url` with any `user:password@` replaced, for error messages: a URL that
/// fails to parse may still hold credentials.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}<redacted>@{}", &url[..start], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// The JSON form of the configuration, as C callers and config files give it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigJson {
    token: Option<String>,
    base_url: Option<String>,
    environment: Option<Environment>,
    connect_timeout_ms: Option<u64>,
    request_timeout_ms: Option<u64>,
    allow_insecure_http: Option<bool>,
    max_response_bytes: Option<usize>,
    max_log_bytes: Option<usize>,
    retry: Option<RetryJson>,
    max_concurrent_requests: Option<usize>,
    ca_bundle_path: Option<std::path::PathBuf>,
    proxy: Option<String>,
    proxy_from_env: Option<bool>,
    idle_timeout_ms: Option<u64>,
}

impl ClientConfig {
    /// A configuration with `token` and every default: sandbox, 10 s connect,
    /// 30 s request timeout, 1 MiB response cap.
    pub fn new(token: impl Into<String>) -> Self {
        ClientConfig {
            token: ApiToken::new(token),
            base_url: None,
            environment: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_log_bytes: DEFAULT_MAX_LOG_BYTES,
            retry: RetryPolicy::default(),
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            ca_bundle_path: None,
            proxy: None,
            proxy_from_env: false,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }

    /// Sets the base URL (any URL; see [`SANDBOX_URL`], [`PRODUCTION_URL`]).
    /// Exclusive with [`ClientConfig::environment`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Chooses a preset environment. Exclusive with [`ClientConfig::base_url`].
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = Some(env);
        self
    }

    /// Sends every request through this proxy (see [`ClientConfig::proxy`]).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Uses the environment's proxies (see [`ClientConfig::proxy_from_env`]).
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.proxy_from_env = yes;
        self
    }

    /// The base URL requests go to: `base_url`, the environment's, or the sandbox.
    pub fn effective_base_url(&self) -> &str {
        match (&self.base_url, self.environment) {
            (Some(url), _) => url,
            (None, Some(env)) => env.base_url(),
            (None, None) => SANDBOX_URL,
        }
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Sets the whole-request timeout.
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// Sets the retry policy ([`RetryPolicy::never`] turns retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Trusts the root certificates in a PEM file too (see [`ClientConfig::ca_bundle_path`]).
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_bundle_path = Some(path.into());
        self
    }

    /// Sets how long a kept connection may idle (see [`ClientConfig::idle_timeout`]).
    pub fn idle_timeout(mut self, t: Duration) -> Self {
        self.idle_timeout = t;
        self
    }

    /// Sets the cap on a JSON response body (see [`ClientConfig::max_response_bytes`]).
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Sets the cap on the logs text fetched without follow (see
    /// [`ClientConfig::max_log_bytes`]).
    pub fn max_log_bytes(mut self, max: usize) -> Self {
        self.max_log_bytes = max;
        self
    }

    /// Sets how many requests are in flight at once (see
    /// [`ClientConfig::max_concurrent_requests`]).
    pub fn max_concurrent_requests(mut self, n: usize) -> Self {
        self.max_concurrent_requests = n;
        self
    }

    /// Allows plain `http://` to non-loopback hosts.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Parses the JSON configuration:
    /// `{"token": "...", "base_url": "...", "environment": "sandbox"|"production",
    /// "connect_timeout_ms": N, "request_timeout_ms": N, "allow_insecure_http": bool,
    /// "max_response_bytes": N, "max_log_bytes": N, "retry": {"max_attempts": 4,
    /// "initial_backoff_ms": 250, "max_backoff_ms": 8000, "deadline_ms": 60000},
    /// "max_concurrent_requests": 256, "ca_bundle_path": "/path/to/extra-roots.pem",
    /// "proxy": "http://127.0.0.1:3128", "proxy_from_env": false,
    /// "idle_timeout_ms": 30000}`. Only `token`
    /// is required; `base_url` and `environment` are exclusive. Unknown fields are errors.
    pub fn from_json(json: &str) -> Result<Self> {
        ValidClientConfig::from_json(json).map(ValidClientConfig::into_config)
    }

    /// The JSON form parsed, not yet validated.
    fn parse_json(json: &str) -> Result<Self> {
        let raw: ConfigJson = serde_json::from_str(json).map_err(|e| {
            Error::invalid_config("(config)", format!("not a valid configuration: {e}"))
        })?;
        let token = raw
            .token
            .ok_or_else(|| Error::invalid_config("token", "is required"))?;
        let mut config = ClientConfig::new(token);
        config.base_url = raw.base_url;
        config.environment = raw.environment;
        config.proxy = raw.proxy;
        config.proxy_from_env = raw.proxy_from_env.unwrap_or(false);
        if let Some(ms) = raw.connect_timeout_ms {
            config.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = raw.request_timeout_ms {
            config.request_timeout = Duration::from_millis(ms);
        }
        if let Some(allow) = raw.allow_insecure_http {
            config.allow_insecure_http = allow;
        }
        if let Some(max) = raw.max_response_bytes {
            config.max_response_bytes = max;
        }
        if let Some(max) = raw.max_log_bytes {
            config.max_log_bytes = max;
        }
        if let Some(retry) = raw.retry {
            config.retry = retry.apply(config.retry);
        }
        config.ca_bundle_path = raw.ca_bundle_path;
        if let Some(n) = raw.max_concurrent_requests {
            config.max_concurrent_requests = n;
        }
        if let Some(ms) = raw.idle_timeout_ms {
            config.idle_timeout = Duration::from_millis(ms);
        }
        Ok(config)
    }

    /// Checks every option; errors name the option and never show the token.
    pub fn validate(&self) -> Result<()> {
        self.check().map(drop)
    }

    /// Every check of [`ClientConfig::validate`]; gives what it parsed: the
    /// base URL, and the proxy for it (the configured one, or the
    /// environment's for its scheme unless `NO_PROXY` names its host).
    fn check(&self) -> Result<(url::Url, Option<url::Url>)> {
        let token = self.token.expose();
        if token.trim().is_empty() {
            return Err(Error::invalid_config(
                "token",
                "is required and must not be empty",
            ));
        }
        if !token.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(Error::invalid_config(
                "token",
                "must be printable ASCII without spaces",
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid_config(
                "connect_timeout",
                "must be greater than zero",
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(Error::invalid_config(
                "request_timeout",
                "must be greater than zero",
            ));
        }
        if self.idle_timeout.is_zero() {
            return Err(Error::invalid_config(
                "idle_timeout",
                "must be greater than zero",
            ));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::invalid_config(
                "retry.max_attempts",
                "must be at least 1",
            ));
        }
        if self.retry.deadline.is_zero() {
            return Err(Error::invalid_config(
                "retry.deadline",
                "must be greater than zero",
            ));
        }
        if self.max_concurrent_requests == 0 || self.max_concurrent_requests > 1 << 20 {
            return Err(Error::invalid_config(
                "max_concurrent_requests",
                "must be between 1 and 1048576",
            ));
        }
        if self.max_log_bytes == 0 {
            return Err(Error::invalid_config(
                "max_log_bytes",
                "must be greater than zero",
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid_config(
                "max_response_bytes",
                "must be greater than zero",
            ));
        }
        let base = self.parsed_base_url()?;
        if let Some(proxy) = &self.proxy {
            let proxy = self.check_proxy_url("proxy", proxy)?;
            return Ok((base, Some(proxy)));
        }
        let proxy = self.proxy_in_env(&base)?;
        Ok((base, proxy))
    }

    /// The proxy the environment gives for `base` when `proxy_from_env` is
    /// on (see `proxy_env`), every proxy variable set checked.
    fn proxy_in_env(&self, base: &url::Url) -> Result<Option<url::Url>> {
        if !self.proxy_from_env {
            return Ok(None);
        }
        // Every variable set is checked, whichever scheme it serves: a bad
        // one is an error now, not when the other scheme is first used.
        let mut set = Vec::new();
        for var in crate::proxy_env::ALL_VARIABLES {
            let Ok(value) = std::env::var(var) else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            // A value without a scheme is http.
            let url = if value.contains("://") {
                value.to_owned()
            } else {
                format!("http://{value}")
            };
            let url = self.check_proxy_url("proxy_from_env", &url).map_err(|e| {
                Error::invalid_config("proxy_from_env", format!("{var}: {}", e.message()))
            })?;
            set.push((var, url));
        }
        if crate::proxy_env::bypassed(base.host_str().unwrap_or_default()) {
            return Ok(None);
        }
        // The first variable for the base URL's scheme, in the order
        // `variables_for` gives.
        let chosen = crate::proxy_env::variables_for(base.scheme())
            .iter()
            .find_map(|wanted| set.iter().find(|(var, _)| var == wanted))
            .map(|(_, url)| url.clone());
        Ok(chosen)
    }

    /// Checks a proxy URL: http(s) with a host, and plain http only to a
    /// loopback proxy unless insecure http is allowed (the proxy would see
    /// the bearer token of plain-http requests). Errors name `field`.
    fn check_proxy_url(&self, field: &str, proxy: &str) -> Result<url::Url> {
        let url = url::Url::parse(proxy).map_err(|e| {
            Error::invalid_config(field, format!("{e}: {:?}", redact_userinfo(proxy)))
        })?;
        let host = url
            .host()
            .ok_or_else(|| Error::invalid_config(field, "must have a host"))?;
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.allow_insecure_http || is_loopback(&host) => Ok(url),
            "http" => Err(Error::invalid_config(
                field,
                format!(
                    "a plain http proxy at {host} would see the bearer token in clear; use an \
                     https proxy, a loopback proxy, or set allow_insecure_http"
                ),
            )),
            other => Err(Error::invalid_config(
                field,
                format!("scheme must be https or http, not {other:?}"),
            )),
        }
    }

    /// The base URL, parsed and checked: http(s) with a host, no credentials,
    /// and plain http only to loopback unless explicitly allowed.
    fn parsed_base_url(&self) -> Result<url::Url> {
        if self.base_url.is_some() && self.environment.is_some() {
            return Err(Error::invalid_config(
                "base_url",
                "give either base_url or environment, not both",
            ));
        }
        let base_url = self.effective_base_url();
        let url = url::Url::parse(base_url).map_err(|e| {
            Error::invalid_config("base_url", format!("{e}: {:?}", redact_userinfo(base_url)))
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_config(
                "base_url",
                "must not contain credentials",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_config(
                "base_url",
                "must not have a query or fragment",
            ));
        }
        let host = url
            .host()
            .ok_or_else(|| Error::invalid_config("base_url", "must have a host"))?;
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.allow_insecure_http || is_loopback(&host) => Ok(url),
            "http" => Err(Error::invalid_config(
                "base_url",
                format!(
                    "plain http to {host} would send the bearer token in clear; use https, \
                     a loopback host, or set allow_insecure_http"
                ),
            )),
            other => Err(Error::invalid_config(
                "base_url",
                format!("scheme must be https or http, not {other:?}"),
            )),
        }
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn field_of(r: Result<ClientConfig>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        e.violations()[0].field.clone()
    }

    #[test]
    fn defaults_and_presets() {
        let c = ClientConfig::from_json(r#"{"token":"t"}"#).unwrap();
        assert_eq!(c.effective_base_url(), SANDBOX_URL);
        assert_eq!(c.request_timeout, DEFAULT_REQUEST_TIMEOUT);
        let c = ClientConfig::from_json(r#"{"token":"t","environment":"production"}"#).unwrap();
        assert_eq!(c.effective_base_url(), PRODUCTION_URL);
        assert_eq!(
            USER_AGENT,
            format!("gameye-rs/{}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn insecure_http_only_to_loopback_or_when_allowed() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:1/prefix",
            "https://example.com",
        ] {
            ClientConfig::new("t").base_url(ok).validate().unwrap();
        }
        let remote = ClientConfig::new("t").base_url("http://example.com");
        assert_eq!(
            field_of(remote.validate().map(|_| remote.clone())),
            "base_url"
        );
        remote.allow_insecure_http(true).validate().unwrap();
    }

    #[test]
    fn bad_options_name_the_field() {
        assert_eq!(field_of(ClientConfig::from_json("{}")), "token");
        assert_eq!(
            field_of(ClientConfig::from_json(r#"{"token":""}"#)),
            "token"
        );
        assert_eq!(
            field_of(ClientConfig::from_json(r#"{"token":"a b"}"#)),
            "token"
        );
        assert_eq!(
            field_of(ClientConfig::from_json(
                r#"{"token":"t","base_url":"ftp://x"}"#
            )),
            "base_url"
        );
        assert_eq!(
            field_of(ClientConfig::from_json(
                r#"{"token":"t","base_url":"https://u:p@x"}"#
            )),
            "base_url"
        );
        assert_eq!(
            field_of(ClientConfig::from_json(
                r#"{"token":"t","request_timeout_ms":0}"#
            )),
            "request_timeout"
        );
        assert_eq!(
            field_of(ClientConfig::from_json(r#"{"token":"t","colour":1}"#)),
            "(config)"
        );
        assert_eq!(field_of(ClientConfig::from_json("[")), "(config)");
    }

    #[test]
    fn base_url_or_environment_not_both() {
        let both = ClientConfig::new("t")
            .base_url("https://example.com")
            .environment(Environment::Production);
        assert_eq!(field_of(both.validate().map(|_| both.clone())), "base_url");
        assert_eq!(
            field_of(ClientConfig::from_json(
                r#"{"token":"t","base_url":"https://x","environment":"sandbox"}"#
            )),
            "base_url"
        );
        let env = ClientConfig::new("t").environment(Environment::Production);
        env.validate().unwrap();
        assert_eq!(env.effective_base_url(), PRODUCTION_URL);
    }

    #[test]
    fn idle_timeout_is_parsed_and_checked() {
        let c = ClientConfig::from_json(r#"{"token":"t"}"#).unwrap();
        assert_eq!(c.idle_timeout, DEFAULT_IDLE_TIMEOUT);
        let c = ClientConfig::from_json(r#"{"token":"t","idle_timeout_ms":1500}"#).unwrap();
        assert_eq!(c.idle_timeout, Duration::from_millis(1500));
        assert_eq!(
            field_of(ClientConfig::from_json(
                r#"{"token":"t","idle_timeout_ms":0}"#
            )),
            "idle_timeout"
        );
        let zero = ClientConfig::new("t").idle_timeout(Duration::ZERO);
        assert_eq!(
            field_of(zero.validate().map(|_| zero.clone())),
            "idle_timeout"
        );
    }

    #[test]
    fn every_json_key_reaches_the_config() {
        // One non-default value per key: a key parsed but dropped fails here.
        let c = ClientConfig::from_json(
            r#"{"token":"t","base_url":"https://example.com/p","connect_timeout_ms":1001,
                "request_timeout_ms":1002,"allow_insecure_http":true,
                "max_response_bytes":1003,"max_log_bytes":1004,
                "retry":{"max_attempts":5,"initial_backoff_ms":1005,"max_backoff_ms":1006,
                         "deadline_ms":1007},
                "max_concurrent_requests":7,"ca_bundle_path":"/x.pem",
                "proxy":"https://proxy.example:3128","proxy_from_env":true,
                "idle_timeout_ms":1008}"#,
        )
        .unwrap();
        let built = ClientConfig::new("t")
            .base_url("https://example.com/p")
            .connect_timeout(Duration::from_millis(1001))
            .request_timeout(Duration::from_millis(1002))
            .allow_insecure_http(true)
            .max_response_bytes(1003)
            .max_log_bytes(1004)
            .retry(RetryPolicy {
                max_attempts: 5,
                initial_backoff: Duration::from_millis(1005),
                max_backoff: Duration::from_millis(1006),
                deadline: Duration::from_millis(1007),
            })
            .max_concurrent_requests(7)
            .ca_bundle("/x.pem")
            .proxy("https://proxy.example:3128")
            .proxy_from_env(true)
            .idle_timeout(Duration::from_millis(1008));
        // Debug shows every field (the token redacted), so equal texts mean
        // equal configurations.
        assert_eq!(format!("{c:?}"), format!("{built:?}"));
        let c = ClientConfig::from_json(r#"{"token":"t","environment":"production"}"#).unwrap();
        assert_eq!(c.environment, Some(Environment::Production));
    }

    #[test]
    fn size_and_concurrency_caps_are_checked() {
        for (json, field) in [
            (
                r#"{"token":"t","max_response_bytes":0}"#,
                "max_response_bytes",
            ),
            (r#"{"token":"t","max_log_bytes":0}"#, "max_log_bytes"),
            (
                r#"{"token":"t","max_concurrent_requests":0}"#,
                "max_concurrent_requests",
            ),
            (
                r#"{"token":"t","retry":{"max_attempts":0}}"#,
                "retry.max_attempts",
            ),
        ] {
            assert_eq!(field_of(ClientConfig::from_json(json)), field, "{json}");
        }
        let many = ClientConfig::new("t").max_concurrent_requests((1 << 20) + 1);
        assert_eq!(
            field_of(many.validate().map(|_| many.clone())),
            "max_concurrent_requests"
        );
    }

    #[test]
    fn userinfo_is_redacted() {
        for (url, shown) in [
            ("https://u:p@h/x@y", "https://<redacted>@h/x@y"),
            ("u:p@h", "<redacted>@h"),
            ("https://h/a@b", "https://h/a@b"),
            ("https://a@b@c", "https://<redacted>@c"),
        ] {
            assert_eq!(redact_userinfo(url), shown);
        }
    }

    #[test]
    fn token_is_never_shown() {
        let c = ClientConfig::new("s3cr3t-token");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert!(!c.token.to_string().contains("s3cr3t"));
        let e = ClientConfig::from_json(r#"{"token":"s3cr3t token"}"#).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("s3cr3t"));
        let e = ClientConfig::from_json(r#"{"token":"s3cr3t","nope":1}"#).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("s3cr3t"));
    }
}
