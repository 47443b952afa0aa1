//! Which addresses webhooks may connect to: public ones, plus the networks an operator
//! explicitly allows (`[webhooks] allow_networks`, for receivers on a private network).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use super::ranges::{embedded_v4, refused_range};
use crate::config::WebhookSettings;
use crate::domain::cidr::Cidr;

#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allow: Arc<[Cidr]>,
}

/// What every refusal adds, so the operator knows the way out.
pub const HINT: &str = "webhooks reach only public addresses unless [webhooks] allow_networks lists the network";

/// An address a webhook may not reach, and why: shown to operators as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub ip: IpAddr,
    pub range: &'static str,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}", self.ip, self.range)
    }
}

impl AddressPolicy {
    pub fn new(allow: Vec<Cidr>) -> Self {
        Self { allow: allow.into() }
    }

    pub fn from_settings(settings: &WebhookSettings) -> Self {
        Self::new(settings.allow_networks.clone())
    }

    /// Whether a webhook may connect to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let Some(range) = refused_range(ip) else { return Ok(()) };
        // An allowed IPv4 network also allows the IPv6 forms that reach it (::ffff:10.0.0.1).
        let reached = match ip {
            IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        let allowed = |ip: IpAddr| self.allow.iter().any(|net| net.contains(ip));
        if allowed(ip) || reached.is_some_and(allowed) {
            return Ok(());
        }
        Err(Refusal { ip, range })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap_or_else(|_| panic!("{raw}"))
    }

    fn policy(allow: &[&str]) -> AddressPolicy {
        AddressPolicy::new(allow.iter().map(|n| n.parse().unwrap_or_else(|e| panic!("{e}"))).collect())
    }

    #[test]
    fn the_default_refuses_non_public_addresses_with_the_reason() {
        let strict = AddressPolicy::default();
        assert!(strict.check(ip("93.184.216.34")).is_ok());
        let refusal = strict.check(ip("169.254.169.254")).err().map(|r| r.to_string()).unwrap_or_default();
        assert!(refusal.starts_with("169.254.169.254 is a link-local address"), "{refusal}");
        assert!(strict.check(ip("::ffff:127.0.0.1")).is_err());
    }

    #[test]
    fn allowed_networks_pass_also_in_their_ipv6_forms_and_nothing_more() {
        let lab = policy(&["127.0.0.1/32", "10.20.0.0/16", "fd00:1::/32"]);
        for allowed in ["127.0.0.1", "::ffff:127.0.0.1", "::7f00:1", "10.20.3.4", "fd00:1::9"] {
            assert!(lab.check(ip(allowed)).is_ok(), "{allowed}");
        }
        for refused in ["127.0.0.2", "::1", "10.21.0.1", "169.254.169.254", "fd00:2::1", "0.0.0.0"] {
            assert!(lab.check(ip(refused)).is_err(), "{refused}");
        }
    }
}
