//! What is shown of a subscription URL: query values, credentials and fragments are replaced,
//! as receivers commonly take a token there (`?token=…`). Every view (API, portal, CLI), log
//! line and audit entry shows this; only the dispatcher reads the stored URL itself.

use reqwest::Url;

pub const REDACTED: &str = "REDACTED";

/// The URL with every query value, any user name or password, and any fragment replaced.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw) else {
        // Never stored (URLs are parsed before they are kept); show nothing that could leak.
        return raw.split(['?', '#', '@']).next().unwrap_or_default().to_owned();
    };
    if !url.username().is_empty() || url.password().is_some() {
        // Cannot fail: the URL has a host, or it could not carry credentials.
        let _ = url.set_username(REDACTED);
        let _ = url.set_password(None);
    }
    if url.query().is_some() {
        let keys: Vec<(String, bool)> =
            url.query_pairs().map(|(key, value)| (key.into_owned(), !value.is_empty())).collect();
        let mut query = url.query_pairs_mut();
        query.clear();
        for (key, had_value) in keys {
            query.append_pair(&key, if had_value { REDACTED } else { "" });
        }
    }
    if url.fragment().is_some() {
        url.set_fragment(Some(REDACTED));
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn hides_query_values_credentials_and_fragments_but_keeps_the_rest() {
        assert_eq!(redact_url("https://hooks.example/in?token=s3cret"), "https://hooks.example/in?token=REDACTED");
        assert_eq!(
            redact_url("https://hooks.example/in?a=1&b=&token=s3cret#sig"),
            "https://hooks.example/in?a=REDACTED&b=&token=REDACTED#REDACTED"
        );
        assert_eq!(redact_url("https://u:p@hooks.example/"), "https://REDACTED@hooks.example/");
        assert_eq!(redact_url("https://hooks.example:8443/a/b"), "https://hooks.example:8443/a/b");
        assert_eq!(redact_url("not a url?token=x"), "not a url");
    }
}
