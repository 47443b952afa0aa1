//! Subscription URLs: http(s) only, no credentials in them, never this service's own listener,
//! and only public addresses unless configuration allows a network ([`AddressPolicy`]).
//!
//! The URL is checked when a subscription is created (literal addresses and what the name
//! resolves to then) and again on every delivery, against the addresses actually connected
//! to ([`super::resolver`]): a name that resolves elsewhere later (DNS rebinding) is refused.

mod policy;
mod ranges;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use reqwest::Url;

pub use policy::{AddressPolicy, HINT, Refusal};
pub use ranges::refused_range;

pub const MAX_URL_LEN: usize = 2048;

/// The parsed URL, or why it is refused (phrased to follow the field name: "url must …").
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
    // Credentials in the URL would be shown wherever the URL is (views, logs, the audit
    // chain); receivers authenticate deliveries by their signature instead.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password (user:password@); receivers can verify \
                    the webhook-signature header instead"
            .into());
    }
    Ok(url)
}

/// Parses and checks everything that needs no DNS: the scheme, credentials, names of this
/// machine, and literal addresses (in whatever form the URL wrote them: `2130706433`,
/// `0x7f.1` and `[::ffff:7f00:1]` are all 127.0.0.1 once parsed).
pub fn check_url(raw: &str, policy: &AddressPolicy) -> Result<Url, String> {
    let url = parse(raw)?;
    check_literal(&url, policy)?;
    if let Some(name) = url.host_str().filter(|name| names_this_machine(name)) {
        return Err(format!("is refused: {name} names this machine; {HINT} (e.g. 127.0.0.1/32)"));
    }
    Ok(url)
}

/// Refuses a URL whose host is a literal address the policy does not allow. Literals are
/// connected to without DNS, so the delivery resolver never sees them: this is their check.
pub fn check_literal(url: &Url, policy: &AddressPolicy) -> Result<(), String> {
    match literal_address(url) {
        Some(ip) => policy.check(ip).map_err(|refusal| format!("is refused: {refusal}; {HINT}")),
        None => Ok(()),
    }
}

/// The address the URL names literally, if it names one. The URL parser has already turned
/// every IPv4 spelling into dotted decimal, and writes IPv6 in brackets.
pub fn literal_address(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).parse().ok()
}

/// `localhost` and its subdomains (RFC 6761), with or without the final dot: always this
/// machine, whatever DNS says.
fn names_this_machine(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Resolves the URL's name (blocking: DNS) and refuses it if any address it resolves to is
/// refused. A name that does not resolve yet passes here: it is checked again, and refused,
/// on every delivery.
pub fn check_resolved(url: &Url, policy: &AddressPolicy) -> Result<(), String> {
    if literal_address(url).is_some() {
        return Ok(());
    }
    let (Some(name), Some(port)) = (url.host_str(), url.port_or_known_default()) else { return Ok(()) };
    let Ok(addrs) = (name, port).to_socket_addrs() else { return Ok(()) };
    for addr in addrs {
        if let Err(refusal) = policy.check(addr.ip()) {
            return Err(format!("is refused: {name} resolves to {refusal}; {HINT}"));
        }
    }
    Ok(())
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

/// Resolves the URL (blocking: DNS) and checks every address it resolves to. Only matters
/// when `allow_networks` lets webhooks reach this machine at all.
pub fn points_at(url: &Url, own: &SocketAddr) -> bool {
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match (host, port).to_socket_addrs() {
        Ok(addrs) => addrs.into_iter().any(|addr| is_own_listener(&addr, own)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests;
