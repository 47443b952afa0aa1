//! The URL guard: every form of a refused address, credentials, and a property test that no
//! input makes it panic or refuse without saying why.

use proptest::prelude::*;

use super::*;

fn addr(raw: &str) -> SocketAddr {
    raw.parse().unwrap_or_else(|_| unreachable!())
}

fn strict(raw: &str) -> Result<Url, String> {
    check_url(raw, &AddressPolicy::default())
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

#[test]
fn refuses_every_spelling_of_an_internal_address() {
    for (url, shown) in [
        ("http://127.0.0.1:9999/", "127.0.0.1 is a loopback address"),
        ("http://localhost/hook", "localhost names this machine"),
        ("http://localhost./hook", "localhost. names this machine"),
        ("http://LocalHost:8080/", "localhost names this machine"),
        ("http://api.localhost/", "api.localhost names this machine"),
        ("http://[::1]/", "::1 is the loopback address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified"),
        ("http://2130706433/", "127.0.0.1 is a loopback address"),
        ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
        ("http://017700000001/", "127.0.0.1 is a loopback address"),
        ("http://127.1/", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://172.16.0.1/", "172.16.0.1 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
        ("http://192.0.2.1/", "192.0.2.1 is a documentation address"),
        ("http://198.51.100.1/", "198.51.100.1 is a documentation address"),
        ("http://203.0.113.1/", "203.0.113.1 is a documentation address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://255.255.255.255/", "255.255.255.255 is the broadcast address"),
        ("http://[fd00::1]/", "fd00::1 is a unique-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://[2001:db8::1]/", "2001:db8::1 is a documentation address"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is a link-local address"),
        ("http://[::ffff:7f00:1]/", "::ffff:127.0.0.1 is a loopback address"),
        ("http://[::7f00:1]/", "::7f00:1 is a loopback address"),
        ("https://[::ffff:10.1.2.3]:8443/", "::ffff:10.1.2.3 is a private address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "is a link-local address"),
    ] {
        let refusal = strict(url).err().unwrap_or_else(|| panic!("{url} should be refused"));
        assert!(refusal.starts_with("is refused: "), "{url}: {refusal}");
        assert!(refusal.contains(shown), "{url}: {refusal}");
        assert!(refusal.contains("allow_networks"), "{url}: the refusal names the way out: {refusal}");
    }
}

#[test]
fn passes_public_addresses_and_names() {
    for url in
        ["https://hooks.example.com/x?y=1", "http://93.184.216.34/", "http://[2606:4700::1111]/", "http://1.1.1.1"]
    {
        assert!(strict(url).is_ok(), "{url}");
    }
}

#[test]
fn an_allowed_network_passes_in_every_spelling() {
    let lab = AddressPolicy::new(vec!["127.0.0.1/32".parse().unwrap_or_else(|_| unreachable!())]);
    for url in ["http://127.0.0.1:9000/", "http://2130706433/", "http://[::ffff:127.0.0.1]/"] {
        assert!(check_url(url, &lab).is_ok(), "{url}");
    }
    assert!(check_url("http://127.0.0.2/", &lab).is_err());
    assert!(check_url("http://localhost/", &lab).is_err(), "a name is never taken on trust");
    let url = check_url("http://localhost:1/", &AddressPolicy::default()).err().unwrap_or_default();
    assert!(url.contains("127.0.0.1/32"), "suggests the allow-list entry: {url}");
}

#[test]
fn names_are_checked_by_what_they_resolve_to() {
    let url = parse("http://localhost:9/").unwrap_or_else(|_| unreachable!());
    let refusal = check_resolved(&url, &AddressPolicy::default()).err().unwrap_or_default();
    assert!(refusal.starts_with("is refused: localhost resolves to 127.0.0.1 is a loopback"), "{refusal}");
    let unresolvable = parse("http://does-not-exist.invalid/").unwrap_or_else(|_| unreachable!());
    assert!(check_resolved(&unresolvable, &AddressPolicy::default()).is_ok(), "checked again at delivery");
}

#[test]
fn refuses_credentials_in_the_url() {
    for url in ["https://user:pass@hooks.example.com/", "https://token@hooks.example.com/", "http://:pw@example.com/"] {
        let refusal = strict(url).err().unwrap_or_else(|| panic!("{url} should be refused"));
        assert!(refusal.contains("must not contain a user name or password"), "{refusal}");
        assert!(!refusal.contains("hooks.example.com"), "the refusal does not echo the URL: {refusal}");
    }
}

/// A refusal reads as the rest of a sentence about the field: "url is refused: …".
fn is_clear(reason: &str) -> bool {
    ["must ", "is not a valid URL: ", "is refused: "].iter().any(|p| reason.starts_with(p)) && reason.len() < 400
}

fn any_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![any::<[u8; 4]>().prop_map(IpAddr::from), any::<[u16; 8]>().prop_map(IpAddr::from)]
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics_and_every_refusal_says_why(raw in any::<String>()) {
        if let Err(reason) = strict(&raw) {
            prop_assert!(is_clear(&reason), "unclear refusal {reason:?} of {raw:?}");
        }
    }

    #[test]
    fn url_shaped_input_never_panics(raw in "(https?|ftp)://([a-z0-9:@.\\[\\]%-]{0,40})(:[0-9]{0,6})?(/[ -~]{0,20})?") {
        match strict(&raw) {
            Err(reason) => prop_assert!(is_clear(&reason), "unclear refusal {reason:?} of {raw:?}"),
            Ok(url) => prop_assert!(literal_address(&url).is_none_or(|ip| refused_range(ip).is_none())),
        }
    }

    #[test]
    fn a_literal_address_passes_exactly_when_it_is_public(ip in any_ip(), port in 1u16..) {
        let raw = match ip {
            IpAddr::V4(v4) => format!("http://{v4}:{port}/hook"),
            IpAddr::V6(v6) => format!("http://[{v6}]:{port}/hook"),
        };
        prop_assert_eq!(strict(&raw).is_ok(), refused_range(ip).is_none(), "{}", raw);
    }

    #[test]
    fn an_ipv4_mapped_address_is_judged_as_its_ipv4_address(octets in any::<[u8; 4]>()) {
        let v4 = std::net::Ipv4Addr::from(octets);
        let mapped = format!("http://[::ffff:{v4}]/");
        let decimal = format!("http://{}/", u32::from(v4));
        prop_assert_eq!(strict(&mapped).is_ok(), refused_range(IpAddr::V4(v4)).is_none());
        prop_assert_eq!(strict(&decimal).is_ok(), refused_range(IpAddr::V4(v4)).is_none());
    }
}
