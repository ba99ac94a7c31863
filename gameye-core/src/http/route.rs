//! Where a client's connections go: the origin (the base URL's host), and
//! the proxy in front of it, if any: the configured one, or with
//! `proxy_from_env` the environment's (`HTTPS_PROXY`/`HTTP_PROXY`/
//! `ALL_PROXY`, minus `NO_PROXY`). A client has one origin, so the route is
//! chosen once, when the client is built.

use http::HeaderValue;

use crate::config::{redact_userinfo, ClientConfig};
use crate::error::{Error, Result};

/// A host to connect to.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// A name or an IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// Over TLS, verified against `host`.
    pub tls: bool,
}

/// A proxy on the way.
pub(crate) struct Proxy {
    pub endpoint: Endpoint,
    /// `Proxy-Authorization`, from the proxy URL's credentials.
    pub auth: Option<HeaderValue>,
}

/// The origin, the proxy, and the headers that name the origin.
pub(crate) struct Route {
    pub origin: Endpoint,
    pub proxy: Option<Proxy>,
    /// `Host`: the base URL's host, and its port when not the default.
    pub host_header: HeaderValue,
}

impl Route {
    /// The route of `base` (checked by `ClientConfig::validate`).
    pub(crate) fn new(base: &url::Url, config: &ClientConfig) -> Result<Route> {
        let origin = endpoint(base).ok_or_else(|| {
            Error::invalid_config("base_url", "must be http(s) with a host and a port")
        })?;
        let header = match base.port() {
            Some(p) => format!("{}:{p}", base.host_str().unwrap_or_default()),
            None => base.host_str().unwrap_or_default().to_owned(),
        };
        let host_header = HeaderValue::from_str(&header).map_err(|_| {
            Error::invalid_config("base_url", "its host is not a valid Host header")
        })?;
        let proxy = match (&config.proxy, config.proxy_from_env) {
            (Some(url), _) => Some(proxy_from_url("proxy", url)?),
            (None, true) => match env_proxy(&origin) {
                Some(url) => Some(proxy_from_url("proxy_from_env", &url)?),
                None => None,
            },
            (None, false) => None,
        };
        Ok(Route {
            origin,
            proxy,
            host_header,
        })
    }

    /// Whether requests go to a proxy in absolute form (plain http through a
    /// proxy) rather than through a tunnel or straight to the origin.
    pub(crate) fn absolute_form(&self) -> bool {
        self.proxy.is_some() && !self.origin.tls
    }
}

fn endpoint(url: &url::Url) -> Option<Endpoint> {
    let host = match url.host()? {
        url::Host::Domain(d) => d.to_owned(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    };
    Some(Endpoint {
        host,
        port: url.port_or_known_default()?,
        tls: url.scheme() == "https",
    })
}

/// A proxy URL (checked by `ClientConfig::validate`) as a [`Proxy`].
fn proxy_from_url(field: &str, raw: &str) -> Result<Proxy> {
    let url = url::Url::parse(raw)
        .map_err(|e| Error::invalid_config(field, format!("{e}: {:?}", redact_userinfo(raw))))?;
    let endpoint = endpoint(&url)
        .ok_or_else(|| Error::invalid_config(field, "must be http(s) with a host"))?;
    let auth = if url.username().is_empty() && url.password().is_none() {
        None
    } else {
        let user = percent_decode(url.username());
        let pass = percent_decode(url.password().unwrap_or(""));
        let token = base64_encode(format!("{user}:{pass}").as_bytes());
        let mut value = HeaderValue::from_str(&format!("Basic {token}"))
            .map_err(|_| Error::invalid_config(field, "its credentials cannot be sent"))?;
        value.set_sensitive(true);
        Some(value)
    };
    Ok(Proxy { endpoint, auth })
}

/// The environment's proxy for `origin`: `HTTPS_PROXY` (https) or
/// `HTTP_PROXY` (http), else `ALL_PROXY`, lowercase names too; none when
/// `NO_PROXY` names the origin. A value without a scheme is http.
fn env_proxy(origin: &Endpoint) -> Option<String> {
    let vars: &[&str] = if origin.tls {
        &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    let value = vars.iter().find_map(|var| {
        let v = std::env::var(var).ok()?;
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_owned())
    })?;
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    if no_proxy_matches(&no_proxy, &origin.host) {
        return None;
    }
    Some(if value.contains("://") {
        value
    } else {
        format!("http://{value}")
    })
}

/// Whether a `NO_PROXY` list names `host`: `*`, the host itself or a parent
/// domain (`example.com` and `.example.com` both cover `api.example.com`),
/// an IP address, or a CIDR block holding it.
pub(crate) fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ip: Option<std::net::IpAddr> = host.parse().ok();
    list.split(',').map(str::trim).any(|entry| {
        if entry.is_empty() {
            return false;
        }
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('[').trim_end_matches(']');
        if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
            return in_cidr(ip, net, bits);
        }
        let entry = entry
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        host == entry || host.ends_with(&format!(".{entry}"))
    })
}

fn in_cidr(ip: std::net::IpAddr, net: &str, bits: &str) -> bool {
    use std::net::IpAddr;
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_encode(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(TABLE[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_lists_match_hosts_domains_ips_and_blocks() {
        assert!(no_proxy_matches("*", "api.gameye.net"));
        assert!(no_proxy_matches("gameye.net", "api.gameye.net"));
        assert!(no_proxy_matches(" .gameye.net ", "api.gameye.net"));
        assert!(no_proxy_matches("x.com,gameye.net", "gameye.net"));
        assert!(!no_proxy_matches("ye.net", "api.gameye.net"));
        assert!(!no_proxy_matches("", "api.gameye.net"));
        assert!(no_proxy_matches("127.0.0.1", "127.0.0.1"));
        assert!(no_proxy_matches("127.0.0.0/8", "127.1.2.3"));
        assert!(!no_proxy_matches("10.0.0.0/8", "127.1.2.3"));
        assert!(no_proxy_matches("::1", "::1"));
        assert!(no_proxy_matches("[::1]", "::1"));
        assert!(no_proxy_matches("fe80::/10", "fe80::1"));
    }

    #[test]
    fn proxy_credentials_become_basic_auth() {
        let p = proxy_from_url("proxy", "http://us%40er:p%3Ass@127.0.0.1:3128").unwrap();
        assert_eq!(
            p.auth.unwrap().to_str().unwrap(),
            format!("Basic {}", base64_encode(b"us@er:p:ss"))
        );
        assert_eq!(
            base64_encode(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64_encode(b"a"), "YQ==");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert!(proxy_from_url("proxy", "http://127.0.0.1:3128")
            .unwrap()
            .auth
            .is_none());
    }
}
