//! The environment's proxies, for `proxy_from_env`: which variables apply
//! to a scheme (`HTTPS_PROXY` or `HTTP_PROXY`, then `ALL_PROXY`, lowercase
//! names too), and whether `NO_PROXY` names a host.

/// Every variable that may give a proxy, for either scheme.
pub(crate) const ALL_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The variables that give the proxy for `scheme`, the first that is set
/// winning.
pub(crate) fn variables_for(scheme: &str) -> &'static [&'static str] {
    if scheme == "https" {
        &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    }
}

/// Whether `NO_PROXY` (or `no_proxy`) names `host` (a URL's host; an IPv6
/// address may keep its brackets).
pub(crate) fn bypassed(host: &str) -> bool {
    let list = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    no_proxy_matches(&list, host.trim_start_matches('[').trim_end_matches(']'))
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
}
