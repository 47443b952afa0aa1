//! Subscription URLs: http(s) only, and never this service's own listener (a webhook that
//! calls the API it reports on could loop, or reach endpoints never meant for it).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use reqwest::Url;

pub const MAX_URL_LEN: usize = 2048;

/// The parsed URL, or why it is refused.
pub fn parse(raw: &str) -> Result<Url, String> {
    if raw.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let url = Url::parse(raw.trim()).map_err(|e| format!("is not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http:// or https:// URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    Ok(url)
}

/// Whether `target` is `own`: same port, and an address of this machine that the listener
/// answers on. A listener on 0.0.0.0 answers on every local address; only loopback and the
/// unspecified address are recognised as such without enumerating interfaces.
pub fn is_own_listener(target: &SocketAddr, own: &SocketAddr) -> bool {
    if target.port() != own.port() {
        return false;
    }
    let ip = target.ip();
    ip == own.ip() || ip.is_loopback() || ip.is_unspecified() || is_mapped_loopback(ip)
}

fn is_mapped_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback() || v4.is_unspecified()),
        IpAddr::V4(_) => false,
    }
}

/// Resolves the URL (blocking: DNS) and checks every address it resolves to.
pub fn points_at(url: &Url, own: &SocketAddr) -> bool {
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match (host, port).to_socket_addrs() {
        Ok(addrs) => addrs.into_iter().any(|addr| is_own_listener(&addr, own)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(raw: &str) -> SocketAddr {
        raw.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn refuses_non_http_and_own_listener() {
        assert!(parse("ftp://example.com/x").is_err());
        assert!(parse("not a url").is_err());
        let own = addr("127.0.0.1:8080");
        let url = parse("http://localhost:8080/hook").unwrap_or_else(|_| unreachable!());
        assert!(points_at(&url, &own));
        let other = parse("http://127.0.0.1:9090/hook").unwrap_or_else(|_| unreachable!());
        assert!(!points_at(&other, &own));
        assert!(is_own_listener(&addr("127.0.0.2:8080"), &addr("0.0.0.0:8080")));
    }
}
