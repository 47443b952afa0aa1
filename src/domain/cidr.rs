//! A network in CIDR notation (`10.1.0.0/16`, `fd00::/8`, or a bare address for one host): the
//! form `[webhooks] allow_networks` is written in. Small enough not to need a crate.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` is inside the network. An IPv4 network never contains an IPv6 address
    /// (callers unwrap IPv4-mapped forms themselves, so the rule lives in one place).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask32(self.prefix);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask128(self.prefix);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn mask32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (address_only(raw), None),
        };
        let network: IpAddr =
            address.parse().map_err(|_| format!("`{raw}` is not a network like 10.0.0.0/8 or fd00::/8"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{raw}`: the prefix length must be 0 to {max}"))?,
        };
        let cidr = Self { network, prefix };
        // A network written with host bits set (10.0.0.1/8) is almost always a typo for a
        // single host or another network: refuse it rather than guess.
        let canonical = match network {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask32(prefix)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask128(prefix)).into()),
        };
        if canonical != network {
            return Err(format!("`{raw}` has host bits set; did you mean {canonical}/{prefix}?"));
        }
        Ok(cidr)
    }
}

fn address_only(raw: &str) -> &str {
    raw.trim_start_matches('[').trim_end_matches(']')
}

impl TryFrom<String> for Cidr {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        raw.parse()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(raw: &str) -> Cidr {
        raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap_or_else(|_| panic!("{raw}"))
    }

    #[test]
    fn contains_addresses_of_its_own_family_within_the_prefix() {
        assert!(cidr("127.0.0.1/32").contains(ip("127.0.0.1")));
        assert!(!cidr("127.0.0.1/32").contains(ip("127.0.0.2")));
        assert!(cidr("10.0.0.0/8").contains(ip("10.255.1.2")));
        assert!(!cidr("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(cidr("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(cidr("fd00::/8").contains(ip("fd12::1")));
        assert!(!cidr("fd00::/8").contains(ip("fe80::1")));
        assert!(cidr("::/0").contains(ip("2001:db8::1")));
        assert!(!cidr("0.0.0.0/0").contains(ip("::ffff:1.2.3.4")), "families never mix");
        assert_eq!(cidr("192.168.1.7"), cidr("192.168.1.7/32"));
        assert_eq!(cidr("[::1]").to_string(), "::1/128");
    }

    #[test]
    fn refuses_what_is_not_a_network() {
        for bad in ["", "10.0.0.0/33", "::/129", "10.0.0.0/x", "example.com/8", "10.0.0.1/8", "10.0.0.0/-1"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad} should be refused");
        }
        assert!(cidr("10.0.0.0/8").to_string() == "10.0.0.0/8");
    }
}
