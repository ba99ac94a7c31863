//! Where a client's connections go: the origin (the base URL's host), and
//! the proxy in front of it, if any (chosen by the configuration's check:
//! the configured one, or the environment's, see `proxy_env`). A client has
//! one origin, so the route is set once, when the client is built.

use http::HeaderValue;

use crate::config::ValidClientConfig;
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
    /// The route of a checked configuration.
    pub(crate) fn new(config: &ValidClientConfig) -> Result<Route> {
        let base = config.base();
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
        let field = if config.config().proxy.is_some() {
            "proxy"
        } else {
            "proxy_from_env"
        };
        let proxy = config
            .proxy()
            .map(|p| proxy_from_url(field, p))
            .transpose()?;
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

/// A proxy URL (checked by the configuration's check) as a [`Proxy`].
fn proxy_from_url(field: &str, url: &url::Url) -> Result<Proxy> {
    let endpoint =
        endpoint(url).ok_or_else(|| Error::invalid_config(field, "must be http(s) with a host"))?;
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
    fn proxy_credentials_become_basic_auth() {
        let p = proxy_from_url(
            "proxy",
            &url::Url::parse("http://us%40er:p%3Ass@127.0.0.1:3128").unwrap(),
        )
        .unwrap();
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
        assert!(
            proxy_from_url("proxy", &url::Url::parse("http://127.0.0.1:3128").unwrap())
                .unwrap()
                .auth
                .is_none()
        );
    }
}
