//! The address ranges a webhook may not reach by default: everything that is not the public
//! internet. A webhook is a request this service makes on a tenant's behalf; without this, an
//! operator could aim it at the cloud metadata service, the database, or the local network
//! and read the answers in the delivery log.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` is refused (the range's name and the range), or `None` for a public address.
/// IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
/// the IPv4 address they reach.
pub fn refused_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

/// The IPv4 address an IPv6 address stands for, if it embeds one.
pub fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d, IPv4-mapped: a dual-stack socket connects to a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        // ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 are not IPv4).
        [0, 0, 0, 0, 0, 0, _, _] if u128::from(v6) > 1 => Some(low),
        // 64:ff9b::a.b.c.d, NAT64: the gateway connects to a.b.c.d.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // 2002:aabb:ccdd::/48, 6to4: the relay reaches aa.bb.cc.dd.
        [0x2002, high, low16, ..] => {
            Some(Ipv4Addr::new((high >> 8) as u8, high as u8, (low16 >> 8) as u8, low16 as u8))
        }
        _ => None,
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, ..) => "an unspecified (\"this network\") address, 0.0.0.0/8",
        (10, ..) => "a private address, 10.0.0.0/8",
        (100, 64..=127, _) => "a carrier-grade NAT address, 100.64.0.0/10",
        (127, ..) => "a loopback address, 127.0.0.0/8",
        (169, 254, _) => "a link-local address (cloud metadata lives here), 169.254.0.0/16",
        (172, 16..=31, _) => "a private address, 172.16.0.0/12",
        (192, 0, 0) => "an IETF protocol address, 192.0.0.0/24",
        (192, 0, 2) => "a documentation address, 192.0.2.0/24",
        (192, 168, _) => "a private address, 192.168.0.0/16",
        (198, 18..=19, _) => "a benchmarking address, 198.18.0.0/15",
        (198, 51, 100) => "a documentation address, 198.51.100.0/24",
        (203, 0, 113) => "a documentation address, 203.0.113.0/24",
        (224..=239, ..) => "a multicast address, 224.0.0.0/4",
        _ if ip.is_broadcast() => "the broadcast address, 255.255.255.255",
        (240.., ..) => "a reserved address, 240.0.0.0/4",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("the unspecified address, ::");
    }
    if ip.is_loopback() {
        return Some("the loopback address, ::1");
    }
    if let Some(v4) = embedded_v4(ip) {
        return refused_v4(v4);
    }
    let first = ip.segments()[0];
    Some(match first {
        0xfe80..=0xfebf => "a link-local address, fe80::/10",
        0xfec0..=0xfeff => "a site-local address, fec0::/10",
        0xfc00..=0xfdff => "a unique-local address, fc00::/7",
        0xff00..=0xffff => "a multicast address, ff00::/8",
        0x2001 if ip.segments()[1] == 0x0db8 => "a documentation address, 2001:db8::/32",
        0x0100 if ip.segments()[1..4] == [0, 0, 0] => "a discard-only address, 100::/64",
        // Everything else in ::/8 is reserved (the embedded IPv4 forms were judged above).
        0x0000..=0x00ff => "a reserved address, ::/8",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> Option<&'static str> {
        refused_range(raw.parse().unwrap_or_else(|_| panic!("{raw}")))
    }

    #[test]
    fn refuses_every_non_public_ipv4_range_at_both_ends() {
        for (first, last, name) in [
            ("0.0.0.0", "0.255.255.255", "unspecified"),
            ("10.0.0.0", "10.255.255.255", "private"),
            ("100.64.0.0", "100.127.255.255", "carrier-grade NAT"),
            ("127.0.0.0", "127.255.255.255", "loopback"),
            ("169.254.0.0", "169.254.255.255", "link-local"),
            ("172.16.0.0", "172.31.255.255", "private"),
            ("192.0.0.0", "192.0.0.255", "IETF"),
            ("192.0.2.0", "192.0.2.255", "documentation"),
            ("192.168.0.0", "192.168.255.255", "private"),
            ("198.18.0.0", "198.19.255.255", "benchmarking"),
            ("198.51.100.0", "198.51.100.255", "documentation"),
            ("203.0.113.0", "203.0.113.255", "documentation"),
            ("224.0.0.0", "239.255.255.255", "multicast"),
            ("240.0.0.0", "255.255.255.254", "reserved"),
            ("255.255.255.255", "255.255.255.255", "broadcast"),
        ] {
            for ip in [first, last] {
                let reason = refused(ip).unwrap_or_else(|| panic!("{ip} should be refused"));
                assert!(reason.contains(name), "{ip}: {reason}");
            }
        }
    }

    #[test]
    fn passes_public_ipv4_just_outside_the_ranges() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.255",
            "192.0.3.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "203.0.112.255",
            "223.255.255.255",
            "93.184.216.34",
        ] {
            assert_eq!(refused(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn refuses_every_non_public_ipv6_range() {
        for (ip, name) in [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fe80::1", "link-local"),
            ("febf:ffff::1", "link-local"),
            ("fec0::1", "site-local"),
            ("fc00::1", "unique-local"),
            ("fd00::1", "unique-local"),
            ("fdff:ffff::1", "unique-local"),
            ("ff02::1", "multicast"),
            ("ff0e::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("2001:db8:ffff::1", "documentation"),
            ("100::1", "discard-only"),
            ("ff::1", "reserved"),
        ] {
            let reason = refused(ip).unwrap_or_else(|| panic!("{ip} should be refused"));
            assert!(reason.contains(name), "{ip}: {reason}");
        }
        for ip in ["2606:4700:4700::1111", "2001:4860:4860::8888", "2001:db9::1", "fbff::1"] {
            assert_eq!(refused(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn judges_ipv6_forms_that_embed_ipv4_by_the_ipv4_address() {
        for (ip, name) in [
            ("::ffff:169.254.169.254", "link-local"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:7f00:1", "loopback"),
            ("::ffff:10.0.0.1", "private"),
            ("::ffff:0.0.0.0", "unspecified"),
            ("::7f00:1", "loopback"),
            ("::127.0.0.1", "loopback"),
            ("::a9fe:a9fe", "link-local"),
            ("::192.168.0.1", "private"),
            ("64:ff9b::127.0.0.1", "loopback"),
            ("64:ff9b::a00:1", "private"),
            ("2002:7f00:1::1", "loopback"),
            ("2002:a9fe:a9fe::", "link-local"),
        ] {
            let reason = refused(ip).unwrap_or_else(|| panic!("{ip} should be refused"));
            assert!(reason.contains(name), "{ip}: {reason}");
        }
        assert_eq!(refused("::ffff:8.8.8.8"), None, "a mapped public address reaches the public address");
        assert_eq!(refused("64:ff9b::808:808"), None);
        assert_eq!(refused("2002:808:808::1"), None);
    }
}
