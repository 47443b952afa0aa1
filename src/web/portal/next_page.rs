//! Deep links survive sign-in: the page a visitor asked for rides along as `?next=` and is
//! where a successful sign-in leads, provided it is a page of this portal, never elsewhere.

/// `raw` if it is a path of the portal on this host; `None` for anything that could lead off
/// it (`//host`, `/\host`, a scheme, control characters) or to the sign-in itself.
pub fn safe_next(raw: &str) -> Option<&str> {
    let on_portal = raw.starts_with("/portal/") && !raw.starts_with("/portal/login");
    let plain = !raw.contains("//") && !raw.contains('\\') && raw.chars().all(|c| !c.is_control());
    (on_portal && plain && raw.len() <= 2048).then_some(raw)
}

/// The sign-in page, carrying `next` when it is a page to return to.
pub fn sign_in_location(next: Option<&str>) -> String {
    match next.and_then(safe_next) {
        Some(next) => {
            format!("/portal/login?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>())
        }
        None => "/portal/login".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{safe_next, sign_in_location};

    #[test]
    fn the_sign_in_page_carries_the_page_asked_for() {
        assert_eq!(sign_in_location(Some("/portal/alerts?q=a b")), "/portal/login?next=%2Fportal%2Falerts%3Fq%3Da+b");
        assert_eq!(sign_in_location(Some("//evil")), "/portal/login");
        assert_eq!(sign_in_location(None), "/portal/login");
    }

    #[test]
    fn only_portal_pages_are_followed() {
        assert_eq!(safe_next("/portal/alerts?status=all&q=disk"), Some("/portal/alerts?status=all&q=disk"));
        for bad in [
            "https://evil.example/",
            "//evil.example/portal/",
            "/portal//evil.example",
            "/portal/\\evil",
            "/portal/login?next=/portal/alerts",
            "/api/v1/alerts",
            "/portal/alerts\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
